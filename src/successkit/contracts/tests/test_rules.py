from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from successkit.contracts.rules import (
    ContractPhase,
    DateRange,
    local_date,
    phase_on,
    term_is_valid,
    window_from_start,
)


def test_first_90_days_run_from_day_s_to_s_plus_89() -> None:
    window = window_from_start(date(2026, 1, 1), date(2026, 12, 31), 90)
    assert window == DateRange(date(2026, 1, 1), date(2026, 3, 31))
    assert window.days == 90
    assert date(2026, 3, 31) in window
    assert date(2026, 4, 1) not in window
    assert date(2025, 12, 31) not in window


def test_a_window_longer_than_the_term_is_clipped_to_the_term() -> None:
    assert window_from_start(date(2026, 1, 1), date(2026, 2, 15), 90) == DateRange(
        date(2026, 1, 1), date(2026, 2, 15)
    )


def test_no_window_means_the_whole_term() -> None:
    assert window_from_start(date(2026, 1, 1), date(2026, 12, 31), None) == DateRange(
        date(2026, 1, 1), date(2026, 12, 31)
    )


@pytest.mark.parametrize(
    ("start", "end", "valid"),
    [
        (date(2026, 1, 1), date(2026, 1, 2), True),
        (date(2026, 1, 1), date(2026, 1, 1), False),
        (date(2026, 1, 2), date(2026, 1, 1), False),
    ],
)
def test_the_term_must_end_after_it_starts(start: date, end: date, valid: bool) -> None:
    assert term_is_valid(start, end) is valid


def test_phase_on_each_side_of_the_term() -> None:
    term = DateRange(date(2026, 1, 1), date(2026, 12, 31))
    assert phase_on(term, date(2025, 12, 31)) is ContractPhase.UPCOMING
    assert phase_on(term, date(2026, 1, 1)) is ContractPhase.ACTIVE
    assert phase_on(term, date(2026, 12, 31)) is ContractPhase.ACTIVE
    assert phase_on(term, date(2027, 1, 1)) is ContractPhase.ENDED


def test_local_date_is_the_buyers_calendar_day() -> None:
    instant = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert local_date(instant, "Europe/Madrid") == date(2026, 3, 2)
    assert local_date(instant, "America/New_York") == date(2026, 3, 1)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 1), "UTC")
