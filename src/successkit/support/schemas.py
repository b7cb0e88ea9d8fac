"""The shapes of the support API (API v1): its request bodies, query strings and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from successkit.core.pagination import Page
from successkit.core.schemas import (
    Count,
    Day,
    Flag,
    Id,
    InSchema,
    PersonKind,
    PersonOut,
    TextOrInteger,
    one_of,
)
from successkit.support import rules, services
from successkit.support.models import EventKind

CaseTypeCode = Annotated[str, one_of(rules.CaseType)]


QueueCode = Annotated[str, one_of(rules.Queue)]


CaseStatusCode = Annotated[str, one_of(rules.CaseStatus)]


class LineIn(InSchema):
    sku: str
    size: TextOrInteger = Field(description="Ring size, e.g. 9")
    quantity: Count = Field(description=f"1 to {services.MAX_QUANTITY}")
    colour: str = ""


class LineOut(Schema):
    id: str = Field(description="The order line's id, named by a return or exchange")
    sku: str
    size: str
    colour: str
    quantity: int


class OrderChangeOut(Schema):
    at: datetime
    actor: PersonOut | None = Field(description="Who; null for the command line or a job")
    field: Annotated[str, one_of(("received_on", "shipped_on", "placed_on"))] = Field(
        description="received_on, shipped_on or placed_on"
    )
    old: str | None
    new: str | None


class CaseLineIn(InSchema):
    order_line_id: Id
    quantity: Count


class CaseLineOut(Schema):
    order_line_id: str
    sku: str
    size: str
    colour: str
    quantity: int


class OrderIn(InSchema):
    reference: str = Field(description="Unique within the contract")
    items: list[LineIn]
    placed_on: Day | None = None
    shipped_on: Day | None = None
    received_on: Day | None = Field(
        None, description="The day the buyer received the order, in the buyer's time zone"
    )


class OrderPatch(InSchema):
    received_on: Day | None = None
    shipped_on: Day | None = None
    placed_on: Day | None = None


class OrderOut(Schema):
    id: str
    contract_id: str
    reference: str
    placed_on: date | None
    shipped_on: date | None
    received_on: date | None
    returns_until: date | None = Field(
        description="Last day a return or exchange of this order is accepted (null: not "
        "received yet)"
    )
    items: list[LineOut]
    history: list[OrderChangeOut] = Field(
        description="Every correction of the order's dates: who, when, from what to what"
    )


class ExchangeIn(InSchema):
    sku: str
    size: TextOrInteger
    colour: str = ""
    quantity: Count = 1
    to_sku: str | None = Field(None, description="Omitted: the same SKU")
    to_size: TextOrInteger | None = Field(None, description="Omitted: the same size")
    to_colour: str | None = Field(None, description="Omitted: the same colour")


class ExchangeOut(Schema):
    sku: str
    size: str
    colour: str
    to_sku: str
    to_size: str
    to_colour: str
    quantity: int


class CaseIn(InSchema):
    type: CaseTypeCode = Field(description=", ".join(rules.CaseType))
    subject: str
    description: str = Field("", description="The first message of the conversation")
    order_id: Id | None = Field(None, description="Required for return and exchange")
    exchanges: list[ExchangeIn] = Field(
        default_factory=list, description="Exchange only: what is exchanged for what"
    )
    lines: list[CaseLineIn] = Field(
        default_factory=list,
        description="Return and exchange: the order lines and how many rings of each (an "
        "exchange naming none takes them from the lines its exchanges match)",
    )


class CaseOut(Schema):
    id: str
    contract_id: str
    type: CaseTypeCode
    type_label: str
    queue: QueueCode
    queue_label: str
    status: CaseStatusCode
    status_label: str
    subject: str
    order_id: str | None
    assignee_id: str | None
    representative_id: str
    opened_by_id: str
    opened_at: datetime
    updated_at: datetime
    exchanges: list[ExchangeOut]
    lines: list[CaseLineOut]


class MessageIn(InSchema):
    body: str
    internal: Flag = Field(
        False, description="An internal note (staff only, never shown to buyers)"
    )


class MessageOut(Schema):
    id: str
    case_id: str
    author_id: str
    author_name: str
    author_kind: PersonKind = Field(description="staff or contact")
    body: str
    internal: bool
    created_at: datetime


class StatusIn(InSchema):
    status: CaseStatusCode = Field(description="open, waiting_on_buyer, resolved or closed")
    note: str = ""


class AssignIn(InSchema):
    assignee_id: Id | None = Field(description="A staff member; null: unassigned")


class EscalateIn(InSchema):
    reason: str
    queue: QueueCode | None = Field(None, description=", ".join(rules.Queue))
    assignee_id: Id | None = None


class EventOut(Schema):
    id: str
    kind: Annotated[str, one_of(EventKind.values)]
    kind_label: str
    actor_id: str
    actor_name: str
    at: datetime
    from_value: str = Field(description="Status or queue code, or staff id; empty: none")
    to_value: str
    note: str | None = Field(description="Staff only (null for buyer contacts)")


class OrderPage(Page[OrderOut]):
    pass


class CasePage(Page[CaseOut]):
    pass


class MessagePage(Page[MessageOut]):
    pass


class EventPage(Page[EventOut]):
    pass
