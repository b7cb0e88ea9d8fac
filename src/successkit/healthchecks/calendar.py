"""A scheduled health check as an iCalendar (RFC 5545) event, the invitation mailed to the
buyer's counterpart and the staff member holding it, and the "Add to calendar" download:
one UID per health check (the one the staff member's calendar feed uses), SEQUENCE
counting its revisions (``services.invitation_sequence``), times in UTC."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from successkit.accounts.models import User
from successkit.core.calendar import calendar, meeting
from successkit.core.errors import InvalidState
from successkit.core.formats import format_day
from successkit.healthchecks.models import HealthCheck, HealthCheckState
from successkit.healthchecks.services import invitation_sequence


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
    at: datetime | None = None,
) -> bytes:
    """The check at its scheduled time (``at``: the time it had, for the cancellation of
    a date taken away). ``method`` REQUEST (an invitation or its update), PUBLISH (a
    download) or CANCEL (the check is no longer in this calendar: its date was taken
    away, or its staff member changed); ``organizer``: the staff member holding it
    (default: the check's)."""
    scheduled_for = at or check.scheduled_for
    assert scheduled_for is not None
    contract = check.contract
    organization = contract.organization.name
    starts_at = scheduled_for.astimezone(UTC)
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


def health_check_download(check: HealthCheck, language: str) -> bytes:
    """A scheduled check for the reader's own calendar ("Add to calendar"): the event of
    its invitation, at its current revision; ``invalid_state`` while it has no date."""
    if check.state != HealthCheckState.SCHEDULED or check.scheduled_for is None:
        raise InvalidState(_("This health check has no date yet."))
    return health_check_calendar(
        check,
        language,
        method="PUBLISH",
        sequence=invitation_sequence(check),
        attendees=[check.contract.buyer_contact.user],
    )
