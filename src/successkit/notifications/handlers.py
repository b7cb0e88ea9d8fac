"""What each event causes outside the system: mail to the people it concerns and a
signed POST to every webhook endpoint that asked for its type.

Runs in the worker, inside the transaction that marks the event handled, so an event's
mail and webhook deliveries are written exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from successkit.accounts.models import User
from successkit.accounts.roles import Role
from successkit.accounts.services import active_staff
from successkit.billing.models import Statement
from successkit.catalog.services import localized
from successkit.contracts.models import Contract
from successkit.core.formats import format_day, format_moment, format_money
from successkit.engagements.calendar import session_calendar
from successkit.engagements.models import TrainingSession
from successkit.engagements.rules import SessionStatus
from successkit.healthchecks.calendar import health_check_calendar
from successkit.healthchecks.models import HealthCheck, HealthCheckState
from successkit.healthchecks.services import invitation_sequence
from successkit.notifications import mail, payloads
from successkit.notifications.mail import Letter
from successkit.notifications.models import WebhookDelivery, WebhookEndpoint
from successkit.notifications.webhooks import body_of
from successkit.outbox.models import Event
from successkit.support.models import Case
from successkit.support.rules import Queue


def on_event(event: Event) -> None:
    obj = subject_of(event)
    if obj is None:
        return
    writer = MAIL.get(event.type)
    if writer is not None:
        writer(event, obj)
    _webhooks(event, obj)


def subject_of(event: Event) -> object | None:
    model = SUBJECTS.get(event.subject)
    if model is None:
        return None
    return model._default_manager.filter(pk=event.subject_id).first()


SUBJECTS: dict[str, type[models.Model]] = {
    "engagements.trainingsession": TrainingSession,
    "healthchecks.healthcheck": HealthCheck,
    "support.case": Case,
    "billing.statement": Statement,
    "contracts.contract": Contract,
}


# --- webhooks ----------------------------------------------------------------------------

# Events of the sweeps say more than the object: the days left, the minutes unused.
DETAILED = frozenset({"contract.ending", "training.window_closing"})


def _webhooks(event: Event, obj: object) -> None:
    from successkit.notifications.tasks import schedule_webhook

    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(active=True).order_by("id")
        if event.type in endpoint.events
    ]
    if not endpoints:
        return
    data = payloads.shape(obj)  # type: ignore[arg-type]
    if event.type in DETAILED:
        data = {**data, "details": event.data}
    body = body_of(event.type, event.occurred_at.isoformat(), data)
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=event,
            webhook_id=f"msg_{event.pk.hex}",
            type=event.type,
            body=body,
        )
        schedule_webhook(delivery.pk, None)


def endpoint_failed(delivery: WebhookDelivery) -> None:
    """A delivery failed every attempt: the endpoint is disabled and admins are told."""
    endpoint = delivery.endpoint
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False,
        disabled_at=timezone.now(),
        disabled_reason=f"{delivery.type} {delivery.webhook_id}: {delivery.last_error}"[:300],
    )
    if not updated:
        return
    for admin in admins():
        mail.write(
            admin,
            key=f"webhook_disabled:{endpoint.pk}:{delivery.pk}:{admin.pk}",
            letter=lambda: Letter(
                subject=_("Webhook disabled: %(url)s") % {"url": endpoint.url},
                heading=_("A webhook endpoint was disabled after repeated failures."),
                paragraphs=[
                    _(
                        "The endpoint %(url)s did not accept a delivery after "
                        "%(attempts)s attempts. No more events are sent to it until an "
                        "administrator enables it again."
                    )
                    % {"url": endpoint.url, "attempts": delivery.attempts},
                ],
                link=f"{settings.SUCCESSKIT_SITE_URL}/admin/notifications/webhookendpoint/"
                f"{endpoint.pk}/change/",
                link_label=_("Open the endpoint in the back office"),
            ),
        )


def admins() -> list[User]:
    return list(active_staff().filter(staff_roles__role=Role.ADMIN).distinct().order_by("id"))


# --- mail --------------------------------------------------------------------------------


def when(moment: datetime, zone: str) -> str:
    return format_moment(moment, zone)


def session_people(session: TrainingSession) -> list[User]:
    """The contract's counterpart, the contact who booked (if another) and the staff
    member delivering the session."""
    people = [session.contract.buyer_contact.user]
    if not session.booked_by.is_staff:
        people.append(session.booked_by)
    people.append(session.staff)
    unique: dict[int, User] = {}
    for person in people:
        unique.setdefault(person.pk, person)
    return list(unique.values())


def _session_mail(event: Event, session: TrainingSession) -> None:
    if session.starts_at <= event.occurred_at:
        return  # recorded after it happened: nobody needs an invitation to the past
    contract = session.contract
    zone = contract.organization.timezone
    cancelled = event.type == "session.cancelled"
    method = "CANCEL" if cancelled else "REQUEST"
    sequence = int(event.data.get("sequence", 0))
    attendees = [p for p in session_people(session) if not p.is_staff]

    for person in session_people(session):

        def letter(person: User = person) -> Letter:
            name = localized(session.session_type, person.language).name
            values = {"type": name, "organization": contract.organization.name}
            subject, heading = {
                "session.booked": (
                    _("Booked: %(type)s with %(organization)s"),
                    _("Your %(type)s session is booked."),
                ),
                "session.moved": (
                    _("New time: %(type)s with %(organization)s"),
                    _("Your %(type)s session has a new time."),
                ),
                "session.cancelled": (
                    _("Cancelled: %(type)s with %(organization)s"),
                    _("Your %(type)s session is cancelled."),
                ),
            }[event.type]
            return Letter(
                subject=subject % values,
                heading=heading % values,
                paragraphs=[
                    _("The calendar invitation is attached.")
                    if not cancelled
                    else _("The attached update removes it from your calendar.")
                ],
                facts=[
                    (_("When"), when(session.starts_at, zone)),
                    (
                        _("Duration"),
                        _("%(minutes)s minutes") % {"minutes": session.duration_minutes},
                    ),
                    *([] if cancelled else _billable_fact(session)),
                    (_("With"), session.staff.name),
                    (_("Organization"), contract.organization.name),
                ],
                link=f"{settings.SUCCESSKIT_SITE_URL}/contracts/{contract.pk}/",
                link_label=_("Open the contract"),
            )

        def calendar(person: User = person) -> tuple[str, bytes]:
            return method, session_calendar(
                session, person.language, method=method, sequence=sequence, attendees=attendees
            )

        mail.write(
            person,
            key=f"{event.pk}:{person.pk}",
            event=event,
            letter=letter,
            calendar=calendar,
        )


def _billable_fact(session: TrainingSession) -> list[tuple[str, str]]:
    """The session's minutes beyond the package, with their price when known: in the mail
    of a held session, and of a booking or a move that makes minutes billable (a move past
    a Launch Kit's 90 days does)."""
    if not session.billable_minutes:
        return []
    currency = session.contract.currency
    billable = _("%(minutes)s minutes") % {"minutes": session.billable_minutes}
    if session.billable_amount is not None and session.hourly_rate is not None:
        billable = _("%(minutes)s minutes: %(amount)s (%(rate)s an hour)") % {
            "minutes": session.billable_minutes,
            "amount": format_money(session.billable_amount, currency),
            "rate": format_money(session.hourly_rate, currency),
        }
    return [(_("Billable"), billable)]


def _statement_mail(event: Event, statement: Statement) -> None:
    contract = statement.contract
    person = contract.buyer_contact.user
    mail.write(
        person,
        key=f"{event.pk}:{person.pk}",
        event=event,
        letter=lambda: Letter(
            subject=_("Statement %(number)s issued") % {"number": statement.code},
            heading=_("A new statement was issued for your contract."),
            paragraphs=[
                _("Statement %(number)s covers %(start)s to %(end)s: %(total)s.")
                % {
                    "number": statement.code,
                    "start": format_day(statement.period_start),
                    "end": format_day(statement.period_end),
                    "total": format_money(statement.total, statement.currency),
                }
            ],
            link=f"{settings.SUCCESSKIT_SITE_URL}/billing/statements/",
            link_label=_("See your statements"),
        ),
    )


def _case_mail(event: Event, case: Case) -> None:
    """A reply from the vendor on a case: the buyer's contact who opened it is told."""
    if event.data.get("change") != "message" or not event.data.get("by_staff"):
        return
    person = case.opened_by
    if person.is_staff:
        return
    mail.write(
        person,
        key=f"{event.pk}:{person.pk}",
        event=event,
        letter=lambda: Letter(
            subject=_("Reply on case #%(id)s: %(subject)s")
            % {"id": case.pk, "subject": case.subject},
            heading=_("There is a new reply on your case."),
            paragraphs=[_("Read it and answer on the case's page.")],
            link=f"{settings.SUCCESSKIT_SITE_URL}/support/cases/{case.pk}/",
            link_label=_("Open the case"),
        ),
    )


def _missed_mail(event: Event, check: HealthCheck) -> None:
    contract = check.contract
    people = {contract.representative.pk: contract.representative}
    for admin in admins():
        people.setdefault(admin.pk, admin)
    for person in people.values():
        mail.write(
            person,
            key=f"{event.pk}:{person.pk}",
            event=event,
            letter=lambda: Letter(
                subject=_("Health check missed: %(organization)s")
                % {"organization": contract.organization.name},
                heading=_("A project health check was not held in its period."),
                paragraphs=[
                    _(
                        "Health check %(number)s of %(organization)s was owed from %(start)s "
                        "to %(end)s and was not completed."
                    )
                    % {
                        "number": check.number,
                        "organization": contract.organization.name,
                        "start": format_day(check.period_start),
                        "end": format_day(check.period_end),
                    }
                ],
                link=f"{settings.SUCCESSKIT_SITE_URL}/health-checks/compliance/",
                link_label=_("See health-check compliance"),
            ),
        )


def _window_mail(event: Event, contract: Contract) -> None:
    # Every buyer contact of the organization may book the unused minutes, and the
    # representative helps them do it (issue 13: "buyer contacts and representative").
    people = [
        contact.user
        for contact in contract.organization.contacts.select_related("user").order_by("pk")
        if contact.user.is_active
    ]
    people.append(contract.representative)
    for person in people:
        mail.write(
            person,
            key=f"{event.pk}:{person.pk}",
            event=event,
            reminder=True,
            letter=lambda: Letter(
                subject=_("%(minutes)s training minutes left until %(end)s")
                % {
                    "minutes": event.data["remaining_minutes"],
                    "end": format_day(date.fromisoformat(event.data["window_end"])),
                },
                heading=_("The training window of %(organization)s closes soon.")
                % {"organization": contract.organization.name},
                paragraphs=[
                    _(
                        "%(minutes)s minutes of training and consulting are still unused; "
                        "they can be used until %(end)s. Book a session before then."
                    )
                    % {
                        "minutes": event.data["remaining_minutes"],
                        "end": format_day(date.fromisoformat(event.data["window_end"])),
                    }
                ],
                link=f"{settings.SUCCESSKIT_SITE_URL}/contracts/{contract.pk}/",
                link_label=_("Book a session"),
            ),
        )


def _ending_mail(event: Event, contract: Contract) -> None:
    person = contract.representative
    mail.write(
        person,
        key=f"{event.pk}:{person.pk}",
        event=event,
        reminder=True,
        letter=lambda: Letter(
            subject=_("Contract ending in %(days)s days: %(organization)s")
            % {"days": event.data["days_before"], "organization": contract.organization.name},
            heading=_("A contract you represent ends on %(end)s.")
            % {"end": format_day(contract.end_date)},
            paragraphs=[
                _("%(organization)s's %(package)s contract ends in %(days)s days.")
                % {
                    "organization": contract.organization.name,
                    "package": localized(contract.package, person.language).name,
                    "days": event.data["days_before"],
                }
            ],
            link=f"{settings.SUCCESSKIT_SITE_URL}/contracts/{contract.pk}/",
            link_label=_("Open the contract"),
        ),
    )


def _health_check_scheduled_mail(event: Event, check: HealthCheck) -> None:
    """A check scheduled or rescheduled: an invitation (or its update) to the buyer's
    counterpart and the staff member holding it; a staff member it leaves gets the
    cancellation."""
    if check.state != HealthCheckState.SCHEDULED or check.scheduled_for is None:
        return  # completed before this was handled: nobody needs the invitation now
    if check.scheduled_for <= event.occurred_at or check.staff is None:
        return
    sequence = int(event.data.get("sequence", 0))
    if invitation_sequence(check) != sequence:
        return  # rescheduled again since: the later event's invitation says it all
    contract = check.contract
    zone = contract.organization.timezone
    rescheduled = bool(event.data.get("rescheduled"))
    counterpart = contract.buyer_contact.user
    staff = check.staff
    people = {counterpart.pk: counterpart, staff.pk: staff}
    previous = None
    previous_id = event.data.get("previous_staff_id")
    if previous_id is not None and previous_id not in people:
        previous = User.objects.filter(pk=previous_id).first()

    def facts() -> list[tuple[str, str]]:
        return [
            (_("When"), when(check.scheduled_for, zone)),  # type: ignore[arg-type]
            (_("With"), staff.name),
            (_("Organization"), contract.organization.name),
        ]

    link = f"{settings.SUCCESSKIT_SITE_URL}/health-checks/contracts/{contract.pk}/"
    for person in people.values():

        def letter() -> Letter:
            values = {"number": check.number, "organization": contract.organization.name}
            if rescheduled:
                subject = _("New time: health check %(number)s with %(organization)s")
                heading = _("Project health check %(number)s has a new time.")
            else:
                subject = _("Scheduled: health check %(number)s with %(organization)s")
                heading = _("Project health check %(number)s is scheduled.")
            return Letter(
                subject=subject % values,
                heading=heading % values,
                paragraphs=[_("The calendar invitation is attached.")],
                facts=facts(),
                link=link,
                link_label=_("See the health checks"),
            )

        def calendar(person: User = person) -> tuple[str, bytes]:
            return "REQUEST", health_check_calendar(
                check, person.language, sequence=sequence, attendees=[counterpart]
            )

        mail.write(
            person, key=f"{event.pk}:{person.pk}", event=event, letter=letter, calendar=calendar
        )
    if previous is not None:
        leaving = previous

        def cancelled() -> Letter:
            values = {"number": check.number, "organization": contract.organization.name}
            return Letter(
                subject=_("Reassigned: health check %(number)s with %(organization)s") % values,
                heading=_("Project health check %(number)s is now held by %(name)s.")
                % {**values, "name": staff.name},
                paragraphs=[_("The attached update removes it from your calendar.")],
                facts=facts(),
                link=link,
                link_label=_("See the health checks"),
            )

        mail.write(
            leaving,
            key=f"{event.pk}:{leaving.pk}",
            event=event,
            letter=cancelled,
            calendar=lambda: (
                "CANCEL",
                health_check_calendar(
                    check,
                    leaving.language,
                    method="CANCEL",
                    sequence=sequence,
                    organizer=leaving,
                    attendees=[counterpart],
                ),
            ),
        )


def _health_check_unscheduled_mail(event: Event, check: HealthCheck) -> None:
    """A check's date taken away: the buyer's counterpart and the staff member who was to
    hold it get the invitation's cancellation."""
    sequence = int(event.data["sequence"])
    if invitation_sequence(check) != sequence:
        return  # scheduled again since: the later invitation replaces this one
    scheduled_for = datetime.fromisoformat(str(event.data["scheduled_for"]))
    if scheduled_for <= event.occurred_at:
        return  # the time had passed: nothing is left to take out of a calendar
    staff = User.objects.filter(pk=event.data["staff_id"]).first()
    contract = check.contract
    counterpart = contract.buyer_contact.user
    people = {counterpart.pk: counterpart}
    if staff is not None:
        people[staff.pk] = staff
    zone = contract.organization.timezone
    values = {"number": check.number, "organization": contract.organization.name}

    def letter() -> Letter:
        facts = [(_("When"), when(scheduled_for, zone))]
        if staff is not None:
            facts.append((_("With"), staff.name))
        facts.append((_("Organization"), contract.organization.name))
        return Letter(
            subject=_("Date cancelled: health check %(number)s with %(organization)s") % values,
            heading=_("The date of project health check %(number)s is cancelled.") % values,
            paragraphs=[
                _("A new date is still to be agreed."),
                _("The attached update removes it from your calendar."),
            ],
            facts=facts,
            link=f"{settings.SUCCESSKIT_SITE_URL}/health-checks/contracts/{contract.pk}/",
            link_label=_("See the health checks"),
        )

    for person in people.values():

        def calendar(person: User = person) -> tuple[str, bytes]:
            return "CANCEL", health_check_calendar(
                check,
                person.language,
                method="CANCEL",
                sequence=sequence,
                organizer=staff,
                attendees=[counterpart],
                at=scheduled_for,
            )

        mail.write(
            person, key=f"{event.pk}:{person.pk}", event=event, letter=letter, calendar=calendar
        )


def _health_check_completed_mail(event: Event, check: HealthCheck) -> None:
    """A check recorded as held: the buyer's counterpart gets its overall status and the
    link to its report."""
    if check.state != HealthCheckState.COMPLETED or check.held_on is None:
        return
    contract = check.contract
    person = contract.buyer_contact.user
    report = settings.SUCCESSKIT_SITE_URL + reverse(
        "healthchecks:report", kwargs={"check_id": check.pk}
    )

    def letter() -> Letter:
        values = {"number": check.number, "organization": contract.organization.name}
        status = str(check.get_overall_status_display()) if check.overall_status else _("not rated")
        return Letter(
            subject=_("Report of health check %(number)s: %(organization)s") % values,
            heading=_("Project health check %(number)s was held.") % values,
            paragraphs=[_("Its report, with the agreed next steps, is ready.")],
            facts=[
                (_("Held on"), format_day(check.held_on)),  # type: ignore[arg-type]
                (_("Overall status"), status),
                (_("With"), check.staff.name if check.staff else ""),
            ],
            link=report,
            link_label=_("Read the report"),
        )

    mail.write(person, key=f"{event.pk}:{person.pk}", event=event, letter=letter)


def queue_people(case: Case) -> list[User]:
    """Who works a case: its assignee, else its queue (customer success: the contract's
    representative; orders and technical support: the support team)."""
    if case.assignee_id is not None and case.assignee is not None:
        return [case.assignee]
    if case.queue == Queue.CUSTOMER_SUCCESS:
        return [case.contract.representative]
    return list(active_staff().filter(staff_roles__role=Role.SUPPORT).distinct().order_by("id"))


def _case_opened_mail(event: Event, case: Case) -> None:
    """A new case: the buyer's contact who opened it gets an acknowledgement; whoever works
    it (its assignee, else its queue, as for a case waiting) hears of it, as a reminder
    they may turn off."""
    link = f"{settings.SUCCESSKIT_SITE_URL}/support/cases/{case.pk}/"
    opener = case.opened_by
    organization = case.contract.organization.name
    if not opener.is_staff:
        mail.write(
            opener,
            key=f"{event.pk}:{opener.pk}",
            event=event,
            letter=lambda: Letter(
                subject=_("Case #%(id)s received: %(subject)s")
                % {"id": case.pk, "subject": case.subject},
                heading=_("We received your case."),
                paragraphs=[
                    _(
                        "Case #%(id)s is in our queue. We will answer on the case's page, "
                        "and you will get a mail when we do."
                    )
                    % {"id": case.pk}
                ],
                facts=[
                    (_("Case"), f"#{case.pk}"),
                    (_("Subject"), case.subject),
                    (_("Type"), str(case.get_type_display())),
                ],
                link=link,
                link_label=_("Open the case"),
            ),
        )
    for person in queue_people(case):
        if person.pk == opener.pk:
            continue
        mail.write(
            person,
            key=f"{event.pk}:{person.pk}",
            event=event,
            reminder=True,
            letter=lambda: Letter(
                subject=_("New case #%(id)s from %(organization)s: %(subject)s")
                % {"id": case.pk, "organization": organization, "subject": case.subject},
                heading=_("A new case is waiting in your queue."),
                paragraphs=[
                    _("%(name)s opened it for %(organization)s.")
                    % {"name": opener.name, "organization": organization}
                ],
                facts=[
                    (_("Case"), f"#{case.pk}"),
                    (_("Subject"), case.subject),
                    (_("Type"), str(case.get_type_display())),
                ],
                link=link,
                link_label=_("Open the case"),
            ),
        )


def _session_recorded_mail(event: Event, session: TrainingSession) -> None:
    """A session recorded as held or as a no-show: the buyer's counterpart gets what it
    took from the training minutes, and what is billable."""
    no_show = event.type == "session.no_show"
    wanted = SessionStatus.NO_SHOW if no_show else SessionStatus.COMPLETED
    if session.status != wanted.value:
        return
    contract = session.contract
    zone = contract.organization.timezone
    person = contract.buyer_contact.user

    def letter() -> Letter:
        name = localized(session.session_type, person.language).name
        values = {"type": name, "organization": contract.organization.name}
        minutes = _("%(minutes)s minutes")
        facts = [
            (_("When"), when(session.starts_at, zone)),
            (_("With"), session.staff.name),
            (_("Minutes booked"), minutes % {"minutes": session.duration_minutes}),
        ]
        if no_show:
            subject = _("No-show recorded: %(type)s with %(organization)s")
            heading = _("Your %(type)s session was recorded as a no-show.")
            paragraphs = [
                _(
                    "Nobody from %(organization)s attended. As the contract provides, the "
                    "booked minutes are used as booked."
                )
                % values
            ]
        else:
            subject = _("Held: %(type)s with %(organization)s")
            heading = _("Your %(type)s session was held.")
            paragraphs = [_("Here is what it took from your training minutes.")]
            facts.append((_("Minutes held"), minutes % {"minutes": session.actual_minutes}))
        facts.append(
            (_("From your training minutes"), minutes % {"minutes": session.covered_minutes})
        )
        facts.extend(_billable_fact(session))
        return Letter(
            subject=subject % values,
            heading=heading % values,
            paragraphs=paragraphs,
            facts=facts,
            link=f"{settings.SUCCESSKIT_SITE_URL}/contracts/{contract.pk}/",
            link_label=_("Open the contract"),
        )

    mail.write(person, key=f"{event.pk}:{person.pk}", event=event, letter=letter)


MAIL: dict[str, Callable[[Event, object], None]] = {
    "session.booked": _session_mail,  # type: ignore[dict-item]
    "session.moved": _session_mail,  # type: ignore[dict-item]
    "session.cancelled": _session_mail,  # type: ignore[dict-item]
    "statement.issued": _statement_mail,  # type: ignore[dict-item]
    "case.updated": _case_mail,  # type: ignore[dict-item]
    "health_check.missed": _missed_mail,  # type: ignore[dict-item]
    "training.window_closing": _window_mail,  # type: ignore[dict-item]
    "contract.ending": _ending_mail,  # type: ignore[dict-item]
    "health_check.scheduled": _health_check_scheduled_mail,  # type: ignore[dict-item]
    "health_check.unscheduled": _health_check_unscheduled_mail,  # type: ignore[dict-item]
    "health_check.completed": _health_check_completed_mail,  # type: ignore[dict-item]
    "case.opened": _case_opened_mail,  # type: ignore[dict-item]
    "session.completed": _session_recorded_mail,  # type: ignore[dict-item]
    "session.no_show": _session_recorded_mail,  # type: ignore[dict-item]
}
