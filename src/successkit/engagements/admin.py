"""Back office for sessions. Sessions and the pool move only through the services (the
API and pages), so every change lands in the ledger: here they are read-only, except the
presentation materials handed to the buyer."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from successkit.core.admin import ReadOnly
from successkit.engagements.models import (
    BillableAcceptance,
    PoolEntry,
    SessionMaterial,
    TrainingPool,
    TrainingSession,
)


class MaterialInline(admin.TabularInline):
    model = SessionMaterial
    extra = 0
    fields = ["title", "url", "file", "added_by", "added_at"]
    readonly_fields = ["added_by", "added_at"]


class PoolEntryInline(admin.TabularInline):
    model = PoolEntry
    extra = 0
    can_delete = False
    fields = ("recorded_at", "session", "kind", "reserved_delta", "used_delta", "recorded_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AcceptanceInline(ReadOnly, admin.TabularInline):
    model = BillableAcceptance
    extra = 0
    fields = ("at", "accepted_by", "on_behalf_of", "minutes", "hourly_rate", "amount", "currency")
    readonly_fields = fields


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "contract",
        "session_type",
        "status",
        "starts_at",
        "duration_minutes",
        "covered_minutes",
        "billable_minutes",
        "staff",
    ]
    list_filter = ["status", "session_type__code", "cancelled_by"]
    list_select_related = ["contract__organization", "contract__package", "session_type", "staff"]
    search_fields = ["contract__organization__name", "staff__email"]
    date_hierarchy = "starts_at"
    inlines = [AcceptanceInline]


@admin.register(TrainingPool)
class TrainingPoolAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["contract", "reserved_minutes", "used_minutes"]
    inlines = [PoolEntryInline]


@admin.register(SessionMaterial)
class SessionMaterialAdmin(ReadOnly, admin.ModelAdmin):
    """Shown here; added on the contract page, through ``add_material`` and its rules."""

    list_display = ["title", "session", "added_by", "added_at"]
    raw_id_fields = ["session"]
