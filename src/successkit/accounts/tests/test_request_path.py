"""The request path (issue 14): one query finds the token's user with their roles, buyer
contact and organization; nothing about a token outlives the request that read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from successkit.accounts.models import ApiToken, StaffRole, User
from successkit.accounts.roles import Role
from successkit.accounts.services import issue_token, user_for_token
from successkit.conftest import ApiClient
from successkit.factories import ContactFactory, StaffFactory

pytestmark = pytest.mark.django_db


def queries_of(client: ApiClient, path: str) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response, [query["sql"] for query in captured.captured_queries]


def test_me_for_staff_takes_one_query_with_the_roles() -> None:
    staff = StaffFactory(roles=[Role.CSM, Role.FINANCE])
    client = ApiClient(staff)
    client.get("me")  # the token's first use is recorded (a write, once a minute at most)
    response, queries = queries_of(client, "me")
    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["roles"] == ["csm", "finance"]
    assert body["kind"] == "staff"
    assert body["organization_id"] is None
    assert len(queries) == 1, queries


def test_me_for_a_buyer_contact_takes_one_query_with_the_organization() -> None:
    contact = ContactFactory(organization__timezone="America/Bogota")
    user = User.objects.get(pk=contact.user_id)
    client = ApiClient(user)
    client.get("me")
    response, queries = queries_of(client, "me")
    assert response.json()["kind"] == "contact"  # type: ignore[attr-defined]
    assert response.json()["organization_id"] == str(contact.organization_id)  # type: ignore[attr-defined]
    assert response.json()["roles"] == []  # type: ignore[attr-defined]
    assert len(queries) == 1, queries


def test_the_user_read_with_the_token_is_complete() -> None:
    """Every field of the user, contact and organization, converted as the ORM does
    (SQLite stores datetimes as text), so nothing is read again later."""
    contact = ContactFactory(organization__timezone="Asia/Tokyo", organization__country="JP")
    user = User.objects.get(pk=contact.user_id)
    raw = issue_token(user)
    with CaptureQueriesContext(connection) as captured:
        found = user_for_token(raw)
        assert found is not None
        assert found.pk == user.pk
        assert found.email == user.email
        assert found.date_joined == user.date_joined
        assert found.is_active is True
        assert found.is_staff is False
        assert found.contact.pk == contact.pk
        assert found.contact.created_at == contact.created_at
        assert found.contact.organization.timezone == "Asia/Tokyo"
        assert found.contact.organization.country == "JP"
        assert found.contact.organization.created_at == contact.organization.created_at
        assert found.role_codes == frozenset()
    # The read and the first use of the token (recorded at most once a minute).
    assert len(captured.captured_queries) == 2


def test_staff_without_a_contact_is_not_looked_up_again() -> None:
    staff = StaffFactory(roles=[Role.ADMIN])
    raw = issue_token(staff)
    user_for_token(raw)  # the first use is recorded
    with CaptureQueriesContext(connection) as captured:
        found = user_for_token(raw)
        assert found is not None
        assert getattr(found, "contact", None) is None
        assert found.role_codes == frozenset({"admin"})
    assert len(captured.captured_queries) == 1


def test_a_role_granted_or_taken_counts_on_the_next_request() -> None:
    staff = StaffFactory(roles=[Role.CSM])
    client = ApiClient(staff)
    assert client.get("me").json()["roles"] == ["csm"]
    StaffRole.objects.create(user=staff, role=Role.FINANCE)
    assert client.get("me").json()["roles"] == ["csm", "finance"]
    StaffRole.objects.filter(user=staff, role=Role.CSM).delete()
    assert client.get("me").json()["roles"] == ["finance"]


def test_revoked_expired_or_deactivated_fail_on_the_very_next_request() -> None:
    staff = StaffFactory()
    for stop in (
        lambda token: token.__class__.objects.filter(pk=token.pk).update(revoked_at=timezone.now()),
        lambda token: token.__class__.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        ),
        lambda token: User.objects.filter(pk=staff.pk).update(is_active=False),
    ):
        User.objects.filter(pk=staff.pk).update(is_active=True)
        client = ApiClient(staff)
        assert client.get("me").status_code == 200
        stop(ApiToken.objects.filter(user=staff).latest("created_at"))
        assert client.get("me").status_code == 401


def test_an_idempotent_write_reads_the_token_once(admin_api: ApiClient) -> None:
    admin_api.get("me")
    body = {"name": "Uno", "country": "ES", "timezone": "Europe/Madrid", "language": "es"}
    with CaptureQueriesContext(connection) as captured:
        response = admin_api.post("organizations", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 201
    token_reads = [q for q in captured.captured_queries if "accounts_apitoken" in q["sql"]]
    assert len(token_reads) == 1, token_reads
