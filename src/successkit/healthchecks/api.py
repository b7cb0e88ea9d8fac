"""API v1: health checks — a contract's list, one check, scheduling, completing, and the
portfolio's compliance."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router

from successkit.accounts.actors import actor_of
from successkit.contracts.services import contract_for
from successkit.core.calendar import calendar_download
from successkit.core.pagination import Page, page, window
from successkit.core.schemas import FORBIDDEN, errors, object_id
from successkit.healthchecks import rules, services
from successkit.healthchecks.calendar import health_check_download
from successkit.healthchecks.models import HealthCheck
from successkit.healthchecks.schemas import (
    ActionItemSchema,
    ComplianceOut,
    HealthCheckCompleteIn,
    HealthCheckOut,
    HealthCheckPage,
    NeedingADateOut,
    PackageTallyOut,
    RepresentativeTallyOut,
    ScheduleIn,
    TallyOut,
)

router = Router(tags=["health checks"])


def health_check_out(request: HttpRequest, check: HealthCheck) -> HealthCheckOut:
    completed = check.state == rules.HealthCheckState.COMPLETED
    zone = ZoneInfo(check.contract.organization.timezone)
    report = reverse("healthchecks:report", args=[check.pk]) if completed else None
    report_pdf = reverse("healthchecks:report_pdf", args=[check.pk]) if completed else None
    return HealthCheckOut.model_construct(
        id=str(check.pk),
        contract_id=str(check.contract_id),
        number=check.number,
        period_start=check.period_start,
        period_end=check.period_end,
        status=check.status().value,
        scheduled_for=check.scheduled_for.astimezone(zone) if check.scheduled_for else None,
        staff_id=str(check.staff_id) if check.staff_id else None,
        attendees=list(check.attendees),
        held_on=check.held_on,
        recorded_late=check.recorded_late,
        summary=check.summary,
        overall_status=check.overall_status or None,
        action_items=[
            ActionItemSchema.model_construct(
                description=item.description, owner=item.owner, due_on=item.due_on
            )
            for item in check.action_items.all()  # prefetched by the services
        ],
        report_url=request.build_absolute_uri(report) if report else None,
        report_pdf_url=request.build_absolute_uri(report_pdf) if report_pdf else None,
    )


def _tally(counts: rules.Tally) -> dict[str, int]:
    """A tally's counts: the fields every tally schema shares (``TallyOut``)."""
    return {
        "owed": counts.owed,
        "completed": counts.completed,
        "completed_on_time": counts.completed_on_time,
        "completed_late": counts.completed_late,
        "scheduled": counts.scheduled,
        "due": counts.due,
        "missed": counts.missed,
    }


def health_check_for(request: HttpRequest, check_id: str) -> HealthCheck:
    """A health check the caller may see, or ``not_found``."""
    return services.health_check_for(actor_of(request), object_id(check_id))


@router.get(
    "/contracts/{contract_id}/health-checks",
    **errors(r200=HealthCheckPage),
    summary="A contract's health checks, one per period",
)
def list_health_checks(request: HttpRequest, contract_id: str) -> Page[HealthCheckOut]:
    actor = actor_of(request)
    checks = services.health_checks_of(actor, contract_for(actor, object_id(contract_id)))
    return page(request, checks, lambda check: health_check_out(request, check))


# Declared before /health-checks/{check_id} so that "compliance" is not taken for an id.
@router.get(
    "/health-checks/compliance",
    **errors(FORBIDDEN, r200=ComplianceOut),
    summary="Owed vs delivered vs missed across the portfolio (staff)",
)
def compliance(request: HttpRequest) -> ComplianceOut:
    report = services.compliance(actor_of(request))
    needing, needing_next = window(request, report.needing_a_date)
    return ComplianceOut.model_construct(
        totals=TallyOut(**_tally(report.total)),
        by_representative=[
            RepresentativeTallyOut(representative_id=row.key, name=row.label, **_tally(row.tally))
            for row in report.by_representative
        ],
        by_package=[
            PackageTallyOut(package=row.key, name=row.label, **_tally(row.tally))
            for row in report.by_package
        ],
        needing_a_date=[
            NeedingADateOut.model_construct(
                id=str(check.pk),
                contract_id=str(check.contract_id),
                organization_id=str(check.contract.organization_id),
                organization=check.contract.organization.name,
                package=check.contract.package.code,
                representative_id=str(check.contract.representative_id),
                number=check.number,
                period_start=check.period_start,
                period_end=check.period_end,
            )
            for check in needing
        ],
        needing_a_date_next=needing_next,
    )


@router.get("/health-checks/{check_id}", **errors(r200=HealthCheckOut), summary="A health check")
def get_health_check(request: HttpRequest, check_id: str) -> HealthCheckOut:
    return health_check_out(request, health_check_for(request, check_id))


@router.post(
    "/health-checks/{check_id}/schedule",
    **errors(
        FORBIDDEN,
        "409 invalid_state",
        "409 staff_busy",
        "422 outside_period",
        "422 role_not_allowed",
        r200=HealthCheckOut,
    ),
    summary="Schedule (or reschedule) a health check inside its period",
)
def schedule_health_check(
    request: HttpRequest, check_id: str, payload: ScheduleIn
) -> HealthCheckOut:
    check = services.schedule_health_check(
        actor_of(request),
        health_check_for(request, check_id),
        scheduled_for=payload.scheduled_for,
        staff_id=object_id(payload.staff_id, "staff_id"),
        attendees=payload.attendees,
    )
    return health_check_out(request, health_check_for(request, str(check.pk)))


@router.post(
    "/health-checks/{check_id}/unschedule",
    **errors(FORBIDDEN, "409 invalid_state", r200=HealthCheckOut),
    summary="Take a scheduled health check's date away (it is due again)",
)
def unschedule_health_check(request: HttpRequest, check_id: str) -> HealthCheckOut:
    check = services.unschedule_health_check(actor_of(request), health_check_for(request, check_id))
    return health_check_out(request, health_check_for(request, str(check.pk)))


@router.get(
    "/health-checks/{check_id}/ics",
    **errors("409 invalid_state", r200=None, media="text/calendar"),
    summary="A scheduled health check as an iCalendar event (text/calendar)",
)
def health_check_ics(request: HttpRequest, check_id: str) -> HttpResponse:
    check = health_check_for(request, check_id)
    return calendar_download(
        health_check_download(check, actor_of(request).user.language), f"health-check-{check.pk}"
    )


@router.post(
    "/health-checks/{check_id}/complete",
    **errors(
        FORBIDDEN,
        "409 invalid_state",
        "422 outside_period",
        "422 role_not_allowed",
        r200=HealthCheckOut,
    ),
    summary="Record a health check as held",
)
def complete_health_check(
    request: HttpRequest, check_id: str, payload: HealthCheckCompleteIn
) -> HealthCheckOut:
    check = services.complete_health_check(
        actor_of(request),
        health_check_for(request, check_id),
        held_on=payload.held_on,
        staff_id=object_id(payload.staff_id, "staff_id"),
        summary=payload.summary,
        overall_status=payload.overall_status,
        action_items=[
            services.ActionItemIn(item.description, item.owner, item.due_on)
            for item in payload.action_items
        ],
        attendees=payload.attendees,
    )
    return health_check_out(request, health_check_for(request, str(check.pk)))
