"""successkit scheduling benchmarks (issue 15). Run by hand; prints its figures.

    .venv/bin/python bench/scheduling.py [--database sqlite|postgresql] [--pairs 1000]

(a) slot computation for one contract over 4 weeks (GET /contracts/{id}/slots's work,
    in-process: ``engagements.slots.free_slots``) with 50 eligible staff — half with their
    own hours in three time zones and some time off, half on the defaults — and 2,000
    existing meetings in those 4 weeks; median and worst of 30 runs, and its query count.
    Goal: under 50 ms.
(b) the double-booking race: ``--pairs`` pairs of bookings, each pair two threads (own
    database connections, released together by a barrier) booking the same staff member
    at overlapping times on two different contracts (so two different pool locks: only
    scheduling stands between them). Reports the outcomes and counts overlapping live
    meetings in the database afterwards. Goal: 0 overlaps in 1,000 pairs on PostgreSQL.

Runs in a throw-away data directory (SQLite) or a throw-away PostgreSQL database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.run import django_setup, drop_database, setup_environment

STAFF = 50
MEETINGS = 2_000
DAYS = 28
RUNS = 30


def slot_bench() -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from successkit.accounts.actors import Actor
    from successkit.accounts.roles import Role
    from successkit.engagements import slots as slots_module

    free_slots = slots_module.free_slots
    from successkit.factories import ContractFactory, StaffFactory
    from successkit.scheduling import services as scheduling
    from successkit.scheduling.models import BusyInterval

    first = date.today() + timedelta(days=7)
    start = first - timedelta(days=30)
    staff = [StaffFactory(roles=[Role.CSM], name=f"Staff {n:02d}") for n in range(STAFF)]
    contract = ContractFactory(
        start_date=start, end_date=start + timedelta(days=364), representative=staff[0]
    )
    zones = ["Europe/Madrid", "America/New_York", "Europe/Helsinki"]
    for n, member in enumerate(staff[: STAFF // 2]):
        scheduling.set_availability(
            Actor.of(member),
            member,
            timezone_name=zones[n % 3],
            weekly=[scheduling.WeeklyIn(d, "08:30", "12:30") for d in range(1, 6)]
            + [scheduling.WeeklyIn(d, "13:30", "17:30") for d in range(1, 5)],
            time_off=[
                scheduling.TimeOffIn(
                    first + timedelta(days=n % 20), first + timedelta(days=n % 20 + 2)
                )
            ],
        )
    # 2,000 meetings spread over the 4 weeks, 40 per staff member, inside working time.
    madrid = ZoneInfo("Europe/Madrid")
    rows = []
    for n in range(MEETINGS):
        member = staff[n % STAFF]
        k = n // STAFF
        day = first + timedelta(days=(k * 5) % DAYS)
        starts = datetime.combine(day, clock(9 + k % 8, 30 * (k % 2)), tzinfo=madrid)
        rows.append(
            BusyInterval(
                staff=member,
                kind="session",
                meeting_id=n + 1,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=60),
            )
        )
    BusyInterval.objects.bulk_create(rows, ignore_conflicts=True)
    last = first + timedelta(days=DAYS - 1)
    timings = []
    slots = []
    for _ in range(RUNS):
        began = time.perf_counter()
        slots = free_slots(contract, type_code="kickoff", first=first, last=last)
        timings.append(time.perf_counter() - began)
    with CaptureQueriesContext(connection) as queries:
        free_slots(contract, type_code="kickoff", first=first, last=last)
    return statistics.median(timings), max(timings), len(queries), len(slots)


def race_bench(pairs: int) -> tuple[Counter[str], int]:
    from decimal import Decimal

    from django.db import connection, connections

    from successkit.accounts.actors import Actor
    from successkit.accounts.roles import Role
    from successkit.billing.models import HourlyRate
    from successkit.core.errors import SuccessKitError
    from successkit.engagements.services import book_session
    from successkit.factories import ContractFactory, StaffFactory

    HourlyRate.objects.get_or_create(
        currency="EUR", effective_from=date(2000, 1, 1), defaults={"hourly_rate": Decimal("150")}
    )
    staff = StaffFactory(roles=[Role.CSM])
    actor = Actor.of(staff)
    start = date.today() - timedelta(days=10)
    contracts = [
        ContractFactory(
            start_date=start, end_date=start + timedelta(days=364), representative=staff
        )
        for _ in range(2)
    ]
    base = datetime.combine(start + timedelta(days=20), clock(0), tzinfo=ZoneInfo("UTC"))
    outcomes: Counter[str] = Counter()

    def book(contract, starts_at: datetime, barrier: threading.Barrier, out: list[str]) -> None:
        try:
            barrier.wait()
            # Billable additional training (accepted): never refused for the pool.
            book_session(
                actor,
                contract,
                type_code="additional_training",
                starts_at=starts_at,
                duration_minutes=60,
                staff_id=staff.pk,
                accept_billable=True,
            )
            out.append("booked")
        except SuccessKitError as refusal:
            out.append(refusal.code)
        finally:
            connection.close()

    for n in range(pairs):
        slot = base + timedelta(hours=2 * n)
        barrier = threading.Barrier(2)
        out: list[str] = []
        threads = [
            threading.Thread(target=book, args=(contracts[0], slot, barrier, out)),
            threading.Thread(
                target=book, args=(contracts[1], slot + timedelta(minutes=30), barrier, out)
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outcomes[" + ".join(sorted(out))] += 1
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM scheduling_busyinterval a JOIN scheduling_busyinterval b "
            "ON a.staff_id = b.staff_id AND a.id < b.id AND a.live AND b.live "
            "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
        )
        overlaps = cursor.fetchone()[0]
    return outcomes, overlaps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pairs", type=int, default=1000)
    options = parser.parse_args()
    _env, pg_name = setup_environment(options.database)
    try:
        django_setup()
        median, worst, queries, count = slot_bench()
        outcomes, overlaps = race_bench(options.pairs)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(pg_name)
    print(f"database: {options.database}")
    print(
        f"(a) slots, one contract, {DAYS} days, {STAFF} eligible staff, {MEETINGS:,} meetings: "
        f"median {median * 1000:.1f} ms, worst {worst * 1000:.1f} ms of {RUNS}, "
        f"{queries} queries, {count} slots  (goal < 50 ms)"
    )
    print(
        f"(b) {options.pairs} raced pairs: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()))
        + f"; overlapping live meetings: {overlaps}  (goal 0)"
    )


if __name__ == "__main__":
    main()
