"""The whole account on one page: what the contract page shows beside its sessions - the
orders with their returns window, the cases, a timeline of everything that happened or is
planned, the billing lines (for staff; for the buyer, what is not billed yet), and who may
become representative or counterpart. Reads only; every change goes through the apps' own
services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse

from successkit.accounts.actors import Actor
from successkit.accounts.models import Contact, User
from successkit.billing import services as billing
from successkit.billing.exports import session_description
from successkit.catalog.services import localized
from successkit.contracts.models import Contract
from successkit.core.errors import SuccessKitError
from successkit.engagements.models import BillableAcceptance, TrainingSession
from successkit.healthchecks.models import HealthCheckState
from successkit.healthchecks.services import visible_health_checks
from successkit.support import services as support
from successkit.support.models import Case, Order, OrderLine


@dataclass(frozen=True)
class OrderRow:
    order: Order
    lines: list[OrderLine]
    # The last day a return or exchange is accepted (None: not received yet) and whether
    # that day is still to come, both in the buyer's calendar.
    returns_until: date | None
    returns_open: bool


@dataclass(frozen=True)
class TimelineItem:
    """One thing that happened or will happen on the account, newest first."""

    at: datetime
    kind: str  # session, health_check, case, order
    title: str
    state: str  # shown as is, except the codes of an order's or a health check's status
    anchor: str  # where on the page (or the site) it is worked on
    all_day: bool = False


@dataclass(frozen=True)
class UnbilledLine:
    """A line not billed yet as the buyer reads it, worded as a statement words its lines
    (``billing.exports``), with no internal number."""

    description: str
    delivered_on: date
    minutes: int
    amount: Decimal


@dataclass(frozen=True)
class Workspace:
    orders: list[OrderRow]
    cases: list[Case]
    timeline: list[TimelineItem]
    # The contract's billing as the API gives it (``billing.contract_billing``): staff
    # read every line; the buyer reads ``unbilled``, its unbilled lines in words.
    billing: billing.ContractBilling | None = None
    billing_refusal: str = ""
    representatives: list[User] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    unbilled: list[UnbilledLine] = field(default_factory=list)


def contract_workspace(actor: Actor, contract: Contract, language: str) -> Workspace:
    today = contract.today()
    zone = ZoneInfo(contract.organization.timezone)
    orders = [
        _order_row(order, today)
        for order in support.visible_orders(actor)
        .filter(contract=contract)
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("-placed_on", "-id")
    ]
    cases = list(
        support.visible_cases(actor).filter(contract=contract).order_by("-opened_at", "-id")
    )
    timeline = _timeline(actor, contract, orders, cases, language, zone, today)
    contacts = list(
        Contact.objects.filter(organization=contract.organization_id, user__is_active=True)
        .select_related("user")
        .order_by("user__name", "id")
    )
    billing_lines = None
    refusal = ""
    try:
        billing_lines = billing.contract_billing(contract)
    except SuccessKitError as error:  # a line delivered without a rate in force
        refusal = error.render_message()
    if not actor.is_staff:
        return Workspace(
            orders,
            cases,
            timeline,
            billing_lines,
            refusal,
            contacts=contacts,
            unbilled=_unbilled(billing_lines, language),
        )
    representatives = list(
        User.objects.filter(
            is_staff=True, is_active=True, staff_roles__role=contract.package.contact_role
        )
        .distinct()
        .order_by("name", "id")
    )
    return Workspace(
        orders, cases, timeline, billing_lines, refusal, representatives, contacts=contacts
    )


def _unbilled(
    contract_billing: billing.ContractBilling | None, language: str
) -> list[UnbilledLine]:
    """The contract's unbilled lines in the buyer's words: the same lines and amounts as
    the API's ``unbilled_total`` adds up (the same service computes both), described as a
    statement describes them, their acceptances (who accepted, for whom) read in one
    query for all."""
    if contract_billing is None:
        return []
    lines = contract_billing.unbilled
    prefetch_related_objects(
        [line.session for line in lines],
        Prefetch(
            "acceptances",
            BillableAcceptance.objects.select_related("accepted_by", "on_behalf_of__user"),
        ),
    )
    shown = []
    for line in lines:
        assert line.amount is not None  # contract_billing refuses a line without a price
        shown.append(
            UnbilledLine(
                session_description(line.session, language),
                line.delivered_on,
                line.minutes,
                line.amount,
            )
        )
    return shown


def _order_row(order: Order, today: date) -> OrderRow:
    until = support.returns_last_day(order)
    return OrderRow(order, list(order.lines.all()), until, until is not None and today <= until)


def _timeline(
    actor: Actor,
    contract: Contract,
    orders: list[OrderRow],
    cases: list[Case],
    language: str,
    zone: ZoneInfo,
    today: date,
) -> list[TimelineItem]:
    def midday(day: date) -> datetime:
        return datetime.combine(day, time(12), tzinfo=zone)

    items = [
        TimelineItem(
            session.starts_at,
            "session",
            localized(session.session_type, language).name,
            session.get_status_display(),
            f"#session-{session.pk}",
        )
        for session in TrainingSession.objects.filter(contract=contract)
        .select_related("session_type")
        .prefetch_related("session_type__translations")
    ]
    for check in visible_health_checks(actor).filter(contract=contract):
        if check.state == HealthCheckState.COMPLETED and check.held_on:
            at, all_day = midday(check.held_on), True
        elif check.scheduled_for:
            at, all_day = check.scheduled_for, False
        else:
            at, all_day = midday(check.period_end), True
        items.append(
            TimelineItem(
                at,
                "health_check",
                str(check.period_index + 1),
                # The status shown on the health checks' page (a check whose period ended
                # without one is missed), as a code the page names in its language.
                check.status(today).value,
                reverse("healthchecks:contract", args=[contract.pk]) + f"#check-{check.pk}",
                all_day,
            )
        )
    items.extend(
        TimelineItem(
            case.opened_at,
            "case",
            case.subject,
            case.get_status_display(),
            reverse("support:case", args=[case.pk]),
        )
        for case in cases
    )
    for row in orders:
        order = row.order
        day = order.received_on or order.shipped_on or order.placed_on
        if day is None:
            continue
        state = "received" if order.received_on else "shipped" if order.shipped_on else "placed"
        items.append(
            TimelineItem(midday(day), "order", order.reference, state, f"#order-{order.pk}", True)
        )
    return sorted(items, key=lambda item: item.at, reverse=True)
