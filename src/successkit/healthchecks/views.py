"""Pages: a contract's health checks, the one-page report (HTML and PDF), and the
portfolio's compliance for staff. Thin views over the same services as the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from successkit.accounts.actors import actor_of
from successkit.catalog.services import localized
from successkit.contracts.models import Contract
from successkit.core.calendar import calendar_download
from successkit.core.errors import SuccessKitError, ValidationFailed
from successkit.core.pages import act, form_refused, refused, refused_form
from successkit.healthchecks import report, services
from successkit.healthchecks.calendar import health_check_download
from successkit.healthchecks.forms import ACTION_ROWS, ReportForm, ScheduleForm
from successkit.healthchecks.models import HealthCheck


def _completed_check(request: HttpRequest, check_id: int) -> HealthCheck:
    return services.completed_health_check(actor_of(request), check_id)


@dataclass(frozen=True)
class ActionDraft:
    number: int
    description: str = ""
    owner: str = ""
    due_on: str = ""


@dataclass(frozen=True)
class ReportDraft:
    """What the report form of one check shows: empty, or what was typed into it when the
    report was refused (so nothing typed is lost)."""

    open: bool = False
    held_on: str = ""
    staff: int | None = None
    overall_status: str = ""
    summary: str = ""
    actions: tuple[ActionDraft, ...] = field(
        default_factory=lambda: tuple(ActionDraft(n) for n in range(ACTION_ROWS))
    )

    @classmethod
    def typed(cls, data: QueryDict) -> ReportDraft:
        staff = data.get("staff", "")
        return cls(
            open=True,
            held_on=data.get("held_on", ""),
            staff=int(staff) if staff.isdecimal() and len(staff) < 12 else None,
            overall_status=data.get("overall_status", ""),
            summary=data.get("summary", ""),
            actions=tuple(
                ActionDraft(
                    n,
                    data.get(f"action_{n}_description", ""),
                    data.get(f"action_{n}_owner", ""),
                    data.get(f"action_{n}_due_on", ""),
                )
                for n in range(ACTION_ROWS)
            ),
        )


@login_required
def contract_health_checks(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The contract's checks; a report refused just before comes back with its form open
    and filled as it was sent."""
    actor = actor_of(request)
    contract = services.contract_for_page(actor, contract_id)
    kept = refused_form(request, reverse("healthchecks:contract", args=[contract.pk]))
    if kept is None or kept.kind != "report":
        return _checks_page(request, contract)
    return _checks_page(request, contract, draft_of=kept.of, draft=ReportDraft.typed(kept.typed))


def _checks_page(
    request: HttpRequest,
    contract: Contract,
    *,
    draft_of: int | None = None,
    draft: ReportDraft | None = None,
) -> HttpResponse:
    """The contract's checks; ``draft`` fills the report form of check ``draft_of``."""
    actor = actor_of(request)
    today = contract.today()
    blank = ReportDraft()
    checks = [
        {
            "check": check,
            "status": check.status(today),
            "draft": draft if draft is not None and check.pk == draft_of else blank,
        }
        for check in services.health_checks_of(actor, contract)
    ]
    return render(
        request,
        "healthchecks/contract.html",
        {
            "contract": contract,
            "package": localized(contract.package, request.LANGUAGE_CODE),
            "checks": checks,
            "actor": actor,
            "staff": list(services.eligible_staff(contract)) if actor.is_staff else [],
            "today": today,
        },
    )


def _check(request: HttpRequest, check_id: int) -> HealthCheck:
    return services.health_check_for(actor_of(request), check_id)


def _back(check: HealthCheck, *, done: bool = True) -> HttpResponse:
    """Back to the checks: at the check when the action went through, at the top (where
    the refusal is shown) when it was refused."""
    url = reverse("healthchecks:contract", args=[check.contract_id])
    return redirect(f"{url}#check-{check.pk}" if done else url)


@login_required
@require_POST
def schedule_check(request: HttpRequest, check_id: int) -> HttpResponse:
    check = _check(request, check_id)
    form = ScheduleForm(request.POST, timezone_name=check.contract.organization.timezone)
    if not form.is_valid():
        form_refused(request, form)
        return _back(check, done=False)
    done = act(
        request,
        lambda: services.schedule_health_check(
            actor_of(request),
            check,
            scheduled_for=form.cleaned_data["scheduled_for"],
            staff_id=form.cleaned_data["staff"],
        ),
        done=gettext("The health check is scheduled."),
    )
    return _back(check, done=done)


@login_required
@require_POST
def unschedule_check(request: HttpRequest, check_id: int) -> HttpResponse:
    check = _check(request, check_id)
    done = act(
        request,
        lambda: services.unschedule_health_check(actor_of(request), check),
        done=gettext("The date is cancelled: the health check needs a new one."),
    )
    return _back(check, done=done)


@login_required
def check_ics(request: HttpRequest, check_id: int) -> HttpResponse:
    check = _check(request, check_id)
    return calendar_download(
        health_check_download(check, request.LANGUAGE_CODE), f"health-check-{check.pk}"
    )


@login_required
@require_POST
def complete_check(request: HttpRequest, check_id: int) -> HttpResponse:
    check = _check(request, check_id)
    form = ReportForm(request.POST)
    if not form.is_valid():
        form_refused(request, form)
        return _report_refused(request, check, form)
    try:
        items = [services.ActionItemIn(**item) for item in form.action_items() if item["due_on"]]
        if len(items) != len(form.action_items()):
            raise ValidationFailed(
                _("Each action item needs a due date."), details={"field": "action_items"}
            )
        services.complete_health_check(
            actor_of(request),
            check,
            held_on=form.cleaned_data["held_on"],
            staff_id=form.cleaned_data["staff"],
            summary=form.cleaned_data["summary"],
            overall_status=form.cleaned_data["overall_status"],
            action_items=items,
        )
    except SuccessKitError as refusal:
        messages.error(request, refusal.render_message())
        return _report_refused(request, check, form)
    messages.success(request, gettext("The health check is recorded; its report is ready."))
    return redirect("healthchecks:report", check_id=check.pk)


def _report_refused(request: HttpRequest, check: HealthCheck, form: ReportForm) -> HttpResponse:
    """Back to the checks page (at its top, where the refusal shows), the refused report's
    form open again there with everything typed in it."""
    return refused(
        request,
        reverse("healthchecks:contract", args=[check.contract_id]),
        "report",
        of=check.pk,
        fields=form.fields,
    )


@login_required
def report_page(request: HttpRequest, check_id: int) -> HttpResponse:
    check = _completed_check(request, check_id)
    return render(
        request,
        "healthchecks/report.html",
        {"check": check, "report": report.build_report(check)},
    )


@login_required
def report_pdf(request: HttpRequest, check_id: int) -> HttpResponse:
    check = _completed_check(request, check_id)
    pdf = report.render_pdf(report.build_report(check))
    name = slugify(f"health-check-{check.contract.organization.name}-{check.number}")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@login_required
def compliance_page(request: HttpRequest) -> HttpResponse:
    result = services.compliance(actor_of(request))
    needing = Paginator(result.needing_a_date, NEEDING_A_DATE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "healthchecks/compliance.html", {"compliance": result, "needing": needing}
    )


NEEDING_A_DATE_PER_PAGE = 50
