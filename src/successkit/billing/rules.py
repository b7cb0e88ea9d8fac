"""Pricing: billable minutes at the hourly rate in force on the day (SPEC.md §5)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MINUTES_PER_HOUR = 60


@dataclass(frozen=True)
class RatePeriod:
    """An hourly rate in force from ``effective_from`` until the next one of its currency."""

    effective_from: date
    hourly_rate: Decimal


def rate_in_force(rates: Iterable[RatePeriod], day: date) -> Decimal | None:
    """The rate whose period contains ``day``: the latest one starting on or before it."""
    started = [rate for rate in rates if rate.effective_from <= day]
    if not started:
        return None
    return max(started, key=lambda rate: rate.effective_from).hourly_rate


def amount_for(minutes: int, hourly_rate: Decimal) -> Decimal:
    """``minutes`` at ``hourly_rate``, exact, rounded half-up to the cent (one line)."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    return (hourly_rate * minutes / MINUTES_PER_HOUR).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Quote:
    minutes: int
    hourly_rate: Decimal
    amount: Decimal
    currency: str
    priced_on: date


def quote(minutes: int, hourly_rate: Decimal, currency: str, day: date) -> Quote:
    return Quote(minutes, hourly_rate, amount_for(minutes, hourly_rate), currency, day)


# --- statements ----------------------------------------------------------------------------

STATEMENT_PREFIX = "ST-"
MONEY_LOCALES = {"en": "en", "es": "es_ES"}


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


def money_locale(language: str) -> str:
    """The Babel locale that formats money for a reader of ``language``."""
    return MONEY_LOCALES.get(language, MONEY_LOCALES["en"])
