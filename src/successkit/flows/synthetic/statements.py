"""The statements of the months already billed, numbered from the statement counter."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from successkit.accounts.roles import Role
from successkit.billing import rules as billing_rules
from successkit.billing.models import Statement, StatementCounter, StatementLine
from successkit.billing.services import COUNTER
from successkit.flows.synthetic.bulk import new
from successkit.flows.synthetic.world import World


def write_statements(world: World) -> None:
    """Bill every month before the last complete one, one statement per contract and
    month, numbered from the counter (locked now, briefly) in the order of issue."""
    this_month = world.today.replace(day=1)
    open_month = (this_month - timedelta(days=1)).replace(day=1)  # left for month-end
    due = sorted(
        (month, contract_id) for contract_id, month in world.billable if month < open_month
    )
    StatementCounter.objects.get_or_create(name=COUNTER)
    counter = StatementCounter.objects.select_for_update().get(name=COUNTER)
    finance = world.staff[Role.FINANCE]
    number = counter.last_number
    for month, contract_id in due:
        contract = world.contract_of[contract_id]
        sessions = sorted(world.billable[(contract_id, month)], key=lambda s: (s.starts_at, s.pk))
        first, last = billing_rules.month_period(month.strftime("%Y-%m"))
        number += 1
        following = last + timedelta(days=1)
        statement = world.add(
            new(
                Statement,
                number=number,
                contract=contract,
                billed_to=contract.organization.name,
                period_start=first,
                period_end=last,
                currency=contract.currency,
                total=billing_rules.total(s.billable_amount or Decimal(0) for s in sessions),
                issued_at=datetime.combine(following + timedelta(days=2), time(8), UTC),
                issued_by=world.rng.choice(finance),
            )
        )
        for position, session in enumerate(sessions, start=1):
            world.add(
                new(
                    StatementLine,
                    statement=statement,
                    position=position,
                    kind=StatementLine.Kind.SESSION,
                    session=session,
                    delivered_on=session.starts_at.date(),
                    minutes=session.billable_minutes,
                    hourly_rate=session.hourly_rate,
                    amount=session.billable_amount,
                )
            )
    counter.last_number = number
    counter.save(update_fields=["last_number"])
