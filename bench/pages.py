"""Figures of issue 14 item 2: p50/p95 of every staff page and every API list at 10,000
contracts. Run by hand from the repository root:

    .venv/bin/python -m bench.pages [--contracts 10000] [--seed 1] [--samples 20]

on the database of SUCCESSKIT_DATABASE_URL: a throw-away database on the same PostgreSQL
server (dropped at the end), or, for SQLite or when unset, a throw-away data directory.
It runs ``successkit demo`` (the sign-ins) and ``successkit demo --contracts N --seed S``,
then starts a real ``successkit serve`` and measures over HTTP on loopback, one request
at a time: each page signed in (session cookie, through the sign-in page) as the demo
admin and as the demo CSM, each list of the OpenAPI document (every GET answering
``items``) with the admin's bearer token. The target is 200 ms p95 for each.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import time
from urllib.parse import urlencode

from bench.hardening import run, served
from bench.scale_data import load, throwaway_database

ADMIN = ("admin@demo.successkit.test", "demo-admin-2026")
CSM = ("csm@demo.successkit.test", "demo-staff-2026")
TARGET_MS = 200

# One synthetic contract with history, and the ids the paths need.
IDS = (
    "import json; from successkit.billing.models import Statement; "
    "from successkit.support.models import Case, Order; "
    "from successkit.engagements.models import SessionMaterial, TrainingSession; "
    "from successkit.healthchecks.models import HealthCheck; "
    "from successkit.accounts.models import User; "
    "from successkit.notifications.models import WebhookEndpoint; "
    "s = Statement.objects.filter(contract__cases__isnull=False).order_by('id').first(); "
    "c = s.contract; "
    "session = TrainingSession.objects.filter(contract=c).order_by('id').first(); "
    "material = SessionMaterial.objects.order_by('id').first(); "
    "hook = WebhookEndpoint.objects.order_by('id').first(); "
    "print(json.dumps({'contract_id': c.pk, 'organization_id': c.organization_id, "
    "'statement_id': s.pk, 'case_id': Case.objects.filter(contract=c).first().pk, "
    "'order_id': (Order.objects.filter(contract=c).first() or Order.objects.first()).pk, "
    "'session_id': session.pk, 'material_id': material.pk if material else 0, "
    "'material_session_id': material.session_id if material else session.pk, "
    "'check_id': HealthCheck.objects.filter(contract=c).first().pk, "
    "'staff_id': c.representative_id, 'webhook_id': hook.pk if hook else 0, "
    "'admin_id': User.objects.get(email='admin@demo.successkit.test').pk}))"
)


class Browser:
    """Cookies and the CSRF token of one signed-in person, over plain HTTP."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        return self.request("GET", path, headers=headers)

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, data

    def sign_in(self, email: str, password: str) -> None:
        _status, page = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "the sign-in page carries a CSRF token"
        form = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": email,
                "password": password,
            }
        )
        status, _ = self.request(
            "POST",
            "/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/login/",
            },
        )
        assert status == 302 and "sessionid" in self.cookies, f"sign-in as {email}: {status}"


def measure(call, samples: int) -> tuple[float, float, int]:
    """p50 and p95 in ms of ``samples`` calls after two to warm up, and the status."""
    status = 0
    for _ in range(2):
        status = call()[0]
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        status = call()[0]
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, status


def staff_pages(ids: dict[str, int]) -> list[str]:
    return [
        "/",
        "/?accounts=all",
        "/?accounts=all&attention=1",
        "/?accounts=all&sort=organization",
        "/?accounts=all&sort=unbilled",
        "/?accounts=all&sort=left",
        "/?accounts=all&sort=end&page=100",
        "/?accounts=all&phase=active&package=pro_lite",
        "/?accounts=all&q=clinic",
        f"/contracts/{ids['contract_id']}/",
        f"/health-checks/contracts/{ids['contract_id']}/",
        "/health-checks/compliance/",
        "/support/",
        "/support/?status=open&page=20",
        "/support/queues/",
        f"/support/cases/{ids['case_id']}/",
        "/billing/",
        "/billing/?page=20",
        "/billing/?sort=organization",
        "/billing/statements/",
        f"/billing/statements/{ids['statement_id']}/",
    ]


def api_lists(browser: Browser, token: str, ids: dict[str, int]) -> list[str]:
    status, body = browser.get("/api/v1/openapi.json")
    assert status == 200
    document = json.loads(body)
    components = document["components"]["schemas"]
    values = {**ids, "session_id": ids["material_session_id"], "token_id": 0}
    queries = {
        "/api/v1/contracts/{contract_id}/slots": "?type=implementation&from={0}&to={0}",
        "/api/v1/audit": "?type=contract",
    }
    today = time.strftime("%Y-%m-%d")
    found = []
    for path, operations in document["paths"].items():
        get = operations.get("get")
        content = (get or {}).get("responses", {}).get("200", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        name = schema.get("$ref", "").rsplit("/", 1)[-1]
        if "items" not in components.get(name, {}).get("properties", {}):
            continue
        if "{webhook_id}" in path and not ids["webhook_id"]:
            continue
        found.append(path.format(**values) + queries.get(path, "").format(today))
    return [
        *found,
        "/api/v1/contracts?offset=9000",
        "/api/v1/cases?status=open",
        "/api/v1/audit?type=order",
        "/api/v1/health-checks/compliance",
    ]


def figures(env: dict[str, str], contracts: int, seed: int, samples: int) -> list[tuple]:
    run(env, "demo", "-v", "0")
    print(f"generating {contracts} contracts (load {load()}) ...", flush=True)
    started = time.monotonic()
    run(env, "demo", "--contracts", str(contracts), "--seed", str(seed), "-v", "0")
    print(f"  done in {time.monotonic() - started:.0f} s", flush=True)
    ids = json.loads(run(env, "shell", "-v", "0", "-c", IDS).strip().splitlines()[-1])
    rows: list[tuple] = []
    with served(env) as (port, _server):
        people = {}
        for label, (email, password) in (("admin", ADMIN), ("csm", CSM)):
            browser = Browser(port)
            browser.sign_in(email, password)
            people[label] = browser
        _status, body = Browser(port).request(
            "POST",
            "/api/v1/auth/token",
            body=json.dumps({"email": ADMIN[0], "password": ADMIN[1]}),
            headers={"Content-Type": "application/json"},
        )
        token = json.loads(body)["token"]
        print(f"measuring (load {load()}) ...", flush=True)
        for label, browser in people.items():
            for path in staff_pages(ids):
                p50, p95, status = measure(lambda b=browser, p=path: b.get(p), samples)
                rows.append((f"page {path}", label, status, p50, p95))
                print(f"  {label} {path}: {p50:.0f} / {p95:.0f} ms", flush=True)
        api = Browser(port)
        bearer = {"Authorization": f"Bearer {token}"}
        for path in api_lists(api, token, ids):
            p50, p95, status = measure(lambda p=path: api.get(p, bearer), samples)
            rows.append((f"GET {path}", "admin", status, p50, p95))
            print(f"  api {path}: {p50:.0f} / {p95:.0f} ms", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=20)
    options = parser.parse_args()
    started_load = load()
    with throwaway_database() as (env, database):
        rows = figures(env, options.contracts, options.seed, options.samples)
    print()
    print(f"| {database}, {options.contracts:,} contracts | as | status | p50 ms | p95 ms | |")
    print("|---|---|---|---|---|---|")
    for what, who, status, p50, p95 in rows:
        verdict = "ok" if p95 < TARGET_MS and status == 200 else "OVER"
        print(f"| `{what}` | {who} | {status} | {p50:.0f} | {p95:.0f} | {verdict} |")
    over = sum(1 for row in rows if row[4] >= TARGET_MS or row[2] != 200)
    print(f"\n{len(rows) - over} of {len(rows)} under {TARGET_MS} ms p95 with status 200")
    print(f"load average at the start {started_load}, at the end {load()} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
