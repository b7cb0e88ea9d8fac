"""Several workers against one database: every message is delivered exactly once.

Meaningful on PostgreSQL (row locks, SKIP LOCKED); on SQLite the database's write lock
serializes the claims and the same test must hold too."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from successkit.accounts.actors import Actor
from successkit.conftest import race
from successkit.engagements.services import book_session
from successkit.engagements.tests.helpers import contract_starting, on_day
from successkit.notifications.models import DeliveryStatus, Mail
from successkit.notifications.tests.conftest import Mailbox

pytestmark = pytest.mark.django_db(transaction=True)


def worker() -> None:
    call_command("worker", "--once", "--no-sweeps", verbosity=0)


def test_two_workers_racing_deliver_each_message_exactly_once(smtp: Mailbox) -> None:
    contracts = [contract_starting(timezone.localdate() - timedelta(days=9)) for _ in range(6)]
    for contract in contracts:
        actor = Actor.of(contract.representative)
        for day, kind in ((20, "kickoff"), (21, "software_training")):
            book_session(
                actor,
                contract,
                type_code=kind,
                starts_at=on_day(contract, day),
                duration_minutes=60,
                platforms=["teams"] if kind == "software_training" else None,
            )

    race([worker, worker])

    mails = Mail.objects.all()
    assert mails.count() == 24  # 12 bookings x (counterpart + staff)
    assert set(mails.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
    received = Counter(m["Message-ID"] for m in smtp.received)
    assert len(received) == 24
    assert set(received.values()) == {1}
    if connection.vendor == "postgresql":  # both workers really took part
        workers = {
            tuple(ids)
            for ids in DBTaskResult.objects.filter(task_path__endswith="deliver_mail").values_list(
                "worker_ids", flat=True
            )
        }
        assert len(workers) == 2
