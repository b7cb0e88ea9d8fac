"""Fixtures shared by every app's tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client

from successkit.accounts.models import User
from successkit.accounts.roles import Role
from successkit.accounts.services import issue_token
from successkit.factories import ContactFactory, StaffFactory


def race(calls: list[Callable[[], object]], timeout: float = 60) -> list[object]:
    """Run ``calls`` at the same moment, each in its own thread with its own database
    connection (released together by a barrier); their results in order.

    An exception in a thread is raised here (the first one, after every thread ended), and
    a thread still running after ``timeout`` seconds fails the test: a race test never
    passes because a thread's failure went unseen."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        except BaseException as error:
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    alive = [index for index, thread in enumerate(threads) if thread.is_alive()]
    if alive:
        pytest.fail(f"race(): calls {alive} still running after {timeout} s (a deadlock?)")
    for error in errors:
        if error is not None:
            raise error
    return results


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Every test hashes passwords with a fast hasher (Argon2 costs ~50 ms a user)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Race tests (``needs_row_locks``) prove a ``select_for_update``: only PostgreSQL can
    show a missing one (a SQLite transaction locks the whole database), so elsewhere they
    are skipped, loudly. ``.ci/run`` fails when PostgreSQL is absent."""
    from django.conf import settings as django_settings

    if django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs row locks: runs on PostgreSQL only")
    for item in items:
        if "needs_row_locks" in item.keywords:
            item.add_marker(skip)


class ApiClient:
    """A JSON client for /api/v1 that signs its calls with a bearer token."""

    def __init__(self, user: User | None = None, language: str | None = None) -> None:
        self.client = Client()
        self.user = user
        self.headers: dict[str, str] = {}
        if user is not None:
            self.headers["Authorization"] = f"Bearer {issue_token(user)}"
        if language:
            self.headers["Accept-Language"] = language

    def _call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        # ``headers`` are WSGI names (HTTP_IDEMPOTENCY_KEY=...), as Django's test client takes.
        kwargs: dict[str, Any] = {"headers": self.headers, **headers}
        if body is not None:
            kwargs["data"] = body
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(url, **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self._call("get", path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._call("post", path, body if body is not None else {}, **headers)

    def patch(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._call("patch", path, body if body is not None else {}, **headers)

    def put(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._call("put", path, body if body is not None else {}, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self._call("delete", path, **headers)


@pytest.fixture
def api_as(db: None) -> Callable[..., ApiClient]:
    """``api_as(user)``: an API client signed in as ``user`` (None: anonymous)."""
    return ApiClient


@pytest.fixture
def admin_user(db: None) -> User:
    return cast(User, StaffFactory(roles=[Role.ADMIN]))


@pytest.fixture
def admin_api(admin_user: User) -> ApiClient:
    return ApiClient(admin_user)


@pytest.fixture
def contact_api(db: None) -> Callable[..., ApiClient]:
    def make(contact: Any = None, **kwargs: Any) -> ApiClient:
        contact = contact or ContactFactory(**kwargs)
        return ApiClient(contact.user)

    return make
