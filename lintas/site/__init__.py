"""The site: pages from the model, rendered by MkDocs (only renderer.py imports it), search, bundle."""
