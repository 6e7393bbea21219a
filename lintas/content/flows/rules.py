"""Rules that need computation, referenced from flow YAML by function name.

Flows hold routing only (GOV.UK smart-answers lesson: a declarative rule language became too
restrictive and was removed). A rule is a small pure function of dates; a question that names a rule
maps each of the rule's results to one option, so the static page (plain links) and the optional
script (date fields that pick the option) give the same answer. checker.js carries the same rules
in JavaScript; a browser test compares the two on edge-case dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..schemas import Text


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later, clamped to the month's end (31 Aug + 6 = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def passport_valid_6_months(travel_date: dt.date, expiry_date: dt.date) -> bool:
    """True when the passport is still valid 6 calendar months after the travel date.

    Timor-Leste asks for at least 6 months' validity (domain.md §6.4). Expiring exactly on the day
    6 months after travel counts as enough: the passport is valid on that day.
    """
    return expiry_date >= add_months(travel_date, 6)


def aged_17_or_over(birth_date: dt.date, on_date: dt.date) -> bool:
    """True when the person is 17 or older on `on_date` (29 February birthdays count on 1 March)."""
    try:
        birthday_17 = birth_date.replace(year=birth_date.year + 17)
    except ValueError:  # 29 February in a non-leap year
        birthday_17 = dt.date(birth_date.year + 17, 3, 1)
    return on_date >= birthday_17


@dataclass(frozen=True)
class Param:
    name: str
    label: Text


@dataclass(frozen=True)
class Rule:
    """A rule function with what the page needs to ask for its inputs (all dates)."""

    name: str
    func: Callable[..., bool]
    params: tuple[Param, ...]
    # The rule's possible results, as the `result:` values options use.
    results: tuple[str, ...] = ("yes", "no")

    def answer(self, *dates: dt.date) -> str:
        return "yes" if self.func(*dates) else "no"


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("passport_valid_6_months", passport_valid_6_months, (
            Param("travel_date", Text(id="Tanggal menyeberang", en="Date you cross")),
            Param("expiry_date", Text(id="Tanggal habis berlaku paspor", en="Passport expiry date")),
        )),
        Rule("aged_17_or_over", aged_17_or_over, (
            Param("birth_date", Text(id="Tanggal lahir", en="Date of birth")),
            Param("on_date", Text(id="Tanggal mengajukan", en="Date you apply")),
        )),
    )
}


def example(rule: Rule, today: dt.date, lang: str) -> str | None:
    """A worked example for the question page, computed by the rule itself from the build day."""
    from ...i18n import format_date

    if rule.name == "passport_valid_6_months":
        need = add_months(today, 6)
        if lang == "id":
            return (f"Contoh: jika Anda menyeberang pada {format_date(today, lang)}, paspor harus "
                    f"berlaku sampai paling cepat {format_date(need, lang)}.")
        return (f"Example: if you cross on {format_date(today, lang)}, your passport must be valid "
                f"until {format_date(need, lang)} or later.")
    if rule.name == "aged_17_or_over":
        # The latest birth date that is 17 today (a 29 February build day falls back to the 28th).
        born = dt.date(today.year - 17, today.month, min(today.day, 28 if today.month == 2 else 31))
        if lang == "id":
            return (f"Contoh: jika Anda mengajukan pada {format_date(today, lang)}, Anda berusia "
                    f"17 tahun atau lebih bila lahir pada {format_date(born, lang)} atau sebelumnya.")
        return (f"Example: if you apply on {format_date(today, lang)}, you are 17 or over if you "
                f"were born on or before {format_date(born, lang)}.")
    return None
