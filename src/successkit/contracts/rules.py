"""Contract dates: terms, windows and "today" in the buyer's time zone (SPEC.md §1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class DateRange:
    """Calendar days ``start`` through ``end``, both included."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class ContractPhase(StrEnum):
    UPCOMING = "upcoming"
    ACTIVE = "active"
    ENDED = "ended"


def term_is_valid(start: date, end: date) -> bool:
    return end > start


def contract_term(start: date, end: date) -> DateRange:
    return DateRange(start, end)


def window_from_start(start: date, end: date, days: int | None) -> DateRange:
    """The first ``days`` calendar days of the term (S through S+days-1), clipped to the
    term; the whole term when ``days`` is None."""
    if days is None:
        return DateRange(start, end)
    return DateRange(start, min(end, start + timedelta(days=days - 1)))


def phase_on(term: DateRange, day: date) -> ContractPhase:
    if day < term.start:
        return ContractPhase.UPCOMING
    if day > term.end:
        return ContractPhase.ENDED
    return ContractPhase.ACTIVE


def local_date(instant: datetime, timezone_name: str) -> date:
    """The calendar day ``instant`` falls on in the organization's time zone."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(ZoneInfo(timezone_name)).date()
