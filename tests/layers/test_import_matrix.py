"""Every importable layer × every import mode × every file format × WGS 84 and VN-2000.

Generated from the catalogue (``layers/catalogue.py``): a layer added there is tested here. Each
case exports the layer with ``manage.py export_layer`` (the world of the access matrix: rows on
both sides of every unit boundary, in Bình Định and Sóc Trăng) and imports that very file back
with ``manage.py import_layer``:

* **round trip** (``--mode upsert`` on the layer's key): nothing changes — no row, no history
  record, no timeline entry — and every row is counted "unchanged";
* **upsert** after one stored row was changed: exactly that row is updated, back to the file;
* **append** after the stored keys were renamed: every row is created again, with its key;
* **replace**: the layer's rows are deleted and the file's created, except where that would
  delete rows others depend on (units, parks) or proposals past their draft, which is refused
  with the reason and changes nothing.

KML is WGS 84 by definition (OGC KML 2.2), so it has no VN-2000 case. The VN-2000 files are in
the TM-3 zone of Bình Định (EPSG:9217), for the rows of Sóc Trăng too.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import translation

from layers.catalogue import CATALOGUE
from planning import models as m
from tests.security.conftest import matrix_world  # noqa: F401  (the fixture)
from tests.security.test_access_matrix import rolled_back

pytestmark = pytest.mark.django_db(transaction=True)

IMPORTABLE = sorted(
    n for n in CATALOGUE if n not in ("suggested_sites", "infrastructure_connectors")
)
FILES = [
    ("gpkg", 4326),
    ("gpkg", 9217),
    ("zip", 4326),
    ("zip", 9217),
    ("geojson", 4326),
    ("geojson", 9217),
    ("kml", 4326),
]
# Replacing these would delete rows others depend on (every record has a unit; parcels and
# projects have a park) or proposals past their draft: refused, nothing changes.
REPLACE_REFUSED = {
    "admin_units": "still referenced",
    "industrial_areas": "still referenced",
    "proposals": "may not be deleted",
    # the expressways' interchanges would go with them (issue 13 roads)
    "road_corridors": "would also delete 2 expressway interchanges",
}


# Each mode runs in a transaction rolled back afterwards, so each starts from the same world.
undone = rolled_back


def rows(model) -> list:
    def plain(v):
        return v.wkt if hasattr(v, "wkt") else v

    return [tuple(map(plain, r)) for r in model._default_manager.order_by("pk").values_list()]


def keys_of(spec) -> list[tuple]:
    names = [k for k in spec.key_fields if k != "id"] or [f for f in spec.fields if f != "id"][:3]
    return sorted(tuple(str(v) for v in r) for r in spec.model._default_manager.values_list(*names))


def history_count(model) -> int:
    return model.history.count() if hasattr(model, "history") else 0


def run_import(path, spec, mode, user):
    args = ["import_layer", str(path), "--layer", spec.name, "--mode", mode]
    if spec.hooks.written is not None:
        args += ["--user", user.username]
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):  # the checks below read the English summary
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


def rename_keys(spec) -> None:
    """Give the stored rows other keys, so that the file's keys are new (for append)."""
    model = spec.model
    for k in spec.key_fields:
        field = model._meta.get_field(k)
        if (
            k != "id"
            and not field.is_relation
            and field.get_internal_type() in ("CharField", "TextField")
        ):
            with m.workflow_write("test set-up"):  # proposals past their draft are renamed too
                model._default_manager.update(**{k: Concat(F(k), Value("~"))})
            return


@pytest.mark.parametrize("layer", IMPORTABLE)
def test_export_then_import_in_every_mode(matrix_world, tmp_path, layer, subtests):  # noqa: F811
    # One world per layer (building it is most of the cost); each file format and CRS is a subtest,
    # and every mode runs in a transaction rolled back afterwards.
    for fmt, srid in FILES:
        with subtests.test(format=fmt, srid=srid):
            _every_mode(matrix_world, tmp_path, layer, fmt, srid)


def _every_mode(world, tmp_path, layer, fmt, srid):
    spec = CATALOGUE[layer]
    model = spec.model
    admin = world["users"]["superuser"]
    path = tmp_path / f"{layer}-{srid}.{fmt}"
    call_command(
        "export_layer",
        "--layer",
        layer,
        "--srs",
        str(srid),
        str(path),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    n = model._default_manager.count()
    assert n >= 2, f"the world has too few {layer} to test"
    before, history = rows(model), history_count(model)
    events = m.ProposalEvent.objects.count()

    # Round trip: nothing changes.
    out = run_import(path, spec, "upsert", admin)
    assert f"0 created, 0 updated, 0 deleted, {n} unchanged." in out, out
    assert rows(model) == before
    assert history_count(model) == history and m.ProposalEvent.objects.count() == events

    # Upsert: the one stored row changed is put back as the file has it.
    sample = world["samples"][layer]["in"]

    def upsert():
        field = _changeable(spec)
        model._default_manager.filter(pk=sample.pk).update(**{field: _other(model, field, sample)})
        changed = rows(model)
        assert changed != before
        out = run_import(path, spec, "upsert", admin)
        assert f"0 created, 1 updated, 0 deleted, {n - 1} unchanged." in out, out
        assert rows(model) == [
            _without_updated_at(model, r, b) for r, b in zip(rows(model), before, strict=True)
        ]

    undone(upsert)

    # Append: the file's rows created again under their keys.
    def append():
        if layer == "proposals":
            # Only drafts may be created; a file with submitted proposals is refused whole.
            rename_keys(spec)
            with pytest.raises(CommandError, match="draft|nháp"):
                run_import(path, spec, "append", admin)
            return
        keys = keys_of(spec)
        rename_keys(spec)
        out = run_import(path, spec, "append", admin)
        assert f"{n} created, 0 updated, 0 deleted" in out, out
        assert model._default_manager.count() == 2 * n
        if spec.key_fields != ("id",):
            assert set(keys) <= set(keys_of(spec))

    undone(append)

    # Replace: the layer's rows deleted, the file's created; or refused with the reason.
    def replace():
        if layer in REPLACE_REFUSED:
            with pytest.raises(CommandError, match=REPLACE_REFUSED[layer]):
                run_import(path, spec, "replace", admin)
            assert rows(model) == before
            return
        keys = keys_of(spec)
        out = run_import(path, spec, "replace", admin)
        assert f"{n} created, 0 updated, {n} deleted" in out, out
        assert keys_of(spec) == keys

    undone(replace)


def _changeable(spec) -> str:
    model = spec.model
    keys = set(spec.key_fields)
    for name in spec.fields:
        field = model._meta.get_field(name)
        if (
            field.editable
            and not field.is_relation
            and not field.choices
            and name not in keys
            and field.get_internal_type()
            in (
                "CharField",
                "TextField",
                "DecimalField",
                "FloatField",
                "IntegerField",
                "PositiveIntegerField",
            )
        ):
            return name
    raise AssertionError(f"nothing to change in {spec.name}")


def _other(model, field: str, obj):
    value = getattr(obj, field)
    kind = model._meta.get_field(field).get_internal_type()
    if kind in ("CharField", "TextField"):
        return (value or "") + " (sửa)"
    return (value or 0) + 1


def _without_updated_at(model, row, before_row):
    """The row as it was, but for an ``updated_at`` the save moved on."""
    names = [f.attname for f in model._meta.concrete_fields]
    if "updated_at" not in names:
        return before_row
    i = names.index("updated_at")
    return tuple(row[i] if j == i else v for j, v in enumerate(before_row))


def test_composite_keys_are_read_as_several_fields():
    """The defect: ``admin_unit,map_sheet,parcel_no`` was looked up as one field name."""
    from layers.io.fields import importable_targets

    for name in ("clearance_parcels", "admin_units"):
        spec = CATALOGUE[name]
        targets = importable_targets(spec)
        assert "," not in "".join(targets)
        for key in spec.key_fields:
            assert key in targets or key == "id"
