"""Rows written in bulk: ids taken up front (so that rows can point at each other before
they are written), rows made without ``Model.__init__``, and one INSERT (COPY on
PostgreSQL) per table and round."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models.base import ModelState

M = TypeVar("M", bound=models.Model)


class Ids:
    """Primary keys for new rows: from each table's sequence on PostgreSQL (a block at a
    time: concurrent writers are never given the same id), after the largest id on SQLite
    (whose write transaction excludes every other writer)."""

    BLOCK = 5000

    def __init__(self) -> None:
        self.free: dict[type[models.Model], list[int]] = {}
        self.next_sqlite: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model]) -> int:
        free = self.free.get(model)
        if not free:
            free = self.free[model] = self._block(model)
        return free.pop()

    def _block(self, model: type[models.Model]) -> list[int]:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [connection.ops.quote_name(table), self.BLOCK],
                )
                ids = sorted(row[0] for row in cursor.fetchall())
            else:
                start = self.next_sqlite.get(model)
                if start is None:
                    cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")
                    start = (cursor.fetchone()[0] or 0) + 1
                ids = list(range(start, start + self.BLOCK))
                self.next_sqlite[model] = start + self.BLOCK
        return ids[::-1]  # popped from the end: ascending


class _Blueprint:
    """How to make a model's row quickly: its defaults, and which names are relations."""

    def __init__(self, model: type[models.Model]) -> None:
        self.related = {f.name: f.attname for f in model._meta.concrete_fields if f.is_relation}
        self.defaults: list[tuple[str, str, Any, Callable[[], Any] | None]] = []
        for f in model._meta.concrete_fields:
            factory = f.default if f.has_default() and callable(f.default) else None
            self.defaults.append((f.name, f.attname, None if factory else f.get_default(), factory))


_BLUEPRINTS: dict[type[models.Model], _Blueprint] = {}


def new(model: type[M], **values: Any) -> M:
    """``model(**values)`` without the cost of ``Model.__init__`` (which dominates the
    generator's time): the field defaults, the values, relations cached as Django caches
    them."""
    blueprint = _BLUEPRINTS.get(model)
    if blueprint is None:
        blueprint = _BLUEPRINTS[model] = _Blueprint(model)
    row = model.__new__(model)
    state = ModelState()
    row._state = state
    data = row.__dict__
    for name, attname, default, factory in blueprint.defaults:
        if name not in values:
            data[attname] = factory() if factory is not None else default
    for name, value in values.items():
        relation = blueprint.related.get(name)
        if relation is None:
            data[name] = value
        else:
            data[relation] = None if value is None else value.pk
            state.fields_cache[name] = value
    return row


@contextmanager
def own_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let the rows carry their own creation and update times (history happened in the
    past): ``auto_now``/``auto_now_add`` are off for the models' fields meanwhile."""
    saved: list[tuple[Any, bool, bool]] = []
    for model in model_classes:
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.DateField) and (
                model_field.auto_now or model_field.auto_now_add
            ):
                saved.append((model_field, model_field.auto_now, model_field.auto_now_add))
                model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def insert(model: type[models.Model], rows: list[models.Model]) -> None:
    """``bulk_create`` for rows whose ids and timestamps are set: the same columns and
    values, without compiling each row's SQL (most of ``bulk_create``'s time here)."""
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(str(f.column)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    values = operator.itemgetter(*(f.attname for f in fields))
    converters = [
        (index, convert)
        for index, convert in enumerate(_converter(f) for f in fields)
        if convert is not None
    ]
    prepared = []
    for row in rows:
        line = list(values(row.__dict__))
        for index, convert in converters:
            if line[index] is not None:
                line[index] = convert(line[index])
        prepared.append(line)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: several times faster than INSERT on PostgreSQL.
            columns = ", ".join(quote(str(f.column)) for f in fields)
            table = quote(model._meta.db_table)
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for line in prepared:
                    copy.write_row(line)
            return
        for start in range(0, len(prepared), 5000):
            cursor.executemany(sql, prepared[start : start + 5000])


def _converter(model_field: models.Field) -> Callable[[Any], Any] | None:
    """How a value of ``model_field`` goes to the database (None: as it is)."""
    kind = model_field.get_internal_type()
    sqlite = connection.vendor == "sqlite"
    if kind == "DateTimeField" and sqlite:
        return lambda value: str(value.astimezone(UTC).replace(tzinfo=None))
    if kind == "DateField" and sqlite:
        return str
    if kind in ("DecimalField", "JSONField"):
        return lambda value: model_field.get_db_prep_save(value, connection)
    return None
