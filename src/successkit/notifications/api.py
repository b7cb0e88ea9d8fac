"""API v1: webhook endpoints and their deliveries log (admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from successkit.accounts.actors import actor_of
from successkit.core.errors import NotFound
from successkit.core.pagination import page
from successkit.core.schemas import FORBIDDEN, InSchema, errors, object_id, one_of
from successkit.notifications import webhooks
from successkit.notifications.models import WebhookAttempt, WebhookEndpoint

router = Router(tags=["webhooks"])

EventType = Annotated[str, one_of(webhooks.EVENT_TYPES)]


class WebhookIn(InSchema):
    url: str
    events: list[EventType] = Field(description="Event types: " + ", ".join(webhooks.EVENT_TYPES))


class WebhookOut(Schema):
    id: str
    url: str
    events: list[EventType]
    active: bool
    disabled_reason: str | None


class WebhookCreated(WebhookOut):
    secret: str = Field(description="whsec_<base64>: verifies the webhook-signature header")


class WebhookPage(Schema):
    items: list[WebhookOut]
    next: str | None


class AttemptOut(Schema):
    event_id: str = Field(description="The webhook-id, the same on every retry of one event")
    type: EventType
    attempted_at: datetime
    status_code: int | None
    ok: bool


class AttemptPage(Schema):
    items: list[AttemptOut]
    next: str | None


def webhook_out(endpoint: WebhookEndpoint) -> dict[str, object]:
    return {
        "id": str(endpoint.pk),
        "url": endpoint.url,
        "events": list(endpoint.events),
        "active": endpoint.active,
        "disabled_reason": endpoint.disabled_reason or None,
    }


def attempt_out(attempt: WebhookAttempt) -> dict[str, object]:
    return {
        "event_id": attempt.delivery.webhook_id,
        "type": attempt.delivery.type,
        "attempted_at": attempt.attempted_at,
        "status_code": attempt.status_code,
        "ok": attempt.ok,
    }


@router.post("/webhooks", **errors(FORBIDDEN, r201=WebhookCreated), summary="Register a webhook")
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Status[dict[str, object]]:
    endpoint = webhooks.register_endpoint(actor_of(request), url=payload.url, events=payload.events)
    return Status(201, {**webhook_out(endpoint), "secret": endpoint.secret})


@router.get("/webhooks", **errors(FORBIDDEN, r200=WebhookPage), summary="List webhooks")
def list_webhooks(request: HttpRequest) -> dict[str, object]:
    return page(request, webhooks.visible_endpoints(actor_of(request)).order_by("id"), webhook_out)


def _endpoint(request: HttpRequest, webhook_id: str) -> WebhookEndpoint:
    endpoint = (
        webhooks.visible_endpoints(actor_of(request)).filter(pk=object_id(webhook_id)).first()
    )
    if endpoint is None:
        raise NotFound()
    return endpoint


@router.get("/webhooks/{webhook_id}", **errors(FORBIDDEN, r200=WebhookOut), summary="Get a webhook")
def get_webhook(request: HttpRequest, webhook_id: str) -> dict[str, object]:
    return webhook_out(_endpoint(request, webhook_id))


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    **errors(FORBIDDEN, r200=AttemptPage),
    summary="Every delivery attempt to a webhook, newest first",
)
def webhook_deliveries(request: HttpRequest, webhook_id: str) -> dict[str, object]:
    endpoint = _endpoint(request, webhook_id)
    return page(request, webhooks.deliveries_of(endpoint), attempt_out)
