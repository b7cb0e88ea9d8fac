from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from successkit.accounts.models import StaffRole
from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.engagements.models import PoolEntry, TrainingPool, TrainingSession
from successkit.engagements.services import ledger_mismatches
from successkit.engagements.tests.helpers import contract_starting, on_day, rate, snapshot
from successkit.factories import ContactFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract():
    """A Pro Lite contract (120 minutes over the whole term) that started 10 days ago."""
    return contract_starting(timezone.localdate() - timedelta(days=9))


@pytest.fixture
def staff_api(contract) -> ApiClient:
    return ApiClient(contract.representative)


def book(api: ApiClient, contract, **fields):
    # Day 20, each booking of the contract an hour after the one before: one staff member
    # is never in two meetings at once (SPEC.md §9).
    hour = 10 + TrainingSession.objects.filter(contract=contract).count()
    body = {
        "type": "kickoff",
        "starts_at": on_day(contract, 20, hour=hour).isoformat(),
        "duration_minutes": 60,
        **fields,
    }
    return api.post(f"contracts/{contract.pk}/sessions", body)


def entitlement(api: ApiClient, contract, as_of: str | None = None) -> dict:
    suffix = f"?as_of={as_of}" if as_of else ""
    response = api.get(f"contracts/{contract.pk}/entitlements{suffix}")
    assert response.status_code == 200
    return response.json()["training"]


def test_a_booking_reserves_covered_minutes(contract, staff_api: ApiClient) -> None:
    response = book(staff_api, contract)
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["covered_minutes"], body["billable_minutes"]) == ("booked", 60, 0)
    assert (body["billable_amount"], body["currency"]) == ("0.00", "EUR")
    training = entitlement(staff_api, contract)
    assert training == {
        "included_minutes": 120,
        "reserved_minutes": 60,
        "used_minutes": 0,
        "remaining_minutes": 60,
        "window_start": contract.start_date.isoformat(),
        "window_end": contract.end_date.isoformat(),
    }
    listed = staff_api.get(f"contracts/{contract.pk}/sessions").json()["items"]
    assert [(s["id"], s["type"], s["status"]) for s in listed] == [
        (body["id"], "kickoff", "booked")
    ]


def test_minutes_beyond_the_pool_are_refused_with_a_quote_then_billed_when_accepted(
    contract, staff_api: ApiClient
) -> None:
    rate("EUR", "150.00")
    assert book(staff_api, contract, type="kickoff").status_code == 201
    assert book(staff_api, contract, type="implementation", duration_minutes=45).status_code == 201
    before = snapshot(contract)
    refused = book(staff_api, contract, type="software_training", platforms=["teams"])
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "billable_not_accepted"
    assert error["quote"] == {
        "covered_minutes": 15,
        "billable_minutes": 45,
        "hourly_rate": "150.00",
        "amount": "112.50",
        "currency": "EUR",
        "priced_on": on_day(contract, 20).date().isoformat(),
    }
    assert snapshot(contract) == before

    accepted = book(
        staff_api, contract, type="software_training", platforms=["teams"], accept_billable=True
    )
    assert accepted.status_code == 201
    body = accepted.json()
    assert (body["covered_minutes"], body["billable_minutes"], body["billable_amount"]) == (
        15,
        45,
        "112.50",
    )
    training = entitlement(staff_api, contract)
    assert (training["reserved_minutes"], training["remaining_minutes"]) == (120, 0)


def test_billable_minutes_on_a_day_without_a_rate_are_refused_never_free(
    contract, staff_api: ApiClient
) -> None:
    before = snapshot(contract)
    response = book(
        staff_api, contract, type="additional_training", duration_minutes=90, accept_billable=True
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_rate_in_force"
    assert snapshot(contract) == before


def test_the_rate_is_the_one_in_force_on_the_sessions_day(contract, staff_api: ApiClient) -> None:
    rate("EUR", "100.00", since=contract.start_date)
    rate("EUR", "200.00", since=on_day(contract, 30).date())
    early = book(
        staff_api, contract, type="additional_training", duration_minutes=30, accept_billable=True
    )
    late = book(
        staff_api,
        contract,
        type="additional_training",
        duration_minutes=30,
        starts_at=on_day(contract, 30).isoformat(),
        accept_billable=True,
    )
    assert (early.json()["hourly_rate"], early.json()["billable_amount"]) == ("100.00", "50.00")
    assert (late.json()["hourly_rate"], late.json()["billable_amount"]) == ("200.00", "100.00")
    assert entitlement(staff_api, contract)["reserved_minutes"] == 0


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"duration_minutes": 61}, 422, "duration_exceeds_limit"),
        ({"duration_minutes": 0}, 422, "validation_error"),
        ({"type": "yoga"}, 422, "validation_error"),
        ({"type": "software_training", "platforms": ["slack"]}, 422, "validation_error"),
        ({"starts_at": "2026-01-01T10:00:00"}, 422, "validation_error"),
        ({"starts_at": "not a date"}, 422, "validation_error"),
        ({"staff_id": "999999"}, 422, "validation_error"),
    ],
)
def test_booking_refusals_write_nothing(
    contract, staff_api: ApiClient, fields: dict, status: int, code: str
) -> None:
    before = snapshot(contract)
    response = book(staff_api, contract, **fields)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert snapshot(contract) == before


def test_nothing_is_booked_outside_the_contract_term(contract, staff_api: ApiClient) -> None:
    for starts_at in (on_day(contract, 0), on_day(contract, 366)):
        response = book(staff_api, contract, starts_at=starts_at.isoformat())
        assert response.json()["error"]["code"] == "contract_not_active"
    assert book(staff_api, contract, starts_at=on_day(contract, 365).isoformat()).status_code == 201


def test_a_single_use_session_type_is_held_once(contract, staff_api: ApiClient) -> None:
    first = book(staff_api, contract)
    assert first.status_code == 201
    before = snapshot(contract)
    again = book(staff_api, contract, starts_at=on_day(contract, 25).isoformat())
    assert (again.status_code, again.json()["error"]["code"]) == (409, "session_type_already_used")
    assert snapshot(contract) == before
    staff_api.post(f"sessions/{first.json()['id']}/cancel", {"by": "vendor"})
    assert book(staff_api, contract, starts_at=on_day(contract, 25).isoformat()).status_code == 201


def test_the_delivering_staff_must_hold_a_role_the_package_allows(
    contract, staff_api: ApiClient
) -> None:
    manager = StaffFactory(roles=[Role.ACCOUNT_MANAGER])
    response = book(staff_api, contract, staff_id=str(manager.pk))
    assert (response.status_code, response.json()["error"]["code"]) == (422, "role_not_allowed")
    engineer = StaffFactory(roles=[Role.CS_ENGINEER])
    assert book(staff_api, contract, staff_id=str(engineer.pk)).json()["staff_id"] == str(
        engineer.pk
    )


def test_a_representative_who_lost_the_role_is_refused_on_the_next_booking(
    contract, admin_api: ApiClient
) -> None:
    """The representative's roles come with the contract's row, read on every booking."""
    assert book(admin_api, contract).status_code == 201
    StaffRole.objects.filter(user=contract.representative).update(role=Role.ACCOUNT_MANAGER)
    response = book(admin_api, contract, type="additional_training", accept_billable=True)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "role_not_allowed")


def test_a_booking_reads_neither_the_representatives_roles_nor_a_known_type_apart(
    contract, admin_api: ApiClient
) -> None:
    """The representative's roles are read with the contract; a published catalog's session
    type, once read, is kept by the process (issue 14: a booking's round trips)."""
    rate()
    assert (
        book(admin_api, contract, type="additional_training", accept_billable=True).status_code
        == 201
    )
    with CaptureQueriesContext(connection) as captured:
        again = book(admin_api, contract, type="additional_training", accept_billable=True)
    assert again.status_code == 201
    assert again.json()["billable_minutes"] == 60
    apart = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(('SELECT "accounts_staffrole".', 'SELECT "catalog_sessiontype".'))
    ]
    assert apart == []


def test_launch_kit_sessions_are_delivered_by_the_account_manager() -> None:
    contract = contract_starting(timezone.localdate(), "launch_kit")
    api = ApiClient(contract.representative)
    csm = StaffFactory(roles=[Role.CSM])
    assert book(api, contract, staff_id=str(csm.pk)).json()["error"]["code"] == "role_not_allowed"
    assert book(api, contract).json()["covered_minutes"] == 60


def test_launch_kit_pool_closes_after_day_90_and_a_move_past_it_needs_acceptance() -> None:
    contract = contract_starting(timezone.localdate() - timedelta(days=9), "launch_kit")
    api = ApiClient(contract.representative)
    rate("EUR", "120.00")
    session = book(api, contract, starts_at=on_day(contract, 90, hour=23).isoformat()).json()
    assert (session["covered_minutes"], session["billable_minutes"]) == (60, 0)
    day_90 = on_day(contract, 90).date().isoformat()
    day_91 = on_day(contract, 91).date().isoformat()
    assert entitlement(api, contract, day_90)["remaining_minutes"] == 180
    assert entitlement(api, contract, day_91)["remaining_minutes"] == 0
    assert entitlement(api, contract, day_91)["window_end"] == day_90

    before = snapshot(contract)
    moved = api.patch(
        f"sessions/{session['id']}", {"starts_at": on_day(contract, 91, hour=0).isoformat()}
    )
    assert moved.json()["error"]["code"] == "billable_not_accepted"
    assert moved.json()["error"]["quote"]["amount"] == "120.00"
    assert snapshot(contract) == before
    moved = api.patch(
        f"sessions/{session['id']}",
        {"starts_at": on_day(contract, 91, hour=0).isoformat(), "accept_billable": True},
    )
    assert moved.status_code == 200
    assert (moved.json()["covered_minutes"], moved.json()["billable_minutes"]) == (0, 60)
    assert entitlement(api, contract, day_90)["reserved_minutes"] == 0
    back = api.patch(f"sessions/{session['id']}", {"starts_at": on_day(contract, 30).isoformat()})
    assert (back.json()["covered_minutes"], back.json()["billable_minutes"]) == (60, 0)
    assert back.json()["billable_amount"] == "0.00"


def test_a_move_keeps_the_sessions_own_reservation(contract, staff_api: ApiClient) -> None:
    book(staff_api, contract, type="kickoff")
    second = book(staff_api, contract, type="implementation").json()
    moved = staff_api.patch(
        f"sessions/{second['id']}", {"starts_at": on_day(contract, 40).isoformat()}
    )
    assert (moved.status_code, moved.json()["covered_minutes"]) == (200, 60)
    assert entitlement(staff_api, contract)["reserved_minutes"] == 120


def test_completion_with_fewer_minutes_releases_the_rest(contract, staff_api: ApiClient) -> None:
    session = book(staff_api, contract, starts_at=on_day(contract, 5).isoformat()).json()
    done = staff_api.post(f"sessions/{session['id']}/complete", {"actual_minutes": 40})
    assert done.status_code == 200
    assert (
        done.json()["status"],
        done.json()["actual_minutes"],
        done.json()["covered_minutes"],
    ) == ("completed", 40, 40)
    training = entitlement(staff_api, contract)
    assert (
        training["reserved_minutes"],
        training["used_minutes"],
        training["remaining_minutes"],
    ) == (0, 40, 80)


def test_completion_with_more_minutes_draws_on_what_is_left_then_needs_acceptance(
    contract, staff_api: ApiClient
) -> None:
    rate()
    book(staff_api, contract, type="kickoff")
    session = book(
        staff_api,
        contract,
        type="implementation",
        duration_minutes=30,
        starts_at=on_day(contract, 5).isoformat(),
    ).json()
    grown = staff_api.post(f"sessions/{session['id']}/complete", {"actual_minutes": 60})
    assert (grown.json()["covered_minutes"], grown.json()["billable_minutes"]) == (60, 0)

    third = book(
        staff_api,
        contract,
        type="software_training",
        duration_minutes=10,
        platforms=["hrm"],
        accept_billable=True,
        starts_at=on_day(contract, 6).isoformat(),
    ).json()
    assert (third["covered_minutes"], third["billable_minutes"]) == (0, 10)
    before = snapshot(contract)
    refused = staff_api.post(f"sessions/{third['id']}/complete", {"actual_minutes": 25})
    assert refused.json()["error"]["code"] == "billable_not_accepted"
    assert refused.json()["error"]["quote"]["billable_minutes"] == 25
    assert snapshot(contract) == before
    within = staff_api.post(f"sessions/{third['id']}/complete", {"actual_minutes": 10})
    assert (within.status_code, within.json()["billable_amount"]) == (200, "25.00")


def test_completion_is_capped_at_the_session_type_limit(contract, staff_api: ApiClient) -> None:
    session = book(staff_api, contract, starts_at=on_day(contract, 5).isoformat()).json()
    response = staff_api.post(f"sessions/{session['id']}/complete", {"actual_minutes": 61})
    assert response.json()["error"]["code"] == "duration_exceeds_limit"
    assert TrainingSession.objects.get(pk=session["id"]).status == "booked"


def test_cancellation_releases_and_records_who_cancelled(contract, staff_api: ApiClient) -> None:
    session = book(staff_api, contract).json()
    cancelled = staff_api.post(f"sessions/{session['id']}/cancel", {"by": "buyer"})
    assert (cancelled.json()["status"], cancelled.json()["cancelled_by"]) == ("cancelled", "buyer")
    assert entitlement(staff_api, contract)["reserved_minutes"] == 0
    again = staff_api.post(f"sessions/{session['id']}/cancel", {"by": "buyer"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "invalid_state")
    bad = staff_api.post(f"sessions/{session['id']}/cancel", {"by": "nobody"})
    assert bad.json()["error"]["code"] == "validation_error"


def test_a_no_show_consumes_the_booked_minutes(contract, staff_api: ApiClient) -> None:
    session = book(
        staff_api, contract, duration_minutes=45, starts_at=on_day(contract, 5).isoformat()
    ).json()
    response = staff_api.post(f"sessions/{session['id']}/no-show")
    assert response.json()["status"] == "no_show"
    training = entitlement(staff_api, contract)
    assert (training["reserved_minutes"], training["used_minutes"]) == (0, 45)
    assert (
        staff_api.post(f"sessions/{session['id']}/complete", {"actual_minutes": 30}).status_code
        == 409
    )
    # A no-show uses the single-use type up.
    assert (
        book(staff_api, contract, starts_at=on_day(contract, 30).isoformat()).json()["error"][
            "code"
        ]
        == "session_type_already_used"
    )


def test_staff_may_record_a_past_session(contract, staff_api: ApiClient) -> None:
    past = on_day(contract, 2).isoformat()
    session = book(staff_api, contract, starts_at=past).json()
    assert (
        staff_api.post(f"sessions/{session['id']}/complete", {"actual_minutes": 60}).status_code
        == 200
    )
    assert entitlement(staff_api, contract)["used_minutes"] == 60


def test_a_buyer_contact_books_future_sessions_of_their_own_contract(contract) -> None:
    buyer = ApiClient(contract.buyer_contact.user)
    refused = book(buyer, contract, starts_at=on_day(contract, 2).isoformat())
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "validation_error")
    booked = book(buyer, contract)
    assert booked.status_code == 201
    assert booked.json()["staff_id"] == str(contract.representative_id)
    session_id = booked.json()["id"]
    assert buyer.get(f"sessions/{session_id}").status_code == 200
    assert buyer.post(f"sessions/{session_id}/complete", {"actual_minutes": 60}).status_code == 403
    assert buyer.post(f"sessions/{session_id}/no-show").status_code == 403
    assert buyer.post(f"sessions/{session_id}/cancel", {"by": "vendor"}).status_code == 403
    assert buyer.post(f"sessions/{session_id}/cancel", {"by": "buyer"}).status_code == 200


def test_another_organizations_contact_reaches_nothing(contract, staff_api: ApiClient) -> None:
    session_id = book(staff_api, contract).json()["id"]
    outsider = ApiClient(ContactFactory().user)
    before = snapshot(contract)
    calls = [
        outsider.get(f"contracts/{contract.pk}/entitlements"),
        outsider.get(f"contracts/{contract.pk}/sessions"),
        book(outsider, contract, type="implementation"),
        outsider.get(f"sessions/{session_id}"),
        outsider.patch(f"sessions/{session_id}", {"starts_at": on_day(contract, 30).isoformat()}),
        outsider.post(f"sessions/{session_id}/complete", {"actual_minutes": 30}),
        outsider.post(f"sessions/{session_id}/cancel", {"by": "buyer"}),
        outsider.post(f"sessions/{session_id}/no-show"),
    ]
    assert [(c.status_code, c.json()["error"]["code"]) for c in calls] == [
        (404, "not_found")
    ] * len(calls)
    assert snapshot(contract) == before


def test_support_and_finance_staff_do_not_book(contract) -> None:
    for role in (Role.SUPPORT, Role.FINANCE):
        response = book(ApiClient(StaffFactory(roles=[role])), contract)
        assert response.status_code == 403
    assert TrainingSession.objects.count() == 0


def test_as_of_must_be_a_date(contract, staff_api: ApiClient) -> None:
    response = staff_api.get(f"contracts/{contract.pk}/entitlements?as_of=tomorrow")
    assert (response.status_code, response.json()["error"]["code"]) == (422, "validation_error")


def test_the_ledger_rebuilds_every_balance(contract, staff_api: ApiClient, capsys) -> None:
    rate()
    first = book(staff_api, contract, starts_at=on_day(contract, 5).isoformat()).json()
    second = book(staff_api, contract, type="implementation", duration_minutes=50).json()
    third = book(
        staff_api,
        contract,
        type="additional_training",
        duration_minutes=30,
        accept_billable=True,
        starts_at=on_day(contract, 6).isoformat(),
    ).json()
    staff_api.post(f"sessions/{first['id']}/complete", {"actual_minutes": 55})
    staff_api.post(f"sessions/{second['id']}/cancel", {"by": "vendor"})
    staff_api.post(f"sessions/{third['id']}/no-show")
    assert ledger_mismatches() == []
    pool = TrainingPool.objects.get(contract=contract)
    assert (pool.reserved_minutes, pool.used_minutes) == (0, 55)
    assert PoolEntry.objects.filter(pool=pool).count() == 5
    call_command("check_ledger")
    assert "1 pools agree" in capsys.readouterr().out

    TrainingPool.objects.filter(pk=pool.pk).update(used_minutes=54)
    assert [m.contract_id for m in ledger_mismatches()] == [contract.pk]
    with pytest.raises(SystemExit):
        call_command("check_ledger")


def test_entitlements_count_the_health_checks_owed() -> None:
    contract = contract_starting(timezone.localdate() - timedelta(days=100), "premium")
    api = ApiClient(contract.representative)
    body = api.get(f"contracts/{contract.pk}/entitlements").json()
    # Three monthly periods have ended without a check; the other nine are upcoming.
    assert body["health_checks"] == {"included": 12, "completed": 0, "missed": 3, "upcoming": 9}
    launch = contract_starting(timezone.localdate(), "launch_kit")
    body = ApiClient(launch.representative).get(f"contracts/{launch.pk}/entitlements").json()
    assert body["health_checks"] == {"included": 0, "completed": 0, "missed": 0, "upcoming": 0}


def test_the_term_cannot_shrink_past_a_booked_session(contract, staff_api: ApiClient) -> None:
    book(staff_api, contract, starts_at=on_day(contract, 200).isoformat())
    end = contract.end_date
    response = staff_api.patch(
        f"contracts/{contract.pk}", {"end_date": on_day(contract, 150).date().isoformat()}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "invalid_state")
    contract.refresh_from_db()
    assert contract.end_date == end
    shorter = staff_api.patch(
        f"contracts/{contract.pk}", {"end_date": on_day(contract, 250).date().isoformat()}
    )
    assert shorter.status_code == 200
    assert (
        entitlement(staff_api, contract)["window_end"] == on_day(contract, 250).date().isoformat()
    )


def test_session_times_are_given_in_the_buyers_time_zone(contract, staff_api: ApiClient) -> None:
    starts = on_day(contract, 20)  # 10:00 in Europe/Madrid
    body = book(staff_api, contract, starts_at=starts.astimezone(UTC).isoformat()).json()
    assert body["starts_at"] == starts.isoformat().replace("+00:00", "Z")
    assert body["starts_at"].startswith(f"{starts.date().isoformat()}T10:00:00+0")


def test_a_buyer_cannot_cancel_a_session_that_has_started(contract, staff_api: ApiClient) -> None:
    session = book(staff_api, contract, starts_at=on_day(contract, 2).isoformat()).json()
    buyer = ApiClient(contract.buyer_contact.user)
    refused = buyer.post(f"sessions/{session['id']}/cancel", {"by": "buyer"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "invalid_state")
    assert entitlement(staff_api, contract)["reserved_minutes"] == 60
    vendor = staff_api.post(f"sessions/{session['id']}/cancel", {"by": "vendor"})
    assert (vendor.status_code, vendor.json()["cancelled_by"]) == (200, "vendor")
    assert entitlement(staff_api, contract)["reserved_minutes"] == 0


def test_a_session_is_an_icalendar_event_for_its_own_organization(
    contract, staff_api: ApiClient
) -> None:
    from icalendar import Calendar

    session = book(staff_api, contract).json()
    buyer = ApiClient(contract.buyer_contact.user)
    response = buyer.get(f"sessions/{session['id']}/ics")
    assert (response.status_code, response["Content-Type"]) == (200, "text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == on_day(contract, 20)
    assert (event.decoded("dtend") - event.decoded("dtstart")).total_seconds() == 3600
    assert str(event["summary"]).startswith("Reunión inicial")  # the buyer speaks Spanish
    assert str(event["organizer"]) == f"mailto:{contract.representative.email}"
    assert ApiClient(ContactFactory().user).get(f"sessions/{session['id']}/ics").status_code == 404
