"""Pages: thin views over the same services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views import i18n
from django.views.decorators.http import require_POST

from successkit.accounts import services as accounts
from successkit.accounts.actors import Actor
from successkit.catalog.services import localized
from successkit.contracts.models import Contract
from successkit.contracts.services import visible_contracts
from successkit.core.errors import BillableNotAccepted, SuccessKitError
from successkit.engagements import services as engagements
from successkit.engagements.calendar import session_calendar
from successkit.engagements.models import TrainingSession
from successkit.healthchecks.services import health_check_tally
from successkit.portal.forms import BookingForm


def actor_of(request: HttpRequest) -> Actor:
    return Actor.of(request.user)  # type: ignore[arg-type]


def language_of(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", "en"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    contracts = (
        visible_contracts(actor)
        .prefetch_related("package__translations")
        .order_by("organization__name", "-start_date")
    )
    rows = []
    for contract in contracts.select_related("training_pool"):
        today = contract.today()
        rows.append(
            {
                "contract": contract,
                "package": localized(contract.package, language_of(request)),
                "phase": contract.phase(today),
                # What it bought, what is used and what is late, at a glance.
                "training": engagements.training_entitlement(contract, today),
                "checks": health_check_tally(contract, today),
            }
        )
    return render(request, "portal/home.html", {"rows": rows, "actor": actor})


def _contract(request: HttpRequest, contract_id: int) -> Contract:
    actor = actor_of(request)
    return actor.get(visible_contracts(actor), contract_id)


@login_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _contract(request, contract_id)
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
            return redirect("portal:contract", contract_id=contract.pk)
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
    return render(request, "portal/contract.html", context, status=422 if form.errors else 200)


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
    return redirect("portal:contract", contract_id=session.contract_id)


@login_required
def session_ics(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = actor_of(request)
    session = actor.get(engagements.visible_sessions(actor), session_id, "contract__organization")
    response = HttpResponse(
        session_calendar(session, language_of(request)), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch: a signed-in user's choice is saved on their profile
    (it wins over the browser's on every later page); a visitor's goes in a cookie."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        try:
            accounts.set_preferred_language(request.user, language)
        except SuccessKitError as refusal:
            messages.error(request, refusal.render_message())
    return i18n.set_language(request)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Who I am, my language, my password (and my API tokens, where the accounts app
    lists them)."""
    actor = actor_of(request)
    return render(request, "portal/profile.html", {"actor": actor})
