"""A session as an iCalendar (RFC 5545) event, for the buyer's and staff's calendars: the
download and the invitation mailed on booking, move and cancellation are the same event
(one UID per session, SEQUENCE counting its revisions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from successkit.accounts.models import User
from successkit.catalog.services import localized
from successkit.engagements.models import TrainingSession
from successkit.engagements.rules import SessionStatus
from successkit.outbox.services import calendar_sequence


def session_calendar(
    session: TrainingSession,
    language: str,
    *,
    method: str | None = None,
    sequence: int | None = None,
    attendees: Sequence[User] = (),
) -> bytes:
    """``method``: REQUEST (an invitation), CANCEL, or by default PUBLISH (a download;
    CANCEL for a cancelled session). ``sequence`` default: the revisions so far."""
    cancelled = session.status == SessionStatus.CANCELLED
    text = localized(session.session_type, language)
    zone = ZoneInfo(session.contract.organization.timezone)
    starts_at = session.starts_at.astimezone(zone)
    event = Event()
    event.add("uid", f"session-{session.pk}@successkit")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + timedelta(minutes=session.duration_minutes))
    event.add("summary", f"{text.name} — {session.contract.organization.name}")
    event.add("description", text.description)
    organizer = vCalAddress(f"mailto:{session.staff.email}")
    organizer.params["cn"] = session.staff.name
    event.add("organizer", organizer)
    for person in attendees:
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = person.name
        attendee.params["role"] = "REQ-PARTICIPANT"
        attendee.params["partstat"] = "NEEDS-ACTION"
        attendee.params["rsvp"] = "TRUE"
        event.add("attendee", attendee)
    event.add("sequence", calendar_sequence(session) if sequence is None else sequence)
    if cancelled or method == "CANCEL":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    calendar = Calendar()
    calendar.add("prodid", "-//successkit//training sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method or ("CANCEL" if cancelled else "PUBLISH"))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
