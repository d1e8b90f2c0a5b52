"""Load benchmark (``make bench``, alone ``scripts/bench.sh load``): gunicorn under 50 clients.

gunicorn runs the production settings (``gis_service.settings.production``: DEBUG off, the
production logging, security middleware and cache as deployed) on loopback, so what is measured
is what a province would run; only the HTTPS redirect and secure cookies are off
(``DJANGO_SSL_REDIRECT=false``, ``DJANGO_SECURE_COOKIES=false``) because there is no TLS proxy
in front here. Workers: ``-w 2 --threads 8`` for the 2 cores of the reference machine
(``LOAD_WORKERS`` / ``LOAD_THREADS`` to change).

50 client threads (``LOAD_CLIENTS``), each with its own keep-alive connection, run for 60 s
(``LOAD_SECONDS``). 44 read, picking request kinds by weight: uncached WMS GetMap (random
boxes), cached and uncached WMTS/XYZ tiles, WFS GetFeature (GeoJSON and GML 3.2, BBOX +
attribute filter, paging), REST API lists and details, the efficiency report, and staff-only
reads with a token. 6 write (``LOAD_WRITERS_PER_USER`` × three commune staff with tokens):
WFS-T inserts of four proposals in one transaction, WFS-T updates, REST API creation and
submission (:class:`tests.faults.writes.WriteLoad`). Every body is checked
(:mod:`tests.benchmarks.load_checks`: images decoded and judged against the features, WFS and
API pages against a reference fetched before the load, write answers parsed), and every
acknowledged write is read back from the database afterwards. Prints requests, errors by kind
(HTTP status, socket error or "wrong body"), throughput and latency percentiles per kind. Run
by scripts/bench.sh with DATABASE_URL pointing at ``kcn_bench``; the figures are reported,
never asserted, but the exit status is 1 if any request failed or any body was wrong.
"""

from __future__ import annotations

import http.client
import math
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_service.settings.local")

import django  # noqa: E402

# Before the models: the import sorter put ``planning`` ahead of ``bench_ows`` (whose import ran
# django.setup()), and the load bench stopped at its first import.
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from planning import models as m  # noqa: E402
from tests.benchmarks.bench_ows import PARCEL_BBOX, fes_filter, free_port, top_up_parcels  # noqa: E402
from tests.benchmarks.load_checks import Expectations, drawn_geometries  # noqa: E402
from tests.benchmarks.servers import start_gunicorn  # noqa: E402
from tests.faults.writes import BATCH  # noqa: E402

SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "50"))
WORKERS = os.environ.get("LOAD_WORKERS", "2")
THREADS = os.environ.get("LOAD_THREADS", "8")
TIMEOUT = 120.0
CENTRE = (109.0, 13.95)  # Bình Định: the demo parks and the bench parcels


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int(
        (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi)
        / 2
        * n
    )
    return x, y


class Mix:
    """The request kinds, their weights and how each builds its URL (and headers)."""

    def __init__(
        self,
        token: str,
        area_ids: list[int],
        cached_tiles: list[str],
        uncached_layers: list[str],
        expect: Expectations | None = None,
    ):
        self.expect = expect
        self.token = token
        self.area_ids = area_ids
        self.cached_tiles = cached_tiles
        self.uncached_layers = uncached_layers
        self.kinds = [  # (name, weight, builder)
            ("wms_getmap_uncached", 10, self.wms),
            ("tile_cached", 25, self.tile_cached),
            ("tile_uncached", 8, self.tile_uncached),
            ("wfs_geojson_bbox_filter", 12, lambda rng: self.wfs(rng, "application/json")),
            (
                "wfs_gml32_bbox_filter",
                8,
                lambda rng: self.wfs(rng, "application/gml+xml; version=3.2"),
            ),
            ("api_layer_list", 12, self.api_list),
            ("api_layer_detail", 10, self.api_detail),
            ("auth_api_efficiency", 5, self.api_efficiency),
            ("auth_api_parcels", 5, self.auth_parcels),
            ("auth_wfs_parcels", 5, self.auth_wfs_parcels),
        ]
        self.names = [k[0] for k in self.kinds]
        self.weights = [k[1] for k in self.kinds]
        self.builders = dict((k[0], k[2]) for k in self.kinds)

    def pick(self, rng: random.Random) -> tuple[str, str, dict]:
        name = rng.choices(self.names, self.weights)[0]
        path, headers = self.builders[name](rng)
        return name, path, headers

    def wms(self, rng):
        cx, cy = CENTRE[0] + rng.uniform(-0.3, 0.3), CENTRE[1] + rng.uniform(-0.3, 0.3)
        half = rng.choice([0.02, 0.05, 0.15])
        q = {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetMap",
            "SRS": "EPSG:4326",
            "STYLES": "",
            "LAYERS": "admin_units,industrial_areas,road_corridors",
            "WIDTH": 512,
            "HEIGHT": 512,
            "FORMAT": "image/png",
            "TRANSPARENT": "TRUE",
            "BBOX": f"{cx - half:.6f},{cy - half:.6f},{cx + half:.6f},{cy + half:.6f}",
        }
        return "/ows/wms?" + urlencode(q), {}

    def tile_cached(self, rng):
        return rng.choice(self.cached_tiles), {}

    def tile_uncached(self, rng):
        z = rng.choice([14, 15, 16])
        x, y = tile_xy(CENTRE[0] + rng.uniform(-0.4, 0.4), CENTRE[1] + rng.uniform(-0.4, 0.4), z)
        layer = rng.choice(self.uncached_layers)
        if rng.random() < 0.5:
            return f"/ows/wmts/{layer}/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png", {}
        return f"/ows/tiles/{layer}/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png", {}

    WFS_COUNTS, WFS_STARTS = (10, 50, 100), (0, 0, 10, 50)
    API_LAYERS, API_OFFSETS = (
        ("industrial_areas", "road_corridors", "admin_units", "secondary_projects"),
        (0, 0, 20),
    )

    def wfs(self, rng, fmt: str, layer: str = "industrial_areas", headers=None):
        return self.wfs_path(
            fmt, layer, rng.choice(self.WFS_COUNTS), rng.choice(self.WFS_STARTS)
        ), headers or {}

    def reference_paths(self) -> list[tuple[str, dict]]:
        """Every path of the kinds whose answer is compared with a reference fetched before the
        load (WFS pages, REST API list pages), with its headers."""
        token = {"Authorization": f"Token {self.token}"}
        paths = []
        for count in self.WFS_COUNTS:
            for start in sorted(set(self.WFS_STARTS)):
                for fmt in ("application/json", "application/gml+xml; version=3.2"):
                    paths.append((self.wfs_path(fmt, "industrial_areas", count, start), {}))
                paths.append(
                    (self.wfs_path("application/json", "clearance_parcels", count, start), token)
                )
        for layer in self.API_LAYERS:
            for offset in sorted(set(self.API_OFFSETS)):
                paths.append((self.api_list_path(layer, offset), {}))
        return paths

    def wfs_path(self, fmt: str, layer: str, count: int, start: int) -> str:
        q = {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": layer,
            "OUTPUTFORMAT": fmt,
            "COUNT": count,
            "STARTINDEX": start,
        }
        if layer == "clearance_parcels":
            q["FILTER"] = fes_filter()
        else:
            x0, y0, x1, y1 = PARCEL_BBOX
            q["BBOX"] = f"{y0},{x0},{y1},{x1},urn:ogc:def:crs:EPSG::4326"
        return "/ows/wfs?" + urlencode(q)

    def api_list(self, rng):
        return self.api_list_path(rng.choice(self.API_LAYERS), rng.choice(self.API_OFFSETS)), {}

    def api_list_path(self, layer: str, offset: int) -> str:
        return f"/api/v1/layers/{layer}/?" + urlencode({"limit": 20, "offset": offset})

    def api_detail(self, rng):
        return f"/api/v1/layers/industrial_areas/{rng.choice(self.area_ids)}/", {}

    def api_efficiency(self, rng):
        return "/api/v1/efficiency/?" + urlencode({"province": "52"}), {
            "Authorization": f"Token {self.token}"
        }

    def auth_parcels(self, rng):
        q = {"limit": 50, "offset": rng.randrange(0, 9000)}
        return "/api/v1/layers/clearance_parcels/?" + urlencode(q), {
            "Authorization": f"Token {self.token}"
        }

    def auth_wfs_parcels(self, rng):
        return self.wfs(
            rng, "application/json", "clearance_parcels", {"Authorization": f"Token {self.token}"}
        )


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, Counter] = defaultdict(Counter)
        self.samples: dict[tuple[str, str], str] = {}
        self.bytes = Counter()

    def add(
        self,
        kind: str,
        seconds: float,
        error: str | None,
        size: int,
        sample: str = "",
        path: str = "",
    ):
        with self.lock:
            self.latency[kind].append(seconds)
            self.bytes[kind] += size
            if error:
                self.errors[kind][error] += 1
                self.samples.setdefault((kind, error), f"{path[:160]} -> {sample[:300]}")


def client(connect, host: dict, mix: Mix, results: Results, stop_at: float, seed: int) -> None:
    rng = random.Random(seed)
    conn = None
    while time.monotonic() < stop_at:
        kind, path, headers = mix.pick(rng)
        t0 = time.perf_counter()
        error, size, sample = None, 0, ""
        try:
            if conn is None:
                conn = connect()
            conn.request("GET", path, headers={"Accept-Language": "vi", **host, **headers})
            r = conn.getresponse()
            body = r.read()
            size = len(body)
            if not 200 <= r.status < 300:
                error, sample = f"HTTP {r.status}", body.decode("utf-8", "replace")
            elif mix.expect is not None and (problem := mix.expect.problem(kind, path, body)):
                error, sample = "wrong body", problem
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as exc:
            error, sample = f"socket {type(exc).__name__}", str(exc)
            if conn is not None:
                conn.close()
            conn = None
        results.add(kind, time.perf_counter() - t0, error, size, sample, path)
    if conn is not None:
        conn.close()


class ConnSession:
    """What :class:`tests.faults.writes.WriteLoad` needs of ``requests.Session`` (``headers``,
    ``post``), over the target's own keep-alive connection (TLS through nginx, or plain)."""

    def __init__(self, target: Target):
        self.target, self.conn, self.headers = target, None, {}

    def post(self, url, timeout=None, data=None, json=None, headers=None):
        import json as jsonlib

        import requests

        body = data if json is None else jsonlib.dumps(json).encode()
        h = {"Accept-Language": "vi", **self.target.host, **self.headers, **(headers or {})}
        if json is not None:
            h["Content-Type"] = "application/json"
        try:
            if self.conn is None:
                self.conn = self.target.connect()
            self.conn.request("POST", url, body=body, headers=h)
            r = self.conn.getresponse()
            content = r.read()
        except (OSError, http.client.HTTPException) as exc:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            raise requests.ConnectionError(f"{type(exc).__name__}: {exc}") from exc
        response = requests.models.Response()
        response.status_code, response._content = r.status, content
        response.headers = requests.structures.CaseInsensitiveDict(r.getheaders())
        response.encoding = "utf-8"
        if (r.getheader("Connection") or "").lower() == "close":
            self.conn.close()
            self.conn = None
        return response


class Writers:
    """Commune staff of the demo who draft proposals during the load: their tokens, their
    commune and squares inside it (:class:`tests.faults.writes.WriteLoad`)."""

    PER_USER = int(os.environ.get("LOAD_WRITERS_PER_USER", "2"))

    def __init__(self):
        import shapely
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        communes = m.AdminUnit.objects.filter(level="commune", parent__parent__code="52")
        commune = max(communes or m.AdminUnit.objects.filter(level="commune"),
                      key=lambda u: u.boundary.area)  # fmt: skip
        shape = shapely.from_wkb(bytes(commune.boundary.wkb))
        x0, y0, x1, y1 = shape.bounds
        squares = []
        for i in range(int((x1 - x0) / 0.0037)):
            for j in range(int((y1 - y0) / 0.0037)):
                box = (x0 + i * 0.0037, y0 + j * 0.0037, x0 + i * 0.0037 + 0.0035,
                       y0 + j * 0.0037 + 0.0035)  # fmt: skip
                if shape.contains(shapely.box(*box)):
                    squares.append(box)
        self.commune, self.squares = commune.code, squares
        self.users = []
        for k in (1, 2, 3):
            user, _ = get_user_model().objects.get_or_create(username=f"bench_canbo{k}")
            m.Membership.objects.get_or_create(user=user, role="commune_staff", admin_unit=commune)
            token = Token.objects.get_or_create(user=user)[0].key
            self.users.append((user.username, f"Token {token}"))

    def load(self, target: Target):
        from tests.faults.writes import WriteLoad

        return WriteLoad("", per_user=self.PER_USER, timeout=TIMEOUT, users=self.users,
                         commune=self.commune, squares=self.squares,
                         session_factory=lambda: ConnSession(target))  # fmt: skip


def read_back(load) -> list[str]:
    """Every acknowledged write of ``load`` read back from the database: what is missing."""
    names = {n for names in load.batches.values() for n in names} | set(load.created)
    rows = {
        name: (pk, status, rationale)
        for pk, name, status, rationale in m.Proposal.objects.filter(name__in=names).values_list(
            "pk", "name", "status", "rationale"
        )
    }
    created = set(
        m.Proposal.history.filter(
            history_type="+", id__in=[v[0] for v in rows.values()]
        ).values_list("id", flat=True)
    )
    return load.check_stored(rows, created)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))
    return values[k]


def _latencies(lat: list[float]) -> str:
    """The p50, p90, p99 and max columns (ms) of a row of the table."""
    worst = max(lat, default=float("nan"))
    return " ".join(f"{v * 1000:8.1f}" for v in (pct(lat, 50), pct(lat, 90), pct(lat, 99), worst))


class Target:
    """Where the clients send their requests: one gunicorn, or README's production stack."""

    def __init__(self, label: str, connect, host: dict, log_paths: list[Path], stop):
        self.label, self.connect, self.host = label, connect, host
        self.log_paths, self.stop = log_paths, stop
        self.table: list[str] = []  # the printed table, for the record


def single_gunicorn(var_dir: Path) -> Target:
    """The method before issue 16: clients straight on one gunicorn (``LOAD_WORKERS`` ×
    ``LOAD_THREADS``), no proxy."""
    port = free_port()
    log_path = var_dir / "bench-load-gunicorn.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the server
    server = start_gunicorn(port, log, workers=WORKERS, threads=THREADS, timeout=120)

    def stop():
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    target = Target(
        f"gunicorn -w {WORKERS} --threads {THREADS} alone (production settings), 127.0.0.1:{port}",
        lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT),
        {},
        [log_path],
        stop,
    )
    for _ in range(150):
        try:
            c = target.connect()
            c.request("GET", "/api/v1/layers/")
            if c.getresponse().status == 200:
                return target
        except OSError:
            time.sleep(0.2)
    stop()
    raise RuntimeError(f"gunicorn did not start; see {log_path}")


def production_stack(var_dir: Path) -> Target:
    """README "Production" as written: nginx (TLS) in front of the main and tile pools."""
    import ssl
    import tempfile

    from tests.deploy import production
    from tests.faults.server import server_env

    directory = Path(tempfile.mkdtemp(prefix="kcn-bench-production-"))
    os.chmod(directory, 0o755)
    env = server_env(os.environ["DATABASE_URL"], var_dir)
    stack = production.start(directory, env)
    context = ssl._create_unverified_context()  # the run's throwaway certificate
    pools = " + ".join(f"{p.name} pool `{' '.join(p.args[1:])}`" for p in production.readme_pools())
    return Target(
        f"README production: nginx (TLS) -> {pools}",
        lambda: http.client.HTTPSConnection(
            "127.0.0.1", stack.https_port, timeout=TIMEOUT, context=context
        ),
        {"Host": production.HOST},
        [directory / "app.log", directory / "tiles.log"],
        stack.stop,
    )


def run(
    target: Target,
    token: str,
    area_ids: list[int],
    seed: int,
    expect: Expectations,
    writers: Writers,
) -> int:
    """Empty the raster tile cache, seed the cached tiles, run the clients for ``SECONDS``, print
    the table; how many errors."""
    import shutil

    from layers.wms.app import cache_dir

    # The same random tiles as an earlier run would be cached by it: "uncached" must be uncached.
    shutil.rmtree(cache_dir("x").parent, ignore_errors=True)
    # Seed the cached tiles (z 10-13 over Bình Định, two layers), as a map page would.
    cached = []
    for layer in ("industrial_areas", "admin_units"):
        for z in (10, 11, 12, 13):
            for lon in (108.9, 109.0, 109.1, 109.2):
                for lat in (13.8, 13.9, 14.0):
                    x, y = tile_xy(lon, lat, z)
                    cached.append(f"/ows/wmts/{layer}/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png")
    cached = sorted(set(cached))
    seeder = target.connect()
    for path in cached:
        seeder.request("GET", path, headers=target.host)
        r = seeder.getresponse()
        r.read()
        if r.status != 200:
            print(f"seeding {path}: HTTP {r.status}")
    seeder.close()
    mix = Mix(
        token, area_ids, cached, ["industrial_areas", "road_corridors", "admin_units"], expect
    )
    # The references: each page of the checked kinds once, before the load.
    expect.references.clear()
    expect.judged.clear()
    references = [*mix.reference_paths(), ("/api/v1/efficiency/?province=52", {"token": 1})]
    seeder = target.connect()
    for path, headers in references:
        if headers:
            headers = {"Authorization": f"Token {token}"}
        seeder.request("GET", path, headers={**target.host, **headers})
        r = seeder.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError(f"reference {path}: HTTP {r.status} {body[:300]!r}")
        fmt = parse_qs(urlsplit(path).query).get("OUTPUTFORMAT", [""])[0]
        kind = "auth_api_efficiency" if "efficiency" in path else ("gml" if "gml" in fmt else "")
        expect.remember(kind, path, body)
    seeder.close()
    results = Results()
    load = writers.load(target)
    readers = CLIENTS - len(writers.users) * writers.PER_USER
    print(
        f"\n{CLIENTS} clients ({readers} reading, {CLIENTS - readers} writing as "
        f"{len(writers.users)} users) for {SECONDS:.0f} s against {target.label}; "
        f"{len(cached)} tiles seeded, {len(expect.references)} reference answers"
    )
    t_start = time.monotonic()
    stop_at = t_start + SECONDS
    threads = [
        threading.Thread(
            target=client,
            args=(target.connect, target.host, mix, results, stop_at, seed + i),
            daemon=True,
        )
        for i in range(readers)
    ]
    for t in threads:
        t.start()
    write_threads = load.start()
    time.sleep(max(0.0, stop_at - time.monotonic()))
    load.stop.set()
    for t in threads + write_threads:
        t.join(timeout=SECONDS + TIMEOUT + 30)
    elapsed = time.monotonic() - t_start
    write_kinds = ["wfs-insert", "wfs-update", "api-create", "api-submit"]
    for o in load.outcomes:
        if o.status is None:
            error, sample = "socket", o.error
        elif not 200 <= o.status < 300:
            error, sample = f"HTTP {o.status}", o.error
        elif o.wrong_body or not o.acknowledged:
            error, sample = "wrong body", o.wrong_body
        else:
            error, sample = None, ""
        results.add(o.kind, o.seconds, error, 0, sample, o.kind)
    missing = read_back(load)
    print()
    header = (
        f"{'request kind':26s} {'requests':>9s} {'errors':>7s} {'req/s':>8s} "
        f"{'p50 ms':>8s} {'p90 ms':>8s} {'p99 ms':>8s} {'max ms':>8s} {'KB/req':>8s}"
    )
    table = target.table = [header, "-" * len(header)]
    print(header)
    print("-" * len(header))
    total, total_errors, every = 0, 0, []
    for kind in mix.names + write_kinds:
        lat = results.latency.get(kind, [])
        n, errs = len(lat), sum(results.errors[kind].values())
        total += n
        total_errors += errs
        every += lat
        kb = results.bytes[kind] / n / 1024 if n else 0
        row = f"{kind:26s} {n:9d} {errs:7d} {n / elapsed:8.1f} {_latencies(lat)} {kb:8.1f}"
        table.append(row)
        print(row)
    last = f"{'all':26s} {total:9d} {total_errors:7d} {total / elapsed:8.1f} {_latencies(every)}"
    table += ["-" * len(header), last]
    print("-" * len(header))
    print(last)
    acknowledged = sum(1 for o in load.outcomes if o.acknowledged)
    read = (
        f"{acknowledged} acknowledged write requests: {len(load.inserted) // BATCH} WFS-T inserts "
        f"({len(load.inserted)} proposals), "
        f"{sum(ok for a in load.updates.values() for _, ok in a)} WFS-T updates, "
        f"{len(load.created)} API creations, {len(load.submitted)} submissions; read back: "
        + (f"{len(missing)} PROBLEMS" if missing else "all there, no transaction in part")
        + f"\nimages judged: {expect.judged['drawn']} must show features, "
        f"{expect.judged['empty']} must be empty, {expect.judged['not judged']} not judged"
    )
    table.append(read)
    print(read)
    for problem in missing[:10]:
        print("  " + problem)
    total_errors += len(missing)
    print(
        f"\nelapsed {elapsed:.1f} s; goals: no errors, no wrong bodies; cached tiles p99 < 50 ms "
        "(issue 16)"
    )
    if total_errors:
        print("errors by kind:")
        for kind, counter in results.errors.items():
            for error, count in counter.most_common():
                print(
                    f"  {kind:26s} {error:28s} {count:6d}   e.g. {results.samples[(kind, error)]}"
                )
    for log_path in target.log_paths:
        tracebacks = log_path.read_text(errors="replace").count("Traceback")
        print(f"server log: {log_path} ({tracebacks} tracebacks)")
    return total_errors


# ``LOAD_TARGETS``: which set-ups to load, in order (both by default: the README's production
# set-up, and one gunicorn alone as before issue 16, for comparison in the same run).
TARGETS = os.environ.get("LOAD_TARGETS", "production,single").split(",")


def main() -> int:
    print(f"database: {connection.settings_dict['NAME']} on {connection.vendor}")
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    print(f"clearance parcels: {top_up_parcels()}")
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    User = get_user_model()
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", "", "bench-pass"
    )
    token = Token.objects.get_or_create(user=user)[0].key
    area_ids = list(m.IndustrialArea.objects.values_list("pk", flat=True)[:200])
    expect = Expectations(drawn_geometries(), m.ClearanceParcel.objects.count())
    writers = Writers()
    print(f"writers: {len(writers.users)} commune staff of {writers.commune}, "
          f"{len(writers.squares)} squares")  # fmt: skip
    connection.close()

    var_dir = Path(os.environ.get("KCN_VAR_DIR", REPO / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    errors = 0
    lines = []
    for k, name in enumerate(TARGETS):
        target = {"single": single_gunicorn, "production": production_stack}[name](var_dir)
        try:
            # Other random requests in each set-up: the uncached tiles of one are not the other's.
            errors += run(target, token, area_ids, 1000 * k, expect, writers)
        finally:
            target.stop()
        lines += [f"**{target.label}**", "", "```", *target.table, "```", ""]
    from tests.benchmarks.bench_ogcapi import record

    path = record(
        lines,
        title="Load (`scripts/bench.sh load`)",
        method=(
            f"{CLIENTS} client threads, each with its own keep-alive connection, for "
            f"{SECONDS:.0f} s per set-up, request kinds picked by weight (tests/benchmarks/"
            "bench_load.py); the raster tile cache emptied before each set-up, the cached tiles "
            "seeded; latencies of every request, no statistic beyond the percentiles; goals: no "
            "errors, cached tiles p99 < 50 ms while renders run (issue 16)."
        ),
    )
    print(f"\nrecorded in {path}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
