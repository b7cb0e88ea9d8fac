"""Database connections on the request path (issue 14): kept from request to request,
checked before use without a round trip, replaced when the server has closed them."""

from __future__ import annotations

import select
import time

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection
from psycopg import connect

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL connections only"),
]


def a_request() -> int:
    """What a request does with the connection: Django's start and end signals around
    one query; the server process that answered."""
    request_started.send(sender=None)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return int(cursor.fetchone()[0])
    finally:
        request_finished.send(sender=None)


def test_a_connection_serves_request_after_request_without_a_health_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = a_request()
    checks: list[str] = []
    # Django's own check sends SELECT 1 through is_usable(): it must not run per request.
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append("SELECT 1") or True)
    assert {a_request() for _ in range(5)} == {first}
    assert checks == []


def test_a_connection_the_server_closed_is_replaced_before_the_next_request() -> None:
    first = a_request()
    with connect(_url(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (first,))
    # The farewell reaches the idle socket.
    socket = connection.connection.pgconn.socket
    poller = select.poll()
    poller.register(socket, select.POLLIN)
    deadline = time.monotonic() + 5
    while not poller.poll(50) and time.monotonic() < deadline:
        pass
    second = a_request()  # no error: a new connection
    assert second != first


def _url() -> str:
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    user = settings["USER"]
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgresql://{user}{password}@{host}:{port}/{settings['NAME']}"
