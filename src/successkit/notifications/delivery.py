"""Delivering one message: claim it, send it, record what happened.

At most once: a worker claims a message with one conditional UPDATE (pending -> sending);
on PostgreSQL the row lock makes a second worker's UPDATE see it sending and match
nothing, on SQLite the database's write lock does the same. The job engine claims its
job rows with ``SELECT … FOR UPDATE SKIP LOCKED`` besides. A failed attempt goes back to
pending after an exponential backoff with jitter; after the last attempt the message is
failed (the dead letter) until an admin retries it. While a message is sending,
``next_attempt_at`` holds the moment it was claimed, so a message whose worker died
mid-send is found (``housekeeping.recover_stuck``).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from successkit.notifications.models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

D = TypeVar("D", bound=Delivery)


class DeliveryFailed(Exception):
    """The receiving server did not accept the message (it is tried again later)."""


def backoff_seconds(attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, …): the base
    doubling each time, capped, with jitter (half to all of it) so that retries of many
    messages after one outage do not arrive together."""
    base = settings.SUCCESSKIT_RETRY_BASE_SECONDS
    ceiling = settings.SUCCESSKIT_RETRY_MAX_SECONDS
    delay = min(ceiling, base * 2 ** max(0, attempt - 1))
    return random.uniform(delay / 2, delay)


def deliver(
    model: type[D],
    pk: int,
    send: Callable[[D], None],
    *,
    schedule: Callable[[int, timedelta], None],
    on_failed: Callable[[D], None] | None = None,
) -> str:
    """One attempt at delivering ``model`` row ``pk``; what became of it."""
    now = timezone.now()
    claimed = model._default_manager.filter(
        pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now)
    if not claimed:
        return "skipped"  # sent already, claimed by another worker, or not due yet
    row = model._default_manager.get(pk=pk)
    try:
        send(row)
    except Exception as error:  # any failure to hand over counts as an attempt
        log.warning("delivery of %s %s failed: %s", model.__name__, pk, error)
        return _failed(model, row, error, schedule, on_failed)
    model._default_manager.filter(pk=pk).update(
        status=DeliveryStatus.SENT, delivered_at=timezone.now(), last_error=""
    )
    return "sent"


def _failed(
    model: type[D],
    row: D,
    error: Exception,
    schedule: Callable[[int, timedelta], None],
    on_failed: Callable[[D], None] | None,
) -> str:
    message = f"{type(error).__name__}: {error}"[:2000]
    with transaction.atomic():
        if row.attempts >= settings.SUCCESSKIT_DELIVERY_ATTEMPTS:
            model._default_manager.filter(pk=row.pk).update(
                status=DeliveryStatus.FAILED, last_error=message
            )
            row.status = DeliveryStatus.FAILED
            if on_failed is not None:
                on_failed(row)
            return "failed"
        delay = timedelta(seconds=backoff_seconds(row.attempts))
        model._default_manager.filter(pk=row.pk).update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=timezone.now() + delay,
            last_error=message,
        )
        schedule(row.pk, delay)
    return "retry"


def retry(queryset: models.QuerySet[D], schedule: Callable[[int, timedelta], None]) -> int:
    """Put failed (or stuck) messages back in line for a fresh round of attempts."""
    count = 0
    with transaction.atomic():
        for pk in queryset.exclude(status=DeliveryStatus.SENT).values_list("pk", flat=True):
            queryset.model._default_manager.filter(pk=pk).update(
                status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
            )
            schedule(pk, timedelta(0))
            count += 1
    return count
