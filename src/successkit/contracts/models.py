from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from successkit.accounts.models import Contact, Organization, User
from successkit.catalog.models import Package
from successkit.contracts import rules
from successkit.core.audit import history_user

PLATFORM_LABELS = {
    rules.Platform.TEAMS.value: _("Oura Teams"),
    rules.Platform.HRM.value: _("Health Risk Management (HRM)"),
}


def platform_labels(codes: Iterable[str]) -> str:
    """``codes`` as the reader says them, in the active language."""
    return ", ".join(str(PLATFORM_LABELS.get(code, code)) for code in sorted(codes)) or "—"


def training_window_of(package: Package, start: date, end: date) -> rules.DateRange:
    """The training window of a term of ``package`` (``Contract.training_window_end``
    stores its end)."""
    return rules.window_from_start(start, end, package.training_window_days)


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
    # The last day of the training window (``training_window_end``: the first N days of
    # the term, or the whole term), kept by the services that write the term, so that the
    # cockpit filters and sorts on it without computing it for every contract.
    training_window_end = models.DateField(_("training usable until"), editable=False)

    # The window's end follows the term: derived, so not a change of its own in the trail.
    history = HistoricalRecords(
        get_user=history_user,
        excluded_fields=["training_window_end"],
        verbose_name=_("contract change"),
        verbose_name_plural=_("contract changes"),
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date", "id"]
        # The cockpit's sorts: newest first (the default order) and by end date.
        indexes = [
            models.Index(fields=["-start_date", "id"], name="contract_newest"),
            models.Index(fields=["end_date", "id"], name="contract_end"),
        ]
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

    def training_window(self) -> rules.DateRange:
        """The days the training pool may be drawn on (SPEC.md: the first N days of the
        term, or the whole term)."""
        return training_window_of(self.package, self.start_date, self.end_date)

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
