"""``manage.py build_national`` writes the GeoPackage and loads it (issue 15, item 1), on both
databases: every row as the service itself would store it (model checks, measured areas), the
indexes and keys back after a PostgreSQL load, the sequences past the new ids, and a second
load or a bad file refused with nothing written."""

from __future__ import annotations

import io
import sqlite3

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from planning import geo
from planning import models as m
from tests.planning.test_synthetic_national import SOURCE

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not SOURCE.exists(), reason="../shared/data/vn not present"),
]
COUNTS = {"parcels": 2500, "kcn": 12, "ccn": 25}


def _structure() -> tuple[set, set]:
    """(index names, constraint names) of the loaded tables (PostgreSQL)."""
    tables = ["planning_clearanceparcel", "planning_industrialarea", "planning_adminunit"]
    with connection.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        indexes = {r[0] for r in cur.fetchall()}
        cur.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])", [tables]
        )
        constraints = {r[0] for r in cur.fetchall()}
    return indexes, constraints


def _build(tmp_path, **extra) -> str:
    out = io.StringIO()
    call_command(
        "build_national",
        source=str(SOURCE),
        out=str(tmp_path / "national.gpkg"),
        seed=11,
        lang="en",
        stdout=out,
        **COUNTS,
        **extra,
    )
    return out.getvalue()


def test_the_dataset_loads_as_the_service_would_store_it(tmp_path):
    before = _structure() if connection.vendor == "postgresql" else None
    output = _build(tmp_path)
    assert "national dataset loaded" in output
    assert m.ClearanceParcel.objects.count() == COUNTS["parcels"]
    assert m.IndustrialArea.objects.filter(kind="KCN").count() == COUNTS["kcn"]
    assert m.IndustrialArea.objects.filter(kind="CCN").count() == COUNTS["ccn"]
    provinces = m.AdminUnit.objects.filter(level="province")
    assert provinces.filter(valid_to__isnull=True).count() == 34
    assert provinces.filter(valid_to__isnull=False).count() == 63
    # The rows pass the models' own checks, and the measured figures are the service's.
    for model in (m.AdminUnit, m.IndustrialArea, m.ClearanceParcel, m.SecondaryProject,
                  m.RoadCorridor, m.DevelopmentTarget, m.AnnualReport):  # fmt: skip
        for obj in model.objects.order_by("?")[:15]:
            try:
                obj.full_clean()
            except ValidationError as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"{model.__name__} {obj.pk}: {exc}")
    for parcel in m.ClearanceParcel.objects.order_by("?")[:20]:
        assert parcel.area_m2 == pytest.approx(
            geo.area_ha(parcel.boundary, parcel.metric_srid) * 10_000, abs=0.01
        )
        assert parcel.admin_unit.level == "commune" and parcel.admin_unit.valid_to is None
        assert parcel.metric_srid == parcel.admin_unit.zone_srid
        assert parcel.area.boundary.contains(parcel.boundary)
    area = m.IndustrialArea.objects.order_by("?").first()
    assert area.boundary_area_ha == pytest.approx(
        geo.area_ha(area.boundary, area.metric_srid), abs=1e-3
    )
    if before is not None:
        assert _structure() == before  # every index and key is back
    # The sequences are past the loaded ids: the next record saved gets a new one.
    extra = m.ClearanceParcel.objects.order_by("pk").first()
    extra.pk, extra.id, extra.parcel_no = None, None, "9999"
    extra.save()
    assert extra.pk > COUNTS["parcels"]


def test_a_second_load_and_bad_files_are_refused_with_nothing_written(tmp_path):
    _build(tmp_path)
    counts = (m.AdminUnit.objects.count(), m.ClearanceParcel.objects.count())
    with pytest.raises(CommandError, match="already holds the dataset"):
        call_command(
            "build_national",
            from_file=str(tmp_path / "national.gpkg"),
            lang="en",
            stdout=io.StringIO(),
        )
    assert (m.AdminUnit.objects.count(), m.ClearanceParcel.objects.count()) == counts
    not_gpkg = tmp_path / "notes.gpkg"
    not_gpkg.write_text("not a database")
    with pytest.raises(CommandError, match="not a GeoPackage"):
        call_command("build_national", from_file=str(not_gpkg), lang="en", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "build_national", from_file=str(tmp_path / "none.gpkg"), lang="en", stdout=io.StringIO()
        )
    with pytest.raises(CommandError, match="Vietnam data"):
        call_command("build_national", source=str(tmp_path), lang="en", stdout=io.StringIO())


def test_a_row_the_database_refuses_rolls_the_whole_load_back(tmp_path):
    """A target breaking a check of the database (a negative target) in the file, in a layer
    loaded after the units, areas and parcels' tables began: the load stops with the
    database's reason, and no table keeps a row of it."""
    _build(tmp_path, no_load=True)
    path = tmp_path / "national.gpkg"
    with sqlite3.connect(path) as db:
        # GDAL's triggers name its SQL functions; this change touches no geometry.
        for name in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            db.create_function(name, 1, lambda _g: 0)
        db.execute("UPDATE planning_developmenttarget SET target_value = -5 WHERE id = 7")
    with pytest.raises(CommandError, match="nothing was written.*target_nonneg"):
        call_command("build_national", from_file=str(path), lang="en", stdout=io.StringIO())
    assert not m.AdminUnit.objects.exists() and not m.ClearanceParcel.objects.exists()
    if connection.vendor == "postgresql":
        indexes, constraints = _structure()
        assert any("parcel_cadastral_id_uniq" in c for c in constraints)
