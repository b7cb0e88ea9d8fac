"""Set-up shared by the scheduling tests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from successkit.accounts.actors import Actor
from successkit.accounts.models import User
from successkit.scheduling import services

WEEKDAYS_9_TO_5 = [services.WeeklyIn(day, "09:00", "17:00") for day in range(1, 6)]


def works(staff: User, zone: str = "Europe/Madrid", weekly=None, time_off=()) -> None:
    services.set_availability(
        Actor.of(staff),
        staff,
        timezone_name=zone,
        weekly=WEEKDAYS_9_TO_5 if weekly is None else weekly,
        time_off=[services.TimeOffIn(*off) for off in time_off],
    )


def next_weekday(weekday: int, after: date, weeks: int = 1) -> date:
    """The first ``weekday`` (1 Monday) at least ``weeks`` weeks after ``after``."""
    day = after + timedelta(days=7 * weeks)
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def local(day: date, hour: int, minute: int = 0, zone: str = "Europe/Madrid") -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))
