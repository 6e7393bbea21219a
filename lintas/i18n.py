"""Language helpers: the two languages, dates and money the Indonesian (or English) way, UI strings."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time

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


def format_clock(value: str, lang: str) -> str:
    """'08:00' as the language writes it: '08.00' (id, EYD V and CLDR) or '08:00' (en)."""
    hour, minute = (int(x) for x in value.split(":"))
    if hour == 24:
        return "24.00" if lang == "id" else "24:00"
    return str(_babel_time(dt.time(hour, minute), format="short", locale=("id" if lang == "id" else "en_GB")))


def format_partial_date(value: str, lang: str) -> str:
    """'2024' -> '2024'; '2024-09' -> 'September 2024'; '2024-09-05' -> '5 September 2024'."""
    parts = [int(x) for x in value.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    day = dt.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    pattern = "LLLL y" if len(parts) == 2 else "d MMMM y"
    return str(_babel_date(day, format=pattern, locale=("id" if lang == "id" else "en_GB")))
