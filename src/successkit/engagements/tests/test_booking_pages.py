"""The booking form on the contract page: only the types still open are offered, each
with its cap and rate; a billable booking is answered with the quote, in words; staff
choose who delivers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.core.tests.refusals import shown_after
from successkit.engagements import services
from successkit.engagements.models import TrainingSession
from successkit.engagements.tests.helpers import rate
from successkit.factories import PASSWORD, ContractFactory, StaffFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    assert client.post("/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def offered(html: str) -> list[str]:
    picker = html.split('id="pick-type"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([a-z_]+)"', picker)


def test_a_used_single_use_type_is_no_longer_offered_and_additional_training_always_is() -> None:
    rate("EUR", "150.00")
    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5), organization__language="en"
    )
    user = contract.buyer_contact.user
    user.language = "en"
    user.save()
    client = signed_in(user)
    before = offered(client.get(f"/contracts/{contract.pk}/").content.decode())
    assert "kickoff" in before and "additional_training" in before

    services.book_session(
        Actor.of(contract.representative),
        contract,
        type_code="kickoff",
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=60,
    )
    html = client.get(f"/contracts/{contract.pk}/").content.decode()
    after = offered(html)
    assert "kickoff" not in after
    assert {"implementation", "software_training", "additional_training"} <= set(after)
    assert 'data-type="kickoff"' not in html
    # Each offered type says its cap and the rate before anything is booked.
    additional = html.split('data-type="additional_training"', 1)[1].split("</li>", 1)[0]
    assert "at most 480 minutes a meeting" in additional
    assert "€150.00 an hour" in additional


def test_a_billable_booking_is_answered_with_the_quote_in_words() -> None:
    rate("EUR", "150.00")
    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5), organization__language="es"
    )
    contract.representative.language = "es"
    contract.representative.save()
    client = signed_in(contract.representative)
    starts = (timezone.localdate() + timedelta(days=8)).isoformat() + "T10:00"
    response = client.post(
        f"/contracts/{contract.pk}/",
        {"type": "additional_training", "starts_at": starts, "duration_minutes": 90},
    )
    html = shown_after(client, response, f"/contracts/{contract.pk}/", "book")
    assert "225,00\xa0€" in html  # 90 minutes at 150 € an hour, in Spanish
    assert "accept_billable" not in html.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert TrainingSession.objects.count() == 0


def test_staff_choose_who_delivers_and_a_busy_one_is_refused() -> None:
    rate("EUR", "150.00")
    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5), organization__language="en"
    )
    colleague = StaffFactory(name="Zoe Trainer", roles=[Role.CSM])
    outsider = StaffFactory(name="Finn Finance", roles=[Role.FINANCE])
    contract.representative.language = "en"
    contract.representative.save()
    client = signed_in(contract.representative)
    html = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert "Zoe Trainer" in html and "Finn Finance" not in html

    starts = timezone.localdate() + timedelta(days=8)
    body = {
        "type": "implementation",
        "starts_at": f"{starts.isoformat()}T10:00",
        "duration_minutes": 60,
        "staff": colleague.pk,
    }
    assert client.post(f"/contracts/{contract.pk}/", body).status_code == 302
    assert TrainingSession.objects.get().staff == colleague

    busy = client.post(f"/contracts/{contract.pk}/", {**body, "starts_at": f"{starts}T10:30"})
    shown = shown_after(client, busy, f"/contracts/{contract.pk}/", "book")
    assert "Zoe Trainer" in shown.split('role="alert"', 1)[1]
    assert TrainingSession.objects.count() == 1
    assert outsider.pk not in TrainingSession.objects.values_list("staff", flat=True)
