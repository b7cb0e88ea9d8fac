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

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
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
