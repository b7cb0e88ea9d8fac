from django.contrib import admin

from successkit.core.admin import ReadOnly
from successkit.outbox.models import Event


@admin.register(Event)
class EventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["type", "subject", "subject_id", "occurred_at", "handled_at"]
    list_filter = ["type", "subject"]
    search_fields = ["key", "subject_id"]
    readonly_fields = [
        "id", "type", "subject", "subject_id", "data", "key", "occurred_at", "handled_at"
    ]  # fmt: skip
