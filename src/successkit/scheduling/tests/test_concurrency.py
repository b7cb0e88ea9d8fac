"""Two bookings of one staff member that really race: threads with their own database
connections, released together (SQLite and PostgreSQL). Exactly one wins; the staff
member is never in two meetings at once."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.conftest import race
from successkit.core.errors import SuccessKitError
from successkit.engagements import services as engagements
from successkit.engagements.models import TrainingSession
from successkit.factories import ContractFactory, StaffFactory
from successkit.healthchecks.models import HealthCheck
from successkit.healthchecks.services import schedule_health_check
from successkit.scheduling.models import BusyInterval
from successkit.scheduling.tests.helpers import local

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3
DAY = date(2027, 3, 3)


def outcome(call: Callable[[], object]) -> Callable[[], str]:
    def run() -> str:
        try:
            call()
        except SuccessKitError as refusal:
            return refusal.code
        return "ok"

    return run


def booking(contract, staff, starts_at: datetime, kind: str = "kickoff") -> Callable[[], str]:
    actor = Actor.of(staff)
    return outcome(
        lambda: engagements.book_session(
            actor,
            contract,
            type_code=kind,
            starts_at=starts_at,
            duration_minutes=60,
            staff_id=staff.pk,
        )
    )


def overlaps_of(staff) -> int:
    rows = list(BusyInterval.objects.filter(staff=staff, live=True).order_by("starts_at"))
    return sum(1 for a, b in itertools.pairwise(rows) if b.starts_at < a.ends_at)


def two_contracts(staff):
    return [
        ContractFactory(
            start_date=date(2027, 1, 1), end_date=date(2027, 12, 31), representative=staff
        )
        for _ in range(2)
    ]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_contracts_booking_one_staff_member_at_once_book_once(round_: int) -> None:
    staff = StaffFactory(roles=[Role.CSM])
    first, second = two_contracts(staff)  # two pools: nothing but scheduling serializes them
    results = race(
        [booking(first, staff, local(DAY, 10)), booking(second, staff, local(DAY, 10, 30))]
    )
    assert sorted(results) == ["ok", "staff_busy"]
    assert TrainingSession.objects.filter(staff=staff).count() == 1
    assert BusyInterval.objects.filter(staff=staff).count() == 1
    assert overlaps_of(staff) == 0


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_health_check_and_a_session_racing_for_one_staff_member(round_: int) -> None:
    staff = StaffFactory(roles=[Role.CSM])
    contract, other = two_contracts(staff)
    check = HealthCheck.objects.filter(contract=other).order_by("period_index").first()
    when = local(check.period_start + timedelta(days=1), 10)
    schedule = outcome(
        lambda: schedule_health_check(
            Actor.of(staff), check, scheduled_for=when + timedelta(minutes=30), staff_id=staff.pk
        )
    )
    results = race([booking(contract, staff, when), schedule])
    assert sorted(results) == ["ok", "staff_busy"]
    assert BusyInterval.objects.filter(staff=staff, live=True).count() == 1
    assert overlaps_of(staff) == 0


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_moves_into_one_slot_move_once(round_: int) -> None:
    staff = StaffFactory(roles=[Role.CSM])
    first, second = two_contracts(staff)
    assert booking(first, staff, local(DAY, 9))() == "ok"
    assert booking(second, staff, local(DAY, 12))() == "ok"
    actor = Actor.of(staff)
    moves = [
        outcome(lambda s=s: engagements.move_session(actor, s, starts_at=local(DAY, 15)))
        for s in TrainingSession.objects.filter(staff=staff)
    ]
    assert sorted(race(moves)) == ["ok", "staff_busy"]
    starts = sorted(s.starts_at for s in TrainingSession.objects.filter(staff=staff))
    assert local(DAY, 15) in starts and len(starts) == 2
    assert overlaps_of(staff) == 0


def test_the_database_itself_refuses_overlapping_live_meetings_on_postgresql() -> None:
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no exclusion constraint: the services check under its lock")
    staff = StaffFactory(roles=[Role.CSM])
    start = local(DAY, 10)
    BusyInterval.objects.create(
        staff=staff,
        kind="session",
        meeting_id=1,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        BusyInterval.objects.create(
            staff=staff,
            kind="session",
            meeting_id=2,
            starts_at=start + timedelta(minutes=59),
            ends_at=start + timedelta(hours=2),
        )
    # Back to back, cancelled, or another staff member: allowed.
    BusyInterval.objects.create(
        staff=staff,
        kind="session",
        meeting_id=3,
        starts_at=start + timedelta(hours=1),
        ends_at=start + timedelta(hours=2),
    )
    BusyInterval.objects.create(
        staff=staff,
        kind="session",
        meeting_id=4,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        live=False,
    )
    BusyInterval.objects.create(
        staff=StaffFactory(),
        kind="session",
        meeting_id=5,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    assert BusyInterval.objects.count() == 4
