"""A generated page: Markdown plus front matter, for one language's docs tree.

Every section (entities, datasets, travel checker) produces `Page`s; the renderer writes them as
Markdown files and hands the tree to the site renderer. Keeping pages as data lets golden tests read
them without running the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from markupsafe import escape

from ..escape import single_line


@dataclass(frozen=True)
class Page:
    src: str  # path in the docs tree, always '<folder>/index.md', e.g. 'posts/plbn-motaain/index.md'
    title: str
    markdown: str
    meta: dict[str, Any] = field(default_factory=dict)  # front matter: description, kind, jsonld...

    def text(self) -> str:
        """The Markdown file: YAML front matter, then the body.

        The title is written HTML-escaped: Material's theme templates print `page.title` unescaped
        (MkDocs' theme environment does not autoescape), e.g. as the <h1> of a page without one and
        in the navigation; our overrides print it as it is, or after `striptags | e`. The
        description is escaped where it is printed (templates/material/main.html)."""
        front = {"title": self.title, **self.meta}
        front["title"] = str(escape(single_line(str(front["title"]))))
        # The C emitter when PyYAML has it: the pure-Python one dominated rendering at scale.
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        dumped = yaml.dump(front, Dumper=dumper, allow_unicode=True, sort_keys=True, width=1000)
        return f"---\n{dumped}---\n\n{self.markdown.rstrip()}\n"
