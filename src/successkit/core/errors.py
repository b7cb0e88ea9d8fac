"""The one family of refusals (SPEC.md §7).

Every refusal a user can meet is a ``SuccessKitError`` subclass carrying a stable
``code`` and its HTTP status. The API renders them once (``successkit.api``), the pages
once (``successkit.portal``). Messages are lazy translations, rendered in the caller's
language at the moment the error is shown.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from successkit.core.formats import format_day


class SuccessKitError(Exception):
    code: ClassVar[str] = "invalid_request"
    status: ClassVar[int] = 400
    default_message: ClassVar[str | Promise] = _("The request is not valid.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        details: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.params = params
        self.details = details or {}
        super().__init__(self.code)

    def render_message(self) -> str:
        if not self.params:
            return str(self.message)
        # A day reads as the caller's language writes it; ``details`` keep ISO dates for
        # programs.
        params = {
            name: format_day(value)
            if isinstance(value, date) and not isinstance(value, datetime)
            else value
            for name, value in self.params.items()
        }
        # ``%`` on the message itself: a lazy plural (ngettext_lazy) picks its form from
        # the parameters only that way (its str() alone is empty).
        return str(self.message % params)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.render_message()}
        body.update(self.details)
        return body


class ValidationFailed(SuccessKitError):
    code = "validation_error"
    status = 422
    default_message = _("The request is not valid.")


class MalformedBody(ValidationFailed):
    status = 400
    default_message = _("The request body is not valid JSON.")


class InvalidFields(ValidationFailed):
    """Fields that do not parse; ``details["fields"]`` says which and why, and
    ``details["field"]`` names the first of them (as every other validation error does)."""

    def __init__(self, fields: list[dict[str, str]]) -> None:
        named = [field["field"] for field in fields if field["field"]]
        names = ", ".join(sorted(set(named)))
        message = (
            _("The request is not valid: check %(fields)s.")
            if names
            else _("The request is not valid.")
        )
        details: dict[str, object] = {"fields": fields}
        if named:
            details["field"] = named[0]
        super().__init__(message, details=details, fields=names)


class NotAuthenticated(SuccessKitError):
    code = "not_authenticated"
    status = 401
    default_message = _("Sign in first: send a valid bearer token.")


class PermissionDenied(SuccessKitError):
    code = "permission_denied"
    status = 403
    default_message = _("Your role does not allow this action.")


class NotFound(SuccessKitError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class InvalidState(SuccessKitError):
    code = "invalid_state"
    status = 409
    default_message = _("This action is not possible in the current state.")


class IdempotencyKeyReused(SuccessKitError):
    code = "idempotency_key_reused"
    status = 422
    default_message = _(
        "This Idempotency-Key was already used for a different request; use a new key."
    )


class TooManyAttempts(SuccessKitError):
    """Too many failed sign-ins for an account or from an address (or too many at once)."""

    code = "too_many_attempts"
    status = 429
    default_message = _("Too many sign-in attempts. Try again in %(seconds)s seconds.")

    def __init__(self, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        super().__init__(seconds=retry_after)


class PayloadTooLarge(SuccessKitError):
    code = "payload_too_large"
    status = 413
    default_message = _("The request body is too large (at most %(limit)s).")
