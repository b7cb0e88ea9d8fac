"""Lists as API.md wants them: ``{"items": [...], "next": <url or null>}``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from successkit.core.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


class Page(Schema, Generic[T]):
    """One page of a list. Each list names its own page for the OpenAPI document:
    ``class ContractPage(Page[ContractOut]): pass``."""

    items: list[T]
    next: str | None


def page(
    request: HttpRequest,
    queryset: QuerySet[Any] | Sequence[Any],
    serialize: Callable[[Any], T],
    *,
    prepare: Callable[[list[Any]], object] | None = None,
) -> Page[T]:
    """One page of ``queryset`` (which must be ordered), chosen by ``?limit=&offset=``.

    ``prepare``, if given, sees the page's rows before any is serialized: it loads what
    they need in a few queries for the whole page (never one query per row)."""
    rows, next_url = window(request, queryset)
    if prepare is not None:
        prepare(rows)
    return Page[T].model_construct(items=[serialize(row) for row in rows], next=next_url)


def window(
    request: HttpRequest, queryset: QuerySet[Any] | Sequence[Any]
) -> tuple[list[Any], str | None]:
    """The rows of the page ``?limit=&offset=`` asks for, and the next page's URL (None on
    the last page). One query: a row past the limit says whether there is more."""
    limit = _int_param(request, "limit", DEFAULT_LIMIT)
    offset = _int_param(request, "offset", 0)
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(_("limit must be between 1 and %(max)s."), max=MAX_LIMIT)
    if offset < 0:
        raise ValidationFailed(_("offset must not be negative."))
    rows = list(queryset[offset : offset + limit + 1])
    next_url = None
    if len(rows) > limit:
        query = request.GET.copy()
        query["limit"] = str(limit)
        query["offset"] = str(offset + limit)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return rows[:limit], next_url


def _int_param(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(_("%(name)s must be a whole number."), name=name) from None
