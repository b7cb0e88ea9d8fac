"""Webhooks end to end: registered through the API, delivered by the real worker to a
receiver on loopback that verifies each signature with the standardwebhooks library."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from successkit.conftest import ApiClient
from successkit.engagements.tests.helpers import contract_starting, on_day
from successkit.factories import StaffFactory
from successkit.notifications.models import DeliveryStatus, Mail, WebhookDelivery, WebhookEndpoint
from successkit.notifications.tests.conftest import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def contract():
    return contract_starting(timezone.localdate() - timedelta(days=9))


def register(api: ApiClient, url: str, events: list[str]) -> dict:
    response = api.post("webhooks", {"url": url, "events": events})
    assert response.status_code == 201, response.json()
    return response.json()


def book(contract) -> dict:
    response = ApiClient(contract.representative).post(
        f"contracts/{contract.pk}/sessions",
        {"type": "kickoff", "starts_at": on_day(contract, 20).isoformat(), "duration_minutes": 60},
    )
    assert response.status_code == 201
    return response.json()


def test_a_signed_delivery_is_retried_with_the_same_id_until_accepted(
    smtp, receiver, admin_api: ApiClient, contract
) -> None:
    hook = receiver([500, 503])
    endpoint = register(admin_api, hook.url, ["session.booked", "session.cancelled"])
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["events"] == ["session.booked", "session.cancelled"]
    session = book(contract)

    for _ in range(5):
        run_worker()
        time.sleep(0.06)

    assert len(hook.requests) == 3
    verifier = Webhook(endpoint["secret"])
    ids = set()
    for headers, body in hook.requests:
        payload = verifier.verify(body, headers)  # raises unless the signature is right
        ids.add(headers["webhook-id"])
    assert len(ids) == 1
    assert payload["type"] == "session.booked"
    shown = ApiClient(contract.representative).get(f"sessions/{session['id']}").json()
    assert {k: payload["data"][k] for k in ("id", "status", "starts_at", "staff_id")} == {
        k: shown[k] for k in ("id", "status", "starts_at", "staff_id")
    }

    log = admin_api.get(f"webhooks/{endpoint['id']}/deliveries").json()["items"]
    assert [(item["status_code"], item["ok"]) for item in log] == [
        (204, True),
        (503, False),
        (500, False),
    ]
    assert {item["event_id"] for item in log} == ids
    assert {item["type"] for item in log} == {"session.booked"}


def test_a_tampered_body_fails_verification(smtp, receiver, admin_api, contract) -> None:
    hook = receiver([])
    endpoint = register(admin_api, hook.url, ["session.booked"])
    book(contract)
    run_worker()
    headers, body = hook.requests[0]
    tampered = body.replace(b'"booked"', b'"cancelled"')
    with pytest.raises(Exception, match="signature"):
        Webhook(endpoint["secret"]).verify(tampered, headers)
    assert json.loads(body)["data"]["status"] == "booked"


def test_an_endpoint_that_never_accepts_is_disabled_and_admins_are_told(
    smtp, receiver, admin_api, admin_user, contract, settings
) -> None:
    settings.SUCCESSKIT_DELIVERY_ATTEMPTS = 2
    hook = receiver([500] * 10)
    endpoint = register(admin_api, hook.url, ["session.booked", "session.cancelled"])
    session = book(contract)
    for _ in range(3):
        run_worker()
        time.sleep(0.06)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED
    stored = WebhookEndpoint.objects.get(pk=endpoint["id"])
    assert not stored.active and stored.disabled_at is not None
    notices = [m for m in smtp.to(admin_user.email) if "Webhook disabled" in m["Subject"]]
    assert len(notices) == 1
    # Nothing more goes to a disabled endpoint.
    ApiClient(contract.representative).post(f"sessions/{session['id']}/cancel", {"by": "vendor"})
    run_worker()
    assert len(hook.requests) == 2
    assert admin_api.get(f"webhooks/{endpoint['id']}").json()["active"] is False
    assert Mail.objects.filter(to=admin_user.email).count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "ftp://example.com/hook",
        "not a url",
    ],
)
def test_private_and_malformed_addresses_are_refused(admin_api, url) -> None:
    response = admin_api.post("webhooks", {"url": url, "events": ["session.booked"]})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert WebhookEndpoint.objects.count() == 0


def test_unknown_event_types_are_refused(admin_api, settings) -> None:
    settings.SUCCESSKIT_WEBHOOKS_ALLOW_PRIVATE = True
    response = admin_api.post(
        "webhooks", {"url": "http://127.0.0.1:9/x", "events": ["session.exploded"]}
    )
    assert response.status_code == 422
    assert WebhookEndpoint.objects.count() == 0


def test_only_admins_register_and_read_webhooks(settings) -> None:
    settings.SUCCESSKIT_WEBHOOKS_ALLOW_PRIVATE = True
    csm = ApiClient(StaffFactory())
    response = csm.post("webhooks", {"url": "http://127.0.0.1:9/x", "events": ["case.opened"]})
    assert response.status_code == 403
    assert csm.get("webhooks").status_code == 403
    assert WebhookEndpoint.objects.count() == 0


def test_messages_left_sending_by_a_dead_worker_are_recovered_without_a_second_mail(
    smtp, receiver, admin_api: ApiClient, contract, settings
) -> None:
    """A worker killed mid-send leaves its message 'sending'. The next worker puts the
    webhook back in line (same webhook-id, so receivers keep it once) and marks the mail
    failed with a note (it may have reached the server: never sent twice unasked)."""
    hook = receiver([500])
    register(admin_api, hook.url, ["session.booked"])
    smtp.stop()  # the first attempts fail: both messages wait for a retry
    settings.SUCCESSKIT_RETRY_BASE_SECONDS = settings.SUCCESSKIT_RETRY_MAX_SECONDS = 3600
    book(contract)
    run_worker()
    assert len(hook.requests) == 1
    mails = Mail.objects.filter(status=DeliveryStatus.PENDING)
    assert mails.exists()
    claimed_long_ago = timezone.now() - timedelta(minutes=11)
    # As a worker leaves them when killed between its claim and its send:
    for model in (Mail, WebhookDelivery):
        model.objects.update(status=DeliveryStatus.SENDING, next_attempt_at=claimed_long_ago)

    run_worker()

    assert len(hook.requests) == 2
    assert hook.requests[0][0]["webhook-id"] == hook.requests[1][0]["webhook-id"]
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SENT
    assert set(Mail.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    assert all("may or may not have been sent" in m.last_error for m in Mail.objects.all())
    assert smtp.received == []


def test_a_message_claimed_a_moment_ago_is_left_to_its_worker(
    smtp, receiver, admin_api: ApiClient, contract, settings
) -> None:
    hook = receiver([500])
    register(admin_api, hook.url, ["session.booked"])
    settings.SUCCESSKIT_RETRY_BASE_SECONDS = settings.SUCCESSKIT_RETRY_MAX_SECONDS = 3600
    book(contract)
    run_worker()
    WebhookDelivery.objects.update(
        status=DeliveryStatus.SENDING, next_attempt_at=timezone.now() - timedelta(minutes=1)
    )
    run_worker()
    assert len(hook.requests) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SENDING


def test_a_health_checks_date_taken_away_reaches_the_endpoints_that_asked(
    smtp, receiver, admin_api: ApiClient, contract
) -> None:
    hook = receiver([])
    endpoint = register(admin_api, hook.url, ["health_check.unscheduled"])
    check = contract.health_checks.order_by("period_index").first()
    staff = contract.representative
    scheduled = admin_api.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": on_day(contract, 20).isoformat(), "staff_id": staff.pk},
    )
    assert scheduled.status_code == 200
    assert admin_api.post(f"health-checks/{check.pk}/unschedule").status_code == 200
    run_worker()

    [(headers, body)] = hook.requests  # the scheduling was not asked for
    payload = Webhook(endpoint["secret"]).verify(body, headers)
    assert payload["type"] == "health_check.unscheduled"
    assert (payload["data"]["id"], payload["data"]["status"]) == (str(check.pk), "due")
