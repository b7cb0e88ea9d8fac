"""The rate card: adding a rate, and the rate in force on a day (SPEC.md §5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Duty
from successkit.core.compiled import CompiledQuery
from successkit.core.errors import ValidationFailed
from successkit.core.money import clean_currency
from successkit.pricing import rules
from successkit.pricing.errors import NoRateInForce, RateAlreadySet
from successkit.pricing.models import HourlyRate

# SPEC.md §8: an hourly rate is below 100,000 (the API schema says the same).
MAX_RATE = Decimal("99999.99")


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


def clean_new_rate(actor: Actor, currency: str, hourly_rate: Decimal | str) -> tuple[str, Decimal]:
    """The currency code and the rate of a new rate card line, or the refusal."""
    actor.require(Duty.SET_RATES)
    return clean_currency(currency), clean_rate(hourly_rate)


def lock_rate_card(currency: str) -> None:
    """Lock the currency's rate card lines until the end of the transaction. A delivery
    that fixes a price (``price_at_delivery``) and the addition of a rate
    (``flows.rates.add_rate``) both take it, so a rate is never added beside a delivery
    that could not see it."""
    list(HourlyRate.objects.select_for_update().filter(currency=currency).values_list("pk"))


@transaction.atomic
def set_rate(
    actor: Actor, *, currency: str, hourly_rate: Decimal | str, effective_from: date
) -> HourlyRate:
    """Add a line to the rate card (``flows.rates.add_rate`` first checks that it would
    reprice nothing delivered)."""
    code, rate = clean_new_rate(actor, currency, hourly_rate)
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


# The currency's rate card (a handful of rows), read by every priced booking: compiled once
# (core/compiled.py).
_RATES: CompiledQuery[tuple[date, Decimal]] = CompiledQuery(
    lambda currency: HourlyRate.objects.filter(currency=currency).values_list(
        "effective_from", "hourly_rate"
    ),
    1,
    texts=(0,),
)


def rate_on(currency: str, day: date) -> Decimal:
    """The hourly rate in force on ``day``, or ``no_rate_in_force`` (never zero)."""
    rates = [
        rules.RatePeriod(effective_from, hourly_rate)
        for effective_from, hourly_rate in _RATES.run(currency)
        if effective_from <= day
    ]
    rate = rules.rate_in_force(rates, day)
    if rate is None:
        raise NoRateInForce(
            _("No hourly rate in %(currency)s is in force on %(day)s."),
            details={"currency": currency, "day": day.isoformat()},
            currency=currency,
            day=day,
        )
    return rate


def price(minutes: int, currency: str, day: date) -> rules.Quote:
    """A quote for ``minutes`` billable minutes delivered on ``day``: an estimate at the
    rate known now (a booking's quote)."""
    return rules.quote(minutes, rate_on(currency, day), currency, day)


def price_at_delivery(minutes: int, currency: str, day: date) -> rules.Quote:
    """The price of ``minutes`` delivered on ``day``, to be stored with the delivery and
    billed exactly so: read under the rate card's lock, in the delivering transaction."""
    lock_rate_card(currency)
    return price(minutes, currency, day)
