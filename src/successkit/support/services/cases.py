"""Cases (SPEC.md §3-4): opened, routed, answered, assigned, escalated; returns and
exchanges inside the returns window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import User
from successkit.accounts.roles import Role
from successkit.contracts.models import Contract
from successkit.contracts.services import visible_contracts
from successkit.core.errors import (
    InvalidState,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from successkit.outbox.services import publish
from successkit.support import rules
from successkit.support.errors import (
    OrderNotReceived,
    ReturnWindowExpired,
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
    Queue,
)
from successkit.support.services.common import (
    ITEM_LIMITS,
    MAX_SUBJECT,
    SCOPE,
    case_history,
    clean_item,
    clean_optional_text,
    clean_quantity,
    clean_text,
    locked_case,
    record_change,
    require_case_worker,
    require_participant,
    staff_member,
    visible_cases,
)

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
                "requested once it has been received."
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
            last_day=decision.last_day,
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
    require_participant(actor, contract)
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
    record_change(case, actor, EventKind.OPENED, None, case.queue)
    if description:
        Message.objects.create(case=case, author=actor.user, body=description)
    publish("case.opened", case)
    return case


@transaction.atomic
def post_message(actor: Actor, case: Case, *, body: str, internal: bool = False) -> Message:
    """A message in the case's conversation. Only staff write internal notes. A buyer's
    answer to a case waiting on them reopens it."""
    case = locked_case(case)
    require_participant(actor, case.contract)
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
    record_change(case, actor, EventKind.STATUS_CHANGED, before, status, note)


@transaction.atomic
def change_status(actor: Actor, case: Case, status: str, *, note: str = "") -> Case:
    require_case_worker(actor)
    case = locked_case(case)
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
    record_change(case, actor, EventKind.ASSIGNED, before, assignee.pk if assignee else None, note)


@transaction.atomic
def assign_case(actor: Actor, case: Case, assignee_id: int | None) -> Case:
    """Give the case to a staff member (None: back to the queue, unassigned)."""
    require_case_worker(actor)
    case = locked_case(case)
    if not rules.accepts_messages(rules.CaseStatus(case.status)):
        raise InvalidState(_("This case is closed."))
    assignee = None if assignee_id is None else staff_member(assignee_id, "assignee_id")
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
    case = locked_case(case)
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
    assignee = None if assignee_id is None else staff_member(assignee_id, "assignee_id")
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
    record_change(case, actor, EventKind.ESCALATED, case.queue, target_queue or case.queue, reason)
    if current is not rules.CaseStatus.ESCALATED:
        _set_status(case, actor, rules.CaseStatus.ESCALATED)
    if queue_changes:
        before = case.queue
        case.queue = target_queue  # type: ignore[assignment]
        case.save(update_fields=["queue", "updated_at"])
        record_change(case, actor, EventKind.QUEUE_CHANGED, before, case.queue)
    if assignee_changes:
        _set_assignee(case, actor, assignee)
    elif queue_changes and assignee is None and case.assignee_id is not None:
        # Sent to another team without naming anyone: that team's queue picks it up.
        _set_assignee(case, actor, None)
    publish("case.updated", case, change="escalated")
    return case


# --- reading ----------------------------------------------------------------------------


def case_for(actor: Actor, case_id: int, *, with_items: bool = False) -> Case:
    """A case the actor may see (``with_items``: its exchanges and lines loaded), or
    ``not_found``."""
    cases = visible_cases(actor)
    return actor.get(_with_items(cases) if with_items else cases, case_id, SCOPE)


def find_cases(
    actor: Actor,
    *,
    contract: Contract | None = None,
    type: str | None = None,
    status: str | None = None,
    queue: str | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
) -> QuerySet[Case]:
    """The visible cases (of ``contract``, of a type, status, queue, assignee, or
    unassigned), with their exchanges and lines, newest first: in the order of the
    model's indexes, so that a page of a filtered list reads its own rows only."""
    cases = visible_cases(actor)
    if contract is not None:
        cases = cases.filter(contract=contract)
    cases = _with_items(cases)
    if type:
        cases = cases.filter(type=clean_case_type(type))
    if status:
        cases = cases.filter(status=clean_status(status))
    if queue:
        cases = cases.filter(queue=clean_queue(queue))
    if unassigned:
        cases = cases.filter(assignee__isnull=True)
    elif assignee_id is not None:
        # ``assignee__pk`` (not ``assignee_id``) so an id beyond the column's range simply
        # matches nothing.
        cases = cases.filter(assignee__pk=assignee_id)
    return cases.order_by("-opened_at", "-id")


def case_list(actor: Actor, *, queue: str = "", status: str = "") -> QuerySet[Case]:
    """The visible cases (of a queue, of a status), most recently opened first."""
    cases = visible_cases(actor).order_by("-opened_at", "-id")
    if queue:
        cases = cases.filter(queue=queue)
    if status:
        cases = cases.filter(status=status)
    return cases.select_related("contract__organization")


def contracts_to_open_cases(actor: Actor) -> QuerySet[Contract]:
    """A buyer contact's contracts, newest first, to open a case on (none for staff:
    they open cases from the contract page)."""
    if not actor.is_contact:
        return Contract.objects.none()
    contracts = visible_contracts(actor).select_related("package")
    return contracts.prefetch_related("package__translations").order_by("-start_date")


@dataclass(frozen=True)
class QueueColumn:
    """A queue on the staff board: its cases by status, its oldest live cases (at most
    the preview), how many are live and how many more are not shown."""

    queue: Queue
    counts: list[tuple[CaseStatus, int]]
    cases: list[Case]
    live: int
    more: int


def queue_board(actor: Actor, preview: int) -> list[QueueColumn]:
    """Every queue's cases by status and its oldest live ones (staff): one query for
    the counts and one per queue (there are three)."""
    actor.require_staff()
    counts = {
        (row["queue"], row["status"]): row["n"]
        for row in visible_cases(actor).order_by().values("queue", "status").annotate(n=Count("id"))
    }
    live = visible_cases(actor).exclude(status=CaseStatus.CLOSED)
    board = []
    for queue in Queue:
        live_count = sum(
            counts.get((queue.value, status.value), 0)
            for status in CaseStatus
            if status != CaseStatus.CLOSED
        )
        board.append(
            QueueColumn(
                queue=queue,
                counts=[
                    (status, counts.get((queue.value, status.value), 0)) for status in CaseStatus
                ],
                cases=list(
                    live.filter(queue=queue)
                    .select_related("contract__organization", "assignee")
                    .order_by("opened_at", "id")[:preview]
                ),
                live=live_count,
                more=max(0, live_count - preview),
            )
        )
    return board


def case_exchanges(case: Case) -> QuerySet[ExchangeLine]:
    return case.exchanges.all()


def case_lines(case: Case) -> QuerySet[CaseLine]:
    return case.lines.select_related("order_line")


def shown_note(actor: Actor, event: CaseEvent) -> str | None:
    """The note of a history event as the actor may read it: buyer contacts never see
    one."""
    return event.note if actor.is_staff else None


@dataclass(frozen=True)
class HistoryRow:
    """A history event with labels and names in place of its codes and ids."""

    event: CaseEvent
    before: object
    after: object


def history_rows(case: Case) -> list[HistoryRow]:
    """The case's history, each change shown in words (a status's or queue's label, a
    staff member's name)."""
    events = list(case_history(case))
    staff_ids = {
        int(value)
        for event in events
        if event.kind == EventKind.ASSIGNED
        for value in (event.from_value, event.to_value)
        if value
    }
    names = dict(User.objects.filter(pk__in=staff_ids).values_list("pk", "name"))

    def shown(kind: str, value: str) -> object:
        if not value:
            return ""
        if kind == EventKind.ASSIGNED:
            return names.get(int(value), value)
        if kind == EventKind.STATUS_CHANGED:
            return CaseStatus(value).label
        return Queue(value).label

    return [
        HistoryRow(event, shown(event.kind, event.from_value), shown(event.kind, event.to_value))
        for event in events
    ]


def _with_items(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.prefetch_related("exchanges", "lines__order_line")
