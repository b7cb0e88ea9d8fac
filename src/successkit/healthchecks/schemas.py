"""The shapes of the healthchecks API (API v1): its request bodies, query strings and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from successkit.core.pagination import Page
from successkit.core.schemas import Day, Id, InSchema, Instant, one_of
from successkit.healthchecks import rules

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


class HealthCheckPage(Page[HealthCheckOut]):
    pass


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
