"""The refusals of scheduling (SPEC.md §7, §9)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from successkit.core.errors import SuccessKitError


class StaffBusy(SuccessKitError):
    code = "staff_busy"
    status = 409
    default_message = _("That staff member already has another meeting at that time.")


class StaffUnavailable(SuccessKitError):
    code = "staff_unavailable"
    status = 409
    default_message = _("That staff member is not available at that time.")
