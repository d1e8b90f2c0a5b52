"""New rows of an import, checked over columns and written in bulk (issue 16, item 7).

The row path (``layers.io.importer._import_row``) checks and saves one row at a time: about 17
statements per row (``full_clean``'s savepoints for each check constraint, the insert, its
history row, a unit lookup), 75 rows/s. This module does the same work over whole columns and
writes with one ``COPY`` per table on PostGIS (``executemany`` on SpatiaLite), history included:

* **values**: each column's converter and related-row lookup (``layers.io.fields``), once per
  distinct value;
* **geometries**: the checks of :func:`planning.models.base.normalise_geometry` over the array
  (empty, non-finite, outside the extent, type); a geometry that is not already valid and of the
  field's type goes through ``normalise_geometry`` itself (repair within its limit, or its
  refusal), so both paths store the same shape;
* **units**: one spatial join of the rows' points on surface against the units that overlap the
  file (:func:`layers.io.fields.admin_unit_containing`'s ranking), and each unit's survey zone;
* **measures**: the model's ``bulk_measures`` (areas in the VN-2000 zone), equal to its
  ``update_measures`` row by row (tested);
* **rights**: ``planning.access.import_row_refusal`` once per distinct unit;
* **field checks** (``full_clean``'s ``clean_fields``): each field's own ``clean`` once per
  distinct value;
* **constraints** (unique, check, foreign key) are the database's own: they hold for the whole
  ``COPY``.

**Messages stay the row path's.** When a column check finds a faulty row, or the database refuses
the ``COPY``, the first row at fault is found (by halving the refused batch, each half in a
savepoint), the rows before it are written, and that row alone goes through the row path in a
savepoint: its message — Django's and the domain's words, in the active language — is the one
the import reports, exactly as before. Refused rows (outside the user's units) are listed with
the reason the same rule gives. Should the row path accept a row the column checks refused (a
disagreement, a defect), :class:`Disagreement` makes the caller redo the import row by row.

Which layers: a layer whose model opts in (``bulk_measures``), has no write hooks (proposals go
through their workflow row by row), no ``clean``/``save`` of its own beyond
``GeometryRecord``'s, no ``auto_now`` field, and no model signal receivers beyond the tile
caches' and the history's (:func:`eligible`). Modes append and replace (every row new); upsert
stays on the row path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.core import validators
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from layers.io.fields import NOT_GIVEN, convert, needs_admin_unit, unit_rank
from planning import access, geo
from planning.analysis.geometry import GeometryRejected
from planning.models import AdminUnit
from planning.models.base import GeometryRecord, normalise_geometry
from planning.services.write_rules import NO_RULES

log = logging.getLogger(__name__)

#: Rows per COPY batch (and per progress step).
BATCH = 20_000

#: The model signal receivers the bulk write stands in for: the tile caches' (refreshed once for
#: the import's extent) and the edit history's (its rows are written beside the new rows).
KNOWN_RECEIVERS = {
    "layers.signals.remember_old_extent",
    "layers.signals.refresh_after_save",
    "simple_history.models.HistoricalRecords.post_save",
}

_FAMILIES = {
    "MULTIPOLYGON": ("Polygon", "MultiPolygon"),
    "MULTILINESTRING": ("LineString", "MultiLineString"),
    "MULTIPOINT": ("Point", "MultiPoint"),
}


class Disagreement(Exception):
    """The row path accepted a row the column checks refused: redo the import row by row."""


def _receiver_name(receiver) -> str:
    func = getattr(receiver, "__func__", receiver)
    owner = getattr(receiver, "__self__", None)
    if owner is not None:
        return f"{type(owner).__module__}.{type(owner).__qualname__}.{func.__name__}"
    return f"{func.__module__}.{func.__qualname__}"


def eligible(spec, mode: str, *, default_rights: bool) -> bool:
    """May this import's new rows be checked over columns and written in bulk?"""
    model = spec.model
    if mode not in ("append", "replace") or spec.hooks != NO_RULES or not default_rights:
        return False
    if not hasattr(model, "bulk_measures") or not issubclass(model, GeometryRecord):
        return False
    if model.clean is not GeometryRecord.clean or model.save is not GeometryRecord.save:
        return False
    if any(
        getattr(f, "auto_now", False)
        or getattr(f, "auto_now_add", False)
        or (f.has_default() and callable(f.default))  # a value per row, not one per import
        for f in model._meta.concrete_fields
    ):
        return False
    receivers = [*pre_save._live_receivers(model)[0], *post_save._live_receivers(model)[0]]
    return all(_receiver_name(r) in KNOWN_RECEIVERS for r in receivers)


class Column:
    """A column as distinct values and, per row, the index of its value (few distinct values
    are checked, prepared and written once each)."""

    __slots__ = ("codes", "uniques")

    def __init__(self, codes: np.ndarray, uniques: list):
        self.codes = codes
        self.uniques = uniques

    @classmethod
    def of(cls, values) -> Column:
        index: dict = {}
        try:
            codes = np.fromiter(
                (index.setdefault((type(v), v), len(index)) for v in values),
                dtype=np.int64,
                count=len(values),
            )
        except TypeError:  # an unhashable value (a list field): each row its own value
            return cls(np.arange(len(values), dtype=np.int64), list(values))
        return cls(codes, [v for _t, v in index])

    @classmethod
    def constant(cls, value, n: int) -> Column:
        return cls(np.zeros(n, dtype=np.int64), [value])

    def map(self, fn) -> np.ndarray:
        """``fn`` of each distinct value, as an object array."""
        out = np.empty(len(self.uniques), dtype=object)
        out[:] = [fn(v) for v in self.uniques]
        return out

    def rows(self, rows: np.ndarray, per_value: np.ndarray) -> np.ndarray:
        return per_value[self.codes[rows]]


@dataclass
class Checked:
    """Column checks of an import's rows: values ready to write, and the rows at fault."""

    columns: dict  # attname -> Column (every concrete field but the key and the geometry)
    geoms: np.ndarray  # EPSG:4326 shapely geometries, normalised
    faulty: np.ndarray  # bool: a value, geometry or unit check refuses the row (reported first)
    refused: dict  # row index -> reason (outside the user's units)
    unclean: np.ndarray  # bool: a field check refuses the row (after the rights)


def _factorise(data) -> Column:
    """A file's column as a Column of its raw values (NaNs as one value)."""
    data = np.asarray(data)
    if data.dtype.kind in "iufb":
        uniques, codes = np.unique(data, return_inverse=True)
        return Column(codes.astype(np.int64).ravel(), uniques.tolist())
    return Column.of(data)


def _distinct(data, fn) -> tuple[Column, np.ndarray]:
    """``fn`` over each distinct value of ``data``: (converted Column, bool array of failures)."""
    raw = _factorise(data)
    bad_u = np.zeros(len(raw.uniques), dtype=bool)
    out = []
    for k, value in enumerate(raw.uniques):
        try:
            out.append(fn(value))
        except ValidationError:
            bad_u[k] = True
            out.append(None)
    return Column(raw.codes, out), bad_u[raw.codes]


def _normalise(geoms: np.ndarray, gfield) -> tuple[np.ndarray, np.ndarray]:
    """The geometries as ``normalise_geometry`` stores them, and which rows it refuses."""
    n = len(geoms)
    out = np.empty(n, dtype=object)
    bad = np.zeros(n, dtype=bool)
    present = ~shapely.is_missing(geoms)
    if not gfield.null:
        bad[~present] = True
    want = gfield.geom_type.upper()
    single, multi = _FAMILIES.get(want, (None, None))
    types = shapely.get_type_id(geoms)
    ex0, ey0, ex1, ey1 = settings.PLANNING_EXTENT
    with np.errstate(invalid="ignore"):
        b = shapely.bounds(geoms)
        inside = (b[:, 0] >= ex0) & (b[:, 1] >= ey0) & (b[:, 2] <= ex1) & (b[:, 3] <= ey1)
    type_names = {t.value: t.name for t in shapely.GeometryType}
    is_single = np.array([type_names.get(t) == (single or "").upper() for t in types])
    is_multi = np.array([type_names.get(t) == want for t in types])
    plain_ok = (
        present
        & ~shapely.is_empty(geoms)
        & ~shapely.has_z(geoms)
        & inside  # NaN bounds (non-finite) compare False
        & (is_multi | (is_single if single else False))
    )
    ok = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(plain_ok)
    ok[idx] = shapely.is_valid(geoms[idx])
    good = np.flatnonzero(ok)
    out[good] = geoms[good]
    if single:
        promote = good[is_single[good]]
        if len(promote):
            out[promote] = getattr(shapely, _ctor(multi))(
                geoms[promote], indices=np.arange(len(promote))
            )
    # Everything else goes through the row path's own normalisation (repair, or its refusal).
    for i in np.flatnonzero(present & ~ok):
        try:
            g = normalise_geometry(geo.to_geos(geoms[i], srid=geo.STORAGE_SRID), gfield.geom_type)
        except GeometryRejected:
            bad[i] = True
            continue
        out[i] = shapely.from_wkb(bytes(g.wkb))
    return out, bad


def _ctor(multi: str) -> str:
    return {
        "MultiPolygon": "multipolygons",
        "MultiLineString": "multilinestrings",
        "MultiPoint": "multipoints",
    }[multi]


def _units(points: np.ndarray, rows: np.ndarray):
    """For ``points[rows]``: the id of the most specific unit containing each point (0 if none),
    and the units by id (``admin_unit_containing``'s ranking, over one pass per unit)."""
    today = timezone.localdate()
    located = points[rows]
    xy = shapely.get_coordinates(located)
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    envelope = Polygon.from_bbox((x0, y0, x1, y1))
    envelope.srid = geo.STORAGE_SRID
    units = list(
        AdminUnit.objects.filter(boundary__intersects=envelope).only(
            "id", "level", "valid_from", "valid_to", "metric_srid", "zone_srid", "boundary"
        )
    )
    ids = np.zeros(len(rows), dtype=np.int64)
    # In rank order, each unit takes the points it contains that no better unit took: the unit
    # the row path's ranking picks among all that contain the point.
    units.sort(key=unit_rank(today))
    for unit in units:
        left = ids == 0
        if not left.any():
            break
        shape = shapely.from_wkb(bytes(unit.boundary.wkb))
        bx0, by0, bx1, by1 = shape.bounds
        cand = np.flatnonzero(
            left & (xy[:, 0] >= bx0) & (xy[:, 0] <= bx1) & (xy[:, 1] >= by0) & (xy[:, 1] <= by1)
        )
        if not len(cand):
            continue
        shapely.prepare(shape)
        inside = shapely.contains_xy(shape, xy[cand, 0], xy[cand, 1])
        ids[cand[inside]] = unit.pk
    return ids, {u.pk: u for u in units}


def check(
    *,
    model,
    spec,
    gfield,
    geoms: np.ndarray,
    columns: dict,
    relations,
    user,
) -> Checked:
    """Every column check of the row path over the whole file (see the module's docstring)."""
    n = len(geoms)
    faulty = np.zeros(n, dtype=bool)
    cols: dict[str, Column] = {}
    for column, data in columns.values():
        if column.related is not None:
            conv, bad = _distinct(data, lambda raw, c=column: relations.resolve(c, raw))
            conv.uniques = [getattr(v, "pk", v) for v in conv.uniques]
        else:
            conv, bad = _distinct(data, lambda raw, f=column.field: convert(f, raw))
        faulty |= bad
        # A value the file leaves empty takes the field's default, as ``model()`` gives it.
        default = column.field.get_default()
        conv.uniques = [default if v is NOT_GIVEN else v for v in conv.uniques]
        cols[column.field.attname] = conv

    shapes, bad = _normalise(geoms, gfield)
    faulty |= bad
    present = ~shapely.is_missing(shapes)

    # The unit: the file's, else the one containing the feature.
    metric = np.zeros(n, dtype=np.int64)
    if needs_admin_unit(model):
        attname = model._meta.get_field("admin_unit").attname
        given = cols.get(attname)
        unit_ids = np.zeros(n, dtype=np.int64)
        if given is not None:
            per_value = np.array([0 if v is None else v for v in given.uniques], dtype=np.int64)
            unit_ids = per_value[given.codes]
        wants = (unit_ids == 0) & present & ~faulty
        points = np.empty(n, dtype=object)
        points[present] = shapely.point_on_surface(shapes[present])
        found_units: dict = {}
        want_rows = np.flatnonzero(wants)
        if len(want_rows):
            ids, found_units = _units(points, want_rows)
            unit_ids[want_rows] = ids
            faulty[want_rows[ids == 0]] = True
        uniques, codes = np.unique(unit_ids, return_inverse=True)
        cols[attname] = Column(codes.ravel(), [int(u) if u else None for u in uniques])
        # The survey zone: the unit's, else the zone at the feature's point (the row path's rule).
        zones = {uid: u.metric_srid for uid, u in found_units.items()}
        missing = [int(u) for u in uniques if u and int(u) not in zones]
        zones.update(AdminUnit.objects.filter(pk__in=missing).values_list("pk", "metric_srid"))
        zone_of = np.array([zones.get(int(u)) or 0 for u in uniques], dtype=np.int64)
        metric = zone_of[codes.ravel()]
        metric[faulty] = 0
        for i in np.flatnonzero((metric == 0) & ~faulty & present):
            zone = AdminUnit.metric_srid_at(GEOSGeometry(points[i].wkt, srid=4326))
            metric[i] = zone or settings.PLANNING_DEFAULT_METRIC_SRID
    metric[metric == 0] = settings.PLANNING_DEFAULT_METRIC_SRID
    uniques, codes = np.unique(metric, return_inverse=True)
    cols["metric_srid"] = Column(codes.ravel(), [int(z) for z in uniques])

    ok = ~faulty & present
    measures = model.bulk_measures(shapes, metric, ok)

    # The defaults of the fields the file does not give (as ``model()`` sets them).
    for f in model._meta.concrete_fields:
        if f.primary_key or f is gfield or f.attname in measures or f.attname in cols:
            continue
        cols[f.attname] = Column.constant(f.get_default(), n)

    # Rights, once per distinct unit (the attributes the rule reads: feature_unit_id).
    refused: dict[int, str] = {}
    if user is not None:
        unit_col = cols.get("admin_unit_id", Column.constant(None, n))
        area_col = cols.get("area_id", Column.constant(None, n))
        pair = Column.of(list(zip(unit_col.codes.tolist(), area_col.codes.tolist(), strict=True)))

        def refusal(codes):
            probe = model()
            probe.admin_unit_id = unit_col.uniques[codes[0]]
            probe.area_id = area_col.uniques[codes[1]]
            return access.import_row_refusal(user, spec, probe)

        reasons = pair.map(refusal)
        for i in np.flatnonzero(~faulty):
            reason = reasons[pair.codes[i]]
            if reason:
                refused[int(i)] = reason

    # full_clean's clean_fields, once per distinct value of each field. The measures are floats
    # computed from a valid geometry, without validators: checked finite.
    unclean = np.zeros(n, dtype=bool)
    probe = model()
    for f in model._meta.concrete_fields:
        if f is gfield or f.primary_key:
            continue
        if f.attname in measures:
            if not np.isfinite(np.array(measures[f.attname][ok], dtype=float)).all():
                raise Disagreement(f"{f.name}: a measure is not finite")
            continue

        is_bad = _refuses(f, probe)

        col = cols[f.attname]
        bad_u = np.array([is_bad(v) for v in col.uniques], dtype=bool)
        unclean |= bad_u[col.codes] & ~faulty
    for name, values in measures.items():
        cols[name] = Column(np.arange(n, dtype=np.int64), list(values))
    return Checked(columns=cols, geoms=shapes, faulty=faulty, refused=refused, unclean=unclean)


_TEXT_VALIDATORS = (validators.MaxLengthValidator, validators.ProhibitNullCharactersValidator)


def _refuses(f, probe) -> Callable[[object], bool]:
    """Does ``full_clean``'s ``clean_fields`` refuse this value of field ``f``?

    For text without choices whose only validators are Django's length and NUL checks (most text
    columns, some with a distinct value per row), the same rules written out: Django's
    ``Field.clean`` costs 4 µs a value, this a fraction; any other field runs ``clean``."""
    if (
        type(f) in (models.CharField, models.TextField)
        and not f.choices
        and all(type(v) in _TEXT_VALIDATORS for v in f.validators)
    ):
        limits = [v.limit_value for v in f.validators if type(v) is validators.MaxLengthValidator]
        limit = min(limits) if limits else None

        def text_refused(value):
            if isinstance(value, str):
                if value == "":
                    return not f.blank
                return (limit is not None and len(value) > limit) or "\x00" in value
            return _clean_refuses(f, probe, value)

        return text_refused
    return lambda value: _clean_refuses(f, probe, value)


def _clean_refuses(f, probe, value) -> bool:
    if f.blank and value in f.empty_values:
        return False
    try:
        f.clean(value, probe)
    except ValidationError:
        return True
    return False


def _copy_text(value) -> str:
    """A value in PostgreSQL's COPY text format (what psycopg's text dumpers send, escaped)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (dt.date, dt.datetime)):
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Writer:
    """Writes new rows and their history rows with explicit ids: ``COPY`` on PostgreSQL, an
    ``executemany`` on SpatiaLite.

    A batch's text is made in a second thread while the database takes in the batch before it
    (the database works in its own process, and psycopg lets the thread run while it waits), so
    on two cores Python's part hides behind the database's. Each distinct value is prepared
    once, when a batch first needs it."""

    def __init__(self, model, gfield, checked: Checked, *, history_reason: str, user):
        self.model = model
        self.gfield = gfield
        self.checked = checked
        self.db = router.db_for_write(model)
        self.connection = connections[self.db]
        self.copy = self.connection.vendor == "postgresql"
        self.fields = list(model._meta.concrete_fields)
        self.ids = np.zeros(len(checked.geoms), dtype=np.int64)
        self.written: list[np.ndarray] = []
        self._prepared: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        history = getattr(model, "history", None)
        self.history = history.model if history is not None else None
        if self.history is not None:
            extra = {
                "history_date": timezone.now(),
                "history_change_reason": history_reason,
                "history_type": "+",
                "history_user_id": getattr(user, "pk", None),
            }
            own = {f.attname for f in self.fields}
            self.history_fields = []  # (column, own field attname or None, prepared constant)
            for f in self.history._meta.concrete_fields:
                if f.attname == "history_id":
                    continue
                if f.attname in own:
                    self.history_fields.append((f.column, f.attname, None))
                elif f.attname in extra:
                    value = extra[f.attname]
                    if f.attname == "history_change_reason":
                        value = value[: f.max_length]
                    self.history_fields.append((f.column, None, self._prepare(f, value)))
                else:
                    raise ImproperlyConfigured(
                        f"history column {f.attname} has no value in a bulk import"
                    )

    def allocate(self, rows: np.ndarray) -> None:
        """Ids for ``rows``: from the table's sequence (PostgreSQL) or after the largest."""
        table = self.model._meta.db_table
        pk = self.model._meta.pk.column
        with self.connection.cursor() as cur:
            if self.copy:
                cur.execute(
                    "SELECT array_agg(nextval(pg_get_serial_sequence(%s, %s))) "
                    "FROM generate_series(1, %s)",
                    [table, pk, len(rows)],
                )
                self.ids[rows] = cur.fetchone()[0] or []
            else:
                qn = self.connection.ops.quote_name
                cur.execute(f"SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}")
                top = cur.fetchone()[0]
                cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                seq = cur.fetchone()
                top = max(top, seq[0] if seq else 0)
                self.ids[rows] = np.arange(top + 1, top + 1 + len(rows))

    # -- the database's values ---------------------------------------------------------------

    def _prepare(self, f, value):
        """``value`` as Django sends it for field ``f`` (COPY text on PostgreSQL)."""
        if self.copy and type(value) is str and type(f) in (models.CharField, models.TextField):
            return _copy_text(value)  # get_db_prep_save of text is the text
        if self.copy and type(value) is float and type(f) is models.FloatField:
            return repr(value)
        value = f.get_db_prep_save(value, self.connection)
        return _copy_text(value) if self.copy else value

    def _values(self, f, rows: np.ndarray) -> np.ndarray:
        if f.primary_key:
            ids = self.ids[rows].tolist()
            return np.array([str(i) for i in ids] if self.copy else ids, dtype=object)
        if f is self.gfield:
            return self._geometries(self.checked.geoms[rows])
        col = self.checked.columns[f.attname]
        done, cache = self._prepared.setdefault(
            f.attname,
            (np.zeros(len(col.uniques), dtype=bool), np.empty(len(col.uniques), dtype=object)),
        )
        codes = col.codes[rows]
        todo = np.unique(codes[~done[codes]])
        if len(todo):
            cache[todo] = [self._prepare(f, col.uniques[k]) for k in todo.tolist()]
            done[todo] = True
        return cache[codes]

    def _geometries(self, shapes) -> np.ndarray:
        out = np.empty(len(shapes), dtype=object)
        present = ~shapely.is_missing(shapes)
        if self.copy:
            tagged = shapely.set_srid(shapes[present], geo.STORAGE_SRID)
            out[present] = shapely.to_wkb(tagged, hex=True, include_srid=True)
            out[~present] = "\\N"
        else:
            # As Django sends it to SpatiaLite: GEOS's WKT into GeomFromText.
            for i in np.flatnonzero(present):
                out[i] = GEOSGeometry(memoryview(shapely.to_wkb(shapes[i]))).wkt
        return out

    def _payload(self, rows: np.ndarray, *, history: bool):
        """The rows' data for the table (and its history): COPY text, or tuples."""
        by_name = {f.attname: self._values(f, rows) for f in self.fields}
        main = [by_name[f.attname] for f in self.fields]
        hist = None
        if history and self.history is not None:
            n = len(rows)
            hist = [
                by_name[own] if own is not None else [constant] * n
                for _column, own, constant in self.history_fields
            ]
        if self.copy:
            main = ("\n".join(map("\t".join, zip(*main, strict=True))) + "\n").encode()
            if hist is not None:
                hist = ("\n".join(map("\t".join, zip(*hist, strict=True))) + "\n").encode()
        else:
            main = list(zip(*main, strict=True))
            hist = list(zip(*hist, strict=True)) if hist is not None else None
        return main, hist

    # -- writing -----------------------------------------------------------------------------

    def _insert(self, table, columns: list[str], data, geometry_column=None) -> None:
        qn = self.connection.ops.quote_name
        names = ", ".join(qn(c) for c in columns)
        with self.connection.wrap_database_errors, self.connection.cursor() as cur:
            if self.copy:
                with cur.cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
                    copy.write(data)
            else:
                marks = [
                    f"GeomFromText(%s, {geo.STORAGE_SRID})" if c == geometry_column else "%s"
                    for c in columns
                ]
                cur.executemany(
                    f"INSERT INTO {qn(table)} ({names}) VALUES ({', '.join(marks)})", data
                )

    def insert_table(self, data) -> None:
        columns = [f.column for f in self.fields]
        self._insert(self.model._meta.db_table, columns, data, self.gfield.column)

    def insert_history(self, data) -> None:
        if data is not None:
            columns = [c for c, _own, _constant in self.history_fields]
            self._insert(self.history._meta.db_table, columns, data, self.gfield.column)

    def write(self, rows: np.ndarray, *, history: bool = False) -> None:
        """Insert ``rows`` (raises DatabaseError if the database refuses one of them)."""
        if not len(rows):
            return
        main, hist = self._payload(rows, history=history)
        self.insert_table(main)
        self.insert_history(hist)
        self.written.append(rows)

    def batches(self, rows: np.ndarray):
        """(batch, table data, history data) for each batch of ``rows``, made one batch ahead
        in a thread."""
        ahead: queue.Queue = queue.Queue(maxsize=1)
        stop = threading.Event()

        def make():
            try:
                for start in range(0, len(rows), BATCH):
                    if stop.is_set():
                        return
                    batch = rows[start : start + BATCH]
                    ahead.put((batch, *self._payload(batch, history=True)))
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
                ahead.put(exc)
                return
            ahead.put(None)

        worker = threading.Thread(target=make, name="bulk-import-text", daemon=True)
        worker.start()
        try:
            while (item := ahead.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            while worker.is_alive():  # let a producer blocked on a full queue finish
                try:
                    ahead.get_nowait()
                except queue.Empty:
                    worker.join(0.01)

    @property
    def count(self) -> int:
        return sum(len(r) for r in self.written)


def write_in_batches(
    writer: Writer,
    rows: np.ndarray,
    *,
    on_batch: Callable[[int], None] | None = None,
) -> int | None:
    """Write ``rows`` in order with their history rows, a savepoint per batch; None when all
    were written, else the row (of ``rows``) the database refused first — the rows before it
    are written (without history: the import stops there)."""
    db = writer.db
    refused = None
    # The thread making the text is stopped (closing) before a refused batch is halved.
    with contextlib.closing(writer.batches(rows)) as batches:
        for batch, main, hist in batches:
            try:
                with transaction.atomic(using=db):
                    writer.insert_table(main)
                    writer.insert_history(hist)
            except DatabaseError:
                refused = batch
                break
            writer.written.append(batch)
            if on_batch is not None:
                on_batch(len(batch))
    return None if refused is None else int(_first_refused(writer, refused))


def _first_refused(writer: Writer, batch: np.ndarray) -> int:
    """The first row of ``batch`` the database refuses, by halving; the rows before it written.
    (Should every row go in — the history's rows were refused, say — the last one is named, and
    the row path, which accepts it, redoes the import: ``Disagreement``.)"""
    db = writer.db
    lo, hi = 0, len(batch)  # batch[:lo] written; batch[:hi] refused as a whole
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            with transaction.atomic(using=db):
                writer.write(batch[lo:mid])
        except DatabaseError:
            hi = mid
        else:
            lo = mid
    return batch[lo]
