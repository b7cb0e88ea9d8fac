"""The portfolio cockpit: every visible contract with its pool, health checks, cases and
unbilled money, and what needs attention — in a constant number of queries whatever the
size of the book (subqueries for the counts and sums, one prefetch for the checks)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone, translation

from successkit.accounts.actors import Actor
from successkit.accounts.models import User
from successkit.accounts.roles import Role
from successkit.billing.services import unbilled_sessions
from successkit.catalog.services import LocalizedText, current_version, localized
from successkit.contracts.models import Contract
from successkit.contracts.rules import ContractPhase, local_date
from successkit.contracts.services import Calendar, visible_contracts
from successkit.engagements.models import TrainingSession
from successkit.engagements.services import TrainingEntitlement, training_entitlement
from successkit.healthchecks import rules as checks
from successkit.healthchecks.models import HealthCheck
from successkit.healthchecks.services import health_check_tally
from successkit.support import services as support
from successkit.support.models import Case as SupportCase
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


def _count(queryset: QuerySet[Any]) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values("contract").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _member(rows: QuerySet[Any]) -> Case:
    """1 for the contracts that some of ``rows`` (sessions, checks, cases) belong to."""
    return _flag(Q(pk__in=rows.order_by().values("contract_id")))


def _zoned_member(sure: QuerySet[Any], between: QuerySet[Any], *, zoned: bool) -> Case:
    """1 for the contracts that some of ``sure`` (rows past a bound in every time zone:
    no join needed) or of ``between`` (rows tested in their contract's zone, only when
    the buyers' todays differ: ``zoned``) belong to."""
    member = Q(pk__in=sure.order_by().values("contract_id"))
    if zoned:
        member |= Q(pk__in=between.order_by().values("contract_id"))
    return _flag(member)


def _annotated(
    contracts: QuerySet[Contract], calendar: Calendar, *, whole_book: bool
) -> QuerySet[Contract]:
    """The contracts with what the cockpit shows, filters and sorts on, computed by the
    database: the counts, sums and each attention item's condition.

    The counts are subqueries run once per contract: cheap for a page of rows, not for
    ranking the whole book. With ``whole_book`` each item's flag asks instead whether the
    contract is among those the item's rows name: one uncorrelated subquery per item,
    which the database runs once for all contracts (a hashed set), and the counts are
    left out (``rows_of`` reads them for the contracts it shows); without it, an item is
    found from its count (``_attention``: cheaper for a few contracts than scanning every
    row of the item)."""
    now = calendar.now
    sessions = TrainingSession.objects.filter(contract=OuterRef("pk"))
    unbilled = unbilled_sessions().filter(contract=OuterRef("pk")).values("contract")
    cases = SupportCase.objects.filter(contract=OuterRef("pk"))
    checks_of = HealthCheck.objects.filter(contract=OuterRef("pk"))
    open_checks = checks_of.exclude(state=checks.HealthCheckState.COMPLETED)
    available = (
        F("package__training_minutes")
        - Coalesce(F("training_pool__reserved_minutes"), Value(0))
        - Coalesce(F("training_pool__used_minutes"), Value(0))
    )
    contracts = contracts.select_related(
        "training_pool", "representative", "organization", "package"
    ).annotate(
        local_today=calendar.day(),
        window_end=F("training_window_end"),
        unbilled_amount=Subquery(
            unbilled.order_by().annotate(s=Sum("billable_amount")).values("s")
        ),
    )
    if not whole_book:
        # What a row shows and counts: for the few contracts of a page only (the whole
        # book's ranking reads none of it, and building it costs the ORM's time).
        contracts = contracts.annotate(
            overdue_sessions=_count(sessions.filter(status="booked", starts_at__lt=now)),
            open_cases=_count(cases.filter(status__in=OPEN_CASE_STATUSES)),
            escalated_cases=_count(cases.filter(status=CaseStatus.ESCALATED)),
            unbilled_since=Subquery(
                unbilled.order_by().annotate(m=Min("starts_at")).values("m"),
                output_field=DateTimeField(),
            ),
            checks_missed=_count(open_checks.filter(period_end__lt=OuterRef("local_today"))),
            checks_unscheduled=_count(
                checks_of.filter(
                    state=checks.HealthCheckState.DUE,
                    period_start__lte=OuterRef("local_today"),
                    period_end__gte=OuterRef("local_today"),
                )
            ),
        )
    contracts = (
        contracts.annotate(
            in_window=_flag(
                Q(start_date__lte=F("local_today")) & Q(window_end__gte=F("local_today"))
            ),
        )
        .alias(available=available)
        .annotate(
            remaining_minutes=Case(
                When(Q(in_window=1) & Q(available__gt=0), then=F("available")),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )
    contracts = contracts.annotate(
        phase_code=Case(
            When(start_date__gt=F("local_today"), then=Value(ContractPhase.UPCOMING.value)),
            When(end_date__lt=F("local_today"), then=Value(ContractPhase.ENDED.value)),
            default=Value(ContractPhase.ACTIVE.value),
            output_field=CharField(),
        ),
        # Plain bounds first (the earliest and latest of the buyers' todays): most
        # contracts fail them, and the test per time zone is not evaluated for those.
        attention_window=_flag(
            Q(window_end__lte=calendar.latest_day(WINDOW_CLOSING_DAYS))
            & Q(window_end__gte=calendar.earliest_day())
            & Q(remaining_minutes__gt=0)
            & Q(window_end__lt=F("end_date"))
            & Q(window_end__gte=F("local_today"))
            & Q(window_end__lte=calendar.day(WINDOW_CLOSING_DAYS))
        ),
        attention_ending=_flag(
            Q(end_date__lte=calendar.latest_day(ENDING_SOON_DAYS))
            & Q(end_date__gte=calendar.earliest_day())
            & Q(start_date__lte=F("local_today"))
            & Q(end_date__gte=F("local_today"))
            & Q(end_date__lte=calendar.day(ENDING_SOON_DAYS))
        ),
    )
    if whole_book:
        # Each exact test per time zone comes with a plain bound every zone keeps (the
        # latest or earliest of the buyers' todays), which an index reads first. A missed
        # check is split in two: those missed in every zone (no join), and the few that
        # end between the earliest and the latest today, tested in their contract's zone.
        open_states = [
            s.value for s in checks.HealthCheckState if s != checks.HealthCheckState.COMPLETED
        ]
        earliest, latest = calendar.earliest_day(), calendar.latest_day()
        due = HealthCheck.objects.filter(state=checks.HealthCheckState.DUE)
        contracts = contracts.annotate(
            attention_overdue=_member(
                TrainingSession.objects.filter(status="booked", starts_at__lt=now)
            ),
            attention_missed=_zoned_member(
                HealthCheck.objects.filter(state__in=open_states, period_end__lt=earliest),
                HealthCheck.objects.filter(
                    state__in=open_states, period_end__gte=earliest, period_end__lt=latest
                ).filter(period_end__lt=calendar.day(path="contract__")),
                zoned=earliest < latest,
            ),
            attention_unscheduled=_member(
                due.filter(period_start__lte=latest, period_end__gte=earliest).filter(
                    period_start__lte=calendar.day(path="contract__"),
                    period_end__gte=calendar.day(path="contract__"),
                )
            ),
            attention_escalated=_member(SupportCase.objects.filter(status=CaseStatus.ESCALATED)),
            # The sum per contract, asked only of the contracts with an unbilled line.
            unbilled_order=Case(
                When(
                    pk__in=unbilled_sessions().values("contract_id"),
                    then=Coalesce("unbilled_amount", Value(Decimal("0"))),
                ),
                default=Value(Decimal("0")),
            ),
            # More than UNBILLED_OLD_DAYS days between the oldest line's day and today.
            attention_unbilled=_member(
                unbilled_sessions()
                .filter(starts_at__lt=calendar.latest_midnight(-UNBILLED_OLD_DAYS))
                .filter(starts_at__lt=calendar.midnight(-UNBILLED_OLD_DAYS, path="contract__"))
            ),
        )
        return contracts.annotate(
            attention_count=F("attention_overdue")
            + F("attention_missed")
            + F("attention_unscheduled")
            + F("attention_window")
            + F("attention_ending")
            + F("attention_escalated")
            + F("attention_unbilled")
        )
    # A few contracts: each item that counts rows is found from its count (``_attention``).
    return contracts


def calendar() -> Calendar:
    """The buyers' todays, read once for a page (``portfolio``, ``page_and_attention``)."""
    return Calendar.current()


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
    calendar: Calendar | None = None,
) -> QuerySet[Contract]:
    """The visible contracts the filters keep, in the order asked for: filtered, sorted
    and counted by the database. ``rows_of`` turns a page of them into rows. ``calendar``:
    the buyers' todays, when the caller reads them once for the whole page."""
    actor.require_staff()
    calendar = calendar or Calendar.current()
    contracts = _annotated(visible_contracts(actor), calendar, whole_book=True)
    if mine:
        contracts = contracts.filter(representative=actor.user)
    elif representative:
        contracts = contracts.filter(representative_id=representative)
    if package:
        contracts = contracts.filter(package__code=package)
    if search:
        contracts = contracts.filter(
            Q(organization__name__icontains=search) | Q(buyer_contact__user__name__icontains=search)
        )
    if phase in {item.value for item in ContractPhase}:
        # Each phase's plain bounds first (an index reads them), then the exact test.
        earliest, latest = calendar.earliest_day(), calendar.latest_day()
        bounds = {
            ContractPhase.UPCOMING.value: Q(start_date__gt=earliest),
            ContractPhase.ACTIVE.value: Q(start_date__lte=latest, end_date__gte=earliest),
            ContractPhase.ENDED.value: Q(end_date__lt=latest),
        }
        contracts = contracts.filter(bounds[phase]).filter(**{"phase_code": phase})
    elif phase:
        contracts = contracts.none()
    if attention_only:
        contracts = contracts.filter(**{"attention_count__gt": 0})
    return contracts.order_by(*_ordering(sort))


def _ordering(sort: str) -> list[Any]:
    # Ties fall back on the contracts' own order (newest start first), as before.
    tail = ["-start_date", "id"]
    name = Lower("organization__name")
    orders: dict[str, list[Any]] = {
        "organization": [name.asc(), "id"],
        "end": ["end_date", "id"],
        "left": ["remaining_minutes", "id"],
        "unbilled": [F("unbilled_order").desc(), "id"],
        "attention": [F("attention_count").desc(), name.asc(), *tail],
    }
    return orders.get(sort, orders["attention"])


def rows_of(contracts: Iterable[Contract]) -> list[PortfolioRow]:
    """Rows for contracts of ``portfolio`` (a page of them: their counts, health checks
    and package names are read in one query each)."""
    contracts = list(contracts)
    if contracts and not hasattr(contracts[0], "checks_missed"):
        # The whole book's contracts come without their counts: read them for these.
        return rows_for(Contract.objects.none(), [contract.pk for contract in contracts])
    prefetch_related_objects(contracts, "package__translations", "health_checks")
    language = translation.get_language() or "en"
    return [_row(contract, language) for contract in contracts]


def rows_in_chunks(contracts: QuerySet[Contract], size: int) -> Iterator[PortfolioRow]:
    """The rows of the whole filtered portfolio, read ``size`` contracts at a time (their
    health checks with them): memory holds one chunk, however large the book is."""
    chunk: list[int] = []
    for pk in contracts.values_list("pk", flat=True).iterator(chunk_size=size):
        chunk.append(pk)
        if len(chunk) == size:
            yield from rows_for(contracts, chunk)
            chunk = []
    yield from rows_for(contracts, chunk)


def ranked(contracts: QuerySet[Contract]) -> list[tuple[int, int]]:
    """One pass of the database over the filtered portfolio: each contract's id and how
    many things need attention on it, in the portfolio's order. The page and the
    attention list are then read for their few contracts only (``rows_for``)."""
    return list(contracts.values_list("pk", *["attention_count"]))


def rows_for(
    contracts: QuerySet[Contract], ids: list[int], calendar: Calendar | None = None
) -> list[PortfolioRow]:
    """Rows for the contracts ``ids`` of ``portfolio``, in that order: read with each
    item's count, for these few contracts only."""
    few = _annotated(
        Contract.objects.filter(pk__in=ids), calendar or Calendar.current(), whole_book=False
    )
    found = {contract.pk: contract for contract in few}
    return rows_of(found[pk] for pk in ids if pk in found)


def attention_list(
    contracts: QuerySet[Contract], order: list[tuple[int, int]], limit: int = 30
) -> list[tuple[PortfolioRow, Attention]]:
    """The first ``limit`` things to do, contract by contract in the portfolio's order
    (``order``: from ``ranked``)."""
    return page_and_attention(contracts, order, [], limit)[1]


def page_and_attention(
    contracts: QuerySet[Contract],
    order: list[tuple[int, int]],
    page: list[int],
    limit: int = 30,
    calendar: Calendar | None = None,
) -> tuple[list[PortfolioRow], list[tuple[PortfolioRow, Attention]]]:
    """The rows of the contracts ``page`` and the attention list (``attention_list``),
    the contracts of both read at once."""
    flagged = [pk for pk, count in order if count][:limit]
    ids = list(dict.fromkeys([*page, *flagged]))
    rows = {row.contract.pk: row for row in rows_for(contracts, ids, calendar)}
    shown = [rows[pk] for pk in page if pk in rows]
    todo = [(rows[pk], item) for pk in flagged if pk in rows for item in rows[pk].attention]
    return shown, todo[:limit]


WAITING_SHOWN = 5


@dataclass(frozen=True)
class WaitingCase:
    case: SupportCase
    days: int  # whole days since the ball came to the vendor, in the buyer's calendar


def waiting_on_vendor(
    actor: Actor, *, mine: bool = False, limit: int = WAITING_SHOWN
) -> list[WaitingCase]:
    """The cases of the visible contracts (the actor's own accounts with ``mine``) that
    have waited on the vendor longest: two queries, the first ranks the open cases with
    no join they do not need, the second reads the few shown with their parties."""
    cases = support.visible_cases(actor)
    if mine:
        cases = cases.filter(contract__representative=actor.user)
    by_wait = support.waiting_on_vendor(cases).values_list("pk", "waiting_since")  # type: ignore[misc]
    longest: dict[int, datetime] = dict(by_wait[:limit])
    found = {case.pk: case for case in cases.filter(pk__in=list(longest))}
    waiting = []
    for pk, waiting_since in longest.items():
        case = found[pk]
        zone = case.contract.organization.timezone
        since = local_date(waiting_since, zone)
        waiting.append(WaitingCase(case, (local_date(timezone.now(), zone) - since).days))
    return waiting


def _row(contract: Contract, language: str) -> PortfolioRow:
    today = contract.local_today  # type: ignore[attr-defined]
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
        phase=contract.phase_code,  # type: ignore[attr-defined]
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
    row.attention = _attention(row, contract)
    return row


def _attention(row: PortfolioRow, contract: Any) -> list[Attention]:
    """The items the database found on the contract, with what each one counts: those
    that count rows from their count (the same test as the whole book's, for one
    contract), the others from their condition."""
    found = []
    if contract.overdue_sessions:
        found.append(Attention("overdue_sessions", contract.overdue_sessions, "contract"))
    if contract.checks_missed:
        found.append(Attention("checks_missed", contract.checks_missed, "health_checks"))
    if contract.checks_unscheduled:
        found.append(Attention("checks_unscheduled", contract.checks_unscheduled, "health_checks"))
    if contract.attention_window:
        found.append(Attention("window_closing", row.training.remaining_minutes, "contract"))
    if contract.attention_ending:
        found.append(Attention("ending_soon", row.days_to_end, "contract"))
    if row.escalated_cases:
        found.append(Attention("escalated_cases", row.escalated_cases, "support"))
    # The oldest line's day more than UNBILLED_OLD_DAYS days before the buyer's today.
    if row.unbilled_since is not None:
        days = (contract.local_today - row.unbilled_since).days
        if days > UNBILLED_OLD_DAYS:
            found.append(Attention("unbilled_old", row.unbilled_days or 0, "billing"))
    return found


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


# --- a buyer's home -------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractAtAGlance:
    """What a buyer contact's home shows of one contract: what it bought, what is used
    and what is late."""

    contract: Contract
    package: LocalizedText
    phase: ContractPhase
    training: TrainingEntitlement
    checks: checks.Tally


def contracts_at_a_glance(actor: Actor, language: str) -> list[ContractAtAGlance]:
    """Every contract the actor may see, by organization then newest first."""
    contracts = (
        visible_contracts(actor)
        .prefetch_related("package__translations")
        .order_by("organization__name", "-start_date")
    )
    glance = []
    for contract in contracts.select_related("training_pool"):
        today = contract.today()
        glance.append(
            ContractAtAGlance(
                contract=contract,
                package=localized(contract.package, language),
                phase=contract.phase(today),
                training=training_entitlement(contract, today),
                checks=health_check_tally(contract, today),
            )
        )
    return glance
