"""The shapes of the notifications API (API v1): its request bodies, query strings and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from successkit.core.pagination import Page
from successkit.core.schemas import InSchema, one_of
from successkit.notifications import webhooks

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


class WebhookPage(Page[WebhookOut]):
    pass


class AttemptOut(Schema):
    event_id: str = Field(description="The webhook-id, the same on every retry of one event")
    type: EventType
    attempted_at: datetime
    status_code: int | None
    ok: bool


class AttemptPage(Page[AttemptOut]):
    pass
