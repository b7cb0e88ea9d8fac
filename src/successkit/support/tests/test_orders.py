from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.factories import StaffFactory
from successkit.support.models import Order
from successkit.support.tests.conftest import Parties, counts
from successkit.support.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

ITEMS = [
    {"sku": "OURA-GEN4-SILVER", "size": "9", "quantity": 3},
    {"sku": "OURA-GEN4-BLACK", "size": 10, "quantity": 1, "colour": "black"},
]


def test_staff_record_an_order_with_its_lines(parties: Parties) -> None:
    received = parties.contract.today() - timedelta(days=3)
    response = parties.rep.post(
        f"contracts/{parties.contract.pk}/orders",
        {"reference": "SO-1", "received_on": received.isoformat(), "items": ITEMS},
    )
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "contract_id": str(parties.contract.pk),
        "reference": "SO-1",
        "placed_on": None,
        "shipped_on": None,
        "received_on": received.isoformat(),
        "returns_until": (received + timedelta(days=30)).isoformat(),
        "items": [
            {
                "id": body["items"][0]["id"],
                "sku": "OURA-GEN4-SILVER",
                "size": "9",
                "colour": "",
                "quantity": 3,
            },
            {
                "id": body["items"][1]["id"],
                "sku": "OURA-GEN4-BLACK",
                "size": "10",
                "colour": "black",
                "quantity": 1,
            },
        ],
        "history": [],
    }
    assert isinstance(body["id"], str)
    assert parties.rep.get(f"orders/{body['id']}").json() == body
    assert parties.buyer.get(f"orders/{body['id']}").json() == body


def test_an_order_not_yet_received_has_no_returns_window(parties: Parties) -> None:
    response = parties.rep.post(
        f"contracts/{parties.contract.pk}/orders", {"reference": "SO-2", "items": ITEMS[:1]}
    )
    assert response.status_code == 201
    assert (response.json()["received_on"], response.json()["returns_until"]) == (None, None)


def test_the_reference_is_unique_per_contract(parties: Parties, admin_api: ApiClient) -> None:
    OrderFactory(contract=parties.contract, reference="SO-9")
    OrderFactory(reference="SO-10")  # the same reference elsewhere is no conflict
    before = counts()
    response = parties.rep.post(
        f"contracts/{parties.contract.pk}/orders", {"reference": " SO-9 ", "items": ITEMS}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "reference_taken"
    assert counts() == before
    other = OrderFactory().contract
    assert (
        admin_api.post(
            f"contracts/{other.pk}/orders", {"reference": "SO-10", "items": ITEMS}
        ).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"items": []}, "items"),
        ({"items": [{"sku": "A", "size": "9", "quantity": 0}]}, "items.0.quantity"),
        ({"items": [{"sku": "A", "size": "9", "quantity": -2}]}, "items.0.quantity"),
        ({"items": [{"sku": "A", "size": "9", "quantity": 10**12}]}, "items.0.quantity"),
        ({"items": [{"sku": " ", "size": "9", "quantity": 1}]}, "items.0.sku"),
        ({"items": [{"sku": "A", "size": "", "quantity": 1}]}, "items.0.size"),
        ({"items": [{"sku": "A\x00", "size": "9", "quantity": 1}]}, "items.0.sku"),
        ({"items": [{"sku": "A", "quantity": 1}]}, "items.0.size"),
        ({"items": "lots"}, "items"),
        ({"reference": ""}, "reference"),
        ({"reference": "R" * 65}, "reference"),
        ({"received_on": "2026-02-30"}, "received_on"),
        ({"received_on": "yesterday"}, "received_on"),
        ({"placed_on": "2026-01-10", "received_on": "2026-01-05"}, "received_on"),
        ({"placed_on": "2026-01-10", "shipped_on": "2026-01-05"}, "shipped_on"),
        ({"shipped_on": "2026-01-10", "received_on": "2026-01-05"}, "received_on"),
    ],
)
def test_bad_orders_are_refused_and_write_nothing(
    parties: Parties, change: dict, field: str
) -> None:
    before = counts()
    response = parties.rep.post(
        f"contracts/{parties.contract.pk}/orders", {"reference": "SO-3", "items": ITEMS, **change}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in (error.get("field"), *(f["field"] for f in error.get("fields", [])))
    assert counts() == before


def test_an_order_cannot_be_received_after_today_in_the_buyers_time_zone(
    parties: Parties,
) -> None:
    tomorrow = parties.contract.today() + timedelta(days=1)
    before = counts()
    response = parties.rep.post(
        f"contracts/{parties.contract.pk}/orders",
        {"reference": "SO-4", "items": ITEMS, "received_on": tomorrow.isoformat()},
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "received_on"
    assert counts() == before


def test_buyers_ask_for_orders_through_cases_and_do_not_record_them(parties: Parties) -> None:
    before = counts()
    response = parties.buyer.post(
        f"contracts/{parties.contract.pk}/orders", {"reference": "SO-5", "items": ITEMS}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    for role in (Role.FINANCE, Role.LD_SPECIALIST):
        staff = ApiClient(StaffFactory(roles=[role]))
        assert (
            staff.post(
                f"contracts/{parties.contract.pk}/orders", {"reference": "SO-5", "items": ITEMS}
            ).status_code
            == 403
        )
    assert counts() == before


def test_patch_records_the_receipt(parties: Parties) -> None:
    order = OrderFactory(contract=parties.contract, received_on=None)
    day = parties.contract.today() - timedelta(days=1)
    response = parties.rep.patch(f"orders/{order.pk}", {"received_on": day.isoformat()})
    assert response.status_code == 200
    assert response.json()["received_on"] == day.isoformat()
    assert response.json()["returns_until"] == (day + timedelta(days=30)).isoformat()
    order.refresh_from_db()
    assert order.received_on == day


@pytest.mark.parametrize(
    "body",
    [{}, {"received_on": None}, {"received_on": "not a date"}, {"received_on": "2999-01-01"}],
)
def test_a_bad_patch_changes_nothing(parties: Parties, body: dict) -> None:
    order = OrderFactory(contract=parties.contract)
    received = order.received_on
    response = parties.rep.patch(f"orders/{order.pk}", body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    order.refresh_from_db()
    assert order.received_on == received


def test_a_patch_before_the_shipping_date_is_refused(parties: Parties) -> None:
    order = OrderFactory(contract=parties.contract, received_on=None)
    response = parties.rep.patch(
        f"orders/{order.pk}", {"received_on": (order.shipped_on - timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 422
    order.refresh_from_db()
    assert order.received_on is None


def test_buyers_cannot_change_orders(parties: Parties) -> None:
    order = OrderFactory(contract=parties.contract, received_on=None)
    response = parties.buyer.patch(
        f"orders/{order.pk}", {"received_on": parties.contract.today().isoformat()}
    )
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.received_on is None


def test_orders_of_another_organization_are_not_found(parties: Parties) -> None:
    order = OrderFactory(contract=parties.contract, received_on=None)
    calls = [
        parties.outsider.get(f"orders/{order.pk}"),
        parties.outsider.patch(f"orders/{order.pk}", {"received_on": "2026-01-01"}),
        parties.outsider.get(f"contracts/{parties.contract.pk}/orders"),
        parties.outsider.post(
            f"contracts/{parties.contract.pk}/orders", {"reference": "X", "items": ITEMS}
        ),
    ]
    for response in calls:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    order.refresh_from_db()
    assert order.received_on is None
    assert Order.objects.count() == 1


def test_malformed_or_unknown_ids_are_not_found(parties: Parties) -> None:
    for path in ("orders/abc", "orders/0", "orders/99999999999999999999", "orders/-1"):
        response = parties.rep.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


def test_a_contract_lists_its_own_orders_in_pages(parties: Parties) -> None:
    mine = [OrderFactory(contract=parties.contract) for _ in range(3)]
    OrderFactory()
    first = parties.buyer.get(f"contracts/{parties.contract.pk}/orders?limit=2").json()
    assert [o["id"] for o in first["items"]] == [str(o.pk) for o in mine[:2]]
    assert first["next"] is not None
    second = parties.buyer.get(urlsplit(first["next"])._replace(scheme="", netloc="").geturl())
    second = second.json()
    assert [o["id"] for o in second["items"]] == [str(mine[2].pk)]
    assert second["next"] is None
