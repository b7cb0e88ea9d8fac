"""A scheduled health check as an iCalendar (RFC 5545) event, the invitation mailed to the
buyer's counterpart and the staff member holding it: one UID per health check (the one the
staff member's calendar feed uses), SEQUENCE counting its reschedulings, times in UTC."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress

from successkit.accounts.models import User
from successkit.healthchecks.models import HealthCheck


def health_check_uid(check: HealthCheck) -> str:
    return f"health-check-{check.pk}@successkit"


def health_check_calendar(
    check: HealthCheck,
    language: str,
    *,
    method: str = "REQUEST",
    sequence: int = 0,
    organizer: User | None = None,
    attendees: Sequence[User] = (),
) -> bytes:
    """The check at its scheduled time. ``method`` REQUEST (an invitation or its update)
    or CANCEL (the check is no longer in this calendar: e.g. its staff member changed);
    ``organizer``: the staff member holding it (default: the check's)."""
    assert check.scheduled_for is not None
    contract = check.contract
    organization = contract.organization.name
    starts_at = check.scheduled_for.astimezone(UTC)
    minutes = contract.package.health_check_minutes or 60
    with translation.override(language):
        title = gettext("Project health check %(number)s") % {"number": check.number}
        description = gettext(
            "Project health check %(number)s of %(organization)s, for the period %(start)s "
            "to %(end)s."
        ) % {
            "number": check.number,
            "organization": organization,
            "start": check.period_start.isoformat(),
            "end": check.period_end.isoformat(),
        }
    event = Event()
    event.add("uid", health_check_uid(check))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + timedelta(minutes=minutes))
    event.add("summary", f"{title} — {organization}")
    event.add("description", description)
    holder = organizer or check.staff
    if holder is not None:
        address = vCalAddress(f"mailto:{holder.email}")
        address.params["cn"] = holder.name
        event.add("organizer", address)
    for person in attendees:
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = person.name
        attendee.params["role"] = "REQ-PARTICIPANT"
        attendee.params["partstat"] = "NEEDS-ACTION"
        attendee.params["rsvp"] = "TRUE"
        event.add("attendee", attendee)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    calendar = Calendar()
    calendar.add("prodid", "-//successkit//health checks//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(event)
    return calendar.to_ical()
