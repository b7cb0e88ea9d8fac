from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from successkit.accounts.models import Contact, Organization, User
from successkit.catalog.models import Package
from successkit.contracts import rules

PLATFORM_LABELS = {
    rules.Platform.TEAMS.value: _("Oura Teams"),
    rules.Platform.HRM.value: _("Health Risk Management (HRM)"),
}


def platform_labels(codes: Iterable[str]) -> str:
    """``codes`` as the reader says them, in the active language."""
    return ", ".join(str(PLATFORM_LABELS.get(code, code)) for code in sorted(codes)) or "—"


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
    # The platforms the buyer bought (codes, sorted): what software training covers.
    platforms = models.JSONField(_("platforms"), default=rules.default_platforms)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

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

    def vendor_contact(self, day: date | None = None) -> rules.VendorContact:
        """Who the buyer contacts on ``day`` (default: today in the buyer's time zone)."""
        terms = self.package.terms()
        return rules.vendor_contact_on(
            terms.contact_role,
            terms.contact_window_days,
            self.start_date,
            self.end_date,
            day or self.today(),
        )


class ContractChange(models.Model):
    """Append-only history of a contract's term and parties: who changed which field,
    when, from what to what (values as the API shows them)."""

    class Field(models.TextChoices):
        END_DATE = "end_date", _("end date")
        REPRESENTATIVE = "representative_id", _("vendor representative")
        BUYER_CONTACT = "buyer_contact_id", _("buyer counterpart")

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="changes", verbose_name=_("contract")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    field = models.CharField(_("field"), max_length=32, choices=Field.choices)
    old = models.CharField(_("from"), max_length=64, blank=True)
    new = models.CharField(_("to"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("contract change")
        verbose_name_plural = _("contract history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.field}: {self.old} → {self.new}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("ContractChange rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("ContractChange rows are append-only")
