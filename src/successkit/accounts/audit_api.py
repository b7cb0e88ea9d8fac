"""API v1: the audit trail (admins): who changed which contract, order, organization,
staff role or rate, when, from which value to which (``core/audit.py``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from django.apps import apps
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from successkit.accounts.actors import actor_of
from successkit.accounts.roles import Duty
from successkit.core import audit
from successkit.core.pagination import Page, page
from successkit.core.schemas import FORBIDDEN, PersonKind, errors, object_id, one_of

router = Router(tags=["audit"])


class AuditedType(StrEnum):
    CONTRACT = "contract"
    ORDER = "order"
    ORGANIZATION = "organization"
    STAFF_ROLE = "staff_role"
    RATE = "rate"


# Looked up by label, so that the lowest app does not import the ones above it.
MODELS = {
    AuditedType.CONTRACT: "contracts.Contract",
    AuditedType.ORDER: "support.Order",
    AuditedType.ORGANIZATION: "accounts.Organization",
    AuditedType.STAFF_ROLE: "accounts.StaffRole",
    AuditedType.RATE: "billing.HourlyRate",  # the rate card (pricing), table in billing
}


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


class AuditPage(Schema):
    items: list[AuditEntry]
    next: str | None


def actor_out(user: Any) -> dict[str, str] | None:
    if user is None:
        return None
    return {
        "id": str(user.pk),
        "name": user.name,
        "kind": "staff" if user.is_staff else "contact",
    }


@router.get("/audit", **errors(FORBIDDEN, r200=AuditPage), summary="The audit trail (admins)")
def audit_trail(request: HttpRequest, filters: Query[AuditFilter]) -> Page[dict[str, object]]:
    actor = actor_of(request)
    actor.require(Duty.ADMINISTER)
    history = audit.history_of(apps.get_model(MODELS[filters.type])).objects.select_related(
        "history_user"
    )
    if filters.object_id is not None:
        # A filter: a malformed id is a validation_error naming it, an unknown one finds none.
        history = history.filter(id=object_id(filters.object_id, "object_id"))
    model = history.model
    # The row each one changed from (simple-history's ``prev_record``), named by a
    # subquery and read for the whole page at once: never a query per row.
    history = history.annotate(
        previous_id=Subquery(
            model.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
    ).order_by("-history_date", "-history_id")
    previous_rows: dict[int, Any] = {}

    def load(rows: list[Any]) -> None:
        wanted = [row.previous_id for row in rows if row.previous_id is not None]
        previous_rows.update(model.objects.in_bulk(wanted, field_name="history_id"))

    def entry(row: Any) -> dict[str, object]:
        previous = previous_rows.get(row.previous_id)
        rows = [previous, row] if previous is not None else [row]
        changes = [c for c in audit.changes(rows) if c.record is row]
        return {
            "at": row.history_date.isoformat(),
            "actor": actor_out(row.history_user),
            "type": filters.type,
            "object_id": str(row.id),
            "action": audit.ACTIONS.get(row.history_type, "changed"),
            "changes": [
                {"field": c.field, "old": audit.shown(c.old), "new": audit.shown(c.new)}
                for c in changes
                if c.field
            ],
        }

    return page(request, history, entry, prepare=load)
