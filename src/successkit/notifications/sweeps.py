"""The daily sweeps: reminders and the events that happen by the passing of time.

Each sweep runs once a day: a worker claims it by inserting its (name, day) row, so
several workers never run the same sweep twice. Each reminder has a key besides, so
running a sweep again (a second worker, a manual ``--once``) sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from successkit.accounts.models import User
from successkit.catalog.services import localized
from successkit.contracts.models import Contract
from successkit.core.formats import format_day
from successkit.engagements.models import TrainingSession
from successkit.engagements.rules import SessionStatus
from successkit.engagements.services import training_entitlement
from successkit.healthchecks.models import HealthCheck, HealthCheckState
from successkit.notifications import mail, rules
from successkit.notifications.handlers import queue_people, session_people, when
from successkit.notifications.mail import Letter
from successkit.notifications.models import SweepRun
from successkit.outbox.services import publish
from successkit.support.models import Case
from successkit.support.rules import CaseStatus


def _active_contracts() -> list[Contract]:
    now = timezone.now().date()
    return list(
        Contract.objects.select_related(
            "organization", "package", "representative", "buyer_contact__user", "training_pool"
        ).filter(start_date__lte=now + timedelta(days=1), end_date__gte=now - timedelta(days=1))
    )


def session_tomorrow() -> int:
    """Both sides of every session that takes place tomorrow (the buyer's calendar day)."""
    now = timezone.now()
    sessions = TrainingSession.objects.select_related(
        "contract__organization",
        "contract__buyer_contact__user",
        "staff",
        "booked_by",
        "session_type",
    ).filter(
        status=SessionStatus.BOOKED,
        starts_at__gte=now,
        starts_at__lt=now + timedelta(days=3),
    )
    sent = 0
    for session in sessions:
        contract = session.contract
        zone = contract.organization.timezone
        if (session.starts_at - now).total_seconds() <= 0:
            continue
        from successkit.contracts.rules import local_date

        if local_date(session.starts_at, zone) != contract.today() + timedelta(days=1):
            continue
        for person in session_people(session):

            def letter(person: User = person, session: TrainingSession = session) -> Letter:
                values = {
                    "type": localized(session.session_type, person.language).name,
                    "organization": session.contract.organization.name,
                }
                return Letter(
                    subject=_("Tomorrow: %(type)s with %(organization)s") % values,
                    heading=_("Your %(type)s session is tomorrow.") % values,
                    paragraphs=[],
                    facts=[
                        (
                            _("When"),
                            when(session.starts_at, session.contract.organization.timezone),
                        ),
                        (_("With"), session.staff.name),
                    ],
                    link=f"{settings.SUCCESSKIT_SITE_URL}/contracts/{session.contract_id}/",
                    link_label=_("Open the contract"),
                )

            written = mail.write(
                person,
                key=f"session_tomorrow:{session.pk}:{session.starts_at.isoformat()}:{person.pk}",
                letter=letter,
                reminder=True,
            )
            sent += written is not None
    return sent


def health_check_due() -> int:
    """The representative of every contract whose health check of this period has no
    date yet."""
    sent = 0
    checks = HealthCheck.objects.select_related(
        "contract__organization", "contract__representative"
    ).filter(state=HealthCheckState.DUE, period_end__gte=timezone.now().date() - timedelta(days=1))
    for check in checks:
        today = check.contract.today()
        if not check.period_start <= today <= check.period_end:
            continue
        person = check.contract.representative

        def letter(check: HealthCheck = check) -> Letter:
            values = {
                "organization": check.contract.organization.name,
                "number": check.number,
                "end": format_day(check.period_end),
            }
            return Letter(
                subject=_("Health check %(number)s of %(organization)s has no date") % values,
                heading=_("Schedule the health check of this period.") % values,
                paragraphs=[
                    _(
                        "Health check %(number)s of %(organization)s is owed by %(end)s and "
                        "has no date yet."
                    )
                    % values
                ],
                link=f"{settings.SUCCESSKIT_SITE_URL}/health-checks/compliance/",
                link_label=_("See health-check compliance"),
            )

        written = mail.write(
            person, key=f"health_check_due:{check.pk}:{person.pk}", letter=letter, reminder=True
        )
        sent += written is not None
    return sent


def health_check_missed() -> int:
    """``health_check.missed`` for every check whose period ended without it."""
    published = 0
    recent = timezone.now().date() - timedelta(days=rules.MISSED_LOOKBACK_DAYS + 1)
    checks = (
        HealthCheck.objects.select_related("contract__organization")
        .filter(period_end__gte=recent, period_end__lte=timezone.now().date())
        .exclude(state=HealthCheckState.COMPLETED)
    )
    for check in checks:
        if check.period_end >= check.contract.today():
            continue
        published += (
            publish("health_check.missed", check, key=f"health_check.missed:{check.pk}") is not None
        )
    return published


def training_window_closing() -> int:
    published = 0
    for contract in _active_contracts():
        today = contract.today()
        training = training_entitlement(contract, today)
        end = training.window.end
        if training.remaining_minutes <= 0:
            continue
        if not today <= end <= today + timedelta(days=rules.WINDOW_CLOSING_DAYS):
            continue
        published += (
            publish(
                "training.window_closing",
                contract,
                key=f"training.window_closing:{contract.pk}:{end.isoformat()}",
                window_end=end.isoformat(),
                remaining_minutes=training.remaining_minutes,
            )
            is not None
        )
    return published


def contract_ending() -> int:
    published = 0
    horizon = timezone.now().date() + timedelta(days=max(rules.CONTRACT_ENDING_DAYS) + 1)
    contracts = Contract.objects.select_related("organization").filter(
        end_date__lte=horizon, end_date__gte=timezone.now().date() - timedelta(days=1)
    )
    for contract in contracts:
        days = rules.ending_threshold(contract.end_date, contract.today())
        if days is None:
            continue
        published += (
            publish(
                "contract.ending",
                contract,
                key=f"contract.ending:{contract.pk}:{contract.end_date.isoformat()}:{days}",
                days_before=days,
                end_date=contract.end_date.isoformat(),
            )
            is not None
        )
    return published


def case_waiting() -> int:
    """Cases waiting on the vendor for more than 2 working days, raised to their queue."""
    sent = 0
    now = timezone.now()
    cases = Case.objects.select_related(
        "contract__organization", "contract__representative", "assignee"
    ).filter(
        status__in=[CaseStatus.OPEN, CaseStatus.ESCALATED],
        updated_at__lt=now - timedelta(days=rules.CASE_WAITING_WORKING_DAYS),
    )
    for case in cases:
        today = case.contract.today()
        waiting = rules.working_days_between(case.updated_at.date(), today)
        if waiting <= rules.CASE_WAITING_WORKING_DAYS:
            continue
        for person in queue_people(case):

            def letter(case: Case = case, waiting: int = waiting) -> Letter:
                values = {"id": case.pk, "subject": case.subject, "days": waiting}
                return Letter(
                    subject=_("Case #%(id)s waits on us: %(subject)s") % values,
                    heading=_("A case has waited on the vendor for %(days)s working days.")
                    % values,
                    paragraphs=[
                        _("%(organization)s is waiting for an answer.")
                        % {"organization": case.contract.organization.name}
                    ],
                    link=f"{settings.SUCCESSKIT_SITE_URL}/support/cases/{case.pk}/",
                    link_label=_("Open the case"),
                )

            written = mail.write(
                person,
                key=f"case_waiting:{case.pk}:{case.updated_at.isoformat()}:{person.pk}",
                letter=letter,
                reminder=True,
            )
            sent += written is not None
    return sent


def prune_jobs() -> int:
    """Forget the job engine's finished jobs after a week (the messages themselves stay)."""
    from django_tasks_db.models import DBTaskResult

    deleted, _rows = (
        DBTaskResult.objects.successful()
        .filter(finished_at__lt=timezone.now() - timedelta(days=7))
        .delete()
    )
    return deleted


SWEEPS: dict[str, Callable[[], int]] = {
    "session_tomorrow": session_tomorrow,
    "health_check_due": health_check_due,
    "health_check_missed": health_check_missed,
    "training_window_closing": training_window_closing,
    "contract_ending": contract_ending,
    "case_waiting": case_waiting,
    "prune_jobs": prune_jobs,
}


def run_due_sweeps(day: date | None = None) -> dict[str, int]:
    """Run each sweep not yet run today (UTC day); what each one sent or published."""
    day = day or timezone.now().date()
    done: dict[str, int] = {}
    already = set(SweepRun.objects.filter(day=day).values_list("name", flat=True))
    for name, sweep in SWEEPS.items():
        if name in already:
            continue
        try:
            with transaction.atomic():
                SweepRun.objects.create(name=name, day=day)
        except IntegrityError:
            continue  # another worker claimed it
        with transaction.atomic():
            count = sweep()
            SweepRun.objects.filter(name=name, day=day).update(
                finished_at=timezone.now(), sent=count
            )
        done[name] = count
    return done
