"""What the billing commands share: the month option and who is acting."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError

from successkit.accounts.actors import Actor
from successkit.accounts.services import active_staff
from successkit.billing import rules


def month(value: str | None) -> tuple[date, date] | None:
    if value is None:
        return None
    try:
        return rules.month_period(value)
    except ValueError:
        raise CommandError(f"validation_error: {value} is not a month written YYYY-MM") from None


def actor(email: str | None) -> Actor | None:
    """The staff member named by ``--by``, or None: the trusted command line."""
    if email is None:
        return None
    user = active_staff().filter(email=email.strip().lower()).first()
    if user is None:
        raise CommandError(f"validation_error: no active staff member {email}")
    return Actor.of(user)
