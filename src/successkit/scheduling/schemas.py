"""The shapes of the scheduling API (API v1): its request bodies, query strings and answers."""

from __future__ import annotations

from datetime import date

from ninja import Schema
from pydantic import Field

from successkit.core.schemas import Day, InSchema


class WeeklySchema(Schema):
    weekday: int = Field(description="1 Monday … 7 Sunday")
    start: str = Field(description="HH:MM, the staff member's wall clock")
    end: str = Field(description="HH:MM (24:00 for midnight), after start")


class TimeOffSchema(Schema):
    start_date: date
    end_date: date = Field(description="The last day off (inclusive)")


class WeeklyIn(InSchema):
    weekday: int = Field(strict=True, ge=1, le=7, description="1 Monday … 7 Sunday")
    start: str = Field(description="HH:MM, the staff member's wall clock")
    end: str = Field(description="HH:MM (24:00 for midnight), after start")


class TimeOffIn(InSchema):
    start_date: Day
    end_date: Day = Field(description="The last day off (inclusive)")


class AvailabilityIn(InSchema):
    timezone: str = Field(description="IANA name, e.g. Europe/Madrid")
    weekly: list[WeeklyIn] = Field(default_factory=list)
    time_off: list[TimeOffIn] = Field(default_factory=list)


class AvailabilityOut(Schema):
    staff_id: str
    timezone: str
    weekly: list[WeeklySchema] = Field(
        description="Empty: none set (bookable at any time; slots offered Monday-Friday "
        "09:00-17:00)"
    )
    time_off: list[TimeOffSchema]


class FeedOut(Schema):
    url: str = Field(description="webcal:// subscription address (secret)")
    ics_url: str = Field(description="The same feed as a plain http(s) address")


class Rotate(Schema):
    rotate: bool = Field(False, description="Issue a new address; the old one stops working")
