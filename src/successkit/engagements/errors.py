"""Refusals of the engagements app (SPEC.md §7 codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from successkit.core.errors import SuccessKitError


class DurationExceedsLimit(SuccessKitError):
    code = "duration_exceeds_limit"
    status = 422
    default_message = _("The duration exceeds the limit for this session type.")


class SessionTypeAlreadyUsed(SuccessKitError):
    code = "session_type_already_used"
    status = 409
    default_message = _("This session type can be held only once per contract.")


class BillableNotAccepted(SuccessKitError):
    code = "billable_not_accepted"
    status = 409
    default_message = _(
        "Part of this session is billable; repeat the request with accept_billable to accept "
        "the quote."
    )


class SessionNotStarted(SuccessKitError):
    code = "session_not_started"
    status = 409
    default_message = _("The session has not started yet.")
