"""The shapes of the engagements API (API v1): its request bodies, query strings and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from successkit.contracts.rules import ContactKind, Platform
from successkit.core.pagination import Page
from successkit.core.schemas import (
    CurrencyCode,
    Day,
    Flag,
    Id,
    InSchema,
    Instant,
    Minutes,
    PersonKind,
    one_of,
)
from successkit.engagements.rules import CancelledBy, SessionStatus

SessionTypeCode = Annotated[
    str, one_of(("kickoff", "implementation", "software_training", "additional_training"))
]


PlatformCode = Annotated[str, one_of(Platform)]


class TrainingOut(Schema):
    included_minutes: int
    reserved_minutes: int
    used_minutes: int
    remaining_minutes: int
    window_start: date
    window_end: date


class HealthChecksOut(Schema):
    included: int
    completed: int
    missed: int
    upcoming: int


class VendorContactOut(Schema):
    kind: Annotated[str, one_of(ContactKind)] = Field(
        description="account_manager, csm or cs_team: who the buyer contacts"
    )
    staff_id: str | None = Field(description="The acting representative; null for cs_team")
    account_manager_until: date | None = Field(
        description="Launch Kit: the last day the account manager acts (day 90), else null"
    )


class EntitlementsOut(Schema):
    as_of: date
    training: TrainingOut
    health_checks: HealthChecksOut
    contact: VendorContactOut


class AsOf(Schema):
    as_of: Day | None = Field(None, description="Default: today in the buyer's time zone")


class SessionIn(InSchema):
    type: SessionTypeCode = Field(
        description="kickoff, implementation, software_training or additional_training"
    )
    starts_at: Instant
    duration_minutes: Minutes = Field(
        description="At most the type's cap (catalog data: 60, additional training 480)"
    )
    staff_id: Id | None = Field(None, description="Default: the contract's representative")
    platforms: list[PlatformCode] = Field(
        default_factory=list,
        description="teams and/or hrm; none named: the platforms on the contract",
    )
    accept_billable: Flag = False
    on_behalf_of_contact_id: Id | None = Field(
        None, description="Staff accepting billable minutes: the buyer contact who agreed"
    )


class MoveIn(InSchema):
    starts_at: Instant
    accept_billable: Flag = False
    on_behalf_of_contact_id: Id | None = None


class SessionCompleteIn(InSchema):
    actual_minutes: Minutes = Field(description="At most the type's cap")
    accept_billable: Flag = False
    on_behalf_of_contact_id: Id | None = None


class ActorRefOut(Schema):
    id: str
    kind: PersonKind = Field(description="staff or contact")


class AcceptanceOut(Schema):
    by: ActorRefOut
    on_behalf_of_contact_id: str | None
    at: datetime
    minutes: int
    amount: str
    currency: CurrencyCode


class CancelIn(InSchema):
    by: Literal["vendor", "buyer"]


class SessionOut(Schema):
    id: str
    contract_id: str
    type: SessionTypeCode
    status: Annotated[str, one_of(SessionStatus)]
    starts_at: datetime
    duration_minutes: int
    actual_minutes: int | None
    staff_id: str
    platforms: list[PlatformCode]
    covered_minutes: int
    billable_minutes: int
    billable_amount: str
    hourly_rate: str | None
    currency: CurrencyCode
    cancelled_by: Annotated[str, one_of(CancelledBy)] | None


class SessionDetailOut(SessionOut):
    acceptances: list[AcceptanceOut] = Field(
        description="Every acceptance of billable minutes of this session, oldest first"
    )


class SessionPage(Page[SessionOut]):
    pass


class MaterialIn(InSchema):
    title: str
    url: str


class MaterialOut(Schema):
    id: str
    session_id: str
    title: str
    url: str | None = Field(description="The link, or where to download the file")
    kind: Annotated[str, one_of(("link", "file"))] = Field(description="link or file")
    added_at: datetime


class MaterialPage(Page[MaterialOut]):
    pass


class SlotQuery(Schema):
    type: SessionTypeCode = Field(description="The session type")
    from_: Day = Field(alias="from", description="First day, in the buyer's time zone")
    to: Day = Field(description="Last day (inclusive), at most 42 days after from")
    minutes: int | None = Field(None, description="Default: the type's longest meeting")


class SlotOut(Schema):
    starts_at: datetime = Field(description="With the buyer organization's offset")
    ends_at: datetime
    staff_id: str


class SlotList(Schema):
    items: list[SlotOut]
