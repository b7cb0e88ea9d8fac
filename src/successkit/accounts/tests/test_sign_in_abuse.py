"""Sign-in abuse: throttling per account and per address (in the shared database), bounded
hashing, and tokens that expire, are capped per user and can be listed and revoked."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone

from successkit.accounts import throttling
from successkit.accounts.models import ApiToken
from successkit.accounts.services import TOKENS_PER_USER, issue_token
from successkit.conftest import ApiClient
from successkit.core.errors import TooManyAttempts
from successkit.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db
LIMIT = settings.AXES_FAILURE_LIMIT


def sign_in(email: str, password: str, address: str = "10.0.0.1"):
    return Client().post(
        "/api/v1/auth/token",
        {"email": email, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_an_account_is_locked_after_the_limit_even_for_the_right_password() -> None:
    staff = StaffFactory()
    for attempt in range(LIMIT - 1):
        assert sign_in(staff.email, f"wrong-{attempt}", f"10.0.1.{attempt}").status_code == 401
    locking = sign_in(staff.email, "wrong-last", "10.0.2.1")
    assert locking.status_code == 429
    assert locking.json()["error"]["code"] == "too_many_attempts"
    retry = int(locking["Retry-After"])
    assert 0 < retry <= throttling.COOL_OFF.total_seconds()
    # From a fresh address, with the right password: still locked, and no token issued.
    right = sign_in(staff.email, PASSWORD, "10.0.3.1")
    assert right.status_code == 429
    assert int(right["Retry-After"]) > 0
    assert ApiToken.objects.filter(user=staff).count() == 0


def test_an_address_is_locked_across_accounts_and_unlocks_after_the_cool_off() -> None:
    staff = StaffFactory()
    for attempt in range(LIMIT):
        sign_in(f"nobody{attempt}@example.test", "wrong", "10.9.9.9")
    assert sign_in(staff.email, PASSWORD, "10.9.9.9").status_code == 429
    assert sign_in(staff.email, PASSWORD, "10.9.9.10").status_code == 200
    AccessAttempt.objects.update(attempt_time=timezone.now() - throttling.COOL_OFF)
    assert sign_in(staff.email, PASSWORD, "10.9.9.9").status_code == 200


def test_the_sign_in_page_says_to_wait() -> None:
    staff = StaffFactory()
    client = Client(REMOTE_ADDR="10.7.7.7")
    for _ in range(LIMIT):
        client.post("/login/", {"username": staff.email, "password": "wrong"})
    page = client.post("/login/", {"username": staff.email, "password": PASSWORD})
    assert page.status_code == 429
    assert int(page["Retry-After"]) > 0
    assert "Too many sign-in attempts" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_hostile_credentials_are_refused_without_a_server_error() -> None:
    for email, password in [
        ("a" * 1_000_000 + "@x.test", "x"),
        ("nul\x00@x.test", "x"),
        ("x\ud800y@x.test", "x"),
        ("ok@x.test", "p\x00w"),
        ("ok@x.test", "x" * 100_000),
    ]:
        response = ApiClient().post("auth/token", {"email": email, "password": password})
        # Refused as bad credentials or, for characters no database stores, as invalid.
        assert response.status_code in (401, 422), (email[:20], response.content[:200])


def test_hashing_is_bounded_per_process(monkeypatch) -> None:
    peak = 0
    running = 0
    lock = threading.Lock()
    original = throttling.Argon2PasswordHasher.verify

    def slow_verify(self, password, encoded):
        nonlocal peak, running
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.3)
        with lock:
            running -= 1
        return original(self, password, encoded)

    monkeypatch.setattr(throttling.Argon2PasswordHasher, "verify", slow_verify)
    hasher = throttling.BoundedArgon2PasswordHasher()
    encoded = hasher.encode("secret", hasher.salt())
    refused = []

    def check() -> None:
        try:
            hasher.verify("x", encoded)
        except TooManyAttempts:
            refused.append(1)  # waited too long for a slot: 429, the thread is free again

    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == throttling.HASHING_CONCURRENCY
    assert 0 < len(refused) < 8


def test_tokens_expire() -> None:
    staff = StaffFactory()
    token = issue_token(staff)
    client = ApiClient()
    assert client.get("me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_user_keeps_at_most_the_cap_of_live_tokens_the_oldest_go() -> None:
    staff = StaffFactory()
    first = issue_token(staff)
    for _ in range(TOKENS_PER_USER):
        issue_token(staff)
    live = ApiToken.objects.filter(user=staff, revoked_at__isnull=True)
    assert live.count() == TOKENS_PER_USER
    assert ApiClient().get("me", HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 401


def test_tokens_are_listed_and_revoked_one_by_one_through_the_api() -> None:
    staff = StaffFactory()
    other = issue_token(staff)
    api = ApiClient(staff)
    listed = api.get("auth/tokens").json()["items"]
    assert len(listed) == 2
    assert [item["current"] for item in listed] == [True, False]
    other_id = listed[1]["id"]
    assert api.delete(f"auth/tokens/{other_id}").status_code == 204
    assert ApiClient().get("me", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 401
    assert api.delete(f"auth/tokens/{other_id}").status_code == 404
    stranger = ApiClient(StaffFactory())
    assert stranger.delete(f"auth/tokens/{listed[0]['id']}").status_code == 404
    assert api.get("me").status_code == 200


def test_tokens_are_listed_and_revoked_on_a_page() -> None:
    staff = StaffFactory()
    token = issue_token(staff)
    client = Client()
    client.force_login(staff)
    page = client.get("/account/tokens/")
    assert page.status_code == 200
    assert token[:10] in page.content.decode()
    pk = ApiToken.objects.get(user=staff).pk
    assert client.post("/account/tokens/", {"token": pk}).status_code == 302
    assert ApiToken.objects.get(pk=pk).revoked_at is not None
