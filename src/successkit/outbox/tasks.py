"""The job that hands a published event to its handlers (run by ``successkit worker``)."""

from __future__ import annotations

from django_tasks import task

from successkit.outbox import services


@task()
def handle_event(event_id: str) -> None:
    services.handle(event_id)
