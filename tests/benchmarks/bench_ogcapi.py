"""OGC API benchmark (``make bench``, alone ``scripts/bench.sh ogcapi``).

Two comparisons, each against a peer measured in the same run, in interleaved rounds:

1. **Items as GeoJSON**: ``/ogc/collections/clearance_parcels/items?bbox=…&<filter>&limit=1000``
   with every page followed, beside **MapServer 8's own OGC API – Features** reading the same
   PostGIS table. MapServer runs as **FastCGI** (``spawn-fcgi`` children behind ``nginx``, both
   from Debian — not a CGI process per request); ours runs under gunicorn with the production
   settings, as deployed. 8 concurrent clients (keep-alive connections); each round every client
   runs the whole query (all pages) ``QUERIES_PER_CLIENT`` (4) times. Statistic, chosen before any
   run: **features/s** = features received / wall time of the round; the **median of
   ``ROUNDS`` rounds** (5) after one warm-up round per side; the side going first alternates.
   Both sides are checked to return **the same set of feature ids** for the request (not timed,
   before the rounds) and the same number of features in every round.
2. **Uncached vector tiles**: ``/ogc/collections/clearance_parcels/tiles/WebMercatorQuad/z/y/x``
   for a fixed set of tiles over the parcels (z 14–17), beside **the floor**: the bare
   ``ST_AsMVT`` statement for the same tiles — the very SQL text and parameters
   ``layers/vectortiles/queries.py`` sends, captured from Django — run through psycopg by a pool
   of 8 connections. Each round uses tiles not requested before (the warm-up round included), so
   no tile cache can answer them; ``TILE_QUERY`` (environment ``OGC_BENCH_TILE_QUERY``) is added
   to our tile URLs for a cache-bypass parameter, if one is ever needed. Figures: tiles/s
   (median of the rounds) and p95 latency (of all measured requests); every tile's bytes are
   checked equal to the floor's. Then **repeat requests** of tiles already served (the path a
   tile cache would answer): p99 latency.

Goals are printed, never asserted (timing belongs here, not in the test suite):
items ≥ 1.5× MapServer; uncached tiles ≤ 1.3× the floor; repeated (cached) tiles p99 < 20 ms.
Figures are appended to ``tests/benchmarks/RESULTS.md`` (``BENCH_RECORD`` to change) with the
date, machine and method. ``tests/benchmarks/test_bench_ogcapi.py`` runs the same harness on
200 parcels, one round, checking both sides return the same features (no timing).

MapServer 8.0's OGC API has no property filter (an unknown parameter is ignored: checked by the
harness), so the peer's layer carries the same filter in its SQL (``PEER_WHERE``); and its
``next`` links drop ``bbox`` (checked), so the peer's pages are asked for by ``offset``.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

REPO = Path(__file__).resolve().parents[2]
if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_service.settings.local")
    import django

    django.setup()

from django.db import connection  # noqa: E402

from tests.benchmarks.servers import start_gunicorn  # noqa: E402

COLLECTION = "clearance_parcels"
CLIENTS = int(os.environ.get("OGC_BENCH_CLIENTS", "8"))
ROUNDS = int(os.environ.get("OGC_BENCH_ROUNDS", "5"))
WARMUP = 1
# The same page size on both sides: big enough for the whole answer in one page, because Debian
# 12's MapServer 8.0.0 ignores ``offset`` in its OGC API (MapServer issue #6613, fixed by
# pull request #6617 in later 8.0 releases; checked by the harness): it cannot page. Our paging
# (pages of ``OURS_PAGE``, following ``next`` links) is measured too, alone.
PAGE_LIMIT = int(os.environ.get("OGC_BENCH_LIMIT", "10000"))
OURS_PAGE = 1000
QUERIES_PER_CLIENT = int(os.environ.get("OGC_BENCH_QUERIES", "4"))
ITEMS_BBOX = (108.70, 13.55, 109.35, 14.60)  # lon/lat: Bình Định, the bench parcels
# The property filter as our query string (helper q's CQL2 ``filter=status='inventoried'`` can
# replace it) and the same condition as SQL for the peer's layer.
ITEMS_FILTER = os.environ.get("OGC_BENCH_FILTER", "status=inventoried")
PEER_WHERE = os.environ.get("OGC_BENCH_PEER_WHERE", "\"status\" = 'inventoried'")
TILE_ZOOMS = (14, 15, 16, 17)
TILE_QUERY = os.environ.get("OGC_BENCH_TILE_QUERY", "")
TILES_PER_ROUND = int(os.environ.get("OGC_BENCH_TILES_PER_ROUND", "96"))
REPEATS = 3  # repeat requests: each client walks the served tiles this many times
TIMEOUT = 300.0
GOALS = {
    "items": ">= 1.5x MapServer",
    "tiles": "<= 1.3x the SQL floor",
    "repeat": "p99 < 20 ms",
}


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(port: int, path: str, what: str, proc=None, tries: int = 150) -> None:
    for _ in range(tries):
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path)
            c.getresponse().read()
            c.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer on port {port}")


# --- the peer: MapServer 8 OGC API as FastCGI behind nginx -----------------------------------


NGINX_CONF = """\
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {dir}/tmp/body;
  proxy_temp_path {dir}/tmp/proxy;
  fastcgi_temp_path {dir}/tmp/fastcgi;
  uwsgi_temp_path {dir}/tmp/uwsgi;
  scgi_temp_path {dir}/tmp/scgi;
  keepalive_requests 100000;
  server {{
    listen 127.0.0.1:{port};
    location /mapserv {{
      fastcgi_split_path_info ^(/mapserv)(/.*)?$;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_NAME /mapserv;
      fastcgi_param PATH_INFO $fastcgi_path_info;
      fastcgi_buffers 64 64k;
      fastcgi_buffer_size 64k;
      fastcgi_max_temp_file_size 0;
      fastcgi_read_timeout 300s;
      fastcgi_pass 127.0.0.1:{fcgi_port};
    }}
  }}
}}
"""


@dataclass
class Peer:
    """MapServer's OGC API on ``base`` (``…/mapserv/peer/ogcapi``), run by :func:`start_peer`."""

    base: str
    directory: Path
    pids: list[int] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    processes: int = 0

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: workers finish, then exit
            try:
                self.nginx.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        from tests.deploy.production import stop_fastcgi

        stop_fastcgi(self.pids)


def peer_mapfile(directory: Path, where: str) -> Path:
    """The peer's mapfile: the parcels layer exactly as the WMS's mapfile serves it (same table,
    columns, id), with ``where`` in its SQL and MapServer's OGC API switched on."""
    from layers.catalogue import CATALOGUE
    from layers.wms.app import build_files, datasource, published_columns
    from layers.wms.mapfile import build_mapfile, mapfile_layers

    build_files(directory, datasource())
    (layer,) = mapfile_layers([CATALOGUE[COLLECTION]], published_columns)
    style = layer.style
    both = f"({style.where}) AND ({where})" if style.where else where
    layer = replace(layer, style=replace(style, where=both))
    text = build_mapfile(
        [layer],
        datasource(),
        template_dir=str(directory / "templates"),
        fontset=str(directory / "fonts.txt"),
        wfs=True,
    )
    anchor = '      "wfs_enable_request" "*"\n'
    assert anchor in text
    text = text.replace(
        anchor,
        anchor + '      "oga_enable_request" "*"\n'
        # MapServer 8.0 crashes building links without it (std::logic_error from a null string).
        '      "oga_onlineresource" "{base}"\n'
        '      "oga_html_template_directory" "/usr/share/mapserver/ogcapi/templates/html-plain/"\n'
        f'      "oga_max_limit" "{PAGE_LIMIT * 10}"\n',
    )
    path = directory / "peer.map"
    path.write_text(text)
    return path


def start_peer(directory: Path, processes: int = CLIENTS) -> Peer:
    """MapServer's OGC API on the parcels (:func:`peer_mapfile`) as FastCGI behind nginx."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}/mapserv/peer/ogcapi"
    mapfile = peer_mapfile(directory, PEER_WHERE)
    mapfile.write_text(mapfile.read_text().replace("{base}", base))
    pattern = "^" + str(directory).replace(".", r"\.") + r"/.*\.map$"
    config = directory / "mapserver.conf"
    config.write_text(
        "CONFIG\n  ENV\n"
        f'    MS_MAP_PATTERN "{pattern}"\n'
        '    PROJ_DATA "/usr/share/proj"\n'
        "  END\n  MAPS\n"
        f'    peer "{mapfile}"\n'
        "  END\nEND\n"
    )
    peer = start_fastcgi(directory, config, processes, port=port)
    peer.base = base
    return peer


def start_fastcgi(directory: Path, config: Path, processes: int, port: int | None = None) -> Peer:
    """``spawn-fcgi -F processes`` mapserv children (``MAPSERVER_CONFIG_FILE=config``) and nginx
    in front, answering ``http://127.0.0.1:port/mapserv`` (``?map=…`` or ``/<map key>/ogcapi/…``).
    """
    directory.mkdir(parents=True, exist_ok=True)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o755)
    port = port or free_port()
    fcgi_port = free_port()
    pidfile = directory / "spawn-fcgi.pid"
    env = dict(os.environ, MAPSERVER_CONFIG_FILE=str(config))
    subprocess.run(
        [
            "spawn-fcgi",
            "-a",
            "127.0.0.1",
            "-p",
            str(fcgi_port),
            "-F",
            str(processes),
            "-P",
            str(pidfile),
            "--",
            "/usr/bin/mapserv",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    peer = Peer(f"http://127.0.0.1:{port}/mapserv", directory, processes=processes)
    peer.pids = [int(p) for p in pidfile.read_text().split()]
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=directory, port=port, fcgi_port=fcgi_port))
    try:
        peer.nginx = subprocess.Popen(
            ["nginx", "-p", str(directory), "-c", str(conf), "-e", str(directory / "nginx.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_http(port, "/mapserv", "nginx", peer.nginx)
    except Exception:
        peer.stop()
        raise
    return peer


# --- HTTP clients ------------------------------------------------------------------------------


class Client:
    """One keep-alive connection to one server."""

    def __init__(self, base: str, headers: dict | None = None):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.https = parts.scheme == "https"
        self.headers = headers or {}
        self.conn: http.client.HTTPConnection | None = None
        self.received = 0  # bytes of the last fetch_all

    def _connect(self) -> http.client.HTTPConnection:
        if self.https:  # README's production set-up, with the run's throwaway certificate
            import ssl

            context = ssl._create_unverified_context()
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=TIMEOUT, context=context
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.conn.request("GET", path, headers=self.headers)
                r = self.conn.getresponse()
                body = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, body
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


RETURNED = re.compile(rb'"numberReturned"\s*:\s*(\d+)')
MATCHED = re.compile(rb'"numberMatched"\s*:\s*(\d+)')
LINK = re.compile(rb'\{[^{}]*"rel"\s*:\s*"next"[^{}]*\}')


def _path(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + ("?" + parts.query if parts.query else "")


@dataclass
class Side:
    """How to ask one server for the items: the first page's path and how to find the next."""

    name: str
    base: str  # up to and including the OGC API root (…/ogc or …/ogcapi)
    headers: dict
    follow_links: bool  # ours: its ``next`` links; the peer: offsets (its links drop ``bbox``)

    def first(self, query: dict) -> str:
        return _path(f"{self.base}/collections/{COLLECTION}/items?{urlencode(query)}")

    def next_path(self, path: str, body: bytes, returned: int) -> str | None:
        if self.follow_links:
            link = LINK.search(body)
            return _path(json.loads(link.group(0))["href"]) if link else None
        matched = MATCHED.search(body)
        params = dict(parse_qsl(urlsplit(path).query))
        offset = int(params.get("offset", 0)) + returned
        if returned == 0 or (matched and offset >= int(matched.group(1))):
            return None
        params["offset"] = str(offset)
        return urlsplit(path).path + "?" + urlencode(params)


def items_query(side: str, limit: int = PAGE_LIMIT) -> dict:
    q = {"f": "json", "limit": limit, "bbox": ",".join(f"{v:g}" for v in ITEMS_BBOX)}
    if side == "ours":
        q.update(parse_qsl(ITEMS_FILTER))
    return q


def fetch_all(
    client: Client, side: Side, *, parse: bool = False, limit: int = PAGE_LIMIT
) -> tuple[int, int, list[str]]:
    """Every page of the bench request: (features, pages, ids if ``parse``)."""
    path: str | None = side.first(items_query(side.name, limit))
    features, pages, ids = 0, 0, []
    client.received = 0
    while path:
        status, body = client.get(path)
        if status != 200:
            raise RuntimeError(f"{side.name}: HTTP {status} for {path}: {body[:300]!r}")
        returned = int(RETURNED.search(body).group(1))
        client.received += len(body)
        if parse:
            doc = json.loads(body)
            assert len(doc["features"]) == returned, (side.name, path)
            # Ours: "clearance_parcels.77"; MapServer: "77".
            ids += [str(f["id"]).rpartition(".")[2] for f in doc["features"]]
        features += returned
        pages += 1
        path = side.next_path(path, body, returned) if returned else None
    return features, pages, ids


def check_same_features(ours: Side, peer: Side) -> dict:
    """Both sides' whole answer (all pages): the same ids, each once; and what MapServer does with
    a parameter it does not know and with ``bbox`` in its ``next`` links (reported)."""
    c_ours, c_peer = Client(ours.base, ours.headers), Client(peer.base, peer.headers)
    f_ours, p_ours, ids_ours = fetch_all(c_ours, ours, parse=True)
    f_peer, p_peer, ids_peer = fetch_all(c_peer, peer, parse=True)
    problems = []
    for name, ids in (("ours", ids_ours), ("MapServer", ids_peer)):
        if len(set(ids)) != len(ids):
            problems.append(f"{name} repeats {len(ids) - len(set(ids))} ids across pages")
    if set(ids_ours) != set(ids_peer):
        only_ours = sorted(set(ids_ours) - set(ids_peer), key=int)[:10]
        only_peer = sorted(set(ids_peer) - set(ids_ours), key=int)[:10]
        problems.append(
            f"different features: ours {len(set(ids_ours))}, MapServer {len(set(ids_peer))}; "
            f"only ours e.g. {only_ours}, only MapServer e.g. {only_peer}"
        )
    if not ids_ours:
        problems.append("the request matches no feature")
    # MapServer 8.0 facts the method relies on, checked rather than assumed:
    client = Client(peer.base)
    q = dict(items_query("peer"), limit=1)
    _s, body = client.get(peer.first(q))
    link = LINK.search(body)
    next_keeps_bbox = bool(link and b"bbox=" in link.group(0))
    _s, with_filter = client.get(peer.first(dict(q, **dict(parse_qsl(ITEMS_FILTER)))))
    ignores_filter = MATCHED.search(with_filter).group(1) == MATCHED.search(body).group(1)
    _s, second = client.get(peer.first(dict(q, offset=1)))
    first_id = json.loads(body)["features"][0]["id"] if RETURNED.search(body) else None
    offset_works = json.loads(second)["features"][0]["id"] != first_id
    if not offset_works and f_peer < int(MATCHED.search(body).group(1) or 0):
        problems.append("MapServer ignores offset and the answer needs more than one page")
    # Ours paged by OURS_PAGE, following its next links: the same ids again.
    _f, p_paged, ids_paged = fetch_all(
        Client(ours.base, ours.headers), ours, parse=True, limit=OURS_PAGE
    )
    if sorted(ids_paged, key=int) != sorted(ids_ours, key=int):
        problems.append(f"ours paged by {OURS_PAGE} differs from ours in one page")
    return {
        "features": f_ours,
        "pages_ours": p_ours,
        "pages_peer": p_peer,
        "features_peer": f_peer,
        "problems": problems,
        "peer_next_keeps_bbox": next_keeps_bbox,
        "peer_ignores_unknown_param": ignores_filter,
        "peer_offset_works": offset_works,
        "pages_ours_paged": p_paged,
        "bytes_ours": c_ours.received,
        "bytes_peer": c_peer.received,
    }


# --- rounds ------------------------------------------------------------------------------------


def run_clients(jobs: list[list], work: Callable, clients: int) -> tuple[float, list]:
    """``clients`` threads, thread ``i`` doing ``work(i, job)`` for each job of ``jobs[i]``;
    (wall seconds, every result)."""
    results: list = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(clients + 1)

    def run(i: int) -> None:
        start.wait()
        try:
            out = [work(i, job) for job in jobs[i]]
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            errors.append(exc)
            return
        with lock:
            results.extend(out)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return wall, results


def items_round(
    side: Side, clients: int, queries: int, limit: int = PAGE_LIMIT
) -> tuple[float, int]:
    """(features/s, features) of one round: every client runs the whole query ``queries`` times."""
    conns = [Client(side.base, side.headers) for _ in range(clients)]
    wall, results = run_clients(
        [[None] * queries for _ in range(clients)],
        lambda i, _job: fetch_all(conns[i], side, limit=limit)[0],
        clients,
    )
    for c in conns:
        c.close()
    return sum(results) / wall, sum(results)


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    import math

    n = 2**z
    x = int((lon + 180) / 360 * n)
    lat_r = math.radians(lat)
    y = int((1 - math.log(math.tan(lat_r) + 1 / math.cos(lat_r)) / math.pi) / 2 * n)
    return x, y


def bench_tiles(rounds: int, per_round: int, seed: int = 11) -> list[list[tuple[int, int, int]]]:
    """``rounds`` disjoint sets of tiles (z, x, y) holding parcels of ``ITEMS_BBOX`` (a tile
    holding a parcel's centroid): each zoom of ``TILE_ZOOMS`` dealt out evenly (as many tiles of
    a zoom in every round), so the rounds are alike and no tile is asked twice."""
    from django.contrib.gis.db.models.functions import Centroid
    from django.contrib.gis.geos import Polygon

    from planning import models as m

    box = Polygon.from_bbox(ITEMS_BBOX)
    box.srid = 4326
    points = [
        (c.x, c.y)
        for c in m.ClearanceParcel.objects.filter(boundary__bboverlaps=box)
        .annotate(c=Centroid("boundary"))
        .values_list("c", flat=True)
    ]
    if not points:
        raise RuntimeError("no parcel in the bench box")
    rng = random.Random(seed)
    sets: list[list] = [[] for _ in range(rounds)]
    per_zoom = max(1, per_round // len(TILE_ZOOMS))
    for z in TILE_ZOOMS:
        tiles = sorted({(z, *tile_xy(lon, lat, z)) for lon, lat in points})
        rng.shuffle(tiles)
        k = min(per_zoom, len(tiles) // rounds)
        for r in range(rounds):
            sets[r] += tiles[r * k : (r + 1) * k]
    return sets


def tile_statements(tiles) -> dict:
    """For each tile: (SQL, parameters, bytes) exactly as ``layers/vectortiles/queries.py`` sends
    them, captured from Django's connection while it builds the tile."""
    from layers.catalogue import CATALOGUE
    from layers.vectortiles.queries import tile_mvt

    spec = CATALOGUE[COLLECTION]
    out = {}
    for z, x, y in tiles:
        seen = []

        def capture(execute, sql, params, many, context, seen=seen):
            seen.append((sql, list(params or [])))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            data = tile_mvt(spec, z, x, y)
        (statement,) = [s for s in seen if "ST_AsMVT" in s[0]]
        out[(z, x, y)] = (*statement, data)
    return out


def floor_connections(n: int) -> list:
    import psycopg

    s = connection.settings_dict
    conns = []
    for _ in range(n):
        conn = psycopg.connect(
            host=s.get("HOST") or "localhost",
            port=s.get("PORT") or 5432,
            dbname=s["NAME"],
            user=s.get("USER") or None,
            password=s.get("PASSWORD") or None,
            autocommit=True,
            cursor_factory=psycopg.ClientCursor,  # as Django binds parameters
        )
        conns.append(conn)
    return conns


def tiles_round(
    side: str, tiles: list, statements: dict, clients: int, ours: Side | None, conns: list
) -> tuple[float, list[float], dict]:
    """(tiles/s, latencies, bytes by tile) of one round over ``tiles`` on ``side``."""
    jobs = [tiles[i::clients] for i in range(clients)]
    if side == "ours":
        http_clients = [Client(ours.base, ours.headers) for _ in range(clients)]
        suffix = f"?{TILE_QUERY}" if TILE_QUERY else ""

        def work(i, tile):
            z, x, y = tile
            t = time.perf_counter()
            status, body = http_clients[i].get(
                _path(f"{ours.base}/collections/{COLLECTION}/tiles/WebMercatorQuad/{z}/{y}/{x}")
                + suffix
            )
            if status not in (200, 204):
                raise RuntimeError(f"tile {tile}: HTTP {status}: {body[:200]!r}")
            return tile, time.perf_counter() - t, body
    else:

        def work(i, tile):
            sql, params, _data = statements[tile]
            t = time.perf_counter()
            with conns[i].cursor() as cur:
                cur.execute(sql, params)
                row = cur.fetchone()
            body = bytes(row[0]) if row and row[0] else b""
            return tile, time.perf_counter() - t, body

    wall, results = run_clients(jobs, work, clients)
    if side == "ours":
        for c in http_clients:
            c.close()
    return len(tiles) / wall, [r[1] for r in results], {r[0]: r[2] for r in results}


def pct(values: list[float], p: float) -> float:
    import math

    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))]


def repeat_round(ours: Side, tiles: list, clients: int, repeats: int) -> list[float]:
    """Latencies of tiles already served, asked again (``repeats`` walks per client)."""
    conns = [Client(ours.base, ours.headers) for _ in range(clients)]
    jobs = []
    for i in range(clients):
        walk = []
        for r in range(repeats):
            order = list(tiles)
            random.Random(i * 100 + r).shuffle(order)
            walk += order
        jobs.append(walk)

    def work(i, tile):
        z, x, y = tile
        t = time.perf_counter()
        status, body = conns[i].get(
            _path(f"{ours.base}/collections/{COLLECTION}/tiles/WebMercatorQuad/{z}/{y}/{x}")
        )
        if status not in (200, 204):
            raise RuntimeError(f"tile {tile}: HTTP {status}")
        return time.perf_counter() - t

    _wall, latencies = run_clients(jobs, work, clients)
    for c in conns:
        c.close()
    return latencies


# --- the whole comparison ----------------------------------------------------------------------


@dataclass
class Figures:
    check: dict = field(default_factory=dict)
    items_ours: list[float] = field(default_factory=list)
    items_peer: list[float] = field(default_factory=list)
    items_counts: list[tuple[int, int]] = field(default_factory=list)
    items_ours_paged: list[float] = field(default_factory=list)
    tiles_ours: list[float] = field(default_factory=list)
    tiles_floor: list[float] = field(default_factory=list)
    lat_ours: list[float] = field(default_factory=list)
    lat_floor: list[float] = field(default_factory=list)
    tiles_prod: list[float] = field(default_factory=list)  # README's set-up (nginx, tile pool)
    lat_prod: list[float] = field(default_factory=list)
    tile_mismatches: list[str] = field(default_factory=list)
    tiles_checked: int = 0
    tile_features: int = 0
    lat_repeat: list[float] = field(default_factory=list)


def compare(
    ours: Side,
    peer: Side,
    *,
    rounds: int = ROUNDS,
    warmup: int = WARMUP,
    clients: int = CLIENTS,
    queries: int = QUERIES_PER_CLIENT,
    tiles_per_round: int = TILES_PER_ROUND,
    repeats: int = REPEATS,
    log: Callable[[str], None] = print,
    production: Side | None = None,
) -> Figures:
    """The items comparison, then the tiles; the feature sets checked first (raises nothing:
    problems are listed in ``figures.check['problems']`` and ``figures.tile_mismatches``).

    ``production``: README's production set-up (nginx and the tile pool) as a third side of the
    tile rounds, on the same tiles in the same rounds (a cache of its own, so uncached too)."""
    fig = Figures()
    fig.check = check_same_features(ours, peer)
    log(
        f"same-features check: ours {fig.check['features']} features in "
        f"{fig.check['pages_ours']} pages, MapServer {fig.check['features_peer']} in "
        f"{fig.check['pages_peer']}: " + ("; ".join(fig.check["problems"]) or "same ids, each once")
    )
    for r in range(warmup + rounds):
        order = [(ours, fig.items_ours), (peer, fig.items_peer)]
        if r % 2:
            order.reverse()
        counts = {}
        for side, into in order:
            rate, n = items_round(side, clients, queries)
            counts[side.name] = n
            if r >= warmup:
                into.append(rate)
        if r >= warmup:
            fig.items_counts.append((counts["ours"], counts["peer"]))
        log(
            f"  items round {r + 1 - warmup if r >= warmup else 'warm-up'}: "
            f"ours {counts['ours'] / 1:.0f} features, MapServer {counts['peer']}"
            + (
                f"; {fig.items_ours[-1]:.0f} vs {fig.items_peer[-1]:.0f} feat/s"
                if r >= warmup
                else ""
            )
        )

    for _r in range(rounds):  # ours alone, pages of OURS_PAGE (the peer cannot page)
        fig.items_ours_paged.append(items_round(ours, clients, queries, OURS_PAGE)[0])

    tile_sets = bench_tiles(warmup + rounds, tiles_per_round)
    statements = tile_statements([t for s in tile_sets for t in s])
    conns = floor_connections(clients)
    try:
        names = ["ours", "floor"] + (["production"] if production else [])
        into = {
            "ours": (fig.tiles_ours, fig.lat_ours),
            "floor": (fig.tiles_floor, fig.lat_floor),
            "production": (fig.tiles_prod, fig.lat_prod),
        }
        for r, tiles in enumerate(tile_sets):
            # The side going first turns with the rounds (ours, floor: alternate as before).
            order = names[r % len(names) :] + names[: r % len(names)]
            got = {}
            for side in order:
                server = production if side == "production" else ours
                kind = "floor" if side == "floor" else "ours"
                rate, lat, data = tiles_round(kind, tiles, statements, clients, server, conns)
                got[side] = data
                if r >= warmup:
                    into[side][0].append(rate)
                    into[side][1].extend(lat)
            for tile in tiles:
                ref = statements[tile][2]
                fig.tiles_checked += 1
                if any(got[side][tile] != ref for side in names):
                    fig.tile_mismatches.append(
                        f"{tile}: "
                        + ", ".join(f"{side} {len(got[side][tile])} B" for side in names)
                        + f", built {len(ref)} B"
                    )
            if r >= warmup:
                log(
                    f"  tiles round {r + 1 - warmup}: {len(tiles)} tiles, "
                    + ", ".join(f"{side} {into[side][0][-1]:.1f}/s" for side in names)
                )
    finally:
        for c in conns:
            c.close()
    fig.tile_features = _count_features([statements[t][2] for t in tile_sets[-1]])
    served = tile_sets[warmup] if len(tile_sets) > warmup else tile_sets[0]
    fig.lat_repeat = repeat_round(ours, served, clients, repeats)
    return fig


def _count_features(tiles: list[bytes]) -> int:
    import mapbox_vector_tile

    return sum(
        len(layer["features"])
        for data in tiles
        if data
        for layer in mapbox_vector_tile.decode(data).values()
    )


def summary(fig: Figures, ours_desc: str, peer_desc: str) -> list[str]:
    """The figures as Markdown lines (printed and appended to the record)."""
    mi, mp = statistics.median(fig.items_ours), statistics.median(fig.items_peer)
    to, tf = statistics.median(fig.tiles_ours), statistics.median(fig.tiles_floor)
    p95o, p95f = pct(fig.lat_ours, 95) * 1000, pct(fig.lat_floor, 95) * 1000
    p99r = pct(fig.lat_repeat, 99) * 1000
    ok = "same ids on both sides" if not fig.check["problems"] else "; ".join(fig.check["problems"])
    tiles_ok = (
        f"all {fig.tiles_checked} tiles byte-identical to the floor"
        if not fig.tile_mismatches
        else f"{len(fig.tile_mismatches)} tiles differ, e.g. {fig.tile_mismatches[:3]}"
    )
    return [
        "| measure | ours | peer / floor | ratio | goal |",
        "|---|---:|---:|---:|---|",
        f"| items GeoJSON, bbox + `{ITEMS_FILTER}`, all pages of {PAGE_LIMIT} (features/s, "
        f"median of {len(fig.items_ours)}) | {mi:,.0f} | MapServer {mp:,.0f} | "
        f"{mi / mp:.2f}× | {GOALS['items']} |",
        f"| items as above, ours alone in pages of {OURS_PAGE} following `next` (features/s, "
        f"median of {len(fig.items_ours_paged)}) | {statistics.median(fig.items_ours_paged):,.0f} "
        "| — | — | — |",
        f"| uncached vector tiles (tiles/s, median of {len(fig.tiles_ours)}) | {to:,.1f} | "
        f"floor {tf:,.1f} | {tf / to:.2f}× the floor's time | {GOALS['tiles']} |",
        f"| uncached vector tiles p95 (ms) | {p95o:.1f} | floor {p95f:.1f} | "
        f"{p95o / p95f:.2f}× | {GOALS['tiles']} |",
        f"| repeat requests of served tiles p99 (ms) | {p99r:.1f} | — | — | {GOALS['repeat']} |",
        *_production_rows(fig, tf, p95f),
        "",
        f"- items: {fig.check['features']} features per request ({fig.check['pages_ours']} page(s) "
        f"ours, {fig.check['pages_peer']} MapServer; {fig.check['pages_ours_paged']} pages of "
        f"{OURS_PAGE} ours; {fig.check['bytes_ours'] / 1e6:.2f} MB ours, "
        f"{fig.check['bytes_peer'] / 1e6:.2f} MB MapServer); {ok}; per-round features/s ours "
        f"{[round(v) for v in fig.items_ours]}, MapServer {[round(v) for v in fig.items_peer]}",
        f"- tiles: {len(fig.lat_ours)} tiles measured per side (z {TILE_ZOOMS[0]}–"
        f"{TILE_ZOOMS[-1]}, new tiles every round); {tiles_ok}; the last round's tiles hold "
        f"{fig.tile_features} features; per-round tiles/s ours "
        f"{[round(v, 1) for v in fig.tiles_ours]}, floor {[round(v, 1) for v in fig.tiles_floor]}",
        f"- repeat requests: {len(fig.lat_repeat)} requests of tiles already served "
        f"(p50 {pct(fig.lat_repeat, 50) * 1000:.1f} ms). " + REPEAT_LABEL,
        f"- ours: {ours_desc}",
        *(
            [f'- production: README "Production" as written, {production_desc()}']
            if fig.tiles_prod
            else []
        ),
        f"- peer: {peer_desc}",
    ]


def production_desc() -> str:
    from tests.deploy import production

    pools = ", ".join(
        f"{p.name} pool `gunicorn {' '.join(p.args[3:])}`" for p in production.readme_pools()
    )
    return f"nginx {nginx_version()} with TLS in front of the {pools}"


def nginx_version() -> str:
    out = subprocess.run(["nginx", "-v"], capture_output=True, text=True)
    return (out.stderr or out.stdout).strip().rsplit("/", 1)[-1]


def _production_rows(fig: Figures, tf: float, p95f: float) -> list[str]:
    if not fig.tiles_prod:
        return []
    tp, p95p = statistics.median(fig.tiles_prod), pct(fig.lat_prod, 95) * 1000
    per_round = [round(v, 1) for v in fig.tiles_prod]
    return [
        f"| uncached vector tiles through README's production set-up (nginx TLS + tile pool; "
        f"tiles/s, median of {len(fig.tiles_prod)}; per round {per_round}) "
        f"| {tp:,.1f} | floor {tf:,.1f} | {tf / tp:.2f}× the floor's time | {GOALS['tiles']} |",
        f"| the same, p95 (ms) | {p95p:.1f} | floor {p95f:.1f} | {p95p / p95f:.2f}× | "
        f"{GOALS['tiles']} |",
    ]


# What the repeat requests measure: the vector tile cache (layers/vectortiles/cache.py, on by
# default) wrote each tile on its first, uncached request; the repeat is answered from there.
# The cache is emptied before the server starts (``clear_tile_cache``), so no tile of an earlier
# run can answer an "uncached" request.
REPEAT_LABEL = (
    "Answered by the vector tile cache (one MBTiles file per collection, the tile written by "
    "its first request; emptied before the run, so the uncached rounds were all misses)."
)


def clear_tile_cache(var_dir: Path) -> int:
    """Empty the vector tile cache under ``var_dir`` (tiles removed: printed)."""
    import shutil
    import sqlite3

    root = var_dir / "vectortiles"
    removed = 0
    for path in root.rglob("*.mbtiles") if root.exists() else ():
        try:
            with sqlite3.connect(path) as db:
                removed += db.execute("SELECT count(*) FROM tiles").fetchone()[0]
        except sqlite3.Error:
            pass
    shutil.rmtree(root, ignore_errors=True)
    return removed


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {platform.system()} "
        f"{platform.release()}; load average at the start {load[0]:.2f}"
    )


def start_ours(var_dir: Path) -> tuple[subprocess.Popen, int, Path]:
    """gunicorn with the production settings on loopback, as ``bench_load`` runs it."""
    port = free_port()
    var_dir.mkdir(parents=True, exist_ok=True)
    log_path = var_dir / "bench-ogcapi-gunicorn.log"
    proc = start_gunicorn(
        port,
        open(log_path, "wb"),  # noqa: SIM115 - closed with the process
        workers=os.environ.get("LOAD_WORKERS", "2"),
        threads=os.environ.get("LOAD_THREADS", "8"),
        timeout=300,
    )
    wait_http(port, "/ogc/conformance?f=json", "gunicorn", proc)
    return proc, port, log_path


# README's production set-up as a third side of the tile rounds (``OGC_BENCH_PRODUCTION=0``: off).
PRODUCTION = os.environ.get("OGC_BENCH_PRODUCTION", "1") != "0"


def start_production(directory: Path, token: str):
    """README "Production" (nginx with TLS, the main and tile pools) on this database, with a
    var folder of its own (its own, empty, tile caches); (stack, its Side)."""
    from tests.deploy import production
    from tests.faults.server import server_env

    directory.mkdir(parents=True, exist_ok=True)
    env = server_env(os.environ["DATABASE_URL"], directory / "var")
    stack = production.start(directory, env)
    headers = {"Authorization": f"Token {token}", "Host": production.HOST}
    return stack, Side("production", f"{stack.url}/ogc", headers, True)


def bench_user_token() -> str:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    User = get_user_model()
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", "", "bench-pass"
    )
    return Token.objects.get_or_create(user=user)[0].key


def commit() -> str:
    """The checkout's commit, ``+`` when it has changes not committed (a regression can then be
    traced to its commit)."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return (sha or "unknown") + ("+" if dirty else "")


def record(lines: list[str], path: Path | None = None, title: str = "", method: str = "") -> Path:
    """Append a dated section (date, machine, method, then ``lines``) to the record."""
    path = path or Path(os.environ.get("BENCH_RECORD", REPO / "tests/benchmarks/RESULTS.md"))
    now = datetime.datetime.now(datetime.UTC)
    head = [
        f"## {now:%Y-%m-%d %H:%M} UTC — {title or 'OGC API (`scripts/bench.sh ogcapi`)'}",
        "",
        f"Machine: {machine()}.",
        f"Commit: {commit()}.",
        "Method: "
        + (
            method
            or f"{CLIENTS} concurrent clients, {WARMUP} warm-up round then {ROUNDS} interleaved "
            "rounds per side (the side going first alternates; items: each client runs the whole "
            f"query {QUERIES_PER_CLIENT} times a round; tiles: {TILES_PER_ROUND} at most a "
            "round, new ones every round); statistic chosen before the run: "
            "median features/s (items) and tiles/s (tiles), p95/p99 latency of all measured "
            "requests. See tests/benchmarks/bench_ogcapi.py."
        ),
        "",
    ]
    new = not path.exists()
    with open(path, "a", encoding="utf-8") as f:
        if new:
            f.write(
                "# Benchmark records\n\nFigures appended by `make bench`, newest last. Figures "
                "taken on a shared or busy machine say so in their load average.\n\n"
            )
        f.write("\n".join(head + lines) + "\n\n")
    return path


def main() -> int:
    from django.core.management import call_command

    from tests.benchmarks.bench_ows import top_up_parcels

    print(f"database: {connection.settings_dict['NAME']} on {connection.vendor}")
    if connection.vendor != "postgresql":
        print("the OGC API benchmark needs PostGIS")
        return 1
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    print(f"clearance parcels: {top_up_parcels()}")
    token = bench_user_token()
    connection.close()
    var_dir = Path(os.environ.get("KCN_VAR_DIR", REPO / "var"))
    ms = subprocess.run(["mapserv", "-v"], capture_output=True, text=True).stdout.strip()
    for needed in ("SUPPORTS=OGCAPI_SERVER", "SUPPORTS=FASTCGI"):
        if needed not in ms:
            print(f"mapserv lacks {needed}: {ms}")
            return 1
    peer_dir = Path(tempfile.mkdtemp(prefix="kcn-bench-ogcapi-"))
    server = peer = stack = None
    try:
        print(f"vector tile cache emptied: {clear_tile_cache(var_dir)} tile files removed")
        server, port, log_path = start_ours(var_dir)
        peer = start_peer(peer_dir)
        ours = Side(
            "ours", f"http://127.0.0.1:{port}/ogc", {"Authorization": f"Token {token}"}, True
        )
        peer_side = Side("peer", peer.base, {}, False)
        production = None
        if PRODUCTION:
            stack, production = start_production(peer_dir / "production", token)
        print(
            f"\nOGC API: {CLIENTS} clients, {WARMUP} warm-up + {ROUNDS} interleaved rounds; "
            f"{ms.split(' OUTPUT')[0]}"
        )
        fig = compare(ours, peer_side, production=production)
    finally:
        if stack is not None:
            stack.stop()
        if peer is not None:
            peer.stop()
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        import shutil

        shutil.rmtree(peer_dir, ignore_errors=True)
    lines = summary(
        fig,
        "gunicorn -w {} --threads {}, production settings, token authentication (the parcels "
        "are a staff layer: every request is authenticated and its rights checked), PostGIS "
        "kcn_bench".format(
            os.environ.get("LOAD_WORKERS", "2"), os.environ.get("LOAD_THREADS", "8")
        ),
        f"{ms.split(' OUTPUT')[0]} OGC API – Features as FastCGI: spawn-fcgi -F {CLIENTS} "
        "mapserv behind nginx (Debian 12), the same table and columns, the filter in its layer "
        f"SQL ({PEER_WHERE}); "
        + ("" if fig.check["peer_offset_works"] else "it ignores offset (MapServer #6613), ")
        + "its next links "
        + ("keep" if fig.check["peer_next_keeps_bbox"] else "drop")
        + " bbox; it "
        + ("ignores" if fig.check["peer_ignores_unknown_param"] else "honours")
        + " an unknown query parameter",
    )
    print()
    print("\n".join(lines))
    path = record(lines)
    print(f"\nrecorded in {path}")
    tracebacks = log_path.read_text(errors="replace").count("Traceback")
    if tracebacks:
        print(f"server log: {log_path} ({tracebacks} tracebacks)")
    return 1 if fig.check["problems"] or fig.tile_mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
