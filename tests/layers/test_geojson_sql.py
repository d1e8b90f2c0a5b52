"""GeoJSON written by PostGIS (``layers.wfs.sqljson``) equals the Python encoder's.

Both encoders run on the same PostGIS rows of every collection of the demo catalogue (the same
pattern as the PostGIS-vs-Python MVT comparison in ``test_vector_tiles.py``); the parsed answers
must agree on ids, properties (values *and* JSON types: ``12.0`` stays a float, GDAL types a
field from it) and geometry within the written precision (8 decimals: 1e-8 degrees). Values the
demo lacks (date-times, awkward strings, whole decimals, empty geometries) are checked value by
value and on edited rows.
"""

from __future__ import annotations

import datetime as dt
import json
import unittest
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon
from django.db import connection
from django.test import Client, TestCase

from layers.wfs import crs as crs_mod
from layers.wfs import encoders, selectors, sqljson
from layers.wfs.encoders import FeatureSet, json_value
from layers.wfs.requests import Query
from layers.wfs.schema import all_feature_types, feature_type
from planning import models as m
from tests.layers.test_wfs_support import basic, make_user

POSTGIS_ONLY = "the SQL encoder needs PostGIS; SpatiaLite keeps the Python encoder"
TOLERANCE = 1.01e-8  # both round to 8 decimals; a tie may round either way by one unit


def _same(a, b, where: str) -> None:
    """Equal JSON values of the same JSON types (int vs float told apart)."""
    assert type(a) is type(b), f"{where}: {a!r} ({type(a).__name__}) vs {b!r}"
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


def _close(a, b, where: str) -> None:
    """Coordinates within the precision, the same nesting."""
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{i}]")
    else:
        assert abs(a - b) <= TOLERANCE, f"{where}: {a!r} vs {b!r}"


def _both(ftype, user, srs=crs_mod.STORAGE_XY, force_xy=True):
    """(Python encoder's features, PostGIS's features) of all the rows ``user`` reads."""
    qs = selectors.query_queryset(ftype, Query(ftype.name), version="2.0.0", user=user)
    props = list(ftype.props)
    page = selectors.fetch_page(qs, props, geometry=ftype.geometry, start=0, count=100_000)
    geoms = selectors.project(page.geoms, srs, force_xy=force_xy)
    python = encoders.geojson_feature_collection(
        [FeatureSet(ftype, props, True, page.pks, page.rows, geoms)],
        srs=srs,
        number_matched=None,
    )
    sql_page = sqljson.fetch_page(
        qs,
        ftype,
        props,
        geometry=ftype.geometry,
        start=0,
        count=100_000,
        srs=srs,
        force_xy=force_xy,
    )
    assert sql_page is not None
    sql = encoders.geojson_feature_collection(
        [FeatureSet(ftype, props, True, sql_page.pks, [], None, sql_page.texts)],
        srs=srs,
        number_matched=None,
    )
    return json.loads(python)["features"], json.loads(sql)["features"]


def _compare(python: list, sql: list, name: str) -> None:
    assert [f["id"] for f in python] == [f["id"] for f in sql], name
    for a, b in zip(python, sql, strict=True):
        assert list(a) == list(b) == ["type", "id", "geometry", "properties"], name
        _same(a["properties"], b["properties"], a["id"])
        if a["geometry"] is None:
            assert b["geometry"] is None, a["id"]
            continue
        assert a["geometry"]["type"] == b["geometry"]["type"], a["id"]
        _close(a["geometry"]["coordinates"], b["geometry"]["coordinates"], a["id"])


@unittest.skipUnless(connection.vendor == "postgresql", POSTGIS_ONLY)  # before the demo loads
class SqlGeoJSONTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from planning.services.demo import demo_load

        demo_load()
        cls.admin = make_user("sqljson-admin", superuser=True)

    def test_every_demo_collection_same_as_the_python_encoder(self):
        seen = {}
        for ftype in all_feature_types():
            python, sql = _both(ftype, self.admin)
            _compare(python, sql, ftype.name)
            seen[ftype.name] = len(sql)
        # the demo fills these; the others (analysis results, proposals) may be empty
        for name in ("admin_units", "industrial_areas", "clearance_parcels", "road_corridors"):
            assert seen[name] > 0, name

    def test_latitude_first_output_flipped_like_the_python_encoder(self):
        """EPSG:4326 in its own axis order (latitude first: OGC API Part 2's ``crs``, WFS 2.0's
        URN), for a point, a line and a polygon collection."""
        lat_lon = crs_mod.CRSRef(4326, False, "urn:ogc:def:crs:EPSG::4326")
        for name in ("infrastructure_points", "road_corridors", "industrial_areas"):
            python, sql = _both(feature_type(name), self.admin, lat_lon, force_xy=False)
            _compare(python, sql, name)
            first = sql[0]["geometry"]["coordinates"]
            while isinstance(first[0], list):
                first = first[0]
            assert 8 < first[0] < 24 and 102 < first[1] < 110, first  # Viet Nam: lat, lon

    def test_awkward_values_and_an_empty_geometry(self):
        area = m.IndustrialArea.objects.order_by("pk").first()
        awkward = 'Khu "A" \\ tab\there\nline \x01 ư € \u2028 end'
        with m.workflow_write("fixture"):  # a recorded state, not a workflow step under test
            m.IndustrialArea.objects.filter(pk=area.pk).update(
                name=awkward,
                planned_area_ha=Decimal("1200.00"),  # whole: written 1200.0
                lease_price_usd_m2=None,
                planning_decision="",
            )
            unit = m.AdminUnit.objects.order_by("pk").first()
            m.AdminUnit.objects.filter(pk=unit.pk).update(boundary=MultiPolygon(srid=4326))
        for name in ("industrial_areas", "admin_units"):
            python, sql = _both(feature_type(name), self.admin)
            _compare(python, sql, name)
        props = {f["id"]: f["properties"] for f in sql_features("industrial_areas", self.admin)}
        mine = props[f"industrial_areas.{area.pk}"]
        assert mine["name"] == awkward
        assert mine["planned_area_ha"] == 1200.0 and isinstance(mine["planned_area_ha"], float)
        assert mine["lease_price_usd_m2"] is None
        units = {f["id"]: f for f in sql_features("admin_units", self.admin)}
        assert units[f"admin_units.{unit.pk}"]["geometry"] is None

    def test_each_value_type_written_as_json_dumps_writes_it(self):
        """Value by value, through the SQL expression of its XML Schema type."""
        utc = dt.UTC
        cases = [
            ("string", "text", ['a "b" \\ c\n\t\x1f ư', "", None]),
            ("decimal", "numeric", [Decimal("12.00"), Decimal("-0.125"), Decimal("1234567.89")]),
            ("double", "float8", [1.0, 0.1, 1e-05, 123456.789, -0.0, None]),
            ("int", "int4", [0, -5, 2147483647]),
            ("long", "int8", [9007199254740993]),
            ("boolean", "bool", [True, False]),
            ("date", "date", [dt.date(2024, 2, 29), dt.date(1, 1, 1)]),
            (
                "dateTime",
                "timestamptz",
                [
                    dt.datetime(2024, 5, 1, 7, 30, tzinfo=utc),
                    dt.datetime(2024, 5, 1, 7, 30, 5, 120000, tzinfo=utc),
                    dt.datetime(2024, 12, 31, 23, 59, 59, 1, tzinfo=utc),
                    dt.datetime(2024, 5, 1, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))),
                ],
            ),
        ]
        with connection.cursor() as cursor:
            for xs_type, pg_type, values in cases:
                for value in values:
                    expression = sqljson._value_sql("t.v", xs_type)
                    cursor.execute(
                        f"SELECT {expression} FROM (SELECT %s::{pg_type} AS v) t", [value]
                    )
                    written = cursor.fetchone()[0]
                    expected = json.dumps(
                        json_value(value.astimezone(utc) if xs_type == "dateTime" else value),
                        ensure_ascii=False,
                    )
                    # the same text, not only the same value: clients type fields from it
                    assert written == expected, (xs_type, value)

    def test_ogc_api_items_and_item_same_with_either_encoder(self):
        """Through the API: the answer on PostGIS equals the Python encoder's (forced)."""
        client = Client()
        auth = {"HTTP_AUTHORIZATION": basic("sqljson-admin")}
        urls = [
            "/ogc/collections/clearance_parcels/items?limit=50&offset=10",
            "/ogc/collections/industrial_areas/items?limit=5",
            "/ogc/collections/admin_units/items?bbox=105.5,9.0,106.0,9.5",
        ]
        first = m.ClearanceParcel.objects.order_by("pk").first().pk
        urls.append(f"/ogc/collections/clearance_parcels/items/clearance_parcels.{first}")
        answers = {}
        for use_sql in (True, False):
            original = sqljson.supported
            if not use_sql:
                sqljson.supported = lambda qs, srs: False
            try:
                for url in urls:
                    response = client.get(url, **auth)
                    assert response.status_code == 200, response.content[:300]
                    answers[use_sql, url] = json.loads(response.content)
            finally:
                sqljson.supported = original
        for url in urls:
            a, b = answers[False, url], answers[True, url]
            if a["type"] == "FeatureCollection":
                _compare(a.pop("features"), b.pop("features"), url)
                a.pop("timeStamp"), b.pop("timeStamp")
            else:
                assert a.pop("links") == b.pop("links"), url
                _compare([a], [b], url)
            assert a == b, url

    def test_wfs_geojson_same_with_either_encoder(self):
        client = Client()
        auth = {"HTTP_AUTHORIZATION": basic("sqljson-admin")}
        url = (
            "/ows/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=road_corridors,"
            "infrastructure_points&OUTPUTFORMAT=application/json&COUNT=60&STARTINDEX=5"
        )
        answers = []
        for use_sql in (True, False):
            original = sqljson.supported
            if not use_sql:
                sqljson.supported = lambda qs, srs: False
            try:
                response = client.get(url, **auth)
            finally:
                sqljson.supported = original
            assert response.status_code == 200, response.content[:300]
            answers.append(json.loads(response.content))
        sql, python = answers
        _compare(python.pop("features"), sql.pop("features"), "wfs")
        python.pop("timeStamp"), sql.pop("timeStamp")
        assert python == sql


def sql_features(name: str, user) -> list:
    return _both(feature_type(name), user)[1]


@pytest.mark.django_db
def test_spatialite_and_other_crs_keep_the_python_encoder():
    ftype = feature_type("industrial_areas")
    qs = ftype.model._default_manager.all()
    other = crs_mod.CRSRef(3857, True, "EPSG:3857")
    assert (
        sqljson.fetch_page(
            qs, ftype, list(ftype.props), geometry=ftype.geometry, start=0, count=5, srs=other
        )
        is None
    )
    page = sqljson.fetch_page(
        qs,
        ftype,
        list(ftype.props),
        geometry=ftype.geometry,
        start=0,
        count=5,
        srs=crs_mod.STORAGE_XY,
    )
    assert (page is None) == (connection.vendor != "postgresql")
