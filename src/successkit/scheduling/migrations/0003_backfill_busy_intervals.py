"""Meetings booked before staff calendars existed take their staff member's time too.

Every session still booked and every health check still scheduled that ends after now
gets the busy interval the services would have written (a session: its booked minutes; a
check: its package's health-check minutes), so a new booking can no longer land on top of
it. Two such meetings of one person that already overlap cannot both hold the time (the
PostgreSQL exclusion constraint): the later one is written as not holding it and named in
the migration's output, for a person to move.
"""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    BusyInterval = apps.get_model("scheduling", "BusyInterval")
    TrainingSession = apps.get_model("engagements", "TrainingSession")
    HealthCheck = apps.get_model("healthchecks", "HealthCheck")
    now = timezone.now()
    held = set(BusyInterval.objects.values_list("kind", "meeting_id"))
    wanted = []
    sessions = TrainingSession.objects.filter(
        status="booked", staff__isnull=False, starts_at__gt=now - timedelta(days=1)
    )
    for session in sessions.iterator():
        ends_at = session.starts_at + timedelta(minutes=session.duration_minutes)
        if ("session", session.pk) not in held and ends_at > now:
            wanted.append((session.staff_id, "session", session.pk, session.starts_at, ends_at))
    checks = HealthCheck.objects.filter(
        state="scheduled", staff__isnull=False, scheduled_for__isnull=False
    ).select_related("contract__package")
    for check in checks.iterator():
        minutes = check.contract.package.health_check_minutes or 60
        ends_at = check.scheduled_for + timedelta(minutes=minutes)
        if ("health_check", check.pk) not in held and ends_at > now:
            wanted.append((check.staff_id, "health_check", check.pk, check.scheduled_for, ends_at))
    live_ends = {}
    for staff_id, starts_at, ends_at in BusyInterval.objects.filter(
        live=True, ends_at__gt=now
    ).values_list("staff_id", "starts_at", "ends_at"):
        live_ends.setdefault(staff_id, []).append((starts_at, ends_at))
    rows = []
    for staff_id, kind, meeting_id, starts_at, ends_at in sorted(wanted, key=lambda w: w[3]):
        taken = live_ends.setdefault(staff_id, [])
        live = not any(start < ends_at and starts_at < end for start, end in taken)
        if live:
            taken.append((starts_at, ends_at))
        else:
            print(f"\n  double-booked: staff {staff_id}, {kind} {meeting_id} at {starts_at}")
        rows.append(
            BusyInterval(
                staff_id=staff_id,
                kind=kind,
                meeting_id=meeting_id,
                starts_at=starts_at,
                ends_at=ends_at,
                live=live,
            )
        )
    BusyInterval.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0002_no_double_booking"),
        ("engagements", "0004_billableacceptance"),
        ("healthchecks", "0004_revised_period_rule"),
        ("catalog", "0002_scheduling_terms"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
