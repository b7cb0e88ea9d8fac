"""Lists as API.md wants them: ``{"items": [...], "next": <url or null>}``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from successkit.core.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


def page(
    request: HttpRequest,
    queryset: QuerySet[Any],
    serialize: Callable[[Any], T],
) -> dict[str, Any]:
    """One page of ``queryset`` (which must be ordered), chosen by ``?limit=&offset=``."""
    limit = _int_param(request, "limit", DEFAULT_LIMIT)
    offset = _int_param(request, "offset", 0)
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(_("limit must be between 1 and %(max)s."), max=MAX_LIMIT)
    if offset < 0:
        raise ValidationFailed(_("offset must not be negative."))
    rows: Iterable[Any] = list(queryset[offset : offset + limit + 1])
    rows = list(rows)
    has_more = len(rows) > limit
    next_url = None
    if has_more:
        query = request.GET.copy()
        query["limit"] = str(limit)
        query["offset"] = str(offset + limit)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"items": [serialize(row) for row in rows[:limit]], "next": next_url}


def _int_param(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(_("%(name)s must be a whole number."), name=name) from None
