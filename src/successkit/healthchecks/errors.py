"""Refusals of the healthchecks app (SPEC.md §7 codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from successkit.core.errors import SuccessKitError


class OutsidePeriod(SuccessKitError):
    code = "outside_period"
    status = 422
    default_message = _("A health check must be held inside its period.")


class HealthCheckWouldBeLost(SuccessKitError):
    code = "health_check_would_be_lost"
    status = 409
    default_message = _("This change would lose a health check on record.")
