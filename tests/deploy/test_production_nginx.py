"""README "Production" as written: nginx's block and the two gunicorn pools, on a database of
their own (``tests/faults/server.py``), with only addresses and paths changed
(``tests/deploy/production.py``).

What a province's operator relies on: HTTP is sent to HTTPS; the application sees the client's
protocol (no redirect loop); tiles are answered by the tile pool; a raster tile not yet cached
is rendered by the main pool (nginx follows the tile pool's ``X-Accel-Redirect``) and then
served from the cache by the tile pool alone; rights hold on both pools; nginx's internal
render location cannot be asked for from outside.

Runs in the SpatiaLite run of ``make test`` (the routing does not depend on the database; the
PostGIS run has the restart and crash tests of its own).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import mapbox_vector_tile
import pytest
import requests

from tests.deploy import production
from tests.faults.server import prepare_database, server_env

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("KCN_EXPECT_BACKEND", "spatialite") != "spatialite",
        reason="routing only: runs in the SpatiaLite run of make test",
    ),
    # The certificate is a throwaway one made for the run.
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),
]
HOST = {"Host": production.HOST}
# A tile over the Bình Định commune of the fault tests' database (x, y of lon 109.0, lat 14.0).
Z, X, Y = 12, 3288, 1885


@pytest.fixture(scope="module")
def stack():
    if not all(shutil.which(tool) for tool in ("nginx", "openssl", "spawn-fcgi")):
        pytest.skip("nginx, openssl and spawn-fcgi are installed by make test")
    directory = Path(tempfile.mkdtemp(prefix="kcn-production-"))
    os.chmod(directory, 0o755)
    env = server_env(f"spatialite:///{directory / 'db.sqlite3'}", directory / "var")
    prepare_database(env)
    s = production.start(directory, env)
    yield s
    s.stop()
    shutil.rmtree(directory, ignore_errors=True)


def get(stack, path, **headers):
    return requests.get(
        stack.url + path,
        headers={**HOST, **headers},
        verify=False,
        timeout=60,
        allow_redirects=False,
    )


def served_by(stack, pool: str, path: str, expect: int) -> bool:
    """Does ``pool``'s access log show ``path`` ``expect`` times? (gunicorn writes the line after
    the answer has left, so it is given a moment to appear.)"""
    deadline = time.monotonic() + 5
    while True:
        n = stack.access_log(pool).count(f"GET {path} ")
        if n == expect and (expect or time.monotonic() > deadline - 4.7):
            return True
        if n > expect or time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def test_the_readme_has_two_pools_and_one_nginx_block():
    pools = {p.name: p for p in production.readme_pools()}
    assert set(pools) == {"app", "tiles"}
    assert pools["tiles"].env == {"KCN_RENDER_REDIRECT": "/_kcn_render"}
    assert "location /_kcn_render/" in production.readme_nginx()
    spawn, url = production.readme_mapserver()
    assert spawn[-1] == "/usr/bin/mapserv" and url.startswith("http://127.0.0.1:")
    assert "listen 127.0.0.1:8003;" in production.readme_nginx()  # MapServer: loopback only


def test_http_goes_to_https_and_the_application_knows_it(stack):
    r = requests.get(
        f"http://127.0.0.1:{stack.http_port}/api/v1/layers/", headers=HOST, allow_redirects=False
    )
    assert r.status_code == 301
    assert r.headers["Location"] == f"https://{production.HOST}/api/v1/layers/"
    r = get(stack, "/api/v1/layers/")
    assert r.status_code == 200, r.text[:300]  # no redirect loop: X-Forwarded-Proto reached it
    assert "max-age" in r.headers.get("Strict-Transport-Security", "")
    assert served_by(stack, "app", "/api/v1/layers/", 1)
    assert served_by(stack, "tiles", "/api/v1/layers/", 0)


def test_a_raster_tile_is_rendered_by_the_main_pool_once_then_served_by_the_tile_pool(stack):
    path = f"/ows/tiles/admin_units/GLOBAL_WEBMERCATOR/{Z}/{X}/{Y}.png"
    first = get(stack, path)
    assert first.status_code == 200, first.text[:300]
    assert first.headers["Content-Type"] == "image/png"
    assert first.content.startswith(b"\x89PNG")
    assert "X-Accel-Redirect" not in first.headers  # nginx consumed it
    assert served_by(stack, "tiles", path, 1)  # asked first, handed back
    assert served_by(stack, "app", path, 1)  # rendered (the internal location strips its prefix)
    second = get(stack, path)
    assert second.status_code == 200
    assert second.content == first.content
    assert served_by(stack, "tiles", path, 2)
    assert served_by(stack, "app", path, 1)  # from the cache, by the tile pool alone
    assert get(stack, path, **{"If-None-Match": second.headers["ETag"]}).status_code == 304


def test_vector_tiles_on_the_tile_pool_with_rights(stack):
    public = f"/ogc/collections/admin_units/tiles/WebMercatorQuad/{Z}/{Y}/{X}"
    r = get(stack, public)
    assert r.status_code == 200, r.text[:300]
    assert "admin_units" in mapbox_vector_tile.decode(r.content)
    assert served_by(stack, "tiles", public, 1) and served_by(stack, "app", public, 0)
    staff = f"/ogc/collections/clearance_parcels/tiles/WebMercatorQuad/{Z}/{Y}/{X}"
    assert get(stack, staff).status_code == 404  # a staff layer, anonymous: hidden
    from tests.faults.server import basic_auth

    r = get(stack, staff, Authorization=basic_auth())
    assert r.status_code in (200, 204)  # commune staff may read it
    assert r.headers["Cache-Control"] == "private, no-cache"


def test_a_raster_tile_of_a_staff_layer_is_refused_on_the_way_to_the_render(stack):
    path = f"/ows/tiles/clearance_parcels/GLOBAL_WEBMERCATOR/{Z}/{X}/{Y}.png"
    r = get(stack, path)
    assert r.status_code in (401, 403, 404)
    assert not r.content.startswith(b"\x89PNG")


def test_the_render_location_is_internal(stack):
    tile = f"/ows/tiles/admin_units/GLOBAL_WEBMERCATOR/{Z}/{X + 1}/{Y}.png"
    assert get(stack, "/_kcn_render" + tile).status_code == 404
    assert served_by(stack, "app", tile, 0) and served_by(stack, "app", "/_kcn_render" + tile, 0)


def _mapserv_processes() -> set[int]:
    found = set()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "comm").read_text().strip() == "mapserv":
                found.add(int(proc.name))
        except OSError:
            continue
    return found


def test_maps_are_drawn_by_the_long_lived_mapserver(stack):
    """GetMap, GetFeatureInfo and GetLegendGraphic through MapProxy reach spawn-fcgi's MapServer
    processes over nginx's loopback address; no MapServer is started per map."""
    import io
    from urllib.parse import urlencode

    from PIL import Image

    log = stack.directory / "nginx-access.log"
    before = log.read_text(errors="replace").count("GET /mapserv?")
    processes = _mapserv_processes()
    assert set(stack.mapserver_pids) <= processes
    common = {"SERVICE": "WMS", "VERSION": "1.1.1", "SRS": "EPSG:4326", "STYLES": "",
              "BBOX": "108.9,13.9,109.2,14.2", "WIDTH": 256, "HEIGHT": 256}  # fmt: skip
    r = get(stack, "/ows/wms?" + urlencode({**common, "REQUEST": "GetMap",
            "LAYERS": "admin_units", "FORMAT": "image/png", "TRANSPARENT": "TRUE"}))  # fmt: skip
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png", r.text[:300]
    image = Image.open(io.BytesIO(r.content)).convert("RGBA")
    assert image.size == (256, 256) and image.getchannel("A").getextrema()[1] > 0  # drawn
    r = get(stack, "/ows/wms?" + urlencode({**common, "REQUEST": "GetFeatureInfo",
            "LAYERS": "admin_units", "QUERY_LAYERS": "admin_units", "X": 107, "Y": 149,
            "INFO_FORMAT": "application/vnd.ogc.gml", "FEATURE_COUNT": 5}))  # fmt: skip
    assert r.status_code == 200 and "Xã Cát Hanh" in r.text, r.text[:500]
    legend = {"REQUEST": "GetLegendGraphic", "LAYER": "admin_units", "FORMAT": "image/png"}
    r = get(stack, "/ows/wms?" + urlencode({"SERVICE": "WMS", "VERSION": "1.1.1", **legend}))
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG"), r.text[:300]
    deadline = time.monotonic() + 5  # nginx writes its log line after the answer
    while log.read_text(errors="replace").count("GET /mapserv?") < before + 3:
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
        time.sleep(0.05)
    assert _mapserv_processes() == processes  # the same processes, none started per map
