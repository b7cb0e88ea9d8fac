"""Staff availability, the time their meetings take, and their calendar feed (SPEC.md §9).

The apps that book (engagements, healthchecks) call ``check_time`` before they decide and
``occupy``/``release`` when they write, inside their own transaction; this app never
imports them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, OperationalError, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import User
from successkit.accounts.roles import Role
from successkit.core.compiled import CompiledInsert, statement_cursor
from successkit.core.errors import InvalidFields, NotFound, PermissionDenied, ValidationFailed
from successkit.scheduling import rules
from successkit.scheduling.errors import StaffBusy, StaffUnavailable
from successkit.scheduling.models import (
    Availability,
    BusyInterval,
    CalendarFeed,
    TimeOff,
    WorkingHours,
)
from successkit.scheduling.rules import Interval, MeetingKind, Unavailable


@dataclass(frozen=True)
class WeeklyIn:
    weekday: int
    start: str
    end: str


def working_hours_zone(user: User) -> str | None:
    """The zone of a staff member's working hours, read from the row loaded with them (a
    page's user, ``accounts.backends``); None when they have set none."""
    try:
        availability = user.availability
    except ObjectDoesNotExist:
        return None
    return availability.timezone or None


@dataclass(frozen=True)
class TimeOffIn:
    start_date: date
    end_date: date


# --- who may see and set a staff member's time ----------------------------------------------


def staff_member(actor: Actor, staff_id: int) -> User:
    """A staff member, for staff; a buyer contact finds nobody (``not_found``)."""
    if not actor.is_staff:
        raise NotFound()
    staff = User.objects.filter(pk=staff_id, is_staff=True).first()
    if staff is None:
        raise NotFound()
    return staff


def may_set_time(actor: Actor, staff: User) -> bool:
    """Whether ``actor`` may set ``staff``'s hours and see their calendar feed: themself
    or an admin."""
    return actor.user.pk == staff.pk or actor.has_role(Role.ADMIN)


def _require_self_or_admin(actor: Actor, staff: User) -> None:
    if not may_set_time(actor, staff):
        raise PermissionDenied(_("Only the staff member themself or an admin may do this."))


# --- availability ---------------------------------------------------------------------------


def availability(staff: User, fallback_timezone: str | None = None) -> rules.Availability:
    """What ``staff`` set, or nothing set (in ``fallback_timezone``, default UTC)."""
    return availabilities([staff.pk], fallback_timezone)[staff.pk]


def availabilities(
    staff_ids: Iterable[int], fallback_timezone: str | None = None
) -> dict[int, rules.Availability]:
    """Each staff member's availability in two queries, whatever their number. Someone who
    set nothing is in ``fallback_timezone`` (the buyer's, when booking)."""
    ids = list(staff_ids)
    rows = Availability.objects.filter(staff_id__in=ids).prefetch_related("weekly", "time_off")
    found = {row.staff_id: row.value() for row in rows}
    fallback = rules.Availability(timezone=fallback_timezone or settings.TIME_ZONE)
    return {staff_id: found.get(staff_id, fallback) for staff_id in ids}


def _weekly(entries: Sequence[WeeklyIn]) -> list[rules.WeeklyHours | None]:
    parsed: list[rules.WeeklyHours | None] = []
    problems = []
    for index, entry in enumerate(entries):
        start = rules.parse_clock(entry.start)
        end = rules.parse_clock(entry.end, end=True)
        if start is None:
            problems.append(f"weekly.{index}.start")
        if end is None:
            problems.append(f"weekly.{index}.end")
        parsed.append(
            rules.WeeklyHours(entry.weekday, start, end)
            if start is not None and end is not None
            else None
        )
    if problems:
        raise _invalid(problems[0], _("Times are written HH:MM, from 00:00 to 24:00."))
    return parsed


_PROBLEMS = {
    "too_many": _("Too many entries."),
    "weekday": _("The weekday is a number from 1 (Monday) to 7 (Sunday)."),
    "end_before_start": _("The end must come after the start."),
    "out_of_range": _("Dates run from 2000-01-01 to 2100-12-31."),
    "too_long": _("A period of time off lasts at most a year; split it."),
}


def _invalid(field: str, message: object) -> ValidationFailed:
    return InvalidFields([{"field": field, "message": str(message)}])


@transaction.atomic
def set_availability(
    actor: Actor,
    staff: User,
    *,
    timezone_name: str,
    weekly: Sequence[WeeklyIn],
    time_off: Sequence[TimeOffIn],
) -> rules.Availability:
    """Replace a staff member's time zone, weekly hours and time off (themself or an
    admin). Meetings already booked stay where they are."""
    _require_self_or_admin(actor, staff)
    if not rules.timezone_is_valid(timezone_name):
        raise _invalid("timezone", _("Not a time zone name such as Europe/Madrid."))
    hours = _weekly(weekly)
    days_off = [rules.TimeOff(entry.start_date, entry.end_date) for entry in time_off]
    problems = rules.weekly_problems(hours) + rules.time_off_problems(days_off)
    if problems:
        first = problems[0]
        if first.reason.startswith("overlaps:"):
            message: object = _("Working hours of one weekday must not overlap.")
        else:
            message = _PROBLEMS[first.reason]
        raise _invalid(first.field, message)
    row, _created = Availability.objects.update_or_create(
        staff=staff, defaults={"timezone": timezone_name, "updated_by": actor.user}
    )
    row.weekly.all().delete()
    row.time_off.all().delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(availability=row, weekday=h.weekday, start_minute=h.start, end_minute=h.end)
        for h in sorted((h for h in hours if h is not None), key=lambda h: (h.weekday, h.start))
    )
    TimeOff.objects.bulk_create(
        TimeOff(availability=row, start_date=off.start, end_date=off.end)
        for off in sorted(days_off, key=lambda off: (off.start, off.end))
    )
    return availability(staff)


# --- the time meetings take -----------------------------------------------------------------


@cache
def _overlap_statement() -> str:
    """Whether a live interval of the staff member overlaps [start, end), other than the
    meeting's own: the check of every booking, written once (no ORM compilation)."""
    return (
        f'SELECT 1 FROM "{BusyInterval._meta.db_table}" WHERE "staff_id" = %s AND "live" '
        'AND "starts_at" < %s AND "ends_at" > %s '
        'AND NOT ("kind" = %s AND "meeting_id" = %s) LIMIT 1'
    )


def _overlapping(
    staff: User, start: datetime, end: datetime, kind: MeetingKind, meeting_id: int | None
) -> bool:
    alias = router.db_for_read(BusyInterval)
    db = connections[alias]
    params = [
        staff.pk,
        db.ops.adapt_datetimefield_value(end),
        db.ops.adapt_datetimefield_value(start),
        kind.value if meeting_id is not None else "",
        meeting_id if meeting_id is not None else 0,  # no meeting has id 0
    ]
    with statement_cursor(db) as cursor:
        cursor.execute(_overlap_statement(), params)
        return cursor.fetchone() is not None


def _busy(staff: User, field: str) -> StaffBusy:
    return StaffBusy(
        _("%(name)s already has another meeting at that time."),
        details={"field": field},
        name=staff.name or staff.email,
    )


_UNAVAILABLE = {
    Unavailable.TOO_SOON: _("Meetings are booked at least %(hours)s hours ahead."),
    Unavailable.TIME_OFF: _("%(name)s is off at that time; pick another day."),
    Unavailable.OUTSIDE_HOURS: _(
        "That time is outside %(name)s's working hours; pick one of the free slots."
    ),
}


def check_time(
    staff: User,
    starts_at: datetime,
    minutes: int,
    *,
    by_buyer: bool,
    notice_hours: int,
    fallback_timezone: str,
    kind: MeetingKind,
    meeting_id: int | None = None,
    field: str = "starts_at",
) -> None:
    """Refuse a meeting of ``staff`` at ``starts_at``: over another of their meetings
    (``staff_busy``, for everyone), or — booked by a buyer contact — outside their working
    hours, on their time off or without the notice (``staff_unavailable``). ``meeting_id``
    names the meeting being moved, which does not collide with itself."""
    ends_at = starts_at + timedelta(minutes=minutes)
    if by_buyer:
        reason = rules.unavailable_for_buyer(
            availability(staff, fallback_timezone),
            (starts_at, ends_at),
            timezone.now(),
            timedelta(hours=notice_hours),
        )
        if reason is not None:
            raise StaffUnavailable(
                _UNAVAILABLE[reason],
                details={"field": field, "reason": reason.value},
                name=staff.name or staff.email,
                hours=notice_hours,
            )
    if _overlapping(staff, starts_at, ends_at, kind, meeting_id):
        raise _busy(staff, field)


DEADLOCK_DETECTED = "40P01"


# The interval every booking writes, its INSERT compiled once (core/compiled.py).
_INSERT_INTERVAL: CompiledInsert[BusyInterval] = CompiledInsert(BusyInterval)


def occupy(
    staff: User,
    kind: MeetingKind,
    meeting_id: int,
    starts_at: datetime,
    minutes: int,
    *,
    field: str = "starts_at",
    new: bool = False,
    checked: bool = False,
) -> None:
    """Record that the meeting takes this time of ``staff`` (again, when it moved). Call
    it inside the booking's transaction: a collision refuses the whole booking
    (``staff_busy``). The check runs under SQLite's write lock; on PostgreSQL the
    exclusion constraint also settles two transactions that checked at the same moment.

    ``new``: the meeting was created in this transaction (it has no interval yet: one
    INSERT). ``checked``: the caller has just run ``check_time`` for this very time in
    this transaction (the overlap is not looked up again; the constraint still holds)."""
    ends_at = starts_at + timedelta(minutes=minutes)
    if not checked and _overlapping(staff, starts_at, ends_at, kind, meeting_id):
        raise _busy(staff, field)
    values = {"staff": staff, "starts_at": starts_at, "ends_at": ends_at, "live": True}
    try:
        # No savepoint: a collision refuses the caller's whole operation, whose own
        # transaction (or savepoint) rolls back; nothing here goes on after one.
        with transaction.atomic(savepoint=False):
            if new or not (
                BusyInterval.objects.filter(kind=kind.value, meeting_id=meeting_id).update(**values)
            ):
                _INSERT_INTERVAL.insert(
                    BusyInterval(kind=kind.value, meeting_id=meeting_id, **values)
                )
    except IntegrityError:
        raise _busy(staff, field) from None
    except OperationalError as error:
        # Two overlapping meetings of one person written at the same moment can each wait
        # for the other on the exclusion constraint; PostgreSQL then aborts one of them
        # (deadlock_detected, SQLSTATE 40P01). That one lost the time: staff_busy, not a 500.
        if getattr(error.__cause__, "sqlstate", None) != DEADLOCK_DETECTED:
            raise
        raise _busy(staff, field) from None


def release(kind: MeetingKind, meeting_id: int) -> None:
    """The meeting no longer takes its staff member's time (cancelled, or held elsewhere)."""
    BusyInterval.objects.filter(kind=kind.value, meeting_id=meeting_id).update(live=False)


def busy_between(
    staff_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, list[Interval]]:
    """Each staff member's live meetings overlapping [start, end), merged, in one query."""
    found: dict[int, list[Interval]] = {}
    rows = (
        BusyInterval.objects.filter(
            staff_id__in=list(staff_ids), live=True, starts_at__lt=end, ends_at__gt=start
        )
        .order_by()
        .values_list("staff_id", "starts_at", "ends_at")
    )
    for staff_id, low, high in rows:
        found.setdefault(staff_id, []).append((low, high))
    return {staff_id: rules.merged(intervals) for staff_id, intervals in found.items()}


# --- the calendar feed ----------------------------------------------------------------------


def _feed_token(feed: CalendarFeed) -> str:
    message = f"calendar-feed:{feed.staff_id}:{feed.key}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


@transaction.atomic
def calendar_feed_token(actor: Actor, staff: User, *, rotate: bool = False) -> str:
    """The secret of ``staff``'s calendar subscription (themself or an admin); ``rotate``
    issues a new one and revokes the old."""
    _require_self_or_admin(actor, staff)
    feed = CalendarFeed.objects.select_for_update().filter(staff=staff).first()
    if feed is None:
        feed = CalendarFeed.objects.create(staff=staff, key=secrets.token_hex(16))
    elif rotate:
        feed.key = secrets.token_hex(16)
        feed.save(update_fields=["key", "rotated_at"])
    return _feed_token(feed)


def staff_for_feed(staff_id: int, token: str) -> User | None:
    """The staff member whose feed ``token`` opens, or None (wrong, revoked, inactive)."""
    feed = (
        CalendarFeed.objects.select_related("staff")
        .filter(staff_id=staff_id, staff__is_active=True, staff__is_staff=True)
        .first()
    )
    if feed is None or not hmac.compare_digest(_feed_token(feed), token):
        return None
    return feed.staff


@dataclass(frozen=True)
class Meeting:
    kind: MeetingKind
    meeting_id: int
    starts_at: datetime
    ends_at: datetime


def live_meetings(staff: User, since: datetime) -> list[Meeting]:
    """The meetings holding ``staff``'s time that end after ``since``, in order."""
    rows = (
        BusyInterval.objects.filter(staff=staff, live=True, ends_at__gt=since)
        .order_by("starts_at", "id")
        .values_list("kind", "meeting_id", "starts_at", "ends_at")
    )
    return [
        Meeting(MeetingKind(kind), meeting_id, low, high) for kind, meeting_id, low, high in rows
    ]
