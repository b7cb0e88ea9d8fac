"""Contract dates: terms, windows and "today" in the buyer's time zone (SPEC.md §1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
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


class Platform(StrEnum):
    TEAMS = "teams"
    HRM = "hrm"


def default_platforms() -> list[str]:
    """A contract covers both platforms unless it says otherwise (API.md)."""
    return sorted(platform.value for platform in Platform)


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


@cache
def zone_named(timezone_name: str) -> ZoneInfo:
    """The zone, kept: ``ZoneInfo`` holds only its last 8 zones strongly, so with more
    organizations' zones than that it reads their files again, over and over (seen: 48
    times for one cockpit page)."""
    return ZoneInfo(timezone_name)


def local_date(instant: datetime, timezone_name: str) -> date:
    """The calendar day ``instant`` falls on in the organization's time zone."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(zone_named(timezone_name)).date()


# --- the buyer's vendor contact (SPEC.md §3) ------------------------------------------------


class ContactKind(StrEnum):
    ACCOUNT_MANAGER = "account_manager"
    CSM = "csm"
    # The customer success team's queue: nobody in particular, no escalation rights.
    CS_TEAM = "cs_team"


@dataclass(frozen=True)
class VendorContact:
    """Who the buyer contacts on a day: the representative (``acting``) while the
    package's contact window lasts, the customer success team after it."""

    kind: ContactKind
    acting: bool
    # The last day the account manager acts (a package with a contact window), else None.
    account_manager_until: date | None


def vendor_contact_on(
    contact_role: str, contact_window_days: int | None, start: date, end: date, day: date
) -> VendorContact:
    """The contact on ``day``: the package's contact role for the whole term, or for the
    first ``contact_window_days`` days (S through S+days-1) and the team after that."""
    kind = ContactKind(contact_role)
    if contact_window_days is None:
        return VendorContact(kind, True, None)
    until = start + timedelta(days=contact_window_days - 1)
    if day <= until:
        return VendorContact(kind, True, until)
    return VendorContact(ContactKind.CS_TEAM, False, until)


# --- changing the term (SPEC.md §2) ---------------------------------------------------------


class TermChangeRefusal(StrEnum):
    NOT_AFTER_START = "not_after_start"
    BEFORE_TODAY = "before_today"


def term_change_refusal(start: date, new_end: date, today: date) -> TermChangeRefusal | None:
    """A new end date must be after the start and never before today (the buyer's)."""
    if not term_is_valid(start, new_end):
        return TermChangeRefusal.NOT_AFTER_START
    if new_end < today:
        return TermChangeRefusal.BEFORE_TODAY
    return None


def outside_term(days: list[date], term: DateRange) -> list[date]:
    """The days (of sessions or checks on record) a term would leave outside it."""
    return [day for day in days if day not in term]
