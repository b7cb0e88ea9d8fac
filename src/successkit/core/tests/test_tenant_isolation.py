"""Every API endpoint and page, called by a buyer contact of another organization, finds
nothing (404) or is not theirs to call (403) — and changes nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client

from successkit import demo
from successkit.accounts.actors import Actor
from successkit.accounts.models import ApiToken, Contact
from successkit.accounts.services import issue_token
from successkit.api import api
from successkit.billing.services import issue_statement
from successkit.conftest import ApiClient
from successkit.engagements.models import TrainingSession
from successkit.engagements.services import add_material
from successkit.healthchecks.models import HealthCheck
from successkit.notifications.models import WebhookEndpoint
from successkit.support.models import Case, Order

pytestmark = pytest.mark.django_db

# Bodies good enough to pass validation, so that the answer depends on the object alone.
BODIES = {
    "/api/v1/organizations/{organization_id}/contacts": {
        "name": "Eve",
        "email": "eve@intruder.test",
        "language": "en",
        "password": "a-long-passphrase",
    },
    "/api/v1/contracts/{contract_id}": {"end_date": "2030-01-01"},
    "/api/v1/contracts/{contract_id}/sessions": {
        "type": "kickoff",
        "starts_at": "2030-01-01T10:00:00+00:00",
        "duration_minutes": 30,
    },
    "/api/v1/sessions/{session_id}": {"starts_at": "2030-01-01T10:00:00+00:00"},
    "/api/v1/sessions/{session_id}/complete": {"actual_minutes": 30},
    "/api/v1/sessions/{session_id}/cancel": {"by": "buyer"},
    "/api/v1/sessions/{session_id}/materials": {"title": "x", "url": "https://example.test/"},
    "/api/v1/health-checks/{check_id}/schedule": {
        "scheduled_for": "2030-01-01T10:00:00+00:00",
        "staff_id": "1",
    },
    "/api/v1/health-checks/{check_id}/complete": {
        "held_on": "2026-01-01",
        "staff_id": "1",
        "summary": "x",
    },
    "/api/v1/contracts/{contract_id}/orders": {
        "reference": "X-1",
        "items": [{"sku": "R", "size": "9", "quantity": 1}],
    },
    "/api/v1/orders/{order_id}": {"received_on": "2026-01-01"},
    "/api/v1/contracts/{contract_id}/cases": {"type": "product_question", "subject": "x"},
    "/api/v1/cases/{case_id}/messages": {"body": "x"},
    "/api/v1/cases/{case_id}/status": {"status": "resolved"},
    "/api/v1/cases/{case_id}/assign": {"assignee_id": "1"},
    "/api/v1/cases/{case_id}/escalate": {"queue": "technical_support", "reason": "x"},
    "/api/v1/contracts/{contract_id}/statements": {
        "period_start": "2020-01-01",
        "period_end": "2030-12-31",
    },
    "/api/v1/statements/{statement_id}/adjustments": {"amount": "-1.00", "reason": "x"},
    "/api/v1/staff/{staff_id}/availability": {
        "timezone": "Europe/Madrid",
        "weekly": [{"weekday": 1, "start": "09:00", "end": "17:00"}],
        "time_off": [],
    },
}


# Query strings good enough to pass validation, for GET operations that need one.
QUERIES = {"/api/v1/contracts/{contract_id}/slots": "?type=kickoff&from=2030-01-01&to=2030-01-02"}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"sessions", "admin", "core"}
        and model._meta.label != "accounts.ApiToken"
    }


@pytest.fixture
def victim(settings, tmp_path):
    """The demo's Spanish clinic with one of everything; the intruder is Northwind's contact."""
    settings.MEDIA_ROOT = tmp_path
    built = demo.build_demo()
    launch, _pro_lite, premium = built.contracts
    session = TrainingSession.objects.filter(
        contract=launch, session_type__code="implementation"
    ).get()
    material = add_material(
        Actor.of(built.admin), session, title="Deck", url="https://example.test/d"
    )
    statement = issue_statement(
        Actor.of(built.staff["finance"]),
        premium,
        period_start=premium.start_date,
        period_end=premium.end_date,
    )
    return {
        "organization_id": launch.organization_id,
        "contract_id": launch.pk,
        "session_id": session.pk,
        "material_id": material.pk,
        "check_id": HealthCheck.objects.filter(contract=premium).first().pk,
        "order_id": Order.objects.get(contract=launch).pk,
        "case_id": Case.objects.filter(contract=launch).first().pk,
        "statement_id": statement.pk,
        # Staff are nobody's tenant objects: a buyer contact finds none of them.
        "staff_id": launch.representative_id,
        "webhook_id": WebhookEndpoint.objects.create(
            url="https://crm.example.test/hooks", events=["session.booked"], created_by=built.admin
        ).pk,
        "token_id": ApiToken.objects.get(digest=_token_digest(launch.buyer_contact.user)).pk,
    }


def _token_digest(user) -> str:
    import hashlib

    return hashlib.sha256(issue_token(user).encode()).hexdigest()


def intruder() -> Contact:
    return Contact.objects.get(user__email=demo.CONTACTS[1][0])


def test_every_api_endpoint_refuses_another_organizations_objects(victim: dict) -> None:
    client = ApiClient(intruder().user)
    before = row_counts()
    checked = 0
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "{" not in path:
            continue
        for method in operations:
            url = path.format(**victim) + (QUERIES.get(path, "") if method == "get" else "")
            body = BODIES.get(path, {})
            if path.endswith("/materials/file"):
                continue  # multipart; the same lookup as the JSON materials call
            response = (
                getattr(client, method)(url, body)
                if method in ("post", "patch", "put")
                else getattr(client, method)(url)
            )
            assert response.status_code in (403, 404), (method, url, response.status_code)
            if response.status_code == 404:
                assert response.json()["error"]["code"] == "not_found", (method, url)
            checked += 1
    assert checked >= 35
    assert row_counts() == before


def test_lists_show_a_contact_only_their_own_organization(victim: dict) -> None:
    contact = intruder()
    client = ApiClient(contact.user)
    own = str(contact.organization_id)
    assert {o["id"] for o in client.get("organizations").json()["items"]} == {own}
    assert {c["organization_id"] for c in client.get("contracts").json()["items"]} == {own}
    own_contracts = {c["id"] for c in client.get("contracts").json()["items"]}
    cases = client.get("cases").json()["items"]
    assert cases and {c["contract_id"] for c in cases} <= own_contracts
    for path in ("staff", "rates", "billing/unbilled", "health-checks/compliance"):
        assert client.get(path).status_code == 403, path


def test_every_page_refuses_another_organizations_objects(victim: dict) -> None:
    from successkit.factories import PASSWORD

    user = intruder().user
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    before = row_counts()
    pages = [
        f"/contracts/{victim['contract_id']}/",
        f"/health-checks/contracts/{victim['contract_id']}/",
        f"/health-checks/{victim['check_id']}/report/",
        f"/health-checks/{victim['check_id']}/report.pdf",
        f"/health-checks/{victim['check_id']}/calendar.ics",
        f"/support/cases/{victim['case_id']}/",
        f"/billing/statements/{victim['statement_id']}/",
        f"/billing/statements/{victim['statement_id']}/csv",
        f"/billing/statements/{victim['statement_id']}/pdf",
        f"/schedule/staff/{victim['staff_id']}/availability/",
        f"/support/contracts/{victim['contract_id']}/orders/new/",
        f"/support/contracts/{victim['contract_id']}/orders/import/",
    ]
    actions = [  # POST only
        f"/contracts/{victim['contract_id']}/term/",
        f"/contracts/{victim['contract_id']}/representative/",
        f"/contracts/{victim['contract_id']}/counterpart/",
        f"/support/orders/{victim['order_id']}/received/",
        f"/health-checks/{victim['check_id']}/unschedule/",
    ]
    for action in actions:
        assert client.post(action, {}).status_code == 404, action
    for page in pages:
        assert client.get(page).status_code in (403, 404), page
        assert client.post(page, {}).status_code in (403, 404, 405), page
    assert client.post(f"/sessions/{victim['session_id']}/cancel/").status_code == 404
    # Naming one of their own contacts as the other organization's counterpart finds nothing.
    own = intruder().pk
    counterpart = f"/contracts/{victim['contract_id']}/counterpart/"
    assert client.post(counterpart, {"contact": own}).status_code == 404
    # The colleagues page has no id: it lists the reader's own organization only.
    theirs = Contact.objects.filter(organization=victim["organization_id"])
    colleagues = client.get("/colleagues/").content.decode()
    assert theirs.exists() and not any(c.user.email in colleagues for c in theirs)
    receipt = f"/support/orders/{victim['order_id']}/received/"
    assert client.post(receipt, {"received_on": "2026-01-05"}).status_code == 404
    assert client.post(f"/schedule/staff/{victim['staff_id']}/calendar/rotate/").status_code == 404
    for page in ("/health-checks/compliance/", "/billing/", "/support/queues/"):
        assert client.get(page).status_code in (302, 403, 404), page
    assert row_counts() == before
