"""Page forms for scheduling a health check and writing its report: they only parse;
the health-check services decide and refuse."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from successkit.core.forms import WallClockField
from successkit.healthchecks.models import OverallStatus

ACTION_ROWS = 3


class ScheduleForm(forms.Form):
    scheduled_for = WallClockField(
        label=_("When (the organization's local time)"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    staff = forms.IntegerField(label=_("Held by"))

    def __init__(self, *args: Any, timezone_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone_name = timezone_name

    def clean_scheduled_for(self) -> datetime:
        value: datetime = self.cleaned_data["scheduled_for"]
        return value.replace(tzinfo=ZoneInfo(self.timezone_name))


class ReportForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"))
    staff = forms.IntegerField(label=_("Held by"))
    overall_status = forms.ChoiceField(label=_("Overall status"), choices=OverallStatus.choices)
    summary = forms.CharField(label=_("Summary"), max_length=10_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(ACTION_ROWS):
            self.fields[f"action_{row}_description"] = forms.CharField(
                required=False, max_length=500
            )
            self.fields[f"action_{row}_owner"] = forms.CharField(required=False, max_length=200)
            self.fields[f"action_{row}_due_on"] = forms.DateField(required=False)

    def action_items(self) -> list[dict[str, Any]]:
        """The filled action-item rows (a row with a description)."""
        items = []
        for row in range(ACTION_ROWS):
            description = self.cleaned_data.get(f"action_{row}_description")
            if description:
                items.append(
                    {
                        "description": description,
                        "owner": self.cleaned_data.get(f"action_{row}_owner") or "",
                        "due_on": self.cleaned_data.get(f"action_{row}_due_on"),
                    }
                )
        return items
