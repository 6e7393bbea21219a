"""Travel checker ("smart answers"): flows of questions leading to outcomes, one static page each.

schema.py (the YAML model), graph.py (structure and validation), rules.py (computed rules),
pages.py (Markdown pages), diagram.py (SVG for reviewers). Kept import-light: kinds.py imports
schema.py while validate.py is still loading.
"""
