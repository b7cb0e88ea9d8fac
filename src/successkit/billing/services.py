"""Billing: billable lines, and statements that bill each minute once.

The price of billable minutes is fixed on the session when its delivery is recorded
(``engagements``, at the rate card's rate in force that day: ``pricing``); billing never
prices anything, it bills what was fixed. A completed or no-show session with billable
minutes is an *unbilled* line for as long as no statement line points at it. Issuing a
statement copies its lines (minutes, rate, amount as stored) in the same transaction that
takes the next statement number, under the counter's row lock. Two guards keep a minute from
being billed twice: that lock serializes every issue, and the database's unique
constraint allows one statement line per session whatever the code does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    DateTimeField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import Organization
from successkit.accounts.roles import Duty
from successkit.billing import rules
from successkit.billing.errors import AlreadyBilled, NothingToBill
from successkit.billing.models import (
    Adjustment,
    Statement,
    StatementCounter,
    StatementLine,
)
from successkit.contracts.models import Contract
from successkit.contracts.rules import local_date
from successkit.core.errors import SuccessKitError, ValidationFailed
from successkit.engagements.models import TrainingSession
from successkit.engagements.rules import DELIVERED
from successkit.outbox.services import publish
from successkit.pricing.errors import NoRateInForce
from successkit.pricing.models import HourlyRate

# Who issues statements and records corrections.
MAX_ADJUSTMENT = Decimal("999999999999.99")
MAX_REASON = 500
# Sessions whose billable minutes are delivered (a no-show consumes what was booked).
BILLED_STATUSES = sorted(status.value for status in DELIVERED)
COUNTER = "statements"
EARLIEST, LATEST = date(1900, 1, 1), date(9000, 12, 31)


# --- refusals ---------------------------------------------------------------------------


# --- billable lines ---------------------------------------------------------------------


@dataclass(frozen=True)
class BillableLine:
    """A session's billable minutes: billed (frozen on a statement) or not yet.

    An unbilled line on a day without a rate in force has no rate nor amount: it cannot
    be billed until a rate is set (never priced at zero)."""

    session: TrainingSession
    delivered_on: date
    minutes: int
    hourly_rate: Decimal | None
    amount: Decimal | None
    statement: Statement | None = None

    @property
    def billed(self) -> bool:
        return self.statement is not None

    @property
    def priced(self) -> bool:
        return self.amount is not None


@dataclass(frozen=True)
class ContractBilling:
    """Every billable line of a contract, billed or not, with the pending corrections."""

    contract: Contract
    lines: list[BillableLine]
    pending_adjustments: list[Adjustment] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.contract.currency

    @property
    def unbilled(self) -> list[BillableLine]:
        return [line for line in self.lines if not line.billed]

    @property
    def unpriced(self) -> list[BillableLine]:
        return [line for line in self.lines if not line.priced]

    @property
    def billed_total(self) -> Decimal:
        return rules.total(
            line.amount for line in self.lines if line.billed and line.amount is not None
        )

    @property
    def unbilled_total(self) -> Decimal:
        return rules.total(line.amount for line in self.unbilled if line.amount is not None)

    @property
    def total(self) -> Decimal:
        return self.billed_total + self.unbilled_total

    @property
    def pending_adjustments_total(self) -> Decimal:
        return rules.total(adjustment.amount for adjustment in self.pending_adjustments)


def delivered_on(session: TrainingSession) -> date:
    """The day the session was delivered, in the buyer organization's time zone."""
    return local_date(session.starts_at, session.contract.organization.timezone)


def unbilled_sessions() -> QuerySet[TrainingSession]:
    """The unbilled lines' sessions: delivered, billable, not billed. Read by ``billed``
    (the index of unbilled lines), not by looking for each delivered session's statement
    line; issuing asks the statement lines too."""
    # billed IN (false): an equality an index can read; billed=False is written NOT billed.
    return TrainingSession.objects.filter(
        status__in=BILLED_STATUSES, billable_minutes__gt=0, billed__in=[False]
    )


def _in_period(
    sessions: QuerySet[TrainingSession], timezone_name: str, start: date, end: date
) -> QuerySet[TrainingSession]:
    """Sessions delivered from ``start`` through ``end`` in the given time zone."""
    zone = ZoneInfo(timezone_name)
    first, last = _bounded(start, end)
    since = datetime.combine(first, time.min, tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return sessions.filter(starts_at__gte=since, starts_at__lt=until)


def _bounded(start: date, end: date) -> tuple[date, date]:
    """The period clipped to days an instant can be computed for (a period may be as wide
    as the calendar: nothing is delivered before EARLIEST or after LATEST)."""
    return max(start, EARLIEST), min(end, LATEST)


def _unbilled_line(session: TrainingSession) -> BillableLine:
    """A delivered session's billable minutes at the price fixed at delivery (none only for
    a session delivered before prices were fixed at delivery without a rate in force)."""
    hourly_rate = session.hourly_rate
    amount = session.billable_amount if hourly_rate is not None else None
    return BillableLine(
        session, delivered_on(session), session.billable_minutes, hourly_rate, amount
    )


def _unpriced(currency: str, day: date) -> NoRateInForce:
    return NoRateInForce(
        _("No hourly rate in %(currency)s is in force on %(day)s."),
        details={"currency": currency, "day": day.isoformat()},
        currency=currency,
        day=day,
    )


def _billed_line(line: StatementLine) -> BillableLine:
    assert line.session is not None and line.minutes is not None and line.delivered_on
    return BillableLine(
        line.session, line.delivered_on, line.minutes, line.hourly_rate, line.amount, line.statement
    )


def _pending_adjustments(contract: Contract) -> QuerySet[Adjustment]:
    return contract.adjustments.filter(statement_lines__isnull=True).order_by("id")


def contract_billing(contract: Contract) -> ContractBilling:
    """The contract's billable lines, billed or not, each at the price fixed at delivery
    (``no_rate_in_force`` for a line delivered without a price)."""
    billed = [
        _billed_line(line)
        for line in StatementLine.objects.filter(
            statement__contract=contract, kind=StatementLine.Kind.SESSION
        )
        .select_related("statement", "session__contract__organization", "session__session_type")
        # Each line names its session's type in the reader's language: one query for all.
        .prefetch_related("session__session_type__translations")
    ]
    unbilled = [
        _unbilled_line(session)
        for session in unbilled_sessions()
        .filter(contract=contract)
        .select_related("contract__organization", "session_type")
        .prefetch_related("session_type__translations")
    ]
    lines = sorted(billed + unbilled, key=lambda line: (line.delivered_on, line.session.pk))
    for line in lines:
        if not line.priced:
            raise _unpriced(contract.currency, line.delivered_on)
    return ContractBilling(contract, lines, list(_pending_adjustments(contract)))


def _delivered_between(first: date, last: date, zones: Iterable[str], prefix: str = "") -> Q:
    """Sessions delivered from ``first`` through ``last`` in their organization's time
    zone: one instant range per zone of ``zones`` (a handful of zones, whatever the
    number of contracts)."""
    first, last = _bounded(first, last)
    matches = Q(pk__in=[])
    for zone_name in sorted(set(zones)):
        zone = ZoneInfo(zone_name)
        matches |= Q(
            **{
                f"{prefix}contract__organization__timezone": zone_name,
                f"{prefix}starts_at__gte": datetime.combine(first, time.min, tzinfo=zone),
                f"{prefix}starts_at__lt": datetime.combine(
                    last + timedelta(days=1), time.min, tzinfo=zone
                ),
            }
        )
    return matches


def _zones() -> list[str]:
    return list(Organization.objects.order_by().values_list("timezone", flat=True).distinct())


def contracts_with_unbilled(period: tuple[date, date] | None = None) -> QuerySet[Contract]:
    """Contracts with something for their next statement: an unbilled line (delivered in
    ``period``, if given, in the buyer's time zone) or a pending correction. Decided in
    the database: the portfolio never passes through memory."""
    sessions = unbilled_sessions()
    if period is not None:
        sessions = sessions.filter(_delivered_between(*period, _zones()))
    pending = Adjustment.objects.filter(statement_lines__isnull=True)
    return (
        Contract.objects.filter(
            Q(pk__in=sessions.values("contract")) | Q(pk__in=pending.values("contract"))
        )
        .select_related("organization", "package")
        .order_by("organization__name", "id")
    )


def unbilled_portfolio(sort: str = "age") -> QuerySet[Contract]:
    """Contracts with something for their next statement, each annotated with its
    unbilled lines (``unbilled_lines``, ``unbilled_amount``), the instants of its oldest
    and newest (``unbilled_since``, ``unbilled_until``) and its pending corrections
    (``pending_total``); oldest unbilled line first (``sort="age"``) or by organization.
    Each comes with its representative and its package's names (for the page)."""
    sessions = unbilled_sessions().filter(contract=OuterRef("pk")).order_by().values("contract")
    pending = (
        Adjustment.objects.filter(contract=OuterRef("pk"), statement_lines__isnull=True)
        .order_by()
        .values("contract")
    )

    def of(queryset: QuerySet[Any], aggregate: Any, output: Any) -> Subquery:
        return Subquery(queryset.annotate(value=aggregate).values("value"), output_field=output)

    money = DecimalField(max_digits=14, decimal_places=2)
    contracts = contracts_with_unbilled().annotate(
        unbilled_lines=Coalesce(of(sessions, Count("pk"), IntegerField()), Value(0)),
        unbilled_amount=of(sessions, Sum("billable_amount"), money),
        unbilled_since=of(sessions, Min("starts_at"), DateTimeField()),
        unbilled_until=of(sessions, Max("starts_at"), DateTimeField()),
        pending_total=of(pending, Sum("amount"), money),
    )
    contracts = contracts.select_related("representative").prefetch_related("package__translations")
    if sort == "organization":
        return contracts.order_by("organization__name", "id")
    return contracts.order_by(F("unbilled_since").asc(nulls_last=True), "organization__name", "id")


def unbilled(contract: Contract, period: tuple[date, date] | None = None) -> ContractBilling:
    """What the contract would be billed now (in ``period``, if given): unbilled lines
    at the price fixed at delivery, and the corrections the next statement carries."""
    return unbilled_of([contract], period)[contract.pk]


def unbilled_of(
    contracts: Iterable[Contract], period: tuple[date, date] | None = None
) -> dict[int, ContractBilling]:
    """``unbilled`` for several contracts (a page of them) in two queries: their lines and
    their pending corrections."""
    contracts = list(contracts)
    sessions = unbilled_sessions().filter(contract__in=contracts)
    if period is not None:
        zones = {contract.organization.timezone for contract in contracts}
        sessions = sessions.filter(_delivered_between(*period, zones))
    lines: dict[int, list[BillableLine]] = {contract.pk: [] for contract in contracts}
    for session in (
        sessions.select_related("contract__organization", "session_type", "staff")
        .prefetch_related("session_type__translations")
        .order_by("starts_at", "id")
    ):
        lines[session.contract_id].append(_unbilled_line(session))
    pending: dict[int, list[Adjustment]] = {contract.pk: [] for contract in contracts}
    for adjustment in Adjustment.objects.filter(
        contract__in=contracts, statement_lines__isnull=True
    ).order_by("id"):
        pending[adjustment.contract_id].append(adjustment)
    return {
        contract.pk: ContractBilling(contract, lines[contract.pk], pending[contract.pk])
        for contract in contracts
    }


# --- statements -------------------------------------------------------------------------


def visible_statements(actor: Actor) -> QuerySet[Statement]:
    return actor.scope(
        Statement.objects.select_related("contract__organization", "contract__package"),
        "contract__organization",
    )


def statement_for(actor: Actor, statement_id: int) -> Statement:
    """A statement the actor may see (staff, or a contact of its organization), or
    ``not_found``."""
    return actor.get(visible_statements(actor), statement_id, "contract__organization")


def statements_of(actor: Actor) -> QuerySet[Statement]:
    """The statements the actor may read, newest first."""
    return visible_statements(actor).order_by("-number")


def contract_statements(contract: Contract) -> QuerySet[Statement]:
    """A contract's statements, newest first."""
    return (
        Statement.objects.filter(contract=contract)
        .select_related("contract__organization")
        .order_by("-number")
    )


def corrections_of(statement: Statement) -> list[tuple[Adjustment, Statement | None]]:
    """The corrections of ``statement``, each with the statement that billed it (if any
    yet), oldest first."""
    return [
        (adjustment, adjustment_statement(adjustment))
        for adjustment in statement.corrections.select_related("corrects_line").order_by("id")
    ]


def line_positions(statement: Statement) -> list[tuple[int, int]]:
    """The id and position of each of the statement's lines, in order."""
    return list(statement.lines.order_by("position").values_list("pk", "position"))


def statement_lines(statement: Statement) -> list[StatementLine]:
    return list(
        statement.lines.select_related(
            "session__session_type",
            "session__contract__organization",
            "adjustment__corrects_statement",
            "adjustment__corrects_line",
        )
        .prefetch_related(
            "session__acceptances__accepted_by", "session__acceptances__on_behalf_of__user"
        )
        .order_by("position")
    )


def rate_card(actor: Actor) -> QuerySet[HourlyRate]:
    """Every rate of the rate card (staff), by currency and day."""
    actor.require_staff()
    return HourlyRate.objects.order_by("currency", "effective_from", "id")


def clean_period(period_start: date, period_end: date) -> tuple[date, date]:
    if not rules.period_is_valid(period_start, period_end):
        raise ValidationFailed(
            _("The period must not end before it starts."), details={"field": "period_end"}
        )
    return period_start, period_end


def _locked_counter() -> StatementCounter:
    """The statement counter row, locked until the issuing transaction ends (SQLite's
    IMMEDIATE transactions already hold the database's write lock)."""
    StatementCounter.objects.get_or_create(name=COUNTER)
    return StatementCounter.objects.select_for_update().get(name=COUNTER)


@transaction.atomic
def issue_statement(
    actor: Actor | None, contract: Contract, *, period_start: date, period_end: date
) -> Statement:
    """Bill the contract's unbilled lines delivered from ``period_start`` through
    ``period_end`` (inclusive), plus its pending corrections, on a new statement.

    ``actor`` None is the command line (trusted). Refused, writing nothing, when a line
    has no rate in force (``no_rate_in_force``) or there is nothing to bill
    (``nothing_to_bill``)."""
    if actor is not None:
        actor.require(Duty.BILL)
    clean_period(period_start, period_end)
    counter = _locked_counter()
    # Read under the lock: a statement issued concurrently has committed its lines by now.
    sessions = list(
        _in_period(
            unbilled_sessions().filter(contract=contract, statement_lines__isnull=True),
            contract.organization.timezone,
            period_start,
            period_end,
        )
        .select_related("contract__organization")
        .order_by("starts_at", "id")
    )
    priced = [_unbilled_line(session) for session in sessions]
    adjustments = list(_pending_adjustments(contract))
    lines = _statement_lines(contract, priced, adjustments, period_start, period_end)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return _save_statement(actor, contract, counter.last_number, lines, period_start, period_end)


def _statement_lines(
    contract: Contract,
    priced: list[BillableLine],
    adjustments: list[Adjustment],
    period_start: date,
    period_end: date,
) -> list[StatementLine]:
    """The lines of the contract's next statement, unsaved: its unbilled session lines as
    fixed at delivery, then its pending corrections. Refuses (writing nothing) a line
    without a price, or nothing to bill."""
    for billed in priced:
        if not billed.priced:  # no_rate_in_force: nothing written
            raise _unpriced(contract.currency, billed.delivered_on)
    if not priced and not adjustments:
        raise NothingToBill(
            _("There is nothing to bill for this contract from %(start)s to %(end)s."),
            start=period_start,
            end=period_end,
        )
    return [
        # Billed exactly as fixed on the session at delivery (SPEC.md §5).
        StatementLine(
            kind=StatementLine.Kind.SESSION,
            session=billed.session,
            delivered_on=billed.delivered_on,
            minutes=billed.minutes,
            hourly_rate=billed.hourly_rate,
            amount=billed.amount,
        )
        for billed in priced
        if billed.amount is not None
    ] + [
        StatementLine(
            kind=StatementLine.Kind.ADJUSTMENT, adjustment=adjustment, amount=adjustment.amount
        )
        for adjustment in adjustments
    ]


def _save_statement(
    actor: Actor | None,
    contract: Contract,
    number: int,
    lines: list[StatementLine],
    period_start: date,
    period_end: date,
) -> Statement:
    """Write statement ``number`` with its lines, inside the transaction that took the
    number (so a refusal here gives the number back)."""
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                number=number,
                contract=contract,
                billed_to=contract.organization.name,
                period_start=period_start,
                period_end=period_end,
                currency=contract.currency,
                total=rules.total(line.amount for line in lines),
                issued_by=actor.user if actor is not None else None,
            )
            for position, line in enumerate(lines, start=1):
                line.statement = statement
                line.position = position
            StatementLine.objects.bulk_create(lines)
            _mark_billed(lines)
    except IntegrityError:
        # The database's one-line-per-session guard: a statement issued meanwhile billed
        # these minutes (month-end reads its lines before the lock), kept as the last line
        # of defence.
        raise AlreadyBilled() from None
    publish("statement.issued", statement)
    return statement


def _mark_billed(lines: Iterable[StatementLine]) -> None:
    """The sessions ``lines`` bill are billed (``TrainingSession.billed``), in the
    transaction that writes the lines: the unbilled lines are read by that flag."""
    sessions = [line.session_id for line in lines if line.session_id is not None]
    if sessions:
        TrainingSession.objects.filter(pk__in=sessions).update(billed=True)


def billed_mismatches() -> list[int]:
    """The sessions whose ``billed`` flag disagrees with their statement lines (none, when
    every writer of lines keeps it): ``successkit check_billed`` reports them."""
    lines = StatementLine.objects.filter(session=OuterRef("pk"))
    return list(
        TrainingSession.objects.annotate(on_statement=Exists(lines))
        .exclude(billed=F("on_statement"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _with_lines(statement: Statement, lines: list[StatementLine]) -> Statement:
    """``statement`` with ``lines`` as its prefetched lines (as ``prefetch_related`` leaves
    them): counting or listing them asks no query."""
    queryset = statement.lines.all()
    queryset._result_cache = lines
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    statement._prefetched_objects_cache = {"lines": queryset}  # type: ignore[attr-defined]
    return statement


# --- month-end ----------------------------------------------------------------------------

# Month-end reads the lines of this many contracts at once, and issues up to this many
# statements per transaction.
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
                        _statement_lines(*plan, *self.period)  # refused before any write
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
        first, last = _bounded(*self.period)
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
            line = _unbilled_line(session)
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
                rows = _statement_lines(
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
        _mark_billed(written)
        for statement, rows in issued:
            publish("statement.issued", statement)
            _with_lines(statement, rows)  # the command counts them
        return {statement.contract_id: statement for statement, _rows in issued}


def issue_statements_for_month(actor: Actor | None, month: str) -> MonthEnd:
    """Issue one statement per contract with something to bill in ``month`` (YYYY-MM):
    lines delivered in that month, or pending corrections (see ``MonthEnd``)."""
    return MonthEnd(actor, month)


# --- corrections ------------------------------------------------------------------------


def clean_adjustment_amount(value: Decimal | str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal("NaN")
    if (
        not amount.is_finite()
        or amount == 0
        or abs(amount) > MAX_ADJUSTMENT
        or amount != amount.quantize(rules.CENT)
    ):
        raise ValidationFailed(
            _(
                "The amount must be a non-zero amount with at most two decimals: negative for "
                "a credit, positive for a debit."
            ),
            details={"field": "amount"},
        )
    return amount


@transaction.atomic
def record_adjustment(
    actor: Actor | None,
    statement: Statement,
    *,
    amount: Decimal | str,
    reason: str,
    line_id: int | None = None,
) -> Adjustment:
    """A correction of ``statement`` (or of one of its lines), billed on the contract's
    next statement. The issued statement itself never changes."""
    if actor is not None:
        actor.require(Duty.BILL)
    value = clean_adjustment_amount(amount)
    text = " ".join(reason.split())
    if not text or len(text) > MAX_REASON:
        raise ValidationFailed(
            _("Give the reason for the correction (at most %(max)s characters)."),
            details={"field": "reason"},
            max=MAX_REASON,
        )
    line = None
    if line_id is not None:
        line = StatementLine.objects.filter(pk=line_id, statement=statement).first()
        if line is None:
            raise ValidationFailed(
                _("Line %(id)s is not a line of statement %(number)s."),
                details={"field": "line_id"},
                id=line_id,
                number=statement.code,
            )
    return Adjustment.objects.create(
        contract=statement.contract,
        corrects_statement=statement,
        corrects_line=line,
        amount=value,
        reason=text,
        created_by=actor.user if actor is not None else None,
    )


def contract_adjustments(contract: Contract) -> QuerySet[Adjustment]:
    """A contract's corrections, pending and billed, oldest first."""
    return contract.adjustments.select_related("contract", "corrects_statement").order_by("id")


def adjustment_statement(adjustment: Adjustment) -> Statement | None:
    """The statement that billed ``adjustment``, if any yet."""
    line = adjustment.statement_lines.select_related("statement").first()
    return line.statement if line is not None else None
