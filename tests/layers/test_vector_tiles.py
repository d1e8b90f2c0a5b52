"""Vector tiles (OGC API – Tiles) of the catalogue's collections, on the demo, both databases.

The tile containing KCN An Nghiệp at z=12, from its demo location (``fixtures/demo_source/
areas.yaml``: 9.632 N, 105.935 E): x = (105.935 + 180) / 360 × 4096 = 3253.30 → 3253;
y = (1 − ln(tan φ + sec φ) / π) / 2 × 4096 with tan φ = 0.16971, sec φ = 1.01430,
ln(1.18401) = 0.16891, / π = 0.05376 → (1 − 0.05376) / 2 × 4096 = 1937.89 → 1937.
(9.6067 N lies in row 1938, whose north edge is 9.6224 N: the park's boundary starts at 9.6266 N,
465 m further north, beyond the tile's 64-cell buffer of 152 m.)
"""

from __future__ import annotations

import base64
import json
import subprocess
import tempfile
from pathlib import Path

import mapbox_vector_tile
import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection
from django.test import Client, TestCase

from layers.catalogue import CATALOGUE
from layers.vectortiles import queries
from layers.vectortiles.tilemath import EXTENT, tile_for
from planning import models as m

Z = 12
X, Y = tile_for(105.935, 9.632, Z)
MVT = "application/vnd.mapbox-vector-tile"


def _url(collection, z, y, x):
    return f"/ogc/collections/{collection}/tiles/WebMercatorQuad/{z}/{y}/{x}"


def _basic(user, password):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


class VectorTileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from planning.services.demo import demo_load

        demo_load()
        cls.admin = get_user_model().objects.create_user("vt-admin", password="pw-vt-admin-1")
        m.Membership.objects.create(
            user=cls.admin,
            role="admin",
            admin_unit=m.AdminUnit.objects.get(code="94", level="province"),
        )

    def setUp(self):
        # issue 14 map: tiles are cached on disk; a rolled-back test or an earlier run on the
        # same test database sends no signal, so start each test with no cached tile.
        import shutil

        from layers.vectortiles import cache

        shutil.rmtree(cache.cache_root(), ignore_errors=True)

    def _decode(self, response):
        self.assertEqual(response.status_code, 200, response.content[:300])
        self.assertEqual(response["Content-Type"], MVT)
        return mapbox_vector_tile.decode(response.content)

    def test_tile_coordinates(self):
        self.assertEqual((X, Y), (3253, 1937))
        self.assertEqual(tile_for(105.9742, 9.6067, Z), (3253, 1938))

    def test_an_nghiep_in_its_tile_with_code_and_name(self):
        tile = self._decode(Client().get(_url("industrial_areas", Z, Y, X)))
        layer = tile["industrial_areas"]
        self.assertEqual(layer["extent"], EXTENT)
        by_code = {f["properties"]["code"]: f for f in layer["features"]}
        self.assertIn("KCN-ANNGHIEP", by_code)
        feature = by_code["KCN-ANNGHIEP"]
        self.assertEqual(feature["properties"]["name"], "KCN An Nghiệp")
        self.assertEqual(feature["properties"]["kind"], "KCN")
        self.assertIn(feature["geometry"]["type"], ("Polygon", "MultiPolygon"))
        # Inside the tile plus its 64-cell buffer, in tile grid units.
        coords = _flatten(feature["geometry"]["coordinates"])
        self.assertTrue(coords)
        for cx, cy in coords:
            self.assertTrue(-64 <= cx <= EXTENT + 64 and -64 <= cy <= EXTENT + 64, (cx, cy))
        # Public layer: shared caches may keep it, but ask again (edits refresh it).
        self.assertEqual(
            Client().get(_url("industrial_areas", Z, Y, X))["Cache-Control"], "public, no-cache"
        )

    def test_staff_layer_hidden_from_anonymous_present_for_staff(self):
        """Proposals are a staff layer: 404 for anonymous, drawn for staff without the drafts
        (as the WMS draws them: ``layers.wms.styles``, the tiles are shared by all readers)."""
        self.assertEqual(CATALOGUE["proposals"].read_roles, ("staff",))
        unit = m.AdminUnit.objects.get(code="94", level="province")
        # Two small squares inside the An Nghiệp tile (lon 105.908..105.996, lat 9.622..9.709).
        m.Proposal.objects.create(
            code="VT-DRAFT",
            name="Bản nháp",
            kind="CCN",
            geom=_square(105.96, 9.66),
            admin_unit=unit,
        )
        with m.workflow_write("fixture"):  # a recorded state, not a workflow step under test
            m.Proposal.objects.create(
                code="VT-SENT",
                name="Đã gửi",
                kind="CCN",
                status="submitted",
                geom=_square(105.97, 9.67),
                admin_unit=unit,
            )
        anonymous = Client().get(_url("proposals", Z, Y, X))
        self.assertEqual(anonymous.status_code, 404)
        self.assertEqual(anonymous.json()["code"], "NotFound")
        staff = Client().get(_url("proposals", Z, Y, X), **_basic("vt-admin", "pw-vt-admin-1"))
        codes = {f["properties"]["code"] for f in self._decode(staff)["proposals"]["features"]}
        self.assertIn("VT-SENT", codes)
        self.assertNotIn("VT-DRAFT", codes)
        self.assertEqual(staff["Cache-Control"], "private, no-cache")
        # The same answer through the other backend's encoder (same rows, same filter).
        spec = CATALOGUE["proposals"]
        py = _features(queries._python_tile(spec, queries.map_layer(spec), Z, X, Y), "proposals")
        self.assertEqual({p["code"] for p, _t, _b in py.values()}, {"VT-SENT"})

    def test_signed_in_user_without_a_staff_role_gets_404(self):
        get_user_model().objects.create_user("vt-nobody", password="pw-vt-nobody-1")
        response = Client().get(
            _url("clearance_parcels", Z, Y, X), **_basic("vt-nobody", "pw-vt-nobody-1")
        )
        self.assertEqual(response.status_code, 404)

    def test_dataset_tile_has_every_public_layer_and_no_staff_layer(self):
        tile = self._decode(Client().get(f"/ogc/tiles/WebMercatorQuad/{Z}/{Y}/{X}"))
        self.assertIn("industrial_areas", tile)
        codes = {f["properties"]["code"] for f in tile["industrial_areas"]["features"]}
        self.assertIn("KCN-ANNGHIEP", codes)
        public = {n for n, spec in CATALOGUE.items() if "anonymous" in spec.read_roles}
        self.assertLessEqual(set(tile), public)
        meta = Client().get("/ogc/tiles/WebMercatorQuad").json()
        self.assertEqual(meta["dataType"], "vector")
        listed = {layer["id"] for layer in meta["layers"]}
        self.assertIn("industrial_areas", listed)
        self.assertNotIn("proposals", listed)
        self.assertNotIn("clearance_parcels", listed)
        self.assertEqual(Client().get(f"/ogc/tiles/WebMercatorQuad/{Z}/0/0").status_code, 204)

    def test_gdal_reads_the_tile_where_the_park_is(self):
        """GDAL's MVT driver (a real client) georeferences the tile from its z/x/y path: the park
        lands at its own place, 105.932..105.953 E, 9.627..9.649 N (the demo boundary's extent)."""
        data = Client().get(_url("industrial_areas", Z, Y, X)).content
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / str(Z) / str(X) / f"{Y}.pbf"
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            out = subprocess.run(
                [
                    "ogr2ogr",
                    "-f",
                    "GeoJSON",
                    "/vsistdout/",
                    str(path),
                    "industrial_areas",
                    "-t_srs",
                    "EPSG:4326",
                    "-where",
                    "code = 'KCN-ANNGHIEP'",
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            ).stdout
        (feature,) = json.loads(out)["features"]
        self.assertEqual(feature["properties"]["name"], "KCN An Nghiệp")
        lons, lats = zip(*_flatten(feature["geometry"]["coordinates"]), strict=True)
        # One grid cell at z=12 is 2.4 m, about 0.00002°: the box agrees to 0.0001°.
        self.assertAlmostEqual(min(lons), 105.93225, delta=1e-4)
        self.assertAlmostEqual(max(lons), 105.95262, delta=1e-4)
        self.assertAlmostEqual(min(lats), 9.62656, delta=1e-4)
        self.assertAlmostEqual(max(lats), 9.64910, delta=1e-4)

    def test_wrong_password_is_401(self):
        response = Client().get(_url("proposals", 0, 0, 0), **_basic("vt-admin", "wrong"))
        self.assertEqual(response.status_code, 401)

    def test_unknown_collection_404(self):
        self.assertEqual(Client().get(_url("no_such_layer", 0, 0, 0)).status_code, 404)

    def test_out_of_range_400(self):
        for z, y, x in ((25, 0, 0), (-1, 0, 0), (1, 2, 0), (1, 0, 2), (12, -1, 5)):
            response = Client().get(_url("industrial_areas", z, y, x))
            self.assertEqual(response.status_code, 400, (z, y, x))
            self.assertEqual(response.json()["code"], "InvalidParameterValue")

    def test_empty_tile_is_204(self):
        # z=12 tile 0/0: the Arctic near the antimeridian, no park there.
        response = Client().get(_url("industrial_areas", Z, 0, 0))
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response.content, b"")

    def test_tileset_metadata(self):
        data = Client().get("/ogc/collections/industrial_areas/tiles").json()
        (entry,) = data["tilesets"]
        self.assertEqual(entry["dataType"], "vector")
        self.assertTrue(entry["tileMatrixSetURI"].endswith("/WebMercatorQuad"))
        one = Client().get("/ogc/collections/industrial_areas/tiles/WebMercatorQuad").json()
        template = next(link for link in one["links"] if link["rel"] == "item")
        self.assertTrue(
            template["href"].endswith(
                "/ogc/collections/industrial_areas/tiles/WebMercatorQuad/"
                "{tileMatrix}/{tileRow}/{tileCol}"
            )
        )
        self.assertEqual(template["type"], MVT)
        self.assertEqual(
            Client().get("/ogc/collections/proposals/tiles/WebMercatorQuad").status_code, 404
        )

    def test_tiles_found_from_the_landing_page_and_the_collections(self):
        """OGC API – Tiles /req/dataset-tilesets and /req/geodata-tilesets: the landing page
        links the dataset's tilesets, a drawn collection links its own, and following the links
        and the tile template reaches An Nghiệp's tile; the classes are in /conformance."""
        rel = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
        landing = Client().get("/ogc/?f=json").json()
        href = next(link["href"] for link in landing["links"] if link["rel"] == rel)
        (entry,) = Client().get(href).json()["tilesets"]
        template = next(link["href"] for link in entry["links"] if link["rel"] == "item")
        tile = template.format(tileMatrix=Z, tileRow=Y, tileCol=X)
        self.assertIn("industrial_areas", self._decode(Client().get(tile)))
        collection = Client().get("/ogc/collections/industrial_areas?f=json").json()
        href = next(link["href"] for link in collection["links"] if link["rel"] == rel)
        self.assertTrue(href.endswith("/ogc/collections/industrial_areas/tiles"))
        self.assertEqual(Client().get(href).status_code, 200)
        conforms = Client().get("/ogc/conformance?f=json").json()["conformsTo"]
        for name in ("core", "tileset", "tilesets-list", "dataset-tilesets", "mvt"):
            self.assertIn(f"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{name}", conforms)

    def test_both_backends_give_the_same_features(self):
        """On PostGIS, ST_AsMVT and the SpatiaLite path (shapely + mapbox_vector_tile) agree."""
        if connection.vendor != "postgresql":
            pytest.skip("the PostGIS statement needs PostGIS; the Python path runs everywhere")
        for name in CATALOGUE:  # every collection the maps draw
            spec = CATALOGUE[name]
            if queries.map_layer(spec) is None:
                continue
            for z, x, y in ((Z, X, Y), (8, *tile_for(105.935, 9.632, 8))):
                layer = queries.map_layer(spec)
                sql = _features(queries._postgis_tile(spec, layer, z, x, y), name)
                py = _features(queries._python_tile(spec, layer, z, x, y), name)
                # Features a few grid cells across (a clearance parcel at z=8: 1 cell = 38 m)
                # are where the two snapping algorithms may round a sliver in or out; every
                # feature one tile has and the other lacks must be such a sliver.
                for fid in set(sql) ^ set(py):
                    x0, y0, x1, y1 = (sql.get(fid) or py[fid])[2]
                    self.assertTrue(x1 - x0 <= 4 and y1 - y0 <= 4, (name, z, fid))
                common = set(sql) & set(py)
                self.assertGreaterEqual(len(common), 0.9 * max(len(sql), len(py)), (name, z))
                if name in ("industrial_areas", "road_corridors", "admin_units"):
                    self.assertTrue(sql, (name, z))
                    self.assertEqual(set(sql), set(py), (name, z))
                for fid in common:
                    props, gtype, box = sql[fid]
                    self.assertEqual(props, py[fid][0], (name, fid))
                    self.assertEqual(gtype.replace("Multi", ""), py[fid][1].replace("Multi", ""))
                    # The same shape on the same 4096 grid: boxes agree to a cell or two (to four
                    # for a shape under 8 cells, which ST_AsMVTGeom simplifies harder).
                    small = min(box[2] - box[0], box[3] - box[1]) < 8
                    for a, b in zip(box, py[fid][2], strict=True):
                        self.assertLessEqual(
                            abs(a - b), 4 if small else 2, (name, fid, box, py[fid][2])
                        )


def _square(lon, lat, d=0.004):
    return MultiPolygon(Polygon.from_bbox((lon, lat, lon + d, lat + d)), srid=4326)


def _features(data: bytes, name: str) -> dict:
    if not data:
        return {}
    return {
        f["id"]: (f["properties"], f["geometry"]["type"], _box(f["geometry"]["coordinates"]))
        for f in mapbox_vector_tile.decode(data)[name]["features"]
    }


def _box(coords):
    xs, ys = zip(*_flatten(coords), strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def _flatten(coords):
    if coords and isinstance(coords[0], (int, float)):
        return [tuple(coords)]
    out = []
    for c in coords:
        out += _flatten(c)
    return out
