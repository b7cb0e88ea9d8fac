"""Ongoing support (SPEC.md §3-4): orders and their receipt, cases routed to a queue,
assigned, escalated and answered, returns and exchanges inside the returns window.

Each operation is one transaction that writes everything or nothing, and every change
to a case (status, assignment, queue, escalation) is recorded in its append-only history.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import User
from successkit.accounts.roles import Duty, Role
from successkit.contracts.models import Contract
from successkit.core import audit
from successkit.core.errors import (
    InvalidState,
    NotFound,
    PermissionDenied,
    SuccessKitError,
    ValidationFailed,
)
from successkit.outbox.services import publish
from successkit.support import rules
from successkit.support.errors import (
    OrderImportRejected,
    OrderNotReceived,
    ReferenceTaken,
    ReturnWindowExpired,
    RowProblem,
)
from successkit.support.models import (
    Case,
    CaseEvent,
    CaseLine,
    CaseStatus,
    EventKind,
    ExchangeLine,
    Message,
    Order,
    OrderLine,
    StagedOrderLine,
)

# Staff who work cases: open them for a buyer, answer, assign, change their status.
# Staff who record orders (logistics): buyers ask for orders through `new_order` cases.

MAX_REFERENCE = Order._meta.get_field("reference").max_length or 64
MAX_SUBJECT = Case._meta.get_field("subject").max_length or 200
# A sanity bound on one line, far above any real order, well inside the database's range.
MAX_QUANTITY = 100_000
ITEM_LIMITS = {
    "sku": OrderLine._meta.get_field("sku").max_length or 64,
    "size": OrderLine._meta.get_field("size").max_length or 8,
    "colour": OrderLine._meta.get_field("colour").max_length or 40,
}


# --- what callers may see ---------------------------------------------------------------


def visible_orders(actor: Actor) -> QuerySet[Order]:
    return actor.scope(
        Order.objects.select_related("contract__organization", "contract__package"),
        "contract__organization",
    )


def visible_cases(actor: Actor) -> QuerySet[Case]:
    return actor.scope(
        Case.objects.select_related(
            "contract__organization", "contract__representative", "order", "assignee"
        ),
        "contract__organization",
    )


def visible_messages(actor: Actor, case: Case) -> QuerySet[Message]:
    """The case's conversation; buyers never see internal notes."""
    messages = case.messages.select_related("author").order_by("created_at", "id")
    return messages if actor.is_staff else messages.filter(internal=False)


def case_history(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "id")


# --- validation -------------------------------------------------------------------------


def clean_text(value: str | None, field: str, max_length: int | None = None) -> str:
    text = clean_optional_text(value, field, max_length)
    if not text:
        raise ValidationFailed(
            _("%(field)s must not be empty."), details={"field": field}, field=field
        )
    return text


def clean_optional_text(value: str | None, field: str, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise ValidationFailed(
            _("%(field)s contains a character that is not allowed."),
            details={"field": field},
            field=field,
        )
    if max_length is not None and len(text) > max_length:
        raise ValidationFailed(
            _("%(field)s must be at most %(max)s characters."),
            details={"field": field},
            field=field,
            max=max_length,
        )
    return text


def clean_item(sku: str, size: str | int, colour: str | None, field: str = "") -> rules.Item:
    def name(part: str) -> str:
        return f"{field}.{part}" if field else part

    return rules.Item(
        sku=clean_text(sku, name("sku"), ITEM_LIMITS["sku"]),
        size=clean_text(str(size), name("size"), ITEM_LIMITS["size"]),
        colour=clean_optional_text(colour, name("colour"), ITEM_LIMITS["colour"]),
    )


def clean_quantity(value: int, field: str) -> int:
    if not 1 <= value <= MAX_QUANTITY:
        raise ValidationFailed(
            _("%(field)s must be a whole number from 1 to %(max)s."),
            details={"field": field},
            field=field,
            max=MAX_QUANTITY,
        )
    return value


@dataclass(frozen=True)
class LineIn:
    sku: str
    size: str | int
    quantity: int
    colour: str = ""


def clean_lines(lines: Sequence[LineIn]) -> list[tuple[rules.Item, int]]:
    if not lines:
        raise ValidationFailed(_("An order needs at least one line."), details={"field": "items"})
    return [
        (
            clean_item(line.sku, line.size, line.colour, f"items.{index}"),
            clean_quantity(line.quantity, f"items.{index}.quantity"),
        )
        for index, line in enumerate(lines)
    ]


DATE_PROBLEMS: dict[rules.DateProblem, tuple[str, Promise]] = {
    rules.DateProblem.SHIPPED_BEFORE_PLACED: (
        "shipped_on",
        _("An order cannot be shipped before it was placed."),
    ),
    rules.DateProblem.RECEIVED_BEFORE_PLACED: (
        "received_on",
        _("An order cannot be received before it was placed."),
    ),
    rules.DateProblem.RECEIVED_BEFORE_SHIPPED: (
        "received_on",
        _("An order cannot be received before it was shipped."),
    ),
    rules.DateProblem.RECEIVED_IN_FUTURE: (
        "received_on",
        _("The receipt date cannot be later than today in the buyer's time zone."),
    ),
}


def check_dates(dates: rules.OrderDates, today: date) -> None:
    problems = rules.date_problems(dates, today)
    if problems:
        field, message = DATE_PROBLEMS[problems[0]]
        raise ValidationFailed(message, details={"field": field})


def _active_staff(user_id: int, field: str) -> User:
    user = User.objects.filter(pk=user_id, is_staff=True, is_active=True, contact=None).first()
    if user is None:
        raise ValidationFailed(
            _("Staff member %(id)s does not exist."), details={"field": field}, id=user_id
        )
    return user


def _require_case_worker(actor: Actor) -> None:
    actor.require(Duty.HANDLE_CASES)


def _require_participant(actor: Actor, contract: Contract) -> None:
    """Staff who work cases, or a contact of the contract's organization."""
    if actor.is_contact:
        if actor.organization_id != contract.organization_id:
            raise NotFound()
        return
    _require_case_worker(actor)


def _locked(case: Case) -> Case:
    """The case row, locked until the end of the transaction (no lost updates)."""
    return (
        Case.objects.select_for_update()
        .select_related("contract__organization", "contract__package")
        .get(pk=case.pk)
    )


def _record(case: Case, actor: Actor, kind: str, before: Any, after: Any, note: str = "") -> None:
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor.user,
        from_value="" if before is None else str(before),
        to_value="" if after is None else str(after),
        note=note,
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


# --- bulk import ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    """One CSV row: ``line`` is its line number in the file (the header is line 1)."""

    line: int
    values: dict[str, str]
    # Fields beyond the header's columns (a row that does not fit the header).
    extra_fields: int = 0


IMPORT_REQUIRED = ("reference", "sku", "size", "quantity")
IMPORT_OPTIONAL = ("colour", "placed_on", "shipped_on", "received_on")


def missing_columns(header: Sequence[str]) -> list[str]:
    present = {name.strip() for name in header}
    return [name for name in IMPORT_REQUIRED if name not in present]


@dataclass
class _Planned:
    first_line: int
    dates: rules.OrderDates
    lines: list[tuple[rules.Item, int]]


def _parse_date(raw: str, column: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            _("%(column)s must be a date YYYY-MM-DD, not %(value)s."),
            column=column,
            value=raw,
        ) from None


def _parse_row(row: ImportRow) -> tuple[str, rules.OrderDates, rules.Item, int]:
    if row.extra_fields:
        raise ValidationFailed(
            _("The row has %(count)s more fields than the header."), count=row.extra_fields
        )
    values = {key.strip(): (value or "").strip() for key, value in row.values.items() if key}
    reference = clean_text(values.get("reference"), "reference", MAX_REFERENCE)
    item = clean_item(values.get("sku", ""), values.get("size", ""), values.get("colour"))
    raw_quantity = values.get("quantity", "")
    quantity = clean_quantity(int(raw_quantity) if raw_quantity.isdecimal() else 0, "quantity")
    dates = rules.OrderDates(
        *(_parse_date(values.get(column, ""), column) for column in ORDER_DATE_FIELDS)
    )
    return reference, dates, item, quantity


STAGING_BATCH = 2000


def import_orders(
    actor: Actor | None,
    contract: Contract,
    rows: Sequence[ImportRow],
    *,
    today: date | None = None,
    progress: Callable[[Sequence[ImportRow]], Iterable[ImportRow]] = iter,
    staging_progress: Callable[[Sequence[ImportRow]], Iterable[ImportRow]] = iter,
) -> int:
    """Orders from CSV rows (one row per order line; rows of one reference make one
    order and must agree on its dates); the number of orders made. All rows are checked
    first and every bad one is reported with its line number: either the whole file is
    imported or nothing is. ``actor`` None is the command line (trusted).

    Nobody waits for a big import: the rows are checked without writing, then written to
    a staging table in short transactions of ``STAGING_BATCH`` rows (the database's write
    lock is free between them, so bookings go on), then published in one short
    transaction of two set-based inserts - the only moment the orders appear, all at
    once. A failure before or during publishing leaves no order behind, and the staged
    rows are removed."""
    if actor is not None:
        actor.require(Duty.RECORD_ORDERS)
    if not rows:
        raise ValidationFailed(_("The file has no order lines; nothing was imported."))
    today = today or contract.today()
    existing = set(Order.objects.filter(contract=contract).values_list("reference", flat=True))
    planned: dict[str, _Planned] = {}
    parsed: list[tuple[ImportRow, str, rules.Item, int]] = []
    problems: list[RowProblem] = []
    for row in progress(rows):
        try:
            reference, dates, item, quantity = _parse_row(row)
            if reference in existing:
                raise ReferenceTaken(
                    _("This contract already has an order %(reference)s."), reference=reference
                )
            known = planned.get(reference)
            if known is None:
                check_dates(dates, today)
                planned[reference] = _Planned(row.line, dates, [(item, quantity)])
            elif known.dates != dates:
                raise ValidationFailed(
                    _("The dates differ from line %(line)s of the same order %(reference)s."),
                    line=known.first_line,
                    reference=reference,
                )
            else:
                known.lines.append((item, quantity))
            parsed.append((row, reference, item, quantity))
        except SuccessKitError as refusal:
            problems.append(RowProblem(row.line, refusal.render_message()))
    if problems:
        raise OrderImportRejected(problems)
    batch = uuid.uuid4().hex
    try:
        _stage(contract, batch, parsed, planned, staging_progress)
        _publish(actor, contract, batch)
    finally:
        _unstage(batch)
    return len(planned)


def _stage(
    contract: Contract,
    batch: str,
    parsed: list[tuple[ImportRow, str, rules.Item, int]],
    planned: dict[str, _Planned],
    progress: Callable[[Sequence[ImportRow]], Iterable[ImportRow]],
) -> None:
    by_line = {row.line: (reference, item, quantity) for row, reference, item, quantity in parsed}
    pending: list[StagedOrderLine] = []
    for row in progress([row for row, *_rest in parsed]):
        reference, item, quantity = by_line[row.line]
        dates = planned[reference].dates
        pending.append(
            StagedOrderLine(
                batch=batch,
                contract_id=contract.pk,
                line=row.line,
                reference=reference,
                placed_on=dates.placed_on,
                shipped_on=dates.shipped_on,
                received_on=dates.received_on,
                sku=item.sku,
                size=item.size,
                colour=item.colour,
                quantity=quantity,
            )
        )
        if len(pending) >= STAGING_BATCH:
            with transaction.atomic():
                StagedOrderLine.objects.bulk_create(pending)
            pending = []
    if pending:
        with transaction.atomic():
            StagedOrderLine.objects.bulk_create(pending)


def _publish(actor: Actor | None, contract: Contract, batch: str) -> None:
    """Every staged order and line in one transaction, with two INSERT ... SELECT."""
    orders = Order._meta.db_table
    lines = OrderLine._meta.db_table
    staged = StagedOrderLine._meta.db_table
    by = actor.user.pk if actor is not None else None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {orders} (contract_id, reference, placed_on, shipped_on, "
                "received_on, created_by_id, created_at) "
                "SELECT contract_id, reference, MIN(placed_on), MIN(shipped_on), "
                f"MIN(received_on), %s, %s FROM {staged} WHERE batch = %s "
                "GROUP BY contract_id, reference ORDER BY MIN(line)",
                [by, connection.ops.adapt_datetimefield_value(timezone.now()), batch],
            )
            cursor.execute(
                f"INSERT INTO {lines} (order_id, sku, size, colour, quantity) "
                f"SELECT o.id, s.sku, s.size, s.colour, s.quantity FROM {staged} s "
                f"JOIN {orders} o ON o.contract_id = s.contract_id AND o.reference = s.reference "
                "WHERE s.batch = %s ORDER BY s.line",
                [batch],
            )
    except IntegrityError:
        # An order with one of these references was recorded meanwhile.
        raise ReferenceTaken(
            _("An order with one of these references was recorded meanwhile; nothing was imported.")
        ) from None


def _unstage(batch: str) -> None:
    while True:
        with transaction.atomic():
            ids = list(
                StagedOrderLine.objects.filter(batch=batch).values_list("pk", flat=True)[
                    :STAGING_BATCH
                ]
            )
            if not ids:
                return
            StagedOrderLine.objects.filter(pk__in=ids).delete()


# --- cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExchangeIn:
    """``quantity`` of (``sku``, ``size``, ``colour``) for (``to_*``); a ``to_*`` not
    given keeps the original value (ring size 9 → 10: only ``to_size``)."""

    sku: str
    size: str | int
    quantity: int = 1
    colour: str = ""
    to_sku: str | None = None
    to_size: str | int | None = None
    to_colour: str | None = None


def clean_case_type(value: str) -> rules.CaseType:
    try:
        return rules.CaseType(value)
    except ValueError:
        raise ValidationFailed(
            _("type must be one of: %(choices)s."),
            details={"field": "type"},
            choices=", ".join(rules.CaseType),
        ) from None


def clean_queue(value: str, field: str = "queue") -> rules.Queue:
    try:
        return rules.Queue(value)
    except ValueError:
        raise ValidationFailed(
            _("%(field)s must be one of: %(choices)s."),
            details={"field": field},
            field=field,
            choices=", ".join(rules.Queue),
        ) from None


def clean_status(value: str) -> rules.CaseStatus:
    try:
        return rules.CaseStatus(value)
    except ValueError:
        raise ValidationFailed(
            _("status must be one of: %(choices)s."),
            details={"field": "status"},
            choices=", ".join(rules.CaseStatus),
        ) from None


def _order_of(contract: Contract, order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id, contract=contract).first()
    if order is None:
        raise NotFound(
            _("Order %(id)s does not exist in this contract."),
            details={"field": "order_id"},
            id=order_id,
        )
    return order


def check_return_window(order: Order, requested_on: date) -> date:
    """The last day a return or exchange of ``order`` is accepted, or the refusal."""
    window_days = order.contract.package.terms().returns_window_days
    decision = rules.return_allowed(order.received_on, requested_on, window_days)
    if decision.refusal is rules.ReturnRefusal.NOT_RECEIVED:
        raise OrderNotReceived(
            _(
                "Order %(reference)s has not been received yet: a return or exchange can be "
                "requested once the buyer has received it."
            ),
            details={"field": "order_id"},
            reference=order.reference,
        )
    assert decision.last_day is not None
    if decision.refusal is rules.ReturnRefusal.WINDOW_EXPIRED:
        raise ReturnWindowExpired(
            _(
                "Order %(reference)s was received on %(received)s; returns and exchanges were "
                "accepted until %(last_day)s (%(days)s days after receipt)."
            ),
            details={"field": "order_id", "last_allowed_day": decision.last_day.isoformat()},
            reference=order.reference,
            received=order.received_on,
            last_day=decision.last_day.isoformat(),
            days=window_days,
        )
    return decision.last_day


def _clean_exchanges(order: Order, exchanges: Sequence[ExchangeIn]) -> list[rules.Exchange]:
    ordered = [(line.item, line.quantity) for line in order.lines.all()]
    cleaned = []
    for index, line in enumerate(exchanges):
        field = f"exchanges.{index}"
        given = clean_item(line.sku, line.size, line.colour, field)
        wanted = rules.Item(
            sku=given.sku
            if line.to_sku is None
            else clean_text(line.to_sku, f"{field}.to_sku", ITEM_LIMITS["sku"]),
            size=given.size
            if line.to_size is None
            else clean_text(str(line.to_size), f"{field}.to_size", ITEM_LIMITS["size"]),
            colour=given.colour
            if line.to_colour is None
            else clean_optional_text(line.to_colour, f"{field}.to_colour", ITEM_LIMITS["colour"]),
        )
        exchange = rules.Exchange(given, wanted, clean_quantity(line.quantity, f"{field}.quantity"))
        if not exchange.changes_something:
            raise ValidationFailed(
                _("An exchange must change the SKU, the size or the colour."),
                details={"field": field},
            )
        if rules.exchangeable_quantity(ordered, given) < exchange.quantity:
            raise ValidationFailed(
                _("Order %(reference)s does not hold %(quantity)s of %(sku)s size %(size)s."),
                details={"field": field},
                reference=order.reference,
                quantity=exchange.quantity,
                sku=given.sku,
                size=given.size,
            )
        cleaned.append(exchange)
    return cleaned


@dataclass(frozen=True)
class CaseLineIn:
    order_line_id: int
    quantity: int


def _clean_case_lines(
    order: Order, lines: Sequence[CaseLineIn], exchanges: Sequence[rules.Exchange]
) -> list[tuple[OrderLine, int]]:
    """The order lines a return or exchange concerns and how many rings of each: named
    (``lines``), or for an exchange, the lines its exchanges take the rings from. Never
    more than a line holds, counting what other open returns and exchanges already take."""
    order_lines = {line.pk: line for line in order.lines.all()}
    wanted: dict[int, int] = {}
    if lines:
        for index, line in enumerate(lines):
            field = f"lines.{index}"
            if line.order_line_id not in order_lines:
                raise ValidationFailed(
                    _("Line %(id)s is not a line of order %(reference)s."),
                    details={"field": f"{field}.order_line_id"},
                    id=line.order_line_id,
                    reference=order.reference,
                )
            if line.order_line_id in wanted:
                raise ValidationFailed(
                    _("Name each order line once."), details={"field": f"{field}.order_line_id"}
                )
            wanted[line.order_line_id] = clean_quantity(line.quantity, f"{field}.quantity")
    else:
        for exchange in exchanges:
            left = exchange.quantity
            for order_line in order_lines.values():
                if left and order_line.item.matches(exchange.given):
                    take = min(left, order_line.quantity - wanted.get(order_line.pk, 0))
                    if take > 0:
                        wanted[order_line.pk] = wanted.get(order_line.pk, 0) + take
                        left -= take
    if not wanted:
        raise ValidationFailed(
            _("A return or exchange names the order lines and how many rings of each."),
            details={"field": "lines"},
        )
    taken = {
        row["order_line"]: row["total"]
        for row in CaseLine.objects.filter(order_line__in=list(wanted))
        .exclude(case__status=rules.CaseStatus.CLOSED)
        .values("order_line")
        .annotate(total=Sum("quantity"))
    }
    for index, (line_id, quantity) in enumerate(wanted.items()):
        held = order_lines[line_id]
        left = held.quantity - taken.get(line_id, 0)
        if quantity > left:
            raise ValidationFailed(
                _(
                    "Order %(reference)s line %(line)s holds %(quantity)s rings, %(left)s of "
                    "them not already in a return or exchange."
                ),
                details={"field": f"lines.{index}.quantity"},
                reference=order.reference,
                line=str(held),
                quantity=held.quantity,
                left=max(left, 0),
            )
    return [(order_lines[line_id], quantity) for line_id, quantity in wanted.items()]


@transaction.atomic
def open_case(
    actor: Actor,
    contract: Contract,
    *,
    case_type: str,
    subject: str,
    description: str = "",
    order_id: int | None = None,
    exchanges: Sequence[ExchangeIn] = (),
    lines: Sequence[CaseLineIn] = (),
    today: date | None = None,
) -> Case:
    """A new case, routed to its queue by type. A return or exchange names an order of the
    same contract and is accepted only inside the returns window, counted from the day the
    buyer received the order to ``today`` in the buyer's time zone."""
    _require_participant(actor, contract)
    kind = clean_case_type(case_type)
    subject = clean_text(subject, "subject", MAX_SUBJECT)
    description = clean_optional_text(description, "description")
    order = None
    if order_id is not None:
        order = _order_of(contract, order_id)
    elif rules.needs_order(kind):
        raise ValidationFailed(
            _("A return or exchange must name the order it concerns."),
            details={"field": "order_id"},
        )
    if exchanges and kind is not rules.CaseType.EXCHANGE:
        raise ValidationFailed(
            _("Only an exchange lists what is exchanged."), details={"field": "exchanges"}
        )
    if lines and not rules.needs_order(kind):
        raise ValidationFailed(
            _("Only a return or an exchange names order lines."), details={"field": "lines"}
        )
    planned: list[rules.Exchange] = []
    concerned: list[tuple[OrderLine, int]] = []
    if rules.needs_order(kind):
        assert order is not None
        # Lock the order: two requests for the same rings cannot both take them.
        Order.objects.select_for_update().filter(pk=order.pk).first()
        check_return_window(order, today or contract.today())
        planned = _clean_exchanges(order, exchanges)
        concerned = _clean_case_lines(order, lines, planned)
    case = Case.objects.create(
        contract=contract,
        type=kind,
        queue=rules.queue_for(kind),
        status=rules.CaseStatus.OPEN,
        subject=subject,
        order=order,
        opened_by=actor.user,
    )
    ExchangeLine.objects.bulk_create(
        ExchangeLine(
            case=case,
            sku=exchange.given.sku,
            size=exchange.given.size,
            colour=exchange.given.colour,
            to_sku=exchange.wanted.sku,
            to_size=exchange.wanted.size,
            to_colour=exchange.wanted.colour,
            quantity=exchange.quantity,
        )
        for exchange in planned
    )
    CaseLine.objects.bulk_create(
        CaseLine(case=case, order_line=line, quantity=quantity) for line, quantity in concerned
    )
    _record(case, actor, EventKind.OPENED, None, case.queue)
    if description:
        Message.objects.create(case=case, author=actor.user, body=description)
    publish("case.opened", case)
    return case


@transaction.atomic
def post_message(actor: Actor, case: Case, *, body: str, internal: bool = False) -> Message:
    """A message in the case's conversation. Only staff write internal notes. A buyer's
    answer to a case waiting on them reopens it."""
    case = _locked(case)
    _require_participant(actor, case.contract)
    if internal and not actor.is_staff:
        raise PermissionDenied(_("Only vendor staff write internal notes."))
    if not rules.accepts_messages(rules.CaseStatus(case.status)):
        raise InvalidState(_("This case is closed; open a new case instead."))
    message = Message.objects.create(
        case=case, author=actor.user, body=clean_text(body, "body"), internal=internal
    )
    if actor.is_contact:
        after = rules.status_after_buyer_reply(rules.CaseStatus(case.status))
        if after != case.status:
            _set_status(case, actor, after)
    Case.objects.filter(pk=case.pk).update(updated_at=message.created_at)
    publish("case.updated", case, change="note" if internal else "message", by_staff=actor.is_staff)
    return message


def _set_status(case: Case, actor: Actor, status: rules.CaseStatus, note: str = "") -> None:
    before = case.status
    case.status = status
    case.save(update_fields=["status", "updated_at"])
    _record(case, actor, EventKind.STATUS_CHANGED, before, status, note)


@transaction.atomic
def change_status(actor: Actor, case: Case, status: str, *, note: str = "") -> Case:
    _require_case_worker(actor)
    case = _locked(case)
    wanted = clean_status(status)
    if wanted is rules.CaseStatus.ESCALATED:
        raise ValidationFailed(
            _("A case is escalated with an escalation, which says where it goes."),
            details={"field": "status"},
        )
    current = rules.CaseStatus(case.status)
    if not rules.can_move(current, wanted):
        raise InvalidState(
            _("A case that is “%(current)s” cannot become “%(wanted)s”."),
            current=CaseStatus(current.value).label,
            wanted=CaseStatus(wanted.value).label,
        )
    _set_status(case, actor, wanted, clean_optional_text(note, "note"))
    publish("case.updated", case, change="status")
    return case


def _set_assignee(case: Case, actor: Actor, assignee: User | None, note: str = "") -> None:
    before = case.assignee_id
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at"])
    _record(case, actor, EventKind.ASSIGNED, before, assignee.pk if assignee else None, note)


@transaction.atomic
def assign_case(actor: Actor, case: Case, assignee_id: int | None) -> Case:
    """Give the case to a staff member (None: back to the queue, unassigned)."""
    _require_case_worker(actor)
    case = _locked(case)
    if not rules.accepts_messages(rules.CaseStatus(case.status)):
        raise InvalidState(_("This case is closed."))
    assignee = None if assignee_id is None else _active_staff(assignee_id, "assignee_id")
    if (assignee.pk if assignee else None) == case.assignee_id:
        raise InvalidState(_("The case is already assigned that way."))
    _set_assignee(case, actor, assignee)
    publish("case.updated", case, change="assignee")
    return case


def can_escalate(actor: Actor, case: Case) -> bool:
    """The contract's acting representative escalates and routes (SPEC.md §3): on the
    Launch Kit, the account manager only through day 90; admins always."""
    if not actor.is_staff:
        return False
    if actor.has_role(Role.ADMIN):
        return True
    contract = case.contract
    return actor.user.pk == contract.representative_id and contract.vendor_contact().acting


@transaction.atomic
def escalate_case(
    actor: Actor,
    case: Case,
    *,
    reason: str,
    queue: str | None = None,
    assignee_id: int | None = None,
) -> Case:
    """Send the case on to another queue and/or staff member, marked escalated."""
    case = _locked(case)
    if not can_escalate(actor, case):
        raise PermissionDenied(
            _(
                "Only the contract's acting representative or an administrator escalates a "
                "case (a Launch Kit's account manager acts through day 90)."
            )
        )
    reason = clean_text(reason, "reason")
    if queue is None and assignee_id is None:
        raise ValidationFailed(
            _("An escalation names a queue, a staff member or both."), details={"field": "queue"}
        )
    target_queue = None if queue is None else clean_queue(queue)
    assignee = None if assignee_id is None else _active_staff(assignee_id, "assignee_id")
    current = rules.CaseStatus(case.status)
    if not rules.can_escalate(current):
        raise InvalidState(
            _("A case that is “%(current)s” cannot be escalated."),
            current=CaseStatus(current.value).label,
        )
    queue_changes = target_queue is not None and target_queue != case.queue
    assignee_changes = assignee is not None and assignee.pk != case.assignee_id
    if not queue_changes and not assignee_changes:
        raise InvalidState(_("The case is already with that queue and staff member."))
    _record(case, actor, EventKind.ESCALATED, case.queue, target_queue or case.queue, reason)
    if current is not rules.CaseStatus.ESCALATED:
        _set_status(case, actor, rules.CaseStatus.ESCALATED)
    if queue_changes:
        before = case.queue
        case.queue = target_queue  # type: ignore[assignment]
        case.save(update_fields=["queue", "updated_at"])
        _record(case, actor, EventKind.QUEUE_CHANGED, before, case.queue)
    if assignee_changes:
        _set_assignee(case, actor, assignee)
    elif queue_changes and assignee is None and case.assignee_id is not None:
        # Sent to another team without naming anyone: that team's queue picks it up.
        _set_assignee(case, actor, None)
    publish("case.updated", case, change="escalated")
    return case
