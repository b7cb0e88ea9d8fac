from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from successkit.accounts.roles import Role
from successkit.core.audit import history_user
from successkit.core.compiled import CompiledQuery


class Language(models.TextChoices):
    EN = "en", _("English")
    ES = "es", _("Spanish")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        user = self.create_user(email, password, **fields)
        StaffRole.objects.get_or_create(user=user, role=Role.ADMIN)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: vendor staff (``is_staff``) or a buyer's contact."""

    email = models.EmailField(_("email"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.EN
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("vendor staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    # The roles as read with the user (``services.user_for_token``), when they were.
    known_role_codes: frozenset[str] | None = None

    @property
    def role_codes(self) -> frozenset[str]:
        if self.known_role_codes is not None:
            return self.known_role_codes
        if "staff_roles" in getattr(self, "_prefetched_objects_cache", {}):
            return frozenset(r.role for r in self.staff_roles.all())
        if self.pk is None:
            return frozenset()
        return frozenset(role for (role,) in _ROLE_CODES.run(self.pk))


# A staff member's roles, asked on every booking and check: compiled once (core/compiled.py).
_ROLE_CODES: CompiledQuery[tuple[str]] = CompiledQuery(
    lambda user_id: StaffRole.objects.filter(user_id=user_id).values_list("role"), 1
)


class StaffRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    history = HistoricalRecords(
        get_user=history_user,
        verbose_name=_("staff role change"),
        verbose_name_plural=_("staff role changes"),
    )

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="staff_role_unique")]
        ordering = ["role"]

    def __str__(self) -> str:
        return self.get_role_display()


class Organization(models.Model):
    """A business that bought rings and a Customer Success package."""

    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code"))
    timezone = models.CharField(_("time zone"), max_length=64, help_text=_("IANA name"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(
        get_user=history_user,
        verbose_name=_("organization change"),
        verbose_name_plural=_("organization changes"),
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A buyer's person who signs in and sees their own organization only."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("organization"),
    )
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="contact", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("buyer contact")
        verbose_name_plural = _("buyer contacts")
        ordering = ["organization", "id"]

    def __str__(self) -> str:
        return f"{self.user.name} ({self.organization.name})"


def token_expiry() -> datetime:
    """When a token issued now stops working (``SUCCESSKIT_TOKEN_LIFETIME_DAYS``, 90)."""
    days = int(os.environ.get("SUCCESSKIT_TOKEN_LIFETIME_DAYS", "90"))
    return timezone.now() + timedelta(days=days)


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 digest is stored; revoking sets ``revoked_at``; it
    stops working at ``expires_at``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), default=token_expiry)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.email})"
