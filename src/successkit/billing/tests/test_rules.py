from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from successkit.billing.rules import month_period, period_is_valid, statement_number, total
from successkit.pricing.rules import RatePeriod, amount_for, rate_in_force

RATES = [
    RatePeriod(date(2026, 1, 1), Decimal("150.00")),
    RatePeriod(date(2026, 7, 1), Decimal("165.00")),
]


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (date(2025, 12, 31), None),
        (date(2026, 1, 1), Decimal("150.00")),
        (date(2026, 6, 30), Decimal("150.00")),
        (date(2026, 7, 1), Decimal("165.00")),
        (date(2030, 1, 1), Decimal("165.00")),
    ],
)
def test_the_rate_in_force_is_the_latest_one_started(day: date, rate: Decimal | None) -> None:
    assert rate_in_force(RATES, day) == rate
    assert rate_in_force(list(reversed(RATES)), day) == rate


@pytest.mark.parametrize(
    ("minutes", "rate", "amount"),
    [
        (60, "150.00", "150.00"),
        (1, "150.00", "2.50"),
        (1, "100.00", "1.67"),  # 1.6666… rounds up
        (1, "0.30", "0.01"),  # 0.005 rounds half up
        (1, "0.29", "0.00"),  # 0.004833… rounds down
        (7, "99.99", "11.67"),  # 11.6655 rounds half up
        (0, "150.00", "0.00"),
    ],
)
def test_amounts_are_exact_and_rounded_half_up_to_the_cent(
    minutes: int, rate: str, amount: str
) -> None:
    assert amount_for(minutes, Decimal(rate)) == Decimal(amount)


def test_negative_minutes_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        amount_for(-1, Decimal("1"))


def test_statement_numbers_are_zero_padded_and_start_at_one() -> None:
    assert statement_number(1) == "ST-000001"
    assert statement_number(123456) == "ST-123456"
    with pytest.raises(ValueError):
        statement_number(0)


@pytest.mark.parametrize(
    ("value", "first", "last"),
    [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_a_month_period_runs_from_its_first_to_its_last_day(
    value: str, first: date, last: date
) -> None:
    assert month_period(value) == (first, last)


@pytest.mark.parametrize("value", ["2026-13", "2026-1", "26-10", "october", "2026-10-01", ""])
def test_a_malformed_month_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        month_period(value)


def test_a_total_is_the_exact_sum_of_rounded_lines() -> None:
    lines = [amount_for(1, Decimal("100.00")) for _ in range(3)]  # 1.67 each
    assert total(lines) == Decimal("5.01")  # not 3 * 1.666... = 5.00
    assert total([]) == Decimal("0.00")
    assert total([Decimal("10.00"), Decimal("-12.50")]) == Decimal("-2.50")


def test_a_period_may_be_one_day_but_not_end_before_it_starts() -> None:
    assert period_is_valid(date(2026, 10, 1), date(2026, 10, 1))
    assert not period_is_valid(date(2026, 10, 2), date(2026, 10, 1))
