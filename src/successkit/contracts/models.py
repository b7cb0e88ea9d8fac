from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from successkit.accounts.models import Contact, Organization, User
from successkit.catalog.models import Package
from successkit.contracts import rules
from successkit.core.audit import history_user


class Contract(models.Model):
    """What one organization bought: a package of one catalog version, over a term."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("organization"),
    )
    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("package")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    representative = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="represented_contracts",
        verbose_name=_("vendor representative"),
    )
    buyer_contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("buyer counterpart"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="contract_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.name} — {self.package.name} ({self.start_date})"

    @property
    def term(self) -> rules.DateRange:
        return rules.contract_term(self.start_date, self.end_date)

    def today(self) -> date:
        """Today in the organization's time zone."""
        return rules.local_date(timezone.now(), self.organization.timezone)

    def phase(self, day: date | None = None) -> rules.ContractPhase:
        return rules.phase_on(self.term, day or self.today())
