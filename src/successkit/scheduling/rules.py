"""When a staff member works and when they are busy (SPEC.md §9): weekly working hours in
their own time zone, time off, and the start times left free for a meeting.

Pure values: instants are aware ``datetime``s, intervals are half-open ``[start, end)``,
every list of intervals is sorted and its members do not overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo, available_timezones

Interval = tuple[datetime, datetime]
# Instants, or whole seconds since the epoch where speed matters (slots).
Point = TypeVar("Point", datetime, int)

DAY_MINUTES = 24 * 60
# Slots start on the half hour of the buyer's wall clock.
SLOT_STEP_MINUTES = 30
# What a staff member who set no working hours is offered at: Monday-Friday 09:00-17:00 in
# their zone (SPEC.md §9); for booking they are available at any time.
DEFAULT_DAY = (9 * 60, 17 * 60)
# Bounds of the input (SPEC.md §8): a week has at most this many intervals, a staff member
# at most this many time-off ranges, each at most a year long; a slot query spans at most
# this many days.
MAX_WEEKLY = 35
MAX_TIME_OFF = 100
MAX_TIME_OFF_DAYS = 366
MAX_SLOT_DAYS = 42
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)


class MeetingKind(StrEnum):
    """What occupies a staff member: a training session or a scheduled health check."""

    SESSION = "session"
    HEALTH_CHECK = "health_check"


class Unavailable(StrEnum):
    """Why a buyer may not book a staff member at a time (``staff_unavailable``)."""

    TOO_SOON = "too_soon"
    TIME_OFF = "time_off"
    OUTSIDE_HOURS = "outside_hours"


@dataclass(frozen=True)
class WeeklyHours:
    """Working hours on one weekday (1 Monday … 7 Sunday), in minutes after midnight of
    the staff member's wall clock; ``end`` may be 1440 (midnight that ends the day)."""

    weekday: int
    start: int
    end: int


@dataclass(frozen=True)
class TimeOff:
    """Days off, ``start`` through ``end`` inclusive, in the staff member's zone."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Availability:
    timezone: str
    weekly: tuple[WeeklyHours, ...] = ()
    time_off: tuple[TimeOff, ...] = ()

    @property
    def has_hours(self) -> bool:
        return bool(self.weekly)

    @property
    def offered_weekly(self) -> tuple[WeeklyHours, ...]:
        """The hours slots are offered in: the staff member's own, or the default."""
        return self.weekly or DEFAULT_WEEKLY

    def off_on(self, day: date) -> bool:
        return any(day in off for off in self.time_off)


DEFAULT_WEEKLY = tuple(WeeklyHours(weekday, *DEFAULT_DAY) for weekday in range(1, 6))


# --- reading the input ----------------------------------------------------------------------


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def timezone_is_valid(name: str) -> bool:
    return name in known_timezones()


# The regions of the tz database's zones named for places ("Europe/Madrid"). The rest of
# ``available_timezones()`` are aliases kept for old systems ("GB", "US/Eastern",
# "EST5EDT", "Etc/GMT+5": a sign opposite to what people expect, "GMT+0") or no place at
# all ("localtime", "Factory"): valid, but not what anyone picks from a list.
ZONE_REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)


@cache
def selectable_timezones() -> tuple[str, ...]:
    """The zones offered to pick from, sorted: every zone of a region, and UTC."""
    return tuple(
        sorted(
            name
            for name in known_timezones()
            if name == "UTC" or name.split("/", 1)[0] in ZONE_REGIONS
        )
    )


def parse_clock(text: str, *, end: bool = False) -> int | None:
    """``"HH:MM"`` as minutes after midnight; ``"24:00"`` only as an end. None if invalid."""
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        return None
    hours, minutes = text[:2], text[3:]
    if not (hours.isdigit() and minutes.isdigit() and hours.isascii() and minutes.isascii()):
        return None
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > DAY_MINUTES or (value == DAY_MINUTES and not end):
        return None
    return value


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Problem:
    """A field of the input and what is wrong with it."""

    field: str
    reason: str


def weekly_problems(weekly: Sequence[WeeklyHours | None]) -> list[Problem]:
    """``None`` stands for an entry whose times did not parse (reported by the caller)."""
    problems = []
    if len(weekly) > MAX_WEEKLY:
        return [Problem("weekly", "too_many")]
    seen: dict[int, list[tuple[int, int, int]]] = {}
    for index, hours in enumerate(weekly):
        if hours is None:
            continue
        if not 1 <= hours.weekday <= 7:
            problems.append(Problem(f"weekly.{index}.weekday", "weekday"))
            continue
        if hours.end <= hours.start:
            problems.append(Problem(f"weekly.{index}.end", "end_before_start"))
            continue
        for start, end, other in seen.get(hours.weekday, []):
            if hours.start < end and start < hours.end:
                problems.append(Problem(f"weekly.{index}.start", f"overlaps:{other}"))
                break
        seen.setdefault(hours.weekday, []).append((hours.start, hours.end, index))
    return problems


def time_off_problems(time_off: Sequence[TimeOff]) -> list[Problem]:
    problems = []
    if len(time_off) > MAX_TIME_OFF:
        return [Problem("time_off", "too_many")]
    for index, off in enumerate(time_off):
        for name, day in (("start_date", off.start), ("end_date", off.end)):
            if not EARLIEST_DAY <= day <= LATEST_DAY:
                problems.append(Problem(f"time_off.{index}.{name}", "out_of_range"))
        if off.end < off.start:
            problems.append(Problem(f"time_off.{index}.end_date", "end_before_start"))
        elif (off.end - off.start).days + 1 > MAX_TIME_OFF_DAYS:
            problems.append(Problem(f"time_off.{index}.end_date", "too_long"))
    return problems


# --- intervals ------------------------------------------------------------------------------


def _at(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The instant of wall-clock ``minutes`` after midnight on ``day`` in ``zone``."""
    wall = datetime.combine(day, time(0), tzinfo=zone) + timedelta(minutes=minutes)
    # Adding to an aware datetime moves the wall clock; re-read it in the zone (DST).
    return datetime.combine(wall.date(), wall.time(), tzinfo=zone).astimezone(UTC)


def merged(intervals: Iterable[tuple[Point, Point]]) -> list[tuple[Point, Point]]:
    """Sorted, with touching or overlapping intervals joined."""
    result: list[tuple[Point, Point]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def _local_days(start: datetime, end: datetime, zone: ZoneInfo) -> list[date]:
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def working_intervals(
    weekly: Sequence[WeeklyHours], availability: Availability, start: datetime, end: datetime
) -> list[Interval]:
    """The instants inside ``weekly`` hours (wall clock in the staff member's zone, so
    right across daylight-saving changes), outside time off, clipped to [start, end)."""
    zone = ZoneInfo(availability.timezone)
    by_day: dict[int, list[WeeklyHours]] = {}
    for hours in weekly:
        by_day.setdefault(hours.weekday, []).append(hours)
    intervals = []
    for day in _local_days(start, end, zone):
        if availability.off_on(day):
            continue
        for hours in by_day.get(day.isoweekday(), ()):
            low, high = _at(day, hours.start, zone), _at(day, hours.end, zone)
            low, high = max(low, start), min(high, end)
            if low < high:
                intervals.append((low, high))
    return merged(intervals)


def time_off_intervals(
    availability: Availability, start: datetime, end: datetime
) -> list[Interval]:
    zone = ZoneInfo(availability.timezone)
    return merged(
        (_at(off.start, 0, zone), _at(off.end + timedelta(days=1), 0, zone))
        for off in availability.time_off
        if off.end >= start.astimezone(zone).date() - timedelta(days=1)
        and off.start <= end.astimezone(zone).date() + timedelta(days=1)
    )


def subtract(
    intervals: Sequence[tuple[Point, Point]], taken: Sequence[tuple[Point, Point]]
) -> list[tuple[Point, Point]]:
    """``intervals`` without ``taken`` (both sorted, neither overlapping itself)."""
    result: list[tuple[Point, Point]] = []
    index = 0
    for start, end in intervals:
        while index < len(taken) and taken[index][1] <= start:
            index += 1
        cursor = start
        scan = index
        while scan < len(taken) and taken[scan][0] < end:
            if taken[scan][0] > cursor:
                result.append((cursor, taken[scan][0]))
            cursor = max(cursor, taken[scan][1])
            scan += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def bookable_intervals(
    availability: Availability, start: datetime, end: datetime
) -> list[Interval]:
    """When a buyer may book the staff member: their working hours; without any, any time
    — in both cases outside time off."""
    if availability.has_hours:
        return working_intervals(availability.weekly, availability, start, end)
    return subtract([(start, end)], time_off_intervals(availability, start, end))


def offered_intervals(availability: Availability, start: datetime, end: datetime) -> list[Interval]:
    """Where slots are offered: the working hours, or the default ones."""
    return working_intervals(availability.offered_weekly, availability, start, end)


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def unavailable_for_buyer(
    availability: Availability, meeting: Interval, now: datetime, notice: timedelta
) -> Unavailable | None:
    """Why a buyer contact may not book ``meeting`` with this staff member, or None: the
    whole meeting inside one stretch of working hours, outside time off, with notice."""
    start, end = meeting
    if start < now + notice:
        return Unavailable.TOO_SOON
    if any(overlaps(meeting, off) for off in time_off_intervals(availability, start, end)):
        return Unavailable.TIME_OFF
    bookable = bookable_intervals(availability, start, end)
    if not any(low <= start and end <= high for low, high in bookable):
        return Unavailable.OUTSIDE_HOURS
    return None


# --- slots ----------------------------------------------------------------------------------
#
# Slots are computed for many staff over weeks, so the inner loops run on whole seconds
# since the epoch (``int``) rather than ``datetime`` objects; only the slots chosen are
# turned back into instants.

Seconds = tuple[int, int]


def _seconds(instant: datetime, *, up: bool = False) -> int:
    value = instant.timestamp()
    whole = int(value)
    return whole + 1 if up and whole < value else whole


def _instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@lru_cache(maxsize=512)
def _offered_seconds(
    availability: Availability, start: datetime, end: datetime
) -> tuple[Seconds, ...]:
    # Staff on the same hours (the defaults, a team's pattern) share one computation.
    return tuple(
        (_seconds(low, up=True), _seconds(high))
        for low, high in offered_intervals(availability, start, end)
    )


def free_time(
    availability: Availability, busy: Sequence[Interval], window: Interval
) -> list[Seconds]:
    """When one staff member could meet inside ``window``: their offered hours, outside
    time off and their other meetings (``busy``, sorted). Whole seconds since the epoch."""
    taken = [(_seconds(low), _seconds(high, up=True)) for low, high in busy]
    return subtract(_offered_seconds(availability, *window), taken)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    staff_id: int


def first_available(
    candidates: Sequence[tuple[int, Sequence[Seconds]]],
    *,
    window: Interval,
    length: timedelta,
    zone: ZoneInfo,
    not_before: datetime,
    step: timedelta = timedelta(minutes=SLOT_STEP_MINUTES),
) -> list[Slot]:
    """Every start time on the ``step`` grid of ``zone``'s wall clock inside ``window``
    (no earlier than ``not_before``) where a meeting of ``length`` fits in someone's free
    time, given to the first staff member free then, in ``candidates``' order (the
    representative first). Each grid point is decided once, whatever the number of staff."""
    step_s, length_s = int(step.total_seconds()), int(length.total_seconds())
    first = _seconds(max(window[0], not_before), up=True)
    offset = _instant(first).astimezone(zone).utcoffset() or timedelta(0)
    remainder = (first + int(offset.total_seconds())) % step_s
    origin = first + (step_s - remainder if remainder else 0)
    count = max(0, (_seconds(window[1]) - length_s - origin) // step_s + 1)
    owner: list[int | None] = [None] * count
    # Union-find "next undecided grid point", so a decided point is never visited again.
    following = list(range(count + 1))

    def undecided(index: int) -> int:
        root = index
        while following[root] != root:
            root = following[root]
        while following[index] != root:
            following[index], index = root, following[index]
        return root

    for staff_id, free in candidates:
        for low, high in free:
            index = max(0, -((origin - low) // step_s))  # ceil((low - origin) / step)
            last = min(count - 1, (high - length_s - origin) // step_s)
            index = undecided(index) if index < count else count
            while index <= last:
                owner[index] = staff_id
                following[index] = index + 1
                index = undecided(index + 1)
    return [
        Slot(_instant(origin + i * step_s), _instant(origin + i * step_s) + length, staff_id)
        for i, staff_id in enumerate(owner)
        if staff_id is not None
    ]


def day_bounds(first: date, last: date, zone: ZoneInfo) -> Interval:
    """From midnight starting ``first`` to midnight ending ``last``, in ``zone``."""
    return _at(first, 0, zone), _at(last + timedelta(days=1), 0, zone)
