"""Corrections: adjustments recorded against a contract, billed on its next statement."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import (
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Duty
from successkit.billing import rules
from successkit.billing.models import (
    Adjustment,
    Statement,
    StatementLine,
)
from successkit.contracts.models import Contract
from successkit.core.errors import ValidationFailed

MAX_ADJUSTMENT = Decimal("999999999999.99")
MAX_REASON = 500


def clean_adjustment_amount(value: Decimal | str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal("NaN")
    if (
        not amount.is_finite()
        or amount == 0
        or abs(amount) > MAX_ADJUSTMENT
        or amount != amount.quantize(rules.CENT)
    ):
        raise ValidationFailed(
            _(
                "The amount must be a non-zero amount with at most two decimals: negative for "
                "a credit, positive for a debit."
            ),
            details={"field": "amount"},
        )
    return amount


@transaction.atomic
def record_adjustment(
    actor: Actor | None,
    statement: Statement,
    *,
    amount: Decimal | str,
    reason: str,
    line_id: int | None = None,
) -> Adjustment:
    """A correction of ``statement`` (or of one of its lines), billed on the contract's
    next statement. The issued statement itself never changes."""
    if actor is not None:
        actor.require(Duty.BILL)
    value = clean_adjustment_amount(amount)
    text = " ".join(reason.split())
    if not text or len(text) > MAX_REASON:
        raise ValidationFailed(
            _("Give the reason for the correction (at most %(max)s characters)."),
            details={"field": "reason"},
            max=MAX_REASON,
        )
    line = None
    if line_id is not None:
        line = StatementLine.objects.filter(pk=line_id, statement=statement).first()
        if line is None:
            raise ValidationFailed(
                _("Line %(id)s is not a line of statement %(number)s."),
                details={"field": "line_id"},
                id=line_id,
                number=statement.code,
            )
    return Adjustment.objects.create(
        contract=statement.contract,
        corrects_statement=statement,
        corrects_line=line,
        amount=value,
        reason=text,
        created_by=actor.user if actor is not None else None,
    )


def contract_adjustments(contract: Contract) -> QuerySet[Adjustment]:
    """A contract's corrections, pending and billed, oldest first."""
    return contract.adjustments.select_related("contract", "corrects_statement").order_by("id")


def adjustment_statement(adjustment: Adjustment) -> Statement | None:
    """The statement that billed ``adjustment``, if any yet."""
    line = adjustment.statement_lines.select_related("statement").first()
    return line.statement if line is not None else None
