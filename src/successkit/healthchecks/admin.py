"""Health checks in the back office: to look at. Scheduling and completing go through the
services (API and pages), which enforce the periods and roles, so the admin never edits."""

from __future__ import annotations

from django.contrib import admin

from successkit.core.admin import ReadOnly
from successkit.healthchecks.models import ActionItem, HealthCheck, HealthCheckEvent


class ActionItemInline(ReadOnly, admin.TabularInline):
    model = ActionItem
    extra = 0


class HealthCheckEventInline(ReadOnly, admin.TabularInline):
    model = HealthCheckEvent
    extra = 0


@admin.register(HealthCheck)
class HealthCheckAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["contract", "number", "period_start", "period_end", "state", "held_on", "staff"]
    list_filter = ["state", "overall_status", "contract__package__code"]
    list_select_related = ["contract__organization", "contract__package", "staff"]
    search_fields = ["contract__organization__name"]
    date_hierarchy = "period_start"
    inlines = [ActionItemInline, HealthCheckEventInline]
