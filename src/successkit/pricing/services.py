"""The rate card: adding a rate, and the rate in force on a day (SPEC.md §5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.core.errors import NoRateInForce, SuccessKitError, ValidationFailed
from successkit.core.money import clean_currency
from successkit.pricing import rules
from successkit.pricing.models import HourlyRate

RATE_ROLES = (Role.ADMIN, Role.FINANCE)
MAX_RATE = Decimal("9999999999.99")


class RateAlreadySet(SuccessKitError):
    code = "rate_already_set"
    status = 409
    default_message = _(
        "A rate for this currency already takes effect on that day; rates are never edited, "
        "add one for another day."
    )


def clean_rate(value: Decimal | str) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        rate = Decimal("NaN")
    if not rate.is_finite() or rate <= 0 or rate > MAX_RATE or rate != rate.quantize(rules.CENT):
        raise ValidationFailed(
            _("The hourly rate must be a positive amount with at most two decimals."),
            details={"field": "hourly_rate"},
        )
    return rate


@transaction.atomic
def set_rate(
    actor: Actor, *, currency: str, hourly_rate: Decimal | str, effective_from: date
) -> HourlyRate:
    actor.require_role(*RATE_ROLES)
    code = clean_currency(currency)
    rate = clean_rate(hourly_rate)
    if HourlyRate.objects.filter(currency=code, effective_from=effective_from).exists():
        raise RateAlreadySet(details={"field": "effective_from"})
    try:
        with transaction.atomic():
            return HourlyRate.objects.create(
                currency=code,
                hourly_rate=rate,
                effective_from=effective_from,
                created_by=actor.user,
            )
    except IntegrityError:
        raise RateAlreadySet(details={"field": "effective_from"}) from None


def rate_on(currency: str, day: date) -> Decimal:
    """The hourly rate in force on ``day``, or ``no_rate_in_force`` (never zero)."""
    rates = [
        rules.RatePeriod(effective_from, hourly_rate)
        for effective_from, hourly_rate in HourlyRate.objects.filter(
            currency=currency, effective_from__lte=day
        ).values_list("effective_from", "hourly_rate")
    ]
    rate = rules.rate_in_force(rates, day)
    if rate is None:
        raise NoRateInForce(
            _("No hourly rate in %(currency)s is in force on %(day)s."),
            details={"currency": currency, "day": day.isoformat()},
            currency=currency,
            day=day.isoformat(),
        )
    return rate


def price(minutes: int, currency: str, day: date) -> rules.Quote:
    """A quote for ``minutes`` billable minutes delivered on ``day``."""
    return rules.quote(minutes, rate_on(currency, day), currency, day)
