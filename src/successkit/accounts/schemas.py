"""The shapes of the accounts API (API v1): its request bodies, query strings and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from successkit.accounts.models import Language
from successkit.accounts.roles import Role
from successkit.accounts.services import AuditedType
from successkit.core.pagination import Page
from successkit.core.schemas import InSchema, PersonKind, one_of

LanguageCode = Annotated[str, one_of(Language.values)]


RoleCode = Annotated[str, one_of(Role.values)]


class TokenIn(InSchema):
    email: str
    password: str


class TokenOut(Schema):
    token: str


class StaffIn(InSchema):
    email: str
    name: str
    roles: list[RoleCode]
    password: str
    language: LanguageCode = "en"


class StaffOut(Schema):
    id: str
    email: str
    name: str
    roles: list[RoleCode]
    language: LanguageCode


class OrganizationIn(InSchema):
    name: str
    country: str = Field(description="ISO 3166-1 alpha-2 code, e.g. ES")
    timezone: str = Field(description="IANA time zone, e.g. Europe/Madrid")
    language: LanguageCode = Field(description="en or es")


class OrganizationOut(Schema):
    id: str
    name: str
    country: str
    timezone: str
    language: LanguageCode


class ContactIn(InSchema):
    name: str
    email: str
    language: LanguageCode
    password: str


class ContactOut(Schema):
    id: str
    organization_id: str
    name: str
    email: str
    language: LanguageCode


class StaffPage(Page[StaffOut]):
    pass


class OrganizationPage(Page[OrganizationOut]):
    pass


class ContactPage(Page[ContactOut]):
    pass


class MeOut(Schema):
    id: str
    email: str
    name: str
    language: LanguageCode
    kind: PersonKind = Field(description="staff or contact")
    roles: list[RoleCode]
    organization_id: str | None


class HealthOut(Schema):
    status: Annotated[str, one_of(("ok",))]


class TokenInfo(Schema):
    id: str
    prefix: str = Field(description="The token's first characters, to recognise it")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    current: bool = Field(description="The token of this request")


class TokenList(Schema):
    items: list[TokenInfo]


# --- the audit trail ----------------------------------------------------------------------


class AuditFilter(Schema):
    type: AuditedType = Field(description="Which kind of object")
    object_id: str | None = Field(None, description="One object's id; all of the type if absent")


class AuditActor(Schema):
    id: str
    name: str
    kind: PersonKind = Field(description="staff or contact")


class AuditChange(Schema):
    field: str
    old: str | None
    new: str | None


class AuditEntry(Schema):
    at: str = Field(description="ISO 8601 instant")
    actor: AuditActor | None = Field(description="Who; null for the command line or a job")
    type: AuditedType
    object_id: str
    action: Annotated[str, one_of(("created", "changed", "deleted"))] = Field(
        description="created, changed or deleted"
    )
    changes: list[AuditChange]


class AuditPage(Page[AuditEntry]):
    pass
