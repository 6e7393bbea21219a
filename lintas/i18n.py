"""Language helpers: the two languages, dates and money the Indonesian (or English) way, UI strings."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date as _babel_date

LANGS: tuple[str, ...] = ("id", "en")  # Indonesian first: it is the site's main language
DEFAULT_LANG = "id"


def format_date(value: dt.date, lang: str) -> str:
    """'5 September 2024' in both languages (babel's long form without the weekday)."""
    return _babel_date(value, format="d MMMM y", locale="id" if lang == "id" else "en_GB")


def format_idr(amount: int, lang: str) -> str:
    """Rp650.000 (Indonesian grouping) or Rp650,000 (English); 0 is shown as free."""
    if amount == 0:
        return "Gratis (Rp0)" if lang == "id" else "Free (Rp0)"
    grouped = f"{amount:,}"
    return "Rp" + (grouped.replace(",", ".") if lang == "id" else grouped)


def format_number(value: int | float, lang: str) -> str:
    text = f"{value:,}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def lang_prefix(lang: str) -> str:
    """Site path prefix of a language: '' for Indonesian, 'en/' for English."""
    return "" if lang == DEFAULT_LANG else f"{lang}/"
