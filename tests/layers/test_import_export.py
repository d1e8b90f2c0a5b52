"""import_layer / export_layer: formats, VN-2000 CRSs, modes, and refusing bad input whole.

Test files are written in tmp_path with pyogrio (or by hand for CSV and GeoJSON). Coordinates
in VN-2000 come from pyproj's EPSG:4326 -> EPSG:9217 / 9209 transformations (the EPSG:6960
path, DOMAIN.md §4.2), so the expected lon/lat after import are the ones we started from.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.raw
import pytest
import shapely
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation
from pyproj import Transformer

from layers.catalogue import CATALOGUE, get_layer
from layers.io.shapefile_names import MAX_LEN, shapefile_names
from planning.models import (
    AdminUnit,
    ClearanceParcel,
    DatasetLoad,
    Developer,
    IndustrialArea,
    InfrastructurePoint,
    Obstacle,
    Proposal,
    SecondaryProject,
    workflow_write,
)
from tests.conftest import box4326

# The tests write Shapefiles with long names on purpose; GDAL says it cut them.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Normalized/laundered field name"),
    pytest.mark.filterwarnings("ignore:'crs' was not provided"),
]


@pytest.fixture(autouse=True)
def _in_english():
    """These tests read the commands' English messages; the Vietnamese ones (the default) are
    checked in tests/layers/test_import_messages.py."""
    with translation.override("en"):
        yield


# Inside the synthetic commune Xã Cát Hanh of the binh_dinh fixture (108.95–109.1, 13.95–14.1).
LON0, LAT0 = 109.0, 14.0


def area_polygon(k: int = 0, size: float = 0.01) -> shapely.Polygon:
    """A lon/lat square in the commune; k shifts it east so areas do not overlap."""
    x0 = LON0 + k * 0.015
    return shapely.box(x0, LAT0, x0 + size, LAT0 + size)


def to_crs(geom, srid: int):
    t = Transformer.from_crs("EPSG:4326", f"EPSG:{srid}", always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def write_layer(
    path: Path,
    geoms,
    fields: dict[str, list],
    *,
    crs: str | None,
    driver: str,
    geometry_type: str = "Polygon",
) -> Path:
    arrays = [
        np.array(v, dtype=object) if isinstance(v[0], str) else np.array(v) for v in fields.values()
    ]
    pyogrio.raw.write(
        str(path),
        np.array([shapely.to_wkb(g) for g in geoms], dtype=object),
        arrays,
        list(fields),
        driver=driver,
        crs=crs,
        geometry_type=geometry_type,
        **({"encoding": "UTF-8"} if driver == "ESRI Shapefile" else {}),
    )
    return path


def area_fields(codes, **extra) -> dict[str, list]:
    n = len(codes)
    fields = {
        "code": list(codes),
        "name": [f"KCN {c}" for c in codes],
        "kind": ["KCN"] * n,
        "planned_area_ha": [120.5] * n,
        "industrial_land_ha": [80.25] * n,
    }
    fields.update(extra)
    return fields


def zip_dir(src_dir: Path, out: Path, *, skip_suffixes=()) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(src_dir.iterdir()):
            if p.suffix.lower() not in skip_suffixes:
                zf.write(p, p.name)
    return out


def run(command: str, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def coords(geom) -> np.ndarray:
    """Vertices in a canonical order (Shapefiles store exterior rings clockwise, GeoJSON
    anticlockwise; the figure is the same)."""
    shp = geom if isinstance(geom, shapely.Geometry) else shapely.from_wkb(bytes(geom.wkb))
    return shapely.get_coordinates(shapely.normalize(shp))


@pytest.fixture
def developer(db):
    return Developer.objects.create(name="Tổng công ty Becamex IDC", kind="enterprise")


@pytest.fixture
def two_areas(binh_dinh, developer):
    _province, commune = binh_dinh
    common = dict(
        kind="KCN", admin_unit=commune, developer=developer, province_name_reported="Bình Định"
    )
    a = IndustrialArea.objects.create(
        code="KCN-A",
        name="KCN Nhơn Hội (Khu A)",
        boundary=box4326(*area_polygon(0).bounds),
        planned_area_ha=Decimal("630.00"),
        industrial_land_ha=Decimal("420.50"),
        leased_land_ha=Decimal("300.25"),
        green_land_ha=Decimal("60.00"),
        status="operating",
        established_on=dt.date(2005, 6, 14),
        planning_decision="QĐ 1234/QĐ-TTg",
        total_investment_bn_vnd=Decimal("2500.75"),
        lease_price_usd_m2=Decimal("65.50"),
        roads_done_pct=100,
        power_done_pct=90,
        wwtp_operating=True,
        eco_status="planned",
        is_smart=False,
        **common,
    )
    b = IndustrialArea.objects.create(
        code="CCN-B",
        name="CCN Cát Nhơn",
        boundary=box4326(*area_polygon(1).bounds),
        planned_area_ha=Decimal("48.00"),
        industrial_land_ha=Decimal("30.00"),
        status="planned",
        is_mountainous=True,
        **{**common, "kind": "CCN"},
    )
    return a, b


# --- round trips ------------------------------------------------------------------------------

COMPARED = [f for f in get_layer("industrial_areas").fields if f != "boundary_area_ha"]


@pytest.mark.parametrize(
    "suffix", [".geojson", ".gpkg", ".zip"], ids=["geojson", "gpkg", "shapefile"]
)
@pytest.mark.django_db
def test_round_trip_keeps_fields_and_geometry(two_areas, tmp_path, suffix):
    commune = two_areas[0].admin_unit
    before = {
        a.code: ({f: getattr(a, f) for f in COMPARED}, a.boundary.clone(), a.boundary_area_ha)
        for a in IndustrialArea.objects.all()
    }
    out_path = tmp_path / f"areas{suffix}"
    out, _ = run("export_layer", "--layer", "industrial_areas", out_path)
    assert "Exported 2 features of industrial_areas" in out

    IndustrialArea.objects.all().delete()
    out, err = run("import_layer", out_path, "--layer", "industrial_areas")

    assert "2 created, 0 updated, 0 deleted" in out
    assert "computed fields are not read from the file: " in err  # boundary_area_ha / bound_ha
    assert IndustrialArea.objects.count() == 2
    for area in IndustrialArea.objects.all():
        fields, boundary, area_ha = before[area.code]
        assert {f: getattr(area, f) for f in COMPARED} == fields
        assert area.admin_unit == commune  # exported as its code, resolved back
        assert area.developer == two_areas[0].developer  # exported by name, resolved back
        assert abs(area.boundary_area_ha - area_ha) <= 1e-4 * area_ha
        assert abs(area.boundary.area - boundary.area) <= 1e-4 * boundary.area
        np.testing.assert_allclose(coords(area.boundary), coords(boundary), atol=1e-9)


@pytest.mark.parametrize(
    "suffix", [".geojson", ".gpkg", ".zip"], ids=["geojson", "gpkg", "shapefile"]
)
@pytest.mark.django_db
def test_round_trip_keeps_date_times(binh_dinh, tmp_path, suffix):
    # Written as UTC (flagged, or ISO text with offset in a Shapefile), read back aware.
    # A proposal sent back for changes: editable, with the submission date the workflow wrote.
    # Re-importing it may change its content, and only if the file's date reads back exactly
    # equal to the stored one (the workflow fields cannot change through an import).
    submitted = dt.datetime(
        2026, 3, 2, 8, 30, 15, 250000, tzinfo=dt.timezone(dt.timedelta(hours=7))
    )
    with workflow_write("fixture"):
        Proposal.objects.create(
            code="DX-1",
            name="CCN Cát Hanh",
            geom=box4326(109.02, 14.02, 109.03, 14.03),
            admin_unit=binh_dinh[1],
            submitted_at=submitted,
            status="changes_requested",
        )
    out_path = tmp_path / f"proposals{suffix}"
    run("export_layer", "--layer", "proposals", out_path)
    Proposal.objects.update(name="changed")
    user = get_user_model().objects.create_superuser("quan_tri_nhap", password="x")
    out, _ = run(
        "import_layer",
        out_path,
        "--layer",
        "proposals",
        "--mode",
        "upsert",
        "--user",
        user.username,
    )

    assert "0 created, 1 updated" in out
    proposal = Proposal.objects.get()
    assert (proposal.name, proposal.submitted_at, proposal.decided_at) == (
        "CCN Cát Hanh",
        submitted,
        None,
    )
    assert list(proposal.events.values_list("action", "comment")) == [
        ("edited", f"import_layer: {out_path.name}")
    ]


@pytest.mark.django_db
def test_published_relations_export_as_their_lookup_value(two_areas, tmp_path):
    out_path = tmp_path / "areas.gpkg"
    run("export_layer", "--layer", "industrial_areas", out_path)
    meta, _, _, data = pyogrio.raw.read(str(out_path))
    column = dict(zip(meta["fields"], data, strict=True))
    assert list(column["developer"]) == [two_areas[0].developer.name] * 2
    assert list(column["admin_unit"]) == ["21907"] * 2

    IndustrialArea.objects.all().delete()
    run("import_layer", out_path, "--layer", "industrial_areas")
    assert {a.developer for a in IndustrialArea.objects.all()} == {two_areas[0].developer}


# --- VN-2000 Shapefiles -----------------------------------------------------------------------


def vn2000_zip(
    tmp_path: Path, *, srid: int = 9217, with_prj: bool = True, extra=None
) -> tuple[Path, list]:
    lonlat = [area_polygon(0), area_polygon(1, size=0.005)]
    folder = tmp_path / "shp"
    folder.mkdir()
    write_layer(
        folder / "khu_cn.shp",
        [to_crs(g, srid) for g in lonlat],
        area_fields(["VN-1", "VN-2"], **(extra or {})),
        crs=f"EPSG:{srid}",
        driver="ESRI Shapefile",
    )
    skip = () if with_prj else (".prj",)
    return zip_dir(folder, tmp_path / "khu_cn.zip", skip_suffixes=skip), lonlat


@pytest.mark.django_db
def test_zipped_shapefile_in_vn2000_lands_on_the_original_lon_lat(binh_dinh, tmp_path):
    path, lonlat = vn2000_zip(tmp_path)
    out, err = run("import_layer", path, "--layer", "industrial_areas")

    assert "from khu_cn.zip!khu_cn.shp (EPSG:9217 (VN-2000 / TM-3 108-15))" in out
    assert "2 created" in out
    assert "assuming" not in err  # the .prj was read
    # GDAL cut the long names to 10 characters when writing; they still find their fields.
    assert "matched truncated Shapefile field names: planned_ar → planned_area_ha" in err
    for code, original in zip(["VN-1", "VN-2"], lonlat, strict=True):
        area = IndustrialArea.objects.get(code=code)
        # 1e-7° is about 1 cm: the 4326 -> 9217 -> 4326 round trip through EPSG:6960 is exact.
        np.testing.assert_allclose(coords(area.boundary), coords(original), atol=1e-7)
        assert area.admin_unit == binh_dinh[1]  # the commune, not the province
        assert area.metric_srid == 9217


@pytest.mark.django_db
def test_shapefile_without_prj_is_read_in_the_zone_where_it_lands(binh_dinh, tmp_path):
    # Read in 9217 the parks land in Bình Định, surveyed in 9217; in 9218 or 5898 (±0.25°) they
    # land in Bình Định too, which is not surveyed in those zones (tests/layers/
    # test_import_tm3_zone.py has the refusals).
    path, lonlat = vn2000_zip(tmp_path, with_prj=False)
    _, err = run("import_layer", path, "--layer", "industrial_areas")

    assert (
        "only EPSG:9217 (VN-2000 / TM-3 108-15) puts every feature inside a province surveyed "
        "in that zone (Bình Định (1976–2025)): read in that zone; pass --srs to override" in err
    ), err
    area = IndustrialArea.objects.get(code="VN-1")
    np.testing.assert_allclose(coords(area.boundary), coords(lonlat[0]), atol=1e-7)


@pytest.mark.django_db
def test_srs_overrides_the_files_crs(binh_dinh, tmp_path):
    # Read as TM-3 105-30 (Sóc Trăng's zone) the same metres land about 3° further west.
    path, lonlat = vn2000_zip(tmp_path, extra={"admin_unit": ["21907", "21907"]})
    out, err = run("import_layer", path, "--layer", "industrial_areas", "--srs", "9209")

    assert "the file says EPSG:9217 (VN-2000 / TM-3 108-15); reading it as EPSG:9209" in err
    assert "(EPSG:9209 (VN-2000 / TM-3 105-30))" in out
    stored = coords(IndustrialArea.objects.get(code="VN-1").boundary)
    original = coords(lonlat[0])
    assert np.all(stored[:, 0] < original[:, 0] - 2.5)
    assert np.allclose(stored[:, 1], original[:, 1], atol=0.05)


@pytest.mark.django_db
def test_file_without_crs_and_foreign_coordinates_is_refused(binh_dinh, tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    write_layer(
        folder / "x.shp",
        [shapely.box(10, 10, 20, 20)],
        area_fields(["X"]),
        crs=None,
        driver="ESRI Shapefile",
    )
    with pytest.raises(CommandError, match=r"has no CRS and its coordinates .* pass --srs"):
        run("import_layer", folder / "x.shp", "--layer", "industrial_areas")


# --- other formats ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_with_wkt_column(binh_dinh, tmp_path):
    poly = area_polygon(0)
    path = tmp_path / "areas.csv"
    path.write_text(
        "Code,Name,kind,status,planned_area_ha,industrial_land_ha,established_on,note,WKT\n"
        f'CSV-1,"KCN Phú Tài",KCN,Đang hoạt động,348.5,250,14/06/2005,x,"{poly.wkt}"\n',
        encoding="utf-8",
    )
    out, err = run("import_layer", path, "--layer", "industrial_areas")

    assert "1 created" in out
    assert "assuming EPSG:4326" in err  # a CSV has no CRS
    assert "ignored fields not in layer 'industrial_areas': note" in err
    area = IndustrialArea.objects.get(code="CSV-1")
    assert area.name == "KCN Phú Tài"
    assert area.status == "operating"  # from the Vietnamese label
    assert area.established_on == dt.date(2005, 6, 14)  # day/month/year
    assert area.planned_area_ha == Decimal("348.50")
    np.testing.assert_allclose(coords(area.boundary), coords(poly), atol=1e-12)


@pytest.mark.django_db
def test_csv_with_easting_northing_columns_for_points(binh_dinh, tmp_path):
    e, n = Transformer.from_crs(4326, 9217, always_xy=True).transform(109.05, 14.02)
    path = tmp_path / "tram.csv"
    path.write_text(
        f"name,kind,status,easting,northing\nTBA Cát Hanh,substation,invested,{e},{n}\n"
    )
    _, err = run("import_layer", path, "--layer", "infrastructure_points")

    assert "only EPSG:9217 (VN-2000 / TM-3 108-15) puts every feature inside a province" in err
    point = InfrastructurePoint.objects.get()
    assert point.geom.x == pytest.approx(109.05, abs=1e-7)
    assert point.geom.y == pytest.approx(14.02, abs=1e-7)


@pytest.mark.django_db
def test_kml(binh_dinh, tmp_path):
    path = write_layer(
        tmp_path / "areas.kml",
        [area_polygon(0)],
        area_fields(["KML-1"]),
        crs="EPSG:4326",
        driver="KML",
    )
    out, _ = run("import_layer", path, "--layer", "industrial_areas")

    assert "1 created" in out
    area = IndustrialArea.objects.get(code="KML-1")
    assert area.name == "KCN KML-1"  # KML <name>, matched case-insensitively
    assert area.industrial_land_ha == Decimal("80.25")
    np.testing.assert_allclose(coords(area.boundary), coords(area_polygon(0)), atol=1e-9)


@pytest.mark.django_db
def test_map_renames_fields_and_relations_resolve_by_code(binh_dinh, developer, tmp_path):
    # The same commune code after the 2025 reform: the unit valid today is preferred.
    new_commune = AdminUnit.objects.create(
        code="21907",
        name="Xã Cát Hanh (mới)",
        level="commune",
        boundary=box4326(108.9, 13.9, 109.2, 14.2),
        valid_from=dt.date(2025, 7, 1),
        zone_srid=9218,
    )
    path = write_layer(
        tmp_path / "a.gpkg",
        [area_polygon(0)],
        {
            "ma": ["M-1"],
            "ten": ["KCN Long Mỹ"],
            "kind": ["KCN"],
            "planned_area_ha": [100.0],
            "industrial_land_ha": [70.0],
            "admin_unit": ["21907"],
            "developer": [developer.name],
        },
        crs="EPSG:4326",
        driver="GPKG",
    )
    run("import_layer", path, "--layer", "industrial_areas", "--map", "ma=code", "ten=name")

    area = IndustrialArea.objects.get(code="M-1")
    assert area.name == "KCN Long Mỹ"
    assert area.admin_unit == new_commune
    assert area.metric_srid == 9218
    assert area.developer == developer


@pytest.mark.django_db
def test_geometry_picks_the_commune_valid_today(binh_dinh, tmp_path):
    # After the 2025 reform a new commune covers the old one; both contain the feature.
    new_commune = AdminUnit.objects.create(
        code="21999",
        name="Xã Cát Hanh mới",
        level="commune",
        boundary=box4326(108.9, 13.9, 109.2, 14.2),
        valid_from=dt.date(2025, 7, 1),
        zone_srid=9217,
    )
    path = write_layer(
        tmp_path / "a.gpkg", [area_polygon(0)], area_fields(["S-1"]), crs="EPSG:4326", driver="GPKG"
    )
    run("import_layer", path, "--layer", "industrial_areas")
    assert IndustrialArea.objects.get(code="S-1").admin_unit == new_commune


@pytest.mark.django_db
def test_several_layers_need_layer_name(binh_dinh, tmp_path):
    path = tmp_path / "two.gpkg"
    write_layer(path, [area_polygon(0)], area_fields(["L-1"]), crs="EPSG:4326", driver="GPKG")
    pyogrio.raw.write(
        str(path),
        np.array([shapely.to_wkb(area_polygon(1))], dtype=object),
        [
            np.array(["L-2"], dtype=object),
            np.array(["KCN L-2"], dtype=object),
            np.array(["KCN"], dtype=object),
            np.array([50.0]),
            np.array([20.0]),
        ],
        ["code", "name", "kind", "planned_area_ha", "industrial_land_ha"],
        layer="khac",
        driver="GPKG",
        crs="EPSG:4326",
        geometry_type="Polygon",
        append=True,
    )
    with pytest.raises(
        CommandError, match=r"has several layers \(two, khac\); choose one with --layer-name"
    ):
        run("import_layer", path, "--layer", "industrial_areas")
    run("import_layer", path, "--layer", "industrial_areas", "--layer-name", "khac")
    assert list(IndustrialArea.objects.values_list("code", flat=True)) == ["L-2"]


# --- modes ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_upsert_updates_by_code_and_adds_new_rows(two_areas, tmp_path):
    a, b = two_areas
    path = write_layer(
        tmp_path / "changed.geojson",
        [area_polygon(1), area_polygon(2)],
        {
            "code": ["CCN-B", "CCN-C"],
            "name": ["CCN Cát Nhơn (mở rộng)", "CCN Cát Tân"],
            "kind": ["CCN", "CCN"],
            "planned_area_ha": [60.0, 40.0],
            "industrial_land_ha": [45.0, 30.0],
        },
        crs="EPSG:4326",
        driver="GeoJSON",
    )
    out, _ = run("import_layer", path, "--layer", "industrial_areas", "--mode", "upsert")

    assert "1 created, 1 updated, 0 deleted" in out
    assert IndustrialArea.objects.count() == 3
    b.refresh_from_db()
    assert (b.name, b.planned_area_ha) == ("CCN Cát Nhơn (mở rộng)", Decimal("60.00"))
    assert b.developer == a.developer  # not in the file: kept
    assert b.is_mountainous is True
    a.refresh_from_db()
    assert a.name == "KCN Nhơn Hội (Khu A)"  # not in the file: untouched
    assert IndustrialArea.objects.get(code="CCN-C").admin_unit == a.admin_unit


@pytest.mark.django_db
def test_upsert_keeps_the_unit_a_row_was_reported_under(two_areas, tmp_path):
    # The geometry now lies in a newer commune, but an update without admin_unit keeps the old one.
    a, _ = two_areas
    AdminUnit.objects.create(
        code="21999",
        name="Xã mới",
        level="commune",
        valid_from=dt.date(2025, 7, 1),
        boundary=box4326(108.9, 13.9, 109.2, 14.2),
        zone_srid=9217,
    )
    path = write_layer(
        tmp_path / "u.gpkg",
        [area_polygon(0)],
        {"code": ["KCN-A"], "name": ["Đổi tên"]},
        crs="EPSG:4326",
        driver="GPKG",
    )
    out, _ = run("import_layer", path, "--layer", "industrial_areas", "--mode", "upsert")
    assert "0 created, 1 updated" in out
    a.refresh_from_db()
    assert (a.name, a.admin_unit.code) == ("Đổi tên", "21907")


@pytest.mark.django_db
def test_upsert_needs_a_key(binh_dinh, tmp_path):
    path = write_layer(
        tmp_path / "p.geojson",
        [shapely.Point(109.0, 14.0)],
        {"name": ["TBA"], "kind": ["substation"], "status": ["planned"]},
        crs="EPSG:4326",
        driver="GeoJSON",
        geometry_type="Point",
    )
    # Infrastructure facilities have no natural key: an upsert finds rows by the id the service
    # exported, which this file lacks.
    with pytest.raises(CommandError, match="upsert key 'id' is not among the file's fields"):
        run("import_layer", path, "--layer", "infrastructure_points", "--mode", "upsert")


@pytest.mark.django_db
def test_replace_deletes_the_layers_rows_first(two_areas, tmp_path):
    path = write_layer(
        tmp_path / "new.gpkg",
        [area_polygon(3)],
        area_fields(["NEW-1"]),
        crs="EPSG:4326",
        driver="GPKG",
    )
    out, _ = run("import_layer", path, "--layer", "industrial_areas", "--mode", "replace")

    assert "1 created, 0 updated, 2 deleted" in out
    assert list(IndustrialArea.objects.values_list("code", flat=True)) == ["NEW-1"]
    assert Developer.objects.count() == 1  # other models are untouched


@pytest.mark.django_db
def test_replace_blocked_by_protected_rows_changes_nothing(two_areas, tmp_path):
    SecondaryProject.objects.create(
        area=two_areas[0],
        code="DA-1",
        name="Nhà máy",
        investor="Cty A",
        sector="may mặc",
        leased_area_ha=Decimal(5),
        registered_capital_bn_vnd=Decimal(100),
        registered_on=dt.date(2020, 1, 1),
    )
    path = write_layer(
        tmp_path / "new.gpkg",
        [area_polygon(3)],
        area_fields(["NEW-1"]),
        crs="EPSG:4326",
        driver="GPKG",
    )
    with pytest.raises(
        CommandError,
        match=r"cannot replace layer 'industrial_areas': .*still "
        r"referenced by 1 .*\(SecondaryProject\)",
    ):
        run("import_layer", path, "--layer", "industrial_areas", "--mode", "replace")
    assert set(IndustrialArea.objects.values_list("code", flat=True)) == {"KCN-A", "CCN-B"}


@pytest.mark.django_db
def test_replace_refuses_to_cascade_into_other_layers(two_areas, tmp_path):
    Obstacle.objects.create(
        area=two_areas[0],
        category="clearance",
        description="Chưa bồi thường",
        responsible_agency="UBND huyện",
        raised_on=dt.date(2024, 1, 1),
    )
    path = write_layer(
        tmp_path / "new.gpkg",
        [area_polygon(3)],
        area_fields(["NEW-1"]),
        crs="EPSG:4326",
        driver="GPKG",
    )
    with pytest.raises(CommandError, match="would also delete 1 obstacles"):
        run("import_layer", path, "--layer", "industrial_areas", "--mode", "replace")
    assert IndustrialArea.objects.count() == 2 and Obstacle.objects.count() == 1


@pytest.mark.django_db
def test_dry_run_stores_nothing(binh_dinh, tmp_path):
    path = write_layer(
        tmp_path / "a.gpkg", [area_polygon(0)], area_fields(["D-1"]), crs="EPSG:4326", driver="GPKG"
    )
    out, _ = run("import_layer", path, "--layer", "industrial_areas", "--dry-run")
    assert "dry run, nothing stored" in out and "1 created" in out
    assert IndustrialArea.objects.count() == 0 and DatasetLoad.objects.count() == 0


@pytest.mark.django_db
def test_import_is_recorded(binh_dinh, tmp_path):
    path = write_layer(
        tmp_path / "a.gpkg", [area_polygon(0)], area_fields(["R-1"]), crs="EPSG:4326", driver="GPKG"
    )
    run("import_layer", path, "--layer", "industrial_areas")
    load = DatasetLoad.objects.get()
    assert load.name == "import_layer industrial_areas"
    assert load.counts == {"features": 1, "created": 1, "updated": 0, "deleted": 0}
    assert len(load.checksum) == 64


@pytest.mark.django_db
def test_long_import_runs_with_progress_enabled(binh_dinh, tmp_path):
    # 201 points: over the progress threshold (the bar itself is off: stderr is not a terminal).
    lon = np.linspace(108.96, 109.09, 201)
    path = write_layer(
        tmp_path / "p.gpkg",
        [shapely.Point(x, 14.0) for x in lon],
        {
            "name": [f"TBA {i}" for i in range(201)],
            "kind": ["substation"] * 201,
            "status": ["planned"] * 201,
        },
        crs="EPSG:4326",
        driver="GPKG",
        geometry_type="Point",
    )
    out, _ = run("import_layer", path, "--layer", "infrastructure_points")
    assert "201 created" in out
    assert InfrastructurePoint.objects.count() == 201


# --- refusing bad input -----------------------------------------------------------------------

BOWTIE = shapely.Polygon([(109.0, 14.0), (109.01, 14.01), (109.01, 14.0), (109.0, 14.01)])


@pytest.mark.django_db
def test_bad_row_aborts_the_whole_import(two_areas, tmp_path):
    before = IndustrialArea.objects.count()
    loads = DatasetLoad.objects.count()
    path = write_layer(
        tmp_path / "bad.geojson",
        [area_polygon(2), area_polygon(3), BOWTIE],
        area_fields(["OK-1", "OK-2", "BAD-3"]),
        crs="EPSG:4326",
        driver="GeoJSON",
    )
    with pytest.raises(CommandError) as exc:
        run("import_layer", path, "--layer", "industrial_areas")

    message = str(exc.value)
    assert message.startswith(
        "row 3 (code 'BAD-3'): boundary: invalid geometry: Self-intersection at ("
    )
    assert "nothing was imported" in message
    assert IndustrialArea.objects.count() == before  # rows 1 and 2 were rolled back
    assert DatasetLoad.objects.count() == loads


@pytest.mark.django_db
def test_constraint_violation_names_the_row(binh_dinh, tmp_path):
    path = write_layer(
        tmp_path / "c.geojson",
        [area_polygon(0)],
        area_fields(["C-1"], leased_land_ha=[500.0]),
        crs="EPSG:4326",
        driver="GeoJSON",
    )
    with pytest.raises(CommandError, match=r"row 1 \(code 'C-1'\): The leased area cannot exceed"):
        run("import_layer", path, "--layer", "industrial_areas")
    assert IndustrialArea.objects.count() == 0


@pytest.mark.django_db
def test_projected_coordinates_labelled_4326_are_refused(binh_dinh, tmp_path):
    # GeoJSON without a "crs" member is EPSG:4326 by definition (RFC 7946); these are TM-3 metres.
    feature = {
        "type": "Feature",
        "properties": {"code": "P-1", "kind": "KCN"},
        "geometry": shapely.geometry.mapping(to_crs(area_polygon(0), 9217)),
    }
    path = tmp_path / "metres.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(
        CommandError,
        match=r"read as EPSG:4326 \(WGS 84\), the coordinates .* fall "
        r"outside Vietnam .* look like VN-2000 TM-3 metres",
    ):
        run("import_layer", path, "--layer", "industrial_areas")
    assert IndustrialArea.objects.count() == 0


@pytest.mark.django_db
def test_feature_outside_every_admin_unit_is_refused(binh_dinh, tmp_path):
    path = write_layer(
        tmp_path / "far.gpkg",
        [shapely.box(105.0, 21.0, 105.01, 21.01)],
        area_fields(["FAR-1"]),
        crs="EPSG:4326",
        driver="GPKG",
    )
    with pytest.raises(
        CommandError,
        match=r"row 1 \(code 'FAR-1'\): admin_unit: not given, and no "
        r"administrative unit contains the feature",
    ):
        run("import_layer", path, "--layer", "industrial_areas")


@pytest.mark.django_db
def test_unknown_relation_value_is_refused(binh_dinh, tmp_path):
    path = write_layer(
        tmp_path / "dev.gpkg",
        [area_polygon(0)],
        area_fields(["DEV-1"], developer=["Không có"]),
        crs="EPSG:4326",
        driver="GPKG",
    )
    with pytest.raises(
        CommandError, match=r"row 1 \(code 'DEV-1'\): developer: no Developer with name"
    ):
        run("import_layer", path, "--layer", "industrial_areas")


@pytest.mark.django_db
def test_unknown_layer_lists_the_known_ones(tmp_path):
    with pytest.raises(
        CommandError,
        match=r"unknown layer 'zones'; known layers: admin_units, .*"
        r"industrial_areas",
    ):
        run("import_layer", tmp_path / "x.gpkg", "--layer", "zones")


@pytest.mark.django_db
def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file: .*nowhere.gpkg"):
        run("import_layer", tmp_path / "nowhere.gpkg", "--layer", "industrial_areas")


@pytest.mark.django_db
def test_garbage_file(tmp_path):
    path = tmp_path / "garbage.gpkg"
    path.write_bytes(np.random.default_rng(1).bytes(4096))
    with pytest.raises(CommandError, match="cannot open garbage.gpkg as a vector dataset"):
        run("import_layer", path, "--layer", "industrial_areas")


@pytest.mark.django_db
def test_oversized_file_is_refused(binh_dinh, tmp_path, settings):
    path = write_layer(
        tmp_path / "a.gpkg", [area_polygon(0)], area_fields(["BIG"]), crs="EPSG:4326", driver="GPKG"
    )
    settings.PLANNING_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(
        CommandError, match="a.gpkg is .* larger than the import limit of 1,000 bytes"
    ):
        run("import_layer", path, "--layer", "industrial_areas")


@pytest.mark.django_db
def test_zip_with_path_traversal_is_refused(tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../evil.shp", b"\0" * 100)
    with pytest.raises(CommandError, match=r"entry '../evil.shp' points outside the archive"):
        run("import_layer", path, "--layer", "industrial_areas")


@pytest.mark.django_db
def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.csv", b"0" * 5_000_000)  # deflates about 1000:1
    with pytest.raises(CommandError, match="looks like a decompression bomb"):
        run("import_layer", path, "--layer", "industrial_areas")


@pytest.mark.django_db
def test_bad_map_argument(binh_dinh, tmp_path):
    path = write_layer(
        tmp_path / "a.gpkg", [area_polygon(0)], area_fields(["A"]), crs="EPSG:4326", driver="GPKG"
    )
    with pytest.raises(CommandError, match="'nope' is not an importable field"):
        run("import_layer", path, "--layer", "industrial_areas", "--map", "name=nope")


# --- export -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_zipped_shapefile_in_vn2000_without_personal_data(two_areas, tmp_path):
    area = two_areas[0]
    parcel = ClearanceParcel.objects.create(
        area=area,
        map_sheet="12",
        parcel_no="345",
        boundary=box4326(109.001, 14.001, 109.002, 14.002),
        land_use="LUC",
        households=3,
        holder_name="Nguyễn Văn A",
        holder_id_number="052012345678",
        admin_unit=area.admin_unit,
        compensation_planned_mn_vnd=Decimal("1500.50"),
        inventoried_on=dt.date(2024, 3, 1),
    )
    out_path = tmp_path / "parcels.zip"
    out, _ = run("export_layer", "--layer", "clearance_parcels", "--srs", "9209", out_path)
    assert "Exported 1 feature of clearance_parcels" in out and "EPSG:9209" in out

    with zipfile.ZipFile(out_path) as zf:
        names = set(zf.namelist())
        table = zf.read("clearance_parcels_fields.txt").decode()
    assert {"clearance_parcels.shp", "clearance_parcels.dbf", "clearance_parcels.prj"} <= names
    assert "comp_plan\tcompensation_planned_mn_vnd" in table

    info = pyogrio.read_info(f"/vsizip/{out_path}/clearance_parcels.shp")
    assert info["crs"] == "EPSG:9209"
    meta, _, wkb, data = pyogrio.raw.read(f"/vsizip/{out_path}/clearance_parcels.shp")
    fields = list(meta["fields"])
    assert fields == ["id", *shapefile_names(get_layer("clearance_parcels").fields).values()]
    for personal in (
        "holder_name",
        "holder",
        "holder_id",
        "holder_id_",
        "households",
        "householdS",
    ):
        assert personal not in fields
    row = dict(zip(fields, (col[0] for col in data), strict=True))
    assert row["id"] == parcel.pk and row["map_sheet"] == "12" and row["comp_plan"] == 1500.5
    assert str(row["invent_on"])[:10] == "2024-03-01"
    expected = to_crs(shapely.from_wkb(bytes(parcel.boundary.wkb)), 9209)
    np.testing.assert_allclose(coords(shapely.from_wkb(wkb[0])), coords(expected), atol=1e-3)


@pytest.mark.django_db
def test_export_refuses_to_overwrite_and_mismatched_format(two_areas, tmp_path):
    out_path = tmp_path / "areas.gpkg"
    run("export_layer", "--layer", "industrial_areas", out_path)
    with pytest.raises(CommandError, match="exists; pass --overwrite"):
        run("export_layer", "--layer", "industrial_areas", out_path)
    run("export_layer", "--layer", "industrial_areas", "--overwrite", out_path)
    with pytest.raises(
        CommandError, match="--format geojson does not match the output name areas.gpkg"
    ):
        run(
            "export_layer",
            "--layer",
            "industrial_areas",
            "--format",
            "geojson",
            "--overwrite",
            out_path,
        )


@pytest.mark.django_db
def test_geojson_export_types(two_areas, tmp_path):
    out_path = tmp_path / "areas.json"
    run("export_layer", "--layer", "industrial_areas", out_path)
    doc = json.loads(out_path.read_text())
    props = {f["properties"]["code"]: f["properties"] for f in doc["features"]}
    a = props["KCN-A"]
    assert a["established_on"] == "2005-06-14"  # a date, not a datetime
    assert a["planned_area_ha"] == 630.0 and a["lease_price_usd_m2"] == 65.5
    assert a["wwtp_operating"] is True
    assert props["CCN-B"]["established_on"] is None and props["CCN-B"]["lease_price_usd_m2"] is None
    assert a["developer"] == two_areas[0].developer.name and a["admin_unit"] == "21907"


# --- Shapefile names (no database) ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_shapefile_names_are_short_and_unique_per_layer(name):
    spec = CATALOGUE[name]
    names = shapefile_names(["id", *spec.fields, *spec.importable_fields])
    assert all(len(short) <= MAX_LEN for short in names.values())
    assert len({s.lower() for s in names.values()}) == len(names)


@pytest.mark.django_db
def test_plain_shapefile_export_names_the_field_table_it_wrote(tmp_path):
    # It printed road_corridors_fields.txt while writing rc_fields.txt beside rc.shp.
    out, _ = run(
        "export_layer", "--layer", "road_corridors", "--format", "shp", tmp_path / "rc.shp"
    )
    assert f"(also in {tmp_path / 'rc_fields.txt'})" in out
    assert (tmp_path / "rc_fields.txt").read_text(encoding="utf-8").startswith("# road_corridors")
    out, _ = run("export_layer", "--layer", "road_corridors", tmp_path / "rc.zip")
    assert "(also in road_corridors_fields.txt inside rc.zip)" in out


@pytest.mark.django_db
def test_kml_export_is_wgs84_only(tmp_path):
    with pytest.raises(CommandError, match="KML is always WGS 84"):
        run("export_layer", "--layer", "road_corridors", "--srs", "9217", tmp_path / "rc.kml")


@pytest.mark.django_db
@pytest.mark.parametrize("layer", ["suggested_sites", "infrastructure_connectors"])
def test_results_of_analyses_are_not_imported_from_the_command_either(tmp_path, layer):
    # The API explained "run the analysis instead"; the command failed on a row error.
    path = write_layer(
        tmp_path / "sites.geojson",
        [shapely.Point(109.0, 14.0)],
        {"rank": [1]},
        crs="EPSG:4326",
        driver="GeoJSON",
        geometry_type="Point",
    )
    with pytest.raises(CommandError, match="results of analysis runs .* run the analysis instead"):
        run("import_layer", path, "--layer", layer)
