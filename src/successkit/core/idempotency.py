"""Idempotent writes for the API (API.md: "A write with an Idempotency-Key header,
repeated with the same key and body, returns the first response and changes nothing
more").

The record and the operation commit in one transaction: a concurrent duplicate waits on
the record's unique key, then finds the finished response and replays it, so the
operation runs exactly once even when both copies arrive together.

Keys belong to the signed-in *user* (not to the token: the same key sent with a new token
of the same user is the same request), records are written only for authenticated
writes, bodies are compared as canonical JSON (key order and spacing do not make another
request), and a key is forgotten 24 hours after its first use.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from successkit.core.errors import IdempotencyKeyReused, ValidationFailed
from successkit.core.http import error_response
from successkit.core.models import IdempotencyRecord

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
API_PREFIX = "/api/"
# Token issuance answers with a secret that must never be stored in clear text.
NOT_REPLAYED = ("/api/v1/auth/token",)
MAX_KEY_LENGTH = 255
REPLAY_HEADER = "Idempotent-Replayed"
LIFETIME = timedelta(hours=24)


@cache
def _caller_of() -> Callable[[HttpRequest], int | None]:
    # Who is calling is the accounts app's business (tokens); core only asks.
    return import_string(settings.SUCCESSKIT_CALLER_ID)


def canonical_body(body: bytes) -> bytes:
    """The body as canonical JSON when it is JSON (sorted keys, no spaces), else as sent."""
    try:
        parsed: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8", "surrogatepass"
    )


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if (
            key is None
            or request.method not in WRITE_METHODS
            or not request.path.startswith(API_PREFIX)
            or request.path.rstrip("/") in NOT_REPLAYED
        ):
            return self.get_response(request)
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            return error_response(
                ValidationFailed(
                    _("Idempotency-Key must be 1 to %(max)s characters."), max=MAX_KEY_LENGTH
                )
            )
        user_id = _caller_of()(request)
        if user_id is None:  # not signed in: the call is refused anyway; nothing to keep
            return self.get_response(request)
        scope = _digest(f"user:{user_id}".encode())
        fingerprint = _digest(
            (request.method or "").encode(),
            request.get_full_path().encode(),
            canonical_body(request.body),
        )
        recorded = False
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.filter(
                    scope=scope, created_at__lt=timezone.now() - LIFETIME
                ).delete()
                record = IdempotencyRecord.objects.create(
                    scope=scope, key=key, fingerprint=fingerprint
                )
                recorded = True
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                    return response
                record.status_code = response.status_code
                record.content_type = response.get("Content-Type", "")
                record.body = response.content.decode()
                record.save(update_fields=["status_code", "content_type", "body"])
                return response
        except IntegrityError:
            if recorded:
                raise
        return self._replay(scope, key, fingerprint)

    @staticmethod
    def _replay(scope: str, key: str, fingerprint: str) -> HttpResponse:
        record = IdempotencyRecord.objects.get(scope=scope, key=key)
        if record.fingerprint != fingerprint:
            return error_response(IdempotencyKeyReused())
        response = HttpResponse(
            record.body, status=record.status_code, content_type=record.content_type
        )
        response[REPLAY_HEADER] = "true"
        return response
