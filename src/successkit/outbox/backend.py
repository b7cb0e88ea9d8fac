"""django-tasks-db's backend, writing each job's row with an INSERT compiled once.

Every published event queues one job (``outbox.services.publish``), so every booking
writes one job row; the library writes it with ``objects.create()``, compiled again on
every call. This backend writes the very same row (the library's own values, built by
the library's own helpers) through ``core.compiled.CompiledInsert``. It overrides the
library's ``_task_to_db_task`` (django-tasks-db 0.13); the test suite compares its rows
with the library's, so a change of that method in a new version is noticed. ``enqueue``
is the library's, but for building the job's result object once (the library builds it
twice: for the ``task_enqueued`` signal and for the caller).
"""

from __future__ import annotations

from typing import Any

from django_tasks.signals import task_enqueued
from django_tasks_db import backend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult

from successkit.core.compiled import CompiledInsert

_INSERT_JOB: CompiledInsert[DBTaskResult] = CompiledInsert(DBTaskResult)


class DatabaseBackend(backend.DatabaseBackend):
    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        self.validate_task(task)
        result = self._task_to_db_task(task, args, kwargs).task_result
        task_enqueued.send(type(self), task_result=result)
        return result

    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult:
        return _INSERT_JOB.insert(
            DBTaskResult(
                id=self._get_id(),
                args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after,
                backend_name=self.alias,
            )
        )
