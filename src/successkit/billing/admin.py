from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from successkit.billing.models import HourlyRate


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
