"""The back office: mail and webhook deliveries (failed ones can be retried), endpoints,
reminder preferences and the sweeps that ran."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from successkit.core.admin import ReadOnly
from successkit.notifications import delivery
from successkit.notifications.models import (
    Mail,
    ReminderPreference,
    SweepRun,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from successkit.notifications.tasks import schedule_mail, schedule_webhook


class RetryMixin:
    """The "retry" action for failed (or stuck) messages: a fresh round of attempts."""

    schedule: Any = None

    @admin.action(description=_("Retry the selected messages"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = delivery.retry(queryset, type(self).schedule)
        self.message_user(  # type: ignore[attr-defined]
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Mail)
class MailAdmin(RetryMixin, ReadOnly, admin.ModelAdmin):
    schedule = staticmethod(schedule_mail)
    actions = ["retry"]
    list_display = ["to", "subject", "kind", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to", "subject", "key"]
    readonly_fields = [
        "event", "key", "kind", "to", "language", "subject", "text", "html", "calendar",
        "headers", "status", "attempts", "next_attempt_at", "last_error", "created_at",
        "delivered_at",
    ]  # fmt: skip


class AttemptInline(ReadOnly, admin.TabularInline):
    model = WebhookAttempt
    fields = ["attempted_at", "status_code", "ok", "error"]
    readonly_fields = ["attempted_at", "status_code", "ok", "error"]
    extra = 0


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(RetryMixin, ReadOnly, admin.ModelAdmin):
    schedule = staticmethod(schedule_webhook)
    actions = ["retry"]
    list_display = ["type", "endpoint", "webhook_id", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "type"]
    readonly_fields = [
        "endpoint", "event", "webhook_id", "type", "body", "status", "attempts",
        "next_attempt_at", "last_error", "created_at", "delivered_at",
    ]  # fmt: skip
    inlines = [AttemptInline]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "active", "disabled_at", "disabled_reason", "created_at"]
    list_filter = ["active"]
    # The address is checked (public networks only) when registered through the API.
    readonly_fields = [
        "url", "secret", "disabled_at", "disabled_reason", "created_by", "created_at"
    ]  # fmt: skip
    actions = ["enable"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # registered through the API, which checks the address

    @admin.action(description=_("Enable the selected endpoints again"))
    def enable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        count = queryset.update(active=True, disabled_at=None, disabled_reason="")
        self.message_user(
            request,
            ngettext("%(count)d endpoint enabled.", "%(count)d endpoints enabled.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "reminders", "updated_at"]
    list_filter = ["reminders"]
    raw_id_fields = ["user"]


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "day", "started_at", "finished_at", "sent"]
    list_filter = ["name"]
    date_hierarchy = "day"
