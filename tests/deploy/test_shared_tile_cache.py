"""Two web nodes share one tile cache in Redis (issue 15, item 5; ``layers/tilestore.py``).

Two gunicorn servers with var/ folders of their own stand for two machines behind a proxy; both
serve one database (a SQLite file, or a PostgreSQL database of the suite's server) and name the
same Redis server (Debian's ``redis-server``, started here on a free port) in ``KCN_REDIS_URL``.
A tile node A makes, node B serves from the cache without making it; a proposal saved through
node B refreshes the tile node A serves next (raster and vector); Redis stopped, both nodes keep
serving tiles (uncached) and saving, with a warning in the log.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
from pathlib import Path

import mapbox_vector_tile
import psycopg
import pytest
import redis
import requests
from django.db import connection

from layers.vectortiles.tilemath import tile_for
from tests.faults.server import (
    Gunicorn,
    basic_auth,
    free_port,
    prepare_database,
    proposal_body,
    server_env,
)

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
pytestmark = pytest.mark.skipif(not Path(REDIS).exists(), reason="redis-server not installed")
Z = 14
SIDE = 0.0035  # ≈ 380 m: a proposal of ≈ 14.6 ha (a cluster is at least 10 ha)


def _corner(k: int) -> tuple[float, float]:
    """South-west corner of the k-th proposal: side by side in the commune of the fault tests'
    set-up (108.95–109.1 E, 13.95–14.1 N) and all in one tile at zoom 14."""
    return 108.9505 + k * 0.0037, 13.96


X, Y = tile_for(*_corner(0), Z)
assert tile_for(_corner(2)[0] + SIDE, _corner(2)[1] + SIDE, Z) == (X, Y)
RASTER = f"/ows/tiles/proposals/GLOBAL_WEBMERCATOR/{Z}/{X}/{Y}.png"
VECTOR = f"/ogc/collections/proposals/tiles/WebMercatorQuad/{Z}/{Y}/{X}"


class RedisServer:
    def __init__(self, directory: Path):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(directory), "--maxmemory", "64mb"]
            + ["--maxmemory-policy", "volatile-lru"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client = redis.Redis(port=self.port, socket_timeout=2)
        deadline = time.monotonic() + 20
        while True:
            try:
                self.client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def keys(self, pattern: str) -> list[str]:
        return sorted(k.decode() for k in self.client.scan_iter(match=pattern))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def database_url(tmp_path):
    """A database of the test's own on the suite's backend."""
    if connection.vendor != "postgresql":
        yield f"spatialite:///{tmp_path / 'shared.sqlite3'}"
        return
    s = connection.settings_dict
    name = f"kcn_shared_{secrets.token_hex(4)}"
    admin = dict(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with psycopg.connect(**admin) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(**{**admin, "dbname": name}) as db:
        db.execute("CREATE EXTENSION postgis")
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    try:
        yield f"postgis://{auth}@{admin['host']}:{admin['port']}/{name}"
    finally:
        with psycopg.connect(**admin) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def nodes(tmp_path, database_url):
    redis_server = RedisServer(tmp_path)
    started = []
    try:
        envs = [
            server_env(
                database_url,
                tmp_path / name,
                KCN_REDIS_URL=redis_server.url,
                KCN_CACHE_URL=redis_server.url.replace("/0", "/1"),
            )
            for name in ("a", "b")
        ]
        prepare_database(envs[0])
        for name, env in zip("ab", envs, strict=True):
            started.append(Gunicorn(env, tmp_path / f"{name}.log", workers=1, threads=4))
        yield redis_server, started[0], started[1], tmp_path
    finally:
        for node in started:
            node.stop()
        redis_server.stop()


def _get(node, path):
    r = requests.get(node.url + path, headers={"Authorization": basic_auth()}, timeout=60)
    assert r.status_code in (200, 204), (path, r.status_code, r.text[:500])
    return r


def _propose(node, name, k):
    """Draft and submit a proposal (drafts are not drawn) through ``node``'s REST API."""
    auth = {"Authorization": basic_auth()}
    x0, y0 = _corner(k)
    ring = [[x0, y0], [x0 + SIDE, y0], [x0 + SIDE, y0 + SIDE], [x0, y0 + SIDE], [x0, y0]]
    body = {**proposal_body(name, k), "geometry": {"type": "Polygon", "coordinates": [ring]}}
    r = requests.post(node.url + "/api/v1/proposals/", json=body, headers=auth, timeout=60)
    assert r.status_code == 201, r.text[:500]
    url = f"{node.url}/api/v1/proposals/{r.json()['id']}/submit/"
    r = requests.post(url, json={}, headers=auth, timeout=60)
    assert r.status_code == 200, r.text[:500]


def _features(mvt: bytes) -> int:
    return sum(len(layer["features"]) for layer in mapbox_vector_tile.decode(mvt).values())


def test_two_nodes_share_tiles_and_a_save_through_one_refreshes_the_other(nodes):
    redis_server, a, b, tmp = nodes
    _propose(a, "CCN Cát Hanh dùng chung", 0)

    # A makes the tiles and stores them in Redis, not in its own folder.
    raster_a = _get(a, RASTER)
    assert raster_a.headers["X-KCN-Tile-Cache"] == "miss"
    assert raster_a.headers["Content-Type"] == "image/png"
    assert redis_server.keys(f"kcn:*:raster:proposals-{Z}-{X}-{Y}")
    vector_a = _get(a, VECTOR)
    assert vector_a.headers["X-KCN-Tile-Cache"] == "miss"
    assert _features(vector_a.content) == 1
    assert redis_server.keys(f"kcn:*:vector:proposals:t:{Z}:{X}:{Y}")
    assert not list((tmp / "a").glob("mapserver/*/tiles/proposals/*"))
    assert not list((tmp / "a").glob("vectortiles/*/*.mbtiles"))

    # B serves A's tiles from the shared cache: the same bytes, the same validators.
    raster_b = _get(b, RASTER)
    assert raster_b.headers["X-KCN-Tile-Cache"] == "hit"
    assert raster_b.content == raster_a.content
    assert raster_b.headers["ETag"] == raster_a.headers["ETag"]
    vector_b = _get(b, VECTOR)
    assert vector_b.headers["X-KCN-Tile-Cache"] == "hit"
    assert vector_b.content == vector_a.content
    assert not list((tmp / "b").glob("mapserver/*/tiles/proposals/*"))

    # A second proposal in the same tile, saved through B: A's next tiles show both.
    _propose(b, "CCN Cát Hanh thứ hai", 1)
    assert not redis_server.keys(f"kcn:*:raster:proposals-{Z}-{X}-{Y}")
    assert not redis_server.keys(f"kcn:*:vector:proposals:t:{Z}:{X}:{Y}")
    raster_a2 = _get(a, RASTER)
    assert raster_a2.headers["X-KCN-Tile-Cache"] == "miss"
    assert raster_a2.content != raster_a.content
    vector_a2 = _get(a, VECTOR)
    assert vector_a2.headers["X-KCN-Tile-Cache"] == "miss"
    assert _features(vector_a2.content) == 2
    assert _get(b, VECTOR).headers["X-KCN-Tile-Cache"] == "hit"
    # A browser's copy is still valid on the other node: 304 against B.
    again = requests.get(
        b.url + RASTER,
        headers={"Authorization": basic_auth(), "If-None-Match": raster_a2.headers["ETag"]},
        timeout=60,
    )
    assert again.status_code == 304

    # Django's cache is shared too (KCN_CACHE_URL, database 1): the search index one node built.
    assert _get(a, "/search.json?q=Cát").ok
    django_cache = redis.Redis(port=redis_server.port, db=1, socket_timeout=2)
    assert any(b"kcn-web-search-index" in k for k in django_cache.scan_iter())

    # Redis stopped: the tiles are made and served uncached, saves still work, and it is logged.
    redis_server.stop()
    assert _get(b, "/search.json?q=Cát").ok  # Django's cache misses instead of failing
    raster_down = _get(a, RASTER)
    assert raster_down.headers["X-KCN-Tile-Cache"] == "bypassed"
    assert raster_down.content[:8] == b"\x89PNG\r\n\x1a\n"
    vector_down = _get(b, VECTOR)
    assert vector_down.headers["X-KCN-Tile-Cache"] == "bypassed"
    assert _features(vector_down.content) == 2
    _propose(a, "CCN Cát Hanh khi Redis dừng", 2)
    assert _features(_get(a, VECTOR).content) == 3
    assert "tile cache (Redis) unavailable" in a.log() + b.log()
