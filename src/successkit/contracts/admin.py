from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from successkit.accounts.actors import Actor
from successkit.contracts.models import Contract
from successkit.contracts.services import check_sale
from successkit.core.admin import register_audit_trail
from successkit.core.errors import SuccessKitError
from successkit.core.money import clean_currency
from successkit.flows.contracts import sell_contract


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
        if change:  # every field is read-only once signed: nothing to save
            return
        # A sale from the back office is the same sale as through the API.
        sold = sell_contract(
            Actor.of(request.user),  # type: ignore[arg-type]
            organization_id=obj.organization_id,
            package=obj.package.code,
            start_date=obj.start_date,
            end_date=obj.end_date,
            representative_id=obj.representative_id,
            buyer_contact_id=obj.buyer_contact_id,
            currency=obj.currency,
        )
        obj.pk = sold.pk
        obj._state.adding = False

    @admin.display(description=_("catalog version"))
    def catalog_version(self, contract: Contract) -> int:
        return contract.package.version.number


register_audit_trail(Contract)
