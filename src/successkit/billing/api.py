"""API v1: the rate card."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from successkit.accounts.api import actor_of
from successkit.billing import services
from successkit.billing.models import HourlyRate
from successkit.core.pagination import page
from successkit.core.schemas import errors

router = Router(tags=["billing"])


class RateIn(Schema):
    currency: str = Field(description="ISO 4217, e.g. EUR")
    hourly_rate: Decimal | str = Field(description='Decimal string, e.g. "150.00"')
    effective_from: date


class RateOut(Schema):
    id: str
    currency: str
    hourly_rate: str
    effective_from: date


class RatePage(Schema):
    items: list[RateOut]
    next: str | None


def rate_out(rate: HourlyRate) -> dict[str, object]:
    return {
        "id": str(rate.pk),
        "currency": rate.currency,
        "hourly_rate": f"{rate.hourly_rate:.2f}",
        "effective_from": rate.effective_from,
    }


@router.post("/rates", response=errors(r201=RateOut), summary="Add a rate to the rate card")
def create_rate(request: HttpRequest, payload: RateIn) -> Status[dict[str, object]]:
    rate = services.set_rate(
        actor_of(request),
        currency=payload.currency,
        hourly_rate=payload.hourly_rate,
        effective_from=payload.effective_from,
    )
    return Status(201, rate_out(rate))


@router.get("/rates", response=errors(r200=RatePage), summary="The rate card")
def list_rates(request: HttpRequest) -> dict[str, object]:
    actor_of(request).require_staff()
    return page(request, HourlyRate.objects.order_by("currency", "effective_from", "id"), rate_out)
