"""Meetings from before staff calendars existed get their busy time on migration
(scheduling 0003), so nothing can be booked on top of them afterwards."""

from __future__ import annotations

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.engagements import services as engagements
from successkit.engagements.models import TrainingSession
from successkit.factories import ContractFactory, StaffFactory
from successkit.scheduling.errors import StaffBusy
from successkit.scheduling.models import BusyInterval
from successkit.scheduling.tests.helpers import local

pytestmark = pytest.mark.django_db

DAY = date(2027, 3, 3)
backfill = importlib.import_module(
    "successkit.scheduling.migrations.0003_backfill_busy_intervals"
).backfill


def booked(contract, staff, hour: int, minute: int = 0) -> TrainingSession:
    return engagements.book_session(
        Actor.of(staff),
        contract,
        type_code="implementation",
        starts_at=local(DAY, hour, minute),
        duration_minutes=60,
        staff_id=staff.pk,
    )


def test_booked_sessions_without_busy_time_get_it_and_new_bookings_respect_it() -> None:
    staff = StaffFactory(roles=[Role.CSM])
    contract = ContractFactory(
        start_date=date(2027, 1, 1), end_date=date(2027, 12, 31), representative=staff
    )
    first, second = booked(contract, staff, 10), booked(contract, staff, 12)
    BusyInterval.objects.all().delete()  # as written before calendars existed

    backfill(apps, None)

    rows = {row.meeting_id: row for row in BusyInterval.objects.all()}
    assert set(rows) == {first.pk, second.pk}
    assert rows[first.pk].starts_at == local(DAY, 10)
    assert rows[first.pk].ends_at == local(DAY, 11)
    assert all(row.live and row.staff_id == staff.pk for row in rows.values())
    with pytest.raises(StaffBusy):
        booked(contract, staff, 10, 30)


def test_meetings_that_already_overlap_keep_one_holding_the_time_and_nothing_else_changes(
    capsys,
) -> None:
    staff = StaffFactory(roles=[Role.CSM])
    contract = ContractFactory(
        start_date=date(2027, 1, 1), end_date=date(2027, 12, 31), representative=staff
    )
    first = booked(contract, staff, 10)
    BusyInterval.objects.all().delete()
    second = booked(contract, staff, 10, 30)  # only possible with the first's time missing
    BusyInterval.objects.filter(meeting_id=second.pk).delete()

    backfill(apps, None)

    live = dict(BusyInterval.objects.values_list("meeting_id", "live"))
    assert live == {first.pk: True, second.pk: False}
    assert f"session {second.pk}" in capsys.readouterr().out
    backfill(apps, None)  # again: nothing to add
    assert BusyInterval.objects.count() == 2


def test_cancelled_and_past_sessions_take_no_time() -> None:
    staff = StaffFactory(roles=[Role.CSM])
    contract = ContractFactory(
        start_date=date(2027, 1, 1), end_date=date(2027, 12, 31), representative=staff
    )
    session = booked(contract, staff, 10)
    TrainingSession.objects.filter(pk=session.pk).update(status="cancelled")
    BusyInterval.objects.all().delete()
    backfill(apps, None)
    assert not BusyInterval.objects.exists()
    TrainingSession.objects.filter(pk=session.pk).update(
        status="booked", starts_at=local(DAY, 10) - timedelta(days=3650)
    )
    backfill(apps, None)
    assert not BusyInterval.objects.exists()
