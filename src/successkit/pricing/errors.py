"""The rate card's refusals (SPEC.md §5, §7)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from successkit.core.errors import SuccessKitError


class RateAlreadySet(SuccessKitError):
    code = "rate_already_set"
    status = 409
    default_message = _(
        "A rate for this currency already takes effect on that day; rates are never edited, "
        "add one for another day."
    )


class RateAlreadyApplied(SuccessKitError):
    code = "rate_already_applied"
    status = 409
    default_message = _(
        "Minutes in this currency were already delivered on or after that day at the rate "
        "then in force; a new rate takes effect only after the last delivered day."
    )


class NoRateInForce(SuccessKitError):
    code = "no_rate_in_force"
    status = 409
    default_message = _("No hourly rate is in force on that day for this currency.")
