"""The rate card: one table, read by engagements (to fix a price at delivery) and by
billing (which bills what was fixed)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from successkit.core.audit import history_user


class HourlyRate(models.Model):
    """One line of the rate card: an hourly rate in a currency, in force from a day until
    the next rate of the same currency."""

    currency = models.CharField(_("currency"), max_length=3)
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=12, decimal_places=2)
    effective_from = models.DateField(_("effective from"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(
        get_user=history_user,
        verbose_name=_("rate change"),
        verbose_name_plural=_("rate changes"),
    )

    class Meta:
        # The table was created by billing's migrations and stays there: the rate card's
        # code moved below engagements without moving any data.
        app_label = "billing"
        verbose_name = _("hourly rate")
        verbose_name_plural = _("rate card")
        ordering = ["currency", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "effective_from"], name="one_rate_per_currency_and_day"
            ),
            models.CheckConstraint(condition=models.Q(hourly_rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.hourly_rate} {self.currency}/h from {self.effective_from}"
