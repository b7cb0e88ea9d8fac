"""The contract page (training and consulting hours: the pool, the sessions, booking) and
the session actions beside it. Thin views over the same services as the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from successkit.accounts.actors import Actor, actor_of
from successkit.accounts.roles import Duty
from successkit.catalog.services import governing_terms_url, localized
from successkit.contracts.models import Contract
from successkit.contracts.rules import ContractPhase
from successkit.contracts.services import contract_for
from successkit.core.calendar import calendar_download
from successkit.core.errors import SuccessKitError, ValidationFailed
from successkit.core.formats import format_money
from successkit.core.pages import RefusedForm, act, form_refused, refused, refused_form
from successkit.engagements import services as engagements
from successkit.engagements import slots
from successkit.engagements.calendar import session_calendar
from successkit.engagements.errors import BillableNotAccepted
from successkit.engagements.forms import (
    BookingForm,
    CompleteForm,
    MaterialForm,
    MoveForm,
    SlotBookingForm,
)
from successkit.engagements.models import TrainingSession
from successkit.flows import contracts as contract_flows
from successkit.flows import workspace
from successkit.support.forms import ImportForm, OrderForm


@dataclass(frozen=True)
class SlotPicker:
    type_code: str
    monday: date
    week: list[tuple[date, list[slots.SlotChoice]]]
    minutes: int | None  # the meeting's length the free times are for (None: the longest)

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)


def contract_zone(contract: Contract) -> ZoneInfo:
    return ZoneInfo(contract.organization.timezone)


def language_of(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", "en"))


def _slot_picker(
    request: HttpRequest,
    contract: Contract,
    types: list[str],
    default_minutes: int,
    data: QueryDict | None,
) -> SlotPicker:
    """The buyer's week of free slots: the type, length and week asked for (GET, or carried
    by the booking form's ``data``), else the first type, the booking form's default
    length (an hour; the type's longest meeting if that is shorter) and the first week
    with a bookable time. The free times are for the length asked: two hours of
    additional training fit where its longest meeting, a whole day, does not."""
    carried = data if data is not None else QueryDict()
    asked_type = carried.get("type") or request.GET.get("type") or ""
    type_code = asked_type if asked_type in types else types[0]
    asked_minutes = carried.get("duration_minutes") or request.GET.get("minutes") or ""
    minutes = int(asked_minutes) if asked_minutes.isdigit() and len(asked_minutes) < 5 else None
    asked_week = carried.get("week") or request.GET.get("week") or ""
    try:
        first = date.fromisoformat(asked_week)
        explicit = True
    except ValueError:
        hours = contract.package.booking_notice_hours
        first = (timezone.now() + timedelta(hours=hours)).astimezone(contract_zone(contract)).date()
        explicit = False
    first = min(max(first, date(2000, 1, 10)), date(2100, 12, 20))
    monday = first - timedelta(days=first.weekday())

    def week_from(monday: date) -> tuple[list[tuple[date, list[slots.SlotChoice]]], int | None]:
        for length in [*(m for m in (minutes, default_minutes) if m is not None), None]:
            try:
                found = slots.week_of_slots(
                    contract, type_code=type_code, monday=monday, minutes=length
                )
            except SuccessKitError:
                continue  # a length the type does not allow: the default, else its longest
            return found, length
        return [], None

    week, length = week_from(monday)
    if not week and not explicit:
        monday += timedelta(days=7)
        week, length = week_from(monday)
    return SlotPicker(type_code, monday, week, length)


@login_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The contract page; a POST books a session. A refused booking comes back to the
    page (a 303, so a reload posts nothing) with the form as it was sent and why."""
    actor = actor_of(request)
    contract = contract_for(actor, contract_id)
    page = reverse("engagements:contract", args=[contract.pk])
    if request.method != "POST":
        return _contract_page(request, contract, refused_form(request, page))
    form, picker = _booking_form(request, actor, contract, request.POST)
    refusal = ""
    quote: object = None
    if form.is_valid():
        chosen = slots.parse_choice(request.POST.get("slot", "")) if picker else None
        try:
            if picker and chosen is None:
                raise ValidationFailed(_("Pick one of the free times."))
            engagements.book_session(
                actor,
                contract,
                type_code=form.cleaned_data["type"],
                starts_at=chosen[0] if chosen else form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                platforms=form.cleaned_data["platforms"],
                accept_billable=form.cleaned_data["accept_billable"],
                on_behalf_of_contact_id=form.cleaned_data.get("agreed_by"),
                staff_id=chosen[1] if chosen else form.cleaned_data.get("staff"),
            )
        except BillableNotAccepted as billable:
            # Shown as the quote and the box to tick, in words (never the field's name).
            quote = billable.details.get("quote")
            refusal = "" if _quote(quote) else billable.render_message()
        except SuccessKitError as other:
            refusal = other.render_message()
        else:
            messages.success(request, gettext("The session is booked."))
            return redirect("engagements:contract", contract_id=contract.pk)
    return refused(
        request,
        page,
        "book",
        fields=[*form.fields, "slot", "week"],
        refusal=refusal,
        details={"quote": quote} if quote else None,
        anchor="book",
    )


def _booking_form(
    request: HttpRequest, actor: Actor, contract: Contract, data: QueryDict | None
) -> tuple[BookingForm, SlotPicker | None]:
    """The booking form for this reader: a buyer contact picks one of the week's free
    slots; staff enter any time and say who delivers."""
    language = language_of(request)
    if not actor.is_contact:
        return BookingForm(data, contract=contract, language=language), None
    if _booking_closed(actor, contract):
        return SlotBookingForm(None, contract=contract, language=language), None
    form = SlotBookingForm(data, contract=contract, language=language)
    picker = _slot_picker(
        request,
        contract,
        [code for code, _name in form.type_choices],
        int(form.fields["duration_minutes"].initial),
        data,
    )
    form.initial["type"] = picker.type_code
    if picker.minutes is not None:
        form.initial["duration_minutes"] = picker.minutes
    return form, picker


def _booking_closed(actor: Actor, contract: Contract) -> bool:
    """A buyer books only inside the term: once it has ended, the page says so instead of
    offering weeks without a free time."""
    return actor.is_contact and contract.phase() == ContractPhase.ENDED


@dataclass(frozen=True)
class SessionDraft:
    """What a session's "Held" and "Move" forms show: the session's own values, or what
    was typed into the one whose action was refused (so nothing typed is lost)."""

    FIELDS = ("actual_minutes", "starts_at", "accept_billable", "agreed_by")

    action: str = ""  # the refused form: "complete" or "move"
    actual_minutes: str = ""
    starts_at: str = ""
    accept_billable: bool = False
    agreed_by: int | None = None

    @classmethod
    def typed(cls, action: str, data: QueryDict) -> SessionDraft:
        return cls(
            action=action,
            actual_minutes=data.get("actual_minutes", ""),
            starts_at=data.get("starts_at", ""),
            accept_billable=bool(data.get("accept_billable")),
            agreed_by=_posted_id(data, "agreed_by") or None,
        )

    @property
    def completing(self) -> bool:
        return self.action == "complete"

    @property
    def moving(self) -> bool:
        return self.action == "move"


def _contract_page(
    request: HttpRequest, contract: Contract, kept: RefusedForm | None
) -> HttpResponse:
    """The contract page; a form refused just before (``kept``) is drawn again open, filled
    as it was sent, with its refusal: the booking form, or a session's "Held" or "Move"."""
    actor = actor_of(request)
    language = language_of(request)
    booking = kept.typed if kept is not None and kept.kind == "book" else None
    form, picker = _booking_form(request, actor, contract, booking)
    quote = None
    if kept is not None and booking is not None and form.is_bound:
        form.is_valid()  # the form says again what was wrong with what was typed
        if kept.refusal:
            form.add_error(None, kept.refusal)
        quote = _quote(kept.details.get("quote"))
    draft_of, draft = None, None
    if kept is not None and kept.kind in SESSION_ACTIONS:
        draft_of, draft = kept.of, SessionDraft.typed(kept.kind, kept.typed)
    blank = SessionDraft()
    sessions = engagements.contract_page_sessions(contract)
    context = {
        "contract": contract,
        "package": localized(contract.package, language),
        "training": engagements.training_entitlement(contract, contract.today()),
        "sessions": [
            (
                s,
                localized(s.session_type, language),
                draft if draft is not None and s.pk == draft_of else blank,
            )
            for s in sessions
        ],
        "form": form,
        "picker": picker,
        "chosen_slot": booking.get("slot", "") if booking is not None else "",
        "booking_closed": _booking_closed(actor, contract),
        "quote": quote,
        "bookable": [(b, localized(b.session_type, language)) for b in form.bookable],
        "actor": actor,
        "vendor_contact": contract.vendor_contact(),
        "terms_url": governing_terms_url(contract.package.version),
        "now": timezone.now(),
        "workspace": workspace.contract_workspace(actor, contract, language),
        "may": _permissions(actor, contract),
        "order_form": OrderForm(),
        "import_form": ImportForm(),
        "today": contract.today(),
    }
    return render(request, "engagements/contract.html", context)


def _permissions(actor: Actor, contract: Contract) -> dict[str, bool]:
    """Which of the page's actions to draw for this reader (the services decide again)."""
    own_contact = actor.is_contact and actor.organization_id == contract.organization_id
    return {
        "change_term": actor.may(Duty.RUN_ACCOUNTS),
        "reassign": actor.may(Duty.ADMINISTER),
        "set_counterpart": own_contact or actor.may(Duty.RUN_ACCOUNTS),
        "record_orders": actor.may(Duty.RECORD_ORDERS),
        "open_case": own_contact or actor.may(Duty.HANDLE_CASES),
    }


@dataclass(frozen=True)
class QuoteShown:
    """A refusal's quote of billable minutes, its money as numbers (the page formats them
    per locale)."""

    billable_minutes: int
    hourly_rate: Decimal
    amount: Decimal
    currency: str


def _quote(body: object) -> QuoteShown | None:
    if not isinstance(body, dict):
        return None
    return QuoteShown(
        billable_minutes=int(body["billable_minutes"]),
        hourly_rate=Decimal(str(body["hourly_rate"])),
        amount=Decimal(str(body["amount"])),
        currency=str(body["currency"]),
    )


def _session(request: HttpRequest, session_id: int) -> TrainingSession:
    return engagements.session_for(actor_of(request), session_id)


def _back(session: TrainingSession, *, done: bool = True) -> HttpResponse:
    """Back to the contract page: at the session when the action went through (its new
    state is the answer), at the top when it was refused, where the refusal is shown."""
    url = reverse("engagements:contract", args=[session.contract_id])
    return redirect(f"{url}#session-{session.pk}" if done else url)


# The session forms whose refusal comes back filled: "Held" and "Move".
SESSION_ACTIONS = ("complete", "move")


def _session_refused(request: HttpRequest, session: TrainingSession, action: str) -> HttpResponse:
    """Back to the contract page (at its top, where the refusal shows), the refused form
    of the session open again there with everything typed in it."""
    return refused(
        request,
        reverse("engagements:contract", args=[session.contract_id]),
        action,
        of=session.pk,
        fields=SessionDraft.FIELDS,
    )


def _act_on_session(request: HttpRequest, call: Callable[[], object], *, done: str) -> bool:
    """``act`` for a session action whose billable minutes nobody accepted yet: the refusal
    names the minutes and their price in words and says which box to tick (the API's
    message names the request field)."""
    try:
        call()
    except BillableNotAccepted as refusal:
        quote = _quote(refusal.details.get("quote"))
        if quote is None:
            messages.error(request, refusal.render_message())
            return False
        values = {
            "counter": quote.billable_minutes,
            "amount": format_money(quote.amount, quote.currency),
            "rate": format_money(quote.hourly_rate, quote.currency),
        }
        messages.error(
            request,
            ngettext(
                "%(counter)s minute of this session is beyond what the package covers: it "
                "costs %(amount)s (%(rate)s an hour).",
                "%(counter)s minutes of this session are beyond what the package covers: "
                "they cost %(amount)s (%(rate)s an hour).",
                quote.billable_minutes,
            )
            % values
            + " "
            + (
                gettext(
                    "If the buyer agreed to pay it, tick the box that they accept the billed "
                    "minutes and try again."
                )
                if actor_of(request).is_staff
                else gettext(
                    "If you agree to pay it, tick the box that you accept the billed minutes "
                    "and try again."
                )
            ),
        )
        return False
    except SuccessKitError as refusal:
        messages.error(request, refusal.render_message())
        return False
    messages.success(request, done)
    return True


@login_required
@require_POST
def complete_session(request: HttpRequest, session_id: int) -> HttpResponse:
    """Staff record that a session was held, with its actual minutes."""
    session = _session(request, session_id)
    form = CompleteForm(request.POST, contract=session.contract)
    if not form.is_valid():
        form_refused(request, form)
        return _session_refused(request, session, "complete")
    done = _act_on_session(
        request,
        lambda: engagements.complete_session(
            actor_of(request),
            session,
            actual_minutes=form.cleaned_data["actual_minutes"],
            accept_billable=form.cleaned_data["accept_billable"],
            on_behalf_of_contact_id=form.cleaned_data["agreed_by"],
        ),
        done=gettext("The session is recorded as held."),
    )
    return _back(session) if done else _session_refused(request, session, "complete")


@login_required
@require_POST
def record_no_show(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    done = act(
        request,
        lambda: engagements.record_no_show(actor_of(request), session),
        done=gettext("The session is recorded as a no-show."),
    )
    return _back(session, done=done)


@login_required
@require_POST
def move_session(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = actor_of(request)
    session = engagements.session_for(actor, session_id)
    form = MoveForm(
        request.POST,
        timezone_name=session.contract.organization.timezone,
        contract=session.contract if actor.is_staff else None,
    )
    if not form.is_valid():
        form_refused(request, form)
        return _session_refused(request, session, "move")
    done = _act_on_session(
        request,
        lambda: engagements.move_session(
            actor,
            session,
            starts_at=form.cleaned_data["starts_at"],
            accept_billable=form.cleaned_data["accept_billable"],
            on_behalf_of_contact_id=form.cleaned_data.get("agreed_by"),
        ),
        done=gettext("The session is moved."),
    )
    return _back(session) if done else _session_refused(request, session, "move")


@login_required
@require_POST
def add_material(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        form_refused(request, form)
        return _back(session, done=False)
    done = act(
        request,
        lambda: engagements.add_material(
            actor_of(request),
            session,
            title=form.cleaned_data["title"],
            url=form.cleaned_data["url"],
            upload=form.cleaned_data["upload"],
        ),
        done=gettext("The material is handed to the buyer."),
    )
    return _back(session, done=done)


@login_required
@require_POST
def cancel_session(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = actor_of(request)
    session = engagements.session_for(actor, session_id)
    by = "buyer" if actor.is_contact else request.POST.get("by", "vendor")
    done = act(
        request,
        lambda: engagements.cancel_session(actor, session, by=by),
        done=gettext("The session is cancelled."),
    )
    return _back(session, done=done)


@login_required
def session_ics(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = actor_of(request)
    session = engagements.session_for(actor, session_id)
    return calendar_download(
        session_calendar(session, language_of(request)), f"session-{session.pk}"
    )


# --- the term and the parties ---------------------------------------------------------------


def _contract_back(contract: Contract, anchor: str) -> HttpResponse:
    return redirect(reverse("engagements:contract", args=[contract.pk]) + f"#{anchor}")


def _posted_id(data: QueryDict, name: str) -> int:
    value = data.get(name, "")
    return int(value) if value.isdecimal() and len(value) < 12 else 0


@login_required
@require_POST
def change_term(request: HttpRequest, contract_id: int) -> HttpResponse:
    """Account staff move the contract's end date (sessions and health checks follow)."""
    actor = actor_of(request)
    contract = contract_for(actor, contract_id)
    try:
        end_date = date.fromisoformat(request.POST.get("end_date", ""))
    except ValueError:
        messages.error(request, gettext("Give the new end date as a calendar day."))
        return _contract_back(contract, "term")
    act(
        request,
        lambda: contract_flows.change_contract(actor, contract, end_date=end_date),
        done=gettext("The contract's term is changed."),
    )
    return _contract_back(contract, "term")


@login_required
@require_POST
def reassign_representative(request: HttpRequest, contract_id: int) -> HttpResponse:
    """An admin gives the contract another representative."""
    actor = actor_of(request)
    contract = contract_for(actor, contract_id)
    act(
        request,
        lambda: contract_flows.change_contract(
            actor, contract, representative_id=_posted_id(request.POST, "representative")
        ),
        done=gettext("The contract has a new representative."),
    )
    return _contract_back(contract, "parties")


@login_required
@require_POST
def set_counterpart(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The buyer's counterpart: one of the organization's contacts, chosen by one of them
    (or by account staff)."""
    actor = actor_of(request)
    contract = contract_for(actor, contract_id)
    act(
        request,
        lambda: contract_flows.change_contract(
            actor, contract, buyer_contact_id=_posted_id(request.POST, "contact")
        ),
        done=gettext("The counterpart is changed."),
    )
    return _contract_back(contract, "parties")
