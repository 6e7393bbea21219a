"""Travel checker ("smart answers"): flows of questions leading to outcomes, one static page each.

pages.py (Markdown pages, the script and style), diagram.py (SVG for reviewers). The flows
themselves are content: their schema, graph checks and computed rules are lintas/content/flows/.
"""
