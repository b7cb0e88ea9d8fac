"""Who may see what, and the checks every support operation shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import DateTimeField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import User
from successkit.accounts.roles import Duty
from successkit.accounts.services import active_staff
from successkit.contracts.models import Contract
from successkit.core.errors import (
    NotFound,
    ValidationFailed,
)
from successkit.core.text import clean_optional_text, clean_text
from successkit.support import rules
from successkit.support.models import (
    Case,
    CaseEvent,
    EventKind,
    Message,
    Order,
    OrderLine,
)

# Staff who work cases: open them for a buyer, answer, assign, change their status.
# Staff who record orders (logistics): buyers ask for orders through `new_order` cases.

MAX_REFERENCE = Order._meta.get_field("reference").max_length or 64
MAX_SUBJECT = Case._meta.get_field("subject").max_length or 200
# A sanity bound on one line, far above any real order, well inside the database's range.
MAX_QUANTITY = 100_000
ITEM_LIMITS = {
    "sku": OrderLine._meta.get_field("sku").max_length or 64,
    "size": OrderLine._meta.get_field("size").max_length or 8,
    "colour": OrderLine._meta.get_field("colour").max_length or 40,
}


# --- what callers may see ---------------------------------------------------------------


# What a buyer contact's visibility goes by.
SCOPE = "contract__organization"


def visible_orders(actor: Actor) -> QuerySet[Order]:
    return actor.scope(
        Order.objects.select_related("contract__organization", "contract__package"),
        "contract__organization",
    )


def visible_cases(actor: Actor) -> QuerySet[Case]:
    return actor.scope(
        Case.objects.select_related(
            "contract__organization", "contract__representative", "order", "assignee"
        ),
        "contract__organization",
    )


def visible_messages(actor: Actor, case: Case) -> QuerySet[Message]:
    """The case's conversation; buyers never see internal notes."""
    messages = case.messages.select_related("author").order_by("created_at", "id")
    return messages if actor.is_staff else messages.filter(internal=False)


# Statuses that leave the next move to the vendor.
VENDOR_STATUSES = sorted(status.value for status in rules.WAITING_ON_VENDOR)


def waiting_on_vendor(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Of ``cases``, those whose next move is the vendor's (open or escalated), each with
    ``waiting_since``: when the ball last came to the vendor (the case opened, or moved
    from waiting on the buyer or resolved back to the team); longest-waiting first."""
    handed_over = (
        CaseEvent.objects.filter(
            case=OuterRef("pk"),
            kind=EventKind.STATUS_CHANGED,
            to_value__in=VENDOR_STATUSES,
        )
        .exclude(from_value__in=VENDOR_STATUSES)
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    return (
        cases.filter(status__in=VENDOR_STATUSES)
        .annotate(
            waiting_since=Greatest(
                F("opened_at"),
                Coalesce(Subquery(handed_over, output_field=DateTimeField()), F("opened_at")),
            )
        )
        .order_by("waiting_since", "id")
    )


def case_history(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "id")


# --- validation -------------------------------------------------------------------------


def clean_item(sku: str, size: str | int, colour: str | None, field: str = "") -> rules.Item:
    def name(part: str) -> str:
        return f"{field}.{part}" if field else part

    return rules.Item(
        sku=clean_text(sku, name("sku"), ITEM_LIMITS["sku"]),
        size=clean_text(str(size), name("size"), ITEM_LIMITS["size"]),
        colour=clean_optional_text(colour, name("colour"), ITEM_LIMITS["colour"]),
    )


def clean_quantity(value: int, field: str) -> int:
    if not 1 <= value <= MAX_QUANTITY:
        raise ValidationFailed(
            _("%(field)s must be a whole number from 1 to %(max)s."),
            details={"field": field},
            field=field,
            max=MAX_QUANTITY,
        )
    return value


@dataclass(frozen=True)
class LineIn:
    sku: str
    size: str | int
    quantity: int
    colour: str = ""


def clean_lines(lines: Sequence[LineIn]) -> list[tuple[rules.Item, int]]:
    if not lines:
        raise ValidationFailed(_("An order needs at least one line."), details={"field": "items"})
    return [
        (
            clean_item(line.sku, line.size, line.colour, f"items.{index}"),
            clean_quantity(line.quantity, f"items.{index}.quantity"),
        )
        for index, line in enumerate(lines)
    ]


DATE_PROBLEMS: dict[rules.DateProblem, tuple[str, Promise]] = {
    rules.DateProblem.SHIPPED_BEFORE_PLACED: (
        "shipped_on",
        _("An order cannot be shipped before it was placed."),
    ),
    rules.DateProblem.RECEIVED_BEFORE_PLACED: (
        "received_on",
        _("An order cannot be received before it was placed."),
    ),
    rules.DateProblem.RECEIVED_BEFORE_SHIPPED: (
        "received_on",
        _("An order cannot be received before it was shipped."),
    ),
    rules.DateProblem.RECEIVED_IN_FUTURE: (
        "received_on",
        _("The receipt date cannot be later than today in the buyer's time zone."),
    ),
}


def check_dates(dates: rules.OrderDates, today: date) -> None:
    problems = rules.date_problems(dates, today)
    if problems:
        field, message = DATE_PROBLEMS[problems[0]]
        raise ValidationFailed(message, details={"field": field})


def staff_member(user_id: int, field: str) -> User:
    user = active_staff().filter(pk=user_id).first()
    if user is None:
        raise ValidationFailed(
            _("Staff member %(id)s does not exist."), details={"field": field}, id=user_id
        )
    return user


def require_case_worker(actor: Actor) -> None:
    actor.require(Duty.HANDLE_CASES)


def require_participant(actor: Actor, contract: Contract) -> None:
    """Staff who work cases, or a contact of the contract's organization."""
    if actor.is_contact:
        if actor.organization_id != contract.organization_id:
            raise NotFound()
        return
    require_case_worker(actor)


def locked_case(case: Case) -> Case:
    """The case row, locked until the end of the transaction (no lost updates)."""
    return (
        Case.objects.select_for_update()
        .select_related("contract__organization", "contract__package")
        .get(pk=case.pk)
    )


def record_change(
    case: Case, actor: Actor, kind: str, before: Any, after: Any, note: str = ""
) -> None:
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor.user,
        from_value="" if before is None else str(before),
        to_value="" if after is None else str(after),
        note=note,
    )
