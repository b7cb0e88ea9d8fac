from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from successkit.core.models import IdempotencyRecord


class ReadOnly:
    """Admin mixin for records that change only through the services (ledgers, histories,
    anything money or entitlements hang on): shown, never added, edited or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["key", "status_code", "created_at"]
    readonly_fields = [
        "scope",
        "key",
        "fingerprint",
        "status_code",
        "content_type",
        "body",
        "created_at",
    ]
