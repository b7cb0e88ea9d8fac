from __future__ import annotations

import pytest

from successkit.accounts.models import ApiToken, Contact, Organization, User
from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.factories import PASSWORD, ContactFactory, OrganizationFactory, StaffFactory

pytestmark = pytest.mark.django_db

ORGANIZATION = {
    "name": "Clínica Sol",
    "country": "ES",
    "timezone": "Europe/Madrid",
    "language": "es",
}


def sign_in(email: str, password: str = PASSWORD):
    return ApiClient().post("auth/token", {"email": email, "password": password})


def test_token_for_valid_credentials_authenticates_later_calls() -> None:
    staff = StaffFactory(roles=[Role.CSM])
    response = sign_in(staff.email.upper())
    assert response.status_code == 200
    token = response.json()["token"]
    me = ApiClient().get("me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert me.json()["email"] == staff.email
    assert me.json()["roles"] == ["csm"]
    stored = ApiToken.objects.get(user=staff)
    assert token not in (stored.digest, stored.prefix)


def test_wrong_password_is_refused_with_401() -> None:
    staff = StaffFactory()
    response = sign_in(staff.email, "not-the-password")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert ApiToken.objects.count() == 0


def test_calls_without_or_with_a_bad_token_are_401() -> None:
    assert ApiClient().get("contracts").status_code == 401
    bad = ApiClient().get("contracts", HTTP_AUTHORIZATION="Bearer sk_nope")
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "not_authenticated"


def test_a_revoked_token_stops_working() -> None:
    staff = StaffFactory()
    token = sign_in(staff.email).json()["token"]
    auth = f"Bearer {token}"
    assert ApiClient().delete("auth/token", HTTP_AUTHORIZATION=auth).status_code == 204
    assert ApiClient().get("me", HTTP_AUTHORIZATION=auth).status_code == 401
    assert ApiToken.objects.get(user=staff).revoked_at is not None


def test_a_deactivated_users_token_stops_working() -> None:
    staff = StaffFactory()
    api = ApiClient(staff)
    User.objects.filter(pk=staff.pk).update(is_active=False)
    assert api.get("me").status_code == 401


def test_admin_creates_staff_with_roles(admin_api: ApiClient) -> None:
    response = admin_api.post(
        "staff",
        {
            "email": "New@Vendor.test",
            "name": "Nia",
            "roles": ["csm", "cs_engineer"],
            "password": "a-long-passphrase",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new@vendor.test"
    assert body["roles"] == ["cs_engineer", "csm"]
    user = User.objects.get(email="new@vendor.test")
    assert user.is_staff and user.check_password("a-long-passphrase")
    # Tests hash fast (root conftest); the product hashes with Argon2.
    from successkit import settings as product

    assert product.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert sign_in("new@vendor.test", "a-long-passphrase").status_code == 200


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"roles": ["wizard"]}, "validation_error"),
        ({"roles": []}, "validation_error"),
        ({"email": "not-an-email"}, "validation_error"),
        ({"password": "short"}, "validation_error"),
        ({"email": "taken@vendor.test"}, "email_taken"),
    ],
)
def test_staff_creation_refusals_write_nothing(
    admin_api: ApiClient, change: dict, code: str
) -> None:
    StaffFactory(email="taken@vendor.test")
    before = User.objects.count()
    body = {
        "email": "x@vendor.test",
        "name": "X",
        "roles": ["csm"],
        "password": "a-long-passphrase",
        **change,
    }
    response = admin_api.post("staff", body)
    assert response.json()["error"]["code"] == code
    assert 400 <= response.status_code < 500
    assert User.objects.count() == before


def test_only_admins_create_staff() -> None:
    csm = ApiClient(StaffFactory(roles=[Role.CSM]))
    body = {
        "email": "x@vendor.test",
        "name": "X",
        "roles": ["admin"],
        "password": "a-long-passphrase",
    }
    response = csm.post("staff", body)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not User.objects.filter(email="x@vendor.test").exists()


def test_organization_and_contact_creation(admin_api: ApiClient) -> None:
    response = admin_api.post("organizations", ORGANIZATION)
    assert response.status_code == 201
    organization_id = response.json()["id"]
    assert response.json()["timezone"] == "Europe/Madrid"
    contact = admin_api.post(
        f"organizations/{organization_id}/contacts",
        {"name": "Ana", "email": "ana@sol.test", "language": "es", "password": "a-long-passphrase"},
    )
    assert contact.status_code == 201
    assert contact.json()["organization_id"] == organization_id
    token = sign_in("ana@sol.test", "a-long-passphrase").json()["token"]
    me = ApiClient().get("me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (me["kind"], me["organization_id"]) == ("contact", organization_id)


@pytest.mark.parametrize(
    ("field", "value"),
    [("country", "XX"), ("timezone", "Mars/Olympus"), ("language", "fr"), ("name", "  ")],
)
def test_organization_refusals_write_nothing(admin_api: ApiClient, field: str, value: str) -> None:
    response = admin_api.post("organizations", {**ORGANIZATION, field: value})
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "validation_error",
        "message": response.json()["error"]["message"],
        "field": field,
    }
    assert Organization.objects.count() == 0


def test_contacts_cannot_create_organizations_or_staff() -> None:
    api = ApiClient(ContactFactory().user)
    assert api.post("organizations", ORGANIZATION).status_code == 403
    assert api.get("staff").status_code == 403
    assert Organization.objects.count() == 1


def test_a_contact_sees_only_their_own_organization() -> None:
    mine = ContactFactory()
    other = OrganizationFactory()
    ContactFactory(organization=other)
    api = ApiClient(mine.user)
    listed = api.get("organizations").json()["items"]
    assert [o["id"] for o in listed] == [str(mine.organization_id)]
    assert api.get(f"organizations/{mine.organization_id}").status_code == 200
    for path in (f"organizations/{other.pk}", f"organizations/{other.pk}/contacts"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert (
        api.get(f"organizations/{mine.organization_id}/contacts").json()["items"][0]["email"]
        == mine.user.email
    )


def test_contact_creation_for_another_organization_is_refused() -> None:
    mine = ContactFactory()
    other = OrganizationFactory()
    api = ApiClient(mine.user)
    response = api.post(
        f"organizations/{other.pk}/contacts",
        {"name": "Eve", "email": "eve@x.test", "language": "en", "password": "a-long-passphrase"},
    )
    assert response.status_code == 403
    assert not Contact.objects.filter(organization=other).exists()


def test_unknown_or_malformed_ids_are_404(admin_api: ApiClient) -> None:
    assert admin_api.get("organizations/999999").status_code == 404
    assert admin_api.get("organizations/abc").status_code == 404


def test_lists_are_paged_with_a_next_link(admin_api: ApiClient) -> None:
    OrganizationFactory.create_batch(3)
    first = admin_api.get("organizations?limit=2").json()
    assert len(first["items"]) == 2
    assert first["next"].endswith("limit=2&offset=2")
    second = admin_api.get(first["next"].split("testserver")[1]).json()
    assert len(second["items"]) == 1
    assert second["next"] is None
    assert admin_api.get("organizations?limit=0").json()["error"]["code"] == "validation_error"
