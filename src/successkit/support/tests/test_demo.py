from __future__ import annotations

from datetime import date, timedelta

import pytest

from successkit.demo import build_demo
from successkit.support.models import Case, Order

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_order_an_exchange_and_a_case_waiting_on_the_buyer() -> None:
    # The demo is built for the real today: the services refuse what is in the past.
    today = date.today()
    build_demo(today=today)
    order = Order.objects.get()
    assert (order.reference, order.received_on) == ("HZ-1001", today - timedelta(days=12))
    exchange, issue = Case.objects.order_by("id")
    assert (exchange.type, exchange.queue, exchange.order_id) == (
        "exchange",
        "orders_logistics",
        order.pk,
    )
    assert list(exchange.exchanges.values_list("size", "to_size", "quantity")) == [("9", "10", 2)]
    assert (issue.queue, issue.status, issue.assignee.email) == (
        "technical_support",
        "waiting_on_buyer",
        "engineer@demo.successkit.test",
    )
    assert issue.messages.filter(internal=True).count() == 1
    build_demo(today=today)
    assert (Order.objects.count(), Case.objects.count()) == (1, 2)
