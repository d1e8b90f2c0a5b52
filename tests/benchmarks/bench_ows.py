"""OGC benchmark (``make bench``): our WFS/WMS/tiles beside MapServer 8 on the same PostGIS tables.

Run by scripts/bench.sh with DATABASE_URL pointing at a PostGIS database of its own. Prints each
figure and the ratio to the peer; exits 0 whatever the figures (goals are reported, not asserted:
timing belongs here, never in the test suite).
"""

from __future__ import annotations

import base64
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_service.settings.local")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
import shapely  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from planning import geo  # noqa: E402
from planning import models as m  # noqa: E402

TARGET_PARCELS = 10_000
# BBOX of the bench parcels (lon/lat) and the attribute filter used by both servers.
PARCEL_BBOX = (108.70, 13.55, 109.35, 14.60)
WMS_LAYERS = "admin_units,industrial_areas,road_corridors,clearance_parcels"


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def top_up_parcels(target: int = TARGET_PARCELS) -> int:
    """Add synthetic parcels (a grid of 50 m cells) beside the demo ones until there are
    ``target`` (10,000)."""
    have = m.ClearanceParcel.objects.count()
    need = target - have
    if need <= 0:
        return have
    unit = m.AdminUnit.objects.get(name="Bình Định", level="province")
    to_metric = geo.transformer(4326, 9217)
    to_wgs = geo.transformer(9217, 4326)
    x0, y0 = to_metric.transform(109.05, 14.30)  # open land north of Phù Cát
    statuses = [s for s, _ in m.ClearanceParcel.Status.choices]
    rng = random.Random(7)
    batch = []
    side = int(need**0.5) + 1
    for i in range(need):
        cx, cy = x0 + (i % side) * 52.0, y0 + (i // side) * 52.0
        poly = shapely.box(cx, cy, cx + 50, cy + 50)
        poly = shapely.transform(
            poly, lambda xy: __import__("numpy").column_stack(to_wgs.transform(xy[:, 0], xy[:, 1]))
        )
        p = m.ClearanceParcel(
            map_sheet="B" + str(i // 1000),
            parcel_no=str(i),
            boundary=geo.to_geos(shapely.MultiPolygon([poly]), srid=4326),
            land_use="LUC",
            status=rng.choice(statuses),
            admin_unit=unit,
            is_synthetic=True,
            compensation_planned_mn_vnd=Decimal("500"),
        )
        p.normalise_geometries()
        batch.append(p)
    m.ClearanceParcel.objects.bulk_create(batch, batch_size=1000)
    return m.ClearanceParcel.objects.count()


def fes_filter(version: str = "2.0") -> str:
    x0, y0, x1, y1 = PARCEL_BBOX
    if version == "2.0":
        return (
            '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" '
            'xmlns:gml="http://www.opengis.net/gml/3.2">'
            "<fes:And><fes:BBOX><fes:ValueReference>boundary</fes:ValueReference>"
            # The urn form is lat/lon for both servers (MapServer also reads "EPSG:4326" as
            # lat/lon in WFS 2.0 filters, GeoServer and we read it as lon/lat).
            '<gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326">'
            f"<gml:lowerCorner>{y0} {x0}</gml:lowerCorner>"
            f"<gml:upperCorner>{y1} {x1}</gml:upperCorner></gml:Envelope></fes:BBOX>"
            "<fes:PropertyIsNotEqualTo><fes:ValueReference>status</fes:ValueReference>"
            "<fes:Literal>handed_over</fes:Literal></fes:PropertyIsNotEqualTo></fes:And></fes:Filter>"
        )
    raise ValueError(version)


# --- concurrent rounds (issue 16 item 1) ----------------------------------------------------
CLIENTS = int(os.environ.get("OWS_BENCH_CLIENTS", "8"))
ROUNDS = int(os.environ.get("OWS_BENCH_ROUNDS", "5"))
WFS_PER_CLIENT = int(os.environ.get("OWS_BENCH_WFS_QUERIES", "2"))  # whole queries per round
MAPS_PER_CLIENT = int(os.environ.get("OWS_BENCH_MAPS", "4"))  # maps per client per round


def _features(body: bytes, fmt: str) -> int:
    if fmt == "GeoJSON":
        return body.count(b'"type": "Feature"') + body.count(b'"type":"Feature"')
    return body.count(b"<wfs:member")


def interleaved(sides: dict, round_fn, label: str) -> dict[str, list[float]]:
    """One warm-up round per side, then ``ROUNDS`` rounds in which every side runs once, the
    first side of a round rotating; ``round_fn(name, side, k)`` gives the round's figure."""
    names = list(sides)
    for name in names:
        round_fn(name, sides[name], -1)
    figures: dict[str, list[float]] = {name: [] for name in names}
    for k in range(ROUNDS):
        order = names[k % len(names) :] + names[: k % len(names)]
        for name in order:
            figures[name].append(round_fn(name, sides[name], k))
        print(f"   {label} round {k + 1}: " + ", ".join(
            f"{n} {figures[n][-1]:,.1f}" for n in names), flush=True)  # fmt: skip
    return figures


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):,.1f} ({min(values):,.1f}–{max(values):,.1f})"


def main() -> int:
    print(f"database: {connection.settings_dict['NAME']} on {connection.vendor}")
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    n_parcels = top_up_parcels()
    print(f"clearance parcels: {n_parcels}")
    from tests.benchmarks.bench_ogcapi import (
        Client,
        bench_user_token,
        run_clients,
        start_fastcgi,
        start_ours,
    )
    from tests.deploy import production
    from tests.faults.server import server_env

    token = bench_user_token()
    auth = {"Authorization": f"Token {token}"}

    from layers.catalogue import CATALOGUE
    from layers.wms.app import build_files, datasource, mapserver_config_file, published_columns
    from layers.wms.mapfile import build_mapfile, mapfile_layers

    var_dir = Path(os.environ.get("KCN_VAR_DIR", REPO / "var"))
    base = Path(tempfile.mkdtemp(prefix="kcn-bench-"))
    os.chmod(base, 0o755)
    os.environ["MAPSERVER_CONFIG_FILE"] = str(mapserver_config_file(var_dir / "mapserver"))
    # The peer reads the same tables with MapServer's own WFS and WMS, from the mapfile the
    # service builds (the same layers, styles and SQL).
    peer_dir = var_dir / "mapserver" / "bench-peer"
    build_files(peer_dir, datasource())
    peer_map = peer_dir / "peer.map"
    peer_map.write_text(
        build_mapfile(
            mapfile_layers(CATALOGUE.values(), published_columns),
            datasource(),
            template_dir=str(peer_dir / "templates"),
            fontset=str(peer_dir / "fonts.txt"),
            wfs=True,
        )
    )
    connection.close()
    # The peer: MapServer as deployed, FastCGI (spawn-fcgi -F 2) behind nginx.
    fcgi = start_fastcgi(base / "fcgi", Path(os.environ["MAPSERVER_CONFIG_FILE"]), processes=2)
    # Ours as README "Production" runs it (nginx with TLS, the pools, MapServer long-lived), and
    # one gunicorn alone with MapServer as a CGI process per map (the set-up before issue 16).
    stack = production.start(base / "production", server_env(os.environ["DATABASE_URL"],
                             base / "production" / "var"))  # fmt: skip
    server, port, _log = start_ours(base / "straight")
    straight = f"http://127.0.0.1:{port}"
    sides = {
        "ours (README production)": (stack.url, {**auth, "Host": production.HOST}, "ours"),
        "ours (one gunicorn, CGI MapServer)": (straight, auth, "ours"),
        "MapServer FastCGI": (fcgi.base.rsplit("/", 1)[0], {}, "peer"),
    }
    lines = []
    try:
        print(f"\n{CLIENTS} clients, 1 warm-up round then {ROUNDS} interleaved rounds per side")
        # --- WFS GetFeature: 10k parcels, BBOX + attribute filter ---------------------------
        for fmt, ours_fmt, peer_fmt in (
            ("GeoJSON", "application/json", "geojson"),
            ("GML 3.2", "application/gml+xml; version=3.2", "gml32"),
        ):
            q = {
                "SERVICE": "WFS",
                "VERSION": "2.0.0",
                "REQUEST": "GetFeature",
                "TYPENAMES": "clearance_parcels",
                "COUNT": TARGET_PARCELS,
                "FILTER": fes_filter(),
            }
            paths = {
                "ours": "/ows/wfs?" + urlencode(dict(q, OUTPUTFORMAT=ours_fmt)),
                "peer": "/mapserv?" + urlencode({"map": str(peer_map), **q,
                                                 "OUTPUTFORMAT": peer_fmt}),
            }  # fmt: skip
            counts: dict[str, set] = {}
            sizes: dict[str, list] = {}

            def wfs_round(name, side, _k, paths=paths, fmt=fmt, counts=counts, sizes=sizes):
                url, headers, kind = side
                conns = [Client(url, headers) for _ in range(CLIENTS)]

                def work(i, _job):
                    status, body = conns[i].get(paths[kind])
                    if status != 200:
                        raise RuntimeError(f"{name}: HTTP {status} {body[:300]!r}")
                    n = _features(body, fmt)
                    counts.setdefault(name, set()).add(n)
                    sizes.setdefault(name, []).append(len(body))
                    return n

                wall, results = run_clients(
                    [[None] * WFS_PER_CLIENT for _ in range(CLIENTS)], work, CLIENTS
                )
                for c in conns:
                    c.close()
                return sum(results) / wall

            figures = interleaved(sides, wfs_round, f"WFS {fmt} features/s")
            for name in sides:
                print(f"   {name}: {sorted(counts[name])} features, "
                      f"{statistics.median(sizes[name]) / 1e6:.2f} MB per answer")  # fmt: skip
            same = len({frozenset(c) for c in counts.values()}) == 1 and all(
                len(c) == 1 for c in counts.values()
            )
            peer = statistics.median(figures["MapServer FastCGI"])
            for name in list(sides)[:2]:
                ratio = statistics.median(figures[name]) / peer
                row = (
                    f"| WFS GetFeature {fmt}, features/s, {name} | {spread(figures[name])} | "
                    f"{spread(figures['MapServer FastCGI'])} | "
                    + (f"{ratio:.2f}x" if same else "NOT COMPARED: counts differ")
                    + " | >= 1.5x FastCGI MapServer |"
                )
                lines.append(row)
                print("   " + row)

        # --- WMS GetMap 1024x1024, four layers, uncached -----------------------------------
        wq = {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetMap",
            "LAYERS": WMS_LAYERS,
            "STYLES": "",
            "SRS": "EPSG:4326",
            "WIDTH": 1024,
            "HEIGHT": 1024,
            "FORMAT": "image/png",
            "TRANSPARENT": "TRUE",
        }

        def boxes(k: int) -> list[str]:
            rng = random.Random(1000 + k)  # the same boxes for every side of a round
            out = []
            for _ in range(CLIENTS * MAPS_PER_CLIENT):
                cx, cy = 109.0 + rng.uniform(-0.2, 0.2), 13.9 + rng.uniform(-0.2, 0.2)
                out.append(f"{cx - 0.15:.6f},{cy - 0.15:.6f},{cx + 0.15:.6f},{cy + 0.15:.6f}")
            return out

        def map_path(kind, box):
            if kind == "ours":
                return "/ows/wms?" + urlencode(dict(wq, BBOX=box))
            return "/mapserv?" + urlencode({"map": str(peer_map), **wq, "BBOX": box})

        images: dict[tuple[str, str], bytes] = {}

        def map_round(name, side, k):
            url, headers, kind = side
            conns = [Client(url, headers) for _ in range(CLIENTS)]
            todo = boxes(k)
            jobs = [todo[i::CLIENTS] for i in range(CLIENTS)]

            def work(i, box):
                status, body = conns[i].get(map_path(kind, box))
                if status != 200 or not body.startswith(b"\x89PNG"):
                    raise RuntimeError(f"{name}: HTTP {status} {body[:300]!r}")
                if k == -1:
                    images[(name, box)] = body
                return 1

            wall, results = run_clients(jobs, work, CLIENTS)
            for c in conns:
                c.close()
            return sum(results) / wall

        figures = interleaved(sides, map_round, "WMS GetMap maps/s")
        # The same pixels from every side (the warm-up round's maps)?
        import io

        import numpy as np
        from PIL import Image

        def pixels(body):
            return np.asarray(Image.open(io.BytesIO(body)).convert("RGBA"))

        differing: dict[str, float] = {}  # per set-up: the largest share of pixels differing
        for box in boxes(-1):
            peer_px = pixels(images[("MapServer FastCGI", box)])
            for name in list(sides)[:2]:
                ours_px = pixels(images[(name, box)])
                share = float((ours_px != peer_px).any(axis=2).mean())
                differing[name] = max(differing.get(name, 0.0), share)
        print(f"   pixels differing from MapServer's map: at most {max(differing.values()):.4%} "
              f"over {len(boxes(-1))} boxes × 2 set-ups")  # fmt: skip
        peer = statistics.median(figures["MapServer FastCGI"])
        for name in list(sides)[:2]:
            ratio = peer / statistics.median(figures[name])  # time per map, ours ÷ MapServer's
            # As for WFS: no ratio between sides that did not draw the same maps.
            compared = f"{ratio:.2f}x the time" if differing[name] == 0 else (
                f"NOT COMPARED: {differing[name]:.2%} of a map's pixels differ")  # fmt: skip
            row = (
                f"| WMS GetMap 1024×1024, 4 layers, uncached, maps/s, {name} | "
                f"{spread(figures[name])} | {spread(figures['MapServer FastCGI'])} | "
                f"{compared} | <= 1.1x FastCGI MapServer |"
            )
            lines.append(row)
            print("   " + row)

        # --- cached WMTS tiles (one gunicorn) ----------------------------------------------
        urls = []
        for z in (10, 11, 12, 13):
            n = 2**z
            for lon in (108.9, 109.0, 109.1, 109.2):
                for lat in (13.8, 13.9, 14.0):
                    x = int((lon + 180) / 360 * n)
                    lat_r = math.radians(lat)
                    y = int((1 - math.log(math.tan(lat_r) + 1 / math.cos(lat_r)) / math.pi) / 2 * n)
                    urls.append(f"/ows/wmts/industrial_areas/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png")
        for u in urls:
            requests.get(straight + u, timeout=60).raise_for_status()  # seed
        wrk = shutil.which("wrk")
        if wrk:
            script = base / "tiles.lua"
            script.write_text(
                "paths = {" + ",".join(f'"{u}"' for u in urls) + "}\n"
                "i = 0\nrequest = function()\n  i = i % #paths + 1\n"
                "  return wrk.format('GET', paths[i])\nend\n"
            )
            out = subprocess.run(
                [wrk, "-t2", "-c16", "-d8s", "-s", str(script), straight],
                capture_output=True,
                text=True,
            ).stdout
            rps = float(
                next(
                    line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")
                )
            )
            row = (
                f"| WMTS cached tiles, 16 connections, one gunicorn | {rps:,.0f} tiles/s | — | — "
                "| >= 1000 on 2 cores |"
            )
            lines.append(row)
            print("   " + row)
            errors = [
                line for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line
            ]
            if errors:
                print("   ", "; ".join(errors))
        else:
            print("wrk not installed: cached tile throughput not measured")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        stack.stop()
        fcgi.stop()
        shutil.rmtree(base, ignore_errors=True)
    from tests.benchmarks.bench_ogcapi import record

    path = record(
        [
            "| measure | ours: median (min–max) | MapServer | ratio | goal |",
            "|---|---:|---:|---:|---|",
            *lines,
        ],
        title="OGC services (`scripts/bench.sh ows`)",
        method=(
            f"{CLIENTS} concurrent clients with keep-alive connections; 1 warm-up round then "
            f"{ROUNDS} interleaved rounds per side, the side going first rotating; WFS: each "
            f"client runs the whole query (10,000 parcels, BBOX + attribute filter) "
            f"{WFS_PER_CLIENT} times a round, features/s; WMS: {CLIENTS * MAPS_PER_CLIENT} "
            "random 1024×1024 boxes a round, the same for every side, maps/s; statistic chosen "
            "before the run: the median of the rounds, min–max beside; feature counts checked "
            "equal before a ratio is printed, the warm-up maps compared pixel by pixel. The peer: "
            "MapServer 8 as FastCGI (spawn-fcgi -F 2 behind nginx) on the same tables and "
            "mapfile. Ours: README production (nginx TLS, the pools, MapServer long-lived), and "
            "one gunicorn -w 2 --threads 8 with MapServer as a CGI process per map (the set-up "
            "before issue 16). See tests/benchmarks/bench_ows.py."
        ),
    )
    print(f"\nrecorded in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
