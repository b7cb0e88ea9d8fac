from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.core.records import AppendOnlyError
from successkit.factories import ContactFactory, ContractFactory, StaffFactory
from successkit.support.models import Case, CaseEvent, Message, OrderLine
from successkit.support.tests.conftest import Parties, counts
from successkit.support.tests.factories import CaseFactory, OrderFactory

pytestmark = pytest.mark.django_db


def open_case(api: ApiClient, contract_id: int, **body: object):
    """A return names its order lines: all of them, one ring each, unless told."""
    if body.get("type") == "return" and "lines" not in body and body.get("order_id"):
        lines = OrderLine.objects.filter(order_id=body["order_id"]).order_by("id")
        body["lines"] = [{"order_line_id": line.pk, "quantity": 1} for line in lines]
    return api.post(f"contracts/{contract_id}/cases", {"subject": "Help", **body})


def received_days_ago(parties: Parties, days: int, **kwargs: object):
    today = parties.contract.today()
    return OrderFactory(
        contract=parties.contract,
        placed_on=today - timedelta(days=days + 5),
        shipped_on=today - timedelta(days=days + 3),
        received_on=today - timedelta(days=days),
        **kwargs,
    )


# --- routing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case_type", "queue"),
    [
        ("new_order", "orders_logistics"),
        ("product_question", "customer_success"),
        ("technical_issue", "technical_support"),
    ],
)
def test_a_buyer_opens_a_case_routed_to_its_queue(
    parties: Parties, case_type: str, queue: str
) -> None:
    response = open_case(parties.buyer, parties.contract.pk, type=case_type, description="Hi")
    assert response.status_code == 201
    body = response.json()
    assert (body["type"], body["queue"], body["status"]) == (case_type, queue, "open")
    assert body["assignee_id"] is None
    assert body["representative_id"] == str(parties.contract.representative_id)
    assert body["opened_by_id"] == str(parties.contract.buyer_contact.user_id)
    case = Case.objects.get(pk=body["id"])
    assert list(case.messages.values_list("body", "internal")) == [("Hi", False)]
    assert list(case.events.values_list("kind", "to_value")) == [("opened", queue)]


def test_labels_come_in_the_callers_language(parties: Parties) -> None:
    user = parties.contract.buyer_contact.user
    user.language = "es"
    user.save()
    body = open_case(ApiClient(user), parties.contract.pk, type="technical_issue").json()
    assert (body["type_label"], body["queue_label"], body["status_label"]) == (
        "Problema técnico",
        "Asistencia técnica",
        "Abierto",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "complaint"}, "type"),
        ({"type": "new_order", "subject": "  "}, "subject"),
        ({"type": "new_order", "subject": "S" * 201}, "subject"),
        ({"type": "return"}, "order_id"),
        ({"type": "exchange"}, "order_id"),
        ({"type": "return", "order_id": "abc"}, "order_id"),
        ({"type": "return", "order_id": 0}, "order_id"),
        ({"type": "new_order", "description": "a\x00b"}, "description"),
        ({"subject": "no type"}, "type"),
    ],
)
def test_bad_cases_are_refused_and_write_nothing(parties: Parties, body: dict, field: str) -> None:
    before = counts()
    response = parties.buyer.post(
        f"contracts/{parties.contract.pk}/cases", {"subject": "Help", **body}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in (error.get("field"), *(f["field"] for f in error.get("fields", [])))
    assert counts() == before


def test_a_return_must_name_an_order_of_the_same_contract(parties: Parties) -> None:
    elsewhere = OrderFactory()
    before = counts()
    for order_id in (elsewhere.pk, 987654):
        response = open_case(parties.buyer, parties.contract.pk, type="return", order_id=order_id)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert response.json()["error"]["field"] == "order_id"
    assert counts() == before


# --- the returns window -----------------------------------------------------------------


def test_the_returns_window_is_the_catalogs() -> None:
    for code in ("launch_kit", "pro_lite", "premium"):
        assert ContractFactory(package_code=code).package.terms().returns_window_days == 30


@pytest.mark.parametrize("days", [0, 29, 30])
def test_a_return_is_accepted_up_to_30_days_after_receipt(parties: Parties, days: int) -> None:
    order = received_days_ago(parties, days)
    response = open_case(parties.buyer, parties.contract.pk, type="return", order_id=order.pk)
    assert response.status_code == 201
    assert (response.json()["queue"], response.json()["order_id"]) == (
        "orders_logistics",
        str(order.pk),
    )


@pytest.mark.parametrize("case_type", ["return", "exchange"])
def test_a_return_or_exchange_31_days_after_receipt_is_refused(
    parties: Parties, case_type: str
) -> None:
    order = received_days_ago(parties, 31)
    before = counts()
    response = open_case(parties.buyer, parties.contract.pk, type=case_type, order_id=order.pk)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "return_window_expired"
    last_day = order.received_on + timedelta(days=30)
    assert error["last_allowed_day"] == last_day.isoformat()
    # The buyer reads the day as Spanish writes it (the details keep it ISO).
    months = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"]
    assert f"{last_day.day} {months[last_day.month - 1]} {last_day.year}" in error["message"]
    assert counts() == before


def test_a_return_of_an_order_not_received_is_refused(parties: Parties) -> None:
    order = OrderFactory(contract=parties.contract, received_on=None)
    before = counts()
    response = open_case(parties.rep, parties.contract.pk, type="return", order_id=order.pk)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "order_not_received"
    assert counts() == before


def test_the_refusal_speaks_spanish_to_a_spanish_buyer(parties: Parties) -> None:
    user = parties.contract.buyer_contact.user
    user.language = "es"
    user.save()
    order = received_days_ago(parties, 45)
    error = open_case(ApiClient(user), parties.contract.pk, type="return", order_id=order.pk)
    assert error.json()["error"]["code"] == "return_window_expired"
    assert "devoluciones" in error.json()["error"]["message"]


def test_the_window_is_counted_in_the_buyers_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 18:30 UTC on 31 March it is still day 30 in Madrid but already day 31 in Tokyo."""
    received = date(2026, 3, 1)
    madrid = ContractFactory(organization__timezone="Europe/Madrid")
    tokyo = ContractFactory(organization__timezone="Asia/Tokyo")
    orders = {
        contract.organization.timezone: OrderFactory(
            contract=contract, placed_on=None, shipped_on=None, received_on=received
        )
        for contract in (madrid, tokyo)
    }
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 31, 18, 30, tzinfo=UTC))
    accepted = open_case(
        ApiClient(madrid.buyer_contact.user),
        madrid.pk,
        type="return",
        order_id=orders["Europe/Madrid"].pk,
    )
    assert accepted.status_code == 201
    refused = open_case(
        ApiClient(tokyo.buyer_contact.user),
        tokyo.pk,
        type="return",
        order_id=orders["Asia/Tokyo"].pk,
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "return_window_expired"
    assert Case.objects.count() == 1


def test_the_service_takes_the_request_day(parties: Parties) -> None:
    from successkit.accounts.actors import Actor
    from successkit.support import services
    from successkit.support.errors import ReturnWindowExpired

    order = OrderFactory(
        contract=parties.contract, placed_on=None, shipped_on=None, received_on=date(2026, 1, 10)
    )
    actor = Actor.of(parties.contract.buyer_contact.user)

    line = order.lines.get()

    def request_on(day: date) -> Case:
        return services.open_case(
            actor,
            parties.contract,
            case_type="return",
            subject="Back",
            order_id=order.pk,
            lines=[services.CaseLineIn(line.pk, 1)],
            today=day,
        )

    assert request_on(date(2026, 2, 8)).status == "open"  # day 29
    assert request_on(date(2026, 2, 9)).status == "open"  # day 30
    with pytest.raises(ReturnWindowExpired):
        request_on(date(2026, 2, 10))  # day 31
    assert Case.objects.count() == 2


# --- exchanges --------------------------------------------------------------------------


def test_an_exchange_records_what_is_exchanged_for_what(parties: Parties) -> None:
    order = received_days_ago(
        parties, 10, lines=[{"sku": "OURA-GEN4", "size": "9", "colour": "silver", "quantity": 2}]
    )
    response = open_case(
        parties.buyer,
        parties.contract.pk,
        type="exchange",
        order_id=order.pk,
        exchanges=[{"sku": "OURA-GEN4", "size": 9, "to_size": "10"}],
    )
    assert response.status_code == 201
    assert response.json()["exchanges"] == [
        {
            "sku": "OURA-GEN4",
            "size": "9",
            "colour": "",
            "to_sku": "OURA-GEN4",
            "to_size": "10",
            "to_colour": "",
            "quantity": 1,
        }
    ]


@pytest.mark.parametrize(
    "exchange",
    [
        {"sku": "OURA-GEN4", "size": "9"},  # changes nothing
        {"sku": "OURA-GEN4", "size": "9", "to_size": "9"},
        {"sku": "OURA-GEN4", "size": "8", "to_size": "9"},  # not in the order
        {"sku": "OURA-GEN4", "size": "9", "to_size": "10", "quantity": 3},  # more than ordered
        {"sku": "OURA-GEN4", "size": "9", "to_size": "10", "quantity": 0},
        {"sku": "OURA-GEN4", "size": "9", "colour": "black", "to_size": "10"},
        {"sku": "", "size": "9", "to_size": "10"},
    ],
)
def test_a_bad_exchange_is_refused_and_writes_nothing(parties: Parties, exchange: dict) -> None:
    order = received_days_ago(
        parties, 10, lines=[{"sku": "OURA-GEN4", "size": "9", "colour": "silver", "quantity": 2}]
    )
    before = counts()
    response = open_case(
        parties.buyer,
        parties.contract.pk,
        type="exchange",
        order_id=order.pk,
        exchanges=[exchange],
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert counts() == before


def test_only_an_exchange_lists_exchanges(parties: Parties) -> None:
    order = received_days_ago(parties, 1)
    before = counts()
    response = open_case(
        parties.buyer,
        parties.contract.pk,
        type="return",
        order_id=order.pk,
        exchanges=[{"sku": "OURA-GEN4-SILVER", "size": "9", "to_size": "10"}],
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "exchanges"
    assert counts() == before


# --- conversation -----------------------------------------------------------------------


def test_internal_notes_are_never_shown_to_buyers(parties: Parties) -> None:
    case_id = open_case(parties.buyer, parties.contract.pk, type="product_question").json()["id"]
    public = parties.rep.post(f"cases/{case_id}/messages", {"body": "Looking into it"})
    note = parties.rep.post(
        f"cases/{case_id}/messages", {"body": "Buyer is on the old firmware", "internal": True}
    )
    assert public.status_code == note.status_code == 201
    assert note.json()["internal"] is True
    staff_view = parties.rep.get(f"cases/{case_id}/messages").json()["items"]
    assert [m["body"] for m in staff_view] == ["Looking into it", "Buyer is on the old firmware"]
    buyer_view = parties.buyer.get(f"cases/{case_id}/messages").json()["items"]
    assert [(m["body"], m["author_kind"]) for m in buyer_view] == [("Looking into it", "staff")]
    for path in (f"cases/{case_id}", f"contracts/{parties.contract.pk}/cases", "cases"):
        assert "old firmware" not in parties.buyer.get(path).content.decode()


def test_buyers_cannot_write_internal_notes(parties: Parties) -> None:
    case_id = open_case(parties.buyer, parties.contract.pk, type="product_question").json()["id"]
    before = counts()
    response = parties.buyer.post(f"cases/{case_id}/messages", {"body": "psst", "internal": True})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert counts() == before


def test_a_buyer_reply_reopens_a_case_waiting_on_them(parties: Parties) -> None:
    case_id = open_case(parties.buyer, parties.contract.pk, type="new_order").json()["id"]
    assert (
        parties.rep.post(f"cases/{case_id}/status", {"status": "waiting_on_buyer"}).status_code
        == 200
    )
    assert parties.buyer.post(f"cases/{case_id}/messages", {"body": "20 rings"}).status_code == 201
    assert parties.buyer.get(f"cases/{case_id}").json()["status"] == "open"
    events = list(
        CaseEvent.objects.filter(case_id=case_id, kind="status_changed").values_list(
            "from_value", "to_value", "actor_id"
        )
    )
    assert events == [
        ("open", "waiting_on_buyer", parties.contract.representative_id),
        ("waiting_on_buyer", "open", parties.contract.buyer_contact.user_id),
    ]


def test_a_closed_case_takes_no_more_messages(parties: Parties) -> None:
    case = CaseFactory(contract=parties.contract, status="closed")
    before = counts()
    response = parties.buyer.post(f"cases/{case.pk}/messages", {"body": "one more thing"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_state"
    assert counts() == before


def test_an_empty_message_is_refused(parties: Parties) -> None:
    case = CaseFactory(contract=parties.contract)
    response = parties.buyer.post(f"cases/{case.pk}/messages", {"body": "   "})
    assert response.status_code == 422
    assert Message.objects.count() == 0


# --- status, assignment, escalation -----------------------------------------------------


def test_status_changes_follow_the_transition_rule_and_are_recorded(parties: Parties) -> None:
    case = CaseFactory(contract=parties.contract)
    path = f"cases/{case.pk}/status"
    for status in ("waiting_on_buyer", "resolved", "open", "resolved", "closed"):
        response = parties.rep.post(path, {"status": status})
        assert response.status_code == 200, status
        assert response.json()["status"] == status
    assert list(case.events.values_list("from_value", "to_value")) == [
        ("open", "waiting_on_buyer"),
        ("waiting_on_buyer", "resolved"),
        ("resolved", "open"),
        ("open", "resolved"),
        ("resolved", "closed"),
    ]
    before = counts()
    refused = parties.rep.post(path, {"status": "open"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invalid_state"
    assert counts() == before


@pytest.mark.parametrize(
    ("status", "code"),
    [("escalated", "validation_error"), ("pending", "validation_error"), ("open", "invalid_state")],
)
def test_refused_status_changes_change_nothing(parties: Parties, status: str, code: str) -> None:
    case = CaseFactory(contract=parties.contract)
    before = counts()
    response = parties.rep.post(f"cases/{case.pk}/status", {"status": status})
    assert response.json()["error"]["code"] == code
    case.refresh_from_db()
    assert case.status == "open"
    assert counts() == before


def test_buyers_and_finance_do_not_change_statuses(parties: Parties) -> None:
    case = CaseFactory(contract=parties.contract)
    for api in (parties.buyer, ApiClient(StaffFactory(roles=[Role.FINANCE]))):
        assert api.post(f"cases/{case.pk}/status", {"status": "resolved"}).status_code == 403
    case.refresh_from_db()
    assert case.status == "open"
    assert CaseEvent.objects.count() == 0


def test_staff_assign_and_unassign_a_case(parties: Parties) -> None:
    case = CaseFactory(contract=parties.contract, type="technical_issue", queue="technical_support")
    engineer = StaffFactory(roles=[Role.CS_ENGINEER])
    support = ApiClient(StaffFactory(roles=[Role.SUPPORT]))
    assigned = support.post(f"cases/{case.pk}/assign", {"assignee_id": str(engineer.pk)})
    assert assigned.status_code == 200
    assert assigned.json()["assignee_id"] == str(engineer.pk)
    again = support.post(f"cases/{case.pk}/assign", {"assignee_id": str(engineer.pk)})
    assert again.status_code == 409
    unassigned = support.post(f"cases/{case.pk}/assign", {"assignee_id": None})
    assert unassigned.json()["assignee_id"] is None
    assert list(case.events.values_list("kind", "from_value", "to_value")) == [
        ("assigned", "", str(engineer.pk)),
        ("assigned", str(engineer.pk), ""),
    ]


def test_only_staff_can_be_assigned(parties: Parties) -> None:
    case = CaseFactory(contract=parties.contract)
    contact = parties.contract.buyer_contact.user
    before = counts()
    for assignee in (contact.pk, 987654, "x"):
        response = parties.rep.post(f"cases/{case.pk}/assign", {"assignee_id": assignee})
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "assignee_id"
    assert parties.buyer.post(f"cases/{case.pk}/assign", {"assignee_id": None}).status_code == 403
    assert counts() == before


def test_the_representative_escalates_to_another_queue_and_staff_member(
    parties: Parties,
) -> None:
    case_id = open_case(parties.buyer, parties.contract.pk, type="product_question").json()["id"]
    engineer = StaffFactory(roles=[Role.CS_ENGINEER])
    response = parties.rep.post(
        f"cases/{case_id}/escalate",
        {"queue": "technical_support", "assignee_id": str(engineer.pk), "reason": "Sync bug"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["queue"], body["assignee_id"]) == (
        "escalated",
        "technical_support",
        str(engineer.pk),
    )
    rep_id = str(parties.contract.representative_id)
    history = parties.rep.get(f"cases/{case_id}/history").json()["items"]
    assert [(e["kind"], e["from_value"], e["to_value"], e["actor_id"]) for e in history] == [
        ("opened", "", "customer_success", str(parties.contract.buyer_contact.user_id)),
        ("escalated", "customer_success", "technical_support", rep_id),
        ("status_changed", "open", "escalated", rep_id),
        ("queue_changed", "customer_success", "technical_support", rep_id),
        ("assigned", "", str(engineer.pk), rep_id),
    ]
    assert history[1]["note"] == "Sync bug"
    assert all(e["at"] for e in history)
    buyer_history = parties.buyer.get(f"cases/{case_id}/history").json()["items"]
    assert [e["kind"] for e in buyer_history] == [e["kind"] for e in history]
    assert {e["note"] for e in buyer_history} == {None}


def test_escalating_to_another_queue_alone_hands_it_to_that_team(parties: Parties) -> None:
    engineer = StaffFactory(roles=[Role.CS_ENGINEER])
    case = CaseFactory(contract=parties.contract, assignee=engineer)
    response = parties.rep.post(
        f"cases/{case.pk}/escalate", {"queue": "orders_logistics", "reason": "Needs a new ring"}
    )
    assert response.status_code == 200
    assert (response.json()["queue"], response.json()["assignee_id"]) == (
        "orders_logistics",
        None,
    )


def test_an_admin_may_escalate_but_other_staff_may_not(parties: Parties) -> None:
    case = CaseFactory(contract=parties.contract)
    body = {"queue": "technical_support", "reason": "Hardware fault"}
    before = counts()
    for api in (
        ApiClient(StaffFactory(roles=[Role.CSM])),
        ApiClient(StaffFactory(roles=[Role.SUPPORT])),
        parties.buyer,
    ):
        response = api.post(f"cases/{case.pk}/escalate", body)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert counts() == before
    admin = ApiClient(StaffFactory(roles=[Role.ADMIN]))
    assert admin.post(f"cases/{case.pk}/escalate", body).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"reason": "Why not"}, 422, "validation_error"),
        ({"queue": "technical_support", "reason": ""}, 422, "validation_error"),
        ({"queue": "billing", "reason": "x"}, 422, "validation_error"),
        ({"queue": "customer_success", "reason": "Same queue"}, 409, "invalid_state"),
        ({"assignee_id": "987654", "reason": "x"}, 422, "validation_error"),
    ],
)
def test_bad_escalations_change_nothing(
    parties: Parties, body: dict, status: int, code: str
) -> None:
    case = CaseFactory(contract=parties.contract)
    before = counts()
    response = parties.rep.post(f"cases/{case.pk}/escalate", body)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    case.refresh_from_db()
    assert (case.status, case.queue, case.assignee_id) == ("open", "customer_success", None)
    assert counts() == before


def test_a_resolved_case_is_not_escalated(parties: Parties) -> None:
    case = CaseFactory(contract=parties.contract, status="resolved")
    response = parties.rep.post(
        f"cases/{case.pk}/escalate", {"queue": "technical_support", "reason": "Too late"}
    )
    assert response.status_code == 409
    assert CaseEvent.objects.count() == 0


def test_history_is_append_only(parties: Parties) -> None:
    case = CaseFactory(contract=parties.contract)
    parties.rep.post(f"cases/{case.pk}/status", {"status": "resolved"})
    event = CaseEvent.objects.get()
    event.to_value = "closed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert CaseEvent.objects.get().to_value == "resolved"


# --- who sees what ----------------------------------------------------------------------


def test_cases_are_listed_and_filtered(parties: Parties) -> None:
    question = CaseFactory(contract=parties.contract)
    issue = CaseFactory(
        contract=parties.contract, type="technical_issue", queue="technical_support"
    )
    foreign = CaseFactory()
    mine = parties.buyer.get(f"contracts/{parties.contract.pk}/cases").json()["items"]
    assert [c["id"] for c in mine] == [str(issue.pk), str(question.pk)]
    assert [c["id"] for c in parties.buyer.get("cases").json()["items"]] == [
        str(issue.pk),
        str(question.pk),
    ]
    queue = parties.rep.get("cases?queue=technical_support").json()["items"]
    assert [c["id"] for c in queue] == [str(issue.pk)]
    unassigned = parties.rep.get("cases?assignee_id=none&status=open").json()["items"]
    assert [c["id"] for c in unassigned] == [str(foreign.pk), str(issue.pk), str(question.pk)]
    assert parties.rep.get(f"cases?assignee_id={10**25}").json()["items"] == []
    for query in ("status=pending", "queue=billing", "type=complaint", "assignee_id=x"):
        bad = parties.rep.get(f"cases?{query}")
        assert (bad.status_code, bad.json()["error"]["code"]) == (422, "validation_error"), query


def test_every_case_endpoint_hides_other_organizations(parties: Parties) -> None:
    case = CaseFactory(contract=parties.contract)
    Message.objects.create(case=case, author=parties.contract.buyer_contact.user, body="Hi")
    before = counts()
    outsider = parties.outsider
    calls = [
        outsider.get(f"cases/{case.pk}"),
        outsider.get(f"cases/{case.pk}/messages"),
        outsider.post(f"cases/{case.pk}/messages", {"body": "hello"}),
        outsider.post(f"cases/{case.pk}/status", {"status": "closed"}),
        outsider.post(f"cases/{case.pk}/assign", {"assignee_id": None}),
        outsider.post(f"cases/{case.pk}/escalate", {"queue": "orders_logistics", "reason": "x"}),
        outsider.get(f"cases/{case.pk}/history"),
        outsider.get(f"contracts/{parties.contract.pk}/cases"),
        outsider.post(
            f"contracts/{parties.contract.pk}/cases", {"type": "new_order", "subject": "x"}
        ),
    ]
    for response in calls:
        assert response.status_code == 404, response.request["PATH_INFO"]
        assert response.json()["error"]["code"] == "not_found"
    assert outsider.get("cases").json()["items"] == []
    assert counts() == before


def test_a_contact_of_the_same_organization_follows_its_cases() -> None:
    contract = ContractFactory()
    colleague = ContactFactory(organization=contract.organization)
    case = CaseFactory(contract=contract)
    assert ApiClient(colleague.user).get(f"cases/{case.pk}").status_code == 200


def test_support_and_account_roles_open_cases_for_a_buyer_and_finance_does_not(
    parties: Parties,
) -> None:
    for role in (Role.SUPPORT, Role.CS_ENGINEER, Role.ACCOUNT_MANAGER):
        api = ApiClient(StaffFactory(roles=[role]))
        assert open_case(api, parties.contract.pk, type="new_order").status_code == 201
    finance = ApiClient(StaffFactory(roles=[Role.FINANCE]))
    assert open_case(finance, parties.contract.pk, type="new_order").status_code == 403
    assert finance.get("cases").status_code == 200
    assert Case.objects.count() == 3


def test_opening_a_case_is_idempotent_with_a_key(parties: Parties) -> None:
    body = {"type": "new_order", "subject": "20 more rings"}
    path = f"contracts/{parties.contract.pk}/cases"
    first = parties.buyer.post(path, body, HTTP_IDEMPOTENCY_KEY="case-1")
    again = parties.buyer.post(path, body, HTTP_IDEMPOTENCY_KEY="case-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Case.objects.count() == 1


def test_the_openapi_document_describes_the_support_endpoints(admin_api: ApiClient) -> None:
    paths = admin_api.get("openapi.json").json()["paths"]
    for path in (
        "/api/v1/contracts/{contract_id}/orders",
        "/api/v1/orders/{order_id}",
        "/api/v1/contracts/{contract_id}/cases",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/messages",
        "/api/v1/cases/{case_id}/status",
        "/api/v1/cases/{case_id}/assign",
        "/api/v1/cases/{case_id}/escalate",
        "/api/v1/cases/{case_id}/history",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/orders/{order_id}"]) == {"get", "patch"}
