"""API v1: orders, and support cases with their conversation and history.

Orders are recorded by vendor staff; buyer contacts read their organization's orders and
ask for new ones by opening a ``new_order`` case. Buyer contacts open and follow their
own organization's cases (anything else is ``not_found``) and never see internal notes.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from successkit.accounts.actors import actor_of
from successkit.contracts.services import contract_for
from successkit.core import audit
from successkit.core.errors import ValidationFailed
from successkit.core.pagination import Page, page
from successkit.core.schemas import (
    FORBIDDEN,
    errors,
    object_id,
    person_out,
)
from successkit.support import services
from successkit.support.models import Case, CaseEvent, Message, Order
from successkit.support.schemas import (
    AssignIn,
    CaseIn,
    CaseLineOut,
    CaseOut,
    CasePage,
    CaseStatusCode,
    CaseTypeCode,
    EscalateIn,
    EventOut,
    EventPage,
    ExchangeOut,
    LineOut,
    MessageIn,
    MessageOut,
    MessagePage,
    OrderChangeOut,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderPatch,
    QueueCode,
    StatusIn,
)

router = Router(tags=["support"])


def _id(value: int | None) -> str | None:
    return None if value is None else str(value)


def order_out(order: Order) -> OrderOut:
    return OrderOut.model_construct(
        id=str(order.pk),
        contract_id=str(order.contract_id),
        reference=order.reference,
        placed_on=order.placed_on,
        shipped_on=order.shipped_on,
        received_on=order.received_on,
        returns_until=services.returns_last_day(order),
        items=[
            LineOut.model_construct(
                id=str(x.pk), sku=x.sku, size=x.size, colour=x.colour, quantity=x.quantity
            )
            for x in order.lines.all()
        ],
        history=[
            OrderChangeOut.model_construct(
                at=change.at,
                actor=(
                    person_out(change.record.history_user) if change.record.history_user else None
                ),
                field=change.field,
                old=audit.shown(change.old),
                new=audit.shown(change.new),
            )
            for change in services.order_history(order)
        ],
    )


def case_out(case: Case) -> CaseOut:
    return CaseOut.model_construct(
        id=str(case.pk),
        contract_id=str(case.contract_id),
        type=case.type,
        type_label=str(case.get_type_display()),
        queue=case.queue,
        queue_label=str(case.get_queue_display()),
        status=case.status,
        status_label=str(case.get_status_display()),
        subject=case.subject,
        order_id=_id(case.order_id),
        assignee_id=_id(case.assignee_id),
        representative_id=str(case.contract.representative_id),
        opened_by_id=str(case.opened_by_id),
        opened_at=case.opened_at,
        updated_at=case.updated_at,
        exchanges=[
            ExchangeOut.model_construct(
                sku=x.sku,
                size=x.size,
                colour=x.colour,
                to_sku=x.to_sku,
                to_size=x.to_size,
                to_colour=x.to_colour,
                quantity=x.quantity,
            )
            for x in case.exchanges.all()
        ],
        lines=[
            CaseLineOut.model_construct(
                order_line_id=str(x.order_line_id),
                sku=x.order_line.sku,
                size=x.order_line.size,
                colour=x.order_line.colour,
                quantity=x.quantity,
            )
            for x in case.lines.all()
        ],
    )


def message_out(message: Message) -> MessageOut:
    return MessageOut.model_construct(
        id=str(message.pk),
        case_id=str(message.case_id),
        author_id=str(message.author_id),
        author_name=message.author.name,
        author_kind="staff" if message.author.is_staff else "contact",
        body=message.body,
        internal=message.internal,
        created_at=message.created_at,
    )


def event_out(event: CaseEvent, note: str | None) -> EventOut:
    return EventOut.model_construct(
        id=str(event.pk),
        kind=event.kind,
        kind_label=str(event.get_kind_display()),
        actor_id=str(event.actor_id),
        actor_name=event.actor.name,
        at=event.at,
        from_value=event.from_value,
        to_value=event.to_value,
        note=note,
    )


# --- lookups ----------------------------------------------------------------------------


def order_for(request: HttpRequest, order_id: str | int) -> Order:
    return services.order_for(actor_of(request), object_id(order_id), with_lines=True)


def case_for(request: HttpRequest, case_id: str | int) -> Case:
    return services.case_for(actor_of(request), object_id(case_id), with_items=True)


def _optional_id(value: str | int | None, field: str) -> int | None:
    return None if value is None else object_id(value, field)


# --- orders -----------------------------------------------------------------------------


@router.post(
    "/contracts/{contract_id}/orders",
    **errors(
        FORBIDDEN,
        "409 reference_taken",
        r201=OrderOut,
    ),
    summary="Record an order (vendor staff)",
)
def create_order(request: HttpRequest, contract_id: str, payload: OrderIn) -> Status[OrderOut]:
    order = services.record_order(
        actor_of(request),
        contract_for(actor_of(request), object_id(contract_id)),
        reference=payload.reference,
        lines=[
            services.LineIn(sku=x.sku, size=x.size, quantity=x.quantity, colour=x.colour)
            for x in payload.items
        ],
        placed_on=payload.placed_on,
        shipped_on=payload.shipped_on,
        received_on=payload.received_on,
    )
    return Status(201, order_out(order_for(request, order.pk)))


@router.get(
    "/contracts/{contract_id}/orders",
    **errors(r200=OrderPage),
    summary="List a contract's orders",
)
def list_orders(request: HttpRequest, contract_id: str) -> Page[OrderOut]:
    contract = contract_for(actor_of(request), object_id(contract_id))
    return page(request, services.contract_orders(actor_of(request), contract), order_out)


@router.get("/orders/{order_id}", **errors(r200=OrderOut), summary="Get an order")
def get_order(request: HttpRequest, order_id: str) -> OrderOut:
    return order_out(order_for(request, order_id))


@router.patch(
    "/orders/{order_id}",
    **errors(FORBIDDEN, r200=OrderOut),
    summary="Record when an order was received (or shipped, placed)",
)
def update_order(request: HttpRequest, order_id: str, payload: OrderPatch) -> OrderOut:
    order = order_for(request, order_id)
    changes = {field: getattr(payload, field) for field in payload.model_fields_set}
    if not changes:
        raise ValidationFailed(
            _("Send at least one of received_on, shipped_on, placed_on."),
            details={"field": "received_on"},
        )
    services.update_order_dates(actor_of(request), order, changes)
    return order_out(order_for(request, order_id))


# --- cases ------------------------------------------------------------------------------


@router.post(
    "/contracts/{contract_id}/cases",
    **errors(
        FORBIDDEN,
        "409 return_window_expired",
        "409 order_not_received",
        r201=CaseOut,
    ),
    summary="Open a support case (routed to a queue by type)",
)
def open_case(request: HttpRequest, contract_id: str, payload: CaseIn) -> Status[CaseOut]:
    case = services.open_case(
        actor_of(request),
        contract_for(actor_of(request), object_id(contract_id)),
        case_type=payload.type,
        subject=payload.subject,
        description=payload.description,
        order_id=_optional_id(payload.order_id, "order_id"),
        exchanges=[services.ExchangeIn(**x.dict()) for x in payload.exchanges],
        lines=[
            services.CaseLineIn(object_id(x.order_line_id, f"lines.{i}.order_line_id"), x.quantity)
            for i, x in enumerate(payload.lines)
        ],
    )
    return Status(201, case_out(case_for(request, case.pk)))


@router.get(
    "/contracts/{contract_id}/cases",
    **errors(r200=CasePage),
    summary="List a contract's cases",
)
def list_contract_cases(
    request: HttpRequest,
    contract_id: str,
    type: CaseTypeCode | None = None,
    status: CaseStatusCode | None = None,
    queue: QueueCode | None = None,
) -> Page[CaseOut]:
    actor = actor_of(request)
    contract = contract_for(actor, object_id(contract_id))
    cases = services.find_cases(actor, contract=contract, type=type, status=status, queue=queue)
    return page(request, cases, case_out)


@router.get(
    "/cases",
    **errors(r200=CasePage),
    summary="List visible cases (staff: every queue; contacts: their organization's)",
    description="Filters: type, status, queue, assignee_id (a staff id, or `none`).",
)
def list_cases(
    request: HttpRequest,
    type: CaseTypeCode | None = None,
    status: CaseStatusCode | None = None,
    queue: QueueCode | None = None,
    assignee_id: str | None = None,
) -> Page[CaseOut]:
    cases = services.find_cases(
        actor_of(request),
        type=type,
        status=status,
        queue=queue,
        assignee_id=(
            object_id(assignee_id, "assignee_id") if assignee_id and assignee_id != "none" else None
        ),
        unassigned=assignee_id == "none",
    )
    return page(request, cases, case_out)


@router.get("/cases/{case_id}", **errors(r200=CaseOut), summary="Get a case")
def get_case(request: HttpRequest, case_id: str) -> CaseOut:
    return case_out(case_for(request, case_id))


@router.get(
    "/cases/{case_id}/messages",
    **errors(r200=MessagePage),
    summary="A case's conversation (buyers never see internal notes)",
)
def list_messages(request: HttpRequest, case_id: str) -> Page[MessageOut]:
    case = case_for(request, case_id)
    return page(request, services.visible_messages(actor_of(request), case), message_out)


@router.post(
    "/cases/{case_id}/messages",
    **errors(
        FORBIDDEN,
        "409 invalid_state",
        r201=MessageOut,
    ),
    summary="Write in a case's conversation",
)
def post_message(request: HttpRequest, case_id: str, payload: MessageIn) -> Status[MessageOut]:
    message = services.post_message(
        actor_of(request), case_for(request, case_id), body=payload.body, internal=payload.internal
    )
    return Status(201, message_out(message))


@router.post(
    "/cases/{case_id}/status",
    **errors(
        FORBIDDEN,
        "409 invalid_state",
        r200=CaseOut,
    ),
    summary="Move a case to another status",
)
def change_status(request: HttpRequest, case_id: str, payload: StatusIn) -> CaseOut:
    case = services.change_status(
        actor_of(request), case_for(request, case_id), payload.status, note=payload.note
    )
    return case_out(case_for(request, case.pk))


@router.post(
    "/cases/{case_id}/assign",
    **errors(
        FORBIDDEN,
        "409 invalid_state",
        r200=CaseOut,
    ),
    summary="Assign a case to a staff member (null: unassign)",
)
def assign_case(request: HttpRequest, case_id: str, payload: AssignIn) -> CaseOut:
    case = services.assign_case(
        actor_of(request),
        case_for(request, case_id),
        _optional_id(payload.assignee_id, "assignee_id"),
    )
    return case_out(case_for(request, case.pk))


@router.post(
    "/cases/{case_id}/escalate",
    **errors(
        FORBIDDEN,
        "409 invalid_state",
        r200=CaseOut,
    ),
    summary="Escalate a case to another queue and/or staff member (representative or admin)",
)
def escalate_case(request: HttpRequest, case_id: str, payload: EscalateIn) -> CaseOut:
    case = services.escalate_case(
        actor_of(request),
        case_for(request, case_id),
        reason=payload.reason,
        queue=payload.queue,
        assignee_id=_optional_id(payload.assignee_id, "assignee_id"),
    )
    return case_out(case_for(request, case.pk))


@router.get(
    "/cases/{case_id}/history",
    **errors(r200=EventPage),
    summary="Who changed what on a case, and when (append-only)",
)
def case_history(request: HttpRequest, case_id: str) -> Page[EventOut]:
    actor = actor_of(request)
    case = case_for(request, case_id)
    return page(
        request,
        services.case_history(case),
        lambda event: event_out(event, services.shown_note(actor, event)),
    )
