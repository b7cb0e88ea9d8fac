"""A booked session as an iCalendar (RFC 5545) event, for the buyer's and staff's calendars."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from successkit.catalog.services import localized
from successkit.engagements.models import TrainingSession
from successkit.engagements.rules import SessionStatus


def session_calendar(session: TrainingSession, language: str) -> bytes:
    text = localized(session.session_type, language)
    event = Event()
    event.add("uid", f"session-{session.pk}@successkit")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.starts_at + timedelta(minutes=session.duration_minutes))
    event.add("summary", f"{text.name} — {session.contract.organization.name}")
    event.add("description", text.description)
    organizer = vCalAddress(f"mailto:{session.staff.email}")
    organizer.params["cn"] = session.staff.name
    event.add("organizer", organizer)
    event.add("sequence", int(session.updated_at.timestamp()))
    if session.status == SessionStatus.CANCELLED:
        event.add("status", "CANCELLED")
    calendar = Calendar()
    calendar.add("prodid", "-//successkit//training sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if session.status == SessionStatus.CANCELLED else "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical()
