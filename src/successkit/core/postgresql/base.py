"""Django's PostgreSQL backend, with a health check that costs no round trip.

Connections persist (``CONN_MAX_AGE``): each gunicorn thread keeps its own from one
request to the next. Django's health check (``CONN_HEALTH_CHECKS``) sends ``SELECT 1``
before every request's first query - one more round trip per request, which on a busy
machine costs as much as the request's own query. This one asks the socket instead: a
connection idle since the last request has nothing to read unless the server has closed
it (a restart, ``pg_terminate_backend``, ``idle_session_timeout``), whose farewell and end
of file are then waiting. Such a connection is replaced before it is used, without a round
trip; a connection that breaks while in use still fails that request, as with Django's
own check, and is replaced at the end of it.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base, operations
from psycopg import pq


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: Any, params: Any) -> Any:
        if isinstance(cursor, _PreparedCursor):  # logged and counted like any other
            return self.compose_sql(sql, params)
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def close_if_health_check_failed(self) -> None:
        if self.pool or self.connection is None:
            return
        if not self.health_check_enabled or self.health_check_done:  # type: ignore[attr-defined,has-type]
            return
        if not self.still_connected():
            self.close()
        self.health_check_done = True

    def still_connected(self) -> bool:
        """False when the server has closed this idle connection (no round trip)."""
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        if pgconn.status != pq.ConnStatus.OK:
            return False
        if pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return True  # in use: not the time to judge
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
        return not poller.poll(0)

    def prepared_cursor(self) -> Any:
        """A cursor whose statements the server prepares once per connection (parsed and
        planned once, then only executed): for the few statements every request runs,
        written once in code (``core/compiled.py``, ``accounts/token_query.py``). Their
        parameters are sent apart from the SQL (server-side binding), typed by psycopg."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            wrapper: Any = self  # Django's own wrapping (debug cursor, execute wrappers)
            return wrapper._prepare_cursor(_PreparedCursor(self.connection))


_ServerBindingCursor: Any = base.ServerBindingCursor


class _PreparedCursor(_ServerBindingCursor):
    def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
        options["prepare"] = True
        return super().execute(query, params, **options)
