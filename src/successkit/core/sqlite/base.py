"""Django's SQLite backend, with each statement's placeholders converted once and writers
queued on a lock instead of SQLite's sleeps.

Django writes SQL with ``%s`` placeholders and its SQLite cursor rewrites them to ``?``
with a regular expression on every execution: 30 µs for the entitlements read's statement,
more than SQLite takes to answer it. The SQL of a request is the same text from one
request to the next (the values travel apart), so the rewritten text is kept, per
statement, in a bounded table shared by the process's connections.

SQLite has one writer at a time. Every transaction here is IMMEDIATE (settings), so it
takes the write lock when it begins; a connection that finds it taken sleeps in SQLite's
busy handler - 1, 2, 5, 10, then up to 100 ms - and tries again, so under concurrent
bookings the lock stands idle while its next holder sleeps (a third of the machine idle
in bench/requests.py). Here a transaction first joins a queue: a lock of the process (its
threads wait their turn and wake the moment it is released), then a lock file beside the
database shared with the other processes (``flock``; each process has one thread in that
wait, polling it at a fine grain). SQLite's own lock is then free, or about to be.
Writes outside a transaction still wait in SQLite's busy handler, as before.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import IO, Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# Distinct statements are a few hundred (the code's queries); the table is emptied
# whenever it reaches this size, so an unusual stream of one-off SQL cannot grow it.
_CONVERTED_LIMIT = 2048
_converted: dict[str, str] = {}


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is not None:
            return str(super().convert_query(query, param_names=param_names))
        converted = _converted.get(query)
        if converted is None:
            converted = str(super().convert_query(query))
            if len(_converted) >= _CONVERTED_LIMIT:
                _converted.clear()
            _converted[query] = converted
        return converted


class WriterQueue:
    """The turn to write to one database file: one thread of the process at a time, and
    one process at a time (an exclusive ``flock`` on ``<database>-writer``)."""

    # How often a process waiting for another's turn looks again: from 0.05 ms, doubling,
    # to at most 0.2 ms. A booking holds the turn for about 1 ms; looking again only every
    # 2 ms left the lock idle between holders (bench/requests.py: 500 bookings/s with a
    # third of the machine idle; 600/s at 0.2 ms). A look is one non-blocking flock, and
    # only one thread per process looks.
    FIRST_POLL = 0.00005
    LONGEST_POLL = 0.0002

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._file: IO[bytes] | None = None

    def acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        try:
            if self._file is None:
                self._file = open(self.path, "ab")  # noqa: SIM115 - kept open while the process lives
            pause = self.FIRST_POLL
            while True:
                try:
                    fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise OperationalError("database is locked") from None
                    time.sleep(pause)
                    pause = min(pause * 2, self.LONGEST_POLL)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        assert self._file is not None
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def writer_queue(path: str) -> WriterQueue:
    """The process's queue for the database file at ``path``."""
    with _queues_lock:
        queue = _queues.get(path)
        if queue is None:
            queue = _queues[path] = WriterQueue(f"{path}-writer")
        return queue


def _forget_queues() -> None:
    # A forked server worker starts with no place in any queue: its parent's lock file
    # (an open file shared with the child) and thread locks are not its own.
    global _queues_lock
    _queues.clear()
    _queues_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_queues)


class DatabaseWrapper(base.DatabaseWrapper):
    _queued: WriterQueue | None = None

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)

    def _start_transaction_under_autocommit(self) -> None:
        if self._queued is None and not self.is_in_memory_db():
            queue = writer_queue(str(self.settings_dict["NAME"]))
            queue.acquire(float(self.settings_dict["OPTIONS"].get("timeout", 5)))
            self._queued = queue
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private, not in the stubs
        except BaseException:
            self._leave_queue()
            raise

    def _leave_queue(self) -> None:
        queue, self._queued = self._queued, None
        if queue is not None:
            queue.release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # private, not in the stubs
        finally:
            if self.connection is None or not self.connection.in_transaction:
                self._leave_queue()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private, not in the stubs
        finally:
            if self.connection is None or not self.connection.in_transaction:
                self._leave_queue()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # private, not in the stubs
        finally:
            self._leave_queue()
