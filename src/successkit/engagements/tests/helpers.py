"""Shared set-up for the engagement tests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from successkit.accounts.roles import Role
from successkit.billing.models import HourlyRate
from successkit.contracts.models import Contract
from successkit.engagements.models import PoolEntry, TrainingPool, TrainingSession
from successkit.factories import ContractFactory, StaffFactory


def contract_starting(start: date, package_code: str = "pro_lite", **kwargs: object) -> Contract:
    return ContractFactory(  # type: ignore[no-any-return]
        package_code=package_code,
        start_date=start,
        end_date=start + timedelta(days=364),
        **kwargs,
    )


def on_day(contract: Contract, n: int, hour: int = 10) -> datetime:
    """Contract day ``n`` (the start date is day 1) at ``hour`` in the buyer's time zone."""
    day = contract.start_date + timedelta(days=n - 1)
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(contract.organization.timezone))


def rate(
    currency: str = "EUR", hourly: str = "150.00", since: date = date(2000, 1, 1)
) -> HourlyRate:
    return HourlyRate.objects.create(
        currency=currency, hourly_rate=Decimal(hourly), effective_from=since
    )


def trainer(package_code: str = "pro_lite"):
    return StaffFactory(roles=[Role.ACCOUNT_MANAGER if package_code == "launch_kit" else Role.CSM])


def snapshot(contract: Contract) -> tuple[object, ...]:
    """Everything a refusal must leave untouched."""
    pool = TrainingPool.objects.filter(contract=contract).first()
    return (
        list(TrainingSession.objects.filter(contract=contract).values()),
        PoolEntry.objects.filter(pool__contract=contract).count(),
        (pool.reserved_minutes, pool.used_minutes) if pool else None,
    )
