"""Billable lines: what a contract has delivered and not yet billed, at the price fixed
on each session, and the portfolio of contracts with unbilled lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import (
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext_lazy as _

from successkit.accounts.models import Organization
from successkit.billing import rules
from successkit.billing.models import (
    Adjustment,
    Statement,
    StatementLine,
)
from successkit.contracts.models import Contract
from successkit.contracts.rules import local_date
from successkit.engagements.models import TrainingSession
from successkit.engagements.rules import DELIVERED
from successkit.pricing.errors import NoRateInForce

# Sessions whose billable minutes are delivered (a no-show consumes what was booked).
BILLED_STATUSES = sorted(status.value for status in DELIVERED)
EARLIEST, LATEST = date(1900, 1, 1), date(9000, 12, 31)


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


def in_period(
    sessions: QuerySet[TrainingSession], timezone_name: str, start: date, end: date
) -> QuerySet[TrainingSession]:
    """Sessions delivered from ``start`` through ``end`` in the given time zone."""
    zone = ZoneInfo(timezone_name)
    first, last = bounded(start, end)
    since = datetime.combine(first, time.min, tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return sessions.filter(starts_at__gte=since, starts_at__lt=until)


def bounded(start: date, end: date) -> tuple[date, date]:
    """The period clipped to days an instant can be computed for (a period may be as wide
    as the calendar: nothing is delivered before EARLIEST or after LATEST)."""
    return max(start, EARLIEST), min(end, LATEST)


def unbilled_line(session: TrainingSession) -> BillableLine:
    """A delivered session's billable minutes at the price fixed at delivery (none only for
    a session delivered before prices were fixed at delivery without a rate in force)."""
    hourly_rate = session.hourly_rate
    amount = session.billable_amount if hourly_rate is not None else None
    return BillableLine(
        session, delivered_on(session), session.billable_minutes, hourly_rate, amount
    )


def unpriced(currency: str, day: date) -> NoRateInForce:
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


def pending_adjustments(contract: Contract) -> QuerySet[Adjustment]:
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
        unbilled_line(session)
        for session in unbilled_sessions()
        .filter(contract=contract)
        .select_related("contract__organization", "session_type")
        .prefetch_related("session_type__translations")
    ]
    lines = sorted(billed + unbilled, key=lambda line: (line.delivered_on, line.session.pk))
    for line in lines:
        if not line.priced:
            raise unpriced(contract.currency, line.delivered_on)
    return ContractBilling(contract, lines, list(pending_adjustments(contract)))


def _delivered_between(first: date, last: date, zones: Iterable[str], prefix: str = "") -> Q:
    """Sessions delivered from ``first`` through ``last`` in their organization's time
    zone: one instant range per zone of ``zones`` (a handful of zones, whatever the
    number of contracts)."""
    first, last = bounded(first, last)
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
    """Contracts with something for their next statement, oldest unbilled line first
    (``sort="age"``: ``unbilled_since``, the instant of each one's oldest, read from the
    index of unbilled lines; contracts with only corrections last) or by organization.
    Each comes with its representative and its package's names (for the page); a page's
    lines and corrections are read for its own contracts (``unbilled_of``)."""
    contracts = (
        contracts_with_unbilled()
        .select_related("representative")
        .prefetch_related("package__translations")
    )
    if sort == "organization":
        return contracts.order_by("organization__name", "id")
    oldest = (
        unbilled_sessions()
        .filter(contract=OuterRef("pk"))
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return contracts.annotate(
        unbilled_since=Subquery(oldest, output_field=DateTimeField())
    ).order_by(F("unbilled_since").asc(nulls_last=True), "organization__name", "id")


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
        lines[session.contract_id].append(unbilled_line(session))
    pending: dict[int, list[Adjustment]] = {contract.pk: [] for contract in contracts}
    for adjustment in Adjustment.objects.filter(
        contract__in=contracts, statement_lines__isnull=True
    ).order_by("id"):
        pending[adjustment.contract_id].append(adjustment)
    return {
        contract.pk: ContractBilling(contract, lines[contract.pk], pending[contract.pk])
        for contract in contracts
    }
