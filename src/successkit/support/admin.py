"""Back office: orders and cases to look at. Changes go through the pages and the API,
which apply the rules and record the history; the admin only reads."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from successkit.core.admin import ReadOnly, register_audit_trail
from successkit.support.models import (
    Case,
    CaseEvent,
    ExchangeLine,
    Message,
    Order,
    OrderLine,
    StagedOrderLine,
)


class OrderLineInline(ReadOnly, admin.TabularInline):
    model = OrderLine
    extra = 0


class ExchangeLineInline(ReadOnly, admin.TabularInline):
    model = ExchangeLine
    extra = 0


class MessageInline(ReadOnly, admin.StackedInline):
    model = Message
    extra = 0


class CaseEventInline(ReadOnly, admin.TabularInline):
    model = CaseEvent
    extra = 0


@admin.register(Order)
class OrderAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["reference", "contract", "placed_on", "shipped_on", "received_on"]
    list_select_related = ["contract__organization", "contract__package"]
    search_fields = ["reference", "contract__organization__name"]
    date_hierarchy = "received_on"
    inlines = [OrderLineInline]


@admin.register(Case)
class CaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "contract", "type", "queue", "status", "assignee", "opened_at"]
    list_filter = ["queue", "status", "type"]
    list_select_related = ["contract__organization", "contract__package", "assignee"]
    search_fields = ["subject", "contract__organization__name"]
    inlines = [ExchangeLineInline, MessageInline, CaseEventInline]


@admin.register(StagedOrderLine)
class StagedOrderLineAdmin(ReadOnly, admin.ModelAdmin):
    """Lines of an order import between checking and publishing (empty when idle)."""

    list_display = ["batch", "line", "reference", "sku", "size", "quantity"]


register_audit_trail(Order)
