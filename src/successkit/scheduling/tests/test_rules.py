"""Working hours, time off, busy time and slots as pure values (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from successkit.scheduling import rules
from successkit.scheduling.rules import Availability, TimeOff, Unavailable, WeeklyHours

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)
NOW = datetime(2027, 1, 1, tzinfo=UTC)
NOTICE = timedelta(hours=24)


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = MADRID) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def nine_to_five(zone: str = "Europe/Madrid", **kwargs) -> Availability:
    return Availability(zone, tuple(WeeklyHours(d, 9 * 60, 17 * 60) for d in range(1, 6)), **kwargs)


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("09:00", False, 540),
        ("00:00", False, 0),
        ("23:59", False, 1439),
        ("24:00", True, 1440),
        ("24:00", False, None),
        ("24:01", True, None),
        ("9:00", False, None),
        ("09:60", False, None),
        ("\u0660\u0669:\u0660\u0660", False, None),  # Arabic-Indic digits
        ("ab:cd", False, None),
    ],
)
def test_clock_times_are_hh_mm(text: str, end: bool, expected: int | None) -> None:
    assert rules.parse_clock(text, end=end) == expected


def test_weekly_problems_name_the_field() -> None:
    problems = rules.weekly_problems(
        [
            WeeklyHours(0, 540, 600),
            WeeklyHours(8, 540, 600),
            WeeklyHours(1, 600, 540),
            WeeklyHours(2, 540, 720),
            WeeklyHours(2, 700, 800),
            WeeklyHours(2, 720, 800),
        ]
    )
    assert [(p.field, p.reason) for p in problems] == [
        ("weekly.0.weekday", "weekday"),
        ("weekly.1.weekday", "weekday"),
        ("weekly.2.end", "end_before_start"),
        ("weekly.4.start", "overlaps:3"),
        ("weekly.5.start", "overlaps:4"),
    ]
    assert rules.weekly_problems([WeeklyHours(1, 0, 1)] * 36) == [
        rules.Problem("weekly", "too_many")
    ]


def test_time_off_problems_name_the_field() -> None:
    problems = rules.time_off_problems(
        [
            TimeOff(date(2027, 1, 10), date(2027, 1, 9)),
            TimeOff(date(2027, 1, 1), date(2028, 1, 1)),  # 366 days: fine
            TimeOff(date(2027, 1, 1), date(2028, 1, 2)),
            TimeOff(date(1999, 12, 31), date(2000, 1, 1)),
        ]
    )
    assert [(p.field, p.reason) for p in problems] == [
        ("time_off.0.end_date", "end_before_start"),
        ("time_off.2.end_date", "too_long"),
        ("time_off.3.start_date", "out_of_range"),
    ]
    assert rules.time_off_problems([TimeOff(date(2027, 1, 1), date(2027, 12, 31))]) == []


def test_working_hours_follow_the_wall_clock_across_a_dst_change() -> None:
    # Europe/Madrid moves to summer time on Sunday 28 March 2027.
    start, end = rules.day_bounds(date(2027, 3, 26), date(2027, 3, 29), MADRID)
    intervals = rules.working_intervals(nine_to_five().weekly, nine_to_five(), start, end)
    assert intervals == [
        (at(date(2027, 3, 26), 9), at(date(2027, 3, 26), 17)),
        (at(date(2027, 3, 29), 9), at(date(2027, 3, 29), 17)),
    ]
    assert [low.astimezone(UTC).hour for low, _ in intervals] == [8, 7]


def test_time_off_removes_whole_days_in_the_staff_members_zone() -> None:
    availability = nine_to_five(time_off=(TimeOff(date(2027, 3, 2), date(2027, 3, 3)),))
    start, end = rules.day_bounds(date(2027, 3, 1), date(2027, 3, 5), MADRID)
    days = [
        low.date()
        for low, _ in rules.working_intervals(availability.weekly, availability, start, end)
    ]
    assert days == [date(2027, 3, 1), date(2027, 3, 4), date(2027, 3, 5)]


def test_subtract_and_merge() -> None:
    t = datetime(2027, 1, 4, tzinfo=UTC)
    free = rules.subtract(
        [(t, t + 8 * HOUR)],
        rules.merged(
            [(t + HOUR, t + 2 * HOUR), (t + 2 * HOUR, t + 3 * HOUR), (t + 7 * HOUR, t + 9 * HOUR)]
        ),
    )
    assert free == [(t, t + HOUR), (t + 3 * HOUR, t + 7 * HOUR)]


def test_a_buyer_books_inside_hours_outside_time_off_with_notice() -> None:
    monday = date(2027, 3, 1)
    availability = nine_to_five(time_off=(TimeOff(date(2027, 3, 3), date(2027, 3, 3)),))

    def why(start: datetime, minutes: int = 60, now: datetime = NOW) -> Unavailable | None:
        return rules.unavailable_for_buyer(
            availability, (start, start + timedelta(minutes=minutes)), now, NOTICE
        )

    assert why(at(monday, 9)) is None
    assert why(at(monday, 16)) is None
    assert why(at(monday, 16, 30)) is Unavailable.OUTSIDE_HOURS  # ends after 17:00
    assert why(at(monday, 8, 30)) is Unavailable.OUTSIDE_HOURS
    assert why(at(date(2027, 3, 6), 10)) is Unavailable.OUTSIDE_HOURS  # Saturday
    assert why(at(date(2027, 3, 3), 10)) is Unavailable.TIME_OFF
    assert why(at(monday, 10), now=at(monday, 10) - NOTICE + timedelta(minutes=1)) is (
        Unavailable.TOO_SOON
    )
    assert why(at(monday, 10), now=at(monday, 10) - NOTICE) is None


def test_without_hours_a_buyer_books_any_time_but_time_off() -> None:
    availability = Availability(
        "Europe/Madrid", time_off=(TimeOff(date(2027, 3, 3), date(2027, 3, 3)),)
    )
    check = lambda start: rules.unavailable_for_buyer(  # noqa: E731
        availability, (start, start + HOUR), NOW, NOTICE
    )
    assert check(at(date(2027, 3, 6), 22)) is None
    assert check(at(date(2027, 3, 2), 23, 30)) is Unavailable.TIME_OFF  # runs into the day off
    assert check(at(date(2027, 3, 4), 0)) is None


def test_slots_start_on_the_buyers_half_hours_even_with_odd_offsets() -> None:
    kathmandu = ZoneInfo("Asia/Kathmandu")  # +05:45
    t = datetime(2027, 1, 4, 3, 0, tzinfo=UTC)
    free = [(int(t.timestamp()), int((t + 2 * HOUR).timestamp()))]
    slots = rules.first_available(
        [(1, free)], window=(t, t + 3 * HOUR), length=HOUR, zone=kathmandu, not_before=t
    )
    assert [s.starts_at.astimezone(kathmandu).strftime("%H:%M") for s in slots] == [
        "09:00",
        "09:30",
    ]
    late = rules.first_available(
        [(1, free)], window=(t, t + 3 * HOUR), length=HOUR, zone=MADRID, not_before=t + HOUR
    )
    assert [s.starts_at for s in late] == [t + HOUR]


def test_each_start_goes_to_the_first_staff_member_free() -> None:
    t = datetime(2027, 1, 4, 9, tzinfo=UTC)
    e = int(t.timestamp())
    slots = rules.first_available(
        [(7, [(e + 1800, e + 3 * 3600)]), (3, [(e, e + 3600)]), (5, [(e, e + 4 * 3600)])],
        window=(t, t + 5 * HOUR),
        length=HOUR,
        zone=MADRID,
        not_before=t,
    )
    assert [(s.starts_at - t, s.staff_id) for s in slots] == [
        (timedelta(0), 3),
        (timedelta(minutes=30), 7),
        (timedelta(minutes=60), 7),
        (timedelta(minutes=90), 7),
        (timedelta(minutes=120), 7),
        (timedelta(minutes=150), 5),
        (timedelta(minutes=180), 5),
    ]
    assert all(s.ends_at - s.starts_at == HOUR for s in slots)


def test_free_time_across_a_new_york_dst_change_in_a_madrid_buyers_clock() -> None:
    # New York moves on 14 March 2027, Madrid on 28 March: the week of the 11th the
    # staff member's 09:00 is 15:00 in Madrid before the change and 14:00 after.
    availability = nine_to_five("America/New_York")
    window = rules.day_bounds(date(2027, 3, 11), date(2027, 3, 17), MADRID)
    busy = [(at(date(2027, 3, 16), 16), at(date(2027, 3, 16), 17))]
    slots = rules.first_available(
        [(1, rules.free_time(availability, busy, window))],
        window=window,
        length=HOUR,
        zone=MADRID,
        not_before=NOW,
    )
    by_day: dict[date, list[str]] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(MADRID)
        by_day.setdefault(local.date(), []).append(local.strftime("%H:%M"))
    assert sorted(by_day) == [date(2027, 3, d) for d in (11, 12, 15, 16, 17)]
    assert by_day[date(2027, 3, 12)][0] == "15:00" and by_day[date(2027, 3, 12)][-1] == "22:00"
    assert by_day[date(2027, 3, 15)][0] == "14:00" and by_day[date(2027, 3, 15)][-1] == "21:00"
    assert len(by_day[date(2027, 3, 15)]) == 15
    # The meeting 16:00-17:00 removes the starts 15:30, 16:00 and 16:30.
    assert "15:00" in by_day[date(2027, 3, 16)] and "17:00" in by_day[date(2027, 3, 16)]
    assert {"15:30", "16:00", "16:30"}.isdisjoint(by_day[date(2027, 3, 16)])
    assert len(by_day[date(2027, 3, 16)]) == 12
