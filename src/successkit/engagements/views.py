"""The contract page (training and consulting hours: the pool, the sessions, booking) and
the session actions beside it. Thin views over the same services as the API."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from successkit.accounts.actors import actor_of
from successkit.catalog.services import localized
from successkit.contracts.services import contract_for
from successkit.core.errors import BillableNotAccepted, SuccessKitError
from successkit.engagements import services as engagements
from successkit.engagements.calendar import session_calendar
from successkit.engagements.forms import BookingForm, CompleteForm, MaterialForm, MoveForm
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
        "now": timezone.now(),
    }
    return render(request, "engagements/contract.html", context, status=422 if form.errors else 200)


def _session(request: HttpRequest, session_id: int) -> TrainingSession:
    actor = actor_of(request)
    return actor.get(engagements.visible_sessions(actor), session_id, "contract__organization")


def _refused(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def _back(session: TrainingSession) -> HttpResponse:
    return redirect(
        reverse("engagements:contract", args=[session.contract_id]) + f"#session-{session.pk}"
    )


@login_required
@require_POST
def complete_session(request: HttpRequest, session_id: int) -> HttpResponse:
    """Staff record that a session was held, with its actual minutes."""
    session = _session(request, session_id)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return _back(session)
    try:
        engagements.complete_session(
            actor_of(request),
            session,
            actual_minutes=form.cleaned_data["actual_minutes"],
            accept_billable=form.cleaned_data["accept_billable"],
        )
    except SuccessKitError as refusal:
        messages.error(request, refusal.render_message())
    else:
        messages.success(request, gettext("The session is recorded as held."))
    return _back(session)


@login_required
@require_POST
def record_no_show(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    try:
        engagements.record_no_show(actor_of(request), session)
    except SuccessKitError as refusal:
        messages.error(request, refusal.render_message())
    else:
        messages.success(request, gettext("The session is recorded as a no-show."))
    return _back(session)


@login_required
@require_POST
def move_session(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    form = MoveForm(request.POST, timezone_name=session.contract.organization.timezone)
    if not form.is_valid():
        _refused(request, form)
        return _back(session)
    try:
        engagements.move_session(
            actor_of(request),
            session,
            starts_at=form.cleaned_data["starts_at"],
            accept_billable=form.cleaned_data["accept_billable"],
        )
    except SuccessKitError as refusal:
        messages.error(request, refusal.render_message())
    else:
        messages.success(request, gettext("The session is moved."))
    return _back(session)


@login_required
@require_POST
def add_material(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        _refused(request, form)
        return _back(session)
    try:
        engagements.add_material(
            actor_of(request),
            session,
            title=form.cleaned_data["title"],
            url=form.cleaned_data["url"],
            upload=form.cleaned_data["upload"],
        )
    except SuccessKitError as refusal:
        messages.error(request, refusal.render_message())
    else:
        messages.success(request, gettext("The material is handed to the buyer."))
    return _back(session)


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
    else:
        messages.success(request, gettext("The session is cancelled."))
    return _back(session)


@login_required
def session_ics(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = actor_of(request)
    session = actor.get(engagements.visible_sessions(actor), session_id, "contract__organization")
    response = HttpResponse(
        session_calendar(session, language_of(request)), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response
