"""Changing a contract (SPEC.md §2-3): the end date's edges, the representative and the
buyer's counterpart, each change in the history; who the buyer contacts on day 90 and 91."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.conftest import ApiClient, race
from successkit.contracts.models import Contract
from successkit.engagements.models import TrainingSession
from successkit.engagements.services import training_entitlement
from successkit.engagements.tests.helpers import contract_starting, on_day
from successkit.factories import ContactFactory, ContractFactory, StaffFactory
from successkit.flows import contracts as contract_flows
from successkit.support.models import Case

pytestmark = pytest.mark.django_db


def frozen_at(monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: instant)


def state(contract: Contract) -> tuple[object, ...]:
    fresh = Contract.objects.get(pk=contract.pk)
    return (
        fresh.end_date,
        fresh.representative_id,
        fresh.buyer_contact_id,
        fresh.history.count(),
        list(fresh.health_checks.values_list("period_index", "period_start", "period_end")),
    )


# --- 5. the end date ----------------------------------------------------------------------


def test_an_end_date_before_today_in_the_buyers_time_zone_is_refused(
    admin_api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """23:30 UTC on 9 June is already 10 June in Madrid: 9 June is in the past there."""
    contract = ContractFactory(
        package_code="launch_kit", start_date=date(2026, 5, 1), end_date=date(2027, 4, 30)
    )
    frozen_at(monkeypatch, datetime(2026, 6, 9, 23, 30, tzinfo=UTC))
    before = state(contract)
    refused = admin_api.patch(f"contracts/{contract.pk}", {"end_date": "2026-06-09"})
    assert refused.status_code == 422
    assert (refused.json()["error"]["code"], refused.json()["error"]["field"]) == (
        "validation_error",
        "end_date",
    )
    assert state(contract) == before
    today = admin_api.patch(f"contracts/{contract.pk}", {"end_date": "2026-06-10"})
    assert (today.status_code, today.json()["end_date"]) == (200, "2026-06-10")


def test_a_booked_session_after_the_new_end_date_refuses_the_change(admin_api: ApiClient) -> None:
    contract = contract_starting(timezone.localdate() - timedelta(days=9))
    api = ApiClient(contract.representative)
    booked = api.post(
        f"contracts/{contract.pk}/sessions",
        {"type": "kickoff", "starts_at": on_day(contract, 200).isoformat(), "duration_minutes": 60},
    )
    assert booked.status_code == 201
    before = state(contract)
    last_day = on_day(contract, 199).date()
    refused = admin_api.patch(f"contracts/{contract.pk}", {"end_date": last_day.isoformat()})
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "invalid_state")
    assert state(contract) == before
    kept = admin_api.patch(
        f"contracts/{contract.pk}", {"end_date": on_day(contract, 200).date().isoformat()}
    )
    assert kept.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_booking_racing_a_shortening_cannot_both_win() -> None:
    contract = contract_starting(timezone.localdate() - timedelta(days=9))
    admin = ApiClient(StaffFactory(roles=[Role.ADMIN]))
    rep = ApiClient(contract.representative)
    day_200 = on_day(contract, 200)
    results = race(
        [
            lambda: (
                admin.patch(
                    f"contracts/{contract.pk}",
                    {"end_date": on_day(contract, 150).date().isoformat()},
                ).status_code
            ),
            lambda: (
                rep.post(
                    f"contracts/{contract.pk}/sessions",
                    {"type": "kickoff", "starts_at": day_200.isoformat(), "duration_minutes": 60},
                ).status_code
            ),
        ]
    )
    assert sorted(results) in ([200, 409], [201, 409])  # type: ignore[type-var]
    fresh = Contract.objects.get(pk=contract.pk)
    sessions = TrainingSession.objects.filter(contract=contract, status="booked").count()
    assert (fresh.end_date == on_day(contract, 150).date()) != (sessions == 1)


# --- 9. representative and counterpart, with history -------------------------------------------


def test_an_admin_reassigns_the_representative_and_the_history_says_so(
    admin_user, admin_api: ApiClient
) -> None:
    contract = ContractFactory()
    old = contract.representative_id
    new = StaffFactory(roles=[Role.CSM])
    response = admin_api.patch(f"contracts/{contract.pk}", {"representative_id": new.pk})
    assert (response.status_code, response.json()["representative_id"]) == (200, str(new.pk))
    history = ApiClient(contract.buyer_contact.user).get(f"contracts/{contract.pk}/history")
    assert history.status_code == 200
    [item] = history.json()["items"]
    assert item["actor"] == {"id": str(admin_user.pk), "name": admin_user.name, "kind": "staff"}
    assert (item["field"], item["old"], item["new"]) == ("representative_id", str(old), str(new.pk))


@pytest.mark.parametrize("who", ["csm", "contact"])
def test_only_an_admin_reassigns_the_representative(who: str) -> None:
    contract = ContractFactory()
    caller = (
        ApiClient(contract.representative)
        if who == "csm"
        else ApiClient(contract.buyer_contact.user)
    )
    before = state(contract)
    response = caller.patch(
        f"contracts/{contract.pk}", {"representative_id": StaffFactory(roles=[Role.CSM]).pk}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")
    assert state(contract) == before


def test_the_new_representative_must_hold_the_packages_contact_role(admin_api: ApiClient) -> None:
    contract = ContractFactory()
    before = state(contract)
    response = admin_api.patch(
        f"contracts/{contract.pk}",
        {"representative_id": StaffFactory(roles=[Role.ACCOUNT_MANAGER]).pk},
    )
    assert response.json()["error"]["code"] == "role_not_allowed"
    assert "Customer Success manager" in response.json()["error"]["message"]
    assert "csm" not in response.json()["error"]["message"]
    assert state(contract) == before


def test_the_buyer_designates_its_counterpart_among_its_own_contacts() -> None:
    contract = ContractFactory()
    first = contract.buyer_contact
    colleague = ContactFactory(organization=contract.organization)
    buyer = ApiClient(first.user)
    before = state(contract)
    for forbidden in ({"buyer_contact_id": ContactFactory().pk}, {"end_date": "2099-01-01"}):
        refused = buyer.patch(f"contracts/{contract.pk}", forbidden)
        assert refused.status_code in (403, 422)
    assert state(contract) == before
    changed = buyer.patch(f"contracts/{contract.pk}", {"buyer_contact_id": colleague.pk})
    assert (changed.status_code, changed.json()["buyer_contact_id"]) == (200, str(colleague.pk))
    [item] = buyer.get(f"contracts/{contract.pk}/history").json()["items"]
    assert item["actor"] == {"id": str(first.pk), "name": first.user.name, "kind": "contact"}
    assert (item["field"], item["old"], item["new"]) == (
        "buyer_contact_id",
        str(first.pk),
        str(colleague.pk),
    )


def test_another_organizations_history_is_not_found() -> None:
    contract = ContractFactory()
    outsider = ApiClient(ContactFactory().user)
    assert outsider.get(f"contracts/{contract.pk}/history").status_code == 404


# --- 6. the Launch Kit's account manager acts through day 90 ----------------------------------


def launch_kit_on_day(monkeypatch: pytest.MonkeyPatch, day: int, contract=None):
    contract = contract or ContractFactory(
        package_code="launch_kit", start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)
    )
    zone = ZoneInfo(contract.organization.timezone)
    # 00:30 in the buyer's time zone (still the day before in UTC).
    instant = datetime.combine(contract.start_date + timedelta(days=day - 1), time(0, 30), zone)
    frozen_at(monkeypatch, instant.astimezone(UTC))
    return contract


def test_the_contact_is_the_account_manager_on_day_90_and_the_team_on_day_91(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contract = launch_kit_on_day(monkeypatch, 90)
    api = ApiClient(contract.buyer_contact.user)
    contact = api.get(f"contracts/{contract.pk}/entitlements").json()["contact"]
    assert contact == {
        "kind": "account_manager",
        "staff_id": str(contract.representative_id),
        "account_manager_until": "2026-03-31",
    }
    launch_kit_on_day(monkeypatch, 91, contract)
    contact = api.get(f"contracts/{contract.pk}/entitlements").json()["contact"]
    assert contact == {"kind": "cs_team", "staff_id": None, "account_manager_until": "2026-03-31"}


def test_a_pro_lite_contact_is_the_csm_for_the_whole_term() -> None:
    contract = ContractFactory(package_code="pro_lite")
    contact = ApiClient(contract.representative).get(
        f"contracts/{contract.pk}/entitlements?as_of={contract.end_date.isoformat()}"
    )
    assert contact.json()["contact"] == {
        "kind": "csm",
        "staff_id": str(contract.representative_id),
        "account_manager_until": None,
    }


def test_the_account_manager_escalates_on_day_90_but_not_on_day_91(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contract = launch_kit_on_day(monkeypatch, 90)
    am = ApiClient(contract.representative)
    buyer = ApiClient(contract.buyer_contact.user)

    def open_and_escalate() -> int:
        case = buyer.post(
            f"contracts/{contract.pk}/cases", {"type": "product_question", "subject": "Sizes"}
        ).json()
        return am.post(
            f"cases/{case['id']}/escalate",
            {"reason": "Needs logistics", "queue": "orders_logistics"},
        ).status_code

    assert open_and_escalate() == 200
    launch_kit_on_day(monkeypatch, 91, contract)
    assert open_and_escalate() == 403
    assert list(Case.objects.order_by("id").values_list("status", flat=True)) == [
        "escalated",
        "open",
    ]


def test_the_contract_page_says_who_to_contact_now(client, monkeypatch: pytest.MonkeyPatch) -> None:
    contract = launch_kit_on_day(monkeypatch, 90)
    client.force_login(contract.buyer_contact.user)
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert contract.representative.name in page
    assert "31 mar 2026" in page  # the last day of the account manager, in Spanish (Babel)
    launch_kit_on_day(monkeypatch, 91, contract)
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert contract.representative.name not in page
    assert "Customer Success" in page


def test_an_admin_reassigns_the_representative_in_the_back_office_too(admin_user, client) -> None:
    contract = ContractFactory()
    new = StaffFactory(roles=[Role.CSM])
    client.force_login(admin_user)
    url = f"/admin/contracts/contract/{contract.pk}/change/"
    wrong = client.post(
        url,
        {
            "representative": StaffFactory(roles=[Role.SUPPORT]).pk,
            "buyer_contact": contract.buyer_contact_id,
        },
    )
    assert wrong.status_code == 200  # the form shows the refusal
    assert Contract.objects.get(pk=contract.pk).representative_id == contract.representative_id
    done = client.post(url, {"representative": new.pk, "buyer_contact": contract.buyer_contact_id})
    assert done.status_code == 302
    [item] = ApiClient(admin_user).get(f"contracts/{contract.pk}/history").json()["items"]
    assert (item["field"], item["new"], item["actor"]["id"]) == (
        "representative_id",
        str(new.pk),
        str(admin_user.pk),
    )


# --- the stored training window end ---------------------------------------------------------


@pytest.mark.parametrize(
    ("package", "end_in_days", "moved_to_days", "stored", "moved"),
    [
        # Launch Kit: the first 90 days of the term (day 90 is start + 89), clipped to it.
        ("launch_kit", 364, 60, 89, 60),
        ("launch_kit", 60, 200, 60, 89),
        # Pro Lite and Premium: the whole term.
        ("pro_lite", 364, 200, 364, 200),
        ("premium", 364, 500, 364, 500),
    ],
)
def test_the_stored_training_window_end_follows_the_sale_and_every_term_change(
    package: str, end_in_days: int, moved_to_days: int, stored: int, moved: int
) -> None:
    """``Contract.training_window_end`` (what the cockpit filters and sorts on) is the
    window's end as the entitlement works it out, after the sale and after a term change."""
    admin = Actor.of(StaffFactory(roles=[Role.ADMIN]))
    buyer = ContactFactory()
    start = timezone.now().date() - timedelta(days=5)
    representative = StaffFactory(roles=["account_manager" if package == "launch_kit" else "csm"])
    sold = contract_flows.sell_contract(
        admin,
        organization_id=buyer.organization_id,
        package=package,
        start_date=start,
        end_date=start + timedelta(days=end_in_days),
        representative_id=representative.pk,
        buyer_contact_id=buyer.pk,
        currency="EUR",
    )

    def stored_and_computed() -> tuple[date, date]:
        fresh = Contract.objects.get(pk=sold.pk)
        return fresh.training_window_end, training_entitlement(fresh, fresh.today()).window.end

    assert stored_and_computed() == (start + timedelta(days=stored),) * 2
    contract_flows.change_end_date(admin, sold, end_date=start + timedelta(days=moved_to_days))
    assert stored_and_computed() == (start + timedelta(days=moved),) * 2
    # The window's end follows the term: it is no change of its own in the history.
    assert "training_window_end" not in {f.name for f in Contract.history.model._meta.get_fields()}
