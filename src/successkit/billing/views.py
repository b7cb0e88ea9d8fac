"""Pages: what finance can bill, issuing statements, and statements for staff and buyers.
Thin views over the same services as the API; refusals render as the refusal page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from successkit.accounts.actors import actor_of
from successkit.accounts.roles import Duty
from successkit.billing import exports, services
from successkit.billing.forms import AdjustmentForm, IssueForm, cleaned
from successkit.catalog.services import localized
from successkit.contracts.services import contract_for

STATEMENTS_PER_PAGE = 50


UNBILLED_PER_PAGE = 25
UNBILLED_SORTS = ("age", "organization")


@login_required
def unbilled(request: HttpRequest) -> HttpResponse:
    """Every contract with something billable not yet on a statement (staff), oldest
    unbilled line first, a page at a time: the same few queries for any portfolio."""
    actor = actor_of(request)
    actor.require_staff()
    sort = request.GET.get("sort", "age")
    if sort not in UNBILLED_SORTS:
        sort = "age"
    page = Paginator(services.unbilled_portfolio(sort), UNBILLED_PER_PAGE).get_page(
        request.GET.get("page")
    )
    billings = services.unbilled_of(page.object_list)
    rows = []
    for contract in page.object_list:
        billing = billings[contract.pk]
        today = contract.today()
        days = [line.delivered_on for line in billing.lines] or [today]
        since = min(days) if billing.lines else None
        form = IssueForm(
            initial={"contract": contract.pk, "period_start": min(days), "period_end": max(days)}
        )
        rows.append(
            {
                "contract": contract,
                "package": localized(contract.package, request.LANGUAGE_CODE).name,
                "billing": billing,
                "since": since,
                "age": (today - since).days if since else None,
                "form": form,
            }
        )
    context: dict[str, Any] = {
        "rows": rows,
        "page": page,
        "sort": sort,
        "statements": services.statements_of(actor)[:10],
        "can_issue": actor.may(Duty.BILL),
        "actor": actor,
    }
    return render(request, "billing/unbilled.html", context)


@login_required
def issue(request: HttpRequest) -> HttpResponse:
    """Issuing a numbered statement cannot be undone: GET shows exactly what it will
    freeze (lines, corrections, total) and asks; POST issues."""
    actor = actor_of(request)
    if request.method != "POST":
        actor.require(Duty.BILL)
        values = cleaned(IssueForm(request.GET))
        contract = contract_for(actor, values["contract"])
        period = services.clean_period(values["period_start"], values["period_end"])  # type: ignore[arg-type]
        billing = services.unbilled(contract, period)
        context = {
            "contract": contract,
            "package": localized(contract.package, request.LANGUAGE_CODE).name,
            "billing": billing,
            "total": billing.unbilled_total + billing.pending_adjustments_total,
            "period": period,
            "actor": actor,
        }
        return render(request, "billing/issue_confirm.html", context)
    values = cleaned(IssueForm(request.POST))
    contract = contract_for(actor, values["contract"])
    statement = services.issue_statement(
        actor,
        contract,
        period_start=values["period_start"],  # type: ignore[arg-type]
        period_end=values["period_end"],  # type: ignore[arg-type]
    )
    messages.success(request, _("Statement %(number)s issued.") % {"number": statement.code})
    return redirect("billing:statement", statement_id=statement.pk)


@login_required
def statements(request: HttpRequest) -> HttpResponse:
    """The statements the signed-in user may read: all for staff, their own for buyers."""
    actor = actor_of(request)
    page = Paginator(services.statements_of(actor), STATEMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "billing/statements.html", {"page": page, "actor": actor})


@login_required
def statement(request: HttpRequest, statement_id: int) -> HttpResponse:
    actor = actor_of(request)
    shown = services.statement_for(actor, statement_id)
    document = exports.statement_document(shown, request.LANGUAGE_CODE)
    corrections = services.corrections_of(shown)
    can_correct = actor.may(Duty.BILL)
    form = AdjustmentForm()
    form.fields["line"].widget.choices = [("", "—")] + [
        (pk, f"{position}") for pk, position in services.line_positions(shown)
    ]
    context = {
        "statement": shown,
        "document": document,
        "corrections": corrections,
        "can_correct": can_correct,
        "form": form,
        "actor": actor,
    }
    return render(request, "billing/statement.html", context)


@login_required
@require_POST
def adjust(request: HttpRequest, statement_id: int) -> HttpResponse:
    actor = actor_of(request)
    corrected = services.statement_for(actor, statement_id)
    values = cleaned(AdjustmentForm(request.POST))
    services.record_adjustment(
        actor,
        corrected,
        amount=str(values["amount"]),
        reason=str(values["reason"]),
        line_id=values["line"],  # type: ignore[arg-type]
    )
    messages.success(
        request,
        _("Correction recorded: the next statement of this contract will carry it."),
    )
    return redirect("billing:statement", statement_id=corrected.pk)


def _download(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def statement_csv(request: HttpRequest, statement_id: int) -> HttpResponse:
    shown = services.statement_for(actor_of(request), statement_id)
    language = exports.export_language(shown, request.GET.get("language"))
    return _download(
        exports.statement_csv(shown, language),
        "text/csv; charset=utf-8",
        f"{shown.code}-{language}.csv",
    )


@login_required
def statement_pdf(request: HttpRequest, statement_id: int) -> HttpResponse:
    shown = services.statement_for(actor_of(request), statement_id)
    language = exports.export_language(shown, request.GET.get("language"))
    return _download(
        exports.statement_pdf(shown, language), "application/pdf", f"{shown.code}-{language}.pdf"
    )
