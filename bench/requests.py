"""The request path's figures (issue 14), over HTTP only. Run by hand; prints its figures.

    python -m bench.requests [--seconds 5] [--clients 8] [--successkit PATH]

Starts one `successkit serve` (gunicorn, 2 workers x 8 threads) on the database of
SUCCESSKIT_DATABASE_URL (without it, a throw-away SQLite file), sets up through the
command line and the API only - an admin (`successkit createuser`), an organization, one
contact, one representative and one Pro Lite contract per client - and then measures, on
that one server, with --clients client processes on keep-alive connections:

    /health        GET /api/v1/health (no database), requests/s
    /me            GET /api/v1/me with a bearer token, requests/s
    entitlements   GET /api/v1/contracts/{id}/entitlements, each client its own contract
    bookings       POST /api/v1/contracts/{id}/sessions, each client booking additional
                   training (billable, accepted) back to back on its own contract, commits/s

and prints the ratios against the targets (/me >= 0.6 x /health, entitlements >= 0.8 x
/me, bookings >= 0.25 x /health) and the peak resident memory of every server process.

Only documented surfaces are used (API.md), so `--successkit` may name the `successkit`
of another checkout (an older one, for before/after figures). The database gains what the
run creates (a new organization, staff and contracts each time): point it at a throw-away
one. A PostgreSQL database must exist; `successkit serve` migrates it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"me/health": 0.6, "entitlements/me": 0.8, "bookings/health": 0.25}
PASSWORD = "bench-requests-passphrase"


def default_successkit() -> str:
    beside = Path(sys.executable).with_name("successkit")
    if beside.exists():
        return str(beside)
    return shutil.which("successkit") or str(ROOT / ".venv" / "bin" / "successkit")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the server -------------------------------------------------------------------------


def start_server(
    successkit: str, env: dict[str, str], port: int, workers: int, threads: int
) -> subprocess.Popen[bytes]:
    command = [successkit, "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--threads", str(threads)]
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120  # a first run migrates the database
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"successkit serve exited with {server.returncode}")
        try:
            status, _ = call(port, "GET", "/api/v1/health")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("successkit serve did not answer within 120 s")


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the gunicorn master and its workers)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.extend(process_tree(int(child)))
    return found


def peak_rss_kib(pid: int) -> int:
    """The process's peak resident set size (VmHWM), KiB; 0 where /proc does not tell."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# --- HTTP -------------------------------------------------------------------------------


def call(
    port: int, method: str, path: str, body: object = None, token: str | None = None
) -> tuple[int, dict[str, object]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(
            method, path, body=json.dumps(body) if body is not None else None, headers=headers
        )
        response = conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else {})
    finally:
        conn.close()


def created(port: int, path: str, body: object, token: str) -> dict[str, object]:
    status, answer = call(port, "POST", path, body, token)
    if status != 201:
        raise SystemExit(f"POST {path}: {status} {answer}")
    return answer


def setup(successkit: str, env: dict[str, str], port: int, clients: int) -> dict[str, object]:
    """An admin token and, per client, a contract with its own representative."""
    run_id = secrets.token_hex(4)
    admin = f"bench-admin-{run_id}@bench.test"
    subprocess.run(
        [successkit, "createuser", "--email", admin, "--password", PASSWORD, "--role", "admin"],
        env=env,
        check=True,
        capture_output=True,
    )
    status, answer = call(
        port, "POST", "/api/v1/auth/token", {"email": admin, "password": PASSWORD}
    )
    if status != 200:
        raise SystemExit(f"sign-in: {status} {answer}")
    token = str(answer["token"])
    # A rate for billable minutes (refused when one already applies: either way one exists).
    call(
        port,
        "POST",
        "/api/v1/rates",
        {"currency": "EUR", "hourly_rate": "150.00", "effective_from": "2000-01-01"},
        token,
    )
    organization = created(
        port,
        "/api/v1/organizations",
        {"name": f"Bench {run_id}", "country": "ES", "timezone": "Europe/Madrid", "language": "en"},
        token,
    )
    contact = created(
        port,
        f"/api/v1/organizations/{organization['id']}/contacts",
        {
            "name": "Bench buyer",
            "email": f"buyer-{run_id}@bench.test",
            "language": "en",
            "password": PASSWORD,
        },
        token,
    )
    today = date.today()
    contracts = []
    for index in range(clients):
        staff = created(
            port,
            "/api/v1/staff",
            {
                "email": f"csm-{run_id}-{index}@bench.test",
                "name": f"Bench CSM {index}",
                "roles": ["csm"],
                "password": PASSWORD,
            },
            token,
        )
        contract = created(
            port,
            "/api/v1/contracts",
            {
                "organization_id": organization["id"],
                "package": "pro_lite",
                "start_date": (today - timedelta(days=10)).isoformat(),
                "end_date": (today + timedelta(days=355)).isoformat(),
                "representative_id": staff["id"],
                "buyer_contact_id": contact["id"],
                "currency": "EUR",
            },
            token,
        )
        contracts.append(str(contract["id"]))
    return {"token": token, "contracts": contracts}


# --- load -------------------------------------------------------------------------------


def _client(args: tuple[int, str, str, str, float, bool]) -> int:
    """One client on one keep-alive connection for ``seconds``: the requests answered.
    ``book``: POST bookings back to back instead of GETs."""
    port, method, path, token, seconds, book = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    done = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = None
        if book:
            # Each client its own contract and representative: 30-minute sessions in a row,
            # never over one another.
            starts_at = first + timedelta(minutes=30 * done)
            body = json.dumps(
                {
                    "type": "additional_training",
                    "starts_at": starts_at.isoformat(),
                    "duration_minutes": 30,
                    "accept_billable": True,
                }
            )
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        answer = response.read()
        expected = 201 if book else 200
        if response.status != expected:
            raise RuntimeError(f"{method} {path}: {response.status} {answer[:300]!r}")
        done += 1
    conn.close()
    return done


def throughput(jobs: list[tuple[int, str, str, str, float, bool]]) -> float:
    with mp.Pool(len(jobs)) as pool:
        counts = pool.map(_client, jobs)
    return sum(counts) / jobs[0][4]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per figure")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--successkit",
        default=default_successkit(),
        help="the successkit executable to serve (default: this checkout's)",
    )
    options = parser.parse_args()

    env = dict(os.environ)
    throwaway = None
    if not env.get("SUCCESSKIT_DATABASE_URL"):
        throwaway = tempfile.mkdtemp(prefix="successkit-bench-requests-")
        env["SUCCESSKIT_DATA_DIR"] = throwaway
    database = env.get("SUCCESSKIT_DATABASE_URL", "sqlite (throw-away)").split("://")[0]
    load_before = os.getloadavg()[0]
    port = free_port()
    server = start_server(options.successkit, env, port, options.workers, options.threads)
    try:
        made = setup(options.successkit, env, port, options.clients)
        token, contracts = str(made["token"]), list(made["contracts"])  # type: ignore[call-overload]
        seconds = options.seconds
        n = options.clients

        def reads(path: str) -> list[tuple[int, str, str, str, float, bool]]:
            return [(port, "GET", path, token, seconds, False)] * n

        # Every server thread opens its connection before anything is timed.
        throughput([(port, "GET", "/api/v1/me", token, 1.0, False)] * n)
        figures = {
            "health": throughput(reads("/api/v1/health")),
            "me": throughput(reads("/api/v1/me")),
            "entitlements": throughput(
                [
                    (port, "GET", f"/api/v1/contracts/{c}/entitlements", token, seconds, False)
                    for c in contracts
                ]
            ),
            "bookings": throughput(
                [
                    (port, "POST", f"/api/v1/contracts/{c}/sessions", token, seconds, True)
                    for c in contracts
                ]
            ),
        }
        peaks = {pid: peak_rss_kib(pid) for pid in process_tree(server.pid)}
    finally:
        server.terminate()
        server.wait(timeout=60)
        if throwaway:
            shutil.rmtree(throwaway, ignore_errors=True)

    load_after = os.getloadavg()[0]
    print(
        f"database: {database}; {options.clients} clients; {options.seconds:g} s per figure; "
        f"server {options.workers} workers x {options.threads} threads; "
        f"load average (1 min) before {load_before:.2f}, after {load_after:.2f}"
    )
    for name in ("health", "me", "entitlements"):
        print(f"  {name:<13} {figures[name]:8.1f} req/s")
    print(f"  {'bookings':<13} {figures['bookings']:8.1f} commits/s")
    ratios = {
        "me/health": figures["me"] / figures["health"],
        "entitlements/me": figures["entitlements"] / figures["me"],
        "bookings/health": figures["bookings"] / figures["health"],
    }
    for name, value in ratios.items():
        verdict = "ok" if value >= TARGETS[name] else "BELOW"
        print(f"  {name:<17} {value:.2f}  (target >= {TARGETS[name]}) {verdict}")
    for pid, kib in peaks.items():
        role = "master" if pid == server.pid else "worker"
        print(f"  peak RSS {role} {pid}: {kib / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
