from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from successkit.billing.models import Adjustment, HourlyRate, Statement, StatementLine


@admin.register(HourlyRate)
class HourlyRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "hourly_rate", "effective_from", "created_by", "created_at"]
    list_filter = ["currency"]
    readonly_fields = ["created_by", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A rate that priced something must never change: add a new one instead.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: HourlyRate, form: Any, change: bool) -> None:
        obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Issued statements and corrections are written by the billing services only and
    never change: the back office shows them, nothing more."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatementLineInline(admin.TabularInline):
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
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
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
class AdjustmentAdmin(ReadOnlyAdmin):
    list_display = [
        "contract",
        "corrects_statement",
        "amount",
        "reason",
        "created_at",
        "created_by",
    ]
