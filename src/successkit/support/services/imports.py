"""The bulk import of orders from CSV: every row checked, all or nothing, errors by line."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Duty
from successkit.contracts.models import Contract
from successkit.core.errors import (
    SuccessKitError,
    ValidationFailed,
)
from successkit.support import rules
from successkit.support.errors import (
    OrderImportRejected,
    ReferenceTaken,
    RowProblem,
)
from successkit.support.models import (
    Order,
    OrderLine,
    StagedOrderLine,
)
from successkit.support.services.common import (
    MAX_REFERENCE,
    check_dates,
    clean_item,
    clean_quantity,
    clean_text,
)
from successkit.support.services.orders import ORDER_DATE_FIELDS

# --- bulk import ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    """One CSV row: ``line`` is its line number in the file (the header is line 1)."""

    line: int
    values: dict[str, str]
    # Fields beyond the header's columns (a row that does not fit the header).
    extra_fields: int = 0


IMPORT_REQUIRED = ("reference", "sku", "size", "quantity")
IMPORT_OPTIONAL = ("colour", "placed_on", "shipped_on", "received_on")


def missing_columns(header: Sequence[str]) -> list[str]:
    present = {name.strip() for name in header}
    return [name for name in IMPORT_REQUIRED if name not in present]


@dataclass
class _Planned:
    first_line: int
    dates: rules.OrderDates
    lines: list[tuple[rules.Item, int]]


def _parse_date(raw: str, column: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            _("%(column)s must be a date YYYY-MM-DD, not %(value)s."),
            column=column,
            value=raw,
        ) from None


def _parse_row(row: ImportRow) -> tuple[str, rules.OrderDates, rules.Item, int]:
    if row.extra_fields:
        raise ValidationFailed(
            _("The row has %(count)s more fields than the header."), count=row.extra_fields
        )
    values = {key.strip(): (value or "").strip() for key, value in row.values.items() if key}
    reference = clean_text(values.get("reference"), "reference", MAX_REFERENCE)
    item = clean_item(values.get("sku", ""), values.get("size", ""), values.get("colour"))
    raw_quantity = values.get("quantity", "")
    quantity = clean_quantity(int(raw_quantity) if raw_quantity.isdecimal() else 0, "quantity")
    dates = rules.OrderDates(
        *(_parse_date(values.get(column, ""), column) for column in ORDER_DATE_FIELDS)
    )
    return reference, dates, item, quantity


def read_order_rows(lines: Iterable[str]) -> list[ImportRow]:
    """The rows of an orders CSV file (text lines, the header first), blank lines left
    out; a header without the required columns or a file that is not CSV is refused. The
    one reader of the command line and the contract page."""
    try:
        reader = csv.DictReader(lines)
        missing = missing_columns(reader.fieldnames or [])
        if missing:
            raise ValidationFailed(
                _("line 1: the header lacks the columns %(columns)s."),
                details={"field": "file"},
                columns=", ".join(missing),
            )
        rows = []
        for row in reader:
            extra = row.pop(None, None)
            if not extra and not any((value or "").strip() for value in row.values()):
                continue  # a blank line
            rows.append(ImportRow(reader.line_num, row, extra_fields=len(extra or [])))
        return rows
    except csv.Error as error:
        raise ValidationFailed(
            _("The file is not a valid CSV file: %(reason)s."),
            details={"field": "file"},
            reason=str(error),
        ) from None


STAGING_BATCH = 2000


def import_orders(
    actor: Actor | None,
    contract: Contract,
    rows: Sequence[ImportRow],
    *,
    today: date | None = None,
    progress: Callable[[Sequence[ImportRow]], Iterable[ImportRow]] = iter,
    staging_progress: Callable[[Sequence[ImportRow]], Iterable[ImportRow]] = iter,
) -> int:
    """Orders from CSV rows (one row per order line; rows of one reference make one
    order and must agree on its dates); the number of orders made. All rows are checked
    first and every bad one is reported with its line number: either the whole file is
    imported or nothing is. ``actor`` None is the command line (trusted).

    Nobody waits for a big import: the rows are checked without writing, then written to
    a staging table in short transactions of ``STAGING_BATCH`` rows (the database's write
    lock is free between them, so bookings go on), then published in one short
    transaction of two set-based inserts - the only moment the orders appear, all at
    once. A failure before or during publishing leaves no order behind, and the staged
    rows are removed."""
    if actor is not None:
        actor.require(Duty.RECORD_ORDERS)
    if not rows:
        raise ValidationFailed(_("The file has no order lines; nothing was imported."))
    today = today or contract.today()
    existing = set(Order.objects.filter(contract=contract).values_list("reference", flat=True))
    planned: dict[str, _Planned] = {}
    parsed: list[tuple[ImportRow, str, rules.Item, int]] = []
    problems: list[RowProblem] = []
    for row in progress(rows):
        try:
            reference, dates, item, quantity = _parse_row(row)
            if reference in existing:
                raise ReferenceTaken(
                    _("This contract already has an order %(reference)s."), reference=reference
                )
            known = planned.get(reference)
            if known is None:
                check_dates(dates, today)
                planned[reference] = _Planned(row.line, dates, [(item, quantity)])
            elif known.dates != dates:
                raise ValidationFailed(
                    _("The dates differ from line %(line)s of the same order %(reference)s."),
                    line=known.first_line,
                    reference=reference,
                )
            else:
                known.lines.append((item, quantity))
            parsed.append((row, reference, item, quantity))
        except SuccessKitError as refusal:
            problems.append(RowProblem(row.line, refusal.render_message()))
    if problems:
        raise OrderImportRejected(problems)
    batch = uuid.uuid4().hex
    try:
        _stage(contract, batch, parsed, planned, staging_progress)
        _publish(actor, contract, batch)
    finally:
        _unstage(batch)
    return len(planned)


def _stage(
    contract: Contract,
    batch: str,
    parsed: list[tuple[ImportRow, str, rules.Item, int]],
    planned: dict[str, _Planned],
    progress: Callable[[Sequence[ImportRow]], Iterable[ImportRow]],
) -> None:
    by_line = {row.line: (reference, item, quantity) for row, reference, item, quantity in parsed}
    pending: list[StagedOrderLine] = []
    for row in progress([row for row, *_rest in parsed]):
        reference, item, quantity = by_line[row.line]
        dates = planned[reference].dates
        pending.append(
            StagedOrderLine(
                batch=batch,
                contract_id=contract.pk,
                line=row.line,
                reference=reference,
                placed_on=dates.placed_on,
                shipped_on=dates.shipped_on,
                received_on=dates.received_on,
                sku=item.sku,
                size=item.size,
                colour=item.colour,
                quantity=quantity,
            )
        )
        if len(pending) >= STAGING_BATCH:
            with transaction.atomic():
                StagedOrderLine.objects.bulk_create(pending)
            pending = []
    if pending:
        with transaction.atomic():
            StagedOrderLine.objects.bulk_create(pending)


def _publish(actor: Actor | None, contract: Contract, batch: str) -> None:
    """Every staged order and line in one transaction, with two INSERT ... SELECT."""
    orders = Order._meta.db_table
    lines = OrderLine._meta.db_table
    staged = StagedOrderLine._meta.db_table
    by = actor.user.pk if actor is not None else None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The planner's idea of the staging table dates from when it was empty:
                # without fresh statistics it joins 100,000 staged lines by nested loops
                # over the whole table (minutes instead of seconds).
                cursor.execute(f"ANALYZE {staged}")
            cursor.execute(
                f"INSERT INTO {orders} (contract_id, reference, placed_on, shipped_on, "
                "received_on, created_by_id, created_at) "
                "SELECT contract_id, reference, MIN(placed_on), MIN(shipped_on), "
                f"MIN(received_on), %s, %s FROM {staged} WHERE batch = %s "
                "GROUP BY contract_id, reference ORDER BY MIN(line)",
                [by, connection.ops.adapt_datetimefield_value(timezone.now()), batch],
            )
            cursor.execute(
                f"INSERT INTO {lines} (order_id, sku, size, colour, quantity) "
                f"SELECT o.id, s.sku, s.size, s.colour, s.quantity FROM {staged} s "
                f"JOIN {orders} o ON o.contract_id = s.contract_id AND o.reference = s.reference "
                "WHERE s.batch = %s ORDER BY s.line",
                [batch],
            )
            _record_created(cursor, by, batch)
    except IntegrityError:
        # An order with one of these references was recorded meanwhile.
        raise ReferenceTaken(
            _("An order with one of these references was recorded meanwhile; nothing was imported.")
        ) from None


def _record_created(cursor: Any, by: int | None, batch: str) -> None:
    """The audit trail's "created" row of every imported order (as a form's save writes
    it), in the same transaction: one INSERT ... SELECT, whatever the batch's size."""
    orders = Order._meta.db_table
    staged = StagedOrderLine._meta.db_table
    historical = Order.history.model
    tracked = {field.column for field in Order._meta.concrete_fields}
    columns, values, params = [], [], []
    for field in historical._meta.concrete_fields:
        if field.column in tracked:
            columns.append(field.column)
            values.append(f"o.{field.column}")
        elif field.name in ("history_date", "history_type", "history_user"):
            columns.append(field.column)
            values.append("%s")
            params.append(
                {
                    "history_date": connection.ops.adapt_datetimefield_value(timezone.now()),
                    "history_type": "+",
                    "history_user": by,
                }[field.name]
            )
    cursor.execute(
        f"INSERT INTO {historical._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {orders} o WHERE o.id IN ("
        f"SELECT o2.id FROM {orders} o2 JOIN {staged} s ON o2.contract_id = s.contract_id "
        "AND o2.reference = s.reference WHERE s.batch = %s) ORDER BY o.id",
        [*params, batch],
    )


def _unstage(batch: str) -> None:
    while True:
        with transaction.atomic():
            ids = list(
                StagedOrderLine.objects.filter(batch=batch).values_list("pk", flat=True)[
                    :STAGING_BATCH
                ]
            )
            if not ids:
                return
            StagedOrderLine.objects.filter(pk__in=ids).delete()
