from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from successkit.contracts.rules import local_date
from successkit.support.rules import (
    ROUTING,
    TRANSITIONS,
    CaseStatus,
    CaseType,
    DateProblem,
    Exchange,
    Item,
    OrderDates,
    Queue,
    ReturnRefusal,
    can_escalate,
    can_move,
    date_problems,
    exchangeable_quantity,
    needs_order,
    queue_for,
    return_allowed,
    status_after_buyer_reply,
)

WINDOW = 30  # the catalog's returns window; the rule itself takes it as an argument
RECEIVED = date(2026, 3, 1)


# --- routing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case_type", "queue"),
    [
        (CaseType.NEW_ORDER, Queue.ORDERS_LOGISTICS),
        (CaseType.RETURN, Queue.ORDERS_LOGISTICS),
        (CaseType.EXCHANGE, Queue.ORDERS_LOGISTICS),
        (CaseType.PRODUCT_QUESTION, Queue.CUSTOMER_SUCCESS),
        (CaseType.TECHNICAL_ISSUE, Queue.TECHNICAL_SUPPORT),
    ],
)
def test_each_case_type_is_routed_to_its_queue(case_type: CaseType, queue: Queue) -> None:
    assert queue_for(case_type) is queue


def test_the_routing_table_covers_every_type_and_reaches_every_queue() -> None:
    assert set(ROUTING) == set(CaseType)
    assert set(ROUTING.values()) == set(Queue)


def test_only_returns_and_exchanges_need_an_order() -> None:
    assert {t for t in CaseType if needs_order(t)} == {CaseType.RETURN, CaseType.EXCHANGE}


# --- statuses ---------------------------------------------------------------------------


def test_the_transition_table_covers_every_status_and_has_no_self_loops() -> None:
    assert set(TRANSITIONS) == set(CaseStatus)
    for status, following in TRANSITIONS.items():
        assert status not in following


@pytest.mark.parametrize(
    ("current", "wanted", "allowed"),
    [
        (CaseStatus.OPEN, CaseStatus.WAITING_ON_BUYER, True),
        (CaseStatus.OPEN, CaseStatus.RESOLVED, True),
        (CaseStatus.WAITING_ON_BUYER, CaseStatus.OPEN, True),
        (CaseStatus.ESCALATED, CaseStatus.RESOLVED, True),
        (CaseStatus.RESOLVED, CaseStatus.OPEN, True),
        (CaseStatus.RESOLVED, CaseStatus.CLOSED, True),
        (CaseStatus.RESOLVED, CaseStatus.WAITING_ON_BUYER, False),
        (CaseStatus.RESOLVED, CaseStatus.ESCALATED, False),
        (CaseStatus.OPEN, CaseStatus.OPEN, False),
        (CaseStatus.CLOSED, CaseStatus.OPEN, False),
    ],
)
def test_status_transitions(current: CaseStatus, wanted: CaseStatus, allowed: bool) -> None:
    assert can_move(current, wanted) is allowed


def test_a_closed_case_is_final() -> None:
    assert not any(can_move(CaseStatus.CLOSED, wanted) for wanted in CaseStatus)


def test_only_live_cases_can_be_escalated() -> None:
    assert {s for s in CaseStatus if can_escalate(s)} == {
        CaseStatus.OPEN,
        CaseStatus.WAITING_ON_BUYER,
        CaseStatus.ESCALATED,
    }


def test_a_buyer_reply_reopens_only_a_case_waiting_on_them() -> None:
    assert status_after_buyer_reply(CaseStatus.WAITING_ON_BUYER) is CaseStatus.OPEN
    for status in set(CaseStatus) - {CaseStatus.WAITING_ON_BUYER}:
        assert status_after_buyer_reply(status) is status


# --- the returns window -----------------------------------------------------------------


def test_return_allowed_29_days_after_receipt() -> None:
    decision = return_allowed(RECEIVED, RECEIVED + timedelta(days=29), WINDOW)
    assert (decision.allowed, decision.refusal, decision.last_day) == (
        True,
        None,
        date(2026, 3, 31),
    )


def test_return_allowed_30_days_after_receipt() -> None:
    decision = return_allowed(RECEIVED, date(2026, 3, 31), WINDOW)
    assert (decision.allowed, decision.refusal, decision.last_day) == (
        True,
        None,
        date(2026, 3, 31),
    )


def test_return_refused_31_days_after_receipt() -> None:
    decision = return_allowed(RECEIVED, date(2026, 4, 1), WINDOW)
    assert (decision.allowed, decision.refusal, decision.last_day) == (
        False,
        ReturnRefusal.WINDOW_EXPIRED,
        date(2026, 3, 31),
    )


def test_return_allowed_on_the_day_of_receipt() -> None:
    assert return_allowed(RECEIVED, RECEIVED, WINDOW).allowed


def test_return_refused_for_an_order_not_received() -> None:
    decision = return_allowed(None, RECEIVED, WINDOW)
    assert (decision.allowed, decision.refusal, decision.last_day) == (
        False,
        ReturnRefusal.NOT_RECEIVED,
        None,
    )
    before = return_allowed(RECEIVED, RECEIVED - timedelta(days=1), WINDOW)
    assert before.refusal is ReturnRefusal.NOT_RECEIVED


def test_the_window_is_the_catalogs_not_a_constant() -> None:
    assert return_allowed(RECEIVED, RECEIVED + timedelta(days=40), 45).allowed
    assert not return_allowed(RECEIVED, RECEIVED + timedelta(days=8), 7).allowed


def test_the_window_crosses_month_and_leap_day() -> None:
    decision = return_allowed(date(2028, 2, 10), date(2028, 3, 11), WINDOW)
    assert (decision.allowed, decision.last_day) == (True, date(2028, 3, 11))
    assert not return_allowed(date(2028, 2, 10), date(2028, 3, 12), WINDOW).allowed


def test_the_same_instant_is_day_30_in_madrid_and_day_31_in_tokyo() -> None:
    # 31 March 2026, 18:30 UTC: 20:30 in Madrid (day 30), 03:30 on 1 April in Tokyo (day 31).
    instant = datetime(2026, 3, 31, 18, 30, tzinfo=UTC)
    madrid, tokyo = local_date(instant, "Europe/Madrid"), local_date(instant, "Asia/Tokyo")
    assert (madrid, tokyo) == (date(2026, 3, 31), date(2026, 4, 1))
    assert return_allowed(RECEIVED, madrid, WINDOW).allowed
    assert return_allowed(RECEIVED, tokyo, WINDOW).refusal is ReturnRefusal.WINDOW_EXPIRED


def test_the_same_instant_is_day_31_in_madrid_and_day_30_in_los_angeles() -> None:
    instant = datetime(2026, 4, 1, 5, 0, tzinfo=UTC)
    assert not return_allowed(RECEIVED, local_date(instant, "Europe/Madrid"), WINDOW).allowed
    assert return_allowed(RECEIVED, local_date(instant, "America/Los_Angeles"), WINDOW).allowed


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))


@given(received=days, offset=st.integers(min_value=-400, max_value=400))
def test_a_return_is_allowed_exactly_from_receipt_through_receipt_plus_window(
    received: date, offset: int
) -> None:
    decision = return_allowed(received, received + timedelta(days=offset), WINDOW)
    assert decision.allowed is (0 <= offset <= WINDOW)
    if offset < 0:
        assert decision.refusal is ReturnRefusal.NOT_RECEIVED
    elif offset > WINDOW:
        assert decision.refusal is ReturnRefusal.WINDOW_EXPIRED
    if offset >= 0:
        assert decision.last_day == received + timedelta(days=WINDOW)


@settings(max_examples=25)
@given(
    received=days,
    zone=st.sampled_from(
        ["Europe/Madrid", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati"]
    ),
)
def test_returns_are_open_on_31_calendar_days_in_a_row_from_the_receipt_in_any_zone(
    received: date, zone: str
) -> None:
    """Walking hour by hour through the buyer's calendar, a return is allowed on exactly
    the receipt day and the 30 days after it (SPEC: received on R, allowed through R+30)."""
    first_hour = datetime.combine(received - timedelta(days=3), time(), UTC)
    open_days = sorted(
        {
            day
            for hour in range(24 * 40)
            if return_allowed(
                received, day := local_date(first_hour + timedelta(hours=hour), zone), WINDOW
            ).allowed
        }
    )
    assert open_days[0] == received
    assert len(open_days) == 31
    assert (open_days[-1] - open_days[0]).days == 30


# --- orders -----------------------------------------------------------------------------


TODAY = date(2026, 5, 1)


@pytest.mark.parametrize(
    ("dates", "problems"),
    [
        (OrderDates(date(2026, 4, 1), date(2026, 4, 2), date(2026, 4, 5)), []),
        (OrderDates(None, None, date(2026, 4, 5)), []),
        (OrderDates(date(2026, 4, 1), None, None), []),
        (OrderDates(date(2026, 4, 1), None, TODAY), []),
        (
            OrderDates(date(2026, 4, 3), date(2026, 4, 2), None),
            [DateProblem.SHIPPED_BEFORE_PLACED],
        ),
        (
            OrderDates(date(2026, 4, 3), None, date(2026, 4, 2)),
            [DateProblem.RECEIVED_BEFORE_PLACED],
        ),
        (
            OrderDates(None, date(2026, 4, 3), date(2026, 4, 2)),
            [DateProblem.RECEIVED_BEFORE_SHIPPED],
        ),
        (OrderDates(None, None, date(2026, 5, 2)), [DateProblem.RECEIVED_IN_FUTURE]),
    ],
)
def test_order_dates_run_placed_shipped_received_and_never_in_the_future(
    dates: OrderDates, problems: list[DateProblem]
) -> None:
    assert date_problems(dates, TODAY) == problems


def test_an_exchange_must_change_something_and_matches_what_was_ordered() -> None:
    nine = Item("OURA-GEN4", "9", "silver")
    assert Exchange(nine, Item("OURA-GEN4", "10", "silver"), 1).changes_something
    assert not Exchange(nine, nine, 1).changes_something
    ordered = [(nine, 2), (Item("OURA-GEN4", "10", "black"), 3)]
    assert exchangeable_quantity(ordered, Item("OURA-GEN4", "9")) == 2
    assert exchangeable_quantity(ordered, Item("OURA-GEN4", "9", "black")) == 0
    assert exchangeable_quantity(ordered, Item("OURA-GEN4", "11")) == 0
