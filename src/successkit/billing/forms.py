"""Page forms: they only parse; the billing services decide and refuse."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from successkit.core import bounds
from successkit.core.errors import InvalidFields


class IssueForm(forms.Form):
    contract = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    period_start = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[bounds.within_years],
    )
    period_end = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[bounds.within_years],
    )


class AdjustmentForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount"),
        max_length=20,
        help_text=_("Negative for a credit, positive for a debit."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)
    line = forms.IntegerField(label=_("Line"), required=False, widget=forms.Select)


def cleaned(form: forms.Form) -> dict[str, object]:
    """The form's values, or the same ``validation_error`` the API gives."""
    if not form.is_valid():
        raise InvalidFields(
            [
                {"field": name, "message": " ".join(str(error) for error in errors)}
                for name, errors in form.errors.items()
            ]
        )
    return form.cleaned_data
