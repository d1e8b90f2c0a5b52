"""The PostGIS backend's health check (gis_service/db/postgis/base.py): no round trip for a
healthy idle connection, and a connection the server closed is found unusable — the cases where
Django's ``SELECT 1`` would have said the same. The whole restart under load is
``test_database_restart.py``."""

from __future__ import annotations

import time

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not connection.settings_dict["ENGINE"].endswith("postgis"), reason="PostGIS backend"
    ),
]


def test_engine_is_the_projects():
    assert connection.settings_dict["ENGINE"] == "gis_service.db.postgis"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_healthy_idle_connection_needs_no_statement(monkeypatch):
    from django.contrib.gis.db.backends.postgis.base import DatabaseWrapper as Django

    connection.ensure_connection()
    raw = connection.connection
    cursors = []
    original = type(raw).cursor

    def spy(self, *args, **kwargs):
        cursors.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(raw), "cursor", spy)
    assert Django.is_usable(connection)  # the control: Django's check sends SELECT 1
    assert len(cursors) == 1
    assert connection.is_usable()
    assert len(cursors) == 1  # ours sent nothing


def test_connection_closed_by_the_server_is_unusable():
    """pg_terminate_backend: the server sends FATAL and closes, as in a restart."""
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cur.fetchone()[0] is True
    finally:
        other.close()
    deadline = time.monotonic() + 5
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)  # the FATAL message arrives asynchronously
    assert not connection.is_usable()
    connection.close()
    with connection.cursor() as cur:  # a new connection
        cur.execute("SELECT 1")
        assert cur.fetchone()[0] == 1


def test_a_request_after_the_server_closed_the_connection_succeeds(client):
    """A request's health check replaces the closed connection instead of failing."""
    assert client.get("/ogc/collections").status_code == 200
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    time.sleep(0.3)
    # As at the start of a request (request_started: the test client leaves it out): the health
    # check is due at the request's first statement.
    connection.close_if_unusable_or_obsolete()
    assert client.get("/ogc/collections").status_code == 200
