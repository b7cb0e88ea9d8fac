"""API v1: health checks — a contract's list, one check, scheduling, completing, and the
portfolio's compliance."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from pydantic import Field

from successkit.accounts.actors import actor_of
from successkit.contracts.services import contract_for
from successkit.core.pagination import page, window
from successkit.core.schemas import FORBIDDEN, Day, Id, InSchema, Instant, errors, object_id, one_of
from successkit.healthchecks import rules, services
from successkit.healthchecks.models import HealthCheck

router = Router(tags=["health checks"])

PackageCode = Annotated[str, one_of(("launch_kit", "pro_lite", "premium"))]


class ActionItemSchema(Schema):
    description: str
    owner: str = Field(description="Who will do it (a name, on either side)")
    due_on: date


class ActionItemIn(InSchema):
    description: str
    owner: str = Field(description="Who will do it (a name, on either side)")
    due_on: Day


class HealthCheckOut(Schema):
    id: str
    contract_id: str
    number: int = Field(description="1 for the first period")
    period_start: date
    period_end: date
    status: Annotated[str, one_of(rules.HealthCheckStatus)] = Field(
        description="due, scheduled, completed or missed (a period that ended, in the "
        "organization's time zone, without a completed check)"
    )
    scheduled_for: datetime | None = Field(description="In the organization's time zone")
    staff_id: str | None = Field(description="Who will hold it (scheduled) or held it")
    attendees: list[str]
    held_on: date | None
    recorded_late: bool = Field(
        description="Completed, held inside its period but recorded after the period ended"
    )
    summary: str
    overall_status: Annotated[str, one_of(rules.OverallStatus)] | None = Field(
        description="green, amber or red"
    )
    action_items: list[ActionItemSchema]
    report_url: str | None = Field(description="The one-page report page, once completed")
    report_pdf_url: str | None = Field(description="The report as PDF, once completed")


class HealthCheckPage(Schema):
    items: list[HealthCheckOut]
    next: str | None


class ScheduleIn(InSchema):
    scheduled_for: Instant = Field(description="ISO 8601 with offset, inside the period")
    staff_id: Id
    attendees: list[str] = []


class HealthCheckCompleteIn(InSchema):
    held_on: Day = Field(description="A day inside the period, not in the future")
    staff_id: Id
    summary: str
    overall_status: Annotated[str, one_of(rules.OverallStatus)] | None = None
    action_items: list[ActionItemIn] = []
    attendees: list[str] | None = None


class TallyOut(Schema):
    owed: int
    completed: int
    completed_on_time: int = Field(description="Of completed: recorded before its period ended")
    completed_late: int = Field(
        description="Of completed: held inside its period, recorded after it ended"
    )
    scheduled: int
    due: int
    missed: int


class RepresentativeTallyOut(TallyOut):
    representative_id: str
    name: str


class PackageTallyOut(TallyOut):
    package: PackageCode
    name: str


class NeedingADateOut(Schema):
    id: str
    contract_id: str
    organization_id: str
    organization: str
    package: PackageCode
    representative_id: str
    number: int
    period_start: date
    period_end: date


class ComplianceOut(Schema):
    totals: TallyOut
    by_representative: list[RepresentativeTallyOut]
    by_package: list[PackageTallyOut]
    needing_a_date: list[NeedingADateOut] = Field(
        description="Checks still without a date whose period overlaps the next 30 days "
        "(today in each organization's time zone), soonest deadline first: one page of "
        "them, chosen by ?limit=&offset= like every list"
    )
    needing_a_date_next: str | None = Field(
        None, description="The next page of needing_a_date, or null on the last"
    )


def health_check_out(request: HttpRequest, check: HealthCheck) -> dict[str, object]:
    completed = check.state == rules.HealthCheckState.COMPLETED
    zone = ZoneInfo(check.contract.organization.timezone)
    report = reverse("healthchecks:report", args=[check.pk]) if completed else None
    report_pdf = reverse("healthchecks:report_pdf", args=[check.pk]) if completed else None
    return {
        "id": str(check.pk),
        "contract_id": str(check.contract_id),
        "number": check.number,
        "period_start": check.period_start,
        "period_end": check.period_end,
        "status": check.status().value,
        "scheduled_for": check.scheduled_for.astimezone(zone) if check.scheduled_for else None,
        "staff_id": str(check.staff_id) if check.staff_id else None,
        "attendees": list(check.attendees),
        "held_on": check.held_on,
        "recorded_late": check.recorded_late,
        "summary": check.summary,
        "overall_status": check.overall_status or None,
        "action_items": [
            {"description": item.description, "owner": item.owner, "due_on": item.due_on}
            for item in check.action_items.all()
        ],
        "report_url": request.build_absolute_uri(report) if report else None,
        "report_pdf_url": request.build_absolute_uri(report_pdf) if report_pdf else None,
    }


def _tally(counts: rules.Tally) -> dict[str, int]:
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
    actor = actor_of(request)
    return actor.get(
        services.visible_health_checks(actor), object_id(check_id), "contract__organization"
    )


@router.get(
    "/contracts/{contract_id}/health-checks",
    **errors(r200=HealthCheckPage),
    summary="A contract's health checks, one per period",
)
def list_health_checks(request: HttpRequest, contract_id: str) -> dict[str, object]:
    contract = contract_for(actor_of(request), object_id(contract_id))
    checks = services.visible_health_checks(actor_of(request)).filter(contract=contract)
    return page(request, checks.order_by("period_index"), lambda c: health_check_out(request, c))


# Declared before /health-checks/{check_id} so that "compliance" is not taken for an id.
@router.get(
    "/health-checks/compliance",
    **errors(FORBIDDEN, r200=ComplianceOut),
    summary="Owed vs delivered vs missed across the portfolio (staff)",
)
def compliance(request: HttpRequest) -> dict[str, object]:
    report = services.compliance(actor_of(request))
    needing, needing_next = window(request, report.needing_a_date)
    return {
        "totals": _tally(report.total),
        "by_representative": [
            {"representative_id": row.key, "name": row.label, **_tally(row.tally)}
            for row in report.by_representative
        ],
        "by_package": [
            {"package": row.key, "name": row.label, **_tally(row.tally)}
            for row in report.by_package
        ],
        "needing_a_date": [
            {
                "id": str(check.pk),
                "contract_id": str(check.contract_id),
                "organization_id": str(check.contract.organization_id),
                "organization": check.contract.organization.name,
                "package": check.contract.package.code,
                "representative_id": str(check.contract.representative_id),
                "number": check.number,
                "period_start": check.period_start,
                "period_end": check.period_end,
            }
            for check in needing
        ],
        "needing_a_date_next": needing_next,
    }


@router.get("/health-checks/{check_id}", **errors(r200=HealthCheckOut), summary="A health check")
def get_health_check(request: HttpRequest, check_id: str) -> dict[str, object]:
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
) -> dict[str, object]:
    check = services.schedule_health_check(
        actor_of(request),
        health_check_for(request, check_id),
        scheduled_for=payload.scheduled_for,
        staff_id=object_id(payload.staff_id, "staff_id"),
        attendees=payload.attendees,
    )
    return health_check_out(request, health_check_for(request, str(check.pk)))


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
) -> dict[str, object]:
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
