"""SPEC.md §2 at its edges: delivery only after the start, single-use and repeatable
types, the buyer's moves, the recorded acceptances, the platforms on the contract."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from successkit.billing.models import Statement
from successkit.conftest import ApiClient
from successkit.engagements.models import BillableAcceptance
from successkit.engagements.tests.helpers import contract_starting, on_day, rate, snapshot
from successkit.factories import ContactFactory

pytestmark = pytest.mark.django_db


def book(api: ApiClient, contract, **fields):
    body = {
        "type": "kickoff",
        "starts_at": on_day(contract, 20).isoformat(),
        "duration_minutes": 60,
        **fields,
    }
    return api.post(f"contracts/{contract.pk}/sessions", body)


@pytest.fixture
def contract():
    """A Pro Lite contract that started 10 days ago."""
    return contract_starting(timezone.localdate() - timedelta(days=9))


@pytest.fixture
def staff_api(contract) -> ApiClient:
    return ApiClient(contract.representative)


def freeze(monkeypatch: pytest.MonkeyPatch, instant) -> None:
    monkeypatch.setattr(timezone, "now", lambda: instant)


# --- 1. completion and no-show only once the session has started --------------------------


@pytest.mark.parametrize("action", ["complete", "no-show"])
def test_delivery_one_minute_before_the_start_is_refused_and_changes_nothing(
    contract, staff_api: ApiClient, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    session = book(staff_api, contract).json()
    starts_at = on_day(contract, 20)
    freeze(monkeypatch, starts_at - timedelta(minutes=1))
    before = snapshot(contract)
    body = {"actual_minutes": 60} if action == "complete" else {}
    response = staff_api.post(f"sessions/{session['id']}/{action}", body)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_not_started"
    assert snapshot(contract) == before
    # At the start itself it is recorded.
    freeze(monkeypatch, starts_at)
    done = staff_api.post(f"sessions/{session['id']}/{action}", body)
    assert done.status_code == 200
    assert done.json()["status"] == ("completed" if action == "complete" else "no_show")


def test_a_future_no_show_never_reaches_a_statement(
    contract, staff_api: ApiClient, admin_api: ApiClient
) -> None:
    rate()
    session = book(
        staff_api, contract, type="additional_training", duration_minutes=90, accept_billable=True
    ).json()
    assert staff_api.post(f"sessions/{session['id']}/no-show").status_code == 409
    day = on_day(contract, 20).date()
    issued = admin_api.post(
        f"contracts/{contract.pk}/statements",
        {"period_start": day.isoformat(), "period_end": day.isoformat()},
    )
    assert (issued.status_code, issued.json()["error"]["code"]) == (409, "nothing_to_bill")
    assert Statement.objects.count() == 0


# --- 3. single-use and repeatable types -------------------------------------------------------


def test_the_launch_kits_240_minutes_are_all_reachable() -> None:
    contract = contract_starting(timezone.localdate() - timedelta(days=9), "launch_kit")
    api = ApiClient(contract.representative)
    for kind, day in (
        ("kickoff", 20),
        ("software_training", 21),
        ("implementation", 22),
        ("implementation", 23),
    ):
        response = book(api, contract, type=kind, starts_at=on_day(contract, day).isoformat())
        assert response.status_code == 201, response.json()
        assert (response.json()["covered_minutes"], response.json()["billable_minutes"]) == (60, 0)
    training = api.get(f"contracts/{contract.pk}/entitlements").json()["training"]
    assert (training["reserved_minutes"], training["remaining_minutes"]) == (240, 0)


def test_an_implementation_meeting_is_still_capped_at_60_minutes(
    contract, staff_api: ApiClient
) -> None:
    before = snapshot(contract)
    response = book(staff_api, contract, type="implementation", duration_minutes=61)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "duration_exceeds_limit"
    assert "Implementation meeting" in response.json()["error"]["message"]
    assert snapshot(contract) == before


def test_a_no_show_uses_up_the_kickoff_and_the_refusal_offers_additional_training(
    contract, staff_api: ApiClient
) -> None:
    past = on_day(contract, 2)
    session = book(staff_api, contract, starts_at=past.isoformat()).json()
    assert staff_api.post(f"sessions/{session['id']}/no-show").status_code == 200
    before = snapshot(contract)
    buyer = ApiClient(contract.buyer_contact.user)  # a Spanish contact
    refused = book(buyer, contract)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert (error["code"], error["alternative_type"]) == (
        "session_type_already_used",
        "additional_training",
    )
    assert "«Reunión inicial»" in error["message"] or "“Reunión inicial”" in error["message"]
    assert "Formación adicional" in error["message"]
    assert "kickoff" not in error["message"]
    assert snapshot(contract) == before


def test_additional_training_is_capped_at_480_minutes(contract, staff_api: ApiClient) -> None:
    rate()
    before = snapshot(contract)
    refused = book(
        staff_api, contract, type="additional_training", duration_minutes=481, accept_billable=True
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "duration_exceeds_limit"
    assert refused.json()["error"]["limit_minutes"] == 480
    assert snapshot(contract) == before
    accepted = book(
        staff_api, contract, type="additional_training", duration_minutes=480, accept_billable=True
    )
    assert accepted.status_code == 201
    assert (accepted.json()["billable_minutes"], accepted.json()["billable_amount"]) == (
        480,
        "1200.00",
    )


# --- 4. the buyer moves and cancels only before the start -----------------------------------


def test_a_buyer_cannot_move_a_started_session_the_vendor_can(
    contract, staff_api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = book(staff_api, contract).json()
    starts_at = on_day(contract, 20)
    buyer = ApiClient(contract.buyer_contact.user)
    later = on_day(contract, 25).isoformat()
    freeze(monkeypatch, starts_at - timedelta(minutes=1))
    assert buyer.patch(f"sessions/{session['id']}", {"starts_at": later}).status_code == 200
    moved_start = on_day(contract, 25)
    freeze(monkeypatch, moved_start)
    before = snapshot(contract)
    elsewhere = on_day(contract, 30).isoformat()
    refused = buyer.patch(f"sessions/{session['id']}", {"starts_at": elsewhere})
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "invalid_state")
    cancel = buyer.post(f"sessions/{session['id']}/cancel", {"by": "buyer"})
    assert (cancel.status_code, cancel.json()["error"]["code"]) == (409, "invalid_state")
    assert snapshot(contract) == before
    assert staff_api.patch(f"sessions/{session['id']}", {"starts_at": elsewhere}).status_code == 200


# --- 7. every acceptance of billable minutes is recorded -------------------------------------


def test_a_buyers_acceptance_is_recorded_and_shown(contract) -> None:
    rate(hourly="90.00")
    buyer_contact = contract.buyer_contact
    buyer = ApiClient(buyer_contact.user)
    booked = book(
        buyer, contract, type="additional_training", duration_minutes=90, accept_billable=True
    ).json()
    acceptance = BillableAcceptance.objects.get()
    assert (acceptance.minutes, acceptance.amount, acceptance.on_behalf_of_id) == (
        90,
        Decimal("135.00"),
        None,
    )
    shown = buyer.get(f"sessions/{booked['id']}").json()["acceptances"]
    assert len(shown) == 1
    assert shown[0]["by"] == {"id": str(buyer_contact.pk), "kind": "contact"}
    assert (shown[0]["minutes"], shown[0]["amount"], shown[0]["on_behalf_of_contact_id"]) == (
        90,
        "135.00",
        None,
    )


def test_staff_accepting_an_overrun_name_the_contact_who_agreed(
    contract, staff_api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rate(hourly="60.00")
    book(staff_api, contract, type="implementation", starts_at=on_day(contract, 2).isoformat())
    session = book(staff_api, contract, starts_at=on_day(contract, 3).isoformat()).json()
    other = ContactFactory(organization=contract.organization)
    overrun = staff_api.post(f"sessions/{session['id']}/complete", {"actual_minutes": 60})
    assert overrun.status_code == 200  # still covered: 120 minutes in the pool
    assert BillableAcceptance.objects.count() == 0
    third = book(
        staff_api,
        contract,
        type="software_training",
        starts_at=on_day(contract, 4).isoformat(),
        duration_minutes=30,
        accept_billable=True,
    ).json()
    assert BillableAcceptance.objects.count() == 1  # 30 minutes beyond the pool
    before = snapshot(contract)
    stranger = ContactFactory()
    refused = staff_api.post(
        f"sessions/{third['id']}/complete",
        {"actual_minutes": 60, "accept_billable": True, "on_behalf_of_contact_id": stranger.pk},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "on_behalf_of_contact_id"
    assert snapshot(contract) == before
    done = staff_api.post(
        f"sessions/{third['id']}/complete",
        {"actual_minutes": 60, "accept_billable": True, "on_behalf_of_contact_id": other.pk},
    )
    assert done.status_code == 200
    shown = ApiClient(contract.buyer_contact.user).get(f"sessions/{third['id']}").json()
    assert [
        (a["by"]["kind"], a["on_behalf_of_contact_id"], a["minutes"], a["amount"])
        for a in shown["acceptances"]
    ] == [
        ("staff", None, 30, "30.00"),
        ("staff", str(other.pk), 60, "60.00"),
    ]
    assert shown["acceptances"][1]["by"]["id"] == str(contract.representative_id)


# --- 15. platforms on the contract -----------------------------------------------------------


def test_software_training_naming_no_platform_covers_the_contracts(staff_api, contract) -> None:
    booked = book(staff_api, contract, type="software_training")
    assert booked.status_code == 201
    assert booked.json()["platforms"] == ["hrm", "teams"]
    only_teams = contract_starting(timezone.localdate() - timedelta(days=9), platforms=["teams"])
    api = ApiClient(only_teams.representative)
    assert book(api, only_teams, type="software_training").json()["platforms"] == ["teams"]
    before = snapshot(only_teams)
    refused = book(api, only_teams, type="software_training", platforms=["hrm"])
    assert refused.json()["error"]["code"] == "validation_error"
    assert "Oura Teams" in refused.json()["error"]["message"]
    assert snapshot(only_teams) == before


# --- 10. messages name things by their label, in the reader's language -----------------------


def test_spanish_refusals_name_types_roles_and_states_by_their_labels(contract) -> None:
    from successkit.factories import StaffFactory

    buyer = ApiClient(contract.buyer_contact.user)  # the organization speaks Spanish
    too_long = book(buyer, contract, type="software_training", duration_minutes=61)
    assert too_long.json()["error"]["message"] == (
        "Una sesión de tipo «Formación sobre software» dura como máximo 60 minutos."
    )
    support = StaffFactory(roles=["support"])
    wrong_role = book(buyer, contract, staff_id=support.pk)
    assert wrong_role.json()["error"]["message"] == (
        "Las sesiones de este paquete las imparten: Ingeniero de Customer Success, Gestor de "
        "Customer Success, Especialista en formación y desarrollo."
    )
    session = book(buyer, contract).json()
    assert buyer.post(f"sessions/{session['id']}/cancel", {"by": "buyer"}).status_code == 200
    again = buyer.post(f"sessions/{session['id']}/cancel", {"by": "buyer"}).json()["error"]
    assert again["message"] == "La sesión está «cancelada»; para esto tiene que estar «reservada»."
    for message in (too_long.json()["error"]["message"], wrong_role.json()["error"]["message"]):
        for code in ("software_training", "csm", "cs_engineer", "ld_specialist"):
            assert code not in message
