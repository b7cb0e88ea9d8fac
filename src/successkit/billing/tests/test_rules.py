from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from successkit.billing.rules import RatePeriod, amount_for, rate_in_force

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
