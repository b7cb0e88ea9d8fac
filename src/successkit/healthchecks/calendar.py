"""A scheduled health check as an iCalendar (RFC 5545) event, the invitation mailed to the
buyer's counterpart and the staff member holding it: one UID per health check (the one the
staff member's calendar feed uses), SEQUENCE counting its reschedulings, times in UTC."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta

from django.utils import translation
from django.utils.translation import gettext

from successkit.accounts.models import User
from successkit.core.calendar import calendar, meeting
from successkit.core.formats import format_day
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
            "start": format_day(check.period_start),
            "end": format_day(check.period_end),
        }
    event = meeting(
        health_check_uid(check),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        summary=f"{title} — {organization}",
        description=description,
        organizer=organizer or check.staff,
        attendees=attendees,
        sequence=sequence,
        cancelled=method == "CANCEL",
    )
    return calendar("health checks", method, [event])
