"""Citations on pages: numbered footnote references next to facts, the fact's date, the source list.

Each page keeps a `PageCitations`: the first fact that cites a source gives it the next number; the
page's sources box (rendered last) lists every numbered source with an anchor, so a reference is a
plain link (`#sumber-2`) that works without JavaScript and in print. Facts of other entities shown
on a page (a post's hours in a procedure step) bring their citations with them.

Clock times go through Babel/CLDR: Indonesian pages show 08.00, English pages 08:00.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup

from ..content.schemas import Citation, Cited, SourceRecord
from ..escape import plain
from ..i18n import format_partial_date

PER = {"id": "menurut", "en": "per"}
SOURCE_WORD = {"id": "Sumber", "en": "Source"}
# Said plainly when neither the fact nor any of its sources has a date: a fact always shows its date.
NO_DATE = {"id": "tanggal tidak tercatat", "en": "date not recorded"}


@dataclass
class PageCitations:
    """The numbered sources of one page, in the order facts first cite them."""

    sources: dict[str, SourceRecord]
    order: list[str] = field(default_factory=list)

    def number(self, source_id: str) -> int:
        if source_id not in self.order:
            self.order.append(source_id)
        return self.order.index(source_id) + 1

    def entries(self) -> list[tuple[int, str, SourceRecord]]:
        return [(i + 1, sid, self.sources[sid]) for i, sid in enumerate(self.order) if sid in self.sources]


_current: contextvars.ContextVar[PageCitations | None] = contextvars.ContextVar("page_citations", default=None)


def start_page(sources: dict[str, SourceRecord]) -> contextvars.Token[PageCitations | None]:
    return _current.set(PageCitations(sources))


def end_page(token: contextvars.Token[PageCitations | None]) -> None:
    _current.reset(token)


def current() -> PageCitations | None:
    return _current.get()


def register(ids: Iterable[str]) -> None:
    """Number sources that the page's text as a whole rests on (they follow the facts' sources)."""
    page = _current.get()
    if page is not None:
        for sid in ids:
            page.number(sid)


def anchor(number: int) -> str:
    return f"sumber-{number}"


def fact_date(ids: Iterable[str], as_of: str | None, sources: dict[str, SourceRecord], lang: str) -> str:
    """'menurut ANTARA, 2022' / 'per ANTARA, April 2022; Sinmeta, July 2024' / 'per BNPP, date not recorded'."""
    known = [sources[i] for i in ids if i in sources]
    if not known:
        return ""
    if as_of:
        publishers = ", ".join(dict.fromkeys(s.publisher for s in known))
        return f"{PER[lang]} {publishers}, {format_partial_date(as_of, lang)}"
    parts = [s.publisher + (f", {format_partial_date(s.published, lang)}" if s.published else "") for s in known]
    if not any(s.published for s in known):
        return f"{PER[lang]} " + "; ".join(dict.fromkeys(parts)) + f", {NO_DATE[lang]}"
    return f"{PER[lang]} " + "; ".join(dict.fromkeys(parts))


def marks(ids: Iterable[str], as_of: str | None, lang: str, *, with_date: bool = True) -> Markup:
    """Footnote links ([1][2]) and the fact's date, for the facts of the page being rendered."""
    page = _current.get()
    ids = list(ids)
    if page is None or not ids:
        return Markup("")
    links = Markup("").join(
        Markup('<a class="lintas-ref" href="#{a}" aria-label="{w} {n}">[{n}]</a>').format(
            a=anchor(n), w=SOURCE_WORD[lang], n=n)
        for n in (page.number(i) for i in ids))
    out = Markup(' <sup class="lintas-refs">') + links + Markup("</sup>")
    when = fact_date(ids, as_of, page.sources, lang) if with_date else ""
    if when:
        out += Markup(' <span class="lintas-asof">(') + plain(when) + Markup(")</span>")  # marks also land in Markdown
    return out


def cite_of(fact: Cited | Citation | None, lang: str, *, with_date: bool = True) -> Markup:
    if fact is None:
        return Markup("")
    return marks(fact.cite, fact.as_of, lang, with_date=with_date)
