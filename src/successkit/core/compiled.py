"""Statements compiled once (issue 14): the hottest lookups and inserts of the request path.

Django compiles a queryset to SQL on every evaluation; for a lookup with a few joins that
costs several times what the database spends answering it. A ``CompiledQuery`` builds
its queryset once per database (with stand-in integer parameters), keeps the SQL and
what Django needs to turn rows into objects (converters, the select_related layout), and
then only runs the SQL with the real integers: the rows come back exactly as the ORM
would have made them (models with their related objects, or ``values_list`` tuples).

Integer parameters (ids) and text parameters (codes) only: they reach the database as they
are, with no adaptation. ``texts`` names the positions of the text ones.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable
from django.db.models.query import get_related_populators as _populators_of
from django.db.models.signals import post_save, pre_save

M = TypeVar("M")

# Stand-ins for the parameters while compiling: integers no id ever takes, texts no code.
_STAND_INS = tuple(-7_310_000_000 - index for index in range(8))
_TEXT_STAND_INS = tuple(f"\x1fcompiled-parameter-{index}\x1f" for index in range(8))


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (position in params, index of the caller's value)
    converters: dict[int, tuple[list[Any], Any]]
    models: bool
    model: type[Model] | None
    init_list: list[str]
    model_fields: tuple[int, int]
    related_populators: list[Any]
    annotations: dict[str, int]


def _populators(klass_info: Any, select: Any, db: str) -> list[Any]:
    """Django's builders of the select_related objects of a row."""
    populators: Callable[..., list[Any]] = _populators_of
    return populators(klass_info, select, db)


def statement_cursor(connection: Any) -> Any:
    """A cursor for SQL written once and run on every request: on PostgreSQL one whose
    statements the server prepares once per connection (``core/postgresql``), so that it
    neither parses nor plans them again; elsewhere the connection's own cursor."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()


class CompiledQuery(Generic[M]):
    """``build(*ids)`` returns the queryset; ``run(*ids)`` its rows."""

    def __init__(
        self, build: Callable[..., QuerySet[Any, M]], arity: int, texts: tuple[int, ...] = ()
    ) -> None:
        self._build = build
        self._arity = arity
        self._texts = frozenset(texts)
        self._model: type[Model] | None = None
        self._plans: dict[tuple[str, str], _Plan] = {}
        self._lock = threading.Lock()

    def _stand_ins(self) -> list[Any]:
        return [
            _TEXT_STAND_INS[index] if index in self._texts else _STAND_INS[index]
            for index in range(self._arity)
        ]

    def run(self, *values: int | str) -> list[M]:
        if self._model is None:
            self._model = self._build(*self._stand_ins()).model
        alias = router.db_for_read(self._model)
        connection = connections[alias]
        plan = self._plans.get((alias, connection.vendor))
        if plan is None:
            with self._lock:
                plan = self._plans.get((alias, connection.vendor)) or self._plan(
                    self._build(*self._stand_ins()).using(alias)
                )
                self._plans[(alias, connection.vendor)] = plan
        params = list(plan.params)
        for position, index in plan.slots:
            value = values[index]
            params[position] = str(value) if index in self._texts else int(value)
        with statement_cursor(connection) as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for position, (converters, expression) in plan.converters.items():
                    value = row[position]
                    for converter in converters:
                        value = converter(value, expression, connection)
                    row[position] = value
        if not plan.models:
            return [tuple(row) for row in rows]  # type: ignore[misc]
        assert plan.model is not None
        start, end = plan.model_fields
        found = []
        for row in rows:
            obj = plan.model.from_db(alias, plan.init_list, row[start:end])
            for populator in plan.related_populators:
                populator.populate(row, obj)
            for name, position in plan.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found  # type: ignore[return-value]

    def _plan(self, queryset: QuerySet[Any, M]) -> _Plan:
        state: Any = queryset  # Django's private queryset state, read once
        iterable = state._iterable_class
        if iterable not in (ModelIterable, ValuesListIterable):
            raise TypeError("CompiledQuery: models or values_list() tuples only")
        if state._known_related_objects or state._prefetch_related_lookups:
            raise TypeError("CompiledQuery: no prefetch_related, no related managers")
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots = tuple(
            (position, _STAND_INS.index(value))
            for position, value in enumerate(params)
            if type(value) is int and value in _STAND_INS
        ) + tuple(
            (position, _TEXT_STAND_INS.index(value))
            for position, value in enumerate(params)
            if type(value) is str and value in _TEXT_STAND_INS
        )
        if {index for _, index in slots} != set(range(self._arity)):
            raise TypeError("CompiledQuery: a parameter did not reach the SQL as it was given")
        fields = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        if iterable is ValuesListIterable:
            return _Plan(sql, tuple(params), slots, converters, False, None, [], (0, 0), [], {})
        klass_info = compiler.klass_info
        assert klass_info is not None
        select = compiler.select
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Plan(
            sql=sql,
            params=tuple(params),
            slots=slots,
            converters=converters,
            models=True,
            model=klass_info["model"],
            init_list=[selected[0].target.attname for selected in select[start:end]],
            model_fields=(start, end),
            related_populators=_populators(klass_info, select, queryset.db),
            annotations=dict(compiler.annotation_col_map or {}),
        )


@dataclass(frozen=True)
class _InsertPlan:
    sql: str
    fields: tuple[Any, ...]
    returns_pk: bool


class CompiledInsert(Generic[M]):
    """``insert(obj)`` writes a new row of ``model`` as ``obj.save()`` would - the same
    column values, ``pre_save`` and ``post_save`` sent, the primary key set - with the
    INSERT statement written once per database instead of compiled on every save. On
    PostgreSQL the server prepares it once per connection (``statement_cursor``).

    For the rows a booking writes on every request (issue 14): a session, its acceptance,
    its calendar interval, its event. Plain models only: no parents, no database defaults.
    """

    def __init__(self, model: type[M]) -> None:
        meta = model._meta  # type: ignore[attr-defined]
        if meta.parents or meta.proxy:
            raise TypeError("CompiledInsert: plain models only (no parents, no proxies)")
        self._model = model
        self._plans: dict[tuple[str, str], _InsertPlan] = {}

    def _plan(self, connection: Any) -> _InsertPlan:
        meta = self._model._meta  # type: ignore[attr-defined]
        auto = meta.auto_field
        fields = tuple(field for field in meta.local_concrete_fields if field is not auto)
        if any(field.db_returning for field in fields):
            raise TypeError("CompiledInsert: no columns the database fills itself")
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        returns_pk = auto is not None
        if returns_pk:
            sql += f" RETURNING {quote(auto.column)}"
        return _InsertPlan(sql, fields, returns_pk)

    def insert(self, obj: M) -> M:
        model: Any = self._model
        alias = router.db_for_write(model, instance=obj)
        connection = connections[alias]
        plan = self._plans.get((alias, connection.vendor))
        if plan is None:
            plan = self._plans.setdefault((alias, connection.vendor), self._plan(connection))
        instance: Any = obj
        # As save(): an unsaved related object refuses the row, a related object saved
        # since it was assigned lends its key.
        instance._prepare_related_fields_for_save(operation_name="save")
        pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
        values = [
            field.get_db_prep_save(field.pre_save(instance, True), connection)
            for field in plan.fields
        ]
        with statement_cursor(connection) as cursor:
            cursor.execute(plan.sql, values)
            if plan.returns_pk:
                instance.pk = cursor.fetchone()[0]
        instance._state.adding = False
        instance._state.db = alias
        post_save.send(
            sender=model, instance=obj, created=True, update_fields=None, raw=False, using=alias
        )
        return obj
