"""VN-2000 arithmetic: reference points (DOMAIN.md §4.2) and areas/distances on both databases."""

import pytest
import shapely
from django.contrib.gis.db.models.functions import Area, Distance, Length, Transform
from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Point, Polygon
from django.db import connection
from pyproj import Transformer

from planning import geo
from planning import models as m
from planning.checks import REQUIRED_SRIDS, add_missing_srids, missing_srids
from tests.factories import IndustrialAreaFactory

# DOMAIN.md §4.2, computed with pyproj 3.7.2 along EPSG:6960 "VN-2000 to WGS 84 (2)".
REFERENCE_POINTS = [
    pytest.param((109.20, 13.77), 9217, (602532.57, 1523062.89), id="quy-nhon-9217"),
    pytest.param((105.97, 9.60), 9209, (551391.16, 1061653.35), id="soc-trang-9209"),
]


@pytest.mark.parametrize("lonlat,srid,expected", REFERENCE_POINTS)
def test_reference_points_wgs84_to_vn2000(lonlat, srid, expected):
    x, y = geo.transformer(4326, srid).transform(*lonlat)
    assert x == pytest.approx(expected[0], abs=0.01)
    assert y == pytest.approx(expected[1], abs=0.01)


@pytest.mark.parametrize("lonlat,srid,expected", REFERENCE_POINTS)
def test_reference_points_vn2000_to_wgs84(lonlat, srid, expected):
    lon, lat = geo.transformer(srid, 4326).transform(*expected)
    # 0.01 m is about 9e-8 degrees; the reference values are rounded to 0.01 m.
    back_x, back_y = geo.transformer(4326, srid).transform(lon, lat)
    assert (back_x, back_y) == pytest.approx(expected, abs=0.01)
    assert lon == pytest.approx(lonlat[0], abs=2e-7) and lat == pytest.approx(lonlat[1], abs=2e-7)


def test_transformation_uses_the_vn2000_datum_shift():
    # Treating VN-2000 as WGS 84 puts Quy Nhơn about 225 m off (DOMAIN.md §4.2).
    no_shift = Transformer.from_pipeline(
        "+proj=pipeline +step +proj=axisswap +order=2,1 "
        "+step +proj=unitconvert +xy_in=deg +xy_out=rad "
        "+step +proj=tmerc +lat_0=0 +lon_0=108.25 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84"
    )
    x0, y0 = no_shift.transform(13.77, 109.20)
    x, y = geo.transformer(4326, 9217).transform(109.20, 13.77)
    assert 200 < ((x - x0) ** 2 + (y - y0) ** 2) ** 0.5 < 250


@pytest.mark.django_db
@pytest.mark.parametrize("lonlat,srid,expected", REFERENCE_POINTS)
def test_database_transform_agrees_with_reference(lonlat, srid, expected, binh_dinh):
    _, commune = binh_dinh
    row = (
        m.AdminUnit.objects.filter(pk=commune.pk)
        .annotate(p=Transform(Point(*lonlat, srid=4326), srid))
        .values_list("p", flat=True)
        .get()
    )
    assert row.x == pytest.approx(expected[0], abs=0.01)
    assert row.y == pytest.approx(expected[1], abs=0.01)


@pytest.mark.django_db
def test_spatial_database_knows_every_vn2000_zone():
    assert missing_srids() == []
    assert {9205, 9209, 9217, 9218} <= set(REQUIRED_SRIDS)


@pytest.mark.django_db
def test_missing_zone_is_added_by_the_migration():
    SpatialRefSys = connection.ops.spatial_ref_sys()
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:  # SpatiaLite keeps a child table keyed by srid
            cur.execute("DELETE FROM spatial_ref_sys_aux WHERE srid = %s", [9213])
    SpatialRefSys.objects.filter(srid=9213).delete()
    assert 9213 in missing_srids()
    assert add_missing_srids() == [9213]
    assert missing_srids() == []
    row = SpatialRefSys.objects.get(srid=9213)
    assert "+lon_0=106.5" in row.proj4text and "towgs84=-191.90441429" in row.proj4text


def _tm3_area_ha(geom, srid):
    return shapely.area(geo.transform(shapely.from_wkb(bytes(geom.wkb)), 4326, srid)) / 1e4


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fixture,lon,lat,srid",
    [
        ("binh_dinh", 109.0, 14.0, 9217),
        ("soc_trang", 105.9, 9.62, 9209),
    ],
    ids=["binh-dinh", "soc-trang"],
)
def test_reported_area_matches_tm3_zone_on_this_database(request, fixture, lon, lat, srid):
    _, commune = request.getfixturevalue(fixture)
    poly = MultiPolygon(
        Polygon(
            (
                (lon, lat),
                (lon + 0.03, lat + 0.002),
                (lon + 0.028, lat + 0.025),
                (lon - 0.004, lat + 0.02),
                (lon, lat),
            )
        ),
        srid=4326,
    )
    area = IndustrialAreaFactory(admin_unit=commune, boundary=poly)
    assert area.metric_srid == srid
    expected = _tm3_area_ha(area.boundary, srid)
    assert area.boundary_area_ha == pytest.approx(expected, rel=1e-4)
    # The database's own computation in the same zone agrees too.
    db_m2 = (
        m.IndustrialArea.objects.filter(pk=area.pk)
        .annotate(a=Area(Transform("boundary", srid)))
        .values_list("a", flat=True)
        .get()
    )
    assert db_m2.sq_m / 1e4 == pytest.approx(expected, rel=1e-4)


@pytest.mark.django_db
def test_reported_length_and_distance_match_tm3_zone(binh_dinh):
    _, commune = binh_dinh
    line = MultiLineString(LineString((109.0, 14.0), (109.05, 14.02), (109.1, 14.0)), srid=4326)
    road = m.RoadCorridor.objects.create(
        code="T1",
        name="ĐT thử",
        road_class="provincial",
        centerline=line,
        status="invested",
        admin_unit=commune,
    )
    shp = geo.transform(shapely.from_wkb(bytes(line.wkb)), 4326, 9217)
    assert road.length_m == pytest.approx(shp.length, rel=1e-4)
    db_len = (
        m.RoadCorridor.objects.filter(pk=road.pk)
        .annotate(l=Length(Transform("centerline", 9217)))
        .values_list("l", flat=True)
        .get()
    )
    assert db_len.m == pytest.approx(shp.length, rel=1e-4)
    point = Point(109.05, 14.05, srid=4326)
    expected = shapely.distance(shp, geo.transform(shapely.Point(109.05, 14.05), 4326, 9217))
    assert geo.distance_m(line, point, 9217) == pytest.approx(expected, rel=1e-4)
    db_dist = (
        m.RoadCorridor.objects.filter(pk=road.pk)
        .annotate(d=Distance(Transform("centerline", 9217), Transform(point, 9217)))
        .values_list("d", flat=True)
        .get()
    )
    assert db_dist.m == pytest.approx(expected, rel=1e-4)


def test_metric_srid_per_province_matches_domain():
    assert geo.VN2000_TM3_BY_PROVINCE["Bình Định"] == 9217
    assert geo.VN2000_TM3_BY_PROVINCE["Sóc Trăng"] == 9209
