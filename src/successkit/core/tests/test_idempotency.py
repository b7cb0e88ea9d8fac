"""Idempotency keys: per user (not per token), only for signed-in writes, bodies compared
as canonical JSON, forgotten after 24 hours."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from successkit.accounts.models import Organization
from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.core.models import IdempotencyRecord
from successkit.factories import StaffFactory

pytestmark = pytest.mark.django_db

ORGANIZATION = {"name": "Sol", "country": "ES", "timezone": "Europe/Madrid", "language": "es"}


def post_raw(client: ApiClient, body: str, key: str):
    return client.client.post(
        "/api/v1/organizations",
        data=body,
        content_type="application/json",
        headers={**client.headers, "Idempotency-Key": key},
    )


def test_the_same_key_and_body_from_the_same_user_with_a_new_token_replays() -> None:
    admin = StaffFactory(roles=[Role.ADMIN])
    first = ApiClient(admin).post("organizations", ORGANIZATION, HTTP_IDEMPOTENCY_KEY="k1")
    again = ApiClient(admin).post("organizations", ORGANIZATION, HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Organization.objects.count() == 1


def test_re_serialized_identical_json_is_the_same_request(admin_api: ApiClient) -> None:
    compact = json.dumps(ORGANIZATION, separators=(",", ":"))
    spaced = json.dumps(dict(reversed(list(ORGANIZATION.items()))), indent=2)
    first = post_raw(admin_api, compact, "k2")
    again = post_raw(admin_api, spaced, "k2")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Organization.objects.count() == 1


def test_unauthenticated_writes_store_nothing() -> None:
    response = Client().post(
        "/api/v1/organizations",
        ORGANIZATION,
        content_type="application/json",
        headers={"Idempotency-Key": "anon"},
    )
    assert response.status_code == 401
    assert IdempotencyRecord.objects.count() == 0


def test_a_key_is_forgotten_after_24_hours(admin_api: ApiClient) -> None:
    admin_api.post("organizations", ORGANIZATION, HTTP_IDEMPOTENCY_KEY="k3")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    later = admin_api.post("organizations", ORGANIZATION, HTTP_IDEMPOTENCY_KEY="k3")
    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later
    assert Organization.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1


def test_a_key_is_still_kept_just_before_24_hours(admin_api: ApiClient) -> None:
    admin_api.post("organizations", ORGANIZATION, HTTP_IDEMPOTENCY_KEY="k4")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=23, minutes=59))
    later = admin_api.post("organizations", ORGANIZATION, HTTP_IDEMPOTENCY_KEY="k4")
    assert later["Idempotent-Replayed"] == "true"
    assert Organization.objects.count() == 1
