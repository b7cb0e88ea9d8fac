"""Pages: a contract's health checks, the one-page report (HTML and PDF), and the
portfolio's compliance for staff. Thin views over the same services as the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import actor_of
from successkit.catalog.services import localized
from successkit.contracts.services import visible_contracts
from successkit.core.errors import InvalidState
from successkit.healthchecks import report, services
from successkit.healthchecks.models import HealthCheck, HealthCheckState


def _completed_check(request: HttpRequest, check_id: int) -> HealthCheck:
    actor = actor_of(request)
    check = actor.get(services.visible_health_checks(actor), check_id, "contract__organization")
    if check.state != HealthCheckState.COMPLETED:
        raise InvalidState(_("The report is available once the health check is completed."))
    return check


@login_required
def contract_health_checks(request: HttpRequest, contract_id: int) -> HttpResponse:
    actor = actor_of(request)
    contract = actor.get(
        visible_contracts(actor).prefetch_related("package__translations"), contract_id
    )
    today = contract.today()
    checks = [
        {"check": check, "status": check.status(today)}
        for check in services.visible_health_checks(actor)
        .filter(contract=contract)
        .order_by("period_index")
    ]
    return render(
        request,
        "healthchecks/contract.html",
        {
            "contract": contract,
            "package": localized(contract.package, request.LANGUAGE_CODE),
            "checks": checks,
        },
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
    return render(request, "healthchecks/compliance.html", {"compliance": result})
