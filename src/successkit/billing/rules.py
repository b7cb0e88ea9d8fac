"""Statements: numbers, months, totals and money formats (prices are ``pricing.rules``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from successkit.pricing import rules as pricing

CENT = pricing.CENT


# --- statements ----------------------------------------------------------------------------

STATEMENT_PREFIX = "ST-"


def statement_number(sequence: int) -> str:
    """The printed number of the ``sequence``-th statement: ``ST-000001``."""
    if sequence < 1:
        raise ValueError("statement sequence numbers start at 1")
    return f"{STATEMENT_PREFIX}{sequence:06d}"


def month_period(value: str) -> tuple[date, date]:
    """``"2026-10"`` → the first and the last day of that month (both included)."""
    try:
        year_text, month_text = value.split("-")
        if len(year_text) != 4 or len(month_text) != 2:
            raise ValueError
        first = date(int(year_text), int(month_text), 1)
    except ValueError:
        raise ValueError(f"{value!r} is not a month written YYYY-MM") from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def period_is_valid(start: date, end: date) -> bool:
    return start <= end


def total(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of per-line amounts (each already rounded to the cent): exact."""
    return sum(amounts, Decimal("0.00")).quantize(CENT)
