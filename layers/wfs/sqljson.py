"""GeoJSON features written by PostGIS: one SQL statement gives each row's feature as JSON text.

The Python encoder (:func:`layers.wfs.encoders.geojson_feature_collection`) spends most of a
large GeoJSON answer formatting coordinates and values one by one. On PostGIS the same text is
built by the database in the query that reads the rows — ``ST_AsGeoJSON`` for the geometry,
``to_json`` for the values — and Python only joins the rows' texts. The query is the caller's
queryset (rights, filters, order and paging unchanged: the same selectors); only the encoding
moves.

Same output as the Python encoder, checked on every collection of the demo catalogue by
``tests/layers/test_geojson_sql.py``:

* id ``"<collection>.<pk>"``; properties in schema order with the encoder's separators
  (``json.dumps``: ``", "`` and ``": "``);
* decimals as JSON numbers through ``float8`` (the encoder's ``float(Decimal)``), floats in
  their shortest exact form (PostgreSQL 12+ with the default ``extra_float_digits``, as
  Python's ``repr``), dates ``YYYY-MM-DD``, date-times in UTC as ``datetime.isoformat`` writes
  them (``+00:00``, microseconds only when not zero), booleans, NULL as ``null``;
* geometry: ``ST_AsGeoJSON`` with the encoder's decimals (:func:`encoders.precision_for`),
  ``null`` for a NULL or empty geometry. Both round to the same decimals; PostGIS and numpy may
  differ in the last written decimal of a coordinate that falls on a rounding tie.

Used only for output in the storage CRS (EPSG:4326), longitude/latitude or — by
``ST_FlipCoordinates`` — latitude/longitude; other output CRSs (EPSG:3857, VN-2000) go through
the Python encoder, whose pyproj transformations (``planning.geo.transformer``) the database's
``spatial_ref_sys`` would not reproduce exactly. SpatiaLite keeps the Python encoder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.db import connections
from django.db.models import F, Func, QuerySet, TextField

from layers.wfs import crs as crs_mod
from layers.wfs.crs import CRSRef
from layers.wfs.encoders import precision_for
from layers.wfs.schema import FeatureType, Prop

FEATURE = "_kcn_geojson"


@dataclass
class JsonPage:
    """A page of features already written as GeoJSON text (``texts``), one per ``pks`` entry.

    ``rows`` and ``geoms`` are empty: the values live in the texts."""

    pks: list
    texts: list[str]
    rows: list = field(default_factory=list)
    geoms: np.ndarray | None = None


def supported(qs: QuerySet, srs: CRSRef) -> bool:
    """Whether the database writes this page: PostGIS and output in the storage CRS."""
    return connections[qs.db].vendor == "postgresql" and srs.epsg == crs_mod.STORAGE_EPSG


def _literal(text: str) -> str:
    """An SQL string literal of a catalogue name (no user input), ``%`` doubled for the driver."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def _value_sql(column: str, xs_type: str) -> str:
    """JSON text of one property value, ``null`` for NULL."""
    if xs_type in ("decimal", "double"):
        # float(Decimal) / float as json.dumps writes it (repr): "12.0", not "12" — GDAL types a
        # field Integer or Real from such text. PostgreSQL writes a whole float8 below 1e15
        # without a point; a regular expression here would double the statement's time.
        x = f"(({column})::float8)"
        return (
            f"CASE WHEN {x} IS NULL THEN 'null' "
            f"WHEN {x} = trunc({x}) AND abs({x}) < 1e15 THEN {x}::text || '.0' "
            f"ELSE to_json({x})::text END"
        )
    if xs_type == "dateTime":
        # datetime.isoformat() of an aware UTC datetime: microseconds only when not zero.
        utc = f"(({column}) AT TIME ZONE 'UTC')"
        value = (
            f"""'"' || to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS') || """
            f"CASE WHEN date_part('microseconds', {utc})::bigint %% 1000000 <> 0 "
            f"""THEN to_char({utc}, '.US') ELSE '' END || '+00:00"'"""
        )
    else:
        value = f"to_json({column})::text"
    return f"COALESCE({value}, 'null')"


class _FeatureText(Func):
    """``'{"type":"Feature","id":…,"geometry":…,"properties":{…}}'`` of a row, as text."""

    def __init__(
        self,
        *expressions,
        name: str,
        members: tuple[tuple[str, str], ...],
        has_geometry: bool,
        precision: int,
        flip: bool,
    ):
        # Plain, hashable arguments: Django hashes an expression by its constructor's arguments.
        super().__init__(*expressions, output_field=TextField())
        self.name = name
        self.members = members  # (property name, xs type) in schema order
        self.has_geometry = has_geometry
        self.precision = precision
        self.flip = flip

    def as_sql(self, compiler, connection, **extra_context):
        columns = []
        for expression in self.get_source_expressions():
            sql, p = compiler.compile(expression)
            # plain columns: the SQL below writes a column several times, which a parameter
            # would not survive
            assert not p, (sql, p)
            columns.append(sql)
        pk, values = columns[0], columns[1 : 1 + len(self.members)]
        if self.has_geometry:
            g = columns[-1]
            shape = f"ST_FlipCoordinates({g})" if self.flip else g
            geometry = (
                f"CASE WHEN {g} IS NULL OR ST_IsEmpty({g}) THEN 'null' "
                f"ELSE ST_AsGeoJSON({shape}, {self.precision:d}, 0) END"
            )
        else:
            geometry = "'null'"
        members = []
        for i, ((name, xs_type), column) in enumerate(zip(self.members, values, strict=True)):
            key = ("" if i == 0 else ", ") + f'"{name}": '
            members.append(f"{_literal(key)} || {_value_sql(column, xs_type)}")
        properties = " || ".join(members) if members else "''"
        # encoders.fid: "<collection>.<pk>"
        head = _literal('{"type":"Feature","id":"' + self.name + ".")
        between = _literal('","geometry":')
        props_open = _literal(',"properties":{')
        sql = (
            f"({head} || ({pk})::text || {between} || {geometry} || "
            f"{props_open} || {properties} || '}}}}')"
        )
        return sql, []


def fetch_page(
    qs: QuerySet,
    ftype: FeatureType,
    props: list[Prop],
    *,
    geometry: str | None,
    start: int,
    count: int,
    srs: CRSRef,
    force_xy: bool = False,
) -> JsonPage | None:
    """The page as GeoJSON feature texts written by PostGIS, or None where the Python encoder
    must write it (SpatiaLite, another output CRS): then call ``selectors.fetch_page``."""
    if not supported(qs, srs):
        return None
    if count <= 0:
        return JsonPage([], [])
    columns = [F("pk"), *[F(p.path) for p in props], *([F(geometry)] if geometry else [])]
    expression = _FeatureText(
        *columns,
        name=ftype.name,
        members=tuple((p.name, p.xs_type) for p in props),
        has_geometry=bool(geometry),
        precision=precision_for(srs),
        flip=not (srs.xy or force_xy),
    )
    data = list(
        qs.annotate(**{FEATURE: expression}).values_list("pk", FEATURE)[start : start + count]
    )
    return JsonPage([row[0] for row in data], [row[1] for row in data])
