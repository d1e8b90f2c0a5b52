"""Django's PostGIS backend whose connection health check costs no round trip while it can tell.

``CONN_HEALTH_CHECKS`` (gis_service/settings/base.py) makes Django check a persistent connection
at the start of every request so that one broken by a database restart is replaced instead of
failing the request. Django checks with ``SELECT 1``: a second round trip for every request, as
dear as the statement itself for a vector tile (``tests/benchmarks/bench_ogcapi.py``; on a busy
2-core machine a round trip waits for the database process to be scheduled).

Here the check first asks the operating system: an idle connection the server has not touched
has nothing to read. A server that shuts down or restarts (fast or smart shutdown, a backend
terminated) sends its FATAL message and closes the socket, so the socket becomes readable; so
does one with an unexpected notice. Whenever the socket is readable, the transaction not idle or
the connection not OK, the check falls back to Django's ``SELECT 1`` — so a connection the quick
check calls usable is one Django's check would have called usable too, except one whose peer
vanished without closing it (a network cut), which ``SELECT 1`` would only have found after the
TCP timeout as well. ``tests/faults/test_database_restart.py`` stops and restarts the database
under load.
"""

from __future__ import annotations

import select

from django.contrib.gis.db.backends.postgis.base import DatabaseWrapper as PostGISDatabaseWrapper
from psycopg import pq


class DatabaseWrapper(PostGISDatabaseWrapper):
    def is_usable(self) -> bool:
        conn = self.connection
        if conn is None or conn.closed:
            return False
        try:
            pgconn = conn.pgconn
            idle = (
                pgconn.status == pq.ConnStatus.OK
                and pgconn.transaction_status == pq.TransactionStatus.IDLE
            )
            if idle:
                poller = select.poll()
                poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
                if not poller.poll(0):
                    return True  # nothing sent to an idle connection: the server still holds it
        except Exception:  # noqa: BLE001 - any doubt: Django's own check decides
            pass
        return super().is_usable()
