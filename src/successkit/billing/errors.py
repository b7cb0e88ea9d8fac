"""Refusals of the billing app (SPEC.md §7 codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from successkit.core.errors import SuccessKitError


class NothingToBill(SuccessKitError):
    code = "nothing_to_bill"
    status = 409
    default_message = _("There is nothing to bill for this contract in that period.")


class AlreadyBilled(SuccessKitError):
    code = "already_billed"
    status = 409
    default_message = _(
        "Another statement was issued for these minutes at the same time; nothing was "
        "issued. Look at the contract's billing and try again."
    )
