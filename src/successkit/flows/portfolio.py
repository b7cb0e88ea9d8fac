"""The portfolio cockpit: every visible contract with its pool, health checks, cases and
unbilled money, and what needs attention — in a constant number of queries whatever the
size of the book (subqueries for the counts and sums, one prefetch for the checks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, IntegerField, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from successkit.accounts.actors import Actor
from successkit.accounts.models import User
from successkit.accounts.roles import Role
from successkit.billing.services import BILLED_STATUSES
from successkit.catalog.services import current_version, localized
from successkit.contracts.models import Contract
from successkit.contracts.rules import local_date
from successkit.contracts.services import visible_contracts
from successkit.engagements.models import TrainingSession
from successkit.engagements.services import TrainingEntitlement, training_entitlement
from successkit.healthchecks import rules as checks
from successkit.healthchecks.models import HealthCheck
from successkit.support.models import Case
from successkit.support.rules import CaseStatus

ENDING_SOON_DAYS = 60
WINDOW_CLOSING_DAYS = 14
UNBILLED_OLD_DAYS = 30
OPEN_CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.WAITING_ON_BUYER, CaseStatus.ESCALATED)
SORTS = ("organization", "end", "left", "unbilled", "attention")


@dataclass
class Attention:
    """One thing to do on a contract; ``where`` names the page that resolves it."""

    kind: str  # overdue_sessions | checks_missed | checks_unscheduled | window_closing
    #            | ending_soon | escalated_cases | unbilled_old
    count: int
    where: str  # contract | health_checks | support | billing


@dataclass
class PortfolioRow:
    contract: Contract
    package_name: str
    phase: str
    training: TrainingEntitlement
    checks: checks.Tally
    next_check_due: date | None
    open_cases: int
    escalated_cases: int
    unbilled_amount: Decimal
    unbilled_since: date | None
    days_to_end: int
    attention: list[Attention] = field(default_factory=list)

    @property
    def unbilled_days(self) -> int | None:
        if self.unbilled_since is None:
            return None
        return (self.contract.today() - self.unbilled_since).days


def _count(queryset: object) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.values("contract")  # type: ignore[attr-defined]
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _annotated(actor: Actor) -> object:
    now = timezone.now()
    sessions = TrainingSession.objects.filter(contract=OuterRef("pk"))
    unbilled = sessions.filter(
        status__in=BILLED_STATUSES, billable_minutes__gt=0, statement_lines__isnull=True
    ).values("contract")
    cases = Case.objects.filter(contract=OuterRef("pk"))
    return (
        visible_contracts(actor)
        .select_related("training_pool", "representative")
        .prefetch_related("package__translations", "health_checks")
        .annotate(
            overdue_sessions=_count(sessions.filter(status="booked", starts_at__lt=now)),
            open_cases=_count(cases.filter(status__in=OPEN_CASE_STATUSES)),
            escalated_cases=_count(cases.filter(status=CaseStatus.ESCALATED)),
            unbilled_amount=Subquery(unbilled.annotate(s=Sum("billable_amount")).values("s")),
            unbilled_since=Subquery(unbilled.annotate(m=Min("starts_at")).values("m")),
        )
    )


def is_account_owner(actor: Actor) -> bool:
    """Account managers and CSMs see their own accounts first."""
    return actor.is_staff and bool(actor.roles & {Role.ACCOUNT_MANAGER, Role.CSM})


def portfolio(
    actor: Actor,
    *,
    mine: bool = False,
    package: str = "",
    phase: str = "",
    representative: int | None = None,
    search: str = "",
    attention_only: bool = False,
    sort: str = "attention",
) -> list[PortfolioRow]:
    actor.require_staff()
    contracts = _annotated(actor)
    if mine:
        contracts = contracts.filter(representative=actor.user)  # type: ignore[attr-defined]
    elif representative:
        contracts = contracts.filter(representative_id=representative)  # type: ignore[attr-defined]
    if package:
        contracts = contracts.filter(package__code=package)  # type: ignore[attr-defined]
    if search:
        contracts = contracts.filter(  # type: ignore[attr-defined]
            Q(organization__name__icontains=search) | Q(buyer_contact__user__name__icontains=search)
        )
    language = translation.get_language() or "en"
    rows = [_row(contract, language) for contract in contracts]  # type: ignore[attr-defined]
    if phase:
        rows = [row for row in rows if row.phase == phase]
    if attention_only:
        rows = [row for row in rows if row.attention]
    return _sorted(rows, sort)


def _row(contract: Contract, language: str) -> PortfolioRow:
    today = contract.today()
    training = training_entitlement(contract, today)
    statuses = [
        (check, checks.status_on(checks.HealthCheckState(check.state), check.period_end, today))
        for check in contract.health_checks.all()
    ]
    tally = checks.tally(status for _, status in statuses)
    due = sorted(
        check.period_start
        for check, status in statuses
        if status in (checks.HealthCheckStatus.DUE, checks.HealthCheckStatus.SCHEDULED)
    )
    unbilled_since = contract.unbilled_since  # type: ignore[attr-defined]
    row = PortfolioRow(
        contract=contract,
        package_name=localized(contract.package, language).name,
        phase=str(contract.phase(today)),
        training=training,
        checks=tally,
        next_check_due=due[0] if due else None,
        open_cases=contract.open_cases,  # type: ignore[attr-defined]
        escalated_cases=contract.escalated_cases,  # type: ignore[attr-defined]
        unbilled_amount=contract.unbilled_amount or Decimal("0"),  # type: ignore[attr-defined]
        unbilled_since=(
            local_date(unbilled_since, contract.organization.timezone) if unbilled_since else None
        ),
        days_to_end=(contract.end_date - today).days,
    )
    row.attention = _attention(row, contract, statuses, today)
    return row


def _attention(
    row: PortfolioRow,
    contract: Contract,
    statuses: list[tuple[HealthCheck, checks.HealthCheckStatus]],
    today: date,
) -> list[Attention]:
    found = []
    overdue = contract.overdue_sessions  # type: ignore[attr-defined]
    if overdue:
        found.append(Attention("overdue_sessions", overdue, "contract"))
    if row.checks.missed:
        found.append(Attention("checks_missed", row.checks.missed, "health_checks"))
    unscheduled = len(
        [
            check
            for check, status in statuses
            if status == checks.HealthCheckStatus.DUE and check.period_start <= today
        ]
    )
    if unscheduled:
        found.append(Attention("checks_unscheduled", unscheduled, "health_checks"))
    window = row.training.window
    if (
        row.training.remaining_minutes
        and window.end < contract.end_date
        and today <= window.end <= today + timedelta(days=WINDOW_CLOSING_DAYS)
    ):
        found.append(Attention("window_closing", row.training.remaining_minutes, "contract"))
    if row.phase == "active" and row.days_to_end <= ENDING_SOON_DAYS:
        found.append(Attention("ending_soon", row.days_to_end, "contract"))
    if row.escalated_cases:
        found.append(Attention("escalated_cases", row.escalated_cases, "support"))
    if row.unbilled_days is not None and row.unbilled_days > UNBILLED_OLD_DAYS:
        found.append(Attention("unbilled_old", row.unbilled_days, "billing"))
    return found


def _sorted(rows: list[PortfolioRow], sort: str) -> list[PortfolioRow]:
    keys = {
        "organization": lambda row: (row.contract.organization.name.lower(), row.contract.pk),
        "end": lambda row: (row.contract.end_date, row.contract.pk),
        "left": lambda row: (row.training.remaining_minutes, row.contract.pk),
        "unbilled": lambda row: (-row.unbilled_amount, row.contract.pk),
        "attention": lambda row: (-len(row.attention), row.contract.organization.name.lower()),
    }
    return sorted(rows, key=keys.get(sort, keys["attention"]))


def package_choices() -> list[tuple[str, str]]:
    """The packages of the current catalog, by code, named in the reader's language."""
    language = translation.get_language() or "en"
    packages = current_version().packages.prefetch_related("translations").order_by("pk")
    return [(package.code, localized(package, language).name) for package in packages]


def representative_choices() -> list[tuple[int, str]]:
    """Staff who represent accounts (account managers and CSMs)."""
    people = (
        User.objects.filter(
            is_staff=True,
            is_active=True,
            staff_roles__role__in=[Role.ACCOUNT_MANAGER, Role.CSM],
        )
        .distinct()
        .order_by("name")
    )
    return [(person.pk, person.name or person.email) for person in people]
