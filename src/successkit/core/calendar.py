"""Meetings as iCalendar (RFC 5545) events, written one way for every calendar successkit
sends: session and health-check invitations, downloads and staff feeds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress


class Person(Protocol):
    email: str
    name: str


def meeting(
    uid: str,
    *,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    description: str,
    organizer: Person | None = None,
    attendees: Sequence[Person] = (),
    sequence: int | None = None,
    cancelled: bool | None = None,
    url: str | None = None,
) -> Event:
    """One meeting. ``organizer`` and ``attendees`` (each asked to reply) for an
    invitation; ``sequence`` and ``cancelled`` (its STATUS) when the meeting has revisions."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("summary", summary)
    event.add("description", description)
    if url is not None:
        event.add("url", url)
    if organizer is not None:
        address = vCalAddress(f"mailto:{organizer.email}")
        address.params["cn"] = organizer.name
        event.add("organizer", address)
    for person in attendees:
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = person.name
        attendee.params["role"] = "REQ-PARTICIPANT"
        attendee.params["partstat"] = "NEEDS-ACTION"
        attendee.params["rsvp"] = "TRUE"
        event.add("attendee", attendee)
    if sequence is not None:
        event.add("sequence", sequence)
    if cancelled is not None:
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar(
    product: str,
    method: str,
    events: Sequence[Event],
    *,
    name: str | None = None,
    with_timezones: bool = False,
) -> bytes:
    """The calendar holding ``events``: ``method`` PUBLISH (a download or a feed), REQUEST
    (an invitation or its update) or CANCEL; ``with_timezones`` when the times carry a
    time zone other than UTC (the VTIMEZONE they need is added)."""
    result = Calendar()
    result.add("prodid", f"-//successkit//{product}//EN")
    result.add("version", "2.0")
    result.add("method", method)
    if name is not None:
        result.add("x-wr-calname", name)
    for event in events:
        result.add_component(event)
    if with_timezones:
        result.add_missing_timezones()
    return result.to_ical()


def calendar_download(content: bytes, name: str) -> HttpResponse:
    """``content`` (an iCalendar file) as the download ``<name>.ics``: "Add to calendar"."""
    response = HttpResponse(content, content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response
