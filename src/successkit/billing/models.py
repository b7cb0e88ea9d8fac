from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from successkit.billing import rules
from successkit.contracts.models import Contract
from successkit.core.records import AppendOnly
from successkit.engagements.models import TrainingSession
from successkit.pricing.models import HourlyRate as HourlyRate  # its table is billing's


class StatementCounter(models.Model):
    """The gapless sequence of statement numbers: one row, incremented under a row lock
    inside the issuing transaction, so a refused or rolled-back issue uses no number."""

    name = models.CharField(max_length=32, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("statement counter")
        verbose_name_plural = _("statement counters")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_number}"


class Statement(AppendOnly):
    """What one contract owes for the billable minutes delivered in a period, plus any
    pending corrections. Numbered without gaps; immutable once issued."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="statements", verbose_name=_("contract")
    )
    billed_to = models.CharField(_("billed to"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
        help_text=_("Empty when issued from the command line."),
    )

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="statement_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return rules.statement_number(self.number)


class Adjustment(AppendOnly):
    """A correction of an issued statement (credit: negative, debit: positive), billed as
    a line of the contract's next statement. Never an edit of the original."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("contract")
    )
    corrects_statement = models.ForeignKey(
        Statement,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects statement"),
    )
    corrects_line = models.ForeignKey(
        "StatementLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects line"),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+} {self.contract.currency} ({self.corrects_statement})"


class StatementLine(AppendOnly):
    """One line of a statement: a session's billable minutes at the rate in force on the
    day it was delivered, or an adjustment. The unique constraints are the database's
    guarantee that a session (or an adjustment) is billed at most once."""

    class Kind(models.TextChoices):
        SESSION = "session", _("session")
        ADJUSTMENT = "adjustment", _("adjustment")

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="lines", verbose_name=_("statement")
    )
    position = models.PositiveIntegerField(_("line"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
        verbose_name=_("session"),
    )
    adjustment = models.ForeignKey(
        Adjustment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
        verbose_name=_("adjustment"),
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("minutes"), null=True, blank=True)
    hourly_rate = models.DecimalField(
        _("hourly rate"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=Q(session__isnull=False), name="session_billed_once"
            ),
            models.UniqueConstraint(
                fields=["adjustment"],
                condition=Q(adjustment__isnull=False),
                name="adjustment_billed_once",
            ),
            models.UniqueConstraint(
                fields=["statement", "position"], name="statement_line_position_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="session",
                        session__isnull=False,
                        adjustment__isnull=True,
                        delivered_on__isnull=False,
                        minutes__isnull=False,
                        hourly_rate__isnull=False,
                    )
                    | Q(kind="adjustment", session__isnull=True, adjustment__isnull=False)
                ),
                name="statement_line_is_a_session_or_an_adjustment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement} #{self.position}"
