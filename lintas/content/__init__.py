"""Loading, validation and the typed model of content/ (no rendering, no Jinja2)."""
