"""Pages: a staff member's working hours, time off and calendar subscription."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from successkit.accounts.actors import actor_of
from successkit.core.errors import InvalidFields, SuccessKitError
from successkit.scheduling import services
from successkit.scheduling.forms import AvailabilityForm


@login_required
def my_availability(request: HttpRequest) -> HttpResponse:
    return redirect("scheduling:availability", staff_id=request.user.pk)


@login_required
def availability_page(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = actor_of(request)
    staff = services.staff_member(actor, staff_id)
    current = services.availability(staff)
    may_edit = services.may_set_time(actor, staff)
    form = AvailabilityForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_availability(
                actor,
                staff,
                timezone_name=form.cleaned_data["timezone"],
                weekly=form.weekly(),
                time_off=form.days_off(),
            )
        except InvalidFields as refusal:
            problems = refusal.details.get("fields", [])
            form.add_error(None, problems[0]["message"] if problems else refusal.render_message())
        except SuccessKitError as refusal:
            form.add_error(None, refusal.render_message())
        else:
            messages.success(request, gettext("Your working hours are saved."))
            return redirect("scheduling:availability", staff_id=staff.pk)
    feed = None
    if may_edit:
        token = services.calendar_feed_token(actor, staff)
        feed = request.build_absolute_uri(reverse("calendar-feed", args=[staff.pk, token]))
    context = {
        "staff": staff,
        "form": form,
        "may_edit": may_edit,
        "has_hours": current.has_hours,
        "feed_url": feed,
        "webcal_url": "webcal://" + feed.split("://", 1)[1] if feed else None,
    }
    return render(
        request, "scheduling/availability.html", context, status=422 if form.errors else 200
    )


@login_required
@require_POST
def rotate_feed(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = actor_of(request)
    staff = services.staff_member(actor, staff_id)
    services.calendar_feed_token(actor, staff, rotate=True)
    messages.success(request, gettext("Your calendar has a new address; the old one is revoked."))
    return redirect("scheduling:availability", staff_id=staff.pk)
