"""Page forms: they collect input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from successkit.accounts.services import active_staff
from successkit.support.models import Case, CaseStatus, CaseType, Order, OrderLine, Queue
from successkit.support.services import ITEM_LIMITS, ExchangeIn, LineIn


class OpenCaseForm(forms.Form):
    type = forms.ChoiceField(label=_("What is it about?"), choices=CaseType.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Details"), widget=forms.Textarea, required=False)
    order = forms.ModelChoiceField(
        label=_("Order"),
        queryset=Order.objects.none(),
        required=False,
        help_text=_("Required for a return or an exchange."),
    )

    def __init__(self, *args: Any, orders: QuerySet[Order], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = orders  # type: ignore[attr-defined]
        # A return or exchange names the order lines and how many rings of each; an
        # exchange also says what each line's rings become (a new size, a new colour).
        self.line_fields: dict[str, OrderLine] = {}
        self.lines_by_order: dict[int, list[str]] = {}
        for line in (
            OrderLine.objects.filter(order__in=orders).select_related("order").order_by("id")
        ):
            name = f"line_{line.pk}"
            self.line_fields[name] = line
            words = {"reference": line.order.reference, "line": _line_text(line)}
            self.fields[name] = forms.IntegerField(
                label=_("Rings to return or exchange from %(reference)s: %(line)s") % words,
                min_value=0,
                max_value=line.quantity,
                required=False,
            )
            self.fields[f"{name}_size"] = forms.CharField(
                label=_("Exchange for size (%(reference)s: %(line)s)") % words,
                max_length=ITEM_LIMITS["size"],
                required=False,
            )
            self.fields[f"{name}_colour"] = forms.CharField(
                label=_("Exchange for colour (%(reference)s: %(line)s)") % words,
                max_length=ITEM_LIMITS["colour"],
                required=False,
            )
            self.lines_by_order.setdefault(line.order_id, []).extend(
                [name, f"{name}_size", f"{name}_colour"]
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        exchange = cleaned.get("type") == CaseType.EXCHANGE
        if exchange and self.named_lines() and not self.named_exchanges():
            raise forms.ValidationError(
                _("Say what the rings are exchanged for: a new size or a new colour.")
            )
        return cleaned

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("type", "subject", "description", "order")]

    def line_inputs(self, order_id: int) -> list[forms.BoundField]:
        return [self[name] for name in self.lines_by_order.get(order_id, [])]

    def named_lines(self) -> list[tuple[int, int]]:
        """(order line id, rings) for every line given a number above zero."""
        return [
            (line.pk, self.cleaned_data[name])
            for name, line in self.line_fields.items()
            if self.cleaned_data.get(name)
        ]

    def named_exchanges(self) -> list[ExchangeIn]:
        """What the named lines' rings are exchanged for, where a new size or colour was
        given (the SKU stays)."""
        exchanges = []
        for name, line in self.line_fields.items():
            size = self.cleaned_data.get(f"{name}_size", "").strip()
            colour = self.cleaned_data.get(f"{name}_colour", "").strip()
            if self.cleaned_data.get(name) and (size or colour):
                exchanges.append(
                    ExchangeIn(
                        sku=line.sku,
                        size=line.size,
                        colour=line.colour,
                        quantity=self.cleaned_data[name],
                        to_size=size or None,
                        to_colour=colour or None,
                    )
                )
        return exchanges


def _line_text(line: OrderLine) -> str:
    """An order line in words: how many rings of which SKU and size (and colour)."""
    text = ngettext(
        "%(count)s ring %(sku)s, size %(size)s",
        "%(count)s rings %(sku)s, size %(size)s",
        line.quantity,
    ) % {"count": line.quantity, "sku": line.sku, "size": line.size}
    return f"{text} ({line.colour})" if line.colour else text


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea)
    internal = forms.BooleanField(
        label=_("Internal note (never shown to the buyer)"), required=False
    )

    def __init__(self, *args: Any, staff: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["internal"]


class ConfirmingSelect(forms.Select):
    """A select whose chosen option may ask before its form is sent: ``confirm`` maps an
    option's value to the question (``data-confirm`` on the option, site.js)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.confirm: dict[str, str] = {}

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        question = self.confirm.get(str(option["value"]))
        if question:
            option["attrs"] = {**option["attrs"], "data-confirm": question}
        return option


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(c.value, c.label) for c in CaseStatus if c != CaseStatus.ESCALATED],
        widget=ConfirmingSelect,
    )
    note = forms.CharField(label=_("Note (staff only)"), required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["status"].widget
        assert isinstance(widget, ConfirmingSelect)
        if case.status != CaseStatus.CLOSED:
            # Closing is final (support.rules): nobody can reply or reopen it after.
            widget.confirm = {
                CaseStatus.CLOSED.value: gettext(
                    "Close case #%(number)s? A closed case cannot be reopened or answered."
                )
                % {"number": case.pk}
            }


class EscalateForm(forms.Form):
    queue = forms.ChoiceField(
        label=_("To the queue"), choices=[("", "—"), *Queue.choices], required=False
    )
    assignee = forms.ModelChoiceField(
        label=_("To the staff member"),
        queryset=active_staff().order_by("name"),
        required=False,
    )
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=active_staff().order_by("name"),
        required=False,
        empty_label=_("Nobody (back to the queue)"),
    )


class QueueFilterForm(forms.Form):
    queue = forms.ChoiceField(
        label=_("Queue"),
        choices=[("", pgettext_lazy("every queue", "All")), *Queue.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", pgettext_lazy("every status", "All")), *CaseStatus.choices],
        required=False,
    )

    def __init__(self, *args: Any, contact: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [
            ("", pgettext_lazy("every status", "All")),
            *((s.value, CaseStatus.label_for(s.value, contact=contact)) for s in CaseStatus),
        ]


class OrderForm(forms.Form):
    """An order with up to ``LINES`` lines (a longer one comes in by CSV import)."""

    LINES = 4

    reference = forms.CharField(label=_("Order reference"), max_length=64)
    placed_on = forms.DateField(
        label=_("Placed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    shipped_on = forms.DateField(
        label=_("Shipped on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_on = forms.DateField(
        label=_("Received by the buyer on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, self.LINES + 1):
            self.fields[f"sku_{n}"] = forms.CharField(
                label=_("SKU, line %(n)s") % {"n": n}, max_length=64, required=n == 1
            )
            self.fields[f"size_{n}"] = forms.CharField(
                label=_("Ring size, line %(n)s") % {"n": n}, max_length=8, required=n == 1
            )
            self.fields[f"colour_{n}"] = forms.CharField(
                label=_("Colour, line %(n)s") % {"n": n}, max_length=40, required=False
            )
            self.fields[f"quantity_{n}"] = forms.IntegerField(
                label=_("Quantity, line %(n)s") % {"n": n}, min_value=1, required=n == 1
            )

    def line_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"{part}_{n}"] for part in ("sku", "size", "colour", "quantity")]
            for n in range(1, self.LINES + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(2, self.LINES + 1):
            given = [data.get(f"{part}_{n}") for part in ("sku", "size", "quantity")]
            if any(given) and not all(given):
                raise forms.ValidationError(
                    _("Line %(n)s needs its SKU, ring size and quantity, or nothing at all.")
                    % {"n": n}
                )
        return data

    def lines(self) -> list[LineIn]:
        data = self.cleaned_data
        return [
            LineIn(
                sku=data[f"sku_{n}"],
                size=data[f"size_{n}"],
                quantity=data[f"quantity_{n}"],
                colour=data.get(f"colour_{n}") or "",
            )
            for n in range(1, self.LINES + 1)
            if data.get(f"sku_{n}")
        ]


class ReceiptForm(forms.Form):
    received_on = forms.DateField(
        label=_("Received by the buyer on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Orders file (CSV)"),
        help_text=_(
            "One row per order line, with the header reference,sku,size,quantity and "
            "optionally colour,placed_on,shipped_on,received_on (dates YYYY-MM-DD). Either "
            "every row is imported or none."
        ),
    )
