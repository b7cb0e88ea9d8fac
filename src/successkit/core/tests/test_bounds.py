"""Hostile values never reach the database: 422 validation_error naming the field, never
a 500, nothing written - the same on SQLite and PostgreSQL (SPEC.md §8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from successkit.accounts.models import Organization
from successkit.conftest import ApiClient
from successkit.engagements.tests.helpers import contract_starting, on_day, rate

pytestmark = pytest.mark.django_db

ORGANIZATION = {"name": "Sol", "country": "ES", "timezone": "Europe/Madrid", "language": "es"}
HOSTILE_TEXT = ["a\x00b", "x\ud800y", "n" * 300]
HOSTILE_MINUTES = [2147483648, 10**30, -(2**40), 1e300]
HOSTILE_INSTANTS = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+00:00", "1999-12-31"]


def counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"core", "sessions", "axes", "admin"}
        and model._meta.label != "accounts.ApiToken"
    }


def assert_refused(response, field: str | None = None) -> None:
    assert response.status_code == 422, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    if field is not None:
        assert field in (error.get("field", ""), *[f["field"] for f in error.get("fields", [])])


@pytest.mark.parametrize("name", HOSTILE_TEXT)
def test_an_organization_name_that_cannot_be_stored_is_refused(admin_api, name) -> None:
    before = counts()
    assert_refused(admin_api.post("organizations", {**ORGANIZATION, "name": name}), "name")
    assert counts() == before
    assert Organization.objects.count() == 0


@pytest.fixture
def booking():
    rate()
    contract = contract_starting(timezone.localdate() - timedelta(days=5))
    return contract, ApiClient(contract.representative)


@pytest.mark.parametrize("minutes", HOSTILE_MINUTES)
def test_absurd_durations_are_refused(booking, minutes) -> None:
    contract, api = booking
    before = counts()
    response = api.post(
        f"contracts/{contract.pk}/sessions",
        {
            "type": "additional_training",
            "starts_at": on_day(contract, 20).isoformat(),
            "duration_minutes": minutes,
            "accept_billable": True,
        },
    )
    assert response.status_code == 422, response.content[:300]
    assert counts() == before


@pytest.mark.parametrize("starts_at", HOSTILE_INSTANTS)
def test_instants_outside_2000_2100_are_refused(booking, starts_at) -> None:
    contract, api = booking
    before = counts()
    response = api.post(
        f"contracts/{contract.pk}/sessions",
        {"type": "additional_training", "starts_at": starts_at, "duration_minutes": 30},
    )
    assert_refused(response, "starts_at")
    assert counts() == before


def test_a_lone_surrogate_in_a_case_subject_is_refused(booking) -> None:
    contract, _api = booking
    buyer = ApiClient(contract.buyer_contact.user)
    before = counts()
    response = buyer.post(
        f"contracts/{contract.pk}/cases", {"type": "product_question", "subject": "x\ud800y"}
    )
    assert_refused(response, "subject")
    assert counts() == before


def test_nan_and_infinity_are_not_json(admin_api) -> None:
    response = admin_api.client.post(
        "/api/v1/organizations",
        data='{"name": NaN, "country": "ES", "timezone": "UTC", "language": "en"}',
        content_type="application/json",
        headers=admin_api.headers,
    )
    assert response.status_code in (400, 422)
    assert Organization.objects.count() == 0


def test_no_hostile_value_gets_a_server_error(booking, admin_api) -> None:
    """Every hostile value above, on every text and number field of these calls."""
    contract, _api = booking
    client = Client(raise_request_exception=False)
    tried = 0
    for value in [*HOSTILE_TEXT, *HOSTILE_MINUTES, *HOSTILE_INSTANTS, True, 0, None, [], {}]:
        for path, body in [
            ("/api/v1/organizations", {**ORGANIZATION, "name": value}),
            ("/api/v1/organizations", {**ORGANIZATION, "timezone": value}),
            (
                f"/api/v1/contracts/{contract.pk}/sessions",
                {"type": "kickoff", "starts_at": value, "duration_minutes": 30},
            ),
            (
                f"/api/v1/contracts/{contract.pk}/sessions",
                {
                    "type": "kickoff",
                    "starts_at": on_day(contract, 25).isoformat(),
                    "duration_minutes": value,
                },
            ),
            (
                f"/api/v1/contracts/{contract.pk}/cases",
                {"type": "product_question", "subject": value},
            ),
        ]:
            import json

            try:
                data = json.dumps(body)
            except (ValueError, UnicodeEncodeError):
                continue
            response = client.post(
                path, data=data, content_type="application/json", headers=admin_api.headers
            )
            tried += 1
            assert response.status_code < 500, (path, body, response.content[:300])
    assert tried >= 75
