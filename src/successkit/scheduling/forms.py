"""The working-hours page's form: a week of up to two intervals a day, and time off."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from successkit.scheduling import rules, services

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]
INTERVALS_A_DAY = 2
NEW_TIME_OFF_ROWS = 2


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "aria-label": label}, format="%H:%M"),
        input_formats=["%H:%M"],
    )


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "aria-label": label}, format="%Y-%m-%d"),
    )


class AvailabilityForm(forms.Form):
    timezone = forms.ChoiceField(label=_("Your time zone"))

    def __init__(self, *args: Any, current: rules.Availability, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone_field = self.fields["timezone"]
        assert isinstance(zone_field, forms.ChoiceField)
        # A zone set before (through the API) stays offered, and chosen, even if odd.
        names = set(rules.selectable_timezones())
        if rules.timezone_is_valid(current.timezone):
            names.add(current.timezone)
        zone_field.choices = [(name, name) for name in sorted(names)]
        self.initial["timezone"] = current.timezone
        by_day: dict[int, list[rules.WeeklyHours]] = {}
        for hours in current.weekly:
            by_day.setdefault(hours.weekday, []).append(hours)
        self.days = []
        for weekday, name in WEEKDAYS:
            pairs = []
            for k in range(INTERVALS_A_DAY):
                start, end = f"start_{weekday}_{k}", f"end_{weekday}_{k}"
                if k == 0:
                    start_label = _("%(day)s, from") % {"day": name}
                    end_label = _("%(day)s, until") % {"day": name}
                else:
                    start_label = _("%(day)s, again from") % {"day": name}
                    end_label = _("%(day)s, again until") % {"day": name}
                self.fields[start] = _time_field(start_label)
                self.fields[end] = _time_field(end_label)
                intervals = by_day.get(weekday, [])
                if k < len(intervals):
                    self.initial[start] = _clock(intervals[k].start)
                    self.initial[end] = _clock(intervals[k].end)
                pairs.append((self[start], self[end]))
            self.days.append((name, pairs))
        self.time_off = []
        rows = len(current.time_off) + NEW_TIME_OFF_ROWS
        for i in range(rows):
            first, last = f"off_start_{i}", f"off_end_{i}"
            self.fields[first] = _date_field(_("First day off (%(n)s)") % {"n": i + 1})
            self.fields[last] = _date_field(_("Last day off (%(n)s)") % {"n": i + 1})
            if i < len(current.time_off):
                self.initial[first] = current.time_off[i].start
                self.initial[last] = current.time_off[i].end
            self.time_off.append((self[first], self[last]))
        self.rows = rows

    def weekly(self) -> list[services.WeeklyIn]:
        entries = []
        for weekday, _name in WEEKDAYS:
            for k in range(INTERVALS_A_DAY):
                start: time | None = self.cleaned_data.get(f"start_{weekday}_{k}")
                end: time | None = self.cleaned_data.get(f"end_{weekday}_{k}")
                if start is None and end is None:
                    continue
                entries.append(
                    services.WeeklyIn(
                        weekday,
                        start.strftime("%H:%M") if start else "",
                        end.strftime("%H:%M") if end else "",
                    )
                )
        return entries

    def days_off(self) -> list[services.TimeOffIn]:
        entries = []
        for i in range(self.rows):
            first: date | None = self.cleaned_data.get(f"off_start_{i}")
            last: date | None = self.cleaned_data.get(f"off_end_{i}")
            if first is None and last is None:
                continue
            first = first or last
            last = last or first
            assert first is not None and last is not None
            entries.append(services.TimeOffIn(first, last))
        return entries


def _clock(minutes: int) -> str:
    return "23:59" if minutes == rules.DAY_MINUTES else rules.format_clock(minutes)
