"""API v1: the audit trail (admins): who changed which contract, order, organization,
staff role or rate, when, from which value to which (``core/audit.py``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from successkit.accounts import services
from successkit.accounts.actors import actor_of
from successkit.accounts.schemas import AuditActor, AuditChange, AuditEntry, AuditFilter, AuditPage
from successkit.core import audit
from successkit.core.pagination import Page, page
from successkit.core.schemas import FORBIDDEN, errors, object_id

router = Router(tags=["audit"])


def actor_out(user: Any) -> AuditActor | None:
    if user is None:
        return None
    return AuditActor(id=str(user.pk), name=user.name, kind="staff" if user.is_staff else "contact")


def entry_out(row: Any, audited: services.AuditedType) -> AuditEntry:
    """A history row that ``services.with_changes`` gave its changes."""
    return AuditEntry.model_construct(
        at=row.history_date.isoformat(),
        actor=actor_out(row.history_user),
        type=audited,
        object_id=str(row.id),
        action=audit.ACTIONS.get(row.history_type, "changed"),
        changes=[
            AuditChange(field=c.field, old=audit.shown(c.old), new=audit.shown(c.new))
            for c in row.audit_changes
        ],
    )


@router.get("/audit", **errors(FORBIDDEN, r200=AuditPage), summary="The audit trail (admins)")
def audit_trail(request: HttpRequest, filters: Query[AuditFilter]) -> Page[AuditEntry]:
    history = services.audit_trail(actor_of(request), filters.type)  # refused before parsing
    if filters.object_id is not None:
        # A filter: a malformed id is a validation_error naming it, an unknown one finds none.
        history = services.audit_trail_of(history, object_id(filters.object_id, "object_id"))
    return page(
        request, history, lambda row: entry_out(row, filters.type), prepare=services.with_changes
    )
