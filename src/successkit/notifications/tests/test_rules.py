from __future__ import annotations

from datetime import date

import pytest

from successkit.notifications.delivery import backoff_seconds
from successkit.notifications.rules import ending_threshold, working_days_between


def test_working_days_skip_the_weekend() -> None:
    friday = date(2026, 11, 27)
    assert working_days_between(friday, date(2026, 11, 30)) == 1  # Monday
    assert working_days_between(friday, date(2026, 12, 1)) == 2
    assert working_days_between(friday, date(2026, 12, 2)) == 3
    assert working_days_between(friday, friday) == 0


@pytest.mark.parametrize(
    ("days_left", "threshold"),
    [(90, None), (61, None), (60, 60), (31, 60), (30, 30), (8, 30), (7, 7), (1, 7), (0, None)],
)
def test_a_contract_end_is_announced_at_the_nearest_threshold(days_left, threshold) -> None:
    today = date(2026, 1, 1)
    assert ending_threshold(date.fromordinal(today.toordinal() + days_left), today) == threshold


def test_retries_start_within_ten_seconds_and_never_wait_more_than_an_hour(settings) -> None:
    settings.SUCCESSKIT_RETRY_BASE_SECONDS = 5
    settings.SUCCESSKIT_RETRY_MAX_SECONDS = 3600
    first = [backoff_seconds(1) for _ in range(200)]
    assert min(first) >= 2.5 and max(first) <= 5
    later = [backoff_seconds(n) for n in range(1, 30) for _ in range(20)]
    assert max(later) <= 3600
    assert min(backoff_seconds(12) for _ in range(50)) >= 1800
    assert len({round(backoff_seconds(4), 6) for _ in range(20)}) > 1  # jittered
    assert settings.SUCCESSKIT_DELIVERY_ATTEMPTS >= 10
