from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from successkit.accounts.models import User
from successkit.contracts.models import Contract
from successkit.core.records import AppendOnly
from successkit.healthchecks import rules


class HealthCheckState(models.TextChoices):
    DUE = rules.HealthCheckState.DUE.value, _("due")
    SCHEDULED = rules.HealthCheckState.SCHEDULED.value, _("scheduled")
    COMPLETED = rules.HealthCheckState.COMPLETED.value, _("completed")


class OverallStatus(models.TextChoices):
    # Said as the form says them: a colour alone reads like a code.
    GREEN = rules.OverallStatus.GREEN.value, _("Green: on track")
    AMBER = rules.OverallStatus.AMBER.value, _("Amber: at risk")
    RED = rules.OverallStatus.RED.value, _("Red: off track")


class HealthCheck(models.Model):
    """The project health check owed for one period of a contract (SPEC.md §1).

    One row per period, written when the contract is sold and kept in step with its end
    date. ``state`` is the stored lifecycle (due, scheduled, completed); *missed* is never
    stored: it is what a check not completed by the end of its period is shown as.
    """

    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="health_checks",
        verbose_name=_("contract"),
    )
    period_index = models.PositiveSmallIntegerField(_("period"), help_text=_("0 is the first."))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    state = models.CharField(
        _("state"), max_length=16, choices=HealthCheckState.choices, default=HealthCheckState.DUE
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    staff = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="health_checks",
        null=True,
        blank=True,
        verbose_name=_("staff member"),
        help_text=_("Who will hold it (scheduled) or held it (completed)."),
    )
    attendees = models.JSONField(_("attendees"), default=list, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    overall_status = models.CharField(
        _("overall status"), max_length=8, choices=OverallStatus.choices, blank=True
    )
    completed_at = models.DateTimeField(
        pgettext_lazy("health check", "recorded"), null=True, blank=True
    )
    recorded_late = models.BooleanField(
        _("recorded late"),
        default=False,
        help_text=_("Written down after its period had ended (it was held inside it)."),
    )
    completed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=pgettext_lazy("health check", "recorded by"),
    )

    class Meta:
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        ordering = ["contract", "period_index"]
        # Missed and unscheduled checks per contract (cockpit); due ones by deadline
        # across the portfolio, with their period's start (compliance: those whose period
        # overlaps the next 30 days are counted from the index alone) and their contract
        # (the cockpit's missed and unscheduled checks of the whole book, from the index
        # alone too). SQLite prefers a covering index, so the one per contract covers too.
        indexes = [
            models.Index(
                fields=["contract", "state", "period_end", "period_start"],
                name="check_contract_state_period",
            ),
            models.Index(
                fields=["state", "period_end", "period_start", "contract"],
                name="check_state_period_contract",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_index"], name="health_check_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="health_check_period_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} #{self.period_index + 1}"

    @property
    def number(self) -> int:
        """1-based, as people count periods."""
        return self.period_index + 1

    @property
    def period(self) -> rules.HealthCheckPeriod:
        return rules.HealthCheckPeriod(self.period_index, self.period_start, self.period_end)

    def status(self, today: date | None = None) -> rules.HealthCheckStatus:
        """The status shown on ``today`` (default: today in the organization's time zone)."""
        return rules.status_on(
            rules.HealthCheckState(self.state),
            self.period_end,
            today if today is not None else self.contract.today(),
        )


class ActionItem(models.Model):
    """A next step agreed in a completed health check."""

    health_check = models.ForeignKey(
        HealthCheck, on_delete=models.CASCADE, related_name="action_items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.CharField(_("description"), max_length=500)
    owner = models.CharField(_("owner"), max_length=200)
    due_on = models.DateField(_("due on"))

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["health_check", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["health_check", "position"], name="action_item_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.description


class HealthCheckEvent(AppendOnly):
    """Append-only history: who scheduled, rescheduled, took the date away from or
    completed a check, and when (``scheduled_for``, ``staff``: the date and the staff
    member as they were after the event, or, when the date was taken away, before it)."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        RESCHEDULED = "rescheduled", _("rescheduled")
        UNSCHEDULED = "unscheduled", _("date cancelled")
        COMPLETED = "completed", _("completed")

    # The kinds that revise the check's calendar invitation (its iCalendar SEQUENCE).
    INVITATION_KINDS = (Kind.SCHEDULED, Kind.RESCHEDULED, Kind.UNSCHEDULED)

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    staff = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("health check event")
        verbose_name_plural = _("health check events")
        ordering = ["health_check", "id"]

    def __str__(self) -> str:
        return f"{self.health_check} {self.kind}"
