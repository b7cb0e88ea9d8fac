"""The shapes of the billing API (API v1): its request bodies, query strings and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from successkit.core.pagination import Page
from successkit.core.schemas import (
    AmountText,
    Currency,
    CurrencyCode,
    Day,
    HourlyRateText,
    Id,
    InSchema,
    one_of,
)

SessionTypeCode = Annotated[
    str, one_of(("kickoff", "implementation", "software_training", "additional_training"))
]


class RateIn(InSchema):
    currency: Currency
    hourly_rate: HourlyRateText
    effective_from: Day


class RateOut(Schema):
    id: str
    currency: CurrencyCode
    hourly_rate: str
    effective_from: date


class RatePage(Page[RateOut]):
    pass


class BillingLineOut(Schema):
    session_id: str
    type: SessionTypeCode = Field(description="The session type, e.g. additional_training")
    delivered_on: date = Field(description="The session's day in the buyer's time zone")
    minutes: int = Field(description="Billable minutes")
    hourly_rate: str = Field(description="The rate in force on delivered_on, fixed at delivery")
    amount: str = Field(description="minutes at hourly_rate, rounded half-up to the cent")
    status: Annotated[str, one_of(("billed", "unbilled"))] = Field(
        description="billed (on a statement, frozen) or unbilled"
    )
    statement_id: str | None
    statement_number: str | None


class BillingOut(Schema):
    contract_id: str
    currency: CurrencyCode
    lines: list[BillingLineOut]
    total: str = Field(description="Every line, billed and unbilled")
    billed_total: str
    unbilled_total: str
    pending_adjustments_total: str = Field(
        description="Corrections that the contract's next statement will carry"
    )


class StatementIn(InSchema):
    period_start: Day
    period_end: Day = Field(description="Included; lines are chosen by their delivery day")


class StatementLineOut(Schema):
    id: str
    position: int
    kind: Annotated[str, one_of(("session", "adjustment"))] = Field(
        description="session or adjustment"
    )
    session_id: str | None
    type: SessionTypeCode | None = Field(description="The session type of a session line")
    delivered_on: date | None
    minutes: int | None
    hourly_rate: str | None
    amount: str
    adjustment_id: str | None
    reason: str | None = Field(description="Why an adjustment line corrects an earlier one")
    corrects_statement_id: str | None
    corrects_line_id: str | None


class StatementOut(Schema):
    id: str
    number: str = Field(description="Gapless, e.g. ST-000001")
    contract_id: str
    organization_id: str
    billed_to: str
    period_start: date
    period_end: date
    currency: CurrencyCode
    issued_at: datetime
    issued_by_id: str | None = Field(description="None when issued from the command line")
    lines: list[StatementLineOut]
    total: str
    csv_url: str
    pdf_url: str


class StatementPage(Page[StatementOut]):
    pass


class AdjustmentIn(InSchema):
    amount: AmountText
    reason: str
    line_id: Id | None = Field(None, description="The corrected line of this statement")


class AdjustmentOut(Schema):
    id: str
    contract_id: str
    corrects_statement_id: str
    corrects_statement_number: str
    corrects_line_id: str | None
    amount: str
    currency: CurrencyCode
    reason: str
    created_at: datetime
    status: Annotated[str, one_of(("pending", "billed"))] = Field(
        description="pending (for the next statement) or billed"
    )
    statement_id: str | None = Field(description="The statement that billed it")


class AdjustmentPage(Page[AdjustmentOut]):
    pass


class UnbilledLineOut(Schema):
    session_id: str
    delivered_on: date
    minutes: int
    hourly_rate: str | None = Field(description="None: no rate is in force on that day")
    amount: str | None


class UnbilledOut(Schema):
    contract_id: str
    organization_id: str
    organization_name: str
    currency: CurrencyCode
    lines: list[UnbilledLineOut]
    total: str = Field(description="The priced lines")
    unpriced_lines: int = Field(description="Lines on days without a rate: cannot be issued")
    pending_adjustments_total: str


class UnbilledPage(Page[UnbilledOut]):
    pass


class ExportQuery(Schema):
    language: Literal["en", "es"] | None = Field(
        None, description="Default: the buyer organization's language"
    )


class PeriodQuery(Schema):
    period_start: Day | None = None
    period_end: Day | None = None
