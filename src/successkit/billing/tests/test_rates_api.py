from __future__ import annotations

import pytest

from successkit.accounts.roles import Role
from successkit.billing.models import HourlyRate
from successkit.conftest import ApiClient
from successkit.factories import ContactFactory, StaffFactory

pytestmark = pytest.mark.django_db

RATE = {"currency": "eur", "hourly_rate": "150.00", "effective_from": "2026-01-01"}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE])
def test_finance_and_admins_add_rates(role: Role) -> None:
    response = ApiClient(StaffFactory(roles=[role])).post("rates", RATE)
    assert response.status_code == 201
    body = response.json()
    assert (body["currency"], body["hourly_rate"], body["effective_from"]) == (
        "EUR",
        "150.00",
        "2026-01-01",
    )
    listed = ApiClient(StaffFactory(roles=[Role.CSM])).get("rates").json()["items"]
    assert [(r["currency"], r["hourly_rate"]) for r in listed] == [("EUR", "150.00")]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"hourly_rate": "0"}, 422, "validation_error"),
        ({"hourly_rate": "-10"}, 422, "validation_error"),
        ({"hourly_rate": "12.345"}, 422, "validation_error"),
        ({"hourly_rate": "abc"}, 422, "validation_error"),
        ({"hourly_rate": "NaN"}, 422, "validation_error"),
        ({"currency": "XYZ1"}, 422, "validation_error"),
        ({"effective_from": "soon"}, 422, "validation_error"),
    ],
)
def test_rate_refusals_write_nothing(change: dict, status: int, code: str) -> None:
    response = ApiClient(StaffFactory(roles=[Role.FINANCE])).post("rates", {**RATE, **change})
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert HourlyRate.objects.count() == 0


def test_a_second_rate_for_the_same_day_is_refused_rates_are_never_edited() -> None:
    api = ApiClient(StaffFactory(roles=[Role.FINANCE]))
    api.post("rates", RATE)
    again = api.post("rates", {**RATE, "hourly_rate": "175.00"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "rate_already_set")
    assert list(HourlyRate.objects.values_list("hourly_rate", flat=True)) == [150]


def test_other_roles_and_contacts_cannot_set_rates() -> None:
    assert ApiClient(StaffFactory(roles=[Role.CSM])).post("rates", RATE).status_code == 403
    contact = ApiClient(ContactFactory().user)
    assert contact.post("rates", RATE).status_code == 403
    assert contact.get("rates").status_code == 403
    assert HourlyRate.objects.count() == 0
