from __future__ import annotations

from datetime import date

import pytest

from successkit.accounts.roles import Role
from successkit.conftest import ApiClient, race
from successkit.contracts.models import Contract
from successkit.core.models import IdempotencyRecord
from successkit.factories import ContactFactory, ContractFactory, OrganizationFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(db):
    organization = OrganizationFactory()
    return {
        "organization_id": str(organization.pk),
        "package": "premium",
        "start_date": "2026-01-15",
        "end_date": "2027-01-14",
        "representative_id": str(StaffFactory(roles=[Role.CSM]).pk),
        "buyer_contact_id": str(ContactFactory(organization=organization).pk),
        "currency": "eur",
    }


def test_selling_a_contract_records_the_catalog_version(admin_api: ApiClient, sale: dict) -> None:
    response = admin_api.post("contracts", sale)
    assert response.status_code == 201
    body = response.json()
    assert body["package"] == "premium"
    assert body["catalog_version"] == 1
    assert (body["start_date"], body["end_date"], body["currency"]) == (
        "2026-01-15",
        "2027-01-14",
        "EUR",
    )
    fetched = admin_api.get(f"contracts/{body['id']}")
    assert fetched.json() == body


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"end_date": "2026-01-15"}, 422, "validation_error"),
        ({"end_date": "2025-12-31"}, 422, "validation_error"),
        ({"package": "platinum"}, 422, "validation_error"),
        ({"currency": "EURO"}, 422, "validation_error"),
        ({"organization_id": "987654"}, 422, "validation_error"),
        ({"organization_id": "x"}, 422, "validation_error"),
        ({"start_date": "15/01/2026"}, 422, "validation_error"),
        ({"package": "launch_kit"}, 422, "role_not_allowed"),
        ({"representative_id": "987654"}, 422, "validation_error"),
    ],
)
def test_contract_refusals_have_their_code_and_write_nothing(
    admin_api: ApiClient, sale: dict, change: dict, status: int, code: str
) -> None:
    response = admin_api.post("contracts", {**sale, **change})
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert Contract.objects.count() == 0


def test_representative_must_hold_the_package_contact_role(
    admin_api: ApiClient, sale: dict
) -> None:
    manager = StaffFactory(roles=[Role.ACCOUNT_MANAGER])
    refused = admin_api.post("contracts", {**sale, "representative_id": str(manager.pk)})
    assert refused.json()["error"]["code"] == "role_not_allowed"
    accepted = admin_api.post(
        "contracts", {**sale, "package": "launch_kit", "representative_id": str(manager.pk)}
    )
    assert accepted.status_code == 201
    assert Contract.objects.count() == 1


def test_the_buyer_contact_must_belong_to_the_organization(
    admin_api: ApiClient, sale: dict
) -> None:
    outsider = ContactFactory()
    response = admin_api.post("contracts", {**sale, "buyer_contact_id": str(outsider.pk)})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "buyer_contact_id"
    assert Contract.objects.count() == 0


def test_only_account_roles_sell_contracts(sale: dict) -> None:
    for role in (Role.FINANCE, Role.SUPPORT, Role.CS_ENGINEER):
        response = ApiClient(StaffFactory(roles=[role])).post("contracts", sale)
        assert response.status_code == 403
    assert Contract.objects.count() == 0


def test_a_contact_sees_only_their_organizations_contracts() -> None:
    mine = ContractFactory()
    theirs = ContractFactory()
    api = ApiClient(mine.buyer_contact.user)
    assert [c["id"] for c in api.get("contracts").json()["items"]] == [str(mine.pk)]
    assert api.get(f"contracts/{mine.pk}").status_code == 200
    response = api.get(f"contracts/{theirs.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_idempotent_replay_returns_the_first_response_and_writes_once(
    admin_api: ApiClient, sale: dict
) -> None:
    first = admin_api.post("contracts", sale, HTTP_IDEMPOTENCY_KEY="sale-1")
    again = admin_api.post("contracts", sale, HTTP_IDEMPOTENCY_KEY="sale-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Contract.objects.count() == 1


def test_a_replayed_refusal_is_the_same_refusal(admin_api: ApiClient, sale: dict) -> None:
    bad = {**sale, "end_date": "2020-01-01"}
    first = admin_api.post("contracts", bad, HTTP_IDEMPOTENCY_KEY="bad-1")
    again = admin_api.post("contracts", bad, HTTP_IDEMPOTENCY_KEY="bad-1")
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json()


def test_a_key_reused_with_another_body_is_refused(admin_api: ApiClient, sale: dict) -> None:
    admin_api.post("contracts", sale, HTTP_IDEMPOTENCY_KEY="sale-2")
    response = admin_api.post(
        "contracts", {**sale, "currency": "USD"}, HTTP_IDEMPOTENCY_KEY="sale-2"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Contract.objects.count() == 1


def test_keys_are_per_caller(admin_api: ApiClient, sale: dict) -> None:
    other_admin = ApiClient(StaffFactory(roles=[Role.ADMIN]))
    admin_api.post("contracts", sale, HTTP_IDEMPOTENCY_KEY="shared")
    second = other_admin.post("contracts", sale, HTTP_IDEMPOTENCY_KEY="shared")
    assert second.status_code == 201
    assert Contract.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_row_locks
def test_concurrent_duplicates_with_one_key_create_one_contract() -> None:
    admin = StaffFactory(roles=[Role.ADMIN])
    organization = OrganizationFactory()
    sale = {
        "organization_id": str(organization.pk),
        "package": "pro_lite",
        "start_date": "2026-01-15",
        "end_date": "2027-01-14",
        "representative_id": str(StaffFactory(roles=[Role.CSM]).pk),
        "buyer_contact_id": str(ContactFactory(organization=organization).pk),
        "currency": "EUR",
    }
    api = ApiClient(admin)
    statuses = race(
        [lambda: api.post("contracts", sale, HTTP_IDEMPOTENCY_KEY="race").status_code] * 4
    )
    assert statuses == [201, 201, 201, 201]
    assert Contract.objects.count() == 1


def test_error_messages_speak_the_callers_language(sale: dict) -> None:
    spanish = ContactFactory(user__language="es")
    english = ContactFactory(user__language="en")
    es = ApiClient(spanish.user).get("contracts/999999").json()["error"]
    en = ApiClient(english.user).get("contracts/999999").json()["error"]
    assert es["code"] == en["code"] == "not_found"
    assert en["message"] == "Not found."
    assert es["message"] == "No encontrado."
    anonymous = ApiClient(language="es").get("contracts").json()["error"]
    assert anonymous["code"] == "not_authenticated"
    assert anonymous["message"].startswith("Inicia sesión")


def test_contract_dates_are_plain_dates(admin_api: ApiClient, sale: dict) -> None:
    contract_id = admin_api.post("contracts", sale).json()["id"]
    assert Contract.objects.get(pk=contract_id).start_date == date(2026, 1, 15)


def test_the_back_office_applies_the_same_sale_rules() -> None:
    from django.test import Client

    from successkit.factories import PASSWORD
    from successkit.factories import package as catalog_package

    admin = StaffFactory(roles=[Role.ADMIN])
    client = Client()
    client.post("/login/", {"username": admin.email, "password": PASSWORD})
    organization = OrganizationFactory()
    contact = ContactFactory(organization=organization)
    form = {
        "organization": organization.pk,
        "package": catalog_package("launch_kit").pk,
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "representative": StaffFactory(roles=[Role.CSM]).pk,
        "buyer_contact": contact.pk,
        "currency": "EUR",
    }
    refused = client.post("/admin/contracts/contract/add/", form)
    assert refused.status_code == 200
    assert "must hold the role account_manager" in refused.content.decode()
    assert Contract.objects.count() == 0
    form["representative"] = StaffFactory(roles=[Role.ACCOUNT_MANAGER]).pk
    assert client.post("/admin/contracts/contract/add/", form).status_code == 302
    assert Contract.objects.get().package.code == "launch_kit"
