"""Publishing domain events (the low end of the event path, cosmicpython chapter 8).

Any service calls ``publish("session.booked", session)`` inside its own transaction. The
event row and the job that hands it to the handlers commit with the change — or roll back
with it. The handlers (mail, webhooks) live higher up, in ``notifications``, which
subscribes here when the apps load: this module never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from successkit.core.compiled import CompiledInsert
from successkit.outbox.models import Event

_INSERT_EVENT: CompiledInsert[Event] = CompiledInsert(Event)

Handler = Callable[[Event], None]
_handlers: list[Handler] = []


def subscribe(handler: Handler) -> None:
    """Call ``handler(event)`` for every published event (in the worker, after commit)."""
    if handler not in _handlers:
        _handlers.append(handler)


def subject_of(obj: models.Model) -> str:
    return obj._meta.label_lower


def publish(type: str, obj: models.Model, *, key: str | None = None, **data: Any) -> Event | None:
    """Record that ``type`` happened to ``obj`` and queue its handling.

    With a ``key``, the event happens at most once: publishing the same key again does
    nothing and answers None (a sweep run twice sends nothing twice).
    """
    from successkit.outbox.tasks import handle_event

    subject = subject_of(obj)
    if type.startswith("session.") and "sequence" not in data:
        data["sequence"] = calendar_sequence(obj, moving=type in _NEW_SEQUENCE)
    fields = {
        "type": type,
        "subject": subject,
        "subject_id": obj.pk,
        "key": key,
        "data": data,
        "occurred_at": timezone.now(),
    }
    if key is None:
        # Nothing to collide with: no savepoint (two round trips fewer for each event,
        # which month-end publishes thousands of).
        event = _INSERT_EVENT.insert(Event(**fields))
    else:
        try:
            with transaction.atomic():
                event = _INSERT_EVENT.insert(Event(**fields))
        except IntegrityError:
            if Event.objects.filter(key=key).exists():
                return None
            raise
    handle_event.enqueue(str(event.pk))
    return event


# A session's invitation is revised (iCalendar SEQUENCE + 1) when it moves or is cancelled.
_NEW_SEQUENCE = frozenset({"session.moved", "session.cancelled"})


def calendar_sequence(obj: models.Model, *, moving: bool = False) -> int:
    """The iCalendar SEQUENCE of a session's invitation: how often it was revised (moved
    or cancelled), counting the revision being published when ``moving``."""
    revisions = Event.objects.filter(
        subject=subject_of(obj), subject_id=obj.pk, type__in=sorted(_NEW_SEQUENCE)
    ).count()
    return revisions + (1 if moving else 0)


def handle(event_id: str) -> None:
    """Hand one event to every subscriber, once: the event row is locked and marked in the
    same transaction as what the handlers write."""
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.handled_at is not None:
            return
        for handler in list(_handlers):
            handler(event)
        event.handled_at = timezone.now()
        event.save(update_fields=["handled_at"])
