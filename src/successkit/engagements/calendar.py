"""Sessions as iCalendar (RFC 5545) events, for the buyer's and staff's calendars: the
download and the invitation mailed on booking, move and cancellation are the same event
(one UID per session, SEQUENCE counting its revisions); and every meeting of a staff
member as their calendar subscription."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.translation import gettext

from successkit.accounts.models import User
from successkit.catalog.services import localized
from successkit.contracts.models import Contract
from successkit.core.calendar import calendar, meeting
from successkit.engagements.models import TrainingSession
from successkit.engagements.rules import SessionStatus
from successkit.healthchecks.models import HealthCheck
from successkit.outbox.services import calendar_sequence
from successkit.scheduling import services as scheduling
from successkit.scheduling.rules import MeetingKind


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
    event = meeting(
        f"session-{session.pk}@successkit",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=session.duration_minutes),
        summary=f"{text.name} — {session.contract.organization.name}",
        description=text.description,
        organizer=session.staff,
        attendees=attendees,
        sequence=calendar_sequence(session) if sequence is None else sequence,
        cancelled=cancelled or method == "CANCEL",
    )
    return calendar(
        "training sessions",
        method or ("CANCEL" if cancelled else "PUBLISH"),
        [event],
        with_timezones=True,
    )


# Meetings from this far back stay in a staff member's feed (calendars keep the past).
FEED_HISTORY = timedelta(days=90)


def staff_feed(staff: User, contract_url: Callable[[Contract], str]) -> bytes:
    """Every meeting holding ``staff``'s time (training sessions and health checks, as
    ``scheduling`` records them), for a calendar subscription in the staff member's
    language: the buyer, the type and a link to the contract."""
    meetings = scheduling.live_meetings(staff, timezone.now() - FEED_HISTORY)
    ids = {kind: {m.meeting_id for m in meetings if m.kind is kind} for kind in MeetingKind}
    sessions = TrainingSession.objects.select_related(
        "contract__organization", "session_type"
    ).prefetch_related("session_type__translations")
    checks = HealthCheck.objects.select_related("contract__organization")
    found: dict[tuple[MeetingKind, int], TrainingSession | HealthCheck] = {
        **{
            (MeetingKind.SESSION, s.pk): s for s in sessions.filter(pk__in=ids[MeetingKind.SESSION])
        },
        **{
            (MeetingKind.HEALTH_CHECK, c.pk): c
            for c in checks.filter(pk__in=ids[MeetingKind.HEALTH_CHECK])
        },
    }
    events = []
    with translation.override(staff.language):
        name = gettext("Meetings of %(name)s") % {"name": staff.name}
        for item_meeting in meetings:
            item = found.get((item_meeting.kind, item_meeting.meeting_id))
            if item is None:
                continue
            if isinstance(item, TrainingSession):
                title = localized(item.session_type, staff.language).name
                uid = f"session-{item.pk}@successkit"
            else:
                title = gettext("Project health check %(number)s") % {"number": item.number}
                uid = f"health-check-{item.pk}@successkit"
            contract = item.contract
            link = contract_url(contract)
            events.append(
                meeting(
                    uid,
                    starts_at=item_meeting.starts_at,
                    ends_at=item_meeting.ends_at,
                    summary=f"{title} — {contract.organization.name}",
                    description=f"{title}\n{contract.organization.name}\n{link}",
                    url=link,
                )
            )
    return calendar("staff meetings", "PUBLISH", events, name=name)
