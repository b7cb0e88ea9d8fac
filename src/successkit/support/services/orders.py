"""Orders and their receipt dates (SPEC.md §4): recorded by staff, with their history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Duty
from successkit.contracts.models import Contract
from successkit.core import audit
from successkit.core.errors import (
    ValidationFailed,
)
from successkit.support import rules
from successkit.support.errors import (
    ReferenceTaken,
)
from successkit.support.models import (
    Order,
    OrderLine,
)
from successkit.support.services.common import (
    MAX_REFERENCE,
    SCOPE,
    LineIn,
    check_dates,
    clean_lines,
    clean_text,
    visible_orders,
)

# --- orders -----------------------------------------------------------------------------


@transaction.atomic
def record_order(
    actor: Actor,
    contract: Contract,
    *,
    reference: str,
    lines: Sequence[LineIn],
    placed_on: date | None = None,
    shipped_on: date | None = None,
    received_on: date | None = None,
    today: date | None = None,
) -> Order:
    """An order of the buyer's, recorded by vendor staff."""
    actor.require(Duty.RECORD_ORDERS)
    reference = clean_text(reference, "reference", MAX_REFERENCE)
    cleaned = clean_lines(lines)
    check_dates(rules.OrderDates(placed_on, shipped_on, received_on), today or contract.today())
    if Order.objects.filter(contract=contract, reference=reference).exists():
        raise ReferenceTaken(details={"field": "reference"})
    try:
        with transaction.atomic():
            order = Order.objects.create(
                contract=contract,
                reference=reference,
                placed_on=placed_on,
                shipped_on=shipped_on,
                received_on=received_on,
                created_by=actor.user,
            )
    except IntegrityError:
        # Another request took the reference between the check and the insert.
        raise ReferenceTaken(details={"field": "reference"}) from None
    _add_lines(order, cleaned)
    return order


def _add_lines(order: Order, lines: Iterable[tuple[rules.Item, int]]) -> None:
    OrderLine.objects.bulk_create(
        OrderLine(order=order, sku=i.sku, size=i.size, colour=i.colour, quantity=quantity)
        for i, quantity in lines
    )


ORDER_DATE_FIELDS = ("placed_on", "shipped_on", "received_on")


@transaction.atomic
def update_order_dates(
    actor: Actor, order: Order, changes: dict[str, date | None], today: date | None = None
) -> Order:
    """Record when an order was placed, shipped or received (or correct it). A date once
    known is corrected, never cleared."""
    actor.require(Duty.RECORD_ORDERS)
    order = (
        Order.objects.select_for_update().select_related("contract__organization").get(pk=order.pk)
    )
    for field, value in changes.items():
        if field not in ORDER_DATE_FIELDS:
            raise ValidationFailed(
                _("%(field)s cannot be changed."), details={"field": field}, field=field
            )
        if value is None and getattr(order, field) is not None:
            raise ValidationFailed(
                _("%(field)s can be corrected but not cleared."),
                details={"field": field},
                field=field,
            )
        setattr(order, field, value)
    check_dates(order.dates(), today or order.contract.today())
    # The returns window follows a corrected receipt date: the audit trail says who moved
    # it, when, from what to what (django-simple-history, ``core/audit.py``).
    with audit.acting_as(actor.user):
        order.save(update_fields=[*changes])
    return order


def order_history(order: Order) -> list[audit.Change]:
    """Every correction of the order's dates, oldest first."""
    rows = order.history.select_related("history_user__contact")
    return [
        change for change in audit.changes(rows, ORDER_DATE_FIELDS) if change.action == "changed"
    ]


def returns_last_day(order: Order) -> date | None:
    """The last day a return or exchange of ``order`` is accepted (the buyer's calendar
    day, SPEC.md §4), or None while it is not received."""
    if order.received_on is None:
        return None
    days = order.contract.package.terms().returns_window_days
    return rules.return_window(order.received_on, days).end


# --- reading ----------------------------------------------------------------------------


def order_for(actor: Actor, order_id: int, *, with_lines: bool = False) -> Order:
    """An order the actor may see (``with_lines``: its lines loaded, in order), or
    ``not_found``."""
    orders = visible_orders(actor)
    return actor.get(_with_lines(orders) if with_lines else orders, order_id, SCOPE)


def contract_orders(actor: Actor, contract: Contract) -> QuerySet[Order]:
    """A contract's orders with their lines, oldest first."""
    return _with_lines(visible_orders(actor).filter(contract=contract).order_by("id"))


def orders_newest_first(actor: Actor, contract: Contract) -> QuerySet[Order]:
    """A contract's orders, newest first (to name one in a case)."""
    return visible_orders(actor).filter(contract=contract).order_by("-id")


@dataclass(frozen=True)
class ReturnWindow:
    """An order and its returns window on ``today``: the window's last day (None while
    not received) and whether it is still open."""

    order: Order
    until: date | None
    open: bool


def return_windows(orders: QuerySet[Order], today: date) -> list[ReturnWindow]:
    """Each of ``orders`` (its lines loaded) with its returns window on ``today``."""
    windows = []
    for order in orders.prefetch_related("lines"):
        until = returns_last_day(order)
        windows.append(ReturnWindow(order, until, until is not None and today <= until))
    return windows


def _with_lines(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.prefetch_related(Prefetch("lines", OrderLine.objects.order_by("id")))
