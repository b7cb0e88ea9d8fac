"""API v1: the rate card, billable lines, statements and corrections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from successkit.accounts.actors import actor_of
from successkit.billing import exports, services
from successkit.billing.models import Adjustment, Statement, StatementLine
from successkit.billing.schemas import (
    AdjustmentIn,
    AdjustmentOut,
    AdjustmentPage,
    BillingLineOut,
    BillingOut,
    ExportQuery,
    PeriodQuery,
    RateIn,
    RateOut,
    RatePage,
    StatementIn,
    StatementLineOut,
    StatementOut,
    StatementPage,
    UnbilledLineOut,
    UnbilledOut,
    UnbilledPage,
)
from successkit.contracts.models import Contract
from successkit.contracts.services import contract_for
from successkit.core.errors import ValidationFailed
from successkit.core.pagination import Page, page
from successkit.core.schemas import (
    FORBIDDEN,
    errors,
    object_id,
)
from successkit.flows import rates
from successkit.pricing.models import HourlyRate

router = Router(tags=["billing"])


def rate_out(rate: HourlyRate) -> RateOut:
    return RateOut.model_construct(
        id=str(rate.pk),
        currency=rate.currency,
        hourly_rate=money(rate.hourly_rate),
        effective_from=rate.effective_from,
    )


@router.post(
    "/rates",
    **errors(FORBIDDEN, "409 rate_already_set", "409 rate_already_applied", r201=RateOut),
    summary="Add a rate to the rate card",
)
def create_rate(request: HttpRequest, payload: RateIn) -> Status[RateOut]:
    rate = rates.add_rate(
        actor_of(request),
        currency=payload.currency,
        hourly_rate=payload.hourly_rate,
        effective_from=payload.effective_from,
    )
    return Status(201, rate_out(rate))


@router.get("/rates", **errors(FORBIDDEN, r200=RatePage), summary="The rate card")
def list_rates(request: HttpRequest) -> Page[RateOut]:
    return page(request, services.rate_card(actor_of(request)), rate_out)


# --- shapes -----------------------------------------------------------------------------


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def optional_money(amount: Decimal | None) -> str | None:
    return money(amount) if amount is not None else None


def billing_line_out(line: services.BillableLine) -> BillingLineOut:
    assert line.hourly_rate is not None and line.amount is not None  # services.contract_billing
    return BillingLineOut.model_construct(
        session_id=str(line.session.pk),
        type=line.session.session_type.code,
        delivered_on=line.delivered_on,
        minutes=line.minutes,
        hourly_rate=money(line.hourly_rate),
        amount=money(line.amount),
        status="billed" if line.statement else "unbilled",
        statement_id=str(line.statement.pk) if line.statement else None,
        statement_number=line.statement.code if line.statement else None,
    )


def statement_line_out(line: StatementLine) -> StatementLineOut:
    adjustment = line.adjustment
    return StatementLineOut.model_construct(
        id=str(line.pk),
        position=line.position,
        kind=line.kind,
        session_id=str(line.session_id) if line.session_id else None,
        type=line.session.session_type.code if line.session else None,
        delivered_on=line.delivered_on,
        minutes=line.minutes,
        hourly_rate=optional_money(line.hourly_rate),
        amount=money(line.amount),
        adjustment_id=str(adjustment.pk) if adjustment else None,
        reason=adjustment.reason if adjustment else None,
        corrects_statement_id=str(adjustment.corrects_statement_id) if adjustment else None,
        corrects_line_id=(
            str(adjustment.corrects_line_id) if adjustment and adjustment.corrects_line_id else None
        ),
    )


def statement_out(request: HttpRequest, statement: Statement) -> StatementOut:
    base = request.build_absolute_uri(f"/api/v1/statements/{statement.pk}")
    return StatementOut.model_construct(
        id=str(statement.pk),
        number=statement.code,
        contract_id=str(statement.contract_id),
        organization_id=str(statement.contract.organization_id),
        billed_to=statement.billed_to,
        period_start=statement.period_start,
        period_end=statement.period_end,
        currency=statement.currency,
        issued_at=statement.issued_at,
        issued_by_id=str(statement.issued_by_id) if statement.issued_by_id else None,
        lines=[statement_line_out(line) for line in services.statement_lines(statement)],
        total=money(statement.total),
        csv_url=f"{base}/csv",
        pdf_url=f"{base}/pdf",
    )


def adjustment_out(adjustment: Adjustment) -> AdjustmentOut:
    billed_on = services.adjustment_statement(adjustment)
    return AdjustmentOut.model_construct(
        id=str(adjustment.pk),
        contract_id=str(adjustment.contract_id),
        corrects_statement_id=str(adjustment.corrects_statement_id),
        corrects_statement_number=adjustment.corrects_statement.code,
        corrects_line_id=str(adjustment.corrects_line_id) if adjustment.corrects_line_id else None,
        amount=money(adjustment.amount),
        currency=adjustment.contract.currency,
        reason=adjustment.reason,
        created_at=adjustment.created_at,
        status="billed" if billed_on else "pending",
        statement_id=str(billed_on.pk) if billed_on else None,
    )


def statement_for(request: HttpRequest, statement_id: str) -> Statement:
    """A statement the caller may see (staff, or a contact of its organization), or
    ``not_found``."""
    return services.statement_for(actor_of(request), object_id(statement_id))


def period_of(query: PeriodQuery) -> tuple[date, date] | None:
    if query.period_start is None and query.period_end is None:
        return None
    if query.period_start is None or query.period_end is None:
        raise ValidationFailed(
            _("Give both period_start and period_end, or neither."),
            details={"field": "period_start" if query.period_start is None else "period_end"},
        )
    return services.clean_period(query.period_start, query.period_end)


# --- endpoints --------------------------------------------------------------------------


@router.get(
    "/contracts/{contract_id}/billing",
    **errors(r200=BillingOut),
    summary="A contract's billable lines, billed and unbilled, at then-current rates",
    description="Every line is billed at the price fixed on the session when its delivery "
    "was recorded (the rate in force on its delivery day); never a price of zero.",
)
def contract_billing(request: HttpRequest, contract_id: str) -> BillingOut:
    billing = services.contract_billing(contract_for(actor_of(request), object_id(contract_id)))
    return BillingOut.model_construct(
        contract_id=str(billing.contract.pk),
        currency=billing.currency,
        lines=[billing_line_out(line) for line in billing.lines],
        total=money(billing.total),
        billed_total=money(billing.billed_total),
        unbilled_total=money(billing.unbilled_total),
        pending_adjustments_total=money(billing.pending_adjustments_total),
    )


@router.post(
    "/contracts/{contract_id}/statements",
    **errors(
        FORBIDDEN,
        "409 nothing_to_bill",
        "409 already_billed",
        "409 no_rate_in_force",
        r201=StatementOut,
    ),
    summary="Issue a statement of the period's unbilled lines (finance)",
    description="Bills the contract's unbilled lines delivered from period_start through "
    "period_end, and its pending adjustments. Refusals: nothing_to_bill, no_rate_in_force.",
)
def issue_statement(
    request: HttpRequest, contract_id: str, payload: StatementIn
) -> Status[StatementOut]:
    statement = services.issue_statement(
        actor_of(request),
        contract_for(actor_of(request), object_id(contract_id)),
        period_start=payload.period_start,
        period_end=payload.period_end,
    )
    return Status(201, statement_out(request, statement))


@router.get(
    "/contracts/{contract_id}/statements",
    **errors(r200=StatementPage),
    summary="A contract's statements, newest first",
)
def list_statements(request: HttpRequest, contract_id: str) -> Page[StatementOut]:
    contract = contract_for(actor_of(request), object_id(contract_id))
    return page(
        request,
        services.contract_statements(contract),
        lambda item: statement_out(request, item),
    )


@router.get("/statements/{statement_id}", **errors(r200=StatementOut), summary="A statement")
def get_statement(request: HttpRequest, statement_id: str) -> StatementOut:
    return statement_out(request, statement_for(request, statement_id))


def _download(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/statements/{statement_id}/csv",
    **errors(r200=None, media="text/csv"),
    summary="A statement as CSV, in the buyer's language (or ?language=)",
)
def statement_csv(
    request: HttpRequest, statement_id: str, query: Query[ExportQuery]
) -> HttpResponse:
    statement = statement_for(request, statement_id)
    language = exports.export_language(statement, query.language)
    return _download(
        exports.statement_csv(statement, language),
        "text/csv; charset=utf-8",
        f"{statement.code}-{language}.csv",
    )


@router.get(
    "/statements/{statement_id}/pdf",
    **errors(r200=None, media="application/pdf"),
    summary="A statement as PDF, in the buyer's language (or ?language=)",
)
def statement_pdf(
    request: HttpRequest, statement_id: str, query: Query[ExportQuery]
) -> HttpResponse:
    statement = statement_for(request, statement_id)
    language = exports.export_language(statement, query.language)
    return _download(
        exports.statement_pdf(statement, language),
        "application/pdf",
        f"{statement.code}-{language}.pdf",
    )


@router.post(
    "/statements/{statement_id}/adjustments",
    **errors(FORBIDDEN, r201=AdjustmentOut),
    summary="Correct a statement (finance): a line of the contract's next statement",
)
def create_adjustment(
    request: HttpRequest, statement_id: str, payload: AdjustmentIn
) -> Status[AdjustmentOut]:
    adjustment = services.record_adjustment(
        actor_of(request),
        statement_for(request, statement_id),
        amount=payload.amount,
        reason=payload.reason,
        line_id=object_id(payload.line_id, "line_id") if payload.line_id is not None else None,
    )
    return Status(201, adjustment_out(adjustment))


@router.get(
    "/contracts/{contract_id}/adjustments",
    **errors(r200=AdjustmentPage),
    summary="A contract's corrections, pending and billed",
)
def list_adjustments(request: HttpRequest, contract_id: str) -> Page[AdjustmentOut]:
    contract = contract_for(actor_of(request), object_id(contract_id))
    return page(request, services.contract_adjustments(contract), adjustment_out)


@router.get(
    "/billing/unbilled",
    **errors(FORBIDDEN, r200=UnbilledPage),
    summary="What is billable but not yet on a statement, by contract (staff)",
    description="Optionally only lines delivered from period_start through period_end.",
)
def list_unbilled(request: HttpRequest, query: Query[PeriodQuery]) -> Page[UnbilledOut]:
    actor_of(request).require_staff()
    period = period_of(query)

    billings: dict[int, services.ContractBilling] = {}

    def load(contracts: list[Contract]) -> None:
        billings.update(services.unbilled_of(contracts, period))

    def unbilled_out(contract: Contract) -> UnbilledOut:
        billing = billings[contract.pk]
        return UnbilledOut.model_construct(
            contract_id=str(contract.pk),
            organization_id=str(contract.organization_id),
            organization_name=contract.organization.name,
            currency=contract.currency,
            lines=[
                UnbilledLineOut.model_construct(
                    session_id=str(line.session.pk),
                    delivered_on=line.delivered_on,
                    minutes=line.minutes,
                    hourly_rate=optional_money(line.hourly_rate),
                    amount=optional_money(line.amount),
                )
                for line in billing.lines
            ],
            total=money(billing.unbilled_total),
            unpriced_lines=len(billing.unpriced),
            pending_adjustments_total=money(billing.pending_adjustments_total),
        )

    return page(request, services.contracts_with_unbilled(period), unbilled_out, prepare=load)
