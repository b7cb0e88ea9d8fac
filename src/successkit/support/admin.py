"""Back office: orders and cases to look at. Changes go through the pages and the API,
which apply the rules and record the history; the admin only reads."""

from __future__ import annotations

from django.contrib import admin

from successkit.core.admin import ReadOnly
from successkit.support.models import (
    Case,
    CaseEvent,
    CaseLine,
    ExchangeLine,
    Message,
    Order,
    OrderChange,
    OrderLine,
)


class OrderLineInline(ReadOnly, admin.TabularInline):
    model = OrderLine
    extra = 0


class ExchangeLineInline(ReadOnly, admin.TabularInline):
    model = ExchangeLine
    extra = 0


class CaseLineInline(ReadOnly, admin.TabularInline):
    model = CaseLine
    extra = 0


class OrderChangeInline(ReadOnly, admin.TabularInline):
    model = OrderChange
    extra = 0
    fields = ("at", "actor", "field", "old", "new")
    readonly_fields = fields


class MessageInline(ReadOnly, admin.StackedInline):
    model = Message
    extra = 0


class CaseEventInline(ReadOnly, admin.TabularInline):
    model = CaseEvent
    extra = 0


@admin.register(Order)
class OrderAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["reference", "contract", "placed_on", "shipped_on", "received_on"]
    list_select_related = ["contract__organization", "contract__package"]
    search_fields = ["reference", "contract__organization__name"]
    date_hierarchy = "received_on"
    inlines = [OrderLineInline, OrderChangeInline]


@admin.register(Case)
class CaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "contract", "type", "queue", "status", "assignee", "opened_at"]
    list_filter = ["queue", "status", "type"]
    list_select_related = ["contract__organization", "contract__package", "assignee"]
    search_fields = ["subject", "contract__organization__name"]
    inlines = [CaseLineInline, ExchangeLineInline, MessageInline, CaseEventInline]
