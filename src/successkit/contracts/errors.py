"""Refusals of the contracts app (SPEC.md §7 codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from successkit.core.errors import SuccessKitError


class ContractNotActive(SuccessKitError):
    code = "contract_not_active"
    status = 409
    default_message = _("The contract is not active on that date.")


class RoleNotAllowed(SuccessKitError):
    code = "role_not_allowed"
    status = 422
    default_message = _("That staff member does not hold a role the package allows for this.")
