"""Form fields the page forms of several apps share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.forms.fields import BaseTemporalField


class WallClockField(forms.DateTimeField):
    """A date and time typed in the browser (``datetime-local``), read as a wall-clock
    time of no zone: the form gives it the zone it is meant in (the buyer organization's).
    Django's own field first places it in the page's zone - a staff member's own, since
    staff pages show their zone - and refuses a time that zone skips at a daylight-saving
    change, although the buyer's zone has it."""

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        parsed: datetime | None = BaseTemporalField.to_python(self, value)
        return parsed
