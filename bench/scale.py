"""Every figure of issue 14 in one run for one database. Run by hand from the repository
root, on a quiet machine:

    .venv/bin/python -m bench.scale [--contracts 10000] [--old PATH/TO/old/.venv/bin/successkit]

for the database of SUCCESSKIT_DATABASE_URL (a PostgreSQL server: each part works in a
throw-away database of its own; unset: throw-away SQLite files). It runs, one after the
other so that none measures another:

- ``bench.requests``: the request path's ratios (/me, entitlements, bookings against
  /health) and the peak memory of each server process; with ``--old``, the same against
  an older checkout's ``successkit`` first, for before/after figures on the same hour;
- ``bench.scale_data``: generating N contracts, month-end, importing 100,000 order lines;
- ``bench.pages``: p50/p95 of every staff page and API list at N contracts.

and prints each part's table as it comes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from bench.scale_data import drop_postgresql, load, throwaway_postgresql


def part(title: str, module: str, *args: str, database: str | None = None) -> None:
    env = dict(os.environ)
    made = None
    if database and database.startswith("postgres"):
        env["SUCCESSKIT_DATABASE_URL"], made = throwaway_postgresql(database)
    print(f"\n## {title} (load {load()})\n", flush=True)
    started = time.monotonic()
    try:
        subprocess.run([sys.executable, "-m", module, *args], env=env, check=True)
    finally:
        if made:
            drop_postgresql(env["SUCCESSKIT_DATABASE_URL"], made)
    print(f"\n({title}: {time.monotonic() - started:.0f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--old", help="an older checkout's successkit, for 'before' figures")
    options = parser.parse_args()
    database = os.environ.get("SUCCESSKIT_DATABASE_URL") or None
    kind = "PostgreSQL" if database and database.startswith("postgres") else "SQLite"
    print(f"# successkit at scale on {kind}, {os.cpu_count()} cores", flush=True)
    if options.old:
        part(
            "request path, before",
            "bench.requests",
            "--successkit",
            options.old,
            database=database,
        )
    part("request path", "bench.requests", database=database)
    part("data at scale", "bench.scale_data", "--contracts", str(options.contracts))
    part("pages and lists", "bench.pages", "--contracts", str(options.contracts))


if __name__ == "__main__":
    main()
