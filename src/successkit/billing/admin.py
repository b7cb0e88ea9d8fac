from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from successkit.accounts.actors import Actor, actor_of
from successkit.billing.models import (
    Adjustment,
    HourlyRate,
    Statement,
    StatementCounter,
    StatementLine,
)
from successkit.core.admin import ReadOnly, register_audit_trail
from successkit.core.errors import SuccessKitError
from successkit.flows import rates
from successkit.pricing import services as pricing


class HourlyRateForm(forms.ModelForm):
    """The same rules as ``POST /rates`` (``flows.rates.add_rate``)."""

    actor: Actor

    class Meta:
        model = HourlyRate
        fields = ["currency", "hourly_rate", "effective_from"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(name) for name in ("currency", "hourly_rate", "effective_from")):
            try:
                code, _rate = pricing.clean_new_rate(
                    self.actor, data["currency"], data["hourly_rate"]
                )
                rates.check_reprices_nothing(code, data["effective_from"])
            except SuccessKitError as refusal:
                raise forms.ValidationError(refusal.render_message(), code=refusal.code) from None
        return data


@admin.register(HourlyRate)
class HourlyRateAdmin(SimpleHistoryAdmin):
    form = HourlyRateForm
    list_display = ["currency", "hourly_rate", "effective_from", "created_by", "created_at"]
    list_filter = ["currency"]
    readonly_fields = ["created_by", "created_at"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = actor_of(request)
        return form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A rate that priced something must never change: add a new one instead.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Delivered minutes keep the price fixed with them; a rate is never taken back.
        return False

    def save_model(self, request: HttpRequest, obj: HourlyRate, form: Any, change: bool) -> None:
        # The same addition as through the API, under the rate card's lock.
        added = rates.add_rate(
            actor_of(request),
            currency=obj.currency,
            hourly_rate=obj.hourly_rate,
            effective_from=obj.effective_from,
        )
        obj.pk, obj.created_by, obj.created_at = added.pk, added.created_by, added.created_at
        obj._state.adding = False


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
