from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from successkit.accounts import services
from successkit.accounts.models import ApiToken, Contact, Organization, StaffRole, User
from successkit.core.admin import register_audit_trail
from successkit.core.errors import SuccessKitError


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "roles", "language", "is_active"]
    list_filter = ["is_staff", "is_active", "staff_roles__role", "language"]
    search_fields = ["email", "name"]
    inlines = [StaffRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "language", "password1", "password2"),
            },
        ),
    )

    @admin.display(description=_("roles"))
    def roles(self, user: User) -> str:
        return ", ".join(sorted(user.role_codes))

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("staff_roles")


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    raw_id_fields = ["user"]


class OrganizationForm(forms.ModelForm):
    """The back office checks an organization with the API's own cleaners: a time zone,
    country or language the pages cannot use is refused here, not stored."""

    class Meta:
        model = Organization
        fields = ["name", "country", "timezone", "language"]

    def _cleaned(self, field: str, cleaner: Any) -> Any:
        try:
            return cleaner(self.cleaned_data[field])
        except SuccessKitError as refusal:
            raise forms.ValidationError(refusal.render_message()) from None

    def clean_timezone(self) -> str:
        return str(self._cleaned("timezone", services.clean_timezone))

    def clean_country(self) -> str:
        return str(self._cleaned("country", services.clean_country))

    def clean_language(self) -> str:
        return str(self._cleaned("language", services.clean_language))


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    form = OrganizationForm
    list_display = ["name", "country", "timezone", "language", "created_at"]
    list_filter = ["country", "language"]
    search_fields = ["name"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "created_at"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__email", "user__name", "organization__name"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__email", "prefix"]
    readonly_fields = ["user", "prefix", "digest", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        from django.utils import timezone

        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


# Staff roles, not auth groups, carry the admin permissions (accounts.roles.RoleBackend).
admin.site.unregister(Group)
register_audit_trail(Organization, StaffRole)
