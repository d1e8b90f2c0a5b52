"""Writes that fail half-way at the database leave nothing behind; the caller gets a clear 503.

The database fails one chosen statement (the N-th INSERT of an import, the DELETE that ends a WFS
Transaction, ...) the way a database that goes away or stays locked does: the driver's own error
(SQLite "database is locked", PostgreSQL 57P01 admin_shutdown), raised through Django's
``connection.execute_wrapper`` where the statement would have run. Both backends.
The whole-document and whole-file rollbacks on *invalid input* are in
tests/layers/test_wfs_transaction.py, tests/layers/test_import_export.py and
tests/planning/test_import_jobs.py; the real restart and lock are in test_database_restart.py.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from django.db import OperationalError, ProgrammingError, connection
from django.utils import translation
from rest_framework.test import APIClient

from gis_service.middleware import is_database_unavailable
from layers.io import jobs as import_svc
from planning import models as m
from tests.layers.test_wfs_support import basic, exception_code, users, wfs_post, world, xml  # noqa: F401
from tests.layers.test_wfs_transaction import qgis_insert_100
from tests.planning.test_import_jobs import _media_and_runner, geojson, park, reviewer  # noqa: F401

pytestmark = pytest.mark.django_db


def driver_error() -> Exception:
    """What the driver raises when the database goes away (PostgreSQL) or stays locked (SQLite)."""
    if connection.vendor == "postgresql":
        import psycopg.errors

        return psycopg.errors.AdminShutdown("terminating connection due to administrator command")
    import sqlite3

    return sqlite3.OperationalError("database is locked")


@contextlib.contextmanager
def database_fails(pattern: str, *, nth: int = 1):
    """The ``nth`` statement matching ``pattern`` (a regex on the SQL) fails; returns the SQL
    seen."""
    seen = {"matches": 0, "failed": None}
    regex = re.compile(pattern, re.IGNORECASE | re.DOTALL)

    def wrapper(execute, sql, params, many, context):
        if regex.search(sql):
            seen["matches"] += 1
            if seen["matches"] == nth:
                seen["failed"] = sql
                with context["connection"].wrap_database_errors:
                    raise driver_error()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


# --- WFS-T: the last action fails at the database ----------------------------------------------


def test_wfs_transaction_whose_last_action_fails_at_the_database_leaves_nothing(
    client, users, world
):
    a = world["proposals"]["a"]
    doomed = m.Proposal.objects.create(
        code="DX-A-2", name="Đề xuất sẽ xóa", kind="CCN", geom=a.geom, admin_unit=world["commune_a"]
    )
    insert = qgis_insert_100("Đề xuất chèn giữa chừng")
    inserted_feature = insert[
        insert.index("<proposals xmlns") : insert.index("</proposals>") + len("</proposals>")
    ]
    body = f"""<Transaction xmlns="http://www.opengis.net/wfs" service="WFS" version="1.0.0"
     xmlns:gml="http://www.opengis.net/gml" xmlns:ogc="http://www.opengis.net/ogc">
     <Insert>{inserted_feature}</Insert>
     <Update typeName="proposals">
      <Property><Name>name</Name><Value>Tên đã đổi</Value></Property>
      <Filter xmlns="http://www.opengis.net/ogc"><FeatureId fid="proposals.{a.pk}"/></Filter>
     </Update>
     <Delete typeName="proposals">
      <Filter xmlns="http://www.opengis.net/ogc"><FeatureId fid="proposals.{doomed.pk}"/></Filter>
     </Delete>
    </Transaction>"""
    proposals, events = m.Proposal.objects.count(), m.ProposalEvent.objects.count()
    history = m.Proposal.history.count()
    with database_fails(r'^\s*DELETE FROM "planning_proposal"') as seen:
        r = wfs_post(client, body, HTTP_AUTHORIZATION=basic("canbo_a"))
    assert seen["failed"], "the DELETE never reached the database"
    assert r.status_code == 503 and r["Retry-After"] == "5"
    code, _locator = exception_code(r)
    assert code == "OperationProcessingFailed"
    assert "Cơ sở dữ liệu tạm thời không phản hồi" in xml(r).findtext(".//{*}ServiceException")
    # The insert and the update, already written inside the transaction, were rolled back.
    assert m.Proposal.objects.count() == proposals
    assert not m.Proposal.objects.filter(name="Đề xuất chèn giữa chừng").exists()
    a.refresh_from_db()
    assert a.name == "Cụm công nghiệp Cát Hanh"
    assert m.Proposal.objects.filter(pk=doomed.pk).exists()
    assert m.ProposalEvent.objects.count() == events and m.Proposal.history.count() == history
    # The same document goes through once the database answers again.
    r = wfs_post(client, body, HTTP_AUTHORIZATION=basic("canbo_a"))
    assert r.status_code == 200, r.content
    assert m.Proposal.objects.filter(name="Đề xuất chèn giữa chừng").exists()
    assert not m.Proposal.objects.filter(pk=doomed.pk).exists()


# --- imports: row N fails at the database -------------------------------------------------------


def test_import_job_failing_at_the_database_on_row_3_leaves_nothing(reviewer):  # noqa: F811
    loads = m.DatasetLoad.objects.count()
    features = [park(f"KCN-{i}", k=i) for i in range(5)]
    with (
        database_fails(r'^\s*INSERT INTO "planning_industrialarea"', nth=3) as seen,
        translation.override("en"),
    ):
        job = import_svc.import_submit(
            user=reviewer, layer="industrial_areas", upload=geojson(*features)
        )
    assert seen["matches"] == 3
    job.refresh_from_db()
    assert job.status == "failed"
    assert "row 3 (code 'KCN-2')" in job.error and "nothing was imported" in job.error
    assert job.errors[0]["row"] == 3
    assert m.IndustrialArea.objects.count() == 0  # rows 1 and 2 were rolled back
    assert m.IndustrialArea.history.count() == 0
    assert m.DatasetLoad.objects.count() == loads
    assert job.created_count == 0 and job.finished_at is not None
    # The same file imports whole once the database answers.
    job = import_svc.import_submit(
        user=reviewer, layer="industrial_areas", upload=geojson(*features, name="again.geojson")
    )
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert m.IndustrialArea.objects.count() == 5


def test_import_command_failing_at_the_database_half_way_leaves_nothing(binh_dinh, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "parks.geojson"
    path.write_bytes(geojson(*[park(f"KCN-{i}", k=i) for i in range(4)]).read())
    with database_fails(r'^\s*INSERT INTO "planning_industrialarea"', nth=2):
        with (
            pytest.raises(CommandError, match=r"row 2 \(code 'KCN-1'\).*nothing was imported"),
            translation.override("en"),
        ):
            call_command("import_layer", str(path), "--layer", "industrial_areas", verbosity=0)
    assert m.IndustrialArea.objects.count() == 0


# --- the API and the pages answer 503 with a message while the database is unavailable -----------


def test_api_write_while_the_database_is_unavailable_is_503_json_and_stores_nothing(binh_dinh):
    _province, commune = binh_dinh
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("canbo", password="pw-canbo-1")
    m.Membership.objects.create(user=user, role="commune_staff", admin_unit=commune)
    api = APIClient()
    api.force_authenticate(user)
    body = {
        "name": "CCN Cát Hanh 3",
        "kind": "CCN",
        "admin_unit": "21907",
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[109.0, 14.0], [109.004, 14.0], [109.004, 14.004], [109.0, 14.004], [109.0, 14.0]]
            ],
        },
    }
    with database_fails(r'^\s*INSERT INTO "planning_proposalevent"'):
        r = api.post("/api/v1/proposals/", body, format="json")
    assert r.status_code == 503 and r["Retry-After"] == "5"
    err = r.json()["error"]
    assert err["code"] == "database_unavailable" and err["status"] == 503
    assert "Cơ sở dữ liệu tạm thời không phản hồi" in err["message"]
    assert not m.Proposal.objects.exists()  # the proposal row written before the event is gone
    r = api.post(
        "/api/v1/proposals/?lang=en", body, format="json", HTTP_COOKIE="django_language=en"
    )
    assert r.status_code == 201 and m.Proposal.objects.count() == 1


def test_api_read_and_page_while_the_database_is_unavailable(binh_dinh, client):
    with database_fails(r'"planning_industrialarea"'):
        r = client.get("/api/v1/layers/industrial_areas/", HTTP_COOKIE="django_language=en")
    assert r.status_code == 503 and r["Retry-After"] == "5"
    assert r.json()["error"]["message"].startswith("The database is unavailable at the moment")
    with database_fails(r'"planning_'):
        r = client.get("/dashboards/")
    assert r.status_code == 503 and r["Retry-After"] == "5"
    assert r["Content-Type"].startswith("text/html")
    page = r.content.decode()
    assert "Dịch vụ tạm thời không khả dụng" in page and "Vui lòng thử lại sau vài giây" in page
    with database_fails(r'"planning_'):
        r = client.get(
            "/ows/wfs",
            {
                "SERVICE": "WFS",
                "VERSION": "2.0.0",
                "REQUEST": "GetFeature",
                "TYPENAMES": "industrial_areas",
            },
        )
    assert r.status_code == 503 and r["Retry-After"] == "5"
    assert exception_code(r)[0] == "OperationProcessingFailed"


def test_other_database_errors_are_not_mistaken_for_an_outage():
    """A bug (missing table, bad SQL) stays a logged 500, never a 'try again later'."""
    import sqlite3

    bug = OperationalError("no such table: planning_nothing")
    bug.__cause__ = sqlite3.OperationalError("no such table: planning_nothing")
    assert not is_database_unavailable(bug)
    assert not is_database_unavailable(ProgrammingError("syntax error"))
    locked = OperationalError("database is locked")
    locked.__cause__ = sqlite3.OperationalError("database is locked")
    assert is_database_unavailable(locked)
    import psycopg.errors

    for cause, expected in (
        (psycopg.errors.AdminShutdown("shutdown"), True),
        (psycopg.OperationalError("connection refused"), True),
        (psycopg.errors.UndefinedTable("no such table"), False),
        (psycopg.errors.QueryCanceled("statement timeout"), True),
    ):
        exc = OperationalError(str(cause))
        exc.__cause__ = cause
        assert is_database_unavailable(exc) is expected, cause
