"""Figures of issue 14 about data at scale. Run by hand from the repository root:

    .venv/bin/python -m bench.scale_data [--contracts 10000] [--seed 1] [--lines 100000]

on the database of SUCCESSKIT_DATABASE_URL: a throw-away database on the same PostgreSQL
server (dropped at the end), or, for SQLite or when unset, a throw-away data directory.

- demo: ``successkit demo --contracts N --seed S`` (after ``successkit demo``: migrations
  and the small demo are not counted), wall time and rows written;
- month-end: ``successkit issue_statements --period`` for the last complete month, after
  a correction was recorded for every contract billed before (so nearly every contract
  gets a statement, not only those with sessions that month); then the same command again
  (nothing left to bill);
- import: ``successkit import_orders`` of --lines order lines (the layout of
  bench/hardening.py's import) into one synthetic contract.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.hardening import environment, run

CORRECT_EVERY_CONTRACT = (
    "from django.db.models import Max; from successkit.billing.models import *; "
    "last = Statement.objects.values('contract').annotate(top=Max('id')); "
    "Adjustment.objects.bulk_create((Adjustment(contract_id=r['contract'], "
    "corrects_statement_id=r['top'], amount='-1.00', reason='Goodwill credit') for r in last), "
    "batch_size=2000); print(last.count())"
)
A_CONTRACT = (
    "from successkit.contracts.models import Contract; "
    "print(Contract.objects.filter(buyer_contact__user__email__endswith='.buyers.test')"
    ".order_by('id').values_list('id', flat=True).first())"
)


def timed(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.monotonic()
    out = run(env, *args)
    return time.monotonic() - started, out


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f} (5 min {five:.1f})"


def throwaway_postgresql(url: str) -> tuple[str, str]:
    """A new empty database on the server of ``url``: its URL and its name."""
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'successkit'}_scale_bench_{os.getpid()}"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name


def drop_postgresql(url: str, name: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def throwaway_database() -> Iterator[tuple[dict[str, str], str]]:
    """The environment of a command line on a throw-away database of the kind that
    SUCCESSKIT_DATABASE_URL names (a new database on that PostgreSQL server, dropped at
    the end; otherwise a throw-away SQLite data directory), and the kind's name."""
    url = os.environ.get("SUCCESSKIT_DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield environment(), "SQLite"
        return
    url, name = throwaway_postgresql(url)
    try:
        yield environment(SUCCESSKIT_DATABASE_URL=url), "PostgreSQL"
    finally:
        drop_postgresql(url, name)


def figures(env: dict[str, str], contracts: int, seed: int, lines: int) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    run(env, "demo", "-v", "0")
    took, _out = timed(env, "shell", "-v", "0", "-c", "pass")
    rows.append(("start-up of a command (included below)", f"{took:.1f} s"))
    print(f"generating {contracts} contracts (load {load()}) ...", flush=True)
    took, out = timed(env, "demo", "--contracts", str(contracts), "--seed", str(seed), "-v", "0")
    written = re.search(r"\(([0-9]+) rows\)", out)
    rows.append(
        (
            f"demo --contracts {contracts}",
            f"{took:.1f} s ({int(written.group(1)):,} rows)" if written else f"{took:.1f} s",
        )
    )
    print(f"  {run(env, 'check_ledger').strip()}", flush=True)

    month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    corrected = run(env, "shell", "-v", "0", "-c", CORRECT_EVERY_CONTRACT).strip()
    print(f"month-end {month}, a correction for {corrected} contracts (load {load()}) ...")
    took, out = timed(env, "issue_statements", "--period", month, "-v", "0")
    issued = re.search(r"([0-9]+) statements issued", out)
    count = int(issued.group(1)) if issued else 0
    rows.append((f"month-end {month}", f"{took:.1f} s ({count:,} statements)"))
    took, out = timed(env, "issue_statements", "--period", month, "-v", "0")
    rows.append((f"month-end {month} again", f"{took:.1f} s ({out.strip().splitlines()[-1]})"))

    contract = run(env, "shell", "-v", "0", "-c", A_CONTRACT).strip()
    csv = Path(env["SUCCESSKIT_DATA_DIR"]) / "orders.csv"
    with csv.open("w") as file:
        file.write("reference,sku,size,quantity,placed_on\n")
        for n in range(lines):
            file.write(f"BULK-{n // 2},OURA-GEN4-SILVER,{6 + n % 8},1,2026-01-02\n")
    print(f"importing {lines} order lines (load {load()}) ...", flush=True)
    took, _out = timed(env, "import_orders", contract, str(csv), "--no-progress")
    rows.append((f"import_orders, {lines:,} lines", f"{took:.1f} s"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lines", type=int, default=100_000)
    options = parser.parse_args()
    started_load = load()
    with throwaway_database() as (env, database):
        rows = figures(env, options.contracts, options.seed, options.lines)
    print()
    print(f"| figure ({database}) | time |")
    print("|---|---|")
    for label, value in rows:
        print(f"| {label} | {value} |")
    print(
        f"\nload average at the start {started_load}, at the end {load()} ({os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
