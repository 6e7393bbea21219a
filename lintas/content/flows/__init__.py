"""Flows of the travel checker as content: their schema, the rules they compute, and the checks
that span a flow and the rest of the content (used by validation). Their pages are lintas/checker/."""
