from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from successkit.contracts.models import Contract


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
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

    @admin.display(description=_("catalog version"))
    def catalog_version(self, contract: Contract) -> int:
        return contract.package.version.number
