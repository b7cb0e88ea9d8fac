"""The training pool: what a booking may take, and which minutes are covered or billable
(SPEC.md §1-2). Pure values in, decisions out; the services hold the locks and write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from successkit.catalog.rules import PackageTerms, SessionTypeTerms
from successkit.contracts.rules import DateRange, window_from_start


class SessionStatus(StrEnum):
    BOOKED = "booked"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class CancelledBy(StrEnum):
    VENDOR = "vendor"
    BUYER = "buyer"


# Statuses in which a single-use session type counts as used by the contract.
# Delivered sessions: their billable minutes are priced (fixed) and billed.
DELIVERED = frozenset({SessionStatus.COMPLETED, SessionStatus.NO_SHOW})
HOLDS_SINGLE_USE = frozenset({SessionStatus.BOOKED, SessionStatus.COMPLETED, SessionStatus.NO_SHOW})


class Refusal(StrEnum):
    """Why a booking breaks the contract; the services map each to its error code."""

    DURATION_NOT_POSITIVE = "duration_not_positive"
    DURATION_EXCEEDS_LIMIT = "duration_exceeds_limit"
    PLATFORMS_REQUIRED = "platforms_required"
    PLATFORMS_NOT_OFFERED = "platforms_not_offered"
    CONTRACT_NOT_ACTIVE = "contract_not_active"
    ROLE_NOT_ALLOWED = "role_not_allowed"
    STARTS_IN_THE_PAST = "starts_in_the_past"


@dataclass(frozen=True)
class Balance:
    """A pool's running balance, in covered minutes."""

    included: int
    reserved: int
    used: int

    @property
    def available(self) -> int:
        return self.included - self.reserved - self.used


@dataclass(frozen=True)
class Coverage:
    covered: int
    billable: int

    @property
    def minutes(self) -> int:
        return self.covered + self.billable


def pool_window(package: PackageTerms, start: date, end: date) -> DateRange:
    """The days the training pool may be drawn on: the first N days, or the whole term."""
    return window_from_start(start, end, package.training_window_days)


def remaining_on(balance: Balance, window: DateRange, day: date) -> int:
    """What could still be covered on ``day``: what is left of the pool inside its
    window, nothing outside it."""
    return max(balance.available, 0) if day in window else 0


def split_coverage(
    minutes: int,
    *,
    session_type: SessionTypeTerms,
    day: date,
    window: DateRange,
    available: int,
) -> Coverage:
    """Covered minutes come from the pool while it lasts and only inside its window; the
    rest — and every minute of a type the pool does not cover — is billable."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    if not session_type.draws_on_pool or day not in window:
        return Coverage(0, minutes)
    covered = min(minutes, max(available, 0))
    return Coverage(covered, minutes - covered)


def booking_refusals(
    *,
    package: PackageTerms,
    session_type: SessionTypeTerms,
    term: DateRange,
    day: date,
    minutes: int,
    platforms: frozenset[str],
    staff_roles: frozenset[str],
    in_the_past: bool,
    past_allowed: bool,
) -> list[Refusal]:
    """Everything wrong with a booking, most basic first (the first one is reported)."""
    refusals = []
    if minutes < 1:
        refusals.append(Refusal.DURATION_NOT_POSITIVE)
    if session_type.max_minutes is not None and minutes > session_type.max_minutes:
        refusals.append(Refusal.DURATION_EXCEEDS_LIMIT)
    if platforms - session_type.platforms:
        refusals.append(Refusal.PLATFORMS_NOT_OFFERED)
    elif session_type.platforms and session_type.single_use and not platforms:
        refusals.append(Refusal.PLATFORMS_REQUIRED)
    if in_the_past and not past_allowed:
        refusals.append(Refusal.STARTS_IN_THE_PAST)
    if day not in term:
        refusals.append(Refusal.CONTRACT_NOT_ACTIVE)
    if not staff_roles & package.training_roles:
        refusals.append(Refusal.ROLE_NOT_ALLOWED)
    return refusals


def cancellation_allowed(by: CancelledBy, starts_at: datetime, now: datetime) -> bool:
    """The buyer cancels only before the start (after it, attend or be a no-show); the
    vendor may always cancel, and that never costs the buyer anything."""
    return by is CancelledBy.VENDOR or now < starts_at


def billable_needs_acceptance(new_billable: int, *, accepted_before: int, accept_now: bool) -> bool:
    """Billable minutes need the caller's acceptance, unless they were already accepted
    (a move or completion that bills no more than what was accepted earlier)."""
    return new_billable > 0 and not accept_now and new_billable > accepted_before
