"""Adding a rate to the rate card: it never reprices minutes already delivered
(SPEC.md §5), which only engagements knows of."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.engagements import services as engagements
from successkit.pricing import services as pricing
from successkit.pricing.errors import RateAlreadyApplied
from successkit.pricing.models import HourlyRate


@transaction.atomic
def add_rate(
    actor: Actor, *, currency: str, hourly_rate: Decimal | str, effective_from: date
) -> HourlyRate:
    """A new rate from ``effective_from``, refused (``rate_already_applied``) when billable
    minutes in that currency were delivered on or after that day. Under the rate card's
    lock, which every delivery that fixes a price takes too."""
    code, _rate = pricing.clean_new_rate(actor, currency, hourly_rate)
    pricing.lock_rate_card(code)
    check_reprices_nothing(code, effective_from)
    return pricing.set_rate(
        actor, currency=code, hourly_rate=hourly_rate, effective_from=effective_from
    )


def check_reprices_nothing(currency: str, effective_from: date) -> None:
    """Refuse a rate from ``effective_from`` when billable minutes in ``currency`` were
    delivered on or after that day (``rate_already_applied``)."""
    last = engagements.last_billable_delivery(currency)
    if last is not None and effective_from <= last:
        raise RateAlreadyApplied(
            _(
                "Billable minutes in %(currency)s were delivered on %(day)s at the rate then "
                "in force; a new rate may take effect from %(next)s."
            ),
            details={"field": "effective_from", "last_delivered_on": last.isoformat()},
            currency=currency,
            day=last,
            next=date.fromordinal(last.toordinal() + 1),
        )
