"""The shell of the pages: the home page (every visible contract at a glance); sign-in
and the base template live beside it. Each app's own pages are in its ``views.py``."""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import i18n
from django.views.decorators.http import require_POST

from successkit.accounts import services as accounts
from successkit.accounts.actors import actor_of
from successkit.accounts.models import Contact
from successkit.accounts.services import live_tokens, revoke_token_of
from successkit.contracts.models import Contract
from successkit.core.errors import NotFound, SuccessKitError
from successkit.core.schemas import object_id
from successkit.core.spreadsheet import SafeWriter
from successkit.flows import portfolio


def language_of(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", "en"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if actor.is_staff:
        return cockpit(request)
    rows = portfolio.contracts_at_a_glance(actor, language_of(request))
    return render(request, "portal/home.html", {"rows": rows, "actor": actor})


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API tokens that still work; each can be revoked here."""
    user = actor_of(request).user
    if request.method == "POST":
        try:
            revoke_token_of(user, object_id(request.POST.get("token", "")))
        except SuccessKitError as refusal:
            messages.error(request, refusal.render_message())
        else:
            messages.success(request, gettext("The token is revoked: it no longer works."))
        return redirect("portal:tokens")
    return render(request, "portal/tokens.html", {"tokens": live_tokens(user)})


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
    organization = (
        None
        if actor.organization_id is None
        else accounts.organization_for(actor, actor.organization_id)
    )
    return render(request, "portal/profile.html", {"actor": actor, "organization": organization})


COCKPIT_PAGE_SIZE = 25


def cockpit(request: HttpRequest) -> HttpResponse:
    """Staff home: the portfolio with what needs attention on top; "my accounts" by
    default for account managers and CSMs; filters, sort, search, paging, CSV."""
    actor = actor_of(request)
    query = request.GET
    owner = portfolio.is_account_owner(actor)
    mine = query.get("accounts", "mine" if owner else "all") == "mine"
    try:
        representative = int(query.get("representative") or 0) or None
    except ValueError:
        representative = None
    calendar = portfolio.calendar()
    contracts = portfolio.portfolio(
        actor,
        mine=mine,
        package=query.get("package", ""),
        phase=query.get("phase", ""),
        representative=representative,
        search=query.get("q", "").strip()[:100],
        attention_only=query.get("attention") == "1",
        sort=query.get("sort", "attention"),
        calendar=calendar,
    )
    if query.get("format") == "csv":
        return _cockpit_csv(contracts)
    order = portfolio.ranked(contracts)
    page = Paginator(order, COCKPIT_PAGE_SIZE).get_page(query.get("page"))
    params = query.copy()
    params.pop("page", None)
    rows, attention = portfolio.page_and_attention(
        contracts, order, [pk for pk, _count in page.object_list], calendar=calendar
    )
    context = {
        "actor": actor,
        "page": page,
        "rows": rows,
        "attention": attention,
        "waiting": portfolio.waiting_on_vendor(actor, mine=mine),
        "mine": mine,
        "owner": owner,
        "query": query,
        "params": params.urlencode(),
        "packages": portfolio.package_choices(),
        # Ready to print (one of 169 options at 10,000 contracts cost the template more
        # than a contract's card); only "all accounts" offers the choice.
        "representatives": []
        if mine
        else [
            (str(pk), name, str(pk) == query.get("representative"))
            for pk, name in portfolio.representative_choices()
        ],
        "sorts": portfolio.SORTS,
        "total": len(order),
    }
    return render(request, "portal/cockpit.html", context)


CSV_CHUNK = 500


def _cockpit_csv(contracts: QuerySet[Contract]) -> HttpResponse:
    """The whole filtered portfolio, read a chunk of contracts at a time
    (``portfolio.rows_in_chunks``)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="portfolio.csv"'
    response.write("\ufeff")
    writer = SafeWriter(csv.writer(response))  # cells that look like formulas stay text
    writer.writerow(
        [
            gettext("Organization"),
            gettext("Package"),
            gettext("Phase"),
            gettext("Representative"),
            gettext("Training used"),
            gettext("Reserved"),
            gettext("Left"),
            gettext("Usable until"),
            gettext("Health checks completed"),
            gettext("Health checks owed"),
            gettext("Health checks missed"),
            gettext("Open cases"),
            gettext("Escalated cases"),
            gettext("Unbilled"),
            gettext("Currency"),
            gettext("Unbilled since"),
            gettext("Days to end"),
        ]
    )
    for row in portfolio.rows_in_chunks(contracts, CSV_CHUNK):
        writer.writerow(
            [
                row.contract.organization.name,
                row.package_name,
                row.phase,
                row.contract.representative.name,
                row.training.used_minutes,
                row.training.reserved_minutes,
                row.training.remaining_minutes,
                row.training.window.end.isoformat(),
                row.checks.completed,
                row.checks.owed,
                row.checks.missed,
                row.open_cases,
                row.escalated_cases,
                f"{row.unbilled_amount:.2f}",
                row.contract.currency,
                row.unbilled_since.isoformat() if row.unbilled_since else "",
                row.days_to_end,
            ]
        )
    return response


class InviteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"))
    language = forms.ChoiceField(label=_("Language of their pages and messages"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [(code, str(name)) for code, name in settings.LANGUAGES]


@login_required
def colleagues(request: HttpRequest) -> HttpResponse:
    """A buyer contact's colleagues (their organization's contacts) and inviting one: the
    new contact gets a mail with a link to choose their password."""
    actor = actor_of(request)
    if actor.organization_id is None:
        raise NotFound()
    form = InviteForm(request.POST or None, initial={"language": language_of(request)})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            contact = accounts.invite_colleague(
                actor,
                actor.organization_id,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                language=form.cleaned_data["language"],
            )
        except SuccessKitError as refusal:
            form.add_error(None, refusal.render_message())
            status = refusal.status
        else:
            _mail_invitation(request, contact, invited_by=actor.user.name)
            messages.success(
                request,
                gettext("%(name)s is invited: they get a mail to choose their password.")
                % {"name": contact.user.name},
            )
            return redirect("portal:colleagues")
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "portal/colleagues.html",
        {"colleagues": accounts.colleagues(actor, actor.organization_id), "form": form},
        status=status,
    )


def _mail_invitation(request: HttpRequest, contact: Contact, *, invited_by: str) -> None:
    """Django's password-reset machinery (its token, its confirmation page) with a mail
    that says who invited them, in the invitee's language."""
    user = contact.user
    context = {
        "user": user,
        "invited_by": invited_by,
        "organization": contact.organization.name,
        "domain": request.get_host(),
        "protocol": "https" if request.is_secure() else "http",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    with translation.override(user.language):
        PasswordResetForm().send_mail(
            "portal/invitation_subject.txt",
            "portal/invitation_email.txt",
            context,
            None,
            user.email,
        )
