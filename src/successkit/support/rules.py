"""Ongoing support as plain rules (SPEC.md §3-4): which queue a case goes to, how its
status may move, and the returns window. No Django here: the services call these.

Every value a rule needs from the contract (the returns window in days) arrives as an
argument; the catalog holds it, not this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from successkit.contracts.rules import DateRange


class CaseType(StrEnum):
    NEW_ORDER = "new_order"
    RETURN = "return"
    EXCHANGE = "exchange"
    PRODUCT_QUESTION = "product_question"
    TECHNICAL_ISSUE = "technical_issue"


class Queue(StrEnum):
    ORDERS_LOGISTICS = "orders_logistics"
    TECHNICAL_SUPPORT = "technical_support"
    CUSTOMER_SUCCESS = "customer_success"


class CaseStatus(StrEnum):
    OPEN = "open"
    WAITING_ON_BUYER = "waiting_on_buyer"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


class ReturnRefusal(StrEnum):
    NOT_RECEIVED = "order_not_received"
    WINDOW_EXPIRED = "return_window_expired"


# Where a new case lands, by type: the one routing table.
ROUTING: Mapping[CaseType, Queue] = {
    CaseType.NEW_ORDER: Queue.ORDERS_LOGISTICS,
    CaseType.RETURN: Queue.ORDERS_LOGISTICS,
    CaseType.EXCHANGE: Queue.ORDERS_LOGISTICS,
    CaseType.PRODUCT_QUESTION: Queue.CUSTOMER_SUCCESS,
    CaseType.TECHNICAL_ISSUE: Queue.TECHNICAL_SUPPORT,
}

# Case types that send rings back, so they reference an order and obey the returns window.
RETURN_TYPES: frozenset[CaseType] = frozenset({CaseType.RETURN, CaseType.EXCHANGE})

# Which status may follow which. A closed case is final; a resolved one can be reopened.
TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset(
        {CaseStatus.WAITING_ON_BUYER, CaseStatus.ESCALATED, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.WAITING_ON_BUYER: frozenset(
        {CaseStatus.OPEN, CaseStatus.ESCALATED, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.ESCALATED: frozenset(
        {CaseStatus.OPEN, CaseStatus.WAITING_ON_BUYER, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.RESOLVED: frozenset({CaseStatus.OPEN, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}

# Statuses in which the next move is the vendor's (the buyer waits on the team).
WAITING_ON_VENDOR: frozenset[CaseStatus] = frozenset({CaseStatus.OPEN, CaseStatus.ESCALATED})

# Statuses from which a case may be escalated (again: an escalated case may be sent on).
ESCALABLE: frozenset[CaseStatus] = frozenset(
    {CaseStatus.OPEN, CaseStatus.WAITING_ON_BUYER, CaseStatus.ESCALATED}
)


def queue_for(case_type: CaseType) -> Queue:
    return ROUTING[case_type]


def needs_order(case_type: CaseType) -> bool:
    return case_type in RETURN_TYPES


def can_move(current: CaseStatus, wanted: CaseStatus) -> bool:
    return wanted in TRANSITIONS[current]


def can_escalate(current: CaseStatus) -> bool:
    return current in ESCALABLE


def accepts_messages(current: CaseStatus) -> bool:
    return current is not CaseStatus.CLOSED


def status_after_buyer_reply(current: CaseStatus) -> CaseStatus:
    """A buyer's answer puts a case that waited on them back into the team's hands."""
    return CaseStatus.OPEN if current is CaseStatus.WAITING_ON_BUYER else current


# --- the returns window -----------------------------------------------------------------


def return_window(received_on: date, window_days: int) -> DateRange:
    """Received on day R: returns and exchanges are accepted R through R+``window_days``."""
    return DateRange(received_on, received_on + timedelta(days=window_days))


@dataclass(frozen=True)
class ReturnDecision:
    allowed: bool
    refusal: ReturnRefusal | None
    # The last day a request is accepted (None while the order is not received).
    last_day: date | None


def return_allowed(
    received_on: date | None, requested_on: date, window_days: int
) -> ReturnDecision:
    """May a return or exchange requested on ``requested_on`` go ahead for an order the
    buyer received on ``received_on``? Both are calendar days in the buyer's time zone."""
    if received_on is None or requested_on < received_on:
        return ReturnDecision(False, ReturnRefusal.NOT_RECEIVED, None)
    window = return_window(received_on, window_days)
    if requested_on in window:
        return ReturnDecision(True, None, window.end)
    return ReturnDecision(False, ReturnRefusal.WINDOW_EXPIRED, window.end)


# --- orders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderDates:
    # Any of them may be unknown: an order imported late may lack when it was placed.
    placed_on: date | None
    shipped_on: date | None
    received_on: date | None


class DateProblem(StrEnum):
    SHIPPED_BEFORE_PLACED = "shipped_before_placed"
    RECEIVED_BEFORE_PLACED = "received_before_placed"
    RECEIVED_BEFORE_SHIPPED = "received_before_shipped"
    RECEIVED_IN_FUTURE = "received_in_future"


def date_problems(dates: OrderDates, today: date) -> list[DateProblem]:
    """What is wrong with an order's dates (empty: nothing). An order is placed, then
    shipped, then received; nobody receives an order on a day still to come."""
    placed, shipped, received = dates.placed_on, dates.shipped_on, dates.received_on
    problems = []
    if placed is not None and shipped is not None and shipped < placed:
        problems.append(DateProblem.SHIPPED_BEFORE_PLACED)
    if received is not None:
        if placed is not None and received < placed:
            problems.append(DateProblem.RECEIVED_BEFORE_PLACED)
        if shipped is not None and received < shipped:
            problems.append(DateProblem.RECEIVED_BEFORE_SHIPPED)
        if received > today:
            problems.append(DateProblem.RECEIVED_IN_FUTURE)
    return problems


@dataclass(frozen=True)
class Item:
    """A ring: SKU, size and colour (colour may be empty when the SKU implies it)."""

    sku: str
    size: str
    colour: str = ""

    def matches(self, other: Item) -> bool:
        """Same SKU and size; colours must agree when both are given."""
        same_colour = not self.colour or not other.colour or self.colour == other.colour
        return self.sku == other.sku and self.size == other.size and same_colour


def exchangeable_quantity(ordered: list[tuple[Item, int]], wanted: Item) -> int:
    """How many of ``wanted`` the order holds (0 when it holds none)."""
    return sum(quantity for item, quantity in ordered if item.matches(wanted))


@dataclass(frozen=True)
class Exchange:
    """``quantity`` rings of ``given`` sent back for as many of ``wanted``."""

    given: Item
    wanted: Item
    quantity: int

    @property
    def changes_something(self) -> bool:
        return self.given != self.wanted
