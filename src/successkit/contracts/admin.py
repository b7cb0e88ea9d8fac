from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from successkit.contracts.models import Contract
from successkit.contracts.services import check_sale, clean_currency
from successkit.core.admin import register_audit_trail
from successkit.core.errors import SuccessKitError
from successkit.healthchecks.services import sync_health_checks


class ContractForm(forms.ModelForm):
    """The same rules as a sale through the API (``services.check_sale``)."""

    class Meta:
        model = Contract
        fields = [
            "organization",
            "package",
            "start_date",
            "end_date",
            "representative",
            "buyer_contact",
            "currency",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = ("organization", "package", "start_date", "end_date", "representative")
        if all(data.get(name) for name in needed):
            try:
                check_sale(
                    data["package"],
                    data["start_date"],
                    data["end_date"],
                    data["representative"],
                    data["organization"],
                    data.get("buyer_contact"),
                )
                data["currency"] = clean_currency(data.get("currency") or "")
            except SuccessKitError as refusal:
                raise forms.ValidationError(refusal.render_message(), code=refusal.code) from None
        return data


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    form = ContractForm
    list_display = [
        "organization",
        "package",
        "start_date",
        "end_date",
        "representative",
        "currency",
        "catalog_version",
    ]
    list_filter = ["package__code", "package__version", "currency"]
    list_select_related = ["organization", "package__version", "representative"]
    search_fields = ["organization__name"]
    raw_id_fields = ["buyer_contact"]
    date_hierarchy = "start_date"

    def get_readonly_fields(self, request: HttpRequest, obj: Contract | None = None) -> Any:
        # A signed contract changes only through its services (end date via the API, so
        # that what depends on the term is worked out again).
        return self.form.Meta.fields if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Contract, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            sync_health_checks(obj)

    @admin.display(description=_("catalog version"))
    def catalog_version(self, contract: Contract) -> int:
        return contract.package.version.number


register_audit_trail(Contract)
