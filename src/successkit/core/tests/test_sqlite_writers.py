"""SQLite's writers queue for their turn (core/sqlite): a transaction waits while another
thread or process writes, starts the moment that one ends, and gives its turn back however
it ends."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection, transaction

from successkit.accounts.models import Organization

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's writer queue"),
    pytest.mark.django_db(transaction=True),
]

# Another process: takes the turn, says so, keeps it for argv[2] seconds, gives it back
# and prints the moment it did (CLOCK_MONOTONIC, the same clock in every process).
_HOLDER = """
import fcntl, sys, time
turn = open(sys.argv[1], "ab")
fcntl.flock(turn, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
released = time.monotonic()
fcntl.flock(turn, fcntl.LOCK_UN)
print(released, flush=True)
"""

# Another process: whether the turn is free right now.
_PROBE = """
import fcntl, sys
turn = open(sys.argv[1], "ab")
try:
    fcntl.flock(turn, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("free")
except BlockingIOError:
    print("taken")
"""


def _turn_file() -> str:
    return f"{connection.settings_dict['NAME']}-writer"


@contextmanager
def _held_by_another_process(seconds: float) -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, _turn_file(), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def _turn_is_free() -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, _turn_file()], capture_output=True, text=True, check=True
    )
    return probe.stdout.strip() == "free"


def _new_organization(name: str) -> None:
    Organization.objects.create(name=name, country="ES", timezone="Europe/Madrid")


def test_a_transaction_starts_only_once_another_process_has_written() -> None:
    with _held_by_another_process(0.5) as holder:
        with transaction.atomic():
            began = time.monotonic()
            _new_organization("After the other writer")
        assert holder.stdout is not None
        released = float(holder.stdout.readline())
    assert began >= released
    assert Organization.objects.filter(name="After the other writer").exists()


def test_a_transaction_that_waits_past_the_timeout_is_refused_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.3)
    with (
        _held_by_another_process(30),
        pytest.raises(OperationalError, match="database is locked"),
        transaction.atomic(),
    ):
        _new_organization("Never written")
    # The refused transaction left the queue: the next one writes at once.
    with transaction.atomic():
        _new_organization("Written next")
    assert not Organization.objects.filter(name="Never written").exists()
    assert Organization.objects.filter(name="Written next").exists()


def test_threads_of_one_process_write_in_turn() -> None:
    first_inside = threading.Event()
    let_first_commit = threading.Event()
    moments: dict[str, float] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                _new_organization("First thread")
                first_inside.set()
                let_first_commit.wait(10)
            moments["first committed"] = time.monotonic()
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            connection.close()

    def second() -> None:
        try:
            # SQLite's own wait switched off: had this thread not queued for its turn, its
            # BEGIN IMMEDIATE would meet the first thread's write lock and fail at once.
            connection.ensure_connection()
            connection.connection.execute("PRAGMA busy_timeout = 0")
            with transaction.atomic():
                moments["second began"] = time.monotonic()
                _new_organization("Second thread")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert first_inside.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.3)  # the second thread is waiting for its turn meanwhile
    assert "second began" not in moments
    let_first_commit.set()
    one.join(10)
    two.join(10)
    assert not errors
    assert moments["second began"] >= moments["first committed"]
    assert Organization.objects.filter(name__in=["First thread", "Second thread"]).count() == 2


def test_a_transaction_gives_its_turn_back_however_it_ends() -> None:
    with transaction.atomic():
        _new_organization("Committed")
        assert not _turn_is_free()
    assert _turn_is_free()

    with pytest.raises(RuntimeError), transaction.atomic():
        _new_organization("Rolled back")
        raise RuntimeError("refused half-way")
    assert _turn_is_free()
    assert not Organization.objects.filter(name="Rolled back").exists()

    # A connection closed in the middle of a transaction (its work is lost with it).
    with transaction.atomic():
        _new_organization("Open when the connection closes")
        assert not _turn_is_free()
        connection.close()
    assert _turn_is_free()
    assert not Organization.objects.filter(name="Open when the connection closes").exists()
