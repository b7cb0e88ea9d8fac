"""JSON types are what they say (SPEC.md §8): ``true`` is not a duration, ``0`` is not a
date, ``"5"`` is not an integer, ``1`` is not a boolean, and money is a decimal string
within its bounds. Each refusal is a 422 ``validation_error`` naming the field, nothing
written; each bound is tried at its edge, on whichever database the suite runs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.core.tests.test_bounds import counts
from successkit.engagements.tests.helpers import contract_starting, on_day, rate
from successkit.factories import StaffFactory

pytestmark = pytest.mark.django_db


def refused(response, field: str) -> None:
    assert response.status_code == 422, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["field"] == field, error


@pytest.fixture
def world():
    rate()
    contract = contract_starting(timezone.localdate() - timedelta(days=5))
    return contract, ApiClient(contract.representative)


def booking(contract, **changes) -> dict:
    return {
        "type": "additional_training",
        "starts_at": on_day(contract, 20).isoformat(),
        "duration_minutes": 30,
        "accept_billable": True,
        **changes,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration_minutes", True),
        ("duration_minutes", "30"),
        ("duration_minutes", 30.0),
        ("duration_minutes", 0),
        ("duration_minutes", 24 * 60 + 1),
        ("accept_billable", 1),
        ("accept_billable", "true"),
        ("starts_at", 0),
        ("starts_at", 1893456000),
        ("starts_at", "1893456000"),
        ("starts_at", True),
        ("staff_id", True),
        ("staff_id", 1.5),
    ],
)
def test_a_booking_with_a_value_of_the_wrong_json_type_is_refused(world, field, value) -> None:
    contract, api = world
    before = counts()
    refused(
        api.post(f"contracts/{contract.pk}/sessions", booking(contract, **{field: value})), field
    )
    assert counts() == before


def test_minutes_at_their_edges(world) -> None:
    contract, api = world
    one = api.post(f"contracts/{contract.pk}/sessions", booking(contract, duration_minutes=1))
    assert one.status_code == 201, one.json()
    # A day is within the schema; the type's own cap (catalog: 480) refuses it.
    day = api.post(
        f"contracts/{contract.pk}/sessions",
        booking(contract, starts_at=on_day(contract, 21).isoformat(), duration_minutes=24 * 60),
    )
    assert day.status_code == 422
    assert day.json()["error"]["code"] == "duration_exceeds_limit"


@pytest.mark.parametrize("value", [True, "45", 0, 24 * 60 + 1, 45.5])
def test_actual_minutes_are_a_json_integer_within_bounds(world, value) -> None:
    contract, api = world
    booked = api.post(
        f"contracts/{contract.pk}/sessions",
        booking(contract, starts_at=on_day(contract, 2).isoformat()),
    ).json()
    before = counts()
    refused(
        api.post(f"sessions/{booked['id']}/complete", {"actual_minutes": value}), "actual_minutes"
    )
    assert counts() == before
    done = api.post(f"sessions/{booked['id']}/complete", {"actual_minutes": 1})
    assert done.status_code == 200, done.json()
    assert done.json()["actual_minutes"] == 1


@pytest.fixture
def contract_body():
    admin = StaffFactory(roles=[Role.ADMIN])
    seller = contract_starting(date(2026, 1, 1))
    body = {
        "organization_id": seller.organization_id,
        "package": "pro_lite",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "representative_id": seller.representative_id,
        "buyer_contact_id": seller.buyer_contact_id,
        "currency": "EUR",
    }
    return ApiClient(admin), body


@pytest.mark.parametrize(
    "value", [0, "0", 20270101, "2027-01-01T00:00:00", "1999-12-31", "2101-01-01", "2027-02-30"]
)
def test_a_date_is_a_yyyy_mm_dd_string_between_2000_and_2100(contract_body, value) -> None:
    api, body = contract_body
    before = counts()
    refused(api.post("contracts", {**body, "start_date": value}), "start_date")
    assert counts() == before


def test_the_last_and_first_days_of_the_range_are_dates(contract_body) -> None:
    api, body = contract_body
    response = api.post("contracts", {**body, "start_date": "2000-01-01", "end_date": "2100-12-31"})
    assert response.status_code == 201, response.json()
    assert (response.json()["start_date"], response.json()["end_date"]) == (
        "2000-01-01",
        "2100-12-31",
    )


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("0.01", True),
        ("99999.99", True),
        ("150", True),
        ("100000.00", False),
        ("100000", False),
        ("0.00", False),
        ("-150.00", False),
        ("1.005", False),
        ("1e3", False),
        ("NaN", False),
        (150, False),
        (150.5, False),
        (True, False),
    ],
)
def test_an_hourly_rate_is_a_positive_decimal_string_below_100000(admin_api, value, accepted):
    before = counts()
    response = admin_api.post(
        "rates", {"currency": "EUR", "hourly_rate": value, "effective_from": "2030-01-01"}
    )
    if accepted:
        assert response.status_code == 201, response.json()
        assert response.json()["hourly_rate"] == f"{float(value):.2f}"
    else:
        refused(response, "hourly_rate")
        assert counts() == before


@pytest.mark.parametrize("value", ["5", True, 0, -1, 2.0])
def test_an_order_quantity_is_a_positive_json_integer(world, value) -> None:
    contract, api = world
    before = counts()
    response = api.post(
        f"contracts/{contract.pk}/orders",
        {"reference": "PO-1", "items": [{"sku": "RING4", "size": 9, "quantity": value}]},
    )
    refused(response, "items.0.quantity")
    assert counts() == before


@pytest.mark.parametrize("value", [0, 8, "1", True])
def test_a_weekday_is_a_json_integer_from_1_to_7(admin_api, admin_user, value) -> None:
    body = {
        "timezone": "Europe/Madrid",
        "weekly": [{"weekday": value, "start": "09:00", "end": "17:00"}],
    }
    refused(admin_api.put(f"staff/{admin_user.pk}/availability", body), "weekly.0.weekday")
    body["weekly"][0]["weekday"] = 7
    assert admin_api.put(f"staff/{admin_user.pk}/availability", body).status_code == 200


def test_an_internal_note_flag_is_a_json_boolean(world) -> None:
    contract, api = world
    case = api.post(
        f"contracts/{contract.pk}/cases", {"type": "product_question", "subject": "Sizes"}
    ).json()
    before = counts()
    refused(api.post(f"cases/{case['id']}/messages", {"body": "x", "internal": 1}), "internal")
    assert counts() == before
