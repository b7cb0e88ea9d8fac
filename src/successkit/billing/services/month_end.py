"""Month-end: every contract's statement for a month, in short batches that a rerun
resumes without a gap or a second bill."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import (
    Q,
)
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Duty
from successkit.billing import rules
from successkit.billing.errors import NothingToBill
from successkit.billing.models import (
    Adjustment,
    Statement,
    StatementCounter,
    StatementLine,
)
from successkit.billing.services.lines import (
    BillableLine,
    bounded,
    contracts_with_unbilled,
    unbilled_line,
    unbilled_sessions,
)
from successkit.billing.services.statements import (
    COUNTER,
    issue_statement,
    lines_to_bill,
    mark_billed,
    with_lines,
)
from successkit.contracts.models import Contract
from successkit.core.errors import SuccessKitError, ValidationFailed
from successkit.outbox.services import publish

MONTH_END_CHUNK = 500
MONTH_END_BATCH = 50

_Planned = tuple[Contract, list[BillableLine], list[Adjustment]]
_Outcome = Statement | SuccessKitError


class MonthEnd:
    """Month-end for ``month`` (YYYY-MM): one statement per contract with something to
    bill (lines delivered in that month in the buyer's time zone, or pending
    corrections). Iterating issues them, yielding each contract with its statement or
    with the refusal that stopped it (a contract left with nothing to bill is skipped);
    ``len()`` is the number of contracts to go through.

    The lines of a round of contracts are read together; the statements of up to
    ``MONTH_END_BATCH`` contracts are written in one short transaction under the counter's
    lock, after leaving out whatever a statement issued meanwhile billed. An interrupted
    run keeps every batch it committed and loses the one it was writing whole (numbers
    included): run again, it issues only what is still unbilled, without a gap."""

    def __init__(self, actor: Actor | None, month: str) -> None:
        try:
            self.period = rules.month_period(month)
        except ValueError:
            raise ValidationFailed(
                _("%(value)s is not a month written YYYY-MM."),
                details={"field": "period"},
                value=month,
            ) from None
        if actor is not None:
            actor.require(Duty.BILL)
        self.actor = actor
        self.contract_ids = list(contracts_with_unbilled(self.period).values_list("pk", flat=True))

    def __len__(self) -> int:
        return len(self.contract_ids)

    def __iter__(self) -> Iterator[tuple[Contract, _Outcome]]:
        StatementCounter.objects.get_or_create(name=COUNTER)
        for first in range(0, len(self.contract_ids), MONTH_END_CHUNK):
            chunk = self.contract_ids[first : first + MONTH_END_CHUNK]
            contracts = Contract.objects.select_related("organization", "package").in_bulk(chunk)
            sessions = self._unbilled_lines(contracts)
            adjustments: dict[int, list[Adjustment]] = {}
            pending = Adjustment.objects.filter(contract__in=chunk, statement_lines__isnull=True)
            for adjustment in pending.order_by("id"):
                adjustments.setdefault(adjustment.contract_id, []).append(adjustment)
            for start in range(0, len(chunk), MONTH_END_BATCH):
                batch = [contracts[pk] for pk in chunk[start : start + MONTH_END_BATCH]]
                outcomes: dict[int, _Outcome] = {}
                planned: list[_Planned] = []
                for contract in batch:
                    plan = (
                        contract,
                        sessions.get(contract.pk, []),
                        adjustments.get(contract.pk, []),
                    )
                    try:
                        lines_to_bill(*plan, *self.period)  # refused before any write
                    except NothingToBill:
                        continue  # its unbilled lines fall just outside the month in its zone
                    except SuccessKitError as refusal:
                        outcomes[contract.pk] = refusal
                        continue
                    planned.append(plan)
                outcomes.update(self._issue(planned))
                for contract in batch:
                    if contract.pk in outcomes:
                        yield contract, outcomes[contract.pk]

    def _unbilled_lines(self, contracts: dict[int, Contract]) -> dict[int, list[BillableLine]]:
        """The unbilled lines of ``contracts`` delivered in the month (each in its
        buyer's time zone), in one query."""
        first, last = bounded(*self.period)
        lines: dict[int, list[BillableLine]] = {}
        rows = (
            unbilled_sessions()
            .filter(
                contract__in=list(contracts),
                # A day's margin each side in UTC, then the exact day in each time zone.
                starts_at__gte=datetime.combine(first - timedelta(days=1), time.min, UTC),
                starts_at__lt=datetime.combine(last + timedelta(days=2), time.min, UTC),
            )
            .order_by("starts_at", "id")
        )
        for session in rows:
            session.contract = contracts[session.contract_id]
            line = unbilled_line(session)
            if first <= line.delivered_on <= last:
                lines.setdefault(session.contract_id, []).append(line)
        return lines

    def _issue(self, planned: list[_Planned]) -> dict[int, _Outcome]:
        """The statements of ``planned``, in one transaction (or, should the database
        refuse a line, one by one through ``issue_statement``)."""
        if not planned:
            return {}
        try:
            with transaction.atomic():
                return self._write(planned)
        except IntegrityError:
            pass  # the last line of defence refused a line: each contract on its own
        outcomes: dict[int, _Outcome] = {}
        for contract, _lines, _adjustments in planned:
            try:
                outcomes[contract.pk] = issue_statement(
                    self.actor, contract, period_start=self.period[0], period_end=self.period[1]
                )
            except NothingToBill:
                continue
            except SuccessKitError as refusal:
                outcomes[contract.pk] = refusal
        return outcomes

    def _write(self, planned: list[_Planned]) -> dict[int, _Outcome]:
        counter = StatementCounter.objects.select_for_update().get(name=COUNTER)
        # Under the lock: what a statement issued since the lines were read has billed.
        sessions = [line.session.pk for _c, lines, _a in planned for line in lines]
        corrections = [
            adjustment.pk for _c, _l, adjustments in planned for adjustment in adjustments
        ]
        billed = StatementLine.objects.filter(
            Q(session__in=sessions) | Q(adjustment__in=corrections)
        ).values_list("session_id", "adjustment_id")
        billed_sessions = {session for session, _adjustment in billed}
        billed_adjustments = {adjustment for _session, adjustment in billed}
        issued: list[tuple[Statement, list[StatementLine]]] = []
        for contract, lines, adjustments in planned:
            try:
                rows = lines_to_bill(
                    contract,
                    [line for line in lines if line.session.pk not in billed_sessions],
                    [a for a in adjustments if a.pk not in billed_adjustments],
                    *self.period,
                )
            except NothingToBill:
                continue  # billed meanwhile
            counter.last_number += 1
            statement = Statement(
                number=counter.last_number,
                contract=contract,
                billed_to=contract.organization.name,
                period_start=self.period[0],
                period_end=self.period[1],
                currency=contract.currency,
                total=rules.total(row.amount for row in rows),
                issued_by=self.actor.user if self.actor is not None else None,
            )
            issued.append((statement, rows))
        counter.save(update_fields=["last_number"])
        Statement.objects.bulk_create([statement for statement, _rows in issued])
        for statement, rows in issued:
            for position, row in enumerate(rows, start=1):
                row.statement = statement
                row.position = position
        written = [row for _statement, rows in issued for row in rows]
        StatementLine.objects.bulk_create(written)
        mark_billed(written)
        for statement, rows in issued:
            publish("statement.issued", statement)
            with_lines(statement, rows)  # the command counts them
        return {statement.contract_id: statement for statement, _rows in issued}


def issue_statements_for_month(actor: Actor | None, month: str) -> MonthEnd:
    """Issue one statement per contract with something to bill in ``month`` (YYYY-MM):
    lines delivered in that month, or pending corrections (see ``MonthEnd``)."""
    return MonthEnd(actor, month)
