"""Shapes shared by every API router."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import Field

from successkit.core.errors import NotFound, ValidationFailed

# The refusals an endpoint may answer with, for the OpenAPI document.
ERROR_STATUSES = frozenset({400, 401, 403, 404, 409, 422})


class ErrorBody(Schema):
    code: str = Field(description="Stable machine-readable code (SPEC.md §7).")
    message: str = Field(description="Explanation in the caller's language.")


class ErrorOut(Schema):
    error: ErrorBody


def errors(**responses: Any) -> dict[Any, Any]:
    """An endpoint's ``response=`` mapping: its successes plus the error shape."""
    mapping: dict[Any, Any] = {int(status[1:]): schema for status, schema in responses.items()}
    mapping[ERROR_STATUSES - set(mapping)] = ErrorOut
    return mapping


def object_id(value: str | int, field: str | None = None) -> int:
    """An opaque id from a path (``field`` None: a malformed id is simply not found) or a
    body field (a malformed id is a ``validation_error`` naming the field)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        if field is None:
            raise NotFound()
        raise ValidationFailed(
            _("%(field)s is not a valid id."), details={"field": field}, field=field
        )
    return number


class PersonOut(Schema):
    id: str = Field(description="The staff id, or the contact id as created")
    name: str
    kind: str = Field(description="staff or contact")


def person_out(user: Any) -> dict[str, str]:
    """Who did something, as histories name them: staff by user id, a buyer contact by
    contact id."""
    contact = None if user.is_staff else getattr(user, "contact", None)
    if contact is not None:
        return {"id": str(contact.pk), "name": user.name, "kind": "contact"}
    return {"id": str(user.pk), "name": user.name, "kind": "staff"}
