"""The shapes of the contracts API (API v1): its request bodies, query strings and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from successkit.contracts import services
from successkit.contracts.rules import ContractPhase, Platform
from successkit.core.pagination import Page
from successkit.core.schemas import (
    Currency,
    CurrencyCode,
    Day,
    Id,
    InSchema,
    PersonOut,
    one_of,
)

PackageCode = Annotated[str, one_of(("launch_kit", "pro_lite", "premium"))]


PlatformCode = Annotated[str, one_of(Platform)]


class ContractIn(InSchema):
    organization_id: Id
    package: PackageCode = Field(description="launch_kit, pro_lite or premium")
    start_date: Day
    end_date: Day
    representative_id: Id
    buyer_contact_id: Id
    currency: Currency
    platforms: list[PlatformCode] | None = Field(
        None, description='The platforms bought: "teams" and/or "hrm" (default both)'
    )


class ContractPatch(InSchema):
    end_date: Day | None = Field(
        None, description="The new last day of the term (after the start, not before today)"
    )
    representative_id: Id | None = Field(
        None, description="Another vendor representative (admin only)"
    )
    buyer_contact_id: Id | None = Field(
        None, description="The buyer's counterpart, one of its contacts (buyer contacts too)"
    )


class ContractChangeOut(Schema):
    at: datetime
    actor: PersonOut | None = Field(description="Who; null for the command line or a job")
    field: Annotated[str, one_of(services.HISTORY_FIELDS)] = Field(
        description="end_date, representative_id or buyer_contact_id"
    )
    old: str | None
    new: str | None


class ContractHistoryPage(Page[ContractChangeOut]):
    pass


class ContractOut(Schema):
    id: str
    organization_id: str
    package: PackageCode
    catalog_version: int
    start_date: date
    end_date: date
    representative_id: str
    buyer_contact_id: str
    currency: CurrencyCode
    platforms: list[PlatformCode]
    phase: Annotated[str, one_of(ContractPhase)] = Field(
        description="upcoming, active or ended, today in the buyer's time zone"
    )


class ContractPage(Page[ContractOut]):
    pass
