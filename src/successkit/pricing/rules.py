"""The rate card's rules: the hourly rate in force on a day, and the amount of billable
minutes at a rate (SPEC.md §5). The one owner of a minute's price: engagements fixes it
on a session at delivery with these, billing bills what was fixed."""

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
