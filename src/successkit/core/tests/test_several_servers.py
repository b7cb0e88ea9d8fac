"""Several machines on one PostgreSQL (issue 14): two real ``successkit serve`` processes
and two ``successkit worker`` processes keep every guarantee when requests race across
them - no pool overdraft, a single-use type booked once, gapless statement numbers, one
run per Idempotency-Key, each message delivered once, a revoked token refused everywhere.

Everything runs as the operator runs it (subprocesses on loopback) against a database made
for this test and dropped after it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest

from successkit.notifications.tests.conftest import Mailbox

pytestmark = pytest.mark.needs_row_locks

PG_BASE = os.environ.get("SUCCESSKIT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
PASSWORD = "several-servers-passphrase"
ADMIN = "admin@servers.test"
SERVE = [sys.executable, "-m", "successkit.cli", "serve", "--no-migrate", "--workers", "1"]


class Server:
    """One ``successkit serve`` on a loopback port, spoken to in JSON."""

    def __init__(self, env: dict[str, str]) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.process = subprocess.Popen(
            [*SERVE, "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "successkit serve exited"
            try:
                if self.call("GET", "/api/v1/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail("successkit serve did not answer")

    def call(
        self,
        method: str,
        path: str,
        body: object = None,
        token: str | None = None,
        **headers: str,
    ) -> tuple[int, Any, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            sent = {"Content-Type": "application/json", **headers}
            if token:
                sent["Authorization"] = f"Bearer {token}"
            payload = json.dumps(body) if body is not None else None
            conn.request(method, path, body=payload, headers=sent)
            response = conn.getresponse()
            raw = response.read()
            answer = json.loads(raw) if raw else None
            return response.status, answer, {k.lower(): v for k, v in response.getheaders()}
        finally:
            conn.close()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def successkit(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "successkit.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finished(process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    _, errors = process.communicate(timeout=seconds)
    assert process.returncode == 0, errors.decode()[-3000:]


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` together (released by one barrier), each in its own thread."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads), "a request never came back"
    return results


@pytest.fixture
def database() -> Iterator[str]:
    try:
        admin = psycopg.connect(f"{PG_BASE}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL to make the servers' database in")
    name = f"successkit_servers_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_BASE}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


def test_two_servers_and_two_workers_on_one_postgresql_keep_every_guarantee(
    tmp_path: Path, database: str, mailbox: Mailbox
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUCCESSKIT_")}
    env.update(
        SUCCESSKIT_DATA_DIR=str(tmp_path),
        SUCCESSKIT_DATABASE_URL=database,
        SUCCESSKIT_EMAIL_URL=f"smtp://127.0.0.1:{mailbox.port}",
        SUCCESSKIT_RETRY_BASE_SECONDS="0.01",
        SUCCESSKIT_RETRY_MAX_SECONDS="0.05",
    )
    finished(successkit(env, "migrate", "-v0"))
    servers = [Server(env), Server(env)]
    try:
        finished(
            successkit(
                env, "createuser", "--email", ADMIN, "--password", PASSWORD, "--role", "admin"
            )
        )
        for server in servers:
            server.wait_ready()
        a, b = servers
        check_every_guarantee(a, b, env, database, mailbox)
    finally:
        for server in servers:
            server.stop()


def check_every_guarantee(
    a: Server, b: Server, env: dict[str, str], database: str, mailbox: Mailbox
) -> None:
    status, answer, _ = a.call("POST", "/api/v1/auth/token", {"email": ADMIN, "password": PASSWORD})
    assert status == 200, answer
    token = answer["token"]

    def made(server: Server, path: str, body: object) -> Any:
        status, answer, _ = server.call("POST", path, body, token)
        assert status == 201, (path, status, answer)
        return answer

    made(
        a,
        "/api/v1/rates",
        {"currency": "EUR", "hourly_rate": "150.00", "effective_from": "2000-01-01"},
    )
    organization = made(
        a,
        "/api/v1/organizations",
        {"name": "Clínica Norte", "country": "ES", "timezone": "UTC", "language": "es"},
    )
    contact = made(
        b,
        f"/api/v1/organizations/{organization['id']}/contacts",
        {"name": "Elena", "email": "elena@norte.test", "language": "es", "password": PASSWORD},
    )
    csm = made(
        a,
        "/api/v1/staff",
        {"email": "csm@servers.test", "name": "Casey", "roles": ["csm"], "password": PASSWORD},
    )
    today = datetime.now(UTC).date()

    def contract(server: Server) -> str:
        return str(
            made(
                server,
                "/api/v1/contracts",
                {
                    "organization_id": organization["id"],
                    "package": "pro_lite",
                    "start_date": (today - timedelta(days=30)).isoformat(),
                    "end_date": (today + timedelta(days=300)).isoformat(),
                    "representative_id": csm["id"],
                    "buyer_contact_id": contact["id"],
                    "currency": "EUR",
                },
            )["id"]
        )

    pool_contract, single_contract = contract(a), contract(b)
    billed_contracts = [contract(a if i % 2 else b) for i in range(4)]
    hours = iter(range(1, 10_000))  # one staff member: every meeting at its own hour

    def slot(days: int) -> str:
        start = datetime.combine(today + timedelta(days=days), datetime.min.time(), UTC)
        return (start + timedelta(hours=next(hours))).isoformat()

    def book(server: Server, contract_id: str, kind: str, starts_at: str, **extra: Any) -> Any:
        body = {"type": kind, "starts_at": starts_at, "duration_minutes": 60, **extra}
        return server.call("POST", f"/api/v1/contracts/{contract_id}/sessions", body, token)

    # No overdraft: six 60-minute meetings race for a 120-minute pool, three on each server.
    answers = at_once(
        [
            partial(book, server, pool_contract, "implementation", slot(20))
            for server in (a, b, a, b, a, b)
        ]
    )
    assert sorted(status for status, _, _ in answers) == [201, 201, 409, 409, 409, 409]
    assert {answer["error"]["code"] for status, answer, _ in answers if status == 409} == {
        "billable_not_accepted"
    }
    status, entitlements, _ = b.call(
        "GET", f"/api/v1/contracts/{pool_contract}/entitlements", token=token
    )
    assert entitlements["training"]["reserved_minutes"] == 120
    assert entitlements["training"]["remaining_minutes"] == 0

    # A single-use type, four times at once across both servers: booked once.
    answers = at_once(
        [partial(book, server, single_contract, "kickoff", slot(22)) for server in (a, b, a, b)]
    )
    assert sorted(status for status, _, _ in answers) == [201, 409, 409, 409]
    assert {answer["error"]["code"] for status, answer, _ in answers if status == 409} == {
        "session_type_already_used"
    }

    # Gapless statements issued on both servers at once.
    for index, contract_id in enumerate(billed_contracts):
        server = (a, b)[index % 2]
        status, session, _ = book(
            server, contract_id, "additional_training", slot(-3), accept_billable=True
        )
        assert status == 201, session
        status, done, _ = server.call(
            "POST", f"/api/v1/sessions/{session['id']}/complete", {"actual_minutes": 60}, token
        )
        assert status == 200, done
    period = {
        "period_start": (today - timedelta(days=30)).isoformat(),
        "period_end": today.isoformat(),
    }
    answers = at_once(
        [
            lambda server=(a, b)[i % 2], c=c: server.call(
                "POST", f"/api/v1/contracts/{c}/statements", period, token
            )
            for i, c in enumerate(billed_contracts)
        ]
    )
    assert [status for status, _, _ in answers] == [201] * 4, answers
    with psycopg.connect(database) as conn:
        numbers = sorted(n for (n,) in conn.execute("SELECT number FROM billing_statement"))
    assert numbers == list(range(numbers[0], numbers[0] + 4))

    # One Idempotency-Key sent to both servers at once: one organization, one answer.
    body = {"name": "Una sola vez", "country": "ES", "timezone": "UTC", "language": "es"}
    answers = at_once(
        [
            lambda server=server: server.call(
                "POST", "/api/v1/organizations", body, token, **{"Idempotency-Key": "once-1"}
            )
            for server in (a, b, a, b)
        ]
    )
    assert {status for status, _, _ in answers} == {201}
    assert len({answer["id"] for _, answer, _ in answers}) == 1
    assert sum(headers.get("idempotent-replayed") == "true" for _, _, headers in answers) == 3
    with psycopg.connect(database) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM accounts_organization WHERE name = %s", (body["name"],)
        ).fetchone()
    assert count == 1

    # A token revoked on one server is refused by the other on the very next request.
    status, signed, _ = b.call("POST", "/api/v1/auth/token", {"email": ADMIN, "password": PASSWORD})
    other = signed["token"]
    assert a.call("GET", "/api/v1/me", token=other)[0] == 200
    assert b.call("DELETE", "/api/v1/auth/token", token=other)[0] == 204
    assert a.call("GET", "/api/v1/me", token=other)[0] == 401

    # Two workers deliver the mail of every booking above, each message once.
    workers = [successkit(env, "worker", "--once", "--no-sweeps") for _ in range(2)]
    for worker in workers:
        finished(worker)
    with psycopg.connect(database) as conn:
        mails = conn.execute("SELECT status, attempts FROM notifications_mail").fetchall()
    # At least the three future bookings' mail to the counterpart and the staff member.
    assert len(mails) >= 6
    assert set(mails) == {("sent", 1)}
    received = Counter(message["Message-ID"] for message in mailbox.received)
    assert len(received) == len(mails)
    assert set(received.values()) == {1}
