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
REPEAT = 5
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


def timed(fn, *args, repeat=REPEAT):
    """The median time of ``repeat`` calls of ``fn(*args)``, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def cgi(mapfile: Path, query: dict) -> bytes:
    env = dict(
        os.environ, REQUEST_METHOD="GET", QUERY_STRING=urlencode({"map": str(mapfile), **query})
    )
    out = subprocess.run(["/usr/bin/mapserv"], env=env, capture_output=True, check=True).stdout
    return out.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in out else out


RECORDED: list[str] = []  # the figures as Markdown rows, appended to the record at the end


def report(name: str, ours: float, peer: float | None, unit: str, goal: str) -> None:
    ratio = f"{ours / peer:6.2f}x peer" if peer else ""
    peer_text = f"peer {peer:.1f}" if peer else ""
    print(f"{name:58s} {ours:10.1f} {unit:10s} {peer_text:>14s} {ratio:>14s}   goal: {goal}")
    RECORDED.append(
        f"| {name.strip()} | {ours:,.1f} {unit} | {f'{peer:,.1f}' if peer else '—'} | "
        f"{ratio.strip() or '—'} | {goal or '—'} |"
    )


def main() -> int:
    print(f"database: {connection.settings_dict['NAME']} on {connection.vendor}")
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    n_parcels = top_up_parcels()
    print(f"clearance parcels: {n_parcels}")
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if not User.objects.filter(username="bench").exists():
        User.objects.create_superuser("bench", "", "bench-pass")
    auth = "Basic " + base64.b64encode(b"bench:bench-pass").decode()

    from layers.catalogue import CATALOGUE
    from layers.wms.app import build_files, datasource, mapserver_config_file, published_columns
    from layers.wms.mapfile import build_mapfile, mapfile_layers

    base = Path(tempfile.mkdtemp(prefix="kcn-bench-"))
    os.environ["MAPSERVER_CONFIG_FILE"] = str(
        mapserver_config_file(Path(os.environ.get("KCN_VAR_DIR", REPO / "var")) / "mapserver")
    )
    # The peer reads the same tables with MapServer's own WFS and WMS.
    peer_dir = Path(os.environ.get("KCN_VAR_DIR", REPO / "var")) / "mapserver" / "bench-peer"
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

    # The peer as FastCGI (spawn-fcgi + nginx), as MapServer is deployed; the CGI figures (a
    # process per request, the method before issue 14) are printed beside them.
    from tests.benchmarks.bench_ogcapi import start_fastcgi

    fcgi = start_fastcgi(base / "fcgi", Path(os.environ["MAPSERVER_CONFIG_FILE"]), processes=2)
    peer_session = requests.Session()

    def fastcgi(mapfile: Path, query: dict) -> bytes:
        r = peer_session.get(fcgi.base, params={"map": str(mapfile), **query}, timeout=300)
        r.raise_for_status()
        return r.content

    port = free_port()
    env = dict(os.environ, DJANGO_DEBUG="0", DJANGO_LOG_LEVEL="WARNING")
    server = subprocess.Popen(
        [
            str(REPO / ".venv/bin/gunicorn"),
            "gis_service.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base_url + "/context.geojson", timeout=2)
                break
            except requests.RequestException:  # refused or slow while gunicorn starts
                time.sleep(0.2)
        session = requests.Session()
        session.headers["Authorization"] = auth
        print()
        print(f"{'measure':58s} {'ours':>10s} {'unit':10s} {'MapServer':>14s} {'ratio':>14s}")

        # --- WFS GetFeature: 10k parcels, BBOX + attribute filter --------------------------------
        def ours(q):
            r = session.get(base_url + "/ows/wfs", params=q, timeout=300)
            r.raise_for_status()
            return r.content

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
                "OUTPUTFORMAT": ours_fmt,
            }
            t_ours, body = timed(ours, q)
            peer_q = dict(q, OUTPUTFORMAT=peer_fmt, TYPENAMES="clearance_parcels")
            t_cgi, _cgi_body = timed(cgi, peer_map, peer_q)
            t_peer, peer_body = timed(fastcgi, peer_map, peer_q)
            n = (
                body.count(b'"type": "Feature"') + body.count(b'"type":"Feature"')
                if fmt == "GeoJSON"
                else body.count(b"<wfs:member")
            )
            n_peer = (
                peer_body.count(b'"type": "Feature"') + peer_body.count(b'"type":"Feature"')
                if fmt == "GeoJSON"
                else peer_body.count(b"<wfs:member")
            )
            print(
                f"  {fmt}: ours {n} features in {t_ours * 1000:.0f} ms, "
                f"MapServer {n_peer} in {t_peer * 1000:.0f} ms as FastCGI, "
                f"{t_cgi * 1000:.0f} ms as CGI"
            )
            report(
                f"WFS GetFeature {fmt} (features/s)",
                n / t_ours,
                n_peer / t_peer if n_peer else None,
                "feat/s",
                ">= MapServer",
            )
            report(
                "  the same, MapServer as CGI (old method)",
                n / t_ours,
                n_peer / t_cgi if n_peer else None,
                "feat/s",
                "",
            )

        # --- WMS GetMap 1024x1024, four layers, uncached ---------------------------------------
        rng = random.Random(3)

        def bbox():
            cx, cy = 109.0 + rng.uniform(-0.2, 0.2), 13.9 + rng.uniform(-0.2, 0.2)
            return f"{cx - 0.15},{cy - 0.15},{cx + 0.15},{cy + 0.15}"

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
        t_ours, _ = timed(
            lambda: (
                session.get(base_url + "/ows/wms", params=dict(wq, BBOX=bbox()), timeout=60).content
            ),
            repeat=8,
        )
        t_peer, _ = timed(lambda: fastcgi(peer_map, dict(wq, BBOX=bbox())), repeat=8)
        t_cgi, _ = timed(lambda: cgi(peer_map, dict(wq, BBOX=bbox())), repeat=8)
        report(
            "WMS GetMap 1024x1024, 4 layers, uncached (ms)",
            t_ours * 1000,
            t_peer * 1000,
            "ms",
            "<= 1.2x MapServer alone",
        )
        report(
            "  the same, MapServer as CGI (old method)",
            t_ours * 1000,
            t_cgi * 1000,
            "ms",
            "",
        )

        # --- cached WMTS tiles ---------------------------------------------------------------
        urls = []
        for z in (10, 11, 12, 13):
            n = 2**z
            for lon in (108.9, 109.0, 109.1, 109.2):
                for lat in (13.8, 13.9, 14.0):
                    x = int((lon + 180) / 360 * n)
                    y = int(
                        (
                            1
                            - math.log(
                                math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))
                            )
                            / math.pi
                        )
                        / 2
                        * n
                    )
                    urls.append(f"/ows/wmts/industrial_areas/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png")
        for u in urls:
            requests.get(base_url + u, timeout=60).raise_for_status()  # seed
        wrk = shutil.which("wrk")
        if wrk:
            script = base / "tiles.lua"
            script.write_text(
                "paths = {" + ",".join(f'"{u}"' for u in urls) + "}\n"
                "i = 0\nrequest = function()\n  i = i % #paths + 1\n"
                "  return wrk.format('GET', paths[i])\nend\n"
            )
            out = subprocess.run(
                [wrk, "-t2", "-c16", "-d8s", "-s", str(script), base_url],
                capture_output=True,
                text=True,
            ).stdout
            rps = float(
                next(
                    line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")
                )
            )
            errors = [
                line for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line
            ]
            report(
                "WMTS cached tiles, 16 connections (tiles/s)",
                rps,
                None,
                "tiles/s",
                ">= 1000 on 2 cores",
            )
            if errors:
                print("   ", "; ".join(errors))
        else:
            print("wrk not installed: cached tile throughput not measured")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        fcgi.stop()
        shutil.rmtree(base, ignore_errors=True)
    from tests.benchmarks.bench_ogcapi import record

    path = record(
        ["| measure | ours | MapServer | ratio | goal |", "|---|---:|---:|---:|---|", *RECORDED],
        title="OGC services (`scripts/bench.sh ows`)",
        method="one client, requests in sequence; median of 5 (WFS) or 8 (WMS, random boxes) "
        "requests per side; the MapServer peer reads the same PostGIS tables as FastCGI "
        "(spawn-fcgi -F 2 mapserv behind nginx) and, as in records before issue 14, as CGI (a "
        "process per request: the old, unfair method, kept for comparison). See "
        "tests/benchmarks/bench_ows.py.",
    )
    print(f"\nrecorded in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
