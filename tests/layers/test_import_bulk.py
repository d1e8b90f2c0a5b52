"""Imports checked over columns and written in bulk (issue 16, item 7; ``layers.io.bulk``).

The bulk path must store what the row path stores — the same rows, geometries, measures, units
and history — and refuse what it refuses with the same message naming the same row, leaving
nothing behind. Each case imports the same GeoPackage (parcels in VN-2000 from
``tests/benchmarks/parcel_files.py``) once through each path and compares.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
import shapely
from django.contrib.auth import get_user_model
from pyproj import Transformer

from layers.io import bulk, importer
from layers.io.errors import LayerImportError
from planning import models as m
from tests.benchmarks.parcel_files import SRID, write_parcels

pytestmark = pytest.mark.django_db

# Inside the synthetic commune Xã Cát Hanh (conftest's binh_dinh: 108.95–109.1 E, 13.95–14.1 N).
CAT_HANH = Transformer.from_crs(4326, SRID, always_xy=True).transform(109.02, 14.02)
FIELDS = [f.attname for f in m.ClearanceParcel._meta.concrete_fields if f.attname != "id"]
HISTORY_FIELDS = [
    f.attname
    for f in m.ClearanceParcel.history.model._meta.concrete_fields
    if f.attname not in ("id", "history_id", "history_date", "boundary")
]


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("quantri", password="pw-admin-1")


def stored() -> tuple[list, list]:
    rows = sorted(
        tuple(o.boundary.ewkb.hex() if a == "boundary" else str(getattr(o, a)) for a in FIELDS)
        for o in m.ClearanceParcel.objects.all()
    )
    history = sorted(
        tuple(map(str, r)) for r in m.ClearanceParcel.history.values_list(*HISTORY_FIELDS)
    )
    return rows, history


def forget() -> None:
    m.ClearanceParcel.objects.all().delete()
    m.ClearanceParcel.history.all().delete()
    m.DatasetLoad.objects.all().delete()


def through(path_kind: str, monkeypatch, **kwargs):
    """``layer_import`` through the bulk path or the row path; (result or error, bulk used)."""
    used = []
    real_check = bulk.check

    def spy(**kw):
        used.append(True)
        return real_check(**kw)

    with monkeypatch.context() as patch:
        patch.setattr(bulk, "check", spy)
        if path_kind == "rows":
            patch.setattr(bulk, "eligible", lambda *a, **k: False)
        try:
            outcome = importer.layer_import(layer="clearance_parcels", **kwargs)
        except LayerImportError as exc:
            outcome = exc
    return outcome, bool(used)


def test_the_bulk_path_stores_what_the_row_path_stores(binh_dinh, admin, tmp_path, monkeypatch):
    path = write_parcels(tmp_path / "p.gpkg", 300, centre=CAT_HANH)
    result, used = through("bulk", monkeypatch, path=path, user=admin)
    assert used and result.created == 300 and result.features == 300
    bulk_rows, bulk_history = stored()
    forget()
    result, used = through("rows", monkeypatch, path=path, user=admin)
    assert not used and result.created == 300
    row_rows, row_history = stored()
    assert len(bulk_rows) == 300 and bulk_rows == row_rows
    assert len(bulk_history) == 300 and bulk_history == row_history
    # What a planner checks: the commune found by location, the area measured in VN-2000.
    parcel = m.ClearanceParcel.objects.order_by("pk").first()
    assert parcel.admin_unit.name == "Xã Cát Hanh" and parcel.metric_srid == 9217
    assert parcel.area_m2 == pytest.approx(2500, abs=1)
    assert parcel.history.get().history_user == admin
    assert (
        parcel.history.get().history_change_reason == "import_layer clearance_parcels from p.gpkg"
    )


def test_replace_in_bulk_deletes_the_old_rows(binh_dinh, admin, tmp_path, monkeypatch):
    through("bulk", monkeypatch, path=write_parcels(tmp_path / "a.gpkg", 50, centre=CAT_HANH))
    path = write_parcels(tmp_path / "b.gpkg", 40, centre=CAT_HANH, seed=9)
    result, used = through("bulk", monkeypatch, path=path, mode="replace", user=admin)
    assert used and (result.created, result.deleted) == (40, 50)
    assert m.ClearanceParcel.objects.count() == 40


def _bowtie(fields, geoms, row=3):
    x0, y0, x1, y1 = shapely.bounds(geoms[row])
    geoms[row] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])


def _far_away(fields, geoms, row=5):
    # Within Viet Nam, but in no unit of the database (the Mekong delta: no soc_trang fixture).
    x, y = Transformer.from_crs(4326, SRID, always_xy=True).transform(105.9, 9.65)
    geoms[row] = shapely.box(x, y, x + 50, y + 50)


def _set(name, row, value):
    def change(fields, geoms):
        fields[name][row] = value

    return change


def _duplicate(fields, geoms):
    fields["map_sheet"][9] = fields["map_sheet"][3]
    fields["parcel_no"][9] = fields["parcel_no"][3]


def _plan_before_inventory(fields, geoms):
    fields["inventoried_on"][6] = "2024-05-01"
    fields["plan_approved_on"][6] = "2024-02-01"


FAULTS = {
    "unknown land use": _set("land_use", 7, "XYZ"),
    "text too long": _set("map_sheet", 2, "9" * 30),
    "negative households": lambda f, g: f["households"].__setitem__(4, -2),
    "cadastral number twice": _duplicate,
    "plan approved before the inventory": _plan_before_inventory,
    "self-intersecting parcel": _bowtie,
    "parcel in no unit": _far_away,
    "two faults: the first row's is reported": lambda f, g: (
        _set("land_use", 11, "XYZ")(f, g),
        _duplicate(f, g),
    ),
}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_a_faulty_row_gets_the_row_paths_message(fault, binh_dinh, admin, tmp_path, monkeypatch):
    path = write_parcels(tmp_path / "p.gpkg", 40, centre=CAT_HANH, change=FAULTS[fault])
    bulk_error, used = through("bulk", monkeypatch, path=path, user=admin)
    assert used
    assert isinstance(bulk_error, LayerImportError), bulk_error
    assert stored() == ([], []) and not m.DatasetLoad.objects.exists()
    row_error, _used = through("rows", monkeypatch, path=path, user=admin)
    assert isinstance(row_error, LayerImportError), row_error
    assert str(bulk_error) == str(row_error)
    assert bulk_error.rows == row_error.rows and len(bulk_error.rows) == 1
    assert str(bulk_error).endswith("— chưa nhập dòng nào")  # nothing was imported


def test_a_row_clashing_with_a_stored_parcel_is_named(binh_dinh, admin, tmp_path, monkeypatch):
    path = write_parcels(tmp_path / "p.gpkg", 30, centre=CAT_HANH)
    through("bulk", monkeypatch, path=path, user=admin)
    again = write_parcels(tmp_path / "q.gpkg", 30, centre=CAT_HANH, seed=2)  # same numbers
    bulk_error, used = through("bulk", monkeypatch, path=again, user=admin)
    row_error, _used = through("rows", monkeypatch, path=again, user=admin)
    assert used and isinstance(bulk_error, LayerImportError)
    assert str(bulk_error) == str(row_error) and bulk_error.rows == row_error.rows == [
        (1, row_error.rows[0][1])
    ]
    assert m.ClearanceParcel.objects.count() == 30  # the first import, untouched


def test_progress_is_reported_while_writing(binh_dinh, admin, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH", 100)
    seen = []
    path = write_parcels(tmp_path / "p.gpkg", 350, centre=CAT_HANH)
    result, used = through(
        "bulk", monkeypatch, path=path, user=admin, on_progress=lambda d, t: seen.append((d, t))
    )
    assert used and result.created == 350
    assert seen == [(0, 350), (100, 350), (200, 350), (300, 350), (350, 350)]


def test_a_disagreement_falls_back_to_the_row_path(binh_dinh, admin, tmp_path, monkeypatch, caplog):
    """Should the column checks refuse a row the row path accepts (a defect), the import is
    redone row by row rather than refused."""
    real_check = bulk.check

    def too_strict(**kw):
        checked = real_check(**kw)
        checked.faulty[5] = True
        return checked

    monkeypatch.setattr(bulk, "check", too_strict)
    path = write_parcels(tmp_path / "p.gpkg", 20, centre=CAT_HANH)
    with caplog.at_level(logging.WARNING, logger="layers.io.importer"):
        result = importer.layer_import(path=path, layer="clearance_parcels", user=admin)
    assert result.created == 20 and m.ClearanceParcel.objects.count() == 20
    assert m.ClearanceParcel.history.count() == 20
    assert "importing row by row" in caplog.text


def test_which_layers_and_modes_go_in_bulk():
    parcels = importer.get_layer("clearance_parcels")
    assert bulk.eligible(parcels, "append", default_rights=True)
    assert bulk.eligible(parcels, "replace", default_rights=True)
    assert not bulk.eligible(parcels, "upsert", default_rights=True)
    assert not bulk.eligible(parcels, "append", default_rights=False)  # a caller's own row check
    # Proposals go through their review workflow row by row.
    assert not bulk.eligible(importer.get_layer("proposals"), "append", default_rights=True)


def test_the_bulk_measures_equal_the_models_own():
    from planning import geo

    shapes = np.array(
        [shapely.box(108.95 + i * 0.01, 14.0, 108.951 + i * 0.01, 14.0007) for i in range(5)],
        dtype=object,
    )
    zones = np.array([9217, 9217, 9218, 5897, 9217])
    got = geo.bulk_areas_m2(shapes, zones, np.ones(5, dtype=bool))
    want = [round(geo.area_ha(s, int(z)) * 10_000, 2) for s, z in zip(shapes, zones, strict=True)]
    assert list(got) == want


def test_a_refused_row_in_a_later_batch_is_found(binh_dinh, admin, tmp_path, monkeypatch):
    """The database refuses the fourth batch's COPY: the batches before it stay written while
    the refused one is halved down to its first row at fault, which gets the row path's message
    (its unique check sees the rows written before it)."""
    monkeypatch.setattr(bulk, "BATCH", 8)

    def twice(fields, geoms):
        fields["map_sheet"][29] = fields["map_sheet"][3]
        fields["parcel_no"][29] = fields["parcel_no"][3]

    path = write_parcels(tmp_path / "p.gpkg", 40, centre=CAT_HANH, change=twice)
    refused = []
    real = bulk._first_refused
    monkeypatch.setattr(
        bulk, "_first_refused", lambda w, batch: refused.append(w.count) or real(w, batch)
    )
    bulk_error, used = through("bulk", monkeypatch, path=path, user=admin)
    row_error, _used = through("rows", monkeypatch, path=path, user=admin)
    assert used and refused == [24]  # three batches of 8 were written before the fourth
    assert str(bulk_error) == str(row_error) and bulk_error.rows == row_error.rows
    assert bulk_error.rows[0][0] == 30
    assert stored() == ([], [])


def test_the_jobs_tab_door_imports_in_bulk_with_progress(
    binh_dinh, admin, tmp_path, monkeypatch, settings
):
    """An import started from the web (or the API) is a job: it takes the bulk path, and the
    Jobs tab sees the rows written batch by batch."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from layers.io import jobs as import_jobs
    from tests.jobs_support import TASKS_AT_ONCE

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = TASKS_AT_ONCE
    monkeypatch.setattr(bulk, "BATCH", 50)
    seen = []
    original = import_jobs._write_side
    monkeypatch.setattr(
        import_jobs,
        "_write_side",
        lambda pk, pct, msg: (seen.append(msg), original(pk, pct, msg)),
    )
    used = []
    real_check = bulk.check
    monkeypatch.setattr(bulk, "check", lambda **kw: used.append(1) or real_check(**kw))
    path = write_parcels(tmp_path / "p.gpkg", 120, centre=CAT_HANH)
    upload = SimpleUploadedFile("p.gpkg", path.read_bytes())
    job = import_jobs.import_submit(user=admin, layer="clearance_parcels", upload=upload)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert used and (job.features, job.created_count) == (120, 120)
    assert m.ClearanceParcel.objects.count() == 120 and m.ClearanceParcel.history.count() == 120
    assert seen[-3:] == [f"đã ghi {k}/120 đối tượng" for k in (50, 100, 120)], seen


def test_the_command_door_imports_in_bulk(binh_dinh, tmp_path, monkeypatch):
    import io

    from django.core.management import call_command

    used = []
    real_check = bulk.check
    monkeypatch.setattr(bulk, "check", lambda **kw: used.append(1) or real_check(**kw))
    path = write_parcels(tmp_path / "p.gpkg", 60, centre=CAT_HANH)
    out = io.StringIO()
    call_command("import_layer", str(path), "--layer", "clearance_parcels", stdout=out)
    assert used and "tạo mới 60" in out.getvalue()
    assert m.ClearanceParcel.objects.count() == 60 and m.ClearanceParcel.history.count() == 60


def test_a_list_field_is_checked_row_by_row():
    """Values a set cannot hold (GDAL's list fields come as arrays) get one code per row."""
    column = bulk.Column.of([np.array([1, 2]), np.array([1, 2]), "x"])
    assert list(column.codes) == [0, 1, 2] and len(column.uniques) == 3


def test_a_long_file_name_is_cut_in_the_history_on_both_paths(
    binh_dinh, admin, tmp_path, monkeypatch
):
    name = "ho-so-giai-phong-mat-bang-" + "x" * 90 + ".gpkg"
    path = write_parcels(tmp_path / name, 5, centre=CAT_HANH)
    for kind in ("bulk", "rows"):
        result, _used = through(kind, monkeypatch, path=path, user=admin)
        assert not isinstance(result, Exception), result
        reasons = set(m.ClearanceParcel.history.values_list("history_change_reason", flat=True))
        assert len(reasons) == 1 and len(reasons.pop()) == 100
        forget()
