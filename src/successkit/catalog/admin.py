from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from successkit.catalog import services
from successkit.catalog.models import (
    CatalogVersion,
    Package,
    PackageTranslation,
    SessionType,
    SessionTypeTranslation,
)
from successkit.core.errors import SuccessKitError


class PublishedIsReadOnly:
    """A published catalog version is never edited: contracts were sold under it."""

    def _published(self, obj: Any) -> bool:
        version = getattr(obj, "version", None)
        if version is None:
            parent = getattr(obj, "package", None) or getattr(obj, "session_type", None)
            version = getattr(parent, "version", None)
        return bool(version and version.is_published)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self._published(obj):
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self._published(obj):
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]


class TranslationInline(PublishedIsReadOnly, admin.StackedInline):
    extra = 0
    readonly_fields = ["stale"]

    @admin.display(boolean=True, description=_("stale (English shown instead)"))
    def stale(self, obj: Any) -> bool:
        return bool(obj.pk and obj.is_stale)


class PackageTranslationInline(TranslationInline):
    model = PackageTranslation


class SessionTypeTranslationInline(TranslationInline):
    model = SessionTypeTranslation


def _mark_reviewed(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> None:
    changed = sum(
        services.mark_translations_reviewed(item)
        for item in queryset.prefetch_related("translations")
    )
    model_admin.message_user(
        request,
        ngettext(
            "%(count)s translation marked current.",
            "%(count)s translations marked current.",
            changed,
        )
        % {"count": changed},
    )


@admin.register(CatalogVersion)
class CatalogVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "source", "published_at", "created_at"]
    readonly_fields = ["number", "source", "published_at", "created_at"]
    actions = ["draft_new_version", "publish"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Draft a new version from the selected one"))
    def draft_new_version(self, request: HttpRequest, queryset: Any) -> None:
        for version in queryset:
            draft = services.draft_version(version)
            self.message_user(request, _("Draft v%(number)s created.") % {"number": draft.number})

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request: HttpRequest, queryset: Any) -> None:
        for version in queryset:
            try:
                services.publish_version(version)
            except SuccessKitError as refusal:
                self.message_user(request, refusal.render_message(), messages.WARNING)


@admin.register(Package)
class PackageAdmin(PublishedIsReadOnly, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "version",
        "training_minutes",
        "training_window_days",
        "health_check_count",
        "stale_translations",
    ]
    list_filter = ["version"]
    inlines = [PackageTranslationInline]
    actions = ["mark_reviewed"]

    @admin.action(
        description=_("Mark reviewed: the translations are current again"), permissions=["change"]
    )
    def mark_reviewed(self, request: HttpRequest, queryset: Any) -> None:
        _mark_reviewed(self, request, queryset)

    @admin.display(boolean=True, description=_("translation stale"))
    def stale_translations(self, package: Package) -> bool:
        return any(t.is_stale for t in package.translations.all())


@admin.register(SessionType)
class SessionTypeAdmin(PublishedIsReadOnly, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "version",
        "max_minutes",
        "single_use",
        "draws_on_pool",
        "stale_translations",
    ]
    list_filter = ["version"]
    inlines = [SessionTypeTranslationInline]
    actions = ["mark_reviewed"]

    @admin.action(
        description=_("Mark reviewed: the translations are current again"), permissions=["change"]
    )
    def mark_reviewed(self, request: HttpRequest, queryset: Any) -> None:
        _mark_reviewed(self, request, queryset)

    @admin.display(boolean=True, description=_("translation stale"))
    def stale_translations(self, session_type: SessionType) -> bool:
        return any(t.is_stale for t in session_type.translations.all())
