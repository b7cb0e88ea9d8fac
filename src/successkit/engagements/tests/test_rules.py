from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from successkit.catalog.rules import PackageTerms, SessionTypeTerms
from successkit.contracts.rules import DateRange
from successkit.engagements.rules import (
    Balance,
    Coverage,
    Refusal,
    billable_needs_acceptance,
    booking_refusals,
    pool_window,
    remaining_on,
    split_coverage,
)

START = date(2026, 1, 1)
END = date(2026, 12, 31)

LAUNCH_KIT = PackageTerms(
    code="launch_kit",
    contact_role="account_manager",
    contact_window_days=90,
    training_minutes=240,
    training_window_days=90,
    training_roles=frozenset({"account_manager"}),
    health_check_count=0,
    health_check_interval_months=None,
    health_check_roles=frozenset(),
    returns_window_days=30,
)
PRO_LITE = PackageTerms(
    code="pro_lite",
    contact_role="csm",
    contact_window_days=None,
    training_minutes=120,
    training_window_days=None,
    training_roles=frozenset({"csm", "cs_engineer", "ld_specialist"}),
    health_check_count=4,
    health_check_interval_months=3,
    health_check_roles=frozenset({"csm", "cs_engineer", "ld_specialist"}),
    returns_window_days=30,
)
KICKOFF = SessionTypeTerms("kickoff", 60, True, True, frozenset(), False)
SOFTWARE = SessionTypeTerms("software_training", 60, True, True, frozenset({"teams", "hrm"}), False)
ADDITIONAL = SessionTypeTerms(
    "additional_training", None, False, False, frozenset({"teams", "hrm"}), False
)

WINDOW = pool_window(LAUNCH_KIT, START, END)


def day(n: int) -> date:
    """Contract day n, counting the start date as day 1."""
    return START + timedelta(days=n - 1)


def test_launch_kit_pool_window_is_days_1_to_90() -> None:
    assert DateRange(day(1), day(90)) == WINDOW
    assert pool_window(PRO_LITE, START, END) == DateRange(START, END)


@pytest.mark.parametrize(
    ("contract_day", "covered", "billable"),
    [(89, 60, 0), (90, 60, 0), (91, 0, 60)],
)
def test_coverage_at_the_end_of_the_90_day_window(
    contract_day: int, covered: int, billable: int
) -> None:
    coverage = split_coverage(
        60, session_type=KICKOFF, day=day(contract_day), window=WINDOW, available=240
    )
    assert coverage == Coverage(covered, billable)


def test_coverage_before_the_start_is_billable() -> None:
    assert split_coverage(
        30, session_type=KICKOFF, day=START - timedelta(days=1), window=WINDOW, available=240
    ) == Coverage(0, 30)


@pytest.mark.parametrize(
    ("available", "covered", "billable"),
    [(60, 60, 0), (59, 59, 1), (0, 0, 60), (-5, 0, 60), (1, 1, 59)],
)
def test_pool_exactly_exhausted_and_one_minute_over(
    available: int, covered: int, billable: int
) -> None:
    coverage = split_coverage(
        60, session_type=KICKOFF, day=day(10), window=WINDOW, available=available
    )
    assert coverage == Coverage(covered, billable)


def test_additional_training_is_always_billable() -> None:
    assert split_coverage(
        45, session_type=ADDITIONAL, day=day(10), window=WINDOW, available=240
    ) == Coverage(0, 45)


def test_remaining_is_zero_outside_the_window() -> None:
    balance = Balance(included=240, reserved=60, used=30)
    assert balance.available == 150
    assert remaining_on(balance, WINDOW, day(90)) == 150
    assert remaining_on(balance, WINDOW, day(91)) == 0
    assert remaining_on(balance, WINDOW, START - timedelta(days=1)) == 0


def refusals(**overrides: object) -> list[Refusal]:
    arguments: dict[str, object] = {
        "package": PRO_LITE,
        "session_type": KICKOFF,
        "term": DateRange(START, END),
        "day": day(10),
        "minutes": 60,
        "platforms": frozenset(),
        "staff_roles": frozenset({"csm"}),
        "in_the_past": False,
        "past_allowed": False,
    }
    arguments.update(overrides)
    return booking_refusals(**arguments)  # type: ignore[arg-type]


def test_a_valid_booking_has_no_refusal() -> None:
    assert refusals() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"minutes": 61}, Refusal.DURATION_EXCEEDS_LIMIT),
        ({"minutes": 0}, Refusal.DURATION_NOT_POSITIVE),
        ({"day": END + timedelta(days=1)}, Refusal.CONTRACT_NOT_ACTIVE),
        ({"day": START - timedelta(days=1)}, Refusal.CONTRACT_NOT_ACTIVE),
        ({"staff_roles": frozenset({"account_manager"})}, Refusal.ROLE_NOT_ALLOWED),
        ({"staff_roles": frozenset()}, Refusal.ROLE_NOT_ALLOWED),
        ({"in_the_past": True}, Refusal.STARTS_IN_THE_PAST),
        (
            {
                "session_type": SOFTWARE,
                "platforms": frozenset({"hrm"}),
                "bought_platforms": frozenset({"teams"}),
            },
            Refusal.PLATFORMS_NOT_BOUGHT,
        ),
        (
            {"session_type": SOFTWARE, "platforms": frozenset({"slack"})},
            Refusal.PLATFORMS_NOT_OFFERED,
        ),
        ({"platforms": frozenset({"teams"})}, Refusal.PLATFORMS_NOT_OFFERED),
    ],
)
def test_each_broken_term_is_refused(overrides: dict[str, object], expected: Refusal) -> None:
    assert refusals(**overrides) == [expected]


def test_boundaries_that_are_allowed() -> None:
    assert refusals(minutes=60, day=END) == []
    assert refusals(day=START) == []
    assert refusals(in_the_past=True, past_allowed=True) == []
    assert refusals(session_type=SOFTWARE, platforms=frozenset({"teams", "hrm"})) == []
    # Naming none is allowed: the booking covers the contract's platforms.
    assert refusals(session_type=SOFTWARE) == []
    assert refusals(session_type=ADDITIONAL, minutes=240) == []
    assert refusals(package=LAUNCH_KIT, staff_roles=frozenset({"account_manager"})) == []


def test_billable_minutes_need_acceptance_unless_already_accepted() -> None:
    assert not billable_needs_acceptance(0, accepted_before=0, accept_now=False)
    assert billable_needs_acceptance(1, accepted_before=0, accept_now=False)
    assert not billable_needs_acceptance(1, accepted_before=0, accept_now=True)
    assert not billable_needs_acceptance(20, accepted_before=20, accept_now=False)
    assert billable_needs_acceptance(21, accepted_before=20, accept_now=False)


@given(
    minutes=st.integers(min_value=0, max_value=600),
    available=st.integers(min_value=-300, max_value=600),
    offset=st.integers(min_value=-30, max_value=400),
    draws=st.booleans(),
)
def test_coverage_never_exceeds_what_is_available_and_adds_up(
    minutes: int, available: int, offset: int, draws: bool
) -> None:
    kind = KICKOFF if draws else ADDITIONAL
    coverage = split_coverage(
        minutes,
        session_type=kind,
        day=day(1) + timedelta(days=offset),
        window=WINDOW,
        available=available,
    )
    assert coverage.covered + coverage.billable == minutes
    assert 0 <= coverage.covered <= max(available, 0)
    assert coverage.billable >= 0
    if not draws or day(1) + timedelta(days=offset) not in WINDOW:
        assert coverage.covered == 0


def test_the_buyer_cancels_only_before_the_start_the_vendor_always() -> None:
    from datetime import UTC, datetime

    from successkit.engagements.rules import CancelledBy, cancellation_allowed

    start = datetime(2026, 3, 1, 10, tzinfo=UTC)
    before, at = start - timedelta(seconds=1), start
    assert cancellation_allowed(CancelledBy.BUYER, start, before)
    assert not cancellation_allowed(CancelledBy.BUYER, start, at)
    assert cancellation_allowed(CancelledBy.VENDOR, start, at + timedelta(days=1))
