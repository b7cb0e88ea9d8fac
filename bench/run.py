"""successkit benchmarks (issue 3). Run by hand; prints its figures.

    .venv/bin/python bench/run.py [--database sqlite|postgresql] [--seconds 5] [--rows 1000000]

(a) entitlements GET requests/s ÷ requests/s of a trivial endpoint (/api/v1/health), both
    served by the same `successkit serve` (gunicorn), 8 client processes with keep-alive.
(b) booking commits/s through the API with 8 concurrent clients ÷ the raw floor of the
    same database: 8 connections each committing one INSERT+UPDATE transaction.
(c) entitlement read latency (median of GETs, in-process) for a contract whose pool
    ledger holds 1k rows vs one holding 1M rows.

Targets: (a) ≥ 0.6, (b) ≥ 0.5, (c) ≤ 1.2. Everything runs on loopback, in a throw-away
data directory (SQLite) or a throw-away PostgreSQL database, and stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

CLIENTS = 8
ROOT = Path(__file__).resolve().parents[1]
SUCCESSKIT = str(ROOT / ".venv" / "bin" / "successkit")
PG_BASE = os.environ.get("SUCCESSKIT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def setup_environment(database: str) -> tuple[dict[str, str], str | None]:
    env = dict(os.environ)
    env["SUCCESSKIT_DATA_DIR"] = tempfile.mkdtemp(prefix="successkit-bench-")
    pg_name = None
    if database == "postgresql":
        import psycopg

        pg_name = f"successkit_bench_{os.getpid()}"
        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        env["SUCCESSKIT_DATABASE_URL"] = f"{PG_BASE}/{pg_name}"
    os.environ.update(env)
    return env, pg_name


def drop_database(pg_name: str | None) -> None:
    if pg_name:
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "successkit.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_contracts(count: int) -> tuple[str, list[str]]:
    """An admin token and ``count`` Pro Lite contracts with a rate."""

    from successkit.accounts.services import issue_token
    from successkit.billing.models import HourlyRate
    from successkit.factories import ContractFactory, StaffFactory

    HourlyRate.objects.get_or_create(
        currency="EUR", effective_from=date(2000, 1, 1), defaults={"hourly_rate": 150}
    )
    admin = StaffFactory(roles=["admin"])
    start = date.today() - timedelta(days=10)
    contracts = [str(ContractFactory(start_date=start).pk) for _ in range(count)]
    return issue_token(admin), contracts


# --- load generation ---------------------------------------------------------------------


def _hammer(args: tuple[int, str, str, str | None, float]) -> int:
    port, method, path, token, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    # Bookings inside the term, 30 minutes each in a row from two days ahead, never over
    # one another: every one is a commit (a refusal is an error, not a booking).
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    done = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = None
        if method == "POST":
            body = json.dumps(
                {
                    "type": "additional_training",
                    "starts_at": (first + timedelta(minutes=30 * done)).isoformat(),
                    "duration_minutes": 30,
                    "accept_billable": True,
                }
            )
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        answer = response.read()
        if response.status != (201 if method == "POST" else 200):
            raise RuntimeError(f"{method} {path}: {response.status} {answer[:300]!r}")
        done += 1
    conn.close()
    return done


def throughput(port: int, method: str, path: str, token: str | None, seconds: float) -> float:
    with mp.Pool(CLIENTS) as pool:
        counts = pool.map(_hammer, [(port, method, path, token, seconds)] * CLIENTS)
    return sum(counts) / seconds


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [SUCCESSKIT, "serve", "--port", str(port), "--workers", "2", "--threads", "8"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("server did not start")


# --- (b) the raw floor ------------------------------------------------------------------


def _raw_sqlite(args: tuple[str, float]) -> int:
    path, seconds = args
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA synchronous=NORMAL")
    done = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO bench_row (minutes) VALUES (30)")
        conn.execute("UPDATE bench_balance SET minutes = minutes + 30 WHERE id = 1")
        conn.execute("COMMIT")
        done += 1
    return done


def _raw_postgres(args: tuple[str, float]) -> int:
    import psycopg

    url, seconds = args
    done = 0
    with psycopg.connect(url) as conn:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with conn.transaction():
                conn.execute("INSERT INTO bench_row (minutes) VALUES (30)")
                conn.execute(
                    "UPDATE bench_balance SET minutes = minutes + 30 WHERE id = %s",
                    (done % CLIENTS + 1,),
                )
            done += 1
    return done


def raw_floor(database: str, env: dict[str, str], seconds: float) -> float:
    if database == "sqlite":
        path = str(Path(env["SUCCESSKIT_DATA_DIR"]) / "raw.sqlite3")
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(
            "CREATE TABLE bench_row (id INTEGER PRIMARY KEY, minutes INTEGER);"
            "CREATE TABLE bench_balance (id INTEGER PRIMARY KEY, minutes INTEGER);"
            "INSERT INTO bench_balance VALUES (1, 0);"
        )
        conn.close()
        worker, arg = _raw_sqlite, path
    else:
        import psycopg

        url = env["SUCCESSKIT_DATABASE_URL"]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE bench_row (id serial PRIMARY KEY, minutes int)")
            conn.execute("CREATE TABLE bench_balance (id int PRIMARY KEY, minutes int)")
            for i in range(1, CLIENTS + 1):
                conn.execute("INSERT INTO bench_balance VALUES (%s, 0)", (i,))
        worker, arg = _raw_postgres, url
    with mp.Pool(CLIENTS) as pool:
        counts = pool.map(worker, [(arg, seconds)] * CLIENTS)
    return sum(counts) / seconds


# --- (c) latency against ledger size ----------------------------------------------------


def ledger_latency(rows: int, samples: int = 300) -> float:
    """Median seconds of an entitlements GET for a contract with ``rows`` ledger entries."""

    from django.db import transaction
    from django.test import Client

    from successkit.accounts.models import User
    from successkit.accounts.services import issue_token
    from successkit.catalog.models import SessionType
    from successkit.engagements.models import PoolEntry, TrainingPool, TrainingSession
    from successkit.factories import ContractFactory

    contract = ContractFactory()
    pool = TrainingPool.objects.create(contract=contract)
    session = TrainingSession.objects.create(
        contract=contract,
        session_type=SessionType.objects.get(
            version=contract.package.version, code="additional_training"
        ),
        starts_at=datetime(2099, 1, 1, tzinfo=UTC),
        duration_minutes=30,
        staff=contract.representative,
        booked_by=contract.representative,
    )
    user = User.objects.get(pk=contract.representative_id)
    batch = 50_000
    with transaction.atomic():
        for offset in range(0, rows, batch):
            PoolEntry.objects.bulk_create(
                PoolEntry(
                    pool=pool,
                    session=session,
                    kind="reserve",
                    reserved_delta=0,
                    used_delta=0,
                    recorded_by=user,
                )
                for _ in range(min(batch, rows - offset))
            )
    client = Client(HTTP_HOST="localhost")
    headers = {"Authorization": f"Bearer {issue_token(user)}"}
    url = f"/api/v1/contracts/{contract.pk}/entitlements"
    timings = []
    for _ in range(samples):
        began = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append(time.perf_counter() - began)
        assert response.status_code == 200, response.content
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rows", type=int, default=1_000_000)
    options = parser.parse_args()

    env, pg_name = setup_environment(options.database)
    try:
        django_setup()
        token, contracts = make_contracts(CLIENTS)
        port = free_port()
        server = start_server(env, port)
        try:
            trivial = throughput(port, "GET", "/api/v1/health", None, options.seconds)
            me = throughput(port, "GET", "/api/v1/me", token, options.seconds)
            read = throughput(
                port,
                "GET",
                f"/api/v1/contracts/{contracts[0]}/entitlements",
                token,
                options.seconds,
            )
            booked = _bookings(port, token, contracts, options.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        floor = raw_floor(options.database, env, options.seconds)
        small = ledger_latency(1_000)
        large = ledger_latency(options.rows)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(pg_name)

    print(f"database: {options.database}; {CLIENTS} clients; {options.seconds:g} s per run")
    print(
        f"(a) entitlements {read:.1f} req/s ÷ trivial /health {trivial:.1f} req/s"
        f" = {read / trivial:.2f}  (target ≥ 0.6)"
    )
    print(f"    entitlements ÷ authenticated trivial /me {me:.1f} req/s = {read / me:.2f}")
    print(
        f"(b) bookings {booked:.1f} commits/s ÷ raw INSERT+UPDATE floor {floor:.1f} tx/s"
        f" = {booked / floor:.3f}  (target ≥ 0.5)"
    )
    print(
        f"(c) entitlements read, median: {small * 1000:.2f} ms with 1k ledger rows, "
        f"{large * 1000:.2f} ms with {options.rows:,} rows = {large / small:.2f}  (target ≤ 1.2)"
    )


def _bookings(port: int, token: str, contracts: list[str], seconds: float) -> float:
    """Each client books additional training on its own contract (all billable, accepted)."""
    with mp.Pool(CLIENTS) as pool:
        counts = pool.map(
            _hammer,
            [(port, "POST", f"/api/v1/contracts/{c}/sessions", token, seconds) for c in contracts],
        )
    return sum(counts) / seconds


if __name__ == "__main__":
    main()
