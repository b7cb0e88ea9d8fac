from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

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


class AuditTrailAdmin(ReadOnly, admin.ModelAdmin):
    """The history rows of an audited model (core/audit.py): who, when, what, as it was.
    Append-only: shown, never added, edited, deleted or reverted."""

    list_display = ["history_date", "history_user", "action", "history_object_label"]
    list_filter = ["history_type"]
    list_select_related = ["history_user"]
    date_hierarchy = "history_date"
    ordering = ["-history_date", "-history_id"]

    @admin.display(description=_("action"))
    def action(self, row: Any) -> str:
        return str(ACTION_LABELS.get(row.history_type, row.history_type))

    @admin.display(description=_("object"))
    def history_object_label(self, row: Any) -> str:
        return f"#{row.id} {row.instance}"


ACTION_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def register_audit_trail(*models: Any) -> None:
    """Show each audited model's history in the back office."""
    for model in models:
        admin.site.register(model.history.model, AuditTrailAdmin)
