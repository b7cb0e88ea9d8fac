"""Health checks: the checks a contract owes (one per period), scheduling them, recording
them as held, and what is late across the portfolio (SPEC.md §1).

The rows are written by ``sync_health_checks`` when a contract is sold
(``flows.contracts.sell_contract``) and whenever its end date changes
(``flows.contracts.change_end_date``), in the same transaction as the contract.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import Organization, User
from successkit.accounts.roles import ACCOUNT_ROLES, Role
from successkit.accounts.services import active_staff
from successkit.catalog.models import Package
from successkit.catalog.services import localized
from successkit.contracts.errors import RoleNotAllowed
from successkit.contracts.models import Contract
from successkit.contracts.rules import local_date
from successkit.contracts.services import Calendar, visible_contracts
from successkit.core.aggregates import Joined
from successkit.core.compiled import CompiledQuery
from successkit.core.errors import InvalidState, ValidationFailed
from successkit.core.text import clean_text
from successkit.healthchecks import rules
from successkit.healthchecks.errors import HealthCheckWouldBeLost, OutsidePeriod
from successkit.healthchecks.models import (
    ActionItem,
    HealthCheck,
    HealthCheckEvent,
    HealthCheckState,
    OverallStatus,
)
from successkit.outbox.services import publish
from successkit.scheduling import services as scheduling
from successkit.scheduling.rules import MeetingKind

SUMMARY_MAX_LENGTH = 2000
MAX_ACTION_ITEMS = 10
MAX_ATTENDEES = 20
TEXT_MAX_LENGTH = 200


_LOST_MESSAGES = {
    rules.HealthCheckState.COMPLETED: _(
        "The new end date would lose health check %(number)s (period %(start)s to %(end)s), "
        "which was completed."
    ),
    rules.HealthCheckState.SCHEDULED: _(
        "The new end date would lose health check %(number)s (period %(start)s to %(end)s), "
        "which is scheduled."
    ),
    rules.HealthCheckState.DUE: _(
        "The new end date would remove health check %(number)s (period %(start)s to %(end)s), "
        "whose period has already started."
    ),
}


@dataclass(frozen=True)
class ActionItemIn:
    description: str
    owner: str
    due_on: date


# --- keeping the rows in step with the contract -------------------------------------------


def periods_of(contract: Contract) -> list[rules.HealthCheckPeriod]:
    terms = contract.package.terms()
    return rules.health_check_periods(
        contract.start_date,
        contract.end_date,
        terms.health_check_count,
        terms.health_check_interval_months,
    )


def _recorded(check: HealthCheck, timezone_name: str) -> rules.RecordedCheck:
    day = check.held_on
    if check.state == HealthCheckState.SCHEDULED and check.scheduled_for is not None:
        day = local_date(check.scheduled_for, timezone_name)
    return rules.RecordedCheck(check.period, rules.HealthCheckState(check.state), day)


@transaction.atomic
def sync_health_checks(contract: Contract) -> list[HealthCheck]:
    """Make the contract's rows match its periods: create the missing ones, move the
    dates of the others, delete periods the term no longer holds. Refuses (writing
    nothing, as the caller's transaction rolls back) when that would lose a check on
    record: a scheduled or completed check, or a period that has already started.

    Call it inside the transaction that saves the contract's dates (it joins it)."""
    periods = periods_of(contract)
    existing = list(contract.health_checks.select_for_update().order_by("period_index"))
    timezone_name = contract.organization.timezone
    lost = rules.lost_to_new_term(
        [_recorded(check, timezone_name) for check in existing], periods, contract.today()
    )
    if lost:
        first = lost[0]
        raise HealthCheckWouldBeLost(
            _LOST_MESSAGES[first.state],
            details={"field": "end_date", "health_check_number": first.period.index + 1},
            number=first.period.index + 1,
            start=first.period.start,
            end=first.period.end,
        )
    wanted = {period.index: period for period in periods}
    for check in existing:
        period = wanted.pop(check.period_index, None)
        if period is None:
            check.delete()
        elif (check.period_start, check.period_end) != (period.start, period.end):
            check.period_start, check.period_end = period.start, period.end
            check.save(update_fields=["period_start", "period_end"])
    HealthCheck.objects.bulk_create(
        HealthCheck(
            contract=contract,
            period_index=period.index,
            period_start=period.start,
            period_end=period.end,
        )
        for period in wanted.values()
    )
    return list(contract.health_checks.order_by("period_index"))


# --- reading ------------------------------------------------------------------------------


def visible_health_checks(actor: Actor) -> QuerySet[HealthCheck]:
    return actor.scope(
        HealthCheck.objects.select_related(
            "contract__organization", "contract__package__version", "staff"
        ).prefetch_related("action_items"),
        "contract__organization",
    )


def health_check_for(actor: Actor, check_id: int) -> HealthCheck:
    """A health check the actor may see (with its contract, organization, package, staff
    and action items), or ``not_found``."""
    return actor.get(visible_health_checks(actor), check_id, "contract__organization")


def completed_health_check(actor: Actor, check_id: int) -> HealthCheck:
    """A completed health check the actor may see (its report's subject): ``not_found``
    if they may not see it, ``invalid_state`` until it is completed."""
    check = health_check_for(actor, check_id)
    if check.state != HealthCheckState.COMPLETED:
        raise InvalidState(_("The report is available once the health check is completed."))
    return check


def contract_for_page(actor: Actor, contract_id: int) -> Contract:
    """The contract of the health-checks page, its package's translations with it (the
    page names the package), or ``not_found``."""
    return actor.get(
        visible_contracts(actor).prefetch_related("package__translations"), contract_id
    )


def health_checks_of(actor: Actor, contract: Contract) -> QuerySet[HealthCheck]:
    """The contract's health checks the actor may see, one per period, in order."""
    return visible_health_checks(actor).filter(contract=contract).order_by("period_index")


# The entitlements read's query, compiled once (core/compiled.py).
_TALLY_ROWS: CompiledQuery[tuple[str, date, bool]] = CompiledQuery(
    lambda contract_id: HealthCheck.objects.filter(contract_id=contract_id).values_list(
        "state", "period_end", "recorded_late"
    ),
    1,
)


class _IsoDate(Func):
    """A date as ``YYYY-MM-DD`` text, whatever the server's DateStyle."""

    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="%(expressions)s", **extra)


def with_health_check_rows(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """``contracts`` with each one's health checks as ``state:period_end:late`` texts in
    one column (``health_check_rows``), for ``health_check_tally`` without a query of its
    own: the entitlements read is then one query after the token's."""
    rows = (
        HealthCheck.objects.filter(contract_id=OuterRef("pk"))
        .order_by()
        .values("contract_id")
        .annotate(
            joined=Joined(
                Concat(
                    "state",
                    Value(":"),
                    _IsoDate("period_end"),
                    Value(":"),
                    Case(When(recorded_late=True, then=Value("1")), default=Value("0")),
                    output_field=TextField(),
                )
            )
        )
        .values("joined")
    )
    return contracts.annotate(health_check_rows=Subquery(rows, output_field=TextField()))


def _joined_rows(joined: str | None) -> list[tuple[str, date, bool]]:
    found = []
    for row in (joined or "").split(","):
        if row:
            state, period_end, late = row.split(":")
            found.append((state, date.fromisoformat(period_end), late == "1"))
    return found


def health_check_tally(contract: Contract, as_of: date | None = None) -> rules.Tally:
    """The contract's owed checks by status on ``as_of`` (default: its today), for the
    entitlements summary: ``included`` = owed, and ``upcoming``. Read with the contract
    when it was looked up ``with_health_check_rows``."""
    today = as_of or contract.today()
    if hasattr(contract, "health_check_rows"):
        rows = _joined_rows(contract.health_check_rows)
    else:
        rows = _TALLY_ROWS.run(contract.pk)
    return rules.tally(
        (rules.status_on(rules.HealthCheckState(state), period_end, today), late)
        for state, period_end, late in rows
    )


# --- operations ---------------------------------------------------------------------------


def _locked(check: HealthCheck) -> HealthCheck:
    return (
        HealthCheck.objects.select_for_update()
        .select_related("contract__organization", "contract__package")
        .get(pk=check.pk)
    )


def _require_operator(actor: Actor, package: Package) -> None:
    """Staff who run accounts or deliver health checks for this package may act on them."""
    actor.require_role(*ACCOUNT_ROLES, *package.terms().health_check_roles)


def _delivering_staff(staff_id: int, package: Package) -> User:
    staff = active_staff().filter(pk=staff_id).first()
    if staff is None:
        raise ValidationFailed(
            _("Staff member %(id)s does not exist."), details={"field": "staff_id"}, id=staff_id
        )
    allowed = package.terms().health_check_roles
    if not allowed & staff.role_codes:
        raise RoleNotAllowed(
            _("Health checks of a %(package)s contract are held by: %(roles)s."),
            details={"field": "staff_id"},
            package=localized(package, translation.get_language() or "en").name,
            roles=", ".join(str(Role(role).label) for role in sorted(allowed)) or "—",
        )
    return staff


def _clean_attendees(attendees: Sequence[str]) -> list[str]:
    if len(attendees) > MAX_ATTENDEES:
        raise ValidationFailed(
            _("At most %(max)s attendees."), details={"field": "attendees"}, max=MAX_ATTENDEES
        )
    return [clean_text(name, "attendees", TEXT_MAX_LENGTH) for name in attendees]


def _clean_action_items(items: Sequence[ActionItemIn], held_on: date) -> list[ActionItemIn]:
    if len(items) > MAX_ACTION_ITEMS:
        raise ValidationFailed(
            _("At most %(max)s action items."),
            details={"field": "action_items"},
            max=MAX_ACTION_ITEMS,
        )
    cleaned = []
    for item in items:
        if item.due_on < held_on:
            raise ValidationFailed(
                _("An action item cannot be due before the health check was held."),
                details={"field": "action_items.due_on"},
            )
        cleaned.append(
            ActionItemIn(
                description=clean_text(item.description, "action_items.description", 500),
                owner=clean_text(item.owner, "action_items.owner", TEXT_MAX_LENGTH),
                due_on=item.due_on,
            )
        )
    return cleaned


@transaction.atomic
def schedule_health_check(
    actor: Actor,
    check: HealthCheck,
    *,
    scheduled_for: datetime,
    staff_id: int,
    attendees: Sequence[str] = (),
) -> HealthCheck:
    """Give a check a date and time inside its period (again, to reschedule it)."""
    check = _locked(check)
    package = check.contract.package
    _require_operator(actor, package)
    if check.state == HealthCheckState.COMPLETED:
        raise InvalidState(_("This health check is already completed."))
    if timezone.is_naive(scheduled_for):
        raise ValidationFailed(
            _("scheduled_for needs a time zone offset, e.g. 2026-03-02T10:00:00+01:00."),
            details={"field": "scheduled_for"},
        )
    if scheduled_for <= timezone.now():
        raise ValidationFailed(
            _("A health check can only be scheduled for a future time."),
            details={"field": "scheduled_for"},
        )
    day = local_date(scheduled_for, check.contract.organization.timezone)
    if day not in check.period:
        raise OutsidePeriod(
            _("Health check %(number)s must take place between %(start)s and %(end)s."),
            details={"field": "scheduled_for"},
            number=check.number,
            start=check.period_start,
            end=check.period_end,
        )
    staff = _delivering_staff(staff_id, package)
    names = _clean_attendees(attendees)
    _occupy(check, staff, scheduled_for)
    kind = (
        HealthCheckEvent.Kind.RESCHEDULED
        if check.state == HealthCheckState.SCHEDULED
        else HealthCheckEvent.Kind.SCHEDULED
    )
    previous_staff_id = check.staff_id if kind == HealthCheckEvent.Kind.RESCHEDULED else None
    check.state = HealthCheckState.SCHEDULED
    check.scheduled_for = scheduled_for
    check.staff = staff
    check.attendees = names
    check.save(update_fields=["state", "scheduled_for", "staff", "attendees"])
    HealthCheckEvent.objects.create(
        health_check=check, kind=kind, actor=actor.user, staff=staff, scheduled_for=scheduled_for
    )
    # The staff member it leaves, if another, gets the invitation's cancellation.
    publish(
        "health_check.scheduled",
        check,
        sequence=invitation_sequence(check),
        rescheduled=kind == HealthCheckEvent.Kind.RESCHEDULED,
        previous_staff_id=previous_staff_id if previous_staff_id != staff.pk else None,
    )
    return check


@transaction.atomic
def unschedule_health_check(actor: Actor, check: HealthCheck) -> HealthCheck:
    """Take a scheduled check's date away (the meeting is off and a new date is still to
    be found): the check is due again, its staff member's time is free, and the buyer's
    counterpart and the staff member get the invitation's cancellation."""
    check = _locked(check)
    _require_operator(actor, check.contract.package)
    if check.state == HealthCheckState.COMPLETED:
        raise InvalidState(_("This health check is already completed."))
    if check.state != HealthCheckState.SCHEDULED or check.scheduled_for is None:
        raise InvalidState(_("This health check has no date to cancel."))
    scheduled_for, staff = check.scheduled_for, check.staff
    assert staff is not None  # a scheduled check always has its staff member
    scheduling.release(MeetingKind.HEALTH_CHECK, check.pk)
    check.state = HealthCheckState.DUE
    check.scheduled_for = None
    check.staff = None
    check.save(update_fields=["state", "scheduled_for", "staff"])
    HealthCheckEvent.objects.create(
        health_check=check,
        kind=HealthCheckEvent.Kind.UNSCHEDULED,
        actor=actor.user,
        staff=staff,
        scheduled_for=scheduled_for,
    )
    publish(
        "health_check.unscheduled",
        check,
        sequence=invitation_sequence(check),
        scheduled_for=scheduled_for.isoformat(),
        staff_id=staff.pk,
    )
    return check


def invitation_sequence(check: HealthCheck) -> int:
    """The iCalendar SEQUENCE of the check's invitation: how often it was revised - every
    scheduling, rescheduling and date taken away after the first scheduling - so that each
    invitation, update or cancellation supersedes the one before it in a calendar."""
    revisions = check.events.filter(kind__in=HealthCheckEvent.INVITATION_KINDS).count()
    return max(revisions - 1, 0)


@transaction.atomic
def complete_health_check(
    actor: Actor,
    check: HealthCheck,
    *,
    held_on: date,
    staff_id: int,
    summary: str,
    overall_status: str | None = None,
    action_items: Iterable[ActionItemIn] = (),
    attendees: Sequence[str] | None = None,
) -> HealthCheck:
    """Record a check as held on ``held_on``, a day inside its period and not in the
    future; it may be recorded after its period ended, never held outside it."""
    check = _locked(check)
    contract = check.contract
    package = contract.package
    _require_operator(actor, package)
    if check.state == HealthCheckState.COMPLETED:
        raise InvalidState(_("This health check is already completed."))
    if held_on not in check.period:
        raise OutsidePeriod(
            _("Health check %(number)s must be held between %(start)s and %(end)s."),
            details={"field": "held_on"},
            number=check.number,
            start=check.period_start,
            end=check.period_end,
        )
    if held_on > contract.today():
        raise ValidationFailed(
            _("A health check can be recorded only once it has been held."),
            details={"field": "held_on"},
        )
    staff = _delivering_staff(staff_id, package)
    text = clean_text(summary, "summary", SUMMARY_MAX_LENGTH)
    if overall_status is not None and overall_status not in OverallStatus.values:
        raise ValidationFailed(
            _("overall_status must be one of: %(choices)s."),
            details={"field": "overall_status"},
            choices=", ".join(OverallStatus.values),
        )
    items = _clean_action_items(list(action_items), held_on)
    if attendees is not None:
        check.attendees = _clean_attendees(attendees)
    check.state = HealthCheckState.COMPLETED
    check.held_on = held_on
    check.staff = staff
    check.summary = text
    check.overall_status = overall_status or ""
    check.completed_at = timezone.now()
    check.completed_by = actor.user
    # Held inside its period but written down after it ended: completed, and reports say so.
    check.recorded_late = rules.recorded_late(check.period_end, contract.today())
    check.save()
    if check.scheduled_for is None or check.held_on != local_date(
        check.scheduled_for, contract.organization.timezone
    ):
        # Held on another day than scheduled: the scheduled time is free again.
        scheduling.release(MeetingKind.HEALTH_CHECK, check.pk)
    ActionItem.objects.bulk_create(
        ActionItem(
            health_check=check,
            position=position,
            description=item.description,
            owner=item.owner,
            due_on=item.due_on,
        )
        for position, item in enumerate(items, start=1)
    )
    HealthCheckEvent.objects.create(
        health_check=check,
        kind=HealthCheckEvent.Kind.COMPLETED,
        actor=actor.user,
        staff=staff,
        held_on=held_on,
    )
    publish("health_check.completed", check)
    return check


def _occupy(check: HealthCheck, staff: User, scheduled_for: datetime) -> None:
    """The check takes its staff member's time (catalog minutes), never over another
    meeting of theirs (SPEC.md §9); rescheduling moves it."""
    minutes = check.contract.package.health_check_minutes
    if not minutes:
        raise InvalidState(_("This package has no health checks."))
    scheduling.occupy(
        staff, MeetingKind.HEALTH_CHECK, check.pk, scheduled_for, minutes, field="scheduled_for"
    )


# --- compliance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TallyRow:
    key: str
    label: str
    tally: rules.Tally


@dataclass(frozen=True)
class Compliance:
    total: rules.Tally
    by_representative: list[TallyRow]
    by_package: list[TallyRow]
    # Checks still without a date whose period overlaps the next 30 days, most urgent
    # first: a query, for the reader to page through (it grows with the portfolio).
    needing_a_date: QuerySet[HealthCheck]


def before_buyers_day(calendar: Calendar, field: str, offset: int = 0) -> Q:
    """Health checks whose date ``field`` falls before their buyer's today plus ``offset``
    days, as a condition on stored columns: a plain comparison for every date outside
    the buyers' todays (all but one or two days), and only for a date between the
    earliest and the latest today the contract's time zone, asked through one
    uncorrelated subquery of organizations. No row is joined to its organization."""
    by_day: dict[date, list[str]] = {}
    for zone in calendar.zones:
        by_day.setdefault(calendar.today_in(zone) + timedelta(days=offset), []).append(zone)
    days = sorted(by_day) or [calendar.now.date() + timedelta(days=offset)]
    before = Q(**{f"{field}__lt": days[0]})
    for day, next_day in itertools.pairwise(days):
        # A date on ``day``..``next_day`` is before the today of the zones already past it.
        later = sorted(
            zone for later_day in days if later_day >= next_day for zone in by_day[later_day]
        )
        # The dates first: the subquery's probe is only for the rows on those days.
        before |= (
            Q(**{f"{field}__gte": day})
            & Q(**{f"{field}__lt": next_day})
            & Q(
                contract__organization_id__in=Organization.objects.filter(
                    timezone__in=later
                ).values("pk")
            )
        )
    return before


def compliance(actor: Actor | None) -> Compliance:
    """The portfolio on each organization's today, counted by the database: one query
    for the counts by representative, package, status and lateness, three for the names,
    whatever the number of checks. A check is compared with its buyer's today on its own
    columns (``before_buyers_day``): the count reads the checks and their contracts, not
    their organizations. ``actor`` None is the command line."""
    if actor is not None:
        actor.require_staff()
    calendar = Calendar.current()
    completed, missed = (
        rules.HealthCheckStatus.COMPLETED.value,
        rules.HealthCheckStatus.MISSED.value,
    )
    counted = (
        HealthCheck.objects.annotate(
            shown=Case(
                When(state=HealthCheckState.COMPLETED, then=Value(completed)),
                When(before_buyers_day(calendar, "period_end"), then=Value(missed)),
                default=F("state"),
                output_field=CharField(),
            )
        )
        .order_by()
        .values_list(
            "contract__representative_id", "contract__package_id", "shown", "recorded_late"
        )
        .annotate(n=Count("*"))
    )
    rows = list(counted)
    language = translation.get_language() or "en"
    # Every version of the counted packages' codes: the newest version's name wins.
    packages = list(
        Package.objects.filter(
            code__in=Package.objects.filter(pk__in={row[1] for row in rows}).values("code")
        )
        .prefetch_related("translations")
        .order_by("version__number")
    )
    code_of = {package.pk: package.code for package in packages}
    package_names = {package.code: localized(package, language).name for package in packages}
    tallied = rules.ComplianceTally()
    for representative_id, package_id, shown, late, n in rows:
        status = rules.HealthCheckStatus(shown)
        for tally in (
            tallied.total,
            tallied.by_representative.setdefault(representative_id, rules.Tally()),
            tallied.by_package.setdefault(code_of[package_id], rules.Tally()),
        ):
            tally.add(status, bool(late), count=n)
    names = dict(User.objects.filter(pk__in=tallied.by_representative).values_list("pk", "name"))
    # Due, and its period overlaps the buyer's next 30 days: the plain bounds first (the
    # earliest and latest of the buyers' todays), for the index of due checks by end.
    needing = (
        HealthCheck.objects.filter(
            state=HealthCheckState.DUE,
            period_end__gte=calendar.earliest_day(),
            period_start__lt=calendar.latest_day(rules.UPCOMING_DAYS),
        )
        .filter(~before_buyers_day(calendar, "period_end"))
        .filter(before_buyers_day(calendar, "period_start", rules.UPCOMING_DAYS))
        .select_related("contract__organization", "contract__package", "contract__representative")
        .order_by("period_end", "contract_id", "period_index")
    )
    return Compliance(
        total=tallied.total,
        by_representative=sorted(
            (
                TallyRow(str(rep_id), names.get(rep_id, ""), counts)
                for rep_id, counts in tallied.by_representative.items()
            ),
            key=lambda row: (row.label, row.key),
        ),
        by_package=[
            TallyRow(code, package_names.get(code, code), counts)
            for code, counts in sorted(tallied.by_package.items())
        ],
        needing_a_date=needing,
    )


def eligible_staff(contract: Contract) -> QuerySet[User]:
    """Active staff whose role the contract's package allows to hold its health checks."""
    roles = sorted(contract.package.terms().health_check_roles)
    return active_staff().filter(staff_roles__role__in=roles).distinct().order_by("name")
