from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from successkit.healthchecks.rules import (
    HealthCheckPeriod,
    HealthCheckState,
    HealthCheckStatus,
    RecordedCheck,
    add_months,
    calendar_periods,
    compliance_tally,
    health_check_periods,
    lost_to_new_term,
    needs_a_date,
    recorded_late,
    status_on,
    tally,
)


def spans(periods: list[HealthCheckPeriod]) -> list[tuple[date, date]]:
    return [(p.start, p.end) for p in periods]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 1, 31), 2, date(2026, 3, 31)),
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
    ],
)
def test_add_months_clamps_to_the_last_day_of_the_month(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def test_quarterly_periods_of_a_one_year_term() -> None:
    periods = health_check_periods(date(2026, 1, 15), date(2027, 1, 14), 4, 3)
    assert spans(periods) == [
        (date(2026, 1, 15), date(2026, 4, 14)),
        (date(2026, 4, 15), date(2026, 7, 14)),
        (date(2026, 7, 15), date(2026, 10, 14)),
        (date(2026, 10, 15), date(2027, 1, 14)),
    ]
    assert [p.index for p in periods] == [0, 1, 2, 3]


def test_monthly_periods_from_31_january_are_anchored_on_the_start_not_chained() -> None:
    periods = health_check_periods(date(2026, 1, 31), date(2027, 1, 30), 12, 1)
    assert [p.start for p in periods] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
        date(2026, 11, 30),
        date(2026, 12, 31),
    ]
    assert periods[0].end == date(2026, 2, 27)
    assert periods[1].end == date(2026, 3, 30)
    assert periods[-1].end == date(2027, 1, 30)


def test_monthly_periods_in_a_leap_year_start_on_29_february() -> None:
    periods = health_check_periods(date(2028, 1, 31), date(2029, 1, 30), 12, 1)
    assert spans(periods[:2]) == [
        (date(2028, 1, 31), date(2028, 2, 28)),
        (date(2028, 2, 29), date(2028, 3, 30)),
    ]


def test_a_term_starting_29_february_has_quarterly_periods_on_the_29th() -> None:
    periods = health_check_periods(date(2028, 2, 29), date(2029, 2, 27), 4, 3)
    assert [p.start for p in periods] == [
        date(2028, 2, 29),
        date(2028, 5, 29),
        date(2028, 8, 29),
        date(2028, 11, 29),
    ]
    assert periods[-1].end == date(2029, 2, 27)


def test_a_short_term_owes_a_stub_at_least_half_its_natural_length() -> None:
    # 15 Apr - 14 Jul is 91 days: a stub to 29 May (45 days) owes nothing, to 30 May
    # (46 days, at least half) owes its check.
    assert spans(health_check_periods(date(2026, 1, 15), date(2026, 5, 29), 4, 3)) == [
        (date(2026, 1, 15), date(2026, 4, 14)),
    ]
    assert spans(health_check_periods(date(2026, 1, 15), date(2026, 5, 30), 4, 3)) == [
        (date(2026, 1, 15), date(2026, 4, 14)),
        (date(2026, 4, 15), date(2026, 5, 30)),
    ]


def test_a_one_day_stub_at_the_end_of_the_term_owes_nothing() -> None:
    periods = health_check_periods(date(2026, 1, 15), date(2026, 4, 15), 4, 3)
    assert spans(periods) == [(date(2026, 1, 15), date(2026, 4, 14))]
    stub = calendar_periods(date(2026, 1, 15), date(2026, 4, 15), 3)[-1]
    assert (stub.period.start, stub.period.end, stub.owed) == (
        date(2026, 4, 15),
        date(2026, 4, 15),
        False,
    )


def test_the_term_ending_the_day_before_a_period_starts_does_not_owe_it() -> None:
    periods = health_check_periods(date(2026, 1, 15), date(2026, 4, 14), 4, 3)
    assert spans(periods) == [(date(2026, 1, 15), date(2026, 4, 14))]


def test_a_term_a_day_short_of_a_year_still_owes_its_last_check() -> None:
    quarterly = health_check_periods(date(2026, 1, 1), date(2026, 12, 30), 4, 3)
    assert len(quarterly) == 4
    assert (quarterly[-1].start, quarterly[-1].end) == (date(2026, 10, 1), date(2026, 12, 30))
    monthly = health_check_periods(date(2026, 1, 1), date(2026, 12, 30), 12, 1)
    assert len(monthly) == 12
    assert monthly[-1].end == date(2026, 12, 30)


def test_a_two_year_pro_lite_keeps_the_quarterly_cadence_and_owes_8() -> None:
    periods = health_check_periods(date(2026, 1, 1), date(2027, 12, 31), 4, 3)
    assert len(periods) == 8
    assert (periods[4].start, periods[-1].start, periods[-1].end) == (
        date(2027, 1, 1),
        date(2027, 10, 1),
        date(2027, 12, 31),
    )


def test_a_29_february_start_leaves_no_day_outside_a_period() -> None:
    """Start 29 Feb 2028, a year's term to 28 Feb 2029: twelve monthly checks, and the last
    day (a one-day stub of a 29-day period, as the anchored cadence falls) owes none."""
    start, end = date(2028, 2, 29), date(2029, 2, 28)
    owed = health_check_periods(start, end, 12, 1)
    assert len(owed) == 12
    assert (owed[-1].start, owed[-1].end) == (date(2029, 1, 29), date(2029, 2, 27))
    every = calendar_periods(start, end, 1)
    assert [(p.period.start, p.period.end, p.owed) for p in every[-1:]] == [
        (date(2029, 2, 28), date(2029, 2, 28), False)
    ]
    assert every[-1].period.end == end


@pytest.mark.parametrize(("count", "interval"), [(0, None), (0, 3), (4, None), (4, 0)])
def test_a_package_without_health_checks_owes_no_period(count: int, interval: int | None) -> None:
    assert health_check_periods(date(2026, 1, 1), date(2026, 12, 31), count, interval) == []


PERIOD = HealthCheckPeriod(0, date(2026, 1, 15), date(2026, 4, 14))


@pytest.mark.parametrize(
    ("state", "today", "expected"),
    [
        (HealthCheckState.DUE, date(2026, 1, 1), HealthCheckStatus.DUE),
        (HealthCheckState.DUE, date(2026, 4, 14), HealthCheckStatus.DUE),
        (HealthCheckState.DUE, date(2026, 4, 15), HealthCheckStatus.MISSED),
        (HealthCheckState.SCHEDULED, date(2026, 4, 14), HealthCheckStatus.SCHEDULED),
        (HealthCheckState.SCHEDULED, date(2026, 4, 15), HealthCheckStatus.MISSED),
        (HealthCheckState.COMPLETED, date(2026, 4, 15), HealthCheckStatus.COMPLETED),
        (HealthCheckState.COMPLETED, date(2030, 1, 1), HealthCheckStatus.COMPLETED),
    ],
)
def test_a_check_not_completed_by_the_end_of_its_period_is_missed(
    state: HealthCheckState, today: date, expected: HealthCheckStatus
) -> None:
    assert status_on(state, PERIOD.end, today) is expected


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        (HealthCheckStatus.DUE, date(2026, 4, 14), True),  # last day of the period
        (HealthCheckStatus.DUE, date(2025, 12, 17), True),  # period starts on day 30
        (HealthCheckStatus.DUE, date(2025, 12, 16), False),  # period starts on day 31
        (HealthCheckStatus.SCHEDULED, date(2026, 2, 1), False),
        (HealthCheckStatus.COMPLETED, date(2026, 2, 1), False),
        (HealthCheckStatus.MISSED, date(2026, 4, 15), False),
    ],
)
def test_needs_a_date_within_the_next_30_days(
    status: HealthCheckStatus, today: date, expected: bool
) -> None:
    assert needs_a_date(status, PERIOD, today) is expected


def test_tallies_split_owed_checks_by_status() -> None:
    counts = tally(
        [HealthCheckStatus.COMPLETED, HealthCheckStatus.MISSED, HealthCheckStatus.DUE]
        + [HealthCheckStatus.SCHEDULED] * 2
    )
    assert (counts.owed, counts.completed, counts.scheduled, counts.due, counts.missed) == (
        5,
        1,
        2,
        1,
        1,
    )
    assert counts.upcoming == 3
    report = compliance_tally(
        [
            (1, "premium", HealthCheckStatus.MISSED),
            (1, "pro_lite", HealthCheckStatus.COMPLETED),
            (2, "premium", HealthCheckStatus.DUE),
        ]
    )
    assert report.total.owed == 3
    assert report.by_representative[1].missed == 1
    assert report.by_representative[1].completed == 1
    assert report.by_representative[2].due == 1
    assert report.by_package["premium"].owed == 2


def new_term(end: date) -> list[HealthCheckPeriod]:
    return health_check_periods(date(2026, 1, 15), end, 4, 3)


def test_shortening_the_term_loses_a_completed_check_in_a_dropped_period() -> None:
    completed = RecordedCheck(
        HealthCheckPeriod(3, date(2026, 10, 15), date(2027, 1, 14)),
        HealthCheckState.COMPLETED,
        date(2026, 10, 20),
    )
    assert lost_to_new_term([completed], new_term(date(2026, 10, 1)), date(2026, 10, 25)) == [
        completed
    ]
    # Ending on the day it was held leaves its period a 6-day stub that owes nothing: the
    # check would be lost. The period must keep half its 92 days (46: to 29 November).
    assert lost_to_new_term([completed], new_term(date(2026, 10, 20)), date(2026, 10, 25)) == [
        completed
    ]
    assert lost_to_new_term([completed], new_term(date(2026, 11, 28)), date(2026, 10, 25)) == [
        completed
    ]
    assert lost_to_new_term([completed], new_term(date(2026, 11, 29)), date(2026, 10, 25)) == []


def test_shortening_the_term_before_a_scheduled_day_loses_the_check() -> None:
    scheduled = RecordedCheck(
        HealthCheckPeriod(1, date(2026, 4, 15), date(2026, 7, 14)),
        HealthCheckState.SCHEDULED,
        date(2026, 6, 10),
    )
    assert lost_to_new_term([scheduled], new_term(date(2026, 6, 9)), date(2026, 5, 1)) == [
        scheduled
    ]
    assert lost_to_new_term([scheduled], new_term(date(2026, 6, 10)), date(2026, 5, 1)) == []


def test_a_started_period_is_never_dropped_but_a_future_empty_one_may_be() -> None:
    started = RecordedCheck(
        HealthCheckPeriod(1, date(2026, 4, 15), date(2026, 7, 14)), HealthCheckState.DUE
    )
    future = RecordedCheck(
        HealthCheckPeriod(2, date(2026, 7, 15), date(2026, 10, 14)), HealthCheckState.DUE
    )
    checks = [started, future]
    assert lost_to_new_term(checks, new_term(date(2026, 4, 14)), date(2026, 4, 15)) == [started]
    # A started period cut to a stub that owes nothing is dropped all the same: refused.
    assert lost_to_new_term(checks, new_term(date(2026, 4, 20)), date(2026, 4, 15)) == [started]
    assert lost_to_new_term(checks, new_term(date(2026, 5, 30)), date(2026, 4, 15)) == []


# --- properties ----------------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(
    start=days,
    length=st.integers(min_value=0, max_value=4 * 366),
    interval=st.sampled_from([1, 3]),
)
def test_periods_tile_the_term_and_each_owed_one_keeps_half_its_length(
    start: date, length: int, interval: int
) -> None:
    end = start + timedelta(days=length)
    every = calendar_periods(start, end, interval)
    # They tile the term: from its first day to its last, each the day after the previous.
    assert every[0].period.start == start
    assert every[-1].period.end == end
    for earlier, later in pairwise(every):
        assert later.period.start == earlier.period.end + timedelta(days=1)
        assert earlier.days == earlier.natural_days  # only the last one is cut
    for item in every:
        assert item.period.start == add_months(start, item.period.index * interval)
        assert start <= item.period.start <= item.period.end <= end
    owed = health_check_periods(start, end, 4, interval)
    for period in owed:
        # Every owed period starts in the term and keeps at least half its natural length.
        natural = (add_months(start, (period.index + 1) * interval) - period.start).days
        assert start <= period.start <= end
        assert 2 * ((period.end - period.start).days + 1) >= natural
    assert [p.index for p in owed] == list(range(len(owed)))
    # Only a stub at the end may owe nothing.
    assert len(every) - len(owed) in (0, 1)


@given(years=st.integers(min_value=1, max_value=3), start=days)
def test_whole_years_keep_the_packages_count_per_year(years: int, start: date) -> None:
    end = add_months(start, 12 * years) - timedelta(days=1)
    assert len(health_check_periods(start, end, 4, 3)) == 4 * years
    assert len(health_check_periods(start, end, 12, 1)) == 12 * years


def test_recorded_late_is_after_the_last_day_of_the_period() -> None:
    assert not recorded_late(date(2026, 4, 14), date(2026, 4, 14))
    assert recorded_late(date(2026, 4, 14), date(2026, 4, 15))


def test_tallies_count_completed_checks_on_time_and_late() -> None:
    counts = tally(
        [
            (HealthCheckStatus.COMPLETED, False),
            (HealthCheckStatus.COMPLETED, True),
            (HealthCheckStatus.MISSED, False),
        ]
    )
    assert (counts.owed, counts.completed, counts.completed_on_time, counts.completed_late) == (
        3,
        2,
        1,
        1,
    )
    assert counts.missed == 1


@given(start=days, months=st.integers(min_value=0, max_value=240))
def test_add_months_lands_in_the_right_month_on_or_before_the_same_day(
    start: date, months: int
) -> None:
    moved = add_months(start, months)
    assert (moved.year * 12 + moved.month) - (start.year * 12 + start.month) == months
    assert moved.day <= start.day
    if moved.day < start.day:
        assert (moved + timedelta(days=1)).day == 1
