"""A contract's ring orders and support cases, with their lines, messages and events."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from successkit.accounts.models import User
from successkit.accounts.roles import Role
from successkit.contracts.models import Contract
from successkit.flows.synthetic.bulk import new
from successkit.flows.synthetic.data import CASE_MIX, CASE_SUBJECTS, SKUS, STAFF_REPLY
from successkit.flows.synthetic.world import World
from successkit.support.models import (
    Case,
    CaseEvent,
    CaseLine,
    EventKind,
    ExchangeLine,
    Message,
    Order,
    OrderLine,
)
from successkit.support.rules import CaseStatus, CaseType, queue_for


def write_orders(world: World, contract: Contract) -> list[tuple[Order, list[OrderLine]]]:
    rng = world.rng
    orders = []
    yesterday = world.today - timedelta(days=1)
    support = world.staff[Role.SUPPORT]
    for index, (low, high) in enumerate(((3, 30), (45, 240))):
        placed = contract.start_date + timedelta(days=rng.randint(low, high))
        if placed > yesterday or placed > contract.end_date:
            continue
        shipped = placed + timedelta(days=rng.randint(1, 4))
        received = shipped + timedelta(days=rng.randint(2, 6))
        order = world.add(
            new(
                Order,
                contract=contract,
                reference=f"PO-{world.number:06d}-{index + 1}",
                placed_on=placed,
                shipped_on=shipped if shipped <= yesterday else None,
                received_on=received if received <= yesterday else None,
                created_by=rng.choice(support) if rng.random() < 0.7 else None,
                created_at=world.stamp(min(placed + timedelta(days=1), yesterday)),
            )
        )
        lines = []
        for sku, colour in rng.sample(SKUS, rng.randint(1, 3)):
            lines.append(
                world.add(
                    new(
                        OrderLine,
                        order=order,
                        sku=sku,
                        size=str(rng.randint(6, 13)),
                        colour=colour,
                        quantity=rng.randint(5, 60),
                    )
                )
            )
        orders.append((order, lines))
    return orders


def write_cases(
    world: World, contract: Contract, orders: list[tuple[Order, list[OrderLine]]]
) -> None:
    rng = world.rng
    yesterday = world.today - timedelta(days=1)
    last = min(yesterday, contract.end_date)
    if last < contract.start_date:
        return
    language = contract.organization.language
    window = contract.package.returns_window_days
    received = [(o, lines) for o, lines in orders if o.received_on is not None]
    for _ in range(rng.randint(2, 4)):
        kind = rng.choices([k for k, _w in CASE_MIX], [w for _k, w in CASE_MIX])[0]
        order = None
        lines: list[OrderLine] = []
        if kind in (CaseType.EXCHANGE, CaseType.RETURN):
            if not received:
                kind = CaseType.PRODUCT_QUESTION
            else:
                order, lines = received.pop(0)
                assert order.received_on is not None
                opened_on = order.received_on + timedelta(days=rng.randint(0, window))
                if opened_on > yesterday:
                    opened_on = order.received_on
        if order is None:
            opened_on = contract.start_date + timedelta(
                days=rng.randint(0, (last - contract.start_date).days)
            )
        _case(world, contract, kind, order, lines, opened_on, language)


def _case(
    world: World,
    contract: Contract,
    kind: CaseType,
    order: Order | None,
    lines: list[OrderLine],
    opened_on: date,
    language: str,
) -> None:
    rng = world.rng
    age = (world.today - opened_on).days
    if age > 30:
        status = rng.choices(
            [CaseStatus.CLOSED, CaseStatus.RESOLVED, CaseStatus.WAITING_ON_BUYER], [60, 30, 10]
        )[0]
    else:
        status = rng.choices(
            [
                CaseStatus.OPEN,
                CaseStatus.WAITING_ON_BUYER,
                CaseStatus.ESCALATED,
                CaseStatus.RESOLVED,
            ],
            [40, 25, 10, 25],
        )[0]
    opener = (
        contract.buyer_contact.user if rng.random() < 0.8 else rng.choice(world.staff[Role.SUPPORT])
    )
    opened_at = world.stamp(opened_on, rng.randint(8, 17))
    queue = queue_for(kind)
    case = world.add(
        new(
            Case,
            contract=contract,
            type=kind.value,
            queue=queue.value,
            status=status.value,
            subject=CASE_SUBJECTS[language][kind],
            order=order,
            opened_by=opener,
            opened_at=opened_at,
            updated_at=opened_at,
        )
    )
    if order is not None and lines:
        line = lines[0]
        quantity = rng.randint(1, min(3, line.quantity))
        world.add(new(CaseLine, case=case, order_line=line, quantity=quantity))
        if kind is CaseType.EXCHANGE:
            world.add(
                new(
                    ExchangeLine,
                    case=case,
                    sku=line.sku,
                    size=line.size,
                    colour=line.colour,
                    to_sku=line.sku,
                    to_size=str(int(line.size) + (1 if int(line.size) < 13 else -1)),
                    to_colour=line.colour,
                    quantity=quantity,
                )
            )

    def later(moment: datetime, hours: int) -> datetime:
        """``hours`` after ``moment``, but never after ``world.latest``."""
        return min(moment + timedelta(hours=hours), world.latest)

    moment = opened_at
    _event(world, case, EventKind.OPENED, opener, moment, "", queue.value)
    world.add(new(Message, case=case, author=opener, body=case.subject, created_at=moment))
    if status is CaseStatus.OPEN and rng.random() < 0.5:
        case.updated_at = moment
        return  # still in the queue, nobody on it yet
    worker = rng.choice(world.staff[Role.SUPPORT])
    moment = later(moment, rng.randint(1, 20))
    case.assignee = worker
    _event(world, case, EventKind.ASSIGNED, worker, moment, "", str(worker.pk))
    moment = later(moment, rng.randint(1, 20))
    world.add(new(Message, case=case, author=worker, body=STAFF_REPLY[language], created_at=moment))
    path: list[CaseStatus] = {
        CaseStatus.OPEN: [],
        CaseStatus.WAITING_ON_BUYER: [CaseStatus.WAITING_ON_BUYER],
        CaseStatus.RESOLVED: [CaseStatus.RESOLVED],
        CaseStatus.CLOSED: [CaseStatus.RESOLVED, CaseStatus.CLOSED],
        CaseStatus.ESCALATED: [],
    }[status]
    before = CaseStatus.OPEN
    if status is CaseStatus.ESCALATED:
        engineer = rng.choice(world.staff[Role.CS_ENGINEER])
        moment = later(moment, rng.randint(1, 20))
        by = contract.representative
        _event(
            world,
            case,
            EventKind.ESCALATED,
            by,
            moment,
            queue.value,
            queue.value,
            "Needs an engineer.",
        )
        _event(world, case, EventKind.STATUS_CHANGED, by, moment, before.value, status.value)
        _event(world, case, EventKind.ASSIGNED, by, moment, str(worker.pk), str(engineer.pk))
        case.assignee = engineer
    for after in path:
        moment = later(moment, rng.randint(2, 72))
        _event(world, case, EventKind.STATUS_CHANGED, worker, moment, before.value, after.value)
        before = after
    case.updated_at = moment


def _event(
    world: World,
    case: Case,
    kind: str,
    actor: User,
    at: datetime,
    before: str,
    after: str,
    note: str = "",
) -> None:
    world.add(
        new(
            CaseEvent,
            case=case,
            kind=kind,
            actor=actor,
            at=at,
            from_value=before,
            to_value=after,
            note=note,
        )
    )
