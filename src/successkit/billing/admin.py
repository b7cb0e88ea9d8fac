from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from successkit.billing.models import (
    Adjustment,
    HourlyRate,
    Statement,
    StatementCounter,
    StatementLine,
)
from successkit.core.admin import ReadOnly, register_audit_trail


@admin.register(HourlyRate)
class HourlyRateAdmin(SimpleHistoryAdmin):
    list_display = ["currency", "hourly_rate", "effective_from", "created_by", "created_at"]
    list_filter = ["currency"]
    readonly_fields = ["created_by", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A rate that priced something must never change: add a new one instead.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Unbilled minutes are priced from the rate card when a statement is issued.
        return False

    def save_model(self, request: HttpRequest, obj: HourlyRate, form: Any, change: bool) -> None:
        obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


class StatementLineInline(ReadOnly, admin.TabularInline):
    model = StatementLine
    fields = (
        "position",
        "kind",
        "session",
        "adjustment",
        "delivered_on",
        "minutes",
        "hourly_rate",
        "amount",
    )
    readonly_fields = fields
    extra = 0


@admin.register(Statement)
class StatementAdmin(ReadOnly, admin.ModelAdmin):
    """Issued statements never change: corrections are adjustments on a later one."""

    list_display = [
        "code",
        "billed_to",
        "period_start",
        "period_end",
        "currency",
        "total",
        "issued_at",
        "issued_by",
    ]
    list_filter = ["currency"]
    search_fields = ["billed_to"]
    inlines = [StatementLineInline]


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "contract",
        "corrects_statement",
        "amount",
        "reason",
        "created_at",
        "created_by",
    ]


@admin.register(StatementCounter)
class StatementCounterAdmin(ReadOnly, admin.ModelAdmin):
    """The last statement number issued; moved only by the issuing transaction."""

    list_display = ["name", "last_number"]


register_audit_trail(HourlyRate)
