"""Sign-in abuse: throttling per account and per address, and bounded password hashing.

Throttling is django-axes with its database handler: every failed sign-in is a row in the
shared database, so all server processes (and machines) sharing it count the same failures.
Too many failures for one account *or* from one address within the cool-off lock that
account or address out until the cool-off has passed since its last failure: the API
answers ``429 too_many_attempts`` with ``Retry-After``, the sign-in page a page saying so.
While locked out the password is not even checked (no hashing, and the right password
does not get in either).

Hashing is bounded per process: Argon2 as Django configures it takes ~100 MiB and ~0.1 s of
CPU per check, so a burst of parallel sign-ins across a worker's threads would take the
worker's memory up by 100 MiB each. A semaphore shared by the threads of the process lets
at most ``SUCCESSKIT_HASHING_CONCURRENCY`` (default 2: the cores of a small server) hash at
once; the others wait half a second at most, then get ``429`` (retry in 1 s), so memory
stays bounded and a flood cannot park every server thread: the rest keep answering
everything else.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from successkit.core.errors import TooManyAttempts
from successkit.core.http import error_response

COOL_OFF = timedelta(minutes=int(os.environ.get("SUCCESSKIT_SIGNIN_COOL_OFF_MINUTES", "15")))
FAILURE_LIMIT = int(os.environ.get("SUCCESSKIT_SIGNIN_FAILURE_LIMIT", "10"))
HASHING_CONCURRENCY = max(1, int(os.environ.get("SUCCESSKIT_HASHING_CONCURRENCY", "2")))
# A sign-in that finds every hashing slot taken for this long is refused (429, retry in
# 1 s) rather than holding a server thread that other requests need.
HASHING_WAIT_SECONDS = 0.5
MAX_EMAIL_LENGTH = 254

_hashing = threading.BoundedSemaphore(HASHING_CONCURRENCY)


@contextmanager
def hashing_slot() -> Iterator[None]:
    if not _hashing.acquire(timeout=HASHING_WAIT_SECONDS):
        raise TooManyAttempts(retry_after=1)
    try:
        yield
    finally:
        _hashing.release()


class BoundedArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (same algorithm name, same stored hashes), with at most
    ``HASHING_CONCURRENCY`` hashes at once per process."""

    def encode(self, password: str, salt: str) -> str:
        with hashing_slot():
            return super().encode(password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        with hashing_slot():
            return super().verify(password, encoded)

    def harden_runtime(self, password: str, encoded: str) -> None:
        with hashing_slot():
            super().harden_runtime(password, encoded)


class ThrottledSignIn(AxesStandaloneBackend):
    """django-axes' lockout check, first of the authentication backends. A sign-in
    without an HTTP request (the command line, a test's ``client.login``) is not throttled:
    there is no address to count, and nobody to guess from."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, **kwargs)


def account_of(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str:
    """The account a sign-in names (``AXES_USERNAME_CALLABLE``): the email as stored."""
    raw: Any = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    return str(raw or "").strip().lower()[:MAX_EMAIL_LENGTH]


def cool_off(request: HttpRequest | None = None) -> timedelta:
    return COOL_OFF


def retry_after(request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
    """Seconds until the account and the address of ``request`` may sign in again."""
    from axes.models import AccessAttempt
    from django.db.models import Q

    account = account_of(request, credentials)
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    last = (
        AccessAttempt.objects.filter(Q(username=account) | Q(ip_address=address))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if last is None:
        return 1
    remaining = (last + COOL_OFF - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining))


def locked_out(request: HttpRequest) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: JSON for the API, a page for people; both 429."""
    seconds = retry_after(request, credentials)
    if request.path.startswith("/api/"):
        return error_response(TooManyAttempts(retry_after=seconds))
    response = render(
        request,
        "accounts/too_many_attempts.html",
        {"until": timezone.localtime() + timedelta(seconds=seconds)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
