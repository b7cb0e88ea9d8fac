from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from successkit.accounts.models import Language
from successkit.accounts.roles import Role
from successkit.catalog.rules import PackageTerms, SessionTypeTerms, text_digest


class CatalogVersion(models.Model):
    """One version of the package catalog. Contracts point at the version they were sold
    under; a published version is never edited (changes are a new version)."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    source = models.CharField(_("source"), max_length=200)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    terms_url = models.URLField(
        _("governing English terms"),
        blank=True,
        help_text=_("The address of the English terms that prevail over any translation."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("catalog version")
        verbose_name_plural = _("catalog versions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class TranslatedText(models.Model):
    """English name and description on the row; translations in a separate table."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        abstract = True

    @property
    def source_digest(self) -> str:
        return text_digest(self.name, self.description)


# A package's terms (``Package.terms()``, besides its code): the columns the catalog file
# sets and the entitlements read selects.
PACKAGE_TERM_FIELDS = (
    "contact_role",
    "contact_window_days",
    "training_minutes",
    "training_window_days",
    "training_roles",
    "health_check_count",
    "health_check_interval_months",
    "health_check_roles",
    "returns_window_days",
    "booking_notice_hours",
    "health_check_minutes",
)


class Package(TranslatedText):
    version = models.ForeignKey(
        CatalogVersion, on_delete=models.PROTECT, related_name="packages", verbose_name=_("version")
    )
    code = models.SlugField(_("code"), max_length=40)
    contact_role = models.CharField(_("contact role"), max_length=32, choices=Role.choices)
    contact_window_days = models.PositiveIntegerField(
        _("contact window (days)"), null=True, blank=True, help_text=_("Empty: whole term.")
    )
    training_minutes = models.PositiveIntegerField(_("training pool (minutes)"))
    training_window_days = models.PositiveIntegerField(
        _("training window (days)"), null=True, blank=True, help_text=_("Empty: whole term.")
    )
    training_roles = models.JSONField(_("roles that deliver training"), default=list)
    health_check_count = models.PositiveIntegerField(_("health checks"), default=0)
    health_check_interval_months = models.PositiveIntegerField(
        _("months between health checks"), null=True, blank=True
    )
    health_check_roles = models.JSONField(_("roles that deliver health checks"), default=list)
    returns_window_days = models.PositiveIntegerField(_("returns window (days)"))
    booking_notice_hours = models.PositiveIntegerField(
        _("minimum notice for a buyer's booking (hours)"), default=24
    )
    health_check_minutes = models.PositiveIntegerField(
        _("length of a health check (minutes)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["version", "training_minutes", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="package_code_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    def terms(self) -> PackageTerms:
        return PackageTerms(
            code=self.code,
            contact_role=self.contact_role,
            contact_window_days=self.contact_window_days,
            training_minutes=self.training_minutes,
            training_window_days=self.training_window_days,
            training_roles=frozenset(self.training_roles),
            health_check_count=self.health_check_count,
            health_check_interval_months=self.health_check_interval_months,
            health_check_roles=frozenset(self.health_check_roles),
            returns_window_days=self.returns_window_days,
            booking_notice_hours=self.booking_notice_hours,
            health_check_minutes=self.health_check_minutes,
        )


class SessionType(TranslatedText):
    version = models.ForeignKey(
        CatalogVersion,
        on_delete=models.PROTECT,
        related_name="session_types",
        verbose_name=_("version"),
    )
    code = models.SlugField(_("code"), max_length=40)
    max_minutes = models.PositiveIntegerField(
        _("longest session (minutes)"), null=True, blank=True, help_text=_("Empty: no cap.")
    )
    single_use = models.BooleanField(_("once per contract"), default=False)
    draws_on_pool = models.BooleanField(_("covered by the training pool"), default=True)
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    carries_materials = models.BooleanField(_("may carry presentation materials"), default=False)

    class Meta:
        verbose_name = _("session type")
        verbose_name_plural = _("session types")
        ordering = ["version", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="session_type_code_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    def terms(self) -> SessionTypeTerms:
        return SessionTypeTerms(
            code=self.code,
            max_minutes=self.max_minutes,
            single_use=self.single_use,
            draws_on_pool=self.draws_on_pool,
            platforms=frozenset(self.platforms),
            carries_materials=self.carries_materials,
        )


class Translation(models.Model):
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source_digest = models.CharField(
        _("translated from"),
        max_length=16,
        help_text=_("Fingerprint of the English text this translation was made from."),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.language}: {self.name}"


class PackageTranslation(Translation):
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="translations")

    class Meta:
        verbose_name = _("package translation")
        verbose_name_plural = _("package translations")
        constraints = [
            models.UniqueConstraint(
                fields=["package", "language"], name="package_translation_unique"
            )
        ]

    @property
    def is_stale(self) -> bool:
        return self.source_digest != self.package.source_digest


class SessionTypeTranslation(Translation):
    session_type = models.ForeignKey(
        SessionType, on_delete=models.CASCADE, related_name="translations"
    )

    class Meta:
        verbose_name = _("session type translation")
        verbose_name_plural = _("session type translations")
        constraints = [
            models.UniqueConstraint(
                fields=["session_type", "language"], name="session_type_translation_unique"
            )
        ]

    @property
    def is_stale(self) -> bool:
        return self.source_digest != self.session_type.source_digest
