"""Figures of issue 11 (hardening). Run by hand; prints its figures. Everything runs on
loopback in throw-away data directories and databases, bounded in time, and stops itself.

    .venv/bin/python bench/hardening.py flood    [--seconds 10] [--threads 16]
    .venv/bin/python bench/hardening.py backup   [--sessions 100000]
    .venv/bin/python bench/hardening.py import   [--lines 100000]

flood:  a real `successkit serve` (2 workers x 8 threads, SQLite). (1) wrong passwords for
        one account until the first 429: how many were answered before; (2) the hashing
        bound: with the lockout limit lifted (as if the flood came from many addresses),
        --threads parallel wrong sign-ins for --seconds; peak memory of the workers and the
        p50 of an unrelated authenticated GET during the flood, against the same GET
        before it; and the same flood with hashing unbounded (concurrency = threads).
backup: `successkit backup` / `restore` times for the demo and for the demo plus
        --sessions extra sessions: SQLite -> SQLite and SQLite -> PostgreSQL.
import: `successkit import_orders` of --lines lines into the served SQLite database while
        a client books sessions through the API: bookings made, failed, slowest.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUCCESSKIT = str(ROOT / ".venv" / "bin" / "successkit")
PG_BASE = os.environ.get("SUCCESSKIT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
ADMIN = ("admin@bench.test", "bench-admin-passphrase")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUCCESSKIT_")}
    env["SUCCESSKIT_DATA_DIR"] = tempfile.mkdtemp(prefix="successkit-hardening-bench-")
    env.update(extra)
    return env


def run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [SUCCESSKIT, *args], env=env, capture_output=True, text=True, timeout=3600
    )
    if result.returncode != 0:
        raise SystemExit(f"successkit {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


@contextmanager
def served(env: dict[str, str]) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    server = subprocess.Popen(
        [SUCCESSKIT, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if call(port, "GET", "/api/v1/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def call(
    port: int, method: str, path: str, body: object = None, token: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = json.dumps(body) if body is not None else None
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), data


def sign_in(port: int, email: str, password: str) -> tuple[int, dict[str, str], bytes]:
    return call(port, "POST", "/api/v1/auth/token", {"email": email, "password": password})


def workers_rss(server_pid: int) -> int:
    """Resident memory (bytes) of the server's worker processes."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == server_pid:
                status = (stat.parent / "status").read_text()
                rss = next(line for line in status.splitlines() if line.startswith("VmRSS"))
                total += int(rss.split()[1]) * 1024
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return total


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000 if samples else float("nan")


# --- flood ------------------------------------------------------------------------------


def flood(seconds: float, threads: int) -> None:
    env = environment()
    run(env, "migrate", "-v0")
    run(env, "createuser", "--email", ADMIN[0], "--password", ADMIN[1], "--role", "admin")
    with served(env) as (port, _server):
        allowed = 0
        for attempt in range(100):
            status = sign_in(port, ADMIN[0], f"wrong-{attempt}")[0]
            if status == 429:
                break
            allowed += 1
        status, headers, _ = sign_in(port, ADMIN[0], ADMIN[1])
        print(
            f"lockout: {allowed} wrong passwords answered 401, then 429 "
            f"(the right password then: {status}, Retry-After {headers.get('Retry-After')} s)"
        )
    for label, concurrency in (("bounded (2 per process)", "2"), ("unbounded", str(threads))):
        hashing_flood(label, concurrency, seconds, threads)


def hashing_flood(label: str, concurrency: str, seconds: float, threads: int) -> None:
    env = environment(
        SUCCESSKIT_SIGNIN_FAILURE_LIMIT="1000000", SUCCESSKIT_HASHING_CONCURRENCY=concurrency
    )
    run(env, "migrate", "-v0")
    run(env, "createuser", "--email", ADMIN[0], "--password", ADMIN[1], "--role", "admin")
    with served(env) as (port, server):
        token = json.loads(sign_in(port, ADMIN[0], ADMIN[1])[2])["token"]
        before: list[float] = []
        for _ in range(30):
            started = time.monotonic()
            call(port, "GET", "/api/v1/me", token=token)
            before.append(time.monotonic() - started)
        baseline_rss = workers_rss(server.pid)
        stop = time.monotonic() + seconds
        attempts = [0]
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def attacker() -> None:
            while time.monotonic() < stop:
                code = sign_in(port, ADMIN[0], "wrong-password")[0]
                with lock:
                    attempts[0] += 1
                    statuses[code] = statuses.get(code, 0) + 1

        during: list[float] = []
        peak = [baseline_rss]

        def observer() -> None:
            while time.monotonic() < stop:
                started = time.monotonic()
                call(port, "GET", "/api/v1/me", token=token)
                during.append(time.monotonic() - started)
                peak[0] = max(peak[0], workers_rss(server.pid))
                time.sleep(0.05)

        crowd = [threading.Thread(target=attacker) for _ in range(threads)]
        watcher = threading.Thread(target=observer)
        for thread in [*crowd, watcher]:
            thread.start()
        for thread in [*crowd, watcher]:
            thread.join()
        print(
            f"hashing {label}: {attempts[0]} sign-ins in {seconds:.0f} s from {threads} "
            f"threads {statuses}; workers' memory {baseline_rss / 2**20:.0f} MiB -> peak "
            f"{peak[0] / 2**20:.0f} MiB; unrelated GET /api/v1/me p50 "
            f"{median_ms(before):.1f} ms before, {median_ms(during):.1f} ms during "
            f"({len(during)} samples)"
        )


# --- backup -----------------------------------------------------------------------------

ADD_SESSIONS = """
from successkit.engagements.models import TrainingSession
from django.db import transaction
template = TrainingSession.objects.order_by("id").first()
fields = [f.attname for f in TrainingSession._meta.concrete_fields if f.attname != "id"]
values = {name: getattr(template, name) for name in fields}
values["status"] = "cancelled"
made = 0
while made < COUNT:
    n = min(5000, COUNT - made)
    with transaction.atomic():
        TrainingSession.objects.bulk_create([TrainingSession(**values) for _ in range(n)])
    made += n
print(TrainingSession.objects.count())
"""


def timed(env: dict[str, str], *args: str) -> float:
    started = time.monotonic()
    run(env, *args)
    return time.monotonic() - started


def backup_figures(sessions: int) -> None:
    import psycopg

    for extra in (0, sessions):
        source = environment()
        source["SUCCESSKIT_DATABASE_URL"] = f"sqlite:///{source['SUCCESSKIT_DATA_DIR']}/a.sqlite3"
        run(source, "demo")
        if extra:
            run(source, "shell", "-v", "0", "-c", ADD_SESSIONS.replace("COUNT", str(extra)))
        file = Path(source["SUCCESSKIT_DATA_DIR"]) / "backup.zip"
        took = timed(source, "backup", str(file))
        size = file.stat().st_size / 2**20
        label = "demo" if not extra else f"demo + {extra} sessions"
        print(f"{label}: backup {took:.1f} s ({size:.1f} MiB)")
        target = environment()
        target["SUCCESSKIT_DATABASE_URL"] = f"sqlite:///{target['SUCCESSKIT_DATA_DIR']}/b.sqlite3"
        run(target, "migrate", "-v0")  # the schema apart, to time the rows alone
        print(f"{label}: restore into SQLite {timed(target, 'restore', str(file)):.1f} s")
        name = f"successkit_hardening_bench_{os.getpid()}"
        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            target = environment(SUCCESSKIT_DATABASE_URL=f"{PG_BASE}/{name}")
            run(target, "migrate", "-v0")
            took = timed(target, "restore", str(file))
            print(f"{label}: restore into PostgreSQL {took:.1f} s")
            print(f"  check_ledger: {run(target, 'check_ledger').strip()}")
        finally:
            with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- import -----------------------------------------------------------------------------


def import_figures(lines: int) -> None:
    env = environment()
    run(env, "demo")
    ids = run(
        env,
        "shell",
        "-v",
        "0",
        "-c",
        "from successkit.contracts.models import Contract; "
        "print(' '.join(str(c.pk) for c in Contract.objects.order_by('id')))",
    ).split()
    csv = Path(env["SUCCESSKIT_DATA_DIR"]) / "orders.csv"
    with csv.open("w") as file:
        file.write("reference,sku,size,quantity,placed_on\n")
        for n in range(lines):
            file.write(f"BULK-{n // 2},OURA-GEN4-SILVER,{6 + n % 8},1,2026-01-02\n")
    with served(env) as (port, _server):
        token = json.loads(sign_in(port, "admin@demo.successkit.test", "demo-admin-2026")[2])[
            "token"
        ]
        contract = ids[1]
        importer = subprocess.Popen(
            [SUCCESSKIT, "import_orders", ids[0], str(csv), "--no-progress"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started_import = time.monotonic()
        results: list[tuple[int, float]] = []
        day = 0
        while importer.poll() is None:
            when = time.gmtime(time.time() + 86400 * (3 + day // 8))
            starts = time.strftime(f"%Y-%m-%dT{9 + day % 8:02d}:00:00+00:00", when)
            started = time.monotonic()
            status, _headers, body = call(
                port,
                "POST",
                f"/api/v1/contracts/{contract}/sessions",
                {
                    "type": "additional_training",
                    "starts_at": starts,
                    "duration_minutes": 30,
                    "accept_billable": True,
                },
                token=token,
            )
            results.append((status, time.monotonic() - started))
            if status >= 500:
                print("booking failed:", status, body[:200])
            day += 1
        out, err = importer.communicate()
        took = time.monotonic() - started_import
        print(f"import of {lines} lines: {took:.1f} s, exit {importer.returncode}: {out.strip()}")
        if importer.returncode:
            print(err[-1000:])
        codes: dict[int, int] = {}
        for status, _seconds in results:
            codes[status] = codes.get(status, 0) + 1
        slowest = max((seconds for _status, seconds in results), default=0.0)
        print(
            f"bookings during the import: {len(results)} {codes}; "
            f"p50 {median_ms([s for _c, s in results]):.0f} ms, slowest {slowest * 1000:.0f} ms; "
            f"failures (5xx): {sum(1 for c, _s in results if c >= 500)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("figure", choices=["flood", "backup", "import"])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=100_000)
    options = parser.parse_args()
    if options.figure == "flood":
        flood(options.seconds, options.threads)
    elif options.figure == "backup":
        backup_figures(options.sessions)
    else:
        import_figures(options.lines)


if __name__ == "__main__":
    main()
