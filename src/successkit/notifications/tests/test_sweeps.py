"""The daily sweeps: each reminder once, however often and by however many workers the
sweeps run in a day."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from successkit.accounts.actors import Actor
from successkit.conftest import race
from successkit.engagements.services import book_session
from successkit.engagements.tests.helpers import contract_starting
from successkit.factories import ContactFactory, StaffFactory
from successkit.notifications import sweeps
from successkit.notifications.models import Mail, ReminderPreference, SweepRun
from successkit.notifications.tests.conftest import Mailbox
from successkit.outbox.models import Event
from successkit.support.models import Case
from successkit.support.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def tomorrow_at_ten(contract):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    day = contract.today() + timedelta(days=1)
    return datetime.combine(day, time(10), tzinfo=ZoneInfo(contract.organization.timezone))


@pytest.fixture
def portfolio():
    """One of everything the sweeps look for."""
    today = timezone.localdate()
    busy = contract_starting(today - timedelta(days=9))  # Pro Lite: check 1 due, no date
    session = book_session(
        Actor.of(busy.representative),
        busy,
        type_code="kickoff",
        starts_at=tomorrow_at_ten(busy),
        duration_minutes=60,
    )
    ending = contract_starting(today - timedelta(days=335), health_checks=False)  # ends in 30
    launch = contract_starting(today - timedelta(days=80), package_code="launch_kit")
    colleague = ContactFactory(organization=launch.organization)
    missed = contract_starting(today - timedelta(days=95))  # check 1 ended days ago
    support = StaffFactory(roles=["support"])
    case = CaseFactory(contract=busy, type="technical_issue", queue="technical_support")
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - timedelta(days=6))
    return {
        "busy": busy,
        "session": session,
        "ending": ending,
        "launch": launch,
        "colleague": colleague,
        "missed": missed,
        "support": support,
        "case": case,
    }


def sweep_twice() -> None:
    call_command("worker", "--once", verbosity=0)
    call_command("worker", "--once", verbosity=0)


def test_each_reminder_goes_once_when_the_sweeps_run_twice_a_day(smtp: Mailbox, portfolio) -> None:
    sweep_twice()
    for sweep in sweeps.SWEEPS.values():  # and again, past the once-a-day guard
        sweep()
    call_command("worker", "--once", "--no-sweeps", verbosity=0)

    busy, session = portfolio["busy"], portfolio["session"]
    subjects = sorted((m["To"], m["Subject"]) for m in smtp.received)
    assert len(subjects) == len(set(subjects))
    tomorrow = [m for m in smtp.received if m["Subject"].startswith(("Tomorrow", "Mañana"))]
    assert sorted(m["To"] for m in tomorrow) == sorted(
        [busy.buyer_contact.user.email, session.staff.email]
    )
    assert all(m["List-Unsubscribe"].startswith("<http") for m in tomorrow)
    due = [m for m in smtp.received if "has no date" in m["Subject"]]
    # The contract whose first check was missed owes its second one now, with no date.
    assert sorted(m["To"] for m in due) == sorted(
        [busy.representative.email, portfolio["missed"].representative.email]
    )
    ending = [m for m in smtp.received if m["Subject"].startswith("Contract ending in 30 days")]
    assert [m["To"] for m in ending] == [portfolio["ending"].representative.email]
    launch = portfolio["launch"]
    window = [
        m
        for m in smtp.received
        if "training minutes left" in m["Subject"] or "minutos de formación" in m["Subject"]
    ]
    assert sorted(m["To"] for m in window) == sorted(
        [
            launch.buyer_contact.user.email,
            portfolio["colleague"].user.email,
            launch.representative.email,
        ]
    )
    assert "240" in window[0]["Subject"]
    missed = [m for m in smtp.received if m["Subject"].startswith("Health check missed")]
    assert portfolio["missed"].representative.email in {m["To"] for m in missed}
    waiting = [m for m in smtp.received if m["Subject"].startswith("Case #")]
    assert [m["To"] for m in waiting] == [portfolio["support"].email]

    assert SweepRun.objects.count() == len(sweeps.SWEEPS)
    assert Event.objects.filter(type="contract.ending").count() == 1
    assert Event.objects.filter(type="training.window_closing").count() == 1
    assert Event.objects.filter(type="health_check.missed").count() == 1


def test_two_workers_never_run_the_same_sweep_twice(smtp: Mailbox, portfolio) -> None:
    results = race([sweeps.run_due_sweeps, sweeps.run_due_sweeps])
    claimed = [name for result in results for name in result]  # type: ignore[attr-defined]
    assert sorted(claimed) == sorted(sweeps.SWEEPS)
    assert SweepRun.objects.count() == len(sweeps.SWEEPS)


def test_a_person_who_unsubscribes_gets_no_more_reminders_but_still_gets_confirmations(
    smtp: Mailbox, portfolio
) -> None:
    call_command("worker", "--once", verbosity=0)
    contact = portfolio["busy"].buyer_contact.user
    reminder = next(m for m in smtp.to(contact.email) if m["List-Unsubscribe"])
    address = reminder["List-Unsubscribe"].strip("<>")
    # RFC 8058 one-click: the mail program POSTs List-Unsubscribe=One-Click.
    response = Client().post(urlsplit(address).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert ReminderPreference.objects.get(user=contact).reminders is False

    busy = portfolio["busy"]
    later = book_session(
        Actor.of(busy.representative),
        busy,
        type_code="implementation",
        starts_at=tomorrow_at_ten(busy) + timedelta(hours=3),
        duration_minutes=60,
    )
    sweeps.session_tomorrow()
    call_command("worker", "--once", "--no-sweeps", verbosity=0)
    to_contact = Mail.objects.filter(to=contact.email)
    assert to_contact.filter(key__startswith=f"session_tomorrow:{later.pk}:").count() == 0
    assert to_contact.filter(event__subject_id=later.pk, kind="transactional").count() == 1


def test_an_unsubscribe_link_that_was_tampered_with_changes_nothing(portfolio) -> None:
    response = Client().post("/notifications/unsubscribe/forged-token/", {})
    assert response.status_code == 404
    assert ReminderPreference.objects.count() == 0


def test_a_sweep_event_reaches_webhooks_with_its_details(
    smtp: Mailbox, receiver, admin_api, portfolio
) -> None:
    hook = receiver([])
    response = admin_api.post(
        "webhooks", {"url": hook.url, "events": ["contract.ending", "training.window_closing"]}
    )
    assert response.status_code == 201
    call_command("worker", "--once", verbosity=0)
    bodies = sorted((json.loads(body) for _headers, body in hook.requests), key=lambda b: b["type"])
    assert [b["type"] for b in bodies] == ["contract.ending", "training.window_closing"]
    ending, window = bodies
    assert ending["data"]["id"] == str(portfolio["ending"].pk)
    assert ending["data"]["details"]["days_before"] == 30
    assert window["data"]["id"] == str(portfolio["launch"].pk)
    assert window["data"]["details"]["remaining_minutes"] == 240
