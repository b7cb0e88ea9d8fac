"""Mail of health checks, cases opened and sessions recorded, end to end: the service
publishes, the real worker handles and delivers, an SMTP server on loopback receives."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.contracts.models import Contract
from successkit.engagements.tests.helpers import contract_starting, on_day, rate
from successkit.factories import ContactFactory, StaffFactory
from successkit.healthchecks import services as healthchecks
from successkit.healthchecks.models import HealthCheck
from successkit.healthchecks.tests.factories import contract_with_checks
from successkit.notifications import handlers, mail
from successkit.notifications.models import Mail
from successkit.notifications.tests.conftest import Mailbox, run_worker
from successkit.outbox.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def invitation(message) -> Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_content())


def handled_again_sends_nothing(smtp: Mailbox) -> None:
    """Every event handled a second time (as a retried job would) writes and sends no
    second message: each one has its key."""
    mails, received = Mail.objects.count(), len(smtp.received)
    for event in Event.objects.order_by("occurred_at"):
        with transaction.atomic():
            handlers.on_event(event)
    run_worker()
    assert (Mail.objects.count(), len(smtp.received)) == (mails, received)


def admin() -> Actor:
    return Actor.of(StaffFactory(roles=[Role.ADMIN]))


# --- health checks ---------------------------------------------------------------------------


@pytest.fixture
def contract() -> Contract:
    """A Pro Lite in Madrid, started 9 days ago, whose counterpart reads Spanish."""
    start = timezone.localdate() - timedelta(days=9)
    contract = contract_with_checks(
        start_date=start,
        end_date=start + timedelta(days=364),
        organization__name="Clínica Sol",
        organization__language="es",
    )
    assert contract.buyer_contact.user.language == "es"
    return contract


def first_check(contract: Contract) -> HealthCheck:
    return contract.health_checks.get(period_index=0)


def at(contract: Contract, days: int, hour: int) -> datetime:
    """``days`` after the contract's start, at ``hour`` UTC."""
    return datetime.combine(contract.start_date + timedelta(days=days), time(hour), tzinfo=UTC)


def test_a_scheduled_health_check_invites_the_counterpart_and_its_staff_member(
    smtp: Mailbox, contract
) -> None:
    counterpart = contract.buyer_contact.user
    staff = StaffFactory(roles=[Role.CSM], language="en", name="Lucía Ortega")
    stranger = ContactFactory().user  # a buyer contact of another organization
    colleague = ContactFactory(organization=contract.organization).user
    mail.set_reminders(counterpart, False)  # an invitation is not a reminder: still sent
    check = first_check(contract)
    healthchecks.schedule_health_check(
        admin(), check, scheduled_for=at(contract, 20, 8), staff_id=staff.pk
    )
    run_worker()

    assert sorted(m["To"] for m in smtp.received) == sorted([counterpart.email, staff.email])
    assert smtp.to(stranger.email) == smtp.to(colleague.email) == []
    spanish, english = smtp.to(counterpart.email)[0], smtp.to(staff.email)[0]
    assert (
        spanish["Subject"] == "Programada: comprobación del estado del proyecto 1 con Clínica Sol"
    )
    assert english["Subject"] == "Scheduled: health check 1 with Clínica Sol"
    assert spanish["List-Unsubscribe"] is None  # an invitation: always sent
    assert "Te adjuntamos la invitación para tu calendario." in body(spanish)
    assert "Lucía Ortega" in body(spanish)
    assert "(Europe/Madrid, UTC+01:00)" in body(spanish)  # the buyer's time, in the mail

    for message in (spanish, english):
        calendar = invitation(message)
        assert calendar["METHOD"] == "REQUEST"
        event = calendar.walk("VEVENT")[0]
        assert str(event["UID"]) == f"health-check-{check.pk}@successkit"
        assert event["SEQUENCE"] == 0
        assert event.decoded("DTSTART") == at(contract, 20, 8)
        assert event["DTSTART"].to_ical().endswith(b"Z")  # UTC
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(
            minutes=contract.package.health_check_minutes
        )
        assert str(event["ORGANIZER"]) == f"mailto:{staff.email}"
        assert str(event["ATTENDEE"]) == f"mailto:{counterpart.email}"
    assert str(invitation(spanish).walk("VEVENT")[0]["SUMMARY"]).startswith(
        "Comprobación del estado del proyecto 1"
    )
    handled_again_sends_nothing(smtp)


def test_a_reschedule_updates_the_invitation_and_a_staff_member_it_leaves_gets_the_cancellation(
    smtp: Mailbox, contract
) -> None:
    counterpart = contract.buyer_contact.user
    first = StaffFactory(roles=[Role.CSM], language="es")
    second = StaffFactory(roles=[Role.CSM], language="en")
    check = first_check(contract)
    healthchecks.schedule_health_check(
        admin(), check, scheduled_for=at(contract, 20, 8), staff_id=first.pk
    )
    run_worker()
    healthchecks.schedule_health_check(
        admin(), check, scheduled_for=at(contract, 22, 9), staff_id=first.pk
    )
    run_worker()
    healthchecks.schedule_health_check(
        admin(), check, scheduled_for=at(contract, 23, 10), staff_id=second.pk
    )
    run_worker()

    to_counterpart = smtp.to(counterpart.email)
    assert [m["Subject"] for m in to_counterpart] == [
        "Programada: comprobación del estado del proyecto 1 con Clínica Sol",
        "Nueva hora: comprobación del estado del proyecto 1 con Clínica Sol",
        "Nueva hora: comprobación del estado del proyecto 1 con Clínica Sol",
    ]
    events = [invitation(m).walk("VEVENT")[0] for m in to_counterpart]
    assert [e["SEQUENCE"] for e in events] == [0, 1, 2]
    assert [e.decoded("DTSTART") for e in events] == [
        at(contract, 20, 8),
        at(contract, 22, 9),
        at(contract, 23, 10),
    ]
    assert {str(e["UID"]) for e in events} == {f"health-check-{check.pk}@successkit"}
    assert str(events[2]["ORGANIZER"]) == f"mailto:{second.email}"

    # The first staff member: two invitations, then the cancellation of the same event.
    to_first = smtp.to(first.email)
    calendars = [invitation(m) for m in to_first]
    assert [c["METHOD"] for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    cancelled = calendars[2].walk("VEVENT")[0]
    assert (cancelled["SEQUENCE"], str(cancelled["STATUS"])) == (2, "CANCELLED")
    assert str(cancelled["UID"]) == f"health-check-{check.pk}@successkit"
    assert (
        to_first[2]["Subject"]
        == "Reasignada: comprobación del estado del proyecto 1 con Clínica Sol"
    )
    # The second: only the invitation to the new time.
    [to_second] = smtp.to(second.email)
    assert to_second["Subject"] == "New time: health check 1 with Clínica Sol"
    assert invitation(to_second)["METHOD"] == "REQUEST"
    assert len(smtp.received) == 3 + 3 + 1
    handled_again_sends_nothing(smtp)


def test_a_date_taken_away_cancels_the_invitation_and_a_new_date_supersedes_the_cancellation(
    smtp: Mailbox, contract
) -> None:
    counterpart = contract.buyer_contact.user
    staff = StaffFactory(roles=[Role.CSM], language="en", name="Lucía Ortega")
    check = first_check(contract)
    healthchecks.schedule_health_check(
        admin(), check, scheduled_for=at(contract, 20, 8), staff_id=staff.pk
    )
    run_worker()
    healthchecks.unschedule_health_check(admin(), check)
    run_worker()

    [_, spanish] = smtp.to(counterpart.email)
    [_, english] = smtp.to(staff.email)
    assert (
        spanish["Subject"]
        == "Fecha cancelada: comprobación del estado del proyecto 1 con Clínica Sol"
    )
    assert english["Subject"] == "Date cancelled: health check 1 with Clínica Sol"
    assert "Queda por acordar una nueva fecha." in body(spanish)
    assert "Lucía Ortega" in body(spanish)
    for message in (spanish, english):
        calendar = invitation(message)
        assert calendar["METHOD"] == "CANCEL"
        event = calendar.walk("VEVENT")[0]
        assert str(event["UID"]) == f"health-check-{check.pk}@successkit"
        assert (event["SEQUENCE"], str(event["STATUS"])) == (1, "CANCELLED")
        assert event.decoded("DTSTART") == at(contract, 20, 8)  # the time it had
        assert str(event["ORGANIZER"]) == f"mailto:{staff.email}"
    handled_again_sends_nothing(smtp)

    # A new date: a new invitation that supersedes the cancellation in a calendar.
    healthchecks.schedule_health_check(
        admin(), check, scheduled_for=at(contract, 25, 9), staff_id=staff.pk
    )
    run_worker()
    again = smtp.to(counterpart.email)[-1]
    assert again["Subject"] == "Programada: comprobación del estado del proyecto 1 con Clínica Sol"
    event = invitation(again).walk("VEVENT")[0]
    assert invitation(again)["METHOD"] == "REQUEST"
    assert (event["SEQUENCE"], event.decoded("DTSTART")) == (2, at(contract, 25, 9))
    assert len(smtp.received) == 2 + 2 + 2


def test_a_cancellation_handled_after_a_new_date_sends_nothing(smtp: Mailbox, contract) -> None:
    # The worker was behind: by the time it handles the cancellation the check has a new
    # date, whose invitation (a later revision) is all a calendar needs.
    staff = StaffFactory(roles=[Role.CSM])
    check = first_check(contract)
    healthchecks.schedule_health_check(
        admin(), check, scheduled_for=at(contract, 20, 8), staff_id=staff.pk
    )
    healthchecks.unschedule_health_check(admin(), check)
    healthchecks.schedule_health_check(
        admin(), check, scheduled_for=at(contract, 25, 9), staff_id=staff.pk
    )
    run_worker()
    methods = [invitation(m)["METHOD"] for m in smtp.received]
    assert methods == ["REQUEST", "REQUEST"]  # the latest invitation, to both readers
    assert {invitation(m).walk("VEVENT")[0]["SEQUENCE"] for m in smtp.received} == {2}


def test_a_completed_health_check_sends_the_counterpart_its_report(smtp: Mailbox, contract) -> None:
    counterpart = contract.buyer_contact.user
    staff = StaffFactory(roles=[Role.CSM])
    ContactFactory()  # another organization's contact
    check = first_check(contract)
    healthchecks.complete_health_check(
        admin(),
        check,
        held_on=contract.start_date + timedelta(days=3),
        staff_id=staff.pk,
        summary="On track.",
        overall_status="amber",
    )
    run_worker()

    [message] = smtp.received
    assert message["To"] == counterpart.email
    assert message["Subject"] == "Informe de la comprobación del estado del proyecto 1: Clínica Sol"
    text = body(message)
    assert "Estado general: Ámbar: en riesgo" in text
    assert f"/health-checks/{check.pk}/report/" in text
    assert message["List-Unsubscribe"] is None
    assert not [p for p in message.walk() if p.get_content_type() == "text/calendar"]

    counterpart.language = "en"
    counterpart.save()
    Mail.objects.all().delete()  # the same event, written again for an English reader
    with transaction.atomic():
        handlers.on_event(Event.objects.get(type="health_check.completed"))
    run_worker()
    english = smtp.received[-1]
    assert english["Subject"] == "Report of health check 1: Clínica Sol"
    assert "Overall status: Amber: at risk" in body(english)
    assert "Read the report" in body(english)


# --- cases -----------------------------------------------------------------------------------


def open_case(api: ApiClient, contract: Contract, case_type: str, subject: str = "Help") -> dict:
    response = api.post(f"contracts/{contract.pk}/cases", {"subject": subject, "type": case_type})
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_case_opened_by_a_buyer_is_acknowledged_and_its_queue_told(smtp: Mailbox) -> None:
    contract = contract_starting(timezone.localdate() - timedelta(days=9))
    representative = contract.representative
    representative.language = "en"
    representative.save()
    buyer = contract.buyer_contact.user  # Spanish
    support = StaffFactory(roles=[Role.SUPPORT], language="en")
    quiet = StaffFactory(roles=[Role.SUPPORT], language="es")
    mail.set_reminders(quiet, False)
    stranger = ContactFactory().user

    question = open_case(ApiClient(buyer), contract, "product_question", "¿Tallas?")
    run_worker()
    # Customer success: the buyer's acknowledgement, and the representative.
    assert sorted(m["To"] for m in smtp.received) == sorted([buyer.email, representative.email])
    [ack] = smtp.to(buyer.email)
    assert ack["Subject"] == f"Caso n.º {question['id']} recibido: ¿Tallas?"
    assert ack["List-Unsubscribe"] is None
    assert f"/support/cases/{question['id']}/" in body(ack)
    [notice] = smtp.to(representative.email)
    assert (
        notice["Subject"]
        == f"New case #{question['id']} from {contract.organization.name}: ¿Tallas?"
    )
    assert notice["List-Unsubscribe"] is not None  # a notice staff may turn off

    smtp.received.clear()
    english_buyer = ContactFactory(organization=contract.organization, user__language="en").user
    issue = open_case(ApiClient(english_buyer), contract, "technical_issue", "Ring offline")
    run_worker()
    # Technical support: the support team (but whoever turned the notices off).
    assert sorted(m["To"] for m in smtp.received) == sorted([english_buyer.email, support.email])
    assert smtp.to(english_buyer.email)[0]["Subject"] == (
        f"Case #{issue['id']} received: Ring offline"
    )
    assert smtp.to(quiet.email) == smtp.to(stranger.email) == []

    smtp.received.clear()
    open_case(ApiClient(representative), contract, "product_question", "Sizing kit")
    run_worker()
    assert smtp.received == []  # staff opened it, for their own queue: nobody to tell
    handled_again_sends_nothing(smtp)


# --- sessions recorded -------------------------------------------------------------------------


def book(api: ApiClient, contract: Contract, day: int, **fields: object) -> dict:
    response = api.post(
        f"contracts/{contract.pk}/sessions",
        {
            "type": "kickoff",
            "starts_at": on_day(contract, day).isoformat(),
            "duration_minutes": 60,
            **fields,
        },
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_held_session_and_a_no_show_are_summed_up_for_the_counterpart(
    smtp: Mailbox,
) -> None:
    rate(hourly="90.00")
    contract = contract_starting(timezone.localdate() - timedelta(days=9))
    counterpart = contract.buyer_contact.user  # Spanish
    mail.set_reminders(counterpart, False)  # the record of a session is not a reminder
    staff_api = ApiClient(contract.representative)
    ContactFactory()  # another organization's contact
    kickoff = book(staff_api, contract, 2)
    extra = book(
        staff_api,
        contract,
        3,
        type="additional_training",
        duration_minutes=90,
        accept_billable=True,
    )
    run_worker()  # in the past when booked: no invitation
    assert smtp.received == []

    assert staff_api.post(f"sessions/{kickoff['id']}/no-show").status_code == 200
    done = staff_api.post(
        f"sessions/{extra['id']}/complete", {"actual_minutes": 90, "accept_billable": True}
    )
    assert done.status_code == 200, done.json()
    run_worker()

    assert [m["To"] for m in smtp.received] == [counterpart.email, counterpart.email]
    no_show, held = sorted(smtp.received, key=lambda m: "Ausencia" not in m["Subject"])
    organization = contract.organization.name
    assert no_show["Subject"] == f"Ausencia registrada: Reunión inicial con {organization}"
    assert "los minutos reservados se consumen tal como se reservaron" in body(no_show)
    assert "De tus minutos de formación: 60 minutos" in body(no_show)
    assert held["Subject"] == f"Realizada: Formación adicional con {organization}"
    text = body(held)
    assert "Minutos realizados: 90 minutos" in text
    assert "Facturables: 90 minutos: 135,00\xa0€ (90,00\xa0€ la hora)" in text
    assert not [
        p for m in smtp.received for p in m.walk() if p.get_content_type() == "text/calendar"
    ]
    handled_again_sends_nothing(smtp)

    counterpart.language = "en"
    counterpart.save()
    Mail.objects.all().delete()
    smtp.received.clear()
    for event in Event.objects.filter(type__in=["session.completed", "session.no_show"]):
        with transaction.atomic():
            handlers.on_event(event)
    run_worker()
    assert sorted(m["Subject"] for m in smtp.received) == [
        f"Held: Additional training with {organization}",
        f"No-show recorded: Kickoff meeting with {organization}",
    ]
    english = next(m for m in smtp.received if m["Subject"].startswith("Held"))
    assert "Minutes held: 90 minutes" in body(english)
    assert "Billable: 90 minutes: €135.00 (€90.00 an hour)" in body(english)


def test_a_move_that_makes_minutes_billable_says_so_in_its_mail(smtp: Mailbox) -> None:
    """A Launch Kit meeting moved past day 90 becomes billable (accepted on the move): the
    new time's mail says how many minutes and at what price, as the page did."""
    rate(hourly="150.00")
    contract = contract_starting(timezone.localdate() - timedelta(days=84), "launch_kit")
    counterpart = contract.buyer_contact.user  # Spanish
    staff_api = ApiClient(contract.representative)
    meeting = book(staff_api, contract, 89, type="implementation")
    run_worker()
    booked = smtp.to(counterpart.email)
    assert len(booked) == 1 and "Facturables" not in body(booked[0])  # inside the pool
    smtp.received.clear()

    moved = staff_api.patch(
        f"sessions/{meeting['id']}",
        {"starts_at": on_day(contract, 95).isoformat(), "accept_billable": True},
    )
    assert moved.status_code == 200, moved.json()
    run_worker()

    (message,) = smtp.to(counterpart.email)
    assert message["Subject"].startswith("Nueva hora: ")
    assert "Facturables: 60 minutos: 150,00\xa0€ (150,00\xa0€ la hora)" in body(message)
