"""Issue 13 section 2 proposal rules through the doors: the stored proposal (REST API, WFS-T,
the model) feeds the same checks (``proposal_validate``), so every door gets the same verdict.

Geometries are drawn in the unit's VN-2000 TM-3 zone (metres) and stored in EPSG:4326; the
service measures them back in that zone, so the hand-worked hectares hold to a few m².
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry
from rest_framework.test import APIClient

from planning import geo
from planning import models as m
from planning.services import proposals as svc
from planning.services.proposal_validation import proposal_validate
from tests.layers.test_wfs_support import PASSWORD, basic, wfs_post, xml

pytestmark = pytest.mark.django_db

API = "/api/v1/proposals/"
BD_ZONE, ST_ZONE = 9217, 9209


def _origin(lon, lat, zone):
    """A point of the zone's grid (20 m), near lon/lat."""
    x, y = geo.transform(shapely.Point(lon, lat), 4326, zone).coords[0]
    return round(x / 20) * 20, round(y / 20) * 20


CAT_HANH = _origin(109.02, 14.02, BD_ZONE)  # inside Xã Cát Hanh (conftest, 108.95–109.10 E)
AN_HIEP = _origin(105.93, 9.65, ST_ZONE)  # inside Xã An Hiệp (conftest, 105.88–105.98 E)


def rect(origin, x0, y0, x1, y1):
    ox, oy = origin
    return shapely.box(ox + x0, oy + y0, ox + x1, oy + y1)


def geojson(metric):
    return json.loads(shapely.to_geojson(metric))


def lonlat(metric, zone):
    multi = shapely.MultiPolygon([geo.transform(metric, zone, 4326)])
    return GEOSGeometry(shapely.to_wkt(multi), srid=4326)


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def rules(validation):
    return {r["rule"]: r for r in validation["rules"]}


@pytest.fixture
def people(binh_dinh, soc_trang):
    province, commune = binh_dinh
    _, st_commune = soc_trang
    out = {}
    for name, role, unit in (
        ("canbo", "commune_staff", commune),
        ("canbo_st", "commune_staff", st_commune),
        ("sct", "industry_reviewer", province),
        ("bql", "ezone_reviewer", province),
    ):
        out[name] = get_user_model().objects.create_user(name, password=PASSWORD)
        m.Membership.objects.create(user=out[name], role=role, admin_unit=unit)
    return out


def create(user, *, zone, metric, crs_unit="21907", **fields):
    r = api(user).post(
        API,
        {
            "name": fields.pop("name", "Đề xuất thử"),
            "kind": fields.pop("kind", "KCN"),
            "admin_unit": crs_unit,
            "geometry": geojson(metric),
            "crs": f"EPSG:{zone}",
            **fields,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    return r.json()


# --- KCN over 500 ha: the two real parks, through the REST API ---------------------------------
# Becamex VSIP Bình Định 1,000 ha: 2,000 m × 5,000 m; two phases of 2,000 × 2,500 m = 500 ha.
VSIP = rect(CAT_HANH, 0, 0, 2000, 5000)
VSIP_PHASES = [
    {"number": 1, "year": 2020, "geometry": geojson(rect(CAT_HANH, 0, 0, 2000, 2500))},
    {"number": 2, "year": 2026, "geometry": geojson(rect(CAT_HANH, 0, 2500, 2000, 5000))},
]


def test_vsip_with_its_phases_is_submitted_through_the_api(people):
    d = create(people["canbo"], zone=BD_ZONE, metric=VSIP, phases=VSIP_PHASES)
    assert d["area_ha"] == pytest.approx(1000.0, abs=0.01)
    assert [(p["number"], p["year"], round(p["area_ha"], 1)) for p in d["phases"]] == [
        (1, 2020, 500.0),
        (2, 2026, 500.0),
    ]
    r = api(people["canbo"]).post(f"{API}{d['id']}/submit/", {}, format="json")
    assert r.status_code == 200, r.content
    checks = rules(r.json()["validation"])
    assert checks["phases"]["passed"] is True and checks["area_limits"]["passed"] is True
    assert "35/2022" in checks["phases"]["citation"]


def test_vsip_without_phases_is_refused_saying_to_add_them(people):
    d = create(people["canbo"], zone=BD_ZONE, metric=VSIP)
    r = api(people["canbo"]).post(f"{API}{d['id']}/submit/", {}, format="json")
    assert r.status_code == 400
    error = r.json()["error"]
    failed = {f["rule"] for f in error["details"]["failed_rules"]}
    assert failed == {"area_limits", "phases"}
    assert (
        "bổ sung các giai đoạn" in error["message"]
    )  # "add its phases", in the service's language
    assert m.Proposal.objects.get(pk=d["id"]).status == "draft"


def test_phu_my_with_stated_phase_areas_after_a_patch(people):
    # 840.5 ha: 2,000 m × 4,202.5 m; phase 1 437 ha, the rest 403.5 ha (areas only).
    d = create(people["canbo"], zone=BD_ZONE, metric=rect(CAT_HANH, 0, 0, 2000, 4202.5))
    assert d["area_ha"] == pytest.approx(840.5, abs=0.01)
    r = api(people["canbo"]).patch(
        f"{API}{d['id']}/",
        {"phases": [{"year": 2025, "area_ha": 437}, {"year": 2029, "area_ha": 403.5}]},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert [p["number"] for p in r.json()["phases"]] == [1, 2]
    v = proposal_validate(m.Proposal.objects.get(pk=d["id"]))
    assert rules(v)["phases"]["passed"] is True and rules(v)["area_limits"]["passed"] is True


def test_phases_change_only_with_a_draft(people):
    d = create(people["canbo"], zone=BD_ZONE, metric=VSIP, phases=VSIP_PHASES)
    api(people["canbo"]).post(f"{API}{d['id']}/submit/", {}, format="json")
    p = m.Proposal.objects.get(pk=d["id"])
    assert p.status == "submitted"
    phase = p.phases.get(number=1)
    phase.year = 2019
    with pytest.raises(m.WorkflowViolation):
        phase.save()
    with pytest.raises(m.WorkflowViolation):
        m.ProposalPhase.objects.filter(proposal=p).update(year=2019)
    with pytest.raises(m.WorkflowViolation):
        m.ProposalPhase.objects.filter(proposal=p).delete()
    r = api(people["canbo"]).patch(f"{API}{d['id']}/", {"phases": []}, format="json")
    assert r.status_code == 409
    assert p.phases.count() == 2


# --- CCN 5 ha minimum for a craft village: REST API and WFS-T give the same verdict ------------
EIGHT_HA = rect(CAT_HANH, 3000, 0, 3400, 200)  # 400 m × 200 m = 8 ha


def _wfs_insert(craft: bool) -> str:
    ring = " ".join(f"{x:.3f} {y:.3f}" for x, y in EIGHT_HA.exterior.coords)
    return f"""<wfs:Transaction service="WFS" version="2.0.0"
      xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"
      xmlns:kcn="http://kcn-planner.vn/kcn">
     <wfs:Insert><kcn:proposals gml:id="new-1">
       <kcn:name>Cụm công nghiệp làng nghề Cát Hanh</kcn:name><kcn:kind>CCN</kcn:kind>
       <kcn:admin_unit>21907</kcn:admin_unit>
       <kcn:is_craft_village>{"true" if craft else "false"}</kcn:is_craft_village>
       <kcn:geom><gml:Polygon gml:id="g1" srsName="http://www.opengis.net/def/crs/EPSG/0/9217">
        <gml:exterior><gml:LinearRing><gml:posList srsDimension="2">{ring}</gml:posList>
        </gml:LinearRing></gml:exterior></gml:Polygon></kcn:geom>
     </kcn:proposals></wfs:Insert></wfs:Transaction>"""


@pytest.mark.parametrize("craft", [True, False], ids=["craft-village", "ordinary"])
def test_8_ha_ccn_same_verdict_through_wfs_t_and_the_api(client, people, craft):
    r = wfs_post(client, _wfs_insert(craft), HTTP_AUTHORIZATION=basic("canbo"))
    assert r.status_code == 200, r.content
    rid = xml(r).find(".//{http://www.opengis.net/fes/2.0}ResourceId").get("rid")
    by_wfs = m.Proposal.objects.get(pk=int(rid.rpartition(".")[2]))
    assert by_wfs.is_craft_village is craft
    by_api = create(
        people["canbo"], zone=BD_ZONE, metric=EIGHT_HA, kind="CCN", is_craft_village=craft
    )
    verdicts = []
    for p in (by_wfs, m.Proposal.objects.get(pk=by_api["id"])):
        area = rules(proposal_validate(p))["area_limits"]
        assert area["measured"] == pytest.approx(8.0, abs=0.001)
        verdicts.append(area["passed"])
    assert verdicts == [craft, craft]  # 8 ha ≥ 5 ha (craft village); < 10 ha otherwise


# --- expansion -----------------------------------------------------------------------------------
@pytest.fixture
def xay_da_b(binh_dinh):
    """An existing CCN of 60 ha, 40 ha leasable, 22 ha leased (55 %), infrastructure built."""
    _, commune = binh_dinh
    return m.IndustrialArea.objects.create(
        code="CCN-TEST-60",
        name="CCN thử 60 ha",
        kind="CCN",
        boundary=lonlat(rect(CAT_HANH, -2000, 0, -1000, 600), BD_ZONE),
        planned_area_ha=Decimal("60"),
        industrial_land_ha=Decimal("40"),
        leased_land_ha=Decimal("22"),
        status="operating",
        admin_unit=commune,
        roads_done_pct=100,
        water_done_pct=100,
        wastewater_done_pct=100,
        wwtp_operating=True,
    )


def test_expansion_to_80_ha_is_refused(people, xay_da_b):
    # 60 ha + 400 m × 500 m = 20 ha → 80 ha > 75 ha.
    d = create(
        people["canbo"],
        zone=BD_ZONE,
        metric=rect(CAT_HANH, -1000, 0, -600, 500),
        kind="CCN",
        expands=xay_da_b.code,
    )
    assert d["expands"] == "CCN-TEST-60"
    r = api(people["canbo"]).post(f"{API}{d['id']}/submit/", {}, format="json")
    assert r.status_code == 400
    failed = r.json()["error"]["details"]["failed_rules"]
    (area,) = [f for f in failed if f["rule"] == "area_limits"]
    assert area["measured"] == pytest.approx(80.0, abs=0.01) and area["limit"] == 75.0


def test_expansion_at_55_percent_passes_once_a_reviewer_confirms_the_demand(people, xay_da_b):
    # 60 + 300 m × 300 m = 9 ha → 69 ha ≤ 75 ha; occupancy 22 / 40 = 55 % < 60 %.
    d = create(
        people["canbo"],
        zone=BD_ZONE,
        metric=rect(CAT_HANH, -1000, 0, -700, 300),
        kind="CCN",
        expands=xay_da_b.code,
        demand_exceeds_existing=True,
        demand_statement="12 nhà đầu tư đăng ký thuê 30 ha.",
    )
    staff, reviewer = api(people["canbo"]), api(people["sct"])
    r = staff.post(f"{API}{d['id']}/submit/", {}, format="json")
    assert r.status_code == 200, r.content
    occ = rules(r.json()["validation"])["expansion_occupancy"]
    assert occ["passed"] is False and occ["measured"] == pytest.approx(0.55)
    assert rules(r.json()["validation"])["expansion_infrastructure"]["passed"] is True
    # The proposer cannot confirm it; the reviewer can, after starting the review.
    assert staff.post(f"{API}{d['id']}/confirm-demand/", {}, format="json").status_code == 403
    assert reviewer.post(f"{API}{d['id']}/review/", {}, format="json").status_code == 200
    r = reviewer.post(
        f"{API}{d['id']}/confirm-demand/", {"comment": "Đã kiểm tra hồ sơ"}, format="json"
    )
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["demand_confirmed_at"] is not None and "confirm-demand" not in out["actions"]
    assert rules(out["validation"])["expansion_occupancy"]["passed"] is True
    assert [e["action"] for e in out["events"]][-1] == "demand_confirmed"
    # The confirmation is the workflow's: no door writes it.
    with pytest.raises(m.WorkflowViolation):
        m.Proposal.objects.filter(pk=d["id"]).update(demand_confirmed_at=None)


def test_a_demand_cannot_be_confirmed_unless_stated(people, xay_da_b):
    d = create(
        people["canbo"],
        zone=BD_ZONE,
        metric=rect(CAT_HANH, -1000, 0, -700, 300),
        kind="CCN",
        expands=xay_da_b.code,
    )
    api(people["canbo"]).post(f"{API}{d['id']}/submit/", {}, format="json")
    r = api(people["sct"]).post(f"{API}{d['id']}/confirm-demand/", {}, format="json")
    assert r.status_code == 400


def test_expansion_condition_4_reads_the_area_infrastructure(people, xay_da_b):
    m.IndustrialArea.objects.filter(pk=xay_da_b.pk).update(wastewater_done_pct=70)
    d = create(
        people["canbo"],
        zone=BD_ZONE,
        metric=rect(CAT_HANH, -1000, 0, -700, 300),
        kind="CCN",
        expands=xay_da_b.code,
    )
    v = proposal_validate(m.Proposal.objects.get(pk=d["id"]))
    infra = rules(v)["expansion_infrastructure"]
    assert infra["passed"] is False and "70" in infra["message"]


# --- land-use breakdown --------------------------------------------------------------------------
def test_isolation_strip_and_services_share_from_the_stored_breakdown(people):
    # CCN 50 ha (1,000 m × 500 m): services 6 ha = 12 % > 10 %; isolation strip 8 m < 10 m.
    d = create(
        people["canbo"],
        zone=BD_ZONE,
        metric=rect(CAT_HANH, 0, -2000, 1000, -1500),
        kind="CCN",
        industrial_land_ha=35,
        services_land_ha=6,
        green_land_ha=5,
        isolation_strip_m=8,
    )
    v = rules(proposal_validate(m.Proposal.objects.get(pk=d["id"])))
    assert v["services_share"]["passed"] is False
    assert v["services_share"]["measured"] == pytest.approx(0.12, abs=1e-4)
    assert v["isolation_strip"]["passed"] is False and v["isolation_strip"]["measured"] == 8.0
    # Without a breakdown: not checked, saying so.
    d = create(
        people["canbo"], zone=BD_ZONE, metric=rect(CAT_HANH, 0, -2000, 1000, -1500), kind="CCN"
    )
    v = rules(proposal_validate(m.Proposal.objects.get(pk=d["id"])))
    assert v["isolation_strip"]["passed"] is None and v["services_share"]["passed"] is None


# --- rice land, from a land-cover raster -------------------------------------------------------
def _register_rasters(settings, tmp_path, code, zone, origin, rice_box):
    """Four 20 m rasters of province ``code`` around ``origin``: land cover 1 (2-crop rice) in
    ``rice_box`` (metres relative to origin), 6 (unused) elsewhere; no flooding."""
    settings.KCN_RASTER_DIR = str(tmp_path)
    ox, oy = origin
    width, height = 400, 400  # 8 km × 8 km from (ox − 2 km, oy − 2 km)
    transform = Affine(20, 0, ox - 2000, 0, -20, oy - 2000 + height * 20)
    cols = np.arange(width) * 20 + 10 + ox - 2000  # cell centres
    rows = oy - 2000 + height * 20 - (np.arange(height) * 20 + 10)
    xx, yy = np.meshgrid(cols - ox, rows - oy)
    x0, y0, x1, y1 = rice_box
    landcover = np.where((xx > x0) & (xx < x1) & (yy > y0) & (yy < y1), 1, 6).astype("uint8")
    for kind, data in (
        ("landcover", landcover),
        ("flood", np.zeros((height, width), "float32")),
        ("dem", np.full((height, width), 5, "float32")),
        ("population", np.zeros((height, width), "float32")),
    ):
        path = tmp_path / f"{kind}_{code}.tif"
        with rasterio.open(
            path,
            "w",
            driver="GTiff",
            width=width,
            height=height,
            count=1,
            dtype=data.dtype,
            crs=f"EPSG:{zone}",
            transform=transform,
        ) as ds:
            ds.write(data, 1)
        m.RasterLayer.objects.create(
            name=f"{kind}:{code}:20",
            kind=kind,
            path=path.name,
            srid=zone,
            resolution_m=20,
            is_synthetic=True,
        )


def test_rice_above_200_ha_in_a_mekong_unit_fails_unless_phased(people, settings, tmp_path):
    # KCN 300 ha (2,000 × 1,500 m) all 2-crop rice, in Sóc Trăng (Mekong Delta: 200 ha).
    _register_rasters(settings, tmp_path, "94", ST_ZONE, AN_HIEP, (0, 0, 2000, 1500))
    site = rect(AN_HIEP, 0, 0, 2000, 1500)
    d = create(people["canbo_st"], zone=ST_ZONE, metric=site, crs_unit="31510")
    rice = rules(proposal_validate(m.Proposal.objects.get(pk=d["id"])))["rice_phasing"]
    assert rice["passed"] is False and rice["limit"] == 200.0
    assert rice["measured"] == pytest.approx(300.0, abs=0.5)  # 7,500 cells of 0.04 ha
    # Two phases of 1,000 × 1,500 m = 150 ha of rice each ≤ 200 ha.
    halves = [
        {"number": 1, "geometry": geojson(rect(AN_HIEP, 0, 0, 1000, 1500))},
        {"number": 2, "geometry": geojson(rect(AN_HIEP, 1000, 0, 2000, 1500))},
    ]
    r = api(people["canbo_st"]).patch(
        f"{API}{d['id']}/", {"phases": halves, "crs": f"EPSG:{ST_ZONE}"}, format="json"
    )
    assert r.status_code == 200, r.content
    rice = rules(proposal_validate(m.Proposal.objects.get(pk=d["id"])))["rice_phasing"]
    assert rice["passed"] is True and rice["measured"] == pytest.approx(150.0, abs=0.5)


def test_the_150_ha_limit_applies_in_binh_dinh(people, settings, tmp_path):
    # KCN 180 ha (1,800 × 1,000 m) of rice in Bình Định (Central Coast: 150 ha): fails.
    _register_rasters(settings, tmp_path, "52", BD_ZONE, CAT_HANH, (0, 0, 1800, 1000))
    d = create(people["canbo"], zone=BD_ZONE, metric=rect(CAT_HANH, 0, 0, 1800, 1000))
    v = proposal_validate(m.Proposal.objects.get(pk=d["id"]))
    rice = rules(v)["rice_phasing"]
    assert rice["passed"] is False and rice["limit"] == 150.0
    assert rice["measured"] == pytest.approx(180.0, abs=0.5)
    assert any("Bình Định" in n for n in v["notes"])


def test_new_gia_lai_resolves_its_region_by_the_legacy_province(
    people, binh_dinh, settings, tmp_path
):
    # A commune of the 2025 Gia Lai (code 24) over old Bình Định: Central Coast, 150 ha.
    _register_rasters(settings, tmp_path, "52", BD_ZONE, CAT_HANH, (0, 0, 1800, 1000))
    province_2025 = m.AdminUnit.objects.create(
        code="24",
        name="Gia Lai",
        level="province",
        boundary=binh_dinh[0].boundary,
        valid_from=dt.date(2025, 7, 1),
        zone_srid=BD_ZONE,
    )
    commune_2025 = m.AdminUnit.objects.create(
        code="21907-25",
        name="Xã Cát Tiến (2025)",
        level="commune",
        parent=province_2025,
        boundary=binh_dinh[1].boundary,
        valid_from=dt.date(2025, 7, 1),
        zone_srid=BD_ZONE,
        is_synthetic=True,
    )
    m.Membership.objects.create(user=people["canbo"], role="commune_staff", admin_unit=commune_2025)
    p = svc.proposal_create(
        people["canbo"],
        name="KCN thử Gia Lai 2025",
        kind="KCN",
        admin_unit=commune_2025,
        geometry=lonlat(rect(CAT_HANH, 0, 0, 1800, 1000), BD_ZONE),
    )
    rice = rules(proposal_validate(p))["rice_phasing"]
    assert rice["limit"] == 150.0 and rice["passed"] is False
    assert "Duyên hải miền Trung" in rice["message_vi"]


# --- the form's live check (POST /api/v1/proposals/check/) agrees with the stored verdict -------
def test_live_check_reads_the_stated_phases_and_breakdown(people):
    check = api(people["canbo"])
    base = {
        "geometry": geojson(rect(CAT_HANH, 0, 0, 2000, 4202.5)),  # Phú Mỹ, 840.5 ha
        "crs": f"EPSG:{BD_ZONE}",
        "kind": "KCN",
        "admin_unit": "21907",
        "store": False,
    }
    r = check.post("/api/v1/proposals/check/", base, format="json")
    assert r.status_code == 200, r.content
    assert rules(r.json())["phases"]["passed"] is False
    r = check.post(
        "/api/v1/proposals/check/",
        {**base, "phase_areas": [437, 403.5], "land_use": {"isolation_strip_m": 8}},
        format="json",
    )
    assert r.status_code == 200, r.content
    live = rules(r.json())
    assert live["phases"]["passed"] is True and live["area_limits"]["passed"] is True
    assert live["isolation_strip"]["passed"] is False  # 8 m < 10 m
    # The same figures stored on a proposal give the same verdicts.
    d = create(
        people["canbo"],
        zone=BD_ZONE,
        metric=rect(CAT_HANH, 0, 0, 2000, 4202.5),
        phases=[{"area_ha": 437}, {"area_ha": 403.5}],
        isolation_strip_m=8,
    )
    stored = rules(proposal_validate(m.Proposal.objects.get(pk=d["id"])))
    for rule in ("area_limits", "phases", "isolation_strip", "rice_phasing"):
        assert stored[rule]["passed"] == live[rule]["passed"], rule
    r = check.post("/api/v1/proposals/check/", {**base, "land_use": {"shops_ha": 3}}, format="json")
    assert r.status_code == 400 and "shops_ha" in r.content.decode()


# --- the admin: phases inline, editable only with a draft -------------------------------------
def test_admin_shows_phases_inline_editable_only_for_drafts(admin_client, people):
    d = create(people["canbo"], zone=BD_ZONE, metric=VSIP, phases=VSIP_PHASES)
    page = admin_client.get(f"/admin/planning/proposal/{d['id']}/change/").content.decode()
    assert 'name="phases-TOTAL_FORMS"' in page and 'name="phases-0-year"' in page
    api(people["canbo"]).post(f"{API}{d['id']}/submit/", {}, format="json")
    page = admin_client.get(f"/admin/planning/proposal/{d['id']}/change/").content.decode()
    assert 'name="phases-0-year"' not in page  # shown, not editable
    assert "2026" in page


def test_a_changed_demand_statement_needs_a_new_confirmation(people, xay_da_b):
    d = create(
        people["canbo"],
        zone=BD_ZONE,
        metric=rect(CAT_HANH, -1000, 0, -700, 300),
        kind="CCN",
        expands=xay_da_b.code,
        demand_exceeds_existing=True,
        demand_statement="12 nhà đầu tư đăng ký thuê 30 ha.",
    )
    staff, reviewer = api(people["canbo"]), api(people["sct"])
    staff.post(f"{API}{d['id']}/submit/", {}, format="json")
    reviewer.post(f"{API}{d['id']}/review/", {}, format="json")
    reviewer.post(f"{API}{d['id']}/confirm-demand/", {}, format="json")
    r = reviewer.post(
        f"{API}{d['id']}/request-changes/", {"comment": "Bổ sung hồ sơ."}, format="json"
    )
    assert r.status_code == 200 and r.json()["demand_confirmed_at"] is not None
    r = staff.patch(
        f"{API}{d['id']}/", {"demand_statement": "20 nhà đầu tư, 45 ha."}, format="json"
    )
    assert r.status_code == 200 and r.json()["demand_confirmed_at"] is None


# --- issue 13 lead: an approved expansion enlarges the area it expands ----------------------------
def test_an_approved_expansion_enlarges_the_area_instead_of_creating_one(people, xay_da_b):
    # 60 ha + 300 m × 300 m = 9 ha → 69 ha; occupancy 55 %, demand confirmed by the reviewer.
    d = create(
        people["canbo"],
        zone=BD_ZONE,
        metric=rect(CAT_HANH, -1000, 0, -700, 300),
        kind="CCN",
        expands=xay_da_b.code,
        demand_exceeds_existing=True,
        demand_statement="12 nhà đầu tư đăng ký thuê 30 ha.",
    )
    staff, reviewer = api(people["canbo"]), api(people["sct"])
    assert staff.post(f"{API}{d['id']}/submit/", {}, format="json").status_code == 200
    assert reviewer.post(f"{API}{d['id']}/review/", {}, format="json").status_code == 200
    assert reviewer.post(f"{API}{d['id']}/confirm-demand/", {}, format="json").status_code == 200
    areas_before = m.IndustrialArea.objects.count()
    r = reviewer.post(f"{API}{d['id']}/approve/", {"comment": "Đồng ý"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved" and r.json()["resulting_area"] is None
    assert m.IndustrialArea.objects.count() == areas_before  # no second record
    xay_da_b.refresh_from_db()
    assert xay_da_b.planned_area_ha == Decimal("69.00")  # 60 + 9
    assert xay_da_b.status == "operating"  # keeps its status and code
    added = lonlat(rect(CAT_HANH, -1000, 0, -700, 300), BD_ZONE)
    assert xay_da_b.boundary.contains(added.point_on_surface)
    assert xay_da_b.boundary_area_ha == pytest.approx(69.0, abs=0.01)  # 60 + 9 ha measured
    last = xay_da_b.history.first()
    assert last.history_user == people["sct"] and d["code"] in last.history_change_reason


def test_an_approved_proposal_on_the_plan_links_its_entry_to_the_new_area(people, binh_dinh):
    province, _ = binh_dinh
    plan = m.ProvincialPlan.objects.create(
        code="QH-TEST",
        name="Quy hoạch thử",
        province=province,
        decision_number="1/QĐ-TTg",
        decision_date=dt.date(2023, 12, 14),
        decision_agency="Thủ tướng Chính phủ",
        period_start=2021,
        period_end=2030,
    )
    entry = m.PlanEntry.objects.create(
        plan=plan,
        code="QH-TEST-CCN-1",
        name="CCN trong quy hoạch",
        kind="CCN",
        planned_area_ha=Decimal("20"),
    )
    # 400 m × 500 m = 20 ha, on the plan's entry.
    d = create(
        people["canbo"],
        zone=BD_ZONE,
        metric=rect(CAT_HANH, 3000, 0, 3400, 500),
        kind="CCN",
        plan_entry=entry.code,
    )
    reviewer = api(people["sct"])
    assert (
        api(people["canbo"]).post(f"{API}{d['id']}/submit/", {}, format="json").status_code == 200
    )
    assert reviewer.post(f"{API}{d['id']}/review/", {}, format="json").status_code == 200
    r = reviewer.post(f"{API}{d['id']}/approve/", {}, format="json")
    assert r.status_code == 200, r.content
    entry.refresh_from_db()
    assert entry.area is not None and entry.area.code == r.json()["resulting_area"]["code"]
