"""Webhooks: admin-registered endpoints, each delivery a POST signed per the Standard
Webhooks scheme (the ``standardwebhooks`` library), retried with the same ``webhook-id``."""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from standardwebhooks import Webhook

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Duty
from successkit.core.errors import NotFound, ValidationFailed
from successkit.notifications.delivery import DeliveryFailed
from successkit.notifications.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

# The event types of API.md, "Events that leave the system", and one of ours beside them:
# health_check.unscheduled (README, "Events that leave the system").
EVENT_TYPES = (
    "session.booked",
    "session.moved",
    "session.cancelled",
    "session.completed",
    "session.no_show",
    "health_check.scheduled",
    "health_check.unscheduled",
    "health_check.completed",
    "health_check.missed",
    "case.opened",
    "case.updated",
    "statement.issued",
    "training.window_closing",
    "contract.ending",
)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _public(host: str) -> bool:
    """True when every address ``host`` resolves to is a public one."""
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError, ValueError):  # unknown name, label too long, NUL…
        return False
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global or address.is_multicast:
            return False
    return bool(infos)


def check_url(url: str) -> str:
    """A webhook address: http(s), and public unless SUCCESSKIT_WEBHOOKS_ALLOW_PRIVATE."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        raise ValidationFailed(
            _("The webhook URL must be an http or https address."), details={"field": "url"}
        ) from None
    if len(url) > 500:
        raise ValidationFailed(
            _("The webhook URL is longer than 500 characters."), details={"field": "url"}
        )
    host = urlsplit(url).hostname or ""
    if not settings.SUCCESSKIT_WEBHOOKS_ALLOW_PRIVATE and not _public(host):
        raise ValidationFailed(
            _("The webhook URL must resolve to public addresses only."),
            details={"field": "url"},
        )
    return url


def check_events(events: Iterable[str]) -> list[str]:
    wanted = sorted(set(events))
    unknown = [name for name in wanted if name not in EVENT_TYPES]
    if not wanted or unknown:
        raise ValidationFailed(
            _("events must list one or more of: %(types)s."),
            details={"field": "events"},
            types=", ".join(EVENT_TYPES),
        )
    return wanted


@transaction.atomic
def register_endpoint(actor: Actor, *, url: str, events: Iterable[str]) -> WebhookEndpoint:
    actor.require(Duty.ADMINISTER)
    return WebhookEndpoint.objects.create(
        url=check_url(url),
        events=check_events(events),
        secret=new_secret(),
        created_by=actor.user,
    )


def visible_endpoints(actor: Actor) -> QuerySet[WebhookEndpoint]:
    actor.require(Duty.ADMINISTER)
    return WebhookEndpoint.objects.all()


def listed_endpoints(actor: Actor) -> QuerySet[WebhookEndpoint]:
    """Every webhook endpoint, in id order (admins)."""
    return visible_endpoints(actor).order_by("id")


def endpoint_for(actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """One webhook endpoint (admins), or ``not_found``."""
    endpoint = visible_endpoints(actor).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound()
    return endpoint


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookAttempt]:
    return (
        WebhookAttempt.objects.filter(delivery__endpoint=endpoint)
        .select_related("delivery")
        .order_by("-attempted_at", "-id")
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an answer like any other non-2xx: tried again later


_opener = urllib.request.build_opener(_NoRedirects)


def send(delivery: WebhookDelivery) -> None:
    """POST the delivery once, signed for this attempt; raises unless answered 2xx."""
    endpoint = delivery.endpoint
    if not endpoint.active:
        raise DeliveryFailed("endpoint disabled")
    host = urlsplit(endpoint.url).hostname or ""
    if not settings.SUCCESSKIT_WEBHOOKS_ALLOW_PRIVATE and not _public(host):
        _log(delivery, None, "refused: resolves to a private address")
        raise DeliveryFailed("the address resolves to a private address")
    now = timezone.now().astimezone(UTC)
    signature = Webhook(endpoint.secret).sign(delivery.webhook_id, now, delivery.body)
    request = urllib.request.Request(
        endpoint.url,
        data=delivery.body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "successkit-webhooks/1",
            "webhook-id": delivery.webhook_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        },
    )
    try:
        with _opener.open(request, timeout=settings.SUCCESSKIT_WEBHOOK_TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        _log(delivery, None, str(error))
        raise DeliveryFailed(str(error)) from error
    ok = 200 <= status < 300
    _log(delivery, status, "" if ok else f"HTTP {status}")
    if not ok:
        raise DeliveryFailed(f"HTTP {status}")


def _log(delivery: WebhookDelivery, status: int | None, error: str) -> None:
    WebhookAttempt.objects.create(
        delivery=delivery,
        status_code=status,
        ok=status is not None and 200 <= status < 300,
        error=error[:500],
    )


def body_of(type: str, occurred_at_iso: str, data: dict[str, object]) -> str:
    from django.core.serializers.json import DjangoJSONEncoder

    return json.dumps(
        {"type": type, "timestamp": occurred_at_iso, "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
