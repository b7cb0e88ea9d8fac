"""Shared set-up for the billing tests: contracts with billable minutes delivered."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.billing.models import Adjustment, Statement, StatementCounter, StatementLine
from successkit.contracts.models import Contract
from successkit.engagements.models import TrainingSession
from successkit.engagements.services import book_session, complete_session, record_no_show
from successkit.engagements.tests.helpers import contract_starting, rate
from successkit.factories import StaffFactory

__all__ = [
    "billable_session",
    "billing_state",
    "contract_starting",
    "finance",
    "rate",
    "unpriced",
    "when",
]


def when(contract: Contract, day: date, hour: int = 10, minute: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(
        day, time(hour, minute), tzinfo=ZoneInfo(contract.organization.timezone)
    )


def billable_session(
    contract: Contract,
    day: date,
    minutes: int,
    *,
    hour: int = 10,
    minute: int = 0,
    no_show: bool = False,
    complete: bool = True,
) -> TrainingSession:
    """An ``additional_training`` session (every minute billable) held on ``day`` in the
    buyer's time zone, recorded by the representative: completed, a no-show, or booked."""
    actor = Actor.of(contract.representative)
    session = book_session(
        actor,
        contract,
        type_code="additional_training",
        starts_at=when(contract, day, hour, minute),
        duration_minutes=minutes,
        accept_billable=True,
    )
    if no_show:
        return record_no_show(actor, session)
    if complete:
        return complete_session(actor, session, actual_minutes=minutes, accept_billable=True)
    return session


def finance() -> Actor:
    return Actor.of(StaffFactory(roles=[Role.FINANCE]))


def billing_state() -> tuple[object, ...]:
    """Everything a refused issue must leave untouched."""
    counter = StatementCounter.objects.first()
    return (
        list(Statement.objects.values()),
        list(StatementLine.objects.values()),
        list(Adjustment.objects.values()),
        counter.last_number if counter else None,
    )


def money(value: str) -> Decimal:
    return Decimal(value)


def unpriced(**filters: object) -> None:
    """Sessions delivered before prices were fixed at delivery, on a day without a rate:
    stored with no price (the only way a line can lack one now)."""
    TrainingSession.objects.filter(**filters).update(hourly_rate=None, billable_amount=None)
