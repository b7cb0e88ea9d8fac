"""The job backend (outbox/backend.py) writes the rows django-tasks-db itself writes."""

from __future__ import annotations

import pytest
from django_tasks import task_backends
from django_tasks.signals import task_enqueued
from django_tasks_db import backend as library
from django_tasks_db.models import DBTaskResult

from successkit.outbox.backend import DatabaseBackend
from successkit.outbox.tasks import handle_event

pytestmark = pytest.mark.django_db

VARYING = {"id", "enqueued_at"}


def columns(row: DBTaskResult) -> dict[str, object]:
    return {
        field.attname: getattr(row, field.attname)
        for field in DBTaskResult._meta.concrete_fields
        if field.attname not in VARYING
    }


def test_a_queued_job_is_the_row_the_library_writes() -> None:
    backend = task_backends["default"]
    assert isinstance(backend, DatabaseBackend)
    ours = backend.enqueue(handle_event, ["42"], {})
    theirs = library.DatabaseBackend._task_to_db_task(backend, handle_event, ["42"], {})
    stored_ours = DBTaskResult.objects.get(pk=ours.id)
    stored_theirs = DBTaskResult.objects.get(pk=theirs.pk)
    assert columns(stored_ours) == columns(stored_theirs)
    assert stored_ours.args_kwargs == {"args": ["42"], "kwargs": {}}
    # The worker reads it back as a job ready to run.
    assert ours.status == stored_ours.task_result.status
    assert DBTaskResult.objects.ready().filter(pk=ours.id).exists()


def test_a_queued_job_is_announced_once_with_the_result_the_caller_gets() -> None:
    heard: list[object] = []

    def listener(sender: object, task_result: object, **kwargs: object) -> None:
        heard.append(task_result)

    task_enqueued.connect(listener)
    try:
        result = task_backends["default"].enqueue(handle_event, ["7"], {})
    finally:
        task_enqueued.disconnect(listener)
    assert heard == [result]
    assert result.args == ["7"]
    assert result.task.module_path == handle_event.module_path
