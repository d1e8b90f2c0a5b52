"""Road access through the service and its doors (issue 13, roads), on a hand-made world.

Everything is laid out in Sóc Trăng's VN-2000 TM-3 zone (EPSG:9209, metres) around
E0 = 580 000, N0 = 1 060 000 (≈ 105.73° E, 9.59° N) and stored in EPSG:4326:

* expressway CT.34 along y = −100, x from −9 000 to 9 000 (under construction);
* its interchange "Nút giao QL1" at (5 000, −100);
* provincial road ĐT940 along y = 3 000, x from −9 000 to −3 000 (invested).

Proposals (20 ha rectangles, 500 × 400 m):

* A = [0, 500] × [0, 400]: 100 m from the expressway; nearest interchange from its corner
  (500, 0): √(4 500² + 100²) ≈ 4 501.1 m > 2 000 m; ĐT940 is 2 600 m away (> 1 000 m) → fails;
* B = [4 000, 4 500] × [0, 400]: corner (4 500, 0) to the interchange √(500² + 100²) ≈ 509.9 m
  ≤ 2 000 m → passes;
* C = [−6 000, −5 500] × [3 100, 3 500]: 100 m from ĐT940 → passes.

Distances are measured by the service in the same zone; the 4326 round trip moves them by
millimetres, hence the 1 m tolerance.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiLineString, Point, Polygon
from django.core.exceptions import ValidationError
from django.utils import translation
from pyproj import Transformer
from rest_framework.test import APIClient

from planning import models as m
from planning.services.proposal_validation import proposal_check

pytestmark = pytest.mark.django_db

E0, N0 = 580_000, 1_060_000
TO_4326 = Transformer.from_crs("EPSG:9209", "EPSG:4326", always_xy=True)
PERIOD = {"valid_from": dt.date(1992, 1, 1), "valid_to": dt.date(2025, 6, 30), "zone_srid": 9209}


def ll(x: float, y: float) -> tuple[float, float]:
    return TO_4326.transform(E0 + x, N0 + y)


def line(x0, y0, x1, y1, steps: int = 60) -> MultiLineString:
    """A straight line in the zone, densified so that it stays straight there in 4326."""
    pts = [ll(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(steps + 1)]
    return MultiLineString(LineString(pts), srid=4326)


def rect(x0, y0, x1, y1) -> Polygon:
    ring = [ll(x0, y0), ll(x1, y0), ll(x1, y1), ll(x0, y1), ll(x0, y0)]
    return Polygon(ring, srid=4326)


def unit_box(code, name, level, half, parent=None):
    return m.AdminUnit.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        boundary=m.AdminUnit._meta.get_field("boundary").to_python(
            rect(-half, -half, half, half).wkt
        ),
        is_synthetic=True,
        **PERIOD,
    )


@pytest.fixture
def world():
    province = unit_box("94", "Sóc Trăng", "province", 20_000)
    commune = unit_box("31510", "Xã An Hiệp", "commune", 12_000, province)
    ct = m.RoadCorridor.objects.create(
        code="ST-CT",
        name="Cao tốc Châu Đốc – Cần Thơ – Sóc Trăng",
        route_ref="CT.34",
        road_class="expressway",
        centerline=line(-9000, -100, 9000, -100),
        status="under_construction",
        admin_unit=province,
    )
    dt940 = m.RoadCorridor.objects.create(
        code="ST-DT940",
        name="Đường tỉnh 940",
        route_ref="ĐT940",
        road_class="provincial",
        centerline=line(-9000, 3000, -3000, 3000),
        status="invested",
        admin_unit=province,
    )
    ic = m.RoadInterchange.objects.create(
        code="ST-CT-NG-QL1",
        name="Nút giao QL1",
        expressway=ct,
        geom=Point(*ll(5000, -100), srid=4326),
        status="under_construction",
        is_synthetic=True,
    )
    staff = get_user_model().objects.create_user("canbo_anhiep", password="pw-canbo-1")
    m.Membership.objects.create(user=staff, role="commune_staff", admin_unit=commune)
    return {"commune": commune, "ct": ct, "dt940": dt940, "interchange": ic, "staff": staff}


def road_rule(result):
    return next(r for r in result["rules"] if r["rule"] == "road_access")


def check(geometry):
    return proposal_check(geometry=geometry, kind="CCN", admin_unit="31510", store=False)


def test_a_ccn_whose_only_road_is_an_expressway_fails_away_from_an_interchange(world):
    r = road_rule(check(rect(0, 0, 500, 400)))
    assert r["passed"] is False
    assert r["measured"] == pytest.approx(math.hypot(4500, 100), abs=1.0)  # 4 501.1 m
    assert r["limit"] == 2000
    assert r["message_vi"] == (
        "Chỉ có đường cao tốc CT.34 (đang đầu tư xây dựng) trong phạm vi 1,0 km (cách 100 m), và "
        "xe chỉ được ra, vào cao tốc tại nút giao: nút giao gần nhất, Nút giao QL1, cách 4,5 km, "
        "vượt giới hạn 2,0 km."
    )
    assert "23/2008/QH12" in r["citation"] and "Bình Định" in r["citation"]


def test_the_same_kind_of_ccn_passes_near_the_interchange(world):
    r = road_rule(check(rect(4000, 0, 4500, 400)))
    assert r["passed"] is True
    assert r["measured"] == pytest.approx(math.hypot(500, 100), abs=1.0)  # 509.9 m
    assert r["message_en"] == (
        "510 m from interchange Nút giao QL1 of expressway CT.34 (under construction) (≤ 2.0 km)."
    )


def test_a_ccn_on_a_provincial_road_passes(world):
    r = road_rule(check(rect(-6000, 3100, -5500, 3500)))
    assert r["passed"] is True and r["measured"] == pytest.approx(100, abs=1.0)
    assert r["message_en"] == "100 m from road ĐT940 (invested) (≤ 1.0 km)."


def test_the_interchange_distance_is_a_criterion_of_the_service(world):
    result = proposal_check(
        geometry=rect(0, 0, 500, 400),
        kind="CCN",
        admin_unit="31510",
        criteria={"road_interchange_m": 5000},
        store=False,
    )
    assert road_rule(result)["passed"] is True  # 4 501 m ≤ 5 000 m


def test_the_api_check_says_the_same(world):
    api = APIClient()
    api.force_authenticate(world["staff"])
    r = api.post(
        "/api/v1/proposals/check/",
        {"geometry": rect(0, 0, 500, 400).json, "kind": "CCN", "admin_unit": "31510"},
        format="json",
    )
    assert r.status_code == 200, r.content
    rule = road_rule(r.json())
    assert rule["passed"] is False and "Nút giao QL1" in rule["message_vi"]
    assert "4,5 km" in rule["message_vi"]


def test_a_stored_check_records_the_interchanges_version(world):
    from planning.services.analysis_runs import analysis_run

    run = analysis_run(
        "proposal-check", geometry=rect(4000, 0, 4500, 400), kind="CCN", admin_unit="31510"
    )
    assert run.input_versions["tables"]["planning.RoadInterchange"]["count"] == 1


def test_an_interchange_belongs_to_an_expressway(world):
    bad = m.RoadInterchange(
        code="X", name="X", expressway=world["dt940"], geom=Point(*ll(0, 0)), status="planned"
    )
    with pytest.raises(ValidationError) as refused:
        bad.full_clean()
    assert "expressway" in refused.value.message_dict
    loop = m.RoadInterchange(
        code="Y",
        name="Y",
        expressway=world["ct"],
        crossing_road=world["ct"],
        geom=Point(*ll(0, 0)),
        status="planned",
    )
    with pytest.raises(ValidationError) as refused:
        loop.full_clean()
    assert "crossing_road" in refused.value.message_dict
    # on the expressway: 250 m off passes (≤ 300 m), 400 m off is refused as mis-digitised
    near = m.RoadInterchange(
        code="Z", name="Z", expressway=world["ct"], geom=Point(*ll(0, 150)), status="planned"
    )
    near.full_clean()  # 150 − (−100) = 250 m from the centreline
    near.geom = Point(*ll(0, 300), srid=4326)  # 300 − (−100) = 400 m
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        near.full_clean()
    assert refused.value.message_dict["geom"] == [
        "Nút giao nằm cách Cao tốc Châu Đốc – Cần Thơ – Sóc Trăng 400 m; nút giao phải nằm trên "
        "đường cao tốc (trong phạm vi 300 m)."
    ]


def test_interchanges_are_published_in_wfs(client, world):
    r = client.get(
        "/ows/wfs",
        {
            "service": "WFS",
            "version": "2.0.0",
            "request": "GetFeature",
            "typeNames": "road_interchanges",
            "outputFormat": "application/json",
        },
    )
    assert r.status_code == 200, r.content
    features = r.json()["features"]
    assert len(features) == 1
    props = features[0]["properties"]
    assert props["code"] == "ST-CT-NG-QL1" and props["expressway"] == "ST-CT"
    assert props["is_synthetic"] is True
    lon, lat = features[0]["geometry"]["coordinates"]
    assert (lon, lat) == pytest.approx(ll(5000, -100), abs=1e-7)


def test_interchanges_are_edited_in_the_admin(admin_client, world):
    ic = world["interchange"]
    assert admin_client.get("/admin/planning/roadinterchange/").status_code == 200
    page = admin_client.get(f"/admin/planning/roadinterchange/{ic.pk}/change/")
    assert page.status_code == 200 and "Nút giao QL1" in page.content.decode()
    # only expressways may be chosen: a provincial road is not a valid choice
    r = admin_client.post(
        "/admin/planning/roadinterchange/add/",
        {
            "code": "NG-DT940",
            "name": "Nút giao ĐT940",
            "expressway": world["dt940"].pk,
            "status": "planned",
            "geom": Point(*ll(0, -100), srid=4326).ewkt,
        },
    )
    assert r.status_code == 200 and not m.RoadInterchange.objects.filter(code="NG-DT940").exists()
    assert "expressway" in r.context["adminform"].form.errors
