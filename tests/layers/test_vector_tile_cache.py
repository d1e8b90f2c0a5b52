"""The vector tile cache and its refresh (issue 14 map), the simplification per zoom and the
national base map's tiles, on the demo (both databases).

The tile of KCN An Nghiệp at z=12 is x=3253, y=1937 (worked in ``test_vector_tiles.py``); its
envelope: lon = 3253 / 4096 × 360 − 180 = 105.908..105.996 E, lat 9.62..9.71 N. A road from
(105.94, 9.65) to (105.96, 9.66) lies inside it; one near Quy Nhơn (109.2 E, 13.9 N), 460 km away,
lies in tile x = (109.2 + 180) / 360 × 4096 = 3290 — 37 columns east, far beyond the one-tile
margin a refresh clears around a change.
"""

from __future__ import annotations

import base64
import shutil
import sqlite3
from contextlib import closing

import mapbox_vector_tile
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiLineString
from django.test import Client, TestCase

from layers.vectortiles import cache
from layers.vectortiles.queries import simplify_tolerance
from layers.vectortiles.tilemath import tile_for
from planning import models as m

Z = 12
X, Y = tile_for(105.935, 9.632, Z)
ROADS = f"/ogc/collections/road_corridors/tiles/WebMercatorQuad/{Z}/{Y}/{X}"
PUBLIC = f"/ogc/tiles/WebMercatorQuad/{Z}/{Y}/{X}"
# Viet Nam at z=5: x = (106 + 180) / 360 × 32 = 25.4 → 25; y of 16 N: (1 − ln(tan φ + sec φ)/π)/2
# × 32 = (1 − 0.2840 / π) / 2 × 32 = 14.55 → 14.
BASEMAP = "/ogc/basemap/tiles/WebMercatorQuad/5/14/25"


def _basic(user, password):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def _names(response, layer):
    assert response.status_code == 200, response.status_code
    tile = mapbox_vector_tile.decode(response.content)
    return {f["properties"].get("name") for f in tile.get(layer, {}).get("features", [])}


def _road(code, name, coords):
    return m.RoadCorridor(
        code=code,
        name=name,
        road_class="provincial",
        status="planned",
        centerline=MultiLineString(LineString(coords, srid=4326), srid=4326),
        admin_unit=m.AdminUnit.objects.filter(code="94", level="province").first(),
    )


class VectorTileCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from planning.services.demo import demo_load

        demo_load()
        cls.admin = get_user_model().objects.create_user("vtc-admin", password="pw-vtc-admin-1")
        m.Membership.objects.create(
            user=cls.admin,
            role="admin",
            admin_unit=m.AdminUnit.objects.get(code="94", level="province"),
        )

    def setUp(self):
        # Tiles cached by an earlier test (rolled back: no signal said so) or an earlier run.
        shutil.rmtree(cache.cache_root(), ignore_errors=True)

    def test_second_request_from_the_cache_same_bytes_and_304(self):
        old_layout = cache.cache_root() / "road_corridors" / str(Z) / str(X)
        old_layout.mkdir(parents=True)
        (old_layout / f"{Y}.pbf").write_bytes(b"a tile of the old cache")
        cache.close_all()
        client = Client()
        first = client.get(ROADS)
        self.assertEqual(first.status_code, 200)
        self.assertEqual(first["X-KCN-Tile-Cache"], "miss")
        self.assertTrue(cache.cached("road_corridors", Z, X, Y))
        second = client.get(ROADS)
        self.assertEqual(second["X-KCN-Tile-Cache"], "hit")
        self.assertEqual(second.content, first.content)
        self.assertEqual(second["ETag"], first["ETag"])
        self.assertEqual(second["Cache-Control"], "public, no-cache")
        again = client.get(ROADS, HTTP_IF_NONE_MATCH=first["ETag"])
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again["ETag"], first["ETag"])
        # The old file-per-tile folder (made above, as an upgrade leaves it) is gone.
        self.assertFalse((cache.cache_root() / "road_corridors").exists())
        # Kept in the collection's MBTiles file: TMS rows (counted from the south), format pbf.
        with closing(sqlite3.connect(cache.cache_file("road_corridors"))) as db:
            rows = db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
            self.assertEqual(
                [(z, x, y, bytes(d)) for z, x, y, d in rows],
                [(Z, X, 2**Z - 1 - Y, first.content)],
            )
            meta = dict(db.execute("SELECT name, value FROM metadata"))
        self.assertEqual((meta["name"], meta["format"]), ("road_corridors", "pbf"))

    def test_a_save_inside_the_tile_refreshes_it_and_the_public_tileset(self):
        client = Client()
        client.get(ROADS)
        client.get(PUBLIC)
        with self.captureOnCommitCallbacks(execute=True):
            _road("VT-IN", "Đường thử trong ô", [(105.94, 9.65), (105.96, 9.66)]).save()
        self.assertFalse(cache.cached("road_corridors", Z, X, Y))
        self.assertFalse(cache.cached(cache.PUBLIC, Z, X, Y))
        fresh = client.get(ROADS)
        self.assertEqual(fresh["X-KCN-Tile-Cache"], "miss")
        self.assertIn("Đường thử trong ô", _names(fresh, "road_corridors"))
        self.assertIn("Đường thử trong ô", _names(client.get(PUBLIC), "road_corridors"))

    def test_a_save_elsewhere_leaves_the_tile(self):
        client = Client()
        first = client.get(ROADS)
        with self.captureOnCommitCallbacks(execute=True):
            _road("VT-OUT", "Đường thử ở Quy Nhơn", [(109.2, 13.9), (109.21, 13.91)]).save()
        second = client.get(ROADS)
        self.assertEqual(second["X-KCN-Tile-Cache"], "hit")
        self.assertEqual(second["ETag"], first["ETag"])

    def test_a_delete_refreshes_the_tile(self):
        road = _road("VT-DEL", "Đường sẽ xoá", [(105.94, 9.65), (105.96, 9.66)])
        with self.captureOnCommitCallbacks(execute=True):
            road.save()
        client = Client()
        self.assertIn("Đường sẽ xoá", _names(client.get(ROADS), "road_corridors"))
        with self.captureOnCommitCallbacks(execute=True):
            road.delete()
        self.assertNotIn("Đường sẽ xoá", _names(client.get(ROADS), "road_corridors"))

    def test_a_wfs_t_insert_inside_the_tile_refreshes_it(self):
        client = Client()
        self.assertNotIn("Đường WFS-T", _names(client.get(ROADS), "road_corridors"))
        body = """<wfs:Transaction service="WFS" version="2.0.0"
          xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"
          xmlns:kcn="http://kcn-planner.vn/kcn"><wfs:Insert>
          <kcn:road_corridors><kcn:code>VT-WFST</kcn:code><kcn:name>Đường WFS-T</kcn:name>
           <kcn:road_class>provincial</kcn:road_class><kcn:status>planned</kcn:status>
           <kcn:admin_unit>94</kcn:admin_unit>
           <kcn:centerline><gml:LineString gml:id="l1" srsName="EPSG:4326">
           <gml:posList>105.94 9.65 105.96 9.66</gml:posList>
           </gml:LineString></kcn:centerline></kcn:road_corridors></wfs:Insert>
          </wfs:Transaction>""".encode()
        with self.captureOnCommitCallbacks(execute=True):
            r = client.generic(
                "POST",
                "/ows/wfs",
                body,
                content_type="text/xml",
                **_basic("vtc-admin", "pw-vtc-admin-1"),
            )
        self.assertEqual(r.status_code, 200, r.content[:500])
        self.assertTrue(m.RoadCorridor.objects.filter(code="VT-WFST").exists())
        self.assertIn("Đường WFS-T", _names(client.get(ROADS), "road_corridors"))

    def test_a_tile_made_before_a_refresh_is_not_kept(self):
        # The save commits (and refreshes) while the tile is being made from the old rows.
        def make():
            with self.captureOnCommitCallbacks(execute=True):
                _road("VT-RACE", "Đường giữa chừng", [(105.94, 9.65), (105.96, 9.66)]).save()
            return b"old rows"

        data, tag, hit = cache.get_or_make("road_corridors", Z, X, Y, make)
        self.assertEqual((data, hit), (b"old rows", None))
        self.assertFalse(cache.cached("road_corridors", Z, X, Y))
        fresh = Client().get(ROADS)
        self.assertEqual(fresh["X-KCN-Tile-Cache"], "miss")
        self.assertIn("Đường giữa chừng", _names(fresh, "road_corridors"))

    def test_an_unusable_cache_file_serves_tiles_uncached(self):
        path = cache.cache_file("road_corridors")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not a database " * 100)  # damaged: SQLite refuses it
        cache.close_all()
        with self.assertLogs("layers.vectortiles.cache", "WARNING"):
            r = Client().get(ROADS)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["X-KCN-Tile-Cache"], "bypassed")
        self.assertIn("road_corridors", mapbox_vector_tile.decode(r.content))
        # A save cannot refresh it: the file is removed, and the next tile is cached again.
        with self.assertLogs("layers.vectortiles.cache", "ERROR"):
            with self.captureOnCommitCallbacks(execute=True):
                _road("VT-BAD", "Đường thử", [(105.94, 9.65), (105.96, 9.66)]).save()
        self.assertFalse(path.exists())
        self.assertEqual(Client().get(ROADS)["X-KCN-Tile-Cache"], "miss")
        self.assertEqual(Client().get(ROADS)["X-KCN-Tile-Cache"], "hit")

    def test_staff_tiles_cached_but_never_served_without_rights(self):
        # clearance_parcels is a staff layer: cached once by a reader, refused to anyone else.
        x, y = tile_for(109.2, 13.9, 10)
        url = f"/ogc/collections/clearance_parcels/tiles/WebMercatorQuad/10/{y}/{x}"
        staff = Client().get(url, **_basic("vtc-admin", "pw-vtc-admin-1"))
        self.assertIn(staff.status_code, (200, 204))
        self.assertEqual(staff["Cache-Control"], "private, no-cache")
        self.assertTrue(cache.cached("clearance_parcels", 10, x, y))
        self.assertEqual(Client().get(url).status_code, 404)

    def test_an_analysis_run_drops_its_layer_cache(self):
        from planning.signals import analysis_results_written

        url = f"/ogc/collections/suggested_sites/tiles/WebMercatorQuad/{Z}/{Y}/{X}"
        Client().get(url, **_basic("vtc-admin", "pw-vtc-admin-1"))  # a staff layer
        self.assertTrue(cache.cached("suggested_sites", Z, X, Y))
        with self.captureOnCommitCallbacks(execute=True):
            analysis_results_written.send(sender="test", run=None, layers=("suggested_sites",))
        self.assertFalse(cache.cached("suggested_sites", Z, X, Y))

    def test_national_base_map_tile(self):
        client = Client()
        r = client.get(BASEMAP)
        self.assertEqual(r.status_code, 200)
        features = mapbox_vector_tile.decode(r.content)["basemap"]["features"]
        kinds = {f["properties"]["kind"] for f in features}
        self.assertEqual(kinds, {"province", "province_label", "road", "rail"})
        provinces = {
            f["properties"]["name"] for f in features if f["properties"]["kind"] == "province"
        }
        # Post-2025 units (Resolution 202/2025/QH15): Gia Lai took in Bình Định. (The tile spans
        # 11.2–21.9 N: Cần Thơ, at 10 N, is in the row below.)
        self.assertIn("Gia Lai", provinces)
        self.assertIn("Hà Nội", provinces)
        self.assertNotIn("Bình Định", provinces)
        roads = {f["properties"].get("name") for f in features if f["properties"]["kind"] == "road"}
        self.assertTrue(any(n and "1A" in n for n in roads), roads)
        self.assertEqual(client.get(BASEMAP)["X-KCN-Tile-Cache"], "hit")
        self.assertEqual(client.get(BASEMAP, HTTP_IF_NONE_MATCH=r["ETag"]).status_code, 304)
        doc = client.get("/ogc/basemap/tiles/WebMercatorQuad").json()
        self.assertEqual(doc["dataType"], "vector")

    def test_simplification_per_zoom(self):
        # One grid cell at z is 40,075,016.69 m / 2^z / 4096; the tolerance is 4 cells:
        # z=10: 9,783.94 m / 4096 × 4 = 38.22 m (the tile 39.1 km wide); z=14: 2.39 m.
        self.assertAlmostEqual(simplify_tolerance(10), 38.22, places=2)
        self.assertAlmostEqual(simplify_tolerance(14), 2.39, places=2)
        # The same tile has fewer vertices simplified than merely snapped to the grid.
        from layers.vectortiles.basemap import basemap_tile

        def vertices(data):
            features = mapbox_vector_tile.decode(data)["basemap"]["features"]
            return sum(str(f["geometry"]["coordinates"]).count("[") for f in features)

        simplified = vertices(basemap_tile(5, 25, 14))
        with self.settings(KCN_MVT_SIMPLIFY_CELLS=0):
            snapped = vertices(basemap_tile(5, 25, 14))
        self.assertLess(simplified, snapped * 0.8, (simplified, snapped))
