"""Refusals of the support app (SPEC.md §7 codes)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from successkit.core.errors import SuccessKitError, ValidationFailed


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str | Promise


class ReturnWindowExpired(SuccessKitError):
    code = "return_window_expired"
    status = 409
    default_message = _(
        "Returns and exchanges are accepted only within the returns window after the order was "
        "received."
    )


class OrderNotReceived(SuccessKitError):
    code = "order_not_received"
    status = 409
    default_message = _("The order has not been received yet.")


class ReferenceTaken(SuccessKitError):
    code = "reference_taken"
    status = 409
    default_message = _("This contract already has an order with that reference.")


class OrderImportRejected(ValidationFailed):
    """A CSV import with bad rows; ``problems`` lists them by line, nothing was imported."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__(
            _("Rows that are not valid: %(count)s. Nothing was imported."),
            details={"rows": [{"line": p.line, "message": str(p.message)} for p in problems]},
            count=len(problems),
        )
