"""API v1: a staff member's availability and calendar feed (SPEC.md §9)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router

from successkit.accounts.actors import actor_of
from successkit.core.schemas import FORBIDDEN, errors, object_id
from successkit.scheduling import rules, services
from successkit.scheduling.schemas import (
    AvailabilityIn,
    AvailabilityOut,
    FeedOut,
    Rotate,
    TimeOffSchema,
    WeeklySchema,
)

router = Router(tags=["scheduling"])


def availability_out(staff_id: int, value: rules.Availability) -> AvailabilityOut:
    return AvailabilityOut.model_construct(
        staff_id=str(staff_id),
        timezone=value.timezone,
        weekly=[
            WeeklySchema.model_construct(
                weekday=hours.weekday,
                start=rules.format_clock(hours.start),
                end=rules.format_clock(hours.end),
            )
            for hours in value.weekly
        ],
        time_off=[
            TimeOffSchema.model_construct(start_date=off.start, end_date=off.end)
            for off in value.time_off
        ],
    )


@router.get(
    "/staff/{staff_id}/availability",
    **errors(r200=AvailabilityOut),
    summary="A staff member's working hours and time off",
)
def get_availability(request: HttpRequest, staff_id: str) -> AvailabilityOut:
    staff = services.staff_member(actor_of(request), object_id(staff_id))
    return availability_out(staff.pk, services.availability(staff))


@router.put(
    "/staff/{staff_id}/availability",
    **errors(
        FORBIDDEN,
        r200=AvailabilityOut,
    ),
    summary="Set a staff member's working hours and time off (themself or an admin)",
)
def put_availability(
    request: HttpRequest, staff_id: str, payload: AvailabilityIn
) -> AvailabilityOut:
    actor = actor_of(request)
    staff = services.staff_member(actor, object_id(staff_id))
    value = services.set_availability(
        actor,
        staff,
        timezone_name=payload.timezone,
        weekly=[services.WeeklyIn(h.weekday, h.start, h.end) for h in payload.weekly],
        time_off=[services.TimeOffIn(t.start_date, t.end_date) for t in payload.time_off],
    )
    return availability_out(staff.pk, value)


@router.get(
    "/staff/{staff_id}/calendar-feed",
    **errors(r200=FeedOut),
    summary="The secret iCalendar subscription address of a staff member's meetings",
)
def calendar_feed(request: HttpRequest, staff_id: str, query: Query[Rotate]) -> FeedOut:
    actor = actor_of(request)
    staff = services.staff_member(actor, object_id(staff_id))
    token = services.calendar_feed_token(actor, staff, rotate=query.rotate)
    ics_url = request.build_absolute_uri(reverse("calendar-feed", args=[staff.pk, token]))
    return FeedOut.model_construct(url="webcal://" + ics_url.split("://", 1)[1], ics_url=ics_url)
