"""The contract page (training and consulting hours: the pool, the sessions, booking) and
the session actions beside it. Thin views over the same services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from successkit.accounts.actors import actor_of
from successkit.catalog.services import localized
from successkit.contracts.services import contract_for
from successkit.core.errors import BillableNotAccepted, SuccessKitError
from successkit.engagements import services as engagements
from successkit.engagements.calendar import session_calendar
from successkit.engagements.forms import BookingForm
from successkit.engagements.models import TrainingSession


def language_of(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", "en"))


@login_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = contract_for(actor_of(request), contract_id)
    language = language_of(request)
    form = BookingForm(request.POST or None, contract=contract, language=language)
    quote = None
    if request.method == "POST" and form.is_valid():
        try:
            engagements.book_session(
                actor_of(request),
                contract,
                type_code=form.cleaned_data["type"],
                starts_at=form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                platforms=form.cleaned_data["platforms"],
                accept_billable=form.cleaned_data["accept_billable"],
            )
        except BillableNotAccepted as refusal:
            quote = refusal.details.get("quote")
            form.add_error(None, refusal.render_message())
        except SuccessKitError as refusal:
            form.add_error(None, refusal.render_message())
        else:
            messages.success(request, gettext("The session is booked."))
            return redirect("engagements:contract", contract_id=contract.pk)
    sessions = (
        TrainingSession.objects.filter(contract=contract)
        .select_related("session_type", "staff")
        .prefetch_related("session_type__translations", "materials")
        .order_by("starts_at")
    )
    context = {
        "contract": contract,
        "package": localized(contract.package, language),
        "training": engagements.training_entitlement(contract, contract.today()),
        "sessions": [(s, localized(s.session_type, language)) for s in sessions],
        "form": form,
        "quote": quote,
        "actor": actor_of(request),
    }
    return render(request, "engagements/contract.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def cancel_session(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = actor_of(request)
    session = actor.get(engagements.visible_sessions(actor), session_id, "contract__organization")
    by = "buyer" if actor.is_contact else request.POST.get("by", "vendor")
    try:
        engagements.cancel_session(actor, session, by=by)
    except SuccessKitError as refusal:
        messages.error(request, refusal.render_message())
    return redirect("engagements:contract", contract_id=session.contract_id)


@login_required
def session_ics(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = actor_of(request)
    session = actor.get(engagements.visible_sessions(actor), session_id, "contract__organization")
    response = HttpResponse(
        session_calendar(session, language_of(request)), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response
