"""Session mail end to end: a booking, move and cancellation through the API, the real
worker, and an SMTP server on loopback receiving the actual messages."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.core.errors import SuccessKitError
from successkit.engagements.services import book_session
from successkit.engagements.tests.helpers import contract_starting, on_day
from successkit.factories import ContactFactory, StaffFactory
from successkit.notifications.models import DeliveryStatus, Mail
from successkit.notifications.tests.conftest import Mailbox, run_worker
from successkit.outbox.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def contract():
    """Pro Lite, buyer in Madrid with a Spanish counterpart, started 9 days ago."""
    contract = contract_starting(timezone.localdate() - timedelta(days=9))
    contract.representative.language = "en"
    contract.representative.save()
    return contract


def invitation(message) -> Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_content())


def book(contract, by, day=20) -> dict:
    response = ApiClient(by).post(
        f"contracts/{contract.pk}/sessions",
        {"type": "kickoff", "starts_at": on_day(contract, day).isoformat(), "duration_minutes": 60},
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_booking_mails_both_sides_an_invitation_in_their_language(
    smtp: Mailbox, contract
) -> None:
    counterpart = contract.buyer_contact.user
    booker = ContactFactory(organization=contract.organization, user__language="en").user
    session = book(contract, booker)

    run_worker()

    staff = contract.representative
    assert sorted(m["To"] for m in smtp.received) == sorted(
        [counterpart.email, booker.email, staff.email]
    )
    spanish = smtp.to(counterpart.email)[0]
    assert spanish["Subject"].startswith("Reservada: Reunión inicial con Buyer")
    text = spanish.get_body(preferencelist=("plain",)).get_content()
    assert "prevalecerá la versión en inglés" in text
    assert "<html" in spanish.get_body(preferencelist=("html",)).get_content()
    assert spanish["List-Unsubscribe"] is None  # transactional: always sent
    assert (
        "prevails" not in smtp.to(booker.email)[0].get_body(preferencelist=("plain",)).get_content()
    )

    calendar = invitation(spanish)
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == f"session-{session['id']}@successkit"
    assert event["SEQUENCE"] == 0
    starts = event.decoded("DTSTART")
    assert str(starts.tzinfo) == "Europe/Madrid"
    assert starts == on_day(contract, 20)
    assert event["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Madrid"]
    assert str(event["ORGANIZER"]) == f"mailto:{staff.email}"
    attendees = sorted(str(a) for a in event["ATTENDEE"])
    assert attendees == sorted([f"mailto:{counterpart.email}", f"mailto:{booker.email}"])


def test_a_move_raises_the_sequence_and_a_cancellation_cancels(smtp: Mailbox, contract) -> None:
    staff_api = ApiClient(contract.representative)
    session = book(contract, contract.representative)
    run_worker()
    moved = staff_api.patch(
        f"sessions/{session['id']}", {"starts_at": on_day(contract, 21).isoformat()}
    )
    assert moved.status_code == 200
    run_worker()
    moved_again = staff_api.patch(
        f"sessions/{session['id']}", {"starts_at": on_day(contract, 22, hour=11).isoformat()}
    )
    assert moved_again.status_code == 200
    run_worker()
    assert staff_api.post(f"sessions/{session['id']}/cancel", {"by": "vendor"}).status_code == 200
    run_worker()

    counterpart = contract.buyer_contact.user
    calendars = [invitation(m) for m in smtp.to(counterpart.email)]
    events = [c.walk("VEVENT")[0] for c in calendars]
    assert [c["METHOD"] for c in calendars] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert [e["SEQUENCE"] for e in events] == [0, 1, 2, 3]
    assert {str(e["UID"]) for e in events} == {f"session-{session['id']}@successkit"}
    assert events[2].decoded("DTSTART") == on_day(contract, 22, hour=11)
    assert str(events[3]["STATUS"]) == "CANCELLED"
    # The staff member got the same four (the counterpart booked nothing: two readers).
    assert len(smtp.received) == 8
    # The download is the same event, at the same revision.
    download = ApiClient(counterpart).get(f"sessions/{session['id']}/ics")
    assert Calendar.from_ical(download.content).walk("VEVENT")[0]["SEQUENCE"] == 3


def test_a_rolled_back_booking_sends_nothing(smtp: Mailbox, contract) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        book_session(
            Actor.of(contract.representative),
            contract,
            type_code="kickoff",
            starts_at=on_day(contract, 20),
            duration_minutes=60,
        )
        raise RuntimeError("the request failed after the booking")
    refused = ApiClient(contract.representative).post(
        f"contracts/{contract.pk}/sessions",
        {"type": "kickoff", "starts_at": on_day(contract, 20).isoformat(), "duration_minutes": 61},
    )
    assert refused.status_code == 422
    run_worker()
    assert (Event.objects.count(), Mail.objects.count(), smtp.received) == (0, 0, [])


def due_now() -> None:
    """Move the clock past every retry's backoff (the messages' and their jobs')."""
    Mail.objects.update(next_attempt_at=timezone.now())
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def test_mail_waits_out_an_smtp_outage_and_is_delivered_once(
    smtp: Mailbox, contract, settings
) -> None:
    # Backoff of a minute, and the clock moved by hand: no waiting, no timing luck.
    settings.SUCCESSKIT_RETRY_BASE_SECONDS = settings.SUCCESSKIT_RETRY_MAX_SECONDS = 60
    smtp.stop()
    book(contract, contract.representative)
    run_worker()
    mails = list(Mail.objects.order_by("id"))
    assert len(mails) == 2
    assert {(m.status, m.attempts) for m in mails} == {(DeliveryStatus.PENDING, 1)}
    assert all(m.next_attempt_at > timezone.now() + timedelta(seconds=25) for m in mails)
    assert all("Connection refused" in m.last_error for m in mails)

    run_worker()  # not due yet: nothing tried
    assert set(Mail.objects.values_list("attempts", flat=True)) == {1}
    due_now()
    run_worker()  # still down: a second attempt each
    assert set(Mail.objects.values_list("attempts", flat=True)) == {2}

    smtp.start()
    due_now()
    run_worker()
    run_worker()  # nothing left to do: nothing sent twice
    assert sorted(m["To"] for m in smtp.received) == sorted(m.to for m in mails)
    assert set(Mail.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_after_the_last_attempt_mail_is_failed_until_an_admin_retries(
    smtp: Mailbox, contract, settings, admin_client_factory
) -> None:
    settings.SUCCESSKIT_DELIVERY_ATTEMPTS = 3
    smtp.stop()
    book(contract, contract.representative)
    for _ in range(4):
        run_worker()
        time.sleep(0.06)
    assert set(Mail.objects.values_list("status", "attempts")) == {(DeliveryStatus.FAILED, 3)}

    smtp.start()
    client = admin_client_factory()
    response = client.post(
        "/admin/notifications/mail/",
        {"action": "retry", "_selected_action": list(Mail.objects.values_list("pk", flat=True))},
    )
    assert response.status_code == 302
    run_worker()
    assert set(Mail.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(smtp.received) == 2


@pytest.fixture
def admin_client_factory():
    def make():
        from django.test import Client

        admin = StaffFactory(roles=[Role.ADMIN], is_superuser=True)
        client = Client()
        client.force_login(admin)
        return client

    return make


def test_a_refused_session_change_publishes_nothing(contract) -> None:
    with pytest.raises(SuccessKitError):
        book_session(
            Actor.of(contract.representative),
            contract,
            type_code="kickoff",
            starts_at=on_day(contract, 20),
            duration_minutes=500,
        )
    assert Event.objects.count() == 0
