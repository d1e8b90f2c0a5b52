"""layer_import: any GDAL/OGR vector source into one catalogue layer, all rows or none."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, router, transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from layers import signals as tile_signals
from layers.catalogue import CATALOGUE, UnknownLayer, get_layer, split_key
from layers.io import bulk
from layers.io import crs as crs_mod
from layers.io.doors import COMMAND, Door
from layers.io.errors import LayerImportError
from layers.io.fields import (
    NOT_GIVEN,
    RelationResolver,
    admin_unit_containing,
    convert,
    geometry_field,
    needs_admin_unit,
    plain,
    plan_columns,
)
from layers.io.sources import open_source, source_checksum
from planning import access, geo
from planning.analysis.geometry import GeometryRejected
from planning.errors import PlanningError
from planning.models import DatasetLoad
from planning.models.base import normalise_geometry
from planning.numbers import number
from planning.services.write_rules import NO_RULES

log = logging.getLogger(__name__)
MODES = ("append", "replace", "upsert")
# Imports longer than this show a progress bar (on a terminal).
PROGRESS_MIN_FEATURES = 200


@dataclass
class ImportResult:
    layer: str
    source: str
    source_crs: str
    features: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        """One sentence in the active language: what was read and what it changed."""
        values = {
            "n": number(self.features),
            "source": self.source,
            "crs": self.source_crs,
            "layer": self.layer,
            "created": number(self.created),
            "updated": number(self.updated),
            "deleted": number(self.deleted),
            "unchanged": number(self.unchanged),
        }
        if self.dry_run:
            head = ngettext(
                "Checked (dry run, nothing stored) %(n)s feature from %(source)s (%(crs)s) into "
                "%(layer)s",
                "Checked (dry run, nothing stored) %(n)s features from %(source)s (%(crs)s) into "
                "%(layer)s",
                self.features,
            )
        else:
            head = ngettext(
                "Imported %(n)s feature from %(source)s (%(crs)s) into %(layer)s",
                "Imported %(n)s features from %(source)s (%(crs)s) into %(layer)s",
                self.features,
            )
        if self.unchanged:
            counts = _(
                "%(created)s created, %(updated)s updated, %(deleted)s deleted, "
                "%(unchanged)s unchanged"
            )
        else:
            counts = _("%(created)s created, %(updated)s updated, %(deleted)s deleted")
        return f"{head % values}: {counts % values}."


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


class _Undo(Exception):
    """Rolls back the savepoint in which a row was run only to explain it."""


class _Refused(Exception):
    """A row refused by the caller's ``row_check`` (listed with the others at the end)."""


def layer_import(
    *,
    path: str | Path,
    layer: str,
    mode: str = "append",
    key: str | None = None,
    srs: int | str | None = None,
    mapping: dict[str, str] | None = None,
    layer_name: str | None = None,
    encoding: str | None = None,
    progress: bool = False,
    dry_run: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    row_check: Callable[[object], str | None] | None = None,
    user=None,
    door: Door = COMMAND,
) -> ImportResult:
    """Import every feature of ``path`` into catalogue layer ``layer`` in one transaction.

    ``mode``: append (create all), replace (delete the layer's rows first) or upsert (update the
    row whose ``key`` field(s) — comma-separated, default the catalogue's key — match, else
    create). ``srs`` overrides the file's CRS; ``mapping`` renames source fields (src → dst).
    Raises LayerImportError naming the file, or the row and field, at fault.

    ``on_progress(done, total)`` is called after each row (and once with 0 before the first);
    ``row_check(obj)`` may refuse a row about to be saved (and, for an update, the stored row)
    by returning the reason: every refused row is listed and nothing is imported.

    ``user`` is who imports (history, and the layer's write hooks: for proposals, the review
    workflow's rules — new rows are drafts of a unit the user drafts for, stored ones change
    only while editable, each write lands on the timeline). A layer with write hooks needs one.
    A row equal to the stored one is left alone (counted as unchanged): re-importing an export
    changes nothing.

    Every message (errors, warnings, the summary) is in the active language; ``door`` says how
    the caller names the options a message may point to: :data:`~layers.io.doors.COMMAND`
    (``--srs``, ``--key``, ``--map``), or :data:`~layers.io.doors.API` (the fields ``srs``,
    ``mode``).
    """
    try:
        spec = get_layer(layer)
    except UnknownLayer:
        raise LayerImportError(unknown_layer_message(layer)) from None
    if spec.written_by_analyses:
        raise LayerImportError(results_layer_refusal(spec))
    if mode not in MODES:
        raise LayerImportError(unknown_mode_message(mode))
    model = spec.model
    hooks = spec.hooks
    default_rights = row_check is None
    if user is not None:
        # Whoever imports, through whichever door (a job from the web or the API, the command
        # with --user), has the same rights: the layer, the mode, and each row's unit.
        if not access.can_import_layer(user, spec, mode=mode):
            values = {"user": user, "layer": repr(spec.name), "replace": door.given("mode", mode)}
            if access.can_edit_layer(user, spec):
                raise LayerImportError(
                    _(
                        "%(user)s may not import into layer %(layer)s with "
                        "%(replace)s (administrators only)"
                    )
                    % values
                )
            raise LayerImportError(_("%(user)s may not import into layer %(layer)s") % values)
        if row_check is None:

            def row_check(obj, _user=user, _spec=spec):
                return access.import_row_refusal(_user, _spec, obj)

    if hooks != NO_RULES and user is None:
        if door.has("user"):
            raise LayerImportError(
                _(
                    "layer %(layer)s is written through its workflow on behalf of a user; name one "
                    "(%(option)s NAME)"
                )
                % {"layer": repr(spec.name), "option": door.option("user")}
            )
        raise LayerImportError(
            _("layer %(layer)s is written through its workflow on behalf of a user; sign in first")
            % {"layer": repr(spec.name)}
        )
    key_fields: tuple[str, ...] = ()
    if mode == "upsert":
        key_fields = split_key(key) or spec.key_fields
        if not key_fields:
            raise LayerImportError(
                _("layer %(layer)s has no natural key; give one with %(key)s FIELD for upsert")
                % {"layer": repr(spec.name), "key": door.option("key")}
            )
        known = {f.name for f in model._meta.concrete_fields}
        for k in key_fields:
            if k not in known or k == spec.geometry_field:
                raise LayerImportError(
                    _("%(key)s: %(model)s has no such attribute field")
                    % {"key": door.given("key", k), "model": model.__name__}
                )
    elif key:
        raise LayerImportError(
            _("%(key)s only applies to %(upsert)s")
            % {"key": door.option("key"), "upsert": door.given("mode", "upsert")}
        )

    source = open_source(
        path, layer_name=layer_name, target=spec.name, geometry_name=spec.geometry_field, door=door
    )
    meta, wkb, field_data = source.read(encoding=encoding)
    n = len(wkb)
    if n == 0:
        raise LayerImportError(
            _("%(source)s has no features; nothing to import") % {"source": source.label}
        )

    plan = plan_columns(spec, list(meta["fields"]), mapping, extra=key_fields, door=door)
    for k in key_fields:
        if plan.target(k) is None:
            values = {
                "key": repr(k),
                "fields": ", ".join(map(str, meta["fields"])),
                "map": door.option("map"),
            }
            if door.has("map"):
                raise LayerImportError(
                    _(
                        "upsert key %(key)s is not among the file's fields (after "
                        "matching and %(map)s); file fields: %(fields)s"
                    )
                    % values
                )
            raise LayerImportError(
                _("upsert key %(key)s is not among the file's fields; file fields: %(fields)s")
                % values
            )
    warnings = list(plan.notices)

    try:
        geoms = shapely.from_wkb(np.asarray(wkb, dtype=object))
    except shapely.errors.GEOSException as exc:
        raise LayerImportError(
            _("%(source)s holds a geometry GEOS cannot read: %(error)s")
            % {"source": source.label, "error": exc}
        ) from exc
    present = geoms[~shapely.is_missing(geoms)]
    # Empty geometries have no coordinates: they say nothing about the CRS (and would make NaN
    # bounds).
    located = present[~shapely.is_empty(present)]
    bounds = tuple(shapely.total_bounds(located)) if len(located) else None
    source_crs, crs_warnings = crs_mod.resolve_source_crs(
        file_crs=meta.get("crs"), srs=srs, bounds=bounds, door=door, geoms=located
    )
    warnings[:0] = crs_warnings
    geoms = _reproject(geoms, source_crs, bounds, door=door)

    result = ImportResult(
        layer=spec.name,
        source=source.label,
        source_crs=source_crs.label,
        features=n,
        warnings=warnings,
        dry_run=dry_run,
    )
    columns = {
        c.source: (c, field_data[list(meta["fields"]).index(c.source)]) for c in plan.columns
    }
    gfield = geometry_field(spec)
    relations = RelationResolver()
    key_columns = [
        c for c in (plan.target(k) for k in (key_fields or spec.key_fields)) if c is not None
    ]

    def label_of(i: int) -> str:
        return _row_label(i + 1, [(c.target, plain(columns[c.source][1][i])) for c in key_columns])

    def run_row(i: int, seen_keys: dict) -> str:
        return _import_row(
            i,
            model=model,
            spec=spec,
            gfield=gfield,
            geom=geoms[i],
            columns=columns,
            relations=relations,
            key_fields=key_fields,
            seen_keys=seen_keys,
            source_name=source.path.name,
            row_check=row_check,
            user=user,
        )

    def row_error(i: int, exc: Exception) -> LayerImportError:
        """The import's error for row ``i`` refused by ``exc`` (in the active language, as
        Django's messages and ours are)."""
        if isinstance(exc, DatabaseError):
            reason = _("the database refused it: %(error)s") % {"error": exc}
        else:
            reason = _messages(exc)
        return LayerImportError(_nothing_imported(label_of(i), reason), rows=[(i + 1, reason)])

    def explain(i: int):
        """Row ``i`` through the row path in a savepoint that is always rolled back: raises its
        error as the row-by-row import does; a refusal or an accepted row is a Disagreement."""
        failure = None
        try:
            with transaction.atomic(using=router.db_for_write(model)):
                try:
                    run_row(i, {})
                except (_Refused, ValidationError) as exc:
                    failure = exc
                raise _Undo  # the row only explains: never kept
        except _Undo:
            pass
        except DatabaseError as exc:  # rolled back with the savepoint
            raise row_error(i, exc) from exc
        if isinstance(failure, ValidationError):
            raise row_error(i, failure) from None
        raise bulk.Disagreement(f"row {i + 1}")

    in_bulk = bulk.eligible(spec, mode, default_rights=default_rights)
    try:
        with transaction.atomic(using=router.db_for_write(model)):
            if mode == "replace":
                result.deleted = _delete_all(spec, model, result.warnings, user=user, door=door)
            seen_keys: dict[tuple, int] = {}
            refused: list[tuple[int, str]] = []
            if on_progress is not None:
                on_progress(0, n)
            bar = tqdm(
                total=n,
                unit="feature",
                desc=f"import {spec.name}",
                file=sys.stderr,
                leave=False,
                disable=None if (progress and n > PROGRESS_MIN_FEATURES) else True,
            )
            if in_bulk:
                db = router.db_for_write(model)
                before_bulk = transaction.savepoint(using=db)
                try:
                    with bar:
                        result.created, refused = _import_in_bulk(
                            spec=spec,
                            model=model,
                            gfield=gfield,
                            geoms=geoms,
                            columns=columns,
                            relations=relations,
                            user=user,
                            source_name=source.path.name,
                            bar=bar,
                            on_progress=on_progress,
                            explain=explain,
                            label_of=label_of,
                        )
                except bulk.Disagreement as exc:
                    log.warning(
                        "import into %s: the column checks refused %s, which the row path "
                        "accepts; importing row by row",
                        spec.name,
                        exc,
                    )
                    transaction.savepoint_rollback(before_bulk, using=db)
                    in_bulk = False
                    result.created = 0
                    refused = []
            if not in_bulk:
                with bar:
                    for i in range(n):
                        row_no = i + 1
                        try:
                            outcome = run_row(i, seen_keys)
                        except _Refused as exc:
                            refused.append((row_no, label_of(i), str(exc)))
                            bar.update()
                            if on_progress is not None:
                                on_progress(row_no, n)
                            continue
                        except ValidationError as exc:
                            raise row_error(i, exc) from None
                        except DatabaseError as exc:
                            raise row_error(i, exc) from exc
                        if outcome == "created":
                            result.created += 1
                        elif outcome == "updated":
                            result.updated += 1
                        else:
                            result.unchanged += 1
                        bar.update()
                        if on_progress is not None:
                            on_progress(row_no, n)
            if refused:
                shown = _and_more([f"{label}: {reason}" for _row, label, reason in refused], 20)
                raise LayerImportError(
                    ngettext(
                        "%(n)s row refused: %(rows)s — nothing was imported",
                        "%(n)s rows refused: %(rows)s — nothing was imported",
                        len(refused),
                    )
                    % {"n": number(len(refused)), "rows": shown},
                    rows=[(row, reason) for row, _label, reason in refused],
                )
            _record_load(spec, source, result)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def _import_in_bulk(
    *,
    spec,
    model,
    gfield,
    geoms,
    columns,
    relations,
    user,
    source_name,
    bar,
    on_progress,
    explain,
    label_of,
) -> tuple[int, list[tuple[int, str, str]]]:
    """The new rows of an append or replace, checked over columns and written in bulk
    (``layers.io.bulk``): (rows created, rows refused). Raises the row path's error for the
    first row at fault (``explain``)."""
    n = len(geoms)
    bar.set_description_str(f"check {spec.name}")
    checked = bulk.check(
        model=model,
        spec=spec,
        gfield=gfield,
        geoms=geoms,
        columns=columns,
        relations=relations,
        user=user,
    )
    refused_mask = np.zeros(n, dtype=bool)
    refused_mask[list(checked.refused)] = True
    # As the row path: a value, geometry or unit error stops the import before the rights are
    # asked; the rights before the field checks.
    stops = checked.faulty | (checked.unclean & ~refused_mask)
    first = int(np.argmax(stops)) if stops.any() else n
    good = ~checked.faulty & ~checked.unclean & ~refused_mask
    writer = bulk.Writer(
        model,
        gfield,
        checked,
        history_reason=history_reason(model, spec, source_name),
        user=user,
    )
    rows = np.flatnonzero(good[:first])
    writer.allocate(rows)
    bar.set_description_str(f"import {spec.name}")
    done = [0]

    def on_batch(k: int) -> None:
        done[0] += k
        bar.update(k)
        if on_progress is not None:
            on_progress(done[0], n)

    refused_at = bulk.write_in_batches(writer, rows, on_batch=on_batch)
    if refused_at is not None:
        explain(refused_at)
    if first < n:
        explain(first)
    refused = [(i + 1, label_of(i), reason) for i, reason in sorted(checked.refused.items())]
    if refused:
        return 0, refused
    shapes = checked.geoms[rows]
    if len(shapes):
        extent = tuple(shapely.total_bounds(shapes))
        transaction.on_commit(lambda: tile_signals.refresh_extent(spec.name, extent))
    if on_progress is not None and done[0] < n:
        on_progress(n, n)
    return writer.count, []


def history_reason(model, spec, source_name: str) -> str:
    """Why the history rows of an import were written, cut to the history's column (a long file
    name would otherwise fail the import on PostgreSQL)."""
    reason = f"import_layer {spec.name} from {source_name}"
    field = model.history.model._meta.get_field("history_change_reason")
    return reason[: field.max_length] if field.max_length else reason


def results_layer_refusal(spec) -> str:
    """Why a layer of analysis results is not imported (the same words from every door)."""
    return _(
        "layer %(layer)s holds results of analysis runs (each row belongs to a run); run "
        "the analysis instead of importing"
    ) % {"layer": repr(spec.name)}


def unknown_layer_message(name) -> str:
    """The refusal of a layer the catalogue does not have (the same words from every door)."""
    return _("unknown layer %(layer)s; known layers: %(known)s") % {
        "layer": repr(name),
        "known": ", ".join(sorted(CATALOGUE)),
    }


def unknown_mode_message(mode) -> str:
    return _("unknown mode %(mode)s; choose one of %(modes)s") % {
        "mode": repr(mode),
        "modes": ", ".join(MODES),
    }


def _nothing_imported(label: str, reason: str) -> str:
    return _("%(row)s: %(reason)s — nothing was imported") % {"row": label, "reason": reason}


def _and_more(items: list[str], shown: int) -> str:
    """The first ``shown`` items joined with "; ", and how many more there are."""
    text = "; ".join(items[:shown])
    if len(items) > shown:
        text = _("%(items)s (and %(n)s more)") % {"items": text, "n": number(len(items) - shown)}
    return text


def _reproject(geoms: np.ndarray, source_crs, bounds, *, door: Door = COMMAND) -> np.ndarray:
    """Source coordinates to EPSG:4326; refuse a file whose every feature lands outside Vietnam."""
    try:
        out = geo.transform(geoms, source_crs.key, geo.STORAGE_SRID)
    except Exception as exc:  # pyproj raises several types (ProjError, CRSError)
        raise LayerImportError(
            _("cannot reproject from %(crs)s: %(error)s") % {"crs": source_crs.label, "error": exc}
        ) from exc
    present = out[~shapely.is_missing(out)]
    present = present[~shapely.is_empty(present)]
    if not len(present):
        return out  # nothing to place: each row's own check names its missing or empty geometry
    ex0, ey0, ex1, ey1 = settings.PLANNING_EXTENT
    b = shapely.bounds(present)
    with np.errstate(invalid="ignore"):
        inside = (b[:, 0] >= ex0) & (b[:, 1] >= ey0) & (b[:, 2] <= ex1) & (b[:, 3] <= ey1)
    if not inside.any():
        # One stray feature is that row's error (it is named); all of them means a wrong CRS.
        hint = crs_mod.hint_for(bounds, door=door) or (
            _("the CRS looks wrong — pass %(srs)s with the right one") % {"srs": door.option("srs")}
        )
        raise LayerImportError(
            _(
                "read as %(crs)s, the coordinates %(bounds)s fall outside Vietnam (EPSG:4326 "
                "extent %(extent)s)"
            )
            % {
                "crs": source_crs.label,
                "bounds": crs_mod.describe_bounds(bounds),
                "extent": crs_mod.describe_bounds((ex0, ey0, ex1, ey1)),
            }
            + "; "
            + hint
        )
    return out


def _import_row(
    i,
    *,
    model,
    spec,
    gfield,
    geom,
    columns,
    relations,
    key_fields,
    seen_keys,
    source_name,
    row_check=None,
    user=None,
) -> str:
    """Build, validate and save one row: "created", "updated" or "unchanged"."""
    values: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for column, data in columns.values():
        try:
            if column.related is not None:
                value = relations.resolve(column, data[i])
            else:
                value = convert(column.field, data[i])
        except ValidationError as exc:
            errors.setdefault(column.target, []).extend(exc.messages)
            continue
        if value is not NOT_GIVEN:
            values[column.target] = value

    geos = None
    if geom is None:
        if not gfield.null:
            errors.setdefault(gfield.name, []).append(_("the feature has no geometry"))
    else:
        try:
            geos = normalise_geometry(geo.to_geos(geom, srid=geo.STORAGE_SRID), gfield.geom_type)
        except GeometryRejected as exc:
            errors.setdefault(gfield.name, []).append(str(exc))
    if errors:
        raise ValidationError(errors)
    values[gfield.name] = geos

    # A row without its unit gets the unit that contains it; an existing row keeps the unit it
    # was reported under. (Needed before the lookup only when the unit is part of the key.)
    wants_unit = needs_admin_unit(model) and values.get("admin_unit") is None and geos is not None
    if wants_unit and "admin_unit" in key_fields:
        values["admin_unit"] = _admin_unit_for(geos)

    obj = None
    if key_fields:
        lookup = {}
        for k in key_fields:
            if values.get(k) in (None, ""):
                raise ValidationError({k: [_("the upsert key is empty")]})
            lookup[k] = values[k]
        marker = tuple(lookup[k].pk if hasattr(lookup[k], "pk") else lookup[k] for k in key_fields)
        if marker in seen_keys:
            shown = marker if len(marker) > 1 else marker[0]
            raise ValidationError(
                {
                    key_fields[0]: [
                        _("the key %(key)s appears again (first in row %(row)s)")
                        % {"key": repr(shown), "row": number(seen_keys[marker])}
                    ]
                }
            )
        seen_keys[marker] = i + 1
        matches = list(model.objects.filter(**lookup)[:2])
        if len(matches) > 1:
            raise ValidationError(
                {
                    key_fields[0]: [
                        _("several stored rows match %(lookup)s; use a key that identifies one row")
                        % {"lookup": lookup}
                    ]
                }
            )
        obj = matches[0] if matches else None

    if (
        wants_unit
        and values.get("admin_unit") is None
        and (obj is None or obj.admin_unit_id is None)
    ):
        values["admin_unit"] = _admin_unit_for(geos)

    created = obj is None
    hooks = spec.hooks
    # The primary key only finds the row (layers without a natural key upsert by the exported
    # id); a new row gets its own.
    values.pop(model._meta.pk.name, None)
    if created:
        obj = model()
    else:
        if row_check is not None and (reason := row_check(obj)):
            raise _Refused(_("the stored row: %(reason)s") % {"reason": reason})
        # Only what differs is written: a re-imported export changes nothing, and a row whose
        # name changed keeps its stored geometry rather than a copy moved by a datum round trip.
        values = _changed_values(obj, values)
        if not values:
            return "unchanged"
        _hook(hooks.check_update, user, obj)
    for name, value in values.items():
        setattr(obj, name, value)
    if row_check is not None and (reason := row_check(obj)):
        raise _Refused(reason)
    if created:
        _hook(hooks.prepare_insert, user, obj)
    obj.full_clean()
    if hasattr(model, "history"):
        obj._change_reason = history_reason(model, spec, source_name)
        obj._history_user = user if getattr(user, "pk", None) else None
    obj.save()
    if hooks.written is not None:
        hooks.written(user, obj, created=created, comment=f"import_layer: {source_name}")
    return "created" if created else "updated"


def _hook(check, user, obj) -> None:
    """Run one of the layer's write hooks; the domain's refusal refuses the row."""
    if check is None:
        return
    try:
        check(user, obj)
    except PlanningError as exc:
        raise _Refused(exc.message) from None


def _changed_values(obj, values: dict) -> dict:
    """The values the file gives that differ from the stored ones (geometries vertex by vertex,
    to :data:`SAME_POINT_DEGREES`)."""
    changed = {}
    for name, value in values.items():
        field = obj._meta.get_field(name)
        stored = getattr(obj, field.attname if field.many_to_one else name)
        compared = getattr(value, "pk", value) if field.many_to_one else value
        if isinstance(field, GeometryField):
            same = (stored is None and value is None) or (
                stored is not None and value is not None and _same_geometry(stored, value)
            )
        elif isinstance(stored, dt.datetime) and isinstance(value, dt.datetime):
            # GeoPackage, GeoJSON and GDAL's date-time fields keep milliseconds; the database keeps
            # microseconds (timezone.now()): the same instant to the millisecond is the same.
            same = abs(stored - value) < SAME_INSTANT
        else:
            same = stored == compared
        if not same:
            changed[name] = value
    return changed


#: Date-times closer than this are the same instant (files keep milliseconds).
SAME_INSTANT = dt.timedelta(milliseconds=1)

#: Coordinates closer than this (degrees, ≈ 1 mm) are the same point: an export to VN-2000 and
#: back moves vertices by up to 2e-9° through the datum shift's floating-point round trip.
SAME_POINT_DEGREES = 1e-8


def _same_geometry(a, b) -> bool:
    """The same shape: same type, same vertices in the same order, each within ≈ 1 mm."""
    return (
        a.geom_type == b.geom_type
        and a.num_coords == b.num_coords
        and a.equals_exact(b, SAME_POINT_DEGREES)
    )


def _admin_unit_for(geos):
    point = geos.point_on_surface
    unit = admin_unit_containing(point)
    if unit is None:
        raise ValidationError(
            {
                "admin_unit": [
                    _(
                        "not given, and no administrative unit contains the feature (point %(x)s, "
                        "%(y)s)"
                    )
                    % {"x": number(point.x, 6), "y": number(point.y, 6)}
                ]
            }
        )
    return unit


def _delete_all(spec, model, warnings: list[str], *, user=None, door: Door = COMMAND) -> int:
    """Delete the layer's rows for --mode replace, and only them: refuse if other rows would
    be deleted with them (CASCADE) or block it (PROTECT), or if the layer's rules refuse to
    delete one of them (proposals: only drafts)."""
    qs = model.objects.all()
    check = spec.hooks.check_delete
    if check is not None:
        refusals = []
        for obj in qs.order_by("pk").iterator():
            try:
                check(user, obj)
            except PlanningError as exc:
                refusals.append(f"{obj}: {exc.message}")
        if refusals:
            raise LayerImportError(
                _(
                    "cannot replace layer %(layer)s: %(n)s of its rows may not be deleted — "
                    "%(rows)s — nothing was changed"
                )
                % {
                    "layer": repr(spec.name),
                    "n": number(len(refusals)),
                    "rows": _and_more(refusals, 5),
                }
            )
    collector = Collector(using=qs.db)
    try:
        collector.collect(qs)
    except (ProtectedError, RestrictedError) as exc:
        blocked = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        raise LayerImportError(
            _(
                "cannot replace layer %(layer)s: its rows are still referenced by %(others)s; "
                "delete or reassign those first — nothing was changed"
            )
            % {"layer": repr(spec.name), "others": _count_by_model(blocked)}
        ) from None
    others: dict[str, int] = {}
    for other, objs in collector.data.items():
        if other is not model and not other._meta.auto_created:
            name = other._meta.verbose_name_plural
            others[name] = others.get(name, 0) + len(objs)
    for related_qs in collector.fast_deletes:
        other = related_qs.model
        if other is not model and not other._meta.auto_created:
            count = related_qs.count()
            if count:
                name = other._meta.verbose_name_plural
                others[name] = others.get(name, 0) + count
    if others:
        listed = ", ".join(f"{number(n)} {name}" for name, n in sorted(others.items()))
        raise LayerImportError(
            _(
                "cannot replace layer %(layer)s: deleting its rows would also delete %(others)s; "
                "use %(upsert)s, or remove those rows first — nothing was changed"
            )
            % {"layer": repr(spec.name), "others": listed, "upsert": door.given("mode", "upsert")}
        )
    unlinked: dict[str, int] = {}
    for (fk, _value), batches in collector.field_updates.items():
        # SET_NULL relations: other rows survive but lose their link; say so.
        count = sum(len(b) for b in batches)
        if count:
            name = f"{fk.model._meta.verbose_name_plural} ({fk.name})"
            unlinked[name] = unlinked.get(name, 0) + count
    for name, count in sorted(unlinked.items()):
        warnings.append(
            _("replace: %(n)s %(what)s lost their link to the deleted rows")
            % {"n": number(count), "what": name}
        )
    _total, per_model = qs.delete()
    return per_model.get(model._meta.label, 0)


def _count_by_model(objs) -> str:
    counts: dict[str, int] = {}
    for obj in objs:
        name = f"{obj._meta.verbose_name_plural} ({type(obj).__name__})"
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{number(n)} {name}" for name, n in sorted(counts.items())) or _("other rows")


def _row_label(row_no: int, keys: list[tuple[str, object]]) -> str:
    """``row 3 (admin_unit '21907', map_sheet '12', parcel_no '1')``: the row and its key (in
    the active language: ``dòng 3 (…)``)."""
    shown = [f"{name} {value!r}" for name, value in keys if value not in (None, "")]
    if shown:
        return _("row %(n)s (%(keys)s)") % {"n": number(row_no), "keys": ", ".join(shown)}
    return _("row %(n)s") % {"n": number(row_no)}


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        parts = []
        for name, errors in exc.message_dict.items():
            text = "; ".join(errors)
            parts.append(text if name == NON_FIELD_ERRORS else f"{name}: {text}")
        return "; ".join(parts)
    return "; ".join(exc.messages)


def _record_load(spec, source, result: ImportResult) -> None:
    """Keep a DatasetLoad row: which file (by checksum), when, what it changed."""
    DatasetLoad.objects.create(
        name=f"import_layer {spec.name}",
        checksum=source_checksum(source.path),
        counts={
            "features": result.features,
            "created": result.created,
            "updated": result.updated,
            "deleted": result.deleted,
        },
        notes="\n".join(
            [f"source: {source.path} ({source.label}), CRS {result.source_crs}", *result.warnings]
        ),
    )
