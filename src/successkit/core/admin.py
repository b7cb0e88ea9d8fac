from django.contrib import admin

from successkit.core.models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
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
