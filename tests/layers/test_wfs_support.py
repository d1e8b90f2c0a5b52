"""Shared data and helpers for the WFS tests (imported by the test_wfs_* modules; holds no tests).

The data: Bình Định (code 52) with two synthetic communes side by side, three industrial areas,
a road, parcels with personal data, and proposals in each commune; users with different rights.
Coordinates are lon/lat (EPSG:4326) unless a test says otherwise.
"""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Polygon
from lxml import etree

from planning import models as m

NS = {
    "wfs": "http://www.opengis.net/wfs/2.0",
    "wfs1": "http://www.opengis.net/wfs",
    "ows": "http://www.opengis.net/ows/1.1",
    "ows1": "http://www.opengis.net/ows",
    "ogc": "http://www.opengis.net/ogc",
    "fes": "http://www.opengis.net/fes/2.0",
    "gml": "http://www.opengis.net/gml/3.2",
    "gml2": "http://www.opengis.net/gml",
    "kcn": "http://kcn-planner.vn/kcn",
    "xs": "http://www.w3.org/2001/XMLSchema",
}
WFS = "/ows/wfs"
PASSWORD = "mật-khẩu-thử-nghiệm-1"

# Commune B sits east of commune A (conftest's Xã Cát Hanh, 108.95–109.10 E, 13.95–14.10 N).
COMMUNE_B_BOX = (109.10, 13.95, 109.25, 14.10)
# Area boxes (lon/lat): two in commune A, one in commune B.
AREA_BOXES = {
    "KCN-NH": (109.00, 13.96, 109.04, 13.99),  # KCN Nhơn Hòa
    "CCN-BTX": (109.05, 14.02, 109.07, 14.04),  # CCN Bùi Thị Xuân
    "CCN-PA": (109.15, 13.97, 109.17, 13.99),  # CCN Phước An (commune B)
}


def mp(x0, y0, x1, y1) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


def xml(response) -> etree._Element:
    """The response body as an lxml tree (fails the test on anything not well-formed)."""
    return etree.fromstring(response.content)


def basic(username: str, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def exception_code(response) -> tuple[str, str | None]:
    """(exceptionCode, locator) of an OWS ExceptionReport or an OGC ServiceExceptionReport."""
    root = xml(response)
    ex = root.find(".//{*}Exception")
    if ex is not None:
        return ex.get("exceptionCode"), ex.get("locator")
    se = root.find(".//{*}ServiceException")
    return se.get("code"), se.get("locator")


def fids(root) -> list[str]:
    """Feature ids of a FeatureCollection (gml:id for GML 3, fid for GML 2), in document order."""
    features = root.xpath("./wfs:member/* | ./gml2:featureMember/*", namespaces=NS)
    return [
        f.get(f"{{{NS['gml']}}}id") or f.get(f"{{{NS['gml2']}}}id") or f.get("fid")
        for f in features
    ]


@pytest.fixture
def world(binh_dinh):
    """Units, areas, a road, parcels and proposals; returns a dict of the objects."""
    province, commune_a = binh_dinh
    commune_b = m.AdminUnit.objects.create(
        code="21910",
        name="Xã Cát Tài",
        level="commune",
        parent=province,
        boundary=mp(*COMMUNE_B_BOX),
        valid_from=dt.date(1976, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        zone_srid=9217,
        is_synthetic=True,
    )
    dev = m.Developer.objects.create(name="Công ty Hạ tầng Nhơn Hòa", kind="enterprise")
    areas = {}
    for code, name, kind, unit in (
        ("KCN-NH", "KCN Nhơn Hòa", "KCN", commune_a),
        ("CCN-BTX", "CCN Bùi Thị Xuân", "CCN", commune_a),
        ("CCN-PA", "CCN Phước An", "CCN", commune_b),
    ):
        areas[code] = m.IndustrialArea.objects.create(
            code=code,
            name=name,
            kind=kind,
            boundary=mp(*AREA_BOXES[code]),
            planned_area_ha=Decimal("320.50"),
            industrial_land_ha=Decimal("250"),
            leased_land_ha=Decimal("100"),
            status="operating" if kind == "KCN" else "planned",
            admin_unit=unit,
            developer=dev if kind == "KCN" else None,
            established_on=dt.date(2010, 5, 1) if kind == "KCN" else None,
        )
    road = m.RoadCorridor.objects.create(
        code="QL19",
        name="Quốc lộ 19",
        route_ref="QL19",
        road_class="national",
        status="invested",
        centerline=MultiLineString(LineString((108.96, 13.97), (109.20, 13.99)), srid=4326),
        admin_unit=province,
    )
    parcels = [
        m.ClearanceParcel.objects.create(
            area=areas["CCN-BTX"],
            map_sheet="12",
            parcel_no=str(i),
            boundary=mp(109.05 + i * 0.004, 14.02, 109.053 + i * 0.004, 14.023),
            land_use="LUC",
            admin_unit=commune_a,
            holder_name="Nguyễn Văn Bí Mật",
            holder_id_number="052099001234",
            households=3,
        )
        for i in range(3)
    ]
    proposals = {
        "a": m.Proposal.objects.create(
            code="DX-A-1",
            name="Cụm công nghiệp Cát Hanh",
            kind="CCN",
            geom=mp(108.97, 14.05, 108.99, 14.07),
            admin_unit=commune_a,
        ),
        "b": m.Proposal.objects.create(
            code="DX-B-1",
            name="Cụm công nghiệp Cát Tài",
            kind="CCN",
            geom=mp(109.20, 14.05, 109.22, 14.07),
            admin_unit=commune_b,
        ),
    }
    return {
        "province": province,
        "commune_a": commune_a,
        "commune_b": commune_b,
        "areas": areas,
        "road": road,
        "parcels": parcels,
        "proposals": proposals,
        "developer": dev,
    }


def make_user(username: str, *, role: str | None = None, unit=None, superuser: bool = False):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_superuser=superuser
    )
    if role:
        m.Membership.objects.create(user=user, role=role, admin_unit=unit)
    return user


@pytest.fixture
def users(world):
    return {
        "admin": make_user("quantri", role="admin"),
        "staff_a": make_user("canbo_a", role="commune_staff", unit=world["commune_a"]),
        "staff_b": make_user("canbo_b", role="commune_staff", unit=world["commune_b"]),
        "reviewer": make_user("thamdinh", role="industry_reviewer", unit=world["province"]),
        "nobody": make_user("khach"),
    }


def wfs_get(client, **params):
    """GET /ows/wfs with ``params`` as the query; HTTP_* keywords are request headers."""
    headers = {k: params.pop(k) for k in list(params) if k.startswith("HTTP_")}
    return client.get(WFS, params, **headers)


def wfs_post(client, body: str | bytes, **extra):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return client.generic("POST", WFS, body, content_type="text/xml", **extra)
