"""Forms of the contract page."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from successkit.accounts.models import Contact, User
from successkit.catalog.models import SessionType
from successkit.catalog.services import localized
from successkit.contracts.models import PLATFORM_LABELS, Contract
from successkit.core import bounds
from successkit.core.forms import WallClockField
from successkit.engagements import services as engagements
from successkit.engagements import slots


class _BuyerAgreement(forms.Form):
    """Vendor staff ticking that the buyer accepts billable minutes may name the buyer's
    contact who agreed (none: not known); pass ``contract`` for them. A buyer contact
    accepts for themself and is not asked (``contract=None``)."""

    agreed_by = forms.TypedChoiceField(
        label=_("Who agreed"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("The buyer's contact who agreed to pay the billed minutes, when known."),
    )

    def __init__(self, *args: Any, contract: Contract | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if contract is None:
            del self.fields["agreed_by"]
            return
        field = self.fields["agreed_by"]
        assert isinstance(field, forms.TypedChoiceField)
        # Only the contract's organization's contacts: another one is an invalid choice.
        field.choices = [("", _("Not known")), *buyer_contact_choices(contract)]


def buyer_contact_choices(contract: Contract) -> list[tuple[int, str]]:
    """The active contacts of the buyer organization, by name, for a choice of who agreed."""
    contacts = (
        Contact.objects.filter(organization=contract.organization_id, user__is_active=True)
        .select_related("user")
        .order_by("user__name", "id")
    )
    return [(contact.pk, f"{contact.user.name} ({contact.user.email})") for contact in contacts]


class BookingForm(_BuyerAgreement):
    """Vendor staff booking a session for the buyer: any time, and who delivers it.
    (A buyer contact's form is ``SlotBookingForm``.)"""

    field_order = [
        "type",
        "starts_at",
        "duration_minutes",
        "platforms",
        "accept_billable",
        "agreed_by",
        "staff",
    ]
    type = forms.ChoiceField(label=_("Session"))
    starts_at = WallClockField(
        # Its label names the buyer's time zone: set in __init__.
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        validators=[bounds.within_years],
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=1, max_value=bounds.FORM_MINUTES_LIMIT, initial=60
    )
    platforms = forms.MultipleChoiceField(
        label=_("Platforms"),
        required=False,
        help_text=_("None ticked: the platforms on the contract."),
        widget=forms.CheckboxSelectMultiple,
    )
    accept_billable = forms.BooleanField(
        label=_(
            "The buyer accepts that minutes beyond the package are billed at the current "
            "hourly rate"
        ),
        required=False,
    )
    staff = forms.TypedChoiceField(
        label=_("Delivered by"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Staff who may deliver this package's sessions; one busy then is refused."),
    )

    asks_who_agreed = True

    def __init__(self, *args: Any, contract: Contract, language: str, **kwargs: Any) -> None:
        super().__init__(*args, contract=contract if self.asks_who_agreed else None, **kwargs)
        self.contract = contract
        self.fields["starts_at"].label = gettext("Starts at (the buyer's local time, %(zone)s)") % {
            "zone": contract.organization.timezone
        }
        kinds = SessionType.objects.filter(version=contract.package.version).prefetch_related(
            "translations"
        )
        kind_field = self.fields["type"]
        assert isinstance(kind_field, forms.ChoiceField)
        # Every type is accepted (a stale page gets the service's own refusal); only the
        # types still open to the contract are offered, each with its cap and rate.
        kind_field.choices = [(k.code, localized(k, language).name) for k in kinds]
        self.bookable = engagements.bookable_types(contract)
        self.type_choices = [
            (b.session_type.code, localized(b.session_type, language).name) for b in self.bookable
        ]
        kind_field.widget.choices = self.type_choices
        staff_field = self.fields["staff"]
        assert isinstance(staff_field, forms.TypedChoiceField)
        ids = slots.eligible_staff(contract)
        names = dict(User.objects.filter(pk__in=ids).values_list("pk", "name"))
        staff_field.choices = [(pk, names[pk]) for pk in ids]
        staff_field.initial = contract.representative_id
        platform_field = self.fields["platforms"]
        assert isinstance(platform_field, forms.MultipleChoiceField)
        platform_field.choices = [
            (code, PLATFORM_LABELS.get(code, code)) for code in sorted(contract.platforms)
        ]

    def clean_starts_at(self) -> datetime:
        value: datetime = self.cleaned_data["starts_at"]
        # The browser sends a wall-clock time; it is the organization's local time.
        return value.replace(tzinfo=ZoneInfo(self.contract.organization.timezone))


class SlotBookingForm(BookingForm):
    """A buyer contact's booking: one of the week's free slots (posted as ``slot``, drawn
    by the template) instead of a free-text time; the type was chosen to show the slots."""

    asks_who_agreed = False  # the buyer's contact accepts for themself

    def __init__(self, *args: Any, contract: Contract, language: str, **kwargs: Any) -> None:
        super().__init__(*args, contract=contract, language=language, **kwargs)
        del self.fields["starts_at"]
        del self.fields["staff"]  # a free slot names who delivers it
        self.fields["platforms"].help_text = _("None ticked: the platforms on your contract.")
        self.fields["accept_billable"].label = _(
            "I accept that minutes beyond the package are billed at the current hourly rate"
        )
        self.fields["type"].widget = forms.HiddenInput()


class _LocalTime(forms.Form):
    """A wall-clock time typed in the browser is the buyer organization's local time."""

    def __init__(self, *args: Any, timezone_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone_name = timezone_name

    def clean_starts_at(self) -> datetime:
        value: datetime = self.cleaned_data["starts_at"]
        return value.replace(tzinfo=ZoneInfo(self.timezone_name))


class CompleteForm(_BuyerAgreement):
    """Staff record a session as held (``contract``: for the choice of who agreed)."""

    actual_minutes = forms.IntegerField(
        label=_("Actual minutes"), min_value=1, max_value=bounds.FORM_MINUTES_LIMIT
    )
    accept_billable = forms.BooleanField(
        label=_("The buyer accepted that minutes beyond the package are billed"), required=False
    )


class MoveForm(_LocalTime, _BuyerAgreement):
    """Another time for a session (``contract`` when staff move it, for the choice of who
    agreed; None for a buyer contact)."""

    field_order = ["starts_at", "accept_billable", "agreed_by"]
    starts_at = WallClockField(
        label=_("New start (the organization's local time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        validators=[bounds.within_years],
    )
    accept_billable = forms.BooleanField(
        label=_("The buyer accepted that minutes beyond the package are billed"), required=False
    )


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    upload = forms.FileField(label=_("or a file"), required=False)
