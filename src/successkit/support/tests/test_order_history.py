"""Order history and the order lines a return or exchange names (SPEC.md §4)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from successkit.support.models import Case, CaseLine
from successkit.support.tests.conftest import Parties, counts
from successkit.support.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

TWO_LINES = [
    {"sku": "OURA-GEN4", "size": "9", "colour": "silver", "quantity": 3},
    {"sku": "OURA-GEN4", "size": "11", "colour": "black", "quantity": 1},
]


def at(monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: instant)


def line_ids(order) -> list[int]:
    return list(order.lines.order_by("id").values_list("pk", flat=True))


def test_a_receipt_correction_is_in_the_orders_history_and_moves_the_window(
    parties: Parties, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Received 1 March, corrected to 2 March. On 1 April (Madrid) that is day 31 of the
    first date, day 30 of the corrected one: the return is accepted, and the trail says who
    moved the date, when, from what to what."""
    at(monkeypatch, datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
    order = OrderFactory(
        contract=parties.contract,
        placed_on=None,
        shipped_on=None,
        received_on=date(2026, 3, 1),
        lines=TWO_LINES,
    )
    first, _second = line_ids(order)
    body = {
        "type": "return",
        "subject": "Too big",
        "order_id": order.pk,
        "lines": [{"order_line_id": first, "quantity": 1}],
    }
    before = counts()
    refused = parties.buyer.post(f"contracts/{parties.contract.pk}/cases", body)
    assert refused.json()["error"]["code"] == "return_window_expired"
    assert counts() == before

    corrected = parties.rep.patch(f"orders/{order.pk}", {"received_on": "2026-03-02"})
    assert corrected.status_code == 200
    assert corrected.json()["returns_until"] == "2026-04-01"
    [change] = corrected.json()["history"]
    rep = parties.contract.representative
    assert change["actor"] == {"id": str(rep.pk), "name": rep.name, "kind": "staff"}
    assert (change["field"], change["old"], change["new"]) == (
        "received_on",
        "2026-03-01",
        "2026-03-02",
    )
    assert parties.buyer.get(f"orders/{order.pk}").json()["history"] == [change]
    accepted = parties.buyer.post(f"contracts/{parties.contract.pk}/cases", body)
    assert accepted.status_code == 201
    assert accepted.json()["lines"] == [
        {
            "order_line_id": str(first),
            "sku": "OURA-GEN4",
            "size": "9",
            "colour": "silver",
            "quantity": 1,
        }
    ]


def test_the_same_date_again_records_nothing(parties: Parties) -> None:
    order = OrderFactory(contract=parties.contract, received_on=parties.contract.today())
    same = parties.rep.patch(f"orders/{order.pk}", {"received_on": order.received_on.isoformat()})
    assert (same.status_code, same.json()["history"]) == (200, [])


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([{"order_line_id": 0, "quantity": 1}], "lines.0.order_line_id"),
        ([{"order_line_id": 987654, "quantity": 1}], "lines.0.order_line_id"),
        ([{"order_line_id": "FIRST", "quantity": 4}], "lines.0.quantity"),
        ([{"order_line_id": "FIRST", "quantity": 0}], "lines.0.quantity"),
        (
            [{"order_line_id": "FIRST", "quantity": 1}, {"order_line_id": "FIRST", "quantity": 1}],
            "lines.1.order_line_id",
        ),
    ],
)
def test_a_return_naming_no_or_wrong_lines_is_refused_and_writes_nothing(
    parties: Parties, lines: list, field: str
) -> None:
    order = OrderFactory(
        contract=parties.contract, received_on=parties.contract.today(), lines=TWO_LINES
    )
    first = line_ids(order)[0]
    named = [
        {**x, "order_line_id": first if x["order_line_id"] == "FIRST" else x["order_line_id"]}
        for x in lines
    ]
    before = counts()
    response = parties.buyer.post(
        f"contracts/{parties.contract.pk}/cases",
        {"type": "return", "subject": "Back", "order_id": order.pk, "lines": named},
    )
    assert response.status_code == 422
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "validation_error",
        field,
    )
    assert counts() == before


def test_rings_already_in_an_open_return_cannot_be_returned_again(parties: Parties) -> None:
    order = OrderFactory(
        contract=parties.contract, received_on=parties.contract.today(), lines=TWO_LINES
    )
    first = line_ids(order)[0]

    def ask(quantity: int):
        return parties.buyer.post(
            f"contracts/{parties.contract.pk}/cases",
            {
                "type": "return",
                "subject": "Back",
                "order_id": order.pk,
                "lines": [{"order_line_id": first, "quantity": quantity}],
            },
        )

    assert ask(2).status_code == 201
    before = counts()
    refused = ask(2)
    assert refused.status_code == 422
    assert "1" in refused.json()["error"]["message"]
    assert counts() == before
    assert ask(1).status_code == 201
    assert sum(CaseLine.objects.values_list("quantity", flat=True)) == 3


def test_an_exchange_without_lines_takes_them_from_its_exchanges(parties: Parties) -> None:
    order = OrderFactory(
        contract=parties.contract, received_on=parties.contract.today(), lines=TWO_LINES
    )
    response = parties.buyer.post(
        f"contracts/{parties.contract.pk}/cases",
        {
            "type": "exchange",
            "subject": "Size",
            "order_id": order.pk,
            "exchanges": [{"sku": "OURA-GEN4", "size": "11", "to_size": "12"}],
        },
    )
    assert response.status_code == 201
    assert [(x["order_line_id"], x["quantity"]) for x in response.json()["lines"]] == [
        (str(line_ids(order)[1]), 1)
    ]
    assert Case.objects.get().lines.count() == 1


def test_only_a_return_or_exchange_names_lines(parties: Parties) -> None:
    order = OrderFactory(contract=parties.contract, received_on=parties.contract.today())
    before = counts()
    response = parties.buyer.post(
        f"contracts/{parties.contract.pk}/cases",
        {
            "type": "product_question",
            "subject": "?",
            "lines": [{"order_line_id": line_ids(order)[0], "quantity": 1}],
        },
    )
    assert (response.status_code, response.json()["error"]["field"]) == (422, "lines")
    assert counts() == before
