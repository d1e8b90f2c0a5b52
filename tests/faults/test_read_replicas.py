"""Read replicas (issue 15, item 4), against a real PostgreSQL streaming replica.

A throwaway primary and a hot standby made from it with ``pg_basebackup -R``; gunicorn with the
production settings and ``DATABASE_REPLICA_URLS`` pointing at the standby. To tell which server
answered a read, the standby's WAL replay is paused: a proposal written after the pause exists on
the primary only.

* A commune official writes a proposal through the API, then reads the proposals collection of
  the OGC API at once: the proposal is there (read your writes: pinned to the primary).
* A provincial reviewer reading the same collection does not see it while the replay is paused
  (their map reads come from the replica), but sees it through the REST API (the primary), and
  through the OGC API as soon as the replay resumes.
* Replay still paused: once the replica is further behind than ``KCN_REPLICA_MAX_LAG_SECONDS``,
  the reviewer's reads go to the primary (with a warning), until it has caught up.
* The replica stopped: the reviewer's reads are answered (200) from the primary, and the server
  logs a warning; started again, the reads go back to it.
"""

from __future__ import annotations

import base64
import subprocess
import time

import pytest
import requests
from django.conf import settings

from tests.faults.cluster import ThrowawayCluster
from tests.faults.server import (
    Gunicorn,
    basic_auth,
    manage,
    prepare_database,
    proposal_body,
    server_env,
)

ENGINE = settings.DATABASES["default"]["ENGINE"]
REVIEWER, REVIEWER_PASSWORD = "sct_replica", "pw-sct-replica-1"
HTTPS = {"X-Forwarded-Proto": "https"}  # as behind the TLS proxy (production settings)
ITEMS = "/ogc/collections/proposals/items?f=json&limit=1000"


def _sql(url: str, sql: str) -> str:
    r = subprocess.run(["psql", url, "-qtAc", sql], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def _names(response: requests.Response) -> set[str]:
    assert response.status_code == 200, (response.status_code, response.text[:500])
    body = response.json()
    if "features" in body:
        return {f["properties"]["name"] for f in body["features"]}
    return {row["properties"]["name"] if "properties" in row else row["name"] for row in body}


def _session(user: str, password: str) -> requests.Session:
    s = requests.Session()
    s.headers.update(HTTPS)
    s.headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    return s


@pytest.mark.skipif(
    not ENGINE.endswith("postgis"), reason="streaming replica: runs in the PostGIS run of make test"
)
def test_reads_from_a_streaming_replica_with_read_your_writes_and_fallback(tmp_path):
    primary = ThrowawayCluster()
    replica = server = None
    try:
        env = server_env(primary.database_url, tmp_path / "var")
        prepare_database(env)
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; from planning.models import "
            "AdminUnit, Membership; u = get_user_model().objects.create_user("
            f"{REVIEWER!r}, password={REVIEWER_PASSWORD!r}); Membership.objects.create(user=u, "
            "role='industry_reviewer', admin_unit=AdminUnit.objects.get(code='52'))",
        )
        replica = ThrowawayCluster(standby_of=primary)
        assert _sql(replica.url("kcn_fault"), "select pg_is_in_recovery()") == "t"
        env = {
            **env,
            "DATABASE_REPLICA_URLS": replica.url("kcn_fault", "postgis"),
            "KCN_REPLICA_RETRY_SECONDS": "1",
            "KCN_REPLICA_PIN_SECONDS": "5",
            "KCN_REPLICA_MAX_LAG_SECONDS": "8",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2, threads=2)
        staff = requests.Session()
        staff.headers.update(HTTPS)
        staff.headers["Authorization"] = basic_auth()
        reviewer = _session(REVIEWER, REVIEWER_PASSWORD)

        def write(name: str, k: int) -> None:
            body = proposal_body(name, k)
            x0, y0 = 108.96 + k * 0.006, 13.96  # about 24 ha: a cluster's size, so it submits
            body["geometry"]["coordinates"] = [
                [
                    [x0, y0],
                    [x0 + 0.0045, y0],
                    [x0 + 0.0045, y0 + 0.0045],
                    [x0, y0 + 0.0045],
                    [x0, y0],
                ]
            ]
            r = staff.post(server.url + "/api/v1/proposals/", json=body)
            assert r.status_code == 201, r.text[:500]
            r = staff.post(server.url + f"/api/v1/proposals/{r.json()['id']}/submit/")
            assert r.status_code == 200, r.text[:500]

        def reviewer_sees(name: str) -> bool:
            return name in _names(reviewer.get(server.url + ITEMS))

        write("Đề xuất trước", 0)
        deadline = time.monotonic() + 30
        while not reviewer_sees("Đề xuất trước"):  # replicated (milliseconds, normally)
            assert time.monotonic() < deadline, "the replica never showed the first proposal"
            time.sleep(0.2)

        # 1. Replay paused: what is written now exists on the primary only.
        _sql(replica.url("kcn_fault"), "select pg_wal_replay_pause()")
        write("Đề xuất mới", 1)
        assert "Đề xuất mới" in _names(staff.get(server.url + ITEMS)), "read your writes"
        assert not reviewer_sees("Đề xuất mới"), "the reviewer's map reads the replica"
        on_primary = reviewer.get(server.url + "/api/v1/layers/proposals/?page_size=1000")
        assert on_primary.status_code == 200 and "Đề xuất mới" in on_primary.text
        # Still paused: past the lag limit the reviewer's reads go to the primary.
        deadline = time.monotonic() + 40
        while not reviewer_sees("Đề xuất mới"):
            assert time.monotonic() < deadline, "a replica stuck behind was kept"
            time.sleep(0.5)
        assert "read replica replica1 is more than 8 s behind the primary" in server.log()
        _sql(replica.url("kcn_fault"), "select pg_wal_replay_resume()")
        deadline = time.monotonic() + 30
        while "read replica replica1 has caught up" not in server.log():
            assert time.monotonic() < deadline, "the caught-up replica was not taken back"
            reviewer_sees("Đề xuất mới")
            time.sleep(0.3)
        # The map's tiles and WFS are read there too (answered, and from the replica's rows).
        r = reviewer.get(
            server.url + "/ows/wfs?service=WFS&version=2.0.0&request=GetFeature"
            "&typeNames=proposals&outputFormat=application/json"
        )
        assert r.status_code == 200 and "Đề xuất mới" in r.text

        # 2. The replica stopped: answers from the primary, a warning in the log, no error.
        replica.stop()
        write("Đề xuất khi bản sao dừng", 2)
        for _ in range(6):
            assert reviewer_sees("Đề xuất khi bản sao dừng")
        assert "read replica replica1 unavailable" in server.log()
        assert " 500 " not in server.log() and "Traceback" not in server.log()

        # 3. Started again: after the retry delay the reads go back to it.
        replica.start()
        time.sleep(1.5)
        _sql(replica.url("kcn_fault"), "select pg_wal_replay_pause()")
        write("Đề xuất sau cùng", 3)
        deadline = time.monotonic() + 30
        while reviewer_sees("Đề xuất sau cùng"):  # until the workers have tried it again
            assert time.monotonic() < deadline, "the reads never went back to the replica"
            time.sleep(0.3)
        _sql(replica.url("kcn_fault"), "select pg_wal_replay_resume()")
        assert "read replica replica1 answers again" in server.log()
    finally:
        if server is not None:
            server.stop()
        if replica is not None:
            replica.destroy()
        primary.destroy()


@pytest.mark.parametrize(
    "path, replica",
    [
        ("/ows/wfs", True),
        ("/ogc/collections/proposals/items", True),
        ("/dashboards/3/", True),
        ("/api/v1/efficiency/", True),
        ("/ows/tiles/clearance_parcels/webmercator/3/1/2.png", False),
        ("/ows/wmts/1.0.0/proposals/webmercator/3/1/2.png", False),
        ("/ogc/collections/proposals/tiles/WebMercatorQuad/14/7/9", False),
        ("/ogc/basemap/tiles/WebMercatorQuad/5/1/1", False),
        ("/api/v1/proposals/", False),
        ("/admin/", False),
        ("/", False),
    ],
)
def test_which_requests_may_read_a_replica(path, replica):
    """Features, capabilities, dashboards and reports may be a second stale; tiles are cached
    until the next edit, so they read the primary, as do the pages and API people edit with."""
    from gis_service.db.replicas import stale_tolerant

    assert stale_tolerant(path) is replica
