"""The audit trail: who changed what, when, from which value to which.

django-simple-history keeps one append-only history table per audited model (a row per
create, change and delete, with the whole row as it was, the time and the acting user),
on SQLite and PostgreSQL alike. This module decides who "the acting user" is and turns
consecutive history rows into ``{at, user, field, old, new}`` changes.

The acting user is, in order: the user named by ``acting_as`` (the command line, a job),
then the request's user - which the bearer-token authentication of the API sets too, so
API writes are attributed exactly like page writes (``HistoryRequestMiddleware`` exposes
the request to the models).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Model, QuerySet

_acting: ContextVar[Any] = ContextVar("successkit_acting_user", default=None)


def history_user(request: Any = None, **kwargs: Any) -> Any:
    """``HistoricalRecords(get_user=...)``: the user a history row is attributed to."""
    user = _acting.get()
    if user is not None:
        return user
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Attribute every audited change inside the block to ``user`` (CLI, jobs, tests)."""
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


@dataclass(frozen=True)
class Change:
    at: datetime
    user_id: int | None
    action: str  # "created", "changed", "deleted"
    field: str
    old: Any
    new: Any
    record: Any  # the history row, for whatever else a caller shows


ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
# Bookkeeping columns that are not the audited object's own fields.
_SKIPPED = frozenset({"id", "created_at", "updated_at"})


def changes(
    history: QuerySet[Any] | Iterable[Any], fields: Iterable[str] | None = None
) -> list[Change]:
    """Every change of ``fields`` (all tracked fields when None) in ``history`` (the
    history rows of one object), oldest first. A creation yields one change per field
    with a value (``old`` None); a deletion one ``deleted`` change without a field."""
    rows = sorted(history, key=lambda row: (row.history_date, row.history_id))
    wanted = list(fields) if fields is not None else None
    out: list[Change] = []
    previous: Any = None
    for row in rows:
        action = ACTIONS.get(row.history_type, "changed")
        names = wanted if wanted is not None else _tracked_fields(row)
        if action == "deleted":
            out.append(Change(row.history_date, row.history_user_id, action, "", None, None, row))
        else:
            for name in names:
                new = _value(row, name)
                old = _value(previous, name) if previous is not None else None
                if previous is None and action == "created" and new in (None, ""):
                    continue
                if previous is not None and old == new:
                    continue
                out.append(
                    Change(row.history_date, row.history_user_id, action, name, old, new, row)
                )
        previous = row
    return out


def _tracked_fields(row: Any) -> list[str]:
    return [
        field.attname
        for field in row.instance_type._meta.concrete_fields
        if field.attname not in _SKIPPED
    ]


def _value(row: Any, name: str) -> Any:
    return getattr(row, name, None)


def history_of(model: type[Model]) -> Any:
    """The history model of an audited ``model`` (for querying across objects)."""
    return model.history.model  # type: ignore[attr-defined]


def shown(value: Any) -> str | None:
    """A recorded value as the API shows it: ids and money as strings, dates ISO 8601."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


BASELINE_REASON = "baseline"
BASELINE_BATCH = 2000


def audited_models() -> list[type[Model]]:
    """Every model with an audit trail (a django-simple-history ``HistoricalRecords``)."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if getattr(model._meta, "simple_history_manager_attribute", None)
        and not model.__name__.startswith("Historical")
    ]


def baseline() -> dict[str, int]:
    """Give every audited row without any history row a "created" row with its current
    values (change reason ``baseline``): rows written before their model was audited, or
    by a bulk path that wrote none, then show their later changes from a known start.
    Idempotent; in batches, each in its own transaction. Returns the rows added per model."""
    from django.db import transaction

    added: dict[str, int] = {}
    for model in audited_models():
        history = getattr(model, model._meta.simple_history_manager_attribute)  # type: ignore[attr-defined]
        historical = history.model
        count = 0
        while True:
            with transaction.atomic():
                recorded = historical.objects.values("id")
                rows = list(model._default_manager.exclude(pk__in=recorded)[:BASELINE_BATCH])
                if not rows:
                    break
                history.bulk_history_create(rows, default_change_reason=BASELINE_REASON)
                count += len(rows)
        added[model._meta.label] = count
    return added
