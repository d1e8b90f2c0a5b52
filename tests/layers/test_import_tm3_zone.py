"""A file without a CRS whose coordinates are VN-2000 TM-3 metres (issue 13 §6): the zone is the
one in which every feature lands inside a province surveyed in it, or the file is refused with
the candidates named — never one zone assumed silently.

The provinces are the demo's real outlines (Open Development Mekong, simplified; pre-2025 Bình
Định, Sóc Trăng, Gia Lai, Cần Thơ, Hậu Giang and the 2025 Gia Lai and Cần Thơ), with their survey
zones from DOMAIN.md §4.1 (Sóc Trăng 9209, Cần Thơ and Hậu Giang 5897, Bình Định 9217, Gia Lai
9218). Files go through the import door a user has: ``POST /api/v1/imports/`` (the Jobs tab
posts there), run by the worker.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from pyproj import Transformer
from rest_framework.test import APIClient

from layers.io.crs import TM3_ZONES, zone_landings
from planning import models as m
from planning.selectors.admin_units import province_outlines
from tests.jobs_support import TASKS_QUEUED, run_queued_jobs

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:'crs' was not provided"),
    pytest.mark.filterwarnings("ignore:Normalized/laundered field name"),
]

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"

# DOMAIN.md §4.2 test vector: WGS 84 (lon 105.97, lat 9.60) → EPSG:9209 E 551 391.16,
# N 1 061 653.35 (Sóc Trăng city, beside KCN An Nghiệp).
CITY_LONLAT = (105.97, 9.60)
CITY_9209 = (551_391.16, 1_061_653.35)
# Near Trần Đề (KCN Trần Đề, DOMAIN.md §6.2), inside Sóc Trăng.
TRAN_DE_LONLAT = (106.10, 9.50)


@pytest.fixture(autouse=True)
def _media_queue_language(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = TASKS_QUEUED
    with translation.override("en"):
        yield


@pytest.fixture
def provinces(db):
    """The demo's province-level units (real outlines) and the 2025 mergers between them."""
    data = json.loads((DEMO / "admin_units.geojson").read_text())
    units = {}
    for feature in data["features"]:
        p = feature["properties"]
        if p["level"] != "province":
            continue
        units[(p["code"], p["valid_from"])] = m.AdminUnit.objects.create(
            code=p["code"],
            name=p["name"],
            level="province",
            boundary=GEOSGeometry(json.dumps(feature["geometry"]), srid=4326),
            valid_from=dt.date.fromisoformat(p["valid_from"]),
            valid_to=dt.date.fromisoformat(p["valid_to"]) if p["valid_to"] else None,
            zone_srid=p["zone_srid"],
        )
    for link in json.loads((DEMO / "admin_succession.json").read_text()):
        old, new = tuple(link["predecessor"]), tuple(link["successor"])
        if old in units and new in units:
            m.AdminUnitSuccession.objects.create(
                predecessor=units[old], successor=units[new], area_share=link["area_share"]
            )
    return units


@pytest.fixture
def can_tho_reviewer(provinces):
    """Sở Công Thương Cần Thơ (2025): may import parks and clusters of the new city, Sóc Trăng
    included."""
    user = get_user_model().objects.create_user("sct_cantho", password="pw-sct-ct")
    m.Membership.objects.create(
        user=user, role="industry_reviewer", admin_unit=provinces[("33", "2025-07-01")]
    )
    return user


def to_9209(lon: float, lat: float) -> tuple[float, float]:
    return Transformer.from_crs(4326, 9209, always_xy=True).transform(lon, lat)


def square(e: float, n: float, half: float = 200.0) -> shapely.Polygon:
    return shapely.box(e - half, n - half, e + half, n + half)


def shapefile_zip_without_prj(tmp_path: Path, geoms, codes) -> bytes:
    """A zipped Shapefile (.shp, .shx, .dbf; no .prj) as a surveyor's export would be."""
    folder = tmp_path / "shp"
    folder.mkdir()
    n = len(codes)
    pyogrio.raw.write(
        str(folder / "khu_cn.shp"),
        np.array([shapely.to_wkb(g) for g in geoms], dtype=object),
        [
            np.array(codes, dtype=object),
            np.array([f"KCN {c}" for c in codes], dtype=object),
            np.array(["KCN"] * n, dtype=object),
            np.array([120.5] * n),
            np.array([80.25] * n),
        ],
        ["code", "name", "kind", "planned_area_ha", "industrial_land_ha"],
        driver="ESRI Shapefile",
        crs=None,
        geometry_type="Polygon",
        encoding="UTF-8",
    )
    assert not (folder / "khu_cn.prj").exists()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, path.name)
    return buffer.getvalue()


def upload(user, name: str, body: bytes) -> dict:
    """POST the file to the import API, run the job as the worker would, return the job."""
    api = APIClient()
    api.force_authenticate(user)
    r = api.post(
        "/api/v1/imports/",
        {
            "layer": "industrial_areas",
            "file": SimpleUploadedFile(name, body),
        },
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 202, r.content
    [done] = run_queued_jobs()
    assert done.pk == r.json()["id"]
    return api.get(r.json()["url"], HTTP_ACCEPT_LANGUAGE="en").json()


def test_the_domain_test_vector():
    # The coordinates the files below are built from (DOMAIN.md §4.2, EPSG:6960 path), to 1 cm.
    e, n = to_9209(*CITY_LONLAT)
    assert (e, n) == pytest.approx(CITY_9209, abs=0.01)


def test_tm3_zones_are_the_eighteen_of_domain_4_1():
    assert TM3_ZONES == (5896, 5897, 5898, 5899, *range(9205, 9219))


def test_soc_trang_shapefile_without_prj_lands_in_soc_trang(can_tho_reviewer, tmp_path):
    """Two parks in TM-3 105°30' metres: one at the DOMAIN test vector, one near Trần Đề.

    Read in 9209 both land in Sóc Trăng, surveyed in 9209. Read in 5897 (105°00', ~55 km west)
    the city park lands in Hậu Giang but the Trần Đề one in Sóc Trăng — not surveyed in 5897;
    read in 9210 (105°45', ~27 km east) the Trần Đề park lands at sea. So only 9209 fits.
    """
    geoms = [square(*CITY_9209), square(*to_9209(*TRAN_DE_LONLAT))]
    body = shapefile_zip_without_prj(tmp_path, geoms, ["ST-1", "ST-2"])
    job = upload(can_tho_reviewer, "khu_cn.zip", body)

    assert job["status"] == "done", job
    warnings = " ".join(job["warnings"])
    assert (
        "the file has no CRS; its coordinates look like VN-2000 TM-3 metres, and only "
        "EPSG:9209 (VN-2000 / TM-3 105-30) puts every feature inside a province surveyed in "
        "that zone (Sóc Trăng (1992–2025)): read in that zone" in warnings
    ), warnings
    # Read in 5897 the city park lands in Hậu Giang, the Trần Đề one in Sóc Trăng: together in
    # Cần Thơ (2025), but the Trần Đề one in a province not surveyed in 5897.
    assert (
        "(read in these zones they also land in a province, but not one surveyed in them: "
        "EPSG:5897 (VN-2000 / TM-3 zone 482) → Cần Thơ (from 2025))" in warnings
    ), warnings
    assert job["source_crs"] == "EPSG:9209 (VN-2000 / TM-3 105-30)", job
    city = m.IndustrialArea.objects.get(code="ST-1")
    centre = city.boundary.centroid
    # The 400 m square around E 551 391.16, N 1 061 653.35 is centred on (105.97, 9.60) (to
    # 1e-6°, 0.1 m: the square's centroid in lon/lat is not exactly the projected centre).
    assert (centre.x, centre.y) == pytest.approx(CITY_LONLAT, abs=1e-6)
    assert city.metric_srid == 5897  # measured in the zone of the unit it was filed under
    assert city.admin_unit.code == "33"  # Cần Thơ (2025), the unit valid today


def test_a_file_that_fits_two_zones_is_refused_naming_both(can_tho_reviewer, tmp_path):
    """One park at the DOMAIN test vector: read in 9209 it lands in Sóc Trăng (9209); read in
    5897 it lands 0.5° west, at (105.47, 9.60), in Hậu Giang (5897). Both fit: refused."""
    body = shapefile_zip_without_prj(tmp_path, [square(*CITY_9209)], ["ST-1"])
    job = upload(can_tho_reviewer, "khu_cn.zip", body)

    assert job["status"] == "failed", job
    assert job["error"] == (
        "the file has no CRS and its coordinates look like VN-2000 TM-3 metres, but 2 zones put "
        "every feature inside a province surveyed in them: EPSG:5897 (VN-2000 / TM-3 zone 482) "
        "→ Hậu Giang (2004–2025); EPSG:9209 (VN-2000 / TM-3 105-30) → Sóc Trăng (1992–2025); "
        "pass srs with the right zone"
    ), job["error"]
    assert m.IndustrialArea.objects.count() == 0


def test_the_refused_file_imports_once_the_zone_is_given(can_tho_reviewer, tmp_path):
    body = shapefile_zip_without_prj(tmp_path, [square(*CITY_9209)], ["ST-1"])
    api = APIClient()
    api.force_authenticate(can_tho_reviewer)
    r = api.post(
        "/api/v1/imports/",
        {
            "layer": "industrial_areas",
            "file": SimpleUploadedFile("khu_cn.zip", body),
            "srs": "9209",
        },
        format="multipart",
    )
    assert r.status_code == 202, r.content
    [job] = run_queued_jobs()
    assert job.status == "done", job.error
    centre = m.IndustrialArea.objects.get(code="ST-1").boundary.centroid
    assert (centre.x, centre.y) == pytest.approx(CITY_LONLAT, abs=1e-6)


def test_a_file_far_from_every_province_is_refused(can_tho_reviewer, tmp_path):
    """Hà Nội (105.85, 21.03) in TM-3 105°00' (5897): E ≈ 588 000, N ≈ 2 326 000 — TM-3-like
    metres, but in no zone do they land in one of the service's provinces."""
    e, n = Transformer.from_crs(4326, 5897, always_xy=True).transform(105.85, 21.03)
    body = shapefile_zip_without_prj(tmp_path, [square(e, n)], ["HN-1"])
    job = upload(can_tho_reviewer, "khu_cn.zip", body)

    assert job["status"] == "failed", job
    assert job["error"].startswith("the file has no CRS and its coordinates (587,"), job["error"]
    assert job["error"].endswith(
        "look like VN-2000 TM-3 metres, but read in any VN-2000 TM-3 zone (EPSG:5896–5899, "
        "9205–9218) its features do not all land inside one of the service's provinces; pass "
        "srs with the zone's EPSG code"
    ), job["error"]
    assert m.IndustrialArea.objects.count() == 0


def test_a_csv_in_binh_dinh_metres_lands_in_binh_dinh(provinces, tmp_path):
    """Quy Nhơn (109.20, 13.77) → EPSG:9217 E 602 532.57, N 1 523 062.89 (DOMAIN.md §4.2), as
    a WKT column of a CSV (a CSV has no CRS). 9218 puts it offshore, 5898 (108°) inside Bình
    Định 0.25° west — surveyed in 9217, not 5898: only 9217 fits."""
    e, n = 602_532.57, 1_523_062.89
    path = tmp_path / "tram.csv"
    path.write_text(f'name,kind,status,WKT\nTBA Quy Nhơn,substation,invested,"POINT ({e} {n})"\n')
    err = io.StringIO()
    call_command(
        "import_layer",
        str(path),
        "--layer",
        "infrastructure_points",
        stderr=err,
        stdout=io.StringIO(),
    )
    assert (
        "only EPSG:9217 (VN-2000 / TM-3 108-15) puts every feature inside a province surveyed "
        "in that zone (Bình Định (1976–2025))" in err.getvalue()
    ), err.getvalue()
    point = m.InfrastructurePoint.objects.get()
    assert (point.geom.x, point.geom.y) == pytest.approx((109.20, 13.77), abs=1e-7)


def test_features_in_two_provinces_of_different_zones_fit_no_zone(provinces):
    """Sóc Trăng city and Quy Nhơn in one file: no zone puts both in one province."""
    geoms = [shapely.Point(CITY_9209), shapely.Point(602_532.57, 1_523_062.89)]
    assert zone_landings(geoms, province_outlines()) == []


def test_a_point_read_in_the_neighbouring_zone_lands_but_does_not_fit(provinces):
    """Near Trần Đề in 9209 metres: 9209 lands in Sóc Trăng and fits; 9210 (27 km east) and 5897
    (55 km west) also land in Sóc Trăng, which is not surveyed in them."""
    landings = zone_landings([shapely.Point(to_9209(*TRAN_DE_LONLAT))], province_outlines())
    found = {(la.zone.epsg, la.province.name, la.fits) for la in landings}
    assert (9209, "Sóc Trăng (1992–2025)", True) in found
    assert [la.zone.epsg for la in landings if la.fits] == [9209]


def test_the_command_refuses_like_the_api(provinces, tmp_path):
    body = shapefile_zip_without_prj(tmp_path, [square(*CITY_9209)], ["ST-1"])
    path = tmp_path / "khu_cn.zip"
    path.write_bytes(body)
    with pytest.raises(CommandError, match=r"2 zones put every feature .* pass --srs with the"):
        call_command(
            "import_layer",
            str(path),
            "--layer",
            "industrial_areas",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_the_refusal_reads_in_vietnamese_by_default(provinces, tmp_path):
    """``manage.py import_layer`` speaks settings.LANGUAGE_CODE (vi), the province names and
    periods too."""
    body = shapefile_zip_without_prj(tmp_path, [square(*CITY_9209)], ["ST-1"])
    path = tmp_path / "khu_cn.zip"
    path.write_bytes(body)
    translation.deactivate()
    try:
        with pytest.raises(CommandError) as caught:
            call_command(
                "import_layer",
                str(path),
                "--layer",
                "industrial_areas",
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
    finally:
        translation.activate("en")
    assert str(caught.value) == (
        "tệp không ghi hệ tọa độ và tọa độ giống mét VN-2000 TM-3, nhưng 2 múi chiếu đều đặt "
        "mọi đối tượng vào trong một tỉnh đo đạc theo múi chiếu đó: EPSG:5897 (VN-2000 / TM-3 "
        "zone 482) → Hậu Giang (2004–2025); EPSG:9209 (VN-2000 / TM-3 105-30) → Sóc Trăng "
        "(1992–2025); hãy ghi đúng múi chiếu vào --srs"
    ), str(caught.value)
