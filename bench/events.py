"""Benchmark of the event path (issue 13). Run by hand; prints its figures.

    .venv/bin/python bench/events.py [--database sqlite|postgresql] [--messages 1000]
                                     [--bookings 40]

(1) outbox throughput: messages/s delivered to a local SMTP server (aiosmtpd, in this
    process) by 1 and by 2 `successkit worker` processes, from the commit of N queued
    messages to the last one accepted by the server;
(2) delay from a booking's commit to its first message accepted by the SMTP server
    (p50, p95), one worker running with its default poll interval.

Everything runs on loopback in a throw-away data directory (SQLite) or a throw-away
PostgreSQL database, and stops by itself.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.run import SUCCESSKIT, drop_database, free_port, setup_environment


class Server:
    """An aiosmtpd server that notes when each message arrived."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.arrived: dict[int, float] = {}
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        match = re.search(rb"Message-ID: <mail-(\d+)-", envelope.content)
        if match:
            with self.lock:
                self.arrived.setdefault(int(match.group(1)), now)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 600) -> float:
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.arrived) >= count:
                    return max(self.arrived.values())
            time.sleep(0.01)
        raise TimeoutError(f"{len(self.arrived)} of {count} messages arrived")


def workers(count: int, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [SUCCESSKIT, "worker", "--no-sweeps", "--worker-id", f"bench-{i}"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for i in range(count)
    ]


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def queue_messages(count: int, staff: Any, tag: str) -> float:
    """Write ``count`` messages in one transaction; the instant of its commit."""
    from django.db import transaction

    from successkit.notifications.mail import Letter, write

    with transaction.atomic():
        for i in range(count):
            write(
                staff,
                key=f"bench:{tag}:{i}",
                letter=lambda i=i: Letter(
                    subject=f"Bench {tag} {i}", heading="Bench", paragraphs=["x" * 200]
                ),
            )
    return time.time()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--bookings", type=int, default=40)
    args = parser.parse_args()

    env, pg_name = setup_environment(args.database)
    server = Server()
    env["SUCCESSKIT_EMAIL_URL"] = f"smtp://127.0.0.1:{server.port}"
    os.environ.update(env)
    try:
        subprocess.run([SUCCESSKIT, "migrate", "-v", "0"], env=env, check=True)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "successkit.settings")
        import django

        django.setup()
        from datetime import timedelta

        from django.utils import timezone

        from successkit.accounts.actors import Actor
        from successkit.engagements.services import book_session
        from successkit.factories import ContractFactory, StaffFactory

        staff = StaffFactory(roles=["admin"])
        print(f"database: {args.database}")

        for count in (1, 2):
            before = len(server.arrived)
            running = workers(count, env)
            time.sleep(3)  # the workers are up and idle
            committed = queue_messages(args.messages, staff, f"w{count}")
            last = server.wait_for(before + args.messages)
            stop(running)
            rate = args.messages / (last - committed)
            print(
                f"throughput, {count} worker(s): {rate:.0f} messages/s "
                f"({args.messages} in {last - committed:.2f} s)"
            )

        from successkit.notifications.models import Mail

        running = workers(1, env)
        time.sleep(3)
        delays = []
        for i in range(args.bookings):
            contract = ContractFactory(start_date=timezone.localdate() - timedelta(days=9))
            starts = timezone.now() + timedelta(days=5, hours=i)
            session = book_session(
                Actor.of(contract.representative),
                contract,
                type_code="kickoff",
                starts_at=starts,
                duration_minutes=60,
            )
            committed = time.time()  # book_session is one transaction: committed on return
            deadline = time.time() + 60
            arrival = None
            while arrival is None and time.time() < deadline:
                ids = list(
                    Mail.objects.filter(
                        event__subject="engagements.trainingsession", event__subject_id=session.pk
                    ).values_list("pk", flat=True)
                )
                with server.lock:
                    times = [server.arrived[pk] for pk in ids if pk in server.arrived]
                if times:
                    arrival = min(times)
                else:
                    time.sleep(0.005)
            assert arrival is not None, "no message arrived within 60 s"
            delays.append(arrival - committed)
            time.sleep(0.2)
        stop(running)
        delays.sort()
        p50 = statistics.median(delays)
        p95 = delays[max(0, round(0.95 * len(delays)) - 1)]
        print(
            f"booking commit -> SMTP accepted, {len(delays)} bookings, 1 worker "
            f"(poll 0.5 s): p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
        )
    finally:
        server.controller.stop()
        from django.db import connections

        connections.close_all()
        drop_database(pg_name)


if __name__ == "__main__":
    main()
