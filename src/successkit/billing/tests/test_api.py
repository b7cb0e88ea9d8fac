"""API v1: billable lines, statements and corrections over HTTP."""

from __future__ import annotations

from datetime import date

import pytest

from successkit.accounts.roles import Role
from successkit.billing.models import Adjustment, Statement
from successkit.billing.tests.helpers import (
    billable_session,
    billing_state,
    contract_starting,
    rate,
    unpriced,
)
from successkit.conftest import ApiClient
from successkit.factories import ContactFactory, StaffFactory

pytestmark = pytest.mark.django_db

OCTOBER = {"period_start": "2026-10-01", "period_end": "2026-10-31"}


@pytest.fixture
def contract():
    rate("EUR", "150.00", since=date(2026, 1, 1))
    rate("EUR", "165.00", since=date(2026, 10, 15))
    return contract_starting(date(2026, 9, 1))


@pytest.fixture
def finance_api() -> ApiClient:
    return ApiClient(StaffFactory(roles=[Role.FINANCE]))


@pytest.fixture
def buyer_api(contract) -> ApiClient:
    return ApiClient(contract.buyer_contact.user)


@pytest.fixture
def outsider_api() -> ApiClient:
    """A buyer contact of another organization."""
    return ApiClient(ContactFactory().user)


def issued(api: ApiClient, contract, period: dict | None = None) -> dict:
    response = api.post(f"contracts/{contract.pk}/statements", period or OCTOBER)
    assert response.status_code == 201, response.json()
    return response.json()


def test_billing_lists_billed_and_unbilled_lines_at_then_current_rates(
    contract, finance_api: ApiClient, buyer_api: ApiClient
) -> None:
    first = billable_session(contract, date(2026, 10, 14), 90)
    second = billable_session(contract, date(2026, 10, 15), 45)
    statement = issued(finance_api, contract)
    third = billable_session(contract, date(2026, 11, 2), 7)

    response = buyer_api.get(f"contracts/{contract.pk}/billing")

    assert response.status_code == 200
    assert response.json() == {
        "contract_id": str(contract.pk),
        "currency": "EUR",
        "lines": [
            {
                "session_id": str(first.pk),
                "type": "additional_training",
                "delivered_on": "2026-10-14",
                "minutes": 90,
                "hourly_rate": "150.00",
                "amount": "225.00",
                "status": "billed",
                "statement_id": statement["id"],
                "statement_number": "ST-000001",
            },
            {
                "session_id": str(second.pk),
                "type": "additional_training",
                "delivered_on": "2026-10-15",
                "minutes": 45,
                "hourly_rate": "165.00",
                "amount": "123.75",
                "status": "billed",
                "statement_id": statement["id"],
                "statement_number": "ST-000001",
            },
            {
                "session_id": str(third.pk),
                "type": "additional_training",
                "delivered_on": "2026-11-02",
                "minutes": 7,
                "hourly_rate": "165.00",
                "amount": "19.25",
                "status": "unbilled",
                "statement_id": None,
                "statement_number": None,
            },
        ],
        "total": "368.00",
        "billed_total": "348.75",
        "unbilled_total": "19.25",
        "pending_adjustments_total": "0.00",
    }


def test_billing_of_a_contract_without_billable_minutes_is_empty(contract, buyer_api) -> None:
    body = buyer_api.get(f"contracts/{contract.pk}/billing").json()
    assert (body["lines"], body["total"], body["currency"]) == ([], "0.00", "EUR")


def test_billing_refuses_to_price_a_day_without_a_rate(contract, finance_api) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    unpriced(contract=contract)
    response = finance_api.get(f"contracts/{contract.pk}/billing")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "no_rate_in_force",
        "message": "No hourly rate in EUR is in force on Oct 5, 2026.",
        "currency": "EUR",
        "day": "2026-10-05",
    }
    # The day as the caller's language writes it; ``day`` stays ISO for programs.
    spanish_finance = ApiClient(StaffFactory(roles=[Role.FINANCE], language="es"))
    spanish = spanish_finance.get(f"contracts/{contract.pk}/billing").json()["error"]
    assert spanish["message"] == "No hay ninguna tarifa horaria en EUR vigente el 5 oct 2026."
    assert spanish["day"] == "2026-10-05"


def test_finance_issues_a_statement(contract, finance_api: ApiClient) -> None:
    session = billable_session(contract, date(2026, 10, 5), 60)
    body = issued(finance_api, contract)
    assert body["number"] == "ST-000001"
    assert (body["period_start"], body["period_end"], body["currency"]) == (
        "2026-10-01",
        "2026-10-31",
        "EUR",
    )
    assert body["total"] == "150.00"
    assert body["issued_by_id"] == str(finance_api.user.pk)
    assert body["csv_url"].endswith(f"/api/v1/statements/{body['id']}/csv")
    assert [
        (line["position"], line["kind"], line["session_id"], line["hourly_rate"], line["amount"])
        for line in body["lines"]
    ] == [(1, "session", str(session.pk), "150.00", "150.00")]
    assert finance_api.get(f"statements/{body['id']}").json() == body
    listed = finance_api.get(f"contracts/{contract.pk}/statements").json()
    assert [item["number"] for item in listed["items"]] == ["ST-000001"]


def test_an_empty_statement_is_refused_with_nothing_to_bill(contract, finance_api) -> None:
    response = finance_api.post(f"contracts/{contract.pk}/statements", OCTOBER)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nothing_to_bill"
    assert Statement.objects.count() == 0


def test_a_statement_with_a_day_without_a_rate_is_refused_and_nothing_written(
    contract, finance_api
) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    unpriced(contract=contract)
    before = billing_state()
    response = finance_api.post(f"contracts/{contract.pk}/statements", OCTOBER)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_rate_in_force"
    assert billing_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period_start": "2026-10-31", "period_end": "2026-10-01"}, "period_end"),
        ({"period_start": "2026-10-01", "period_end": "not a date"}, "period_end"),
        ({"period_start": "2026-10-01"}, "period_end"),
    ],
)
def test_a_malformed_period_is_a_validation_error(contract, finance_api, body, field) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    response = finance_api.post(f"contracts/{contract.pk}/statements", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in str(error)
    assert Statement.objects.count() == 0


def test_a_repeated_idempotent_issue_answers_the_same_statement(contract, finance_api) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    url = f"contracts/{contract.pk}/statements"
    first = finance_api.post(url, OCTOBER, HTTP_IDEMPOTENCY_KEY="october-run")
    again = finance_api.post(url, OCTOBER, HTTP_IDEMPOTENCY_KEY="october-run")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Statement.objects.count() == 1


@pytest.mark.parametrize("role", [Role.CSM, Role.SUPPORT, Role.ACCOUNT_MANAGER])
def test_only_finance_and_admins_issue_and_correct(contract, role: str) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    api = ApiClient(StaffFactory(roles=[role]))
    assert api.post(f"contracts/{contract.pk}/statements", OCTOBER).status_code == 403
    statement = issued(ApiClient(StaffFactory(roles=[Role.ADMIN])), contract)
    correction = {"amount": "-10.00", "reason": "Goodwill"}
    response = api.post(f"statements/{statement['id']}/adjustments", correction)
    assert response.status_code == 403
    assert Adjustment.objects.count() == 0
    # Every staff member reads billing.
    assert api.get(f"statements/{statement['id']}").status_code == 200
    assert api.get(f"contracts/{contract.pk}/billing").status_code == 200


def test_buyers_read_their_statements_but_never_issue(contract, finance_api, buyer_api) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    response = buyer_api.post(f"contracts/{contract.pk}/statements", OCTOBER)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    statement = issued(finance_api, contract)
    assert buyer_api.get(f"statements/{statement['id']}").json() == statement
    listed = buyer_api.get(f"contracts/{contract.pk}/statements").json()["items"]
    assert [item["id"] for item in listed] == [statement["id"]]
    response = buyer_api.post(
        f"statements/{statement['id']}/adjustments", {"amount": "-150.00", "reason": "No"}
    )
    assert response.status_code == 403
    assert buyer_api.get("billing/unbilled").status_code == 403


def test_a_correction_is_billed_on_the_next_statement(contract, finance_api, buyer_api) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    october = issued(finance_api, contract)
    line_id = october["lines"][0]["id"]
    response = finance_api.post(
        f"statements/{october['id']}/adjustments",
        {"amount": "-50.00", "reason": "Ended early", "line_id": line_id},
    )
    assert response.status_code == 201
    correction = response.json()
    assert {key: correction[key] for key in ("amount", "currency", "status", "statement_id")} == {
        "amount": "-50.00",
        "currency": "EUR",
        "status": "pending",
        "statement_id": None,
    }
    assert (correction["corrects_statement_number"], correction["corrects_line_id"]) == (
        "ST-000001",
        line_id,
    )
    billing = buyer_api.get(f"contracts/{contract.pk}/billing").json()
    assert billing["pending_adjustments_total"] == "-50.00"

    november = issued(
        finance_api, contract, {"period_start": "2026-11-01", "period_end": "2026-11-30"}
    )

    assert november["number"] == "ST-000002"
    assert november["total"] == "-50.00"
    [line] = november["lines"]
    assert (line["kind"], line["amount"], line["reason"], line["corrects_line_id"]) == (
        "adjustment",
        "-50.00",
        "Ended early",
        line_id,
    )
    assert finance_api.get(f"statements/{october['id']}").json() == october  # unchanged
    listed = buyer_api.get(f"contracts/{contract.pk}/adjustments").json()["items"]
    assert [(item["status"], item["statement_id"]) for item in listed] == [
        ("billed", november["id"])
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0.00", "reason": "x"}, "amount"),
        ({"amount": "-1.005", "reason": "x"}, "amount"),
        ({"amount": "-1.00", "reason": ""}, "reason"),
        ({"amount": "-1.00", "reason": "x", "line_id": "abc"}, "line_id"),
        ({"amount": "-1.00", "reason": "x", "line_id": 987654}, "line_id"),
    ],
)
def test_malformed_corrections_are_validation_errors(contract, finance_api, body, field) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    statement = issued(finance_api, contract)
    response = finance_api.post(f"statements/{statement['id']}/adjustments", body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert Adjustment.objects.count() == 0


def test_unbilled_lists_every_contract_with_something_to_bill(contract, finance_api) -> None:
    rate("USD", "100.00", since=date(2026, 1, 1))
    other = contract_starting(date(2026, 9, 1), currency="USD")
    contract_starting(date(2026, 9, 1))  # nothing billable
    billable_session(contract, date(2026, 10, 5), 60)
    billable_session(contract, date(2026, 11, 5), 30)
    billable_session(other, date(2026, 10, 6), 1)

    everything = finance_api.get("billing/unbilled").json()
    october = finance_api.get("billing/unbilled?period_start=2026-11-01&period_end=2026-11-30")

    by_contract = {item["contract_id"]: item for item in everything["items"]}
    assert set(by_contract) == {str(contract.pk), str(other.pk)}
    assert by_contract[str(contract.pk)]["total"] == "232.50"
    assert [line["amount"] for line in by_contract[str(contract.pk)]["lines"]] == [
        "150.00",
        "82.50",
    ]
    assert by_contract[str(other.pk)]["lines"] == [
        {
            "session_id": by_contract[str(other.pk)]["lines"][0]["session_id"],
            "delivered_on": "2026-10-06",
            "minutes": 1,
            "hourly_rate": "100.00",
            "amount": "1.67",
        }
    ]
    assert [(item["contract_id"], item["total"]) for item in october.json()["items"]] == [
        (str(contract.pk), "82.50")
    ]
    issued(finance_api, contract)
    left = finance_api.get("billing/unbilled").json()["items"]
    assert {item["contract_id"]: item["total"] for item in left} == {
        str(contract.pk): "82.50",
        str(other.pk): "1.67",
    }


def test_unbilled_flags_lines_that_cannot_be_priced(contract, finance_api) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    unpriced(contract=contract)
    [item] = finance_api.get("billing/unbilled").json()["items"]
    assert (item["unpriced_lines"], item["total"]) == (1, "0.00")
    assert (item["lines"][0]["hourly_rate"], item["lines"][0]["amount"]) == (None, None)


def test_unbilled_needs_both_ends_of_a_period(finance_api) -> None:
    response = finance_api.get("billing/unbilled?period_start=2026-10-01")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "period_end"


def test_every_billing_endpoint_hides_another_organization(
    contract, finance_api, outsider_api
) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    statement = issued(finance_api, contract)
    reads = [
        f"contracts/{contract.pk}/billing",
        f"contracts/{contract.pk}/statements",
        f"contracts/{contract.pk}/adjustments",
        f"statements/{statement['id']}",
        f"statements/{statement['id']}/csv",
        f"statements/{statement['id']}/pdf",
    ]
    writes = [
        (f"contracts/{contract.pk}/statements", OCTOBER),
        (f"statements/{statement['id']}/adjustments", {"amount": "-1.00", "reason": "x"}),
    ]
    for path in reads:
        response = outsider_api.get(path)
        assert (path, response.status_code) == (path, 404)
        assert response.json()["error"]["code"] == "not_found"
    for path, body in writes:
        response = outsider_api.post(path, body)
        assert (path, response.status_code) == (path, 404)
    for path in ("statements/0", "statements/abc", "statements/999999"):
        assert finance_api.get(path).status_code == 404
    assert ApiClient().get(reads[0]).status_code == 401


def test_the_openapi_document_describes_the_billing_endpoints(admin_api) -> None:
    paths = admin_api.get("openapi.json").json()["paths"]
    assert set(paths["/api/v1/contracts/{contract_id}/statements"]) == {"get", "post"}
    for path in (
        "/api/v1/contracts/{contract_id}/billing",
        "/api/v1/contracts/{contract_id}/adjustments",
        "/api/v1/statements/{statement_id}",
        "/api/v1/billing/unbilled",
    ):
        assert "get" in paths[path], path
    assert "post" in paths["/api/v1/statements/{statement_id}/adjustments"]
    csv = paths["/api/v1/statements/{statement_id}/csv"]["get"]["responses"]["200"]
    pdf = paths["/api/v1/statements/{statement_id}/pdf"]["get"]["responses"]["200"]
    assert list(csv["content"]) == ["text/csv"]
    assert list(pdf["content"]) == ["application/pdf"]


def test_a_period_as_wide_as_the_calendar_is_no_error(contract, finance_api) -> None:
    session = billable_session(contract, date(2026, 10, 5), 60)
    everything = {"period_start": "2000-01-01", "period_end": "2100-12-31"}  # SPEC §8 bounds
    wide = "billing/unbilled?period_start=2000-01-01&period_end=2100-12-31"
    [item] = finance_api.get(wide).json()["items"]
    beyond = finance_api.get("billing/unbilled?period_start=0001-01-01&period_end=9999-12-31")
    assert beyond.status_code == 422
    assert beyond.json()["error"]["field"] == "period_start"
    assert [line["session_id"] for line in item["lines"]] == [str(session.pk)]
    assert issued(finance_api, contract, everything)["total"] == "150.00"
    response = finance_api.post(f"contracts/{contract.pk}/statements", everything)
    assert response.json()["error"]["code"] == "nothing_to_bill"
