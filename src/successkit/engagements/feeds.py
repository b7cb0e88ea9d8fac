"""A staff member's calendar subscription (webcal): opened by the secret in its address,
since calendar apps send no sign-in."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from successkit.engagements.calendar import staff_feed
from successkit.scheduling import services as scheduling


@require_GET
def staff_calendar(request: HttpRequest, staff_id: int, token: str) -> HttpResponse:
    staff = scheduling.staff_for_feed(staff_id, token)
    if staff is None:
        raise Http404
    body = staff_feed(
        staff,
        lambda contract: request.build_absolute_uri(
            reverse("engagements:contract", args=[contract.pk])
        ),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
