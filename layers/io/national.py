"""The national synthetic dataset (``planning.synthetic_national``) to a GeoPackage and from it
into the database (issue 15, item 1; ``manage.py build_national``).

The GeoPackage holds one layer per table, named as the table, with the table's column names and
ids from 1: a planner can open it in QGIS, and the benchmark loads the same file with ``ogr2ogr``
beside us. Loading:

* PostgreSQL: the loaded tables' secondary indexes, unique and foreign-key constraints are
  dropped, every layer goes in with ``COPY``, then the indexes are built and the constraints
  added back (each checked once over the whole table, instead of a trigger per row), the
  sequences moved past the new ids and the tables analysed — all in one transaction: a failure
  leaves the database as it was. Check constraints stay (a row breaking one is refused by COPY).
* SpatiaLite (tests, a laptop): ``executemany`` in one transaction; the R-tree triggers keep the
  spatial indexes.

The rows go in beside what is there: ids are shifted past each table's largest id and the
foreign keys with them. No history rows are written: a record's history starts at its first edit.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
from django.apps import apps
from django.contrib.gis.db import models
from django.db import DatabaseError, connections, router, transaction
from django.utils.translation import gettext as _

from planning import geo
from planning.synthetic_national import Dataset, Table

log = logging.getLogger(__name__)
# Dependency order: a table's foreign keys point to tables before it.
TABLES = (
    "planning_adminunit",
    "planning_adminunitsuccession",
    "planning_roadcorridor",
    "planning_developer",
    "planning_industrialarea",
    "planning_secondaryproject",
    "planning_developmenttarget",
    "planning_annualreport",
    "planning_clearanceparcel",
)
READ_ROWS = 50_000


class NationalLoadError(Exception):
    """The GeoPackage cannot be loaded; the message says why. Nothing was written."""


def model_for(table: str):
    for model in apps.get_models():
        if model._meta.db_table == table:
            return model
    raise NationalLoadError(_("no model has the table %(table)s") % {"table": table})


# --- writing the GeoPackage ----------------------------------------------------------------------


def _field(values: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """A column as pyogrio writes it, and its null mask."""
    if values.dtype != object:
        return values, None
    present = np.array([v is not None for v in values.tolist()], dtype=bool)
    sample = next((v for v in values.tolist() if v is not None), "")
    if hasattr(sample, "isoformat"):  # dates
        out = np.array([v.isoformat() if v is not None else "NaT" for v in values.tolist()])
        return out.astype("datetime64[D]"), None
    if isinstance(sample, (bool, np.bool_)):
        return np.array([bool(v) for v in values.tolist()]), (
            ~present if not present.all() else None
        )
    if isinstance(sample, (int, np.integer)):
        out = np.array([int(v) if v is not None else 0 for v in values.tolist()], dtype=np.int64)
        return out, (~present if not present.all() else None)
    return values, None


def _write_table(path: Path, table: Table, *, append: bool) -> None:
    names = [c for c in table.columns if c != "id"]
    data, masks = zip(*(_field(table.columns[c]) for c in names), strict=True)
    geometry = None
    if table.geometry is not None:
        geometry = shapely.to_wkb(table.geometry)
    pyogrio.raw.write(
        str(path),
        geometry,
        list(data),
        names,
        field_mask=list(masks),
        layer=table.table,
        driver="GPKG",
        geometry_type=table.geometry_type,
        crs="EPSG:4326" if geometry is not None else None,
        append=append,
        layer_options={
            "FID": "id",
            **({"GEOMETRY_NAME": table.geometry_column} if geometry is not None else {}),
        },
        encoding="UTF-8",
    )


def write_geopackage(path: Path, dataset: Dataset, progress: Callable[[str], None]) -> dict:
    """Write every table and the parcels (chunk by chunk) to ``path``; the row counts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial.gpkg")
    tmp.unlink(missing_ok=True)
    counts = {}
    for table in dataset.tables:
        _write_table(tmp, table, append=False)
        counts[table.table] = len(table)
        progress(_("%(table)s: %(rows)s rows") % {"table": table.table, "rows": f"{len(table):,}"})
    done, start = 0, time.monotonic()
    for chunk in dataset.parcels:
        _write_table(tmp, chunk, append=done > 0)
        done += len(chunk)
        rate = done / max(time.monotonic() - start, 1e-9)
        progress(
            _("%(table)s: %(done)s / %(total)s rows (%(rate)s/s)")
            % {
                "table": "planning_clearanceparcel",
                "done": f"{done:,}",
                "total": f"{dataset.parcel_count:,}",
                "rate": f"{rate:,.0f}",
            }
        )
    counts["planning_clearanceparcel"] = done
    tmp.replace(path)
    return counts


# --- loading it ----------------------------------------------------------------------------------


def _gpkg_wkb(blob: bytes) -> bytes:
    """The WKB inside a GeoPackage geometry blob (after its header and envelope)."""
    envelope = (blob[3] >> 1) & 7
    return blob[8 + (0, 32, 48, 48, 64)[envelope] :]


class _Plan:
    """How one GeoPackage layer becomes rows of its table."""

    def __init__(self, gpkg: sqlite3.Connection, table: str, connection, offsets: dict):
        self.table = table
        self.model = model_for(table)
        layer_columns = [r[1] for r in gpkg.execute(f'PRAGMA table_info("{table}")')]
        self.fields = list(self.model._meta.concrete_fields)
        self.select, self.convert = [], []
        for f in self.fields:
            if f.column in layer_columns:
                self.select.append(f'"{f.column}"')
                self.convert.append(self._converter(f, offsets, connection))
            elif f.has_default() or f.null or isinstance(f, (models.CharField, models.TextField)):
                value = f.get_default() if f.has_default() else (None if f.null else "")
                if isinstance(f, models.JSONField):
                    value = f.get_prep_value(value)
                self.select.append("NULL")
                self.convert.append(lambda _v, value=value: value)
            else:
                raise NationalLoadError(
                    _("%(table)s: the GeoPackage has no column %(column)s")
                    % {"table": table, "column": f.column}
                )
        self.columns = [f.column for f in self.fields]
        self.count = gpkg.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]

    def _converter(self, f, offsets, connection):
        if f.primary_key:
            shift = offsets[self.table]
            return lambda v: v + shift
        if isinstance(f, models.ForeignKey):
            shift = offsets.get(f.related_model._meta.db_table, 0)
            return lambda v: None if v is None else v + shift
        if isinstance(f, models.BooleanField):
            return lambda v: None if v is None else bool(v)
        return None  # as read: text, numbers, ISO dates, JSON text

    def rows(self, gpkg: sqlite3.Connection, geometry: Callable):
        """Lists of row tuples, ``READ_ROWS`` at a time; geometries through ``geometry``."""
        cur = gpkg.execute(f'SELECT {", ".join(self.select)} FROM "{self.table}" ORDER BY id')
        gindex = next(
            (i for i, f in enumerate(self.fields) if isinstance(f, models.GeometryField)), None
        )
        while batch := cur.fetchmany(READ_ROWS):
            columns = list(zip(*batch, strict=True))
            for i, fn in enumerate(self.convert):
                if i == gindex:
                    columns[i] = geometry(columns[i])
                elif fn is not None:
                    columns[i] = [fn(v) for v in columns[i]]
            yield list(zip(*columns, strict=True))


def _sql_text(value) -> str:
    """``value`` as a SQLite string literal of its COPY text."""
    if value is None:
        text = "\\N"
    elif value is True or value is False:
        text = "t" if value else "f"
    else:
        text = str(value)
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return "'" + text.replace("'", "''") + "'"


# A GeoPackage geometry blob's header: 8 bytes, then an envelope whose size its flags byte gives
# (bits 1-3; bit 0 is the header's byte order).
_ENVELOPE = " ".join(
    f"WHEN '{(env << 1) | order:02X}' THEN {1 + 2 * (8 + size)}"
    for env, size in enumerate((0, 32, 48, 48, 64))
    for order in (0, 1)
)


def _ewkb_hex_sql(column: str, srid: int) -> str:
    """SQL turning a GeoPackage geometry into PostGIS's hex EWKB with ``srid``: the WKB after the
    header, with the SRID flag set in its type and the SRID after it, in the WKB's byte order."""
    le = srid.to_bytes(4, "little").hex().upper()
    be = srid.to_bytes(4, "big").hex().upper()
    wkb = f"substr(hex({column}), CASE hex(substr({column}, 4, 1)) {_ENVELOPE} END)"
    return (
        f"CASE WHEN {column} IS NULL THEN '\\N' ELSE (SELECT CASE substr(w, 1, 2) "
        f"WHEN '01' THEN '01' || substr(w, 3, 6) || '20' || '{le}' || substr(w, 11) "
        f"ELSE '0020' || substr(w, 5, 6) || '{be}' || substr(w, 11) END "
        f"FROM (SELECT {wkb} AS w)) END"
    )


def _copy_line_sql(plan: _Plan, offsets: dict) -> str:
    """One SELECT giving each row of the layer as a line of COPY text, made inside SQLite."""
    parts = []
    for f, source, convert in zip(plan.fields, plan.select, plan.convert, strict=True):
        if source == "NULL":  # not in the layer: the field's default, a constant
            parts.append(_sql_text(convert(None)))
            continue
        if isinstance(f, models.GeometryField):
            parts.append(_ewkb_hex_sql(source, geo.STORAGE_SRID))
        elif f.primary_key or isinstance(f, models.ForeignKey):
            table = plan.table if f.primary_key else f.related_model._meta.db_table
            shift = offsets.get(table, 0)
            parts.append(f"ifnull(CAST({source} + {shift} AS TEXT), '\\N')")
        elif isinstance(f, models.BooleanField):
            parts.append(
                f"CASE WHEN {source} IS NULL THEN '\\N' WHEN {source} THEN 't' ELSE 'f' END"
            )
        elif isinstance(f, (models.CharField, models.TextField, models.JSONField)):
            escaped = source
            for char, code in (
                ("\\", "'\\'"),
                ("\t", "char(9)"),
                ("\n", "char(10)"),
                ("\r", "char(13)"),
            ):
                escaped = f"replace({escaped}, {code}, '{_escape_sql(char)}')"
            parts.append(f"ifnull({escaped}, '\\N')")
        else:
            parts.append(f"ifnull(CAST({source} AS TEXT), '\\N')")
    return f'SELECT {" || char(9) || ".join(parts)} FROM "{plan.table}" ORDER BY id'


def _escape_sql(char: str) -> str:
    return {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}[char]


def _copy_batches(plan: _Plan, gpkg: sqlite3.Connection, offsets: dict):
    """The layer's rows as COPY text, one ``bytes`` per batch; SQLite writes the lines."""
    cur = gpkg.execute(_copy_line_sql(plan, offsets))
    while batch := cur.fetchmany(READ_ROWS):
        yield ("\n".join([r[0] for r in batch]) + "\n").encode()


def _in_thread(batches, depth: int = 2):
    """Iterate ``batches`` in a second thread, ``depth`` ahead: Python makes the next batch's text
    while PostgreSQL (its own process) takes in the one before."""
    box: queue.Queue = queue.Queue(maxsize=depth)
    done = object()

    def produce():
        try:
            for item in batches:
                box.put(item)
        except BaseException as exc:  # handed to the consumer
            box.put(exc)
        box.put(done)

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    while (item := box.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item
    worker.join()


def _spatialite_wkb(blobs) -> list:
    return [None if b is None else _gpkg_wkb(b) for b in blobs]


def _structure(cur, tables: list[str]) -> tuple[list[str], list[str]]:
    """(drop statements, create statements) for the secondary indexes, unique and foreign-key
    constraints of ``tables``."""
    drops, creates_index, creates_unique, creates_fk = [], [], [], []
    cur.execute(
        "SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f')",
        [tables],
    )
    for table, name, kind, definition in cur.fetchall():
        drops.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        (creates_unique if kind == "u" else creates_fk).append(
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        )
    cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT EXISTS ("
        "SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [tables],
    )
    for name, definition in cur.fetchall():
        drops.append(f"DROP INDEX {name}")
        creates_index.append(definition)
    return drops, creates_index + creates_unique + creates_fk


def load_geopackage(path: Path, progress: Callable[[str], None]) -> dict:
    """Load the layers of ``path`` into their tables; rows per table. All or nothing."""
    if not path.exists():
        raise NationalLoadError(_("no such file: %(path)s") % {"path": path})
    # Read by the thread that makes the COPY text (one at a time).
    gpkg = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    try:
        present = {r[0] for r in gpkg.execute("SELECT table_name FROM gpkg_contents")}
    except sqlite3.DatabaseError as exc:
        raise NationalLoadError(
            _("%(path)s is not a GeoPackage: %(error)s") % {"path": path, "error": exc}
        ) from exc
    tables = [t for t in TABLES if t in present]
    if not tables:
        raise NationalLoadError(
            _("%(path)s has none of the layers %(layers)s")
            % {"path": path, "layers": ", ".join(TABLES)}
        )
    using = router.db_for_write(model_for(tables[0]))
    if "planning_adminunit" in tables:
        first = gpkg.execute('SELECT code FROM "planning_adminunit" ORDER BY id LIMIT 1').fetchone()
        unit = model_for("planning_adminunit")
        if first and unit.objects.using(using).filter(code=first[0]).exists():
            raise NationalLoadError(
                _(
                    "this database already holds the dataset (unit %(code)s exists); load it "
                    "into a database of its own"
                )
                % {"code": first[0]}
            )
    try:
        return _load(gpkg, tables, using, progress)
    except DatabaseError as exc:
        raise NationalLoadError(
            _("the database refused the dataset, nothing was written: %(error)s")
            % {"error": str(exc).strip()}
        ) from exc
    finally:
        gpkg.close()


def _load(gpkg, tables, using, progress) -> dict:
    connection = connections[using]
    postgres = connection.vendor == "postgresql"
    counts = {}
    started = time.monotonic()
    with (
        transaction.atomic(using=using),
        connection.wrap_database_errors,  # COPY runs on psycopg's own cursor
        connection.cursor() as cur,
    ):
        offsets = {}
        for table in tables:
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
            offsets[table] = cur.fetchone()[0]
        plans = [_Plan(gpkg, t, connection, offsets) for t in tables]
        recreate = []
        if postgres:
            drops, recreate = _structure(cur, tables)
            for statement in drops:
                cur.execute(statement)
            progress(
                _("dropped %(count)d indexes and constraints; loading with COPY")
                % {"count": len(drops)}
            )
        for plan in plans:
            t0 = time.monotonic()
            names = ", ".join(connection.ops.quote_name(c) for c in plan.columns)
            if postgres:
                with cur.cursor.copy(f"COPY {plan.table} ({names}) FROM STDIN") as copy:
                    for data in _in_thread(_copy_batches(plan, gpkg, offsets)):
                        copy.write(data)
            else:
                marks = ", ".join(
                    f"GeomFromWKB(%s, {geo.STORAGE_SRID})"
                    if isinstance(f, models.GeometryField)
                    else "%s"
                    for f in plan.fields
                )
                sql = f"INSERT INTO {plan.table} ({names}) VALUES ({marks})"
                for rows in plan.rows(gpkg, _spatialite_wkb):
                    cur.executemany(sql, rows)
            counts[plan.table] = plan.count
            seconds = time.monotonic() - t0
            progress(
                _("%(table)s: %(rows)s rows in %(seconds)s s (%(rate)s rows/s)")
                % {
                    "table": plan.table,
                    "rows": f"{plan.count:,}",
                    "seconds": f"{seconds:.1f}",
                    "rate": f"{plan.count / max(seconds, 1e-9):,.0f}",
                }
            )
        if postgres:
            t0 = time.monotonic()
            for statement in recreate:
                cur.execute(statement)
            progress(
                _("built %(count)d indexes and constraints in %(seconds)s s")
                % {"count": len(recreate), "seconds": f"{time.monotonic() - t0:.1f}"}
            )
            for table in tables:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f"(SELECT GREATEST(MAX(id), 1) FROM {table}))",
                    [table],
                )
            t0 = time.monotonic()
            cur.execute(f"ANALYZE {', '.join(tables)}")
            progress(_("analysed in %(seconds)s s") % {"seconds": f"{time.monotonic() - t0:.1f}"})
    progress(
        _("loaded %(rows)s rows in %(seconds)s s")
        % {"rows": f"{sum(counts.values()):,}", "seconds": f"{time.monotonic() - started:.1f}"}
    )
    return counts
