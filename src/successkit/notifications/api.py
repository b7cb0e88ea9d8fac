"""API v1: webhook endpoints and their deliveries log (admins)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from successkit.accounts.actors import actor_of
from successkit.core.pagination import Page, page
from successkit.core.schemas import FORBIDDEN, errors, object_id
from successkit.notifications import webhooks
from successkit.notifications.models import WebhookAttempt, WebhookEndpoint
from successkit.notifications.schemas import (
    AttemptOut,
    AttemptPage,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
    WebhookPage,
)

router = Router(tags=["webhooks"])


def webhook_out(endpoint: WebhookEndpoint) -> WebhookOut:
    return WebhookOut.model_construct(
        id=str(endpoint.pk),
        url=endpoint.url,
        events=list(endpoint.events),
        active=endpoint.active,
        disabled_reason=endpoint.disabled_reason or None,
    )


def attempt_out(attempt: WebhookAttempt) -> AttemptOut:
    return AttemptOut.model_construct(
        event_id=attempt.delivery.webhook_id,
        type=attempt.delivery.type,
        attempted_at=attempt.attempted_at,
        status_code=attempt.status_code,
        ok=attempt.ok,
    )


@router.post("/webhooks", **errors(FORBIDDEN, r201=WebhookCreated), summary="Register a webhook")
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Status[WebhookCreated]:
    endpoint = webhooks.register_endpoint(actor_of(request), url=payload.url, events=payload.events)
    return Status(
        201,
        WebhookCreated.model_construct(
            **webhook_out(endpoint).model_dump(), secret=endpoint.secret
        ),
    )


@router.get("/webhooks", **errors(FORBIDDEN, r200=WebhookPage), summary="List webhooks")
def list_webhooks(request: HttpRequest) -> Page[WebhookOut]:
    return page(request, webhooks.listed_endpoints(actor_of(request)), webhook_out)


def _endpoint(request: HttpRequest, webhook_id: str) -> WebhookEndpoint:
    return webhooks.endpoint_for(actor_of(request), object_id(webhook_id))


@router.get("/webhooks/{webhook_id}", **errors(FORBIDDEN, r200=WebhookOut), summary="Get a webhook")
def get_webhook(request: HttpRequest, webhook_id: str) -> WebhookOut:
    return webhook_out(_endpoint(request, webhook_id))


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    **errors(FORBIDDEN, r200=AttemptPage),
    summary="Every delivery attempt to a webhook, newest first",
)
def webhook_deliveries(request: HttpRequest, webhook_id: str) -> Page[AttemptOut]:
    endpoint = _endpoint(request, webhook_id)
    return page(request, webhooks.deliveries_of(endpoint), attempt_out)
