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


# --- a new rate never reprices delivered minutes (SPEC.md §5) ------------------------------


def _delivered_in_madrid_on_5_october():
    from datetime import date

    from successkit.billing.tests.helpers import billable_session, contract_starting, rate

    rate("EUR", "150.00", since=date(2026, 1, 1))
    contract = contract_starting(date(2026, 9, 1))
    return billable_session(contract, date(2026, 10, 5), 7, hour=0, minute=30)


@pytest.mark.parametrize("effective_from", ["2026-10-05", "2026-10-04", "2026-02-01"])
def test_a_rate_from_a_day_with_delivered_minutes_or_before_is_refused(effective_from) -> None:
    session = _delivered_in_madrid_on_5_october()  # 00:30 in Madrid is still 4 Oct in UTC
    api = ApiClient(StaffFactory(roles=[Role.FINANCE]))
    refused = api.post("rates", {**RATE, "hourly_rate": "300.00", "effective_from": effective_from})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "rate_already_applied"
    assert refused.json()["error"]["last_delivered_on"] == "2026-10-05"
    assert HourlyRate.objects.count() == 1
    session.refresh_from_db()
    assert (str(session.hourly_rate), str(session.billable_amount)) == ("150.00", "17.50")


def test_a_rate_from_the_day_after_the_last_delivery_is_added() -> None:
    _delivered_in_madrid_on_5_october()
    api = ApiClient(StaffFactory(roles=[Role.FINANCE]))
    added = api.post("rates", {**RATE, "hourly_rate": "300.00", "effective_from": "2026-10-06"})
    assert added.status_code == 201
    other = api.post("rates", {**RATE, "currency": "USD", "effective_from": "2026-01-01"})
    assert other.status_code == 201  # another currency: nothing delivered in it


def test_the_admin_refuses_a_rate_that_would_reprice_delivered_minutes() -> None:
    from django.test import Client

    from successkit.factories import PASSWORD

    _delivered_in_madrid_on_5_october()
    client = Client()
    assert client.login(username=StaffFactory(roles=[Role.FINANCE]).email, password=PASSWORD)
    form = {"currency": "EUR", "hourly_rate": "300.00", "effective_from": "2026-10-05"}
    refused = client.post("/admin/billing/hourlyrate/add/", form)
    assert refused.status_code == 200
    assert "a new rate may take effect from Oct 6, 2026" in refused.content.decode()
    assert HourlyRate.objects.count() == 1
    added = client.post("/admin/billing/hourlyrate/add/", {**form, "effective_from": "2026-10-06"})
    assert added.status_code == 302
    assert HourlyRate.objects.count() == 2
