"""One tile of one collection as a Mapbox Vector Tile, from PostGIS or SpatiaLite.

The rows are the WMS's (:func:`layers.wms.mapfile.mapfile_layers`): the same table, the same
published attributes under the same names (relations as their natural keys, booleans as
``true``/``false``), the same static filter of the layer's style (draft proposals are not drawn,
only the current run of an analysis, the plan's entries not yet established). Who may read the
collection at all is the view's check (``planning.access.can_read_layer``).

* PostGIS: one statement, ``ST_TileEnvelope`` → ``ST_AsMVTGeom`` (clipped to the tile plus a
  64-cell buffer, snapped to the 4096 grid — the simplification per zoom: one grid cell is the
  tile's width / 4096 = 40,075 km / 2^z / 4096, 38 m at z=8, 2.4 m at z=12) → ``ST_AsMVT``.
* SpatiaLite: the rows whose box meets the buffered tile, projected to EPSG:3857 and onto the
  same grid, snapped (``shapely.set_precision``) and clipped to the same buffered box, encoded by
  ``mapbox_vector_tile.encode``. Shapes of a few grid cells may round differently from
  ``ST_AsMVTGeom`` (a sliver kept by one, dropped by the other); larger ones agree to a cell or
  two (``tests/layers/test_vector_tiles.py``).

Simplification per zoom (issue 14 map): before the snapping, lines and polygons are simplified
(Douglas–Peucker keeping topology: PostGIS ``ST_SimplifyPreserveTopology``, shapely
``simplify(preserve_topology=True)`` — both GEOS's TopologyPreservingSimplifier) by
``KCN_MVT_SIMPLIFY_CELLS`` grid cells (ASSUMPTION: 4 cells, a quarter of a screen pixel when the
4096-cell tile is drawn 256 px wide: 9.6 m at z=10, 0.6 m at z=14); points are left as they are.

Attribute values are made alike on both: decimals as doubles, dates ``YYYY-MM-DD``, times
``YYYY-MM-DDTHH:MM:SSZ`` (UTC); a null attribute is left out of the feature (as ``ST_AsMVT`` does).
"""

from __future__ import annotations

import mapbox_vector_tile
import shapely
from django.conf import settings
from django.db import connection, models
from mapbox_vector_tile.encoder import on_invalid_geometry_make_valid

from layers.vectortiles.tilemath import (
    BUFFER,
    EXTENT,
    HALF,
    lonlat_bbox,
    lonlat_to_mercator_xy,
    tile_envelope,
)
from layers.wms.app import published_columns
from layers.wms.mapfile import MapLayer, mapfile_layers

ID, GEOM = "__id", "__geom"


_MAP_LAYERS: dict[str, tuple[object, MapLayer | None]] = {}


# Shapes smaller than this many grid cells both ways (one screen pixel at 256 px per tile) are
# only snapped, not simplified: they have few vertices to save, and simplifying first made the
# two snapping algorithms disagree on which slivers survive.
SIMPLIFY_MIN_CELLS = 16


def simplify_cells() -> float:
    return float(getattr(settings, "KCN_MVT_SIMPLIFY_CELLS", 4.0))


def simplify_tolerance(z: int) -> float:
    """The simplification tolerance at zoom ``z`` in EPSG:3857 metres.

    >>> round(simplify_tolerance(10), 2)  # 40,075,016.69 m / 2**10 / 4096 * 4
    38.22
    """
    return (2 * HALF / 2**z) / EXTENT * simplify_cells()


def _mvt_geom_sql(merc: str, geometry_type: str, z: int) -> str:
    """``ST_AsMVTGeom`` of an EPSG:3857 shape, simplified per zoom unless it is a point or
    smaller than ``SIMPLIFY_MIN_CELLS`` both ways (see :func:`grid_geometry`)."""
    if geometry_type != "POINT" and simplify_cells() > 0:
        least = simplify_tolerance(z) / simplify_cells() * SIMPLIFY_MIN_CELLS
        merc = (
            f"CASE WHEN ST_XMax({merc}) - ST_XMin({merc}) > {least!r} "
            f"OR ST_YMax({merc}) - ST_YMin({merc}) > {least!r} "
            f"THEN ST_SimplifyPreserveTopology({merc}, {simplify_tolerance(z)!r}) "
            f"ELSE {merc} END"
        )
    return f"ST_AsMVTGeom({merc}, env.e, {EXTENT}, {BUFFER}, true)"


def map_layer(spec) -> MapLayer | None:
    """The WMS layer of ``spec`` (None: the catalogue layer is not drawn on the maps).

    Built once per catalogue entry (the catalogue, the styles and the schema are code): every tile
    request asked twice, and building it was a third of the request's time outside the
    database."""
    hit = _MAP_LAYERS.get(spec.name)
    if hit is None or hit[0] is not spec:
        found = mapfile_layers([spec], published_columns)
        hit = _MAP_LAYERS[spec.name] = (spec, found[0] if found else None)
    return hit[1]


def _value_sql(spec, name: str, postgis: bool) -> str:
    """The outer query's expression for published attribute ``name`` of the inner row ``t``."""
    col = f't."{name}"'
    try:
        field = spec.model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a computed column: as it is
        return col
    if isinstance(field, models.DecimalField):
        return f"CAST({col} AS {'double precision' if postgis else 'REAL'})"
    if isinstance(field, models.DateTimeField):
        if postgis:
            return f"to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {col})"
    if isinstance(field, models.DateField):
        return f"to_char({col}, 'YYYY-MM-DD')" if postgis else col
    return col


def _inner_sql(layer: MapLayer, bbox_sql: str) -> str:
    select = layer.select or tuple(f'"{c}"' for c in layer.columns)
    cols = ", ".join((f'"id" AS "{ID}"', *select, f'"{layer.geometry_column}" AS "{GEOM}"'))
    where = f"({layer.style.where}) AND " if layer.style.where else ""
    return f'SELECT {cols} FROM "{layer.table}" WHERE {where}{bbox_sql}'


def tile_mvt(spec, z: int, x: int, y: int) -> bytes:
    """The tile's bytes (empty: no feature of the collection in the tile)."""
    layer = map_layer(spec)
    if layer is None:
        return b""
    return layer_tile(spec, layer, z, x, y)


def layer_tile(spec, layer: MapLayer, z: int, x: int, y: int) -> bytes:
    """The tile of ``layer`` (a WMS layer, or the base map's) named ``spec.name``."""
    if connection.vendor == "postgresql":
        return _postgis_tile(spec, layer, z, x, y)
    return _python_tile(spec, layer, z, x, y)


_POSTGIS_SQL: dict[tuple[str, int, float], tuple[MapLayer, str]] = {}


def _postgis_tile(spec, layer: MapLayer, z: int, x: int, y: int) -> bytes:
    # One statement per collection, zoom and simplification setting (the tolerance is the
    # zoom's, in cells of KCN_MVT_SIMPLIFY_CELLS).
    key = (spec.name, z, simplify_cells())
    hit = _POSTGIS_SQL.get(key)
    if hit is None or hit[0] is not layer:
        hit = _POSTGIS_SQL[key] = (layer, _postgis_sql(spec, layer, z))
    with connection.cursor() as cur:
        cur.execute(hit[1], [z, x, y, spec.name, z, x, y])
        row = cur.fetchone()
    return bytes(row[0]) if row and row[0] else b""


def _postgis_sql(spec, layer: MapLayer, z: int) -> str:
    """The tile statement of a layer (parameters: z, x, y, layer name, z, x, y)."""
    margin = BUFFER / EXTENT
    bbox = (
        f'"{layer.geometry_column}" && '
        f"ST_Transform(ST_TileEnvelope(%s, %s, %s, margin => {margin}), 4326)"
    )
    values = ", ".join(f'{_value_sql(spec, c, True)} AS "{c}"' for c in layer.columns)
    return (
        "WITH env AS (SELECT ST_TileEnvelope(%s, %s, %s) AS e) "
        "SELECT ST_AsMVT(q, %s, " + str(EXTENT) + ", 'mvt_geom', 'mvt_id') FROM ("
        f'SELECT t."{ID}" AS mvt_id, {values}, '
        f"{_mvt_geom_sql('t.__merc', layer.style.geometry_type, z)} AS mvt_geom "
        f'FROM (SELECT s.*, ST_Transform(s."{GEOM}", 3857) AS __merc '
        f"FROM ({_inner_sql(layer, bbox)}) AS s) AS t, env) AS q WHERE q.mvt_geom IS NOT NULL"
    )


def _python_tile(spec, layer: MapLayer, z: int, x: int, y: int) -> bytes:
    envelope = tile_envelope(z, x, y)
    buffered = tile_envelope(z, x, y, margin=BUFFER / EXTENT)
    lon0, lat0, lon1, lat1 = lonlat_bbox(buffered)
    # The same Python path runs on PostGIS too (the test comparing both encoders).
    postgis = connection.vendor == "postgresql"
    geom = f'"{layer.geometry_column}"'
    bbox = (
        f"{geom} && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"
        if postgis
        else f"MbrIntersects({geom}, BuildMbr(%s, %s, %s, %s, 4326))"
    )
    values = ", ".join(f'{_value_sql(spec, c, postgis)} AS "{c}"' for c in layer.columns)
    as_wkb = "ST_AsBinary" if postgis else "AsBinary"
    sql = (
        f'SELECT t."{ID}", {values}, {as_wkb}(t."{GEOM}") '
        f'FROM ({_inner_sql(layer, bbox)}) AS t ORDER BY t."{ID}"'
    )
    with connection.cursor() as cur:
        cur.execute(sql, [lon0, lat0, lon1, lat1])
        rows = cur.fetchall()
    size = envelope[2] - envelope[0]
    scale = EXTENT / size

    def to_grid(coords):
        # EPSG:4326 → 3857 → the tile's grid, y up (the encoder flips it to MVT's y down).
        merc = lonlat_to_mercator_xy(coords)
        return (merc - (envelope[0], envelope[1])) * scale

    tolerance = simplify_cells() if layer.style.geometry_type != "POINT" else 0.0
    features = []
    for row in rows:
        if row[-1] is None:
            continue
        geom = grid_geometry(shapely.from_wkb(bytes(row[-1])), to_grid, tolerance)
        if geom is None:
            continue
        properties = {
            name: value
            for name, value in zip(layer.columns, row[1:-1], strict=True)
            if value is not None
        }
        features.append({"geometry": geom, "properties": properties, "id": row[0]})
    return encode(spec.name, features)


def grid_geometry(geom, to_grid, tolerance: float):
    """A lon/lat shape on the tile's grid as ST_AsMVTGeom makes it (None: nothing left)."""
    lo, hi = -BUFFER, EXTENT + BUFFER
    geom = shapely.transform(geom, to_grid)
    if tolerance > 0:
        x0, y0, x1, y1 = geom.bounds
        if x1 - x0 > SIMPLIFY_MIN_CELLS or y1 - y0 > SIMPLIFY_MIN_CELLS:
            geom = geom.simplify(tolerance, preserve_topology=True)
    # As ST_AsMVTGeom: a polygon smaller than half a grid cell both ways is dropped, the
    # rest snapped to the grid, then clipped to the buffered tile; what collapses is dropped.
    if geom.geom_type.endswith("Polygon"):
        x0, y0, x1, y1 = geom.bounds
        if x1 - x0 < 0.5 and y1 - y0 < 0.5:
            return None
    geom = shapely.clip_by_rect(shapely.set_precision(geom, 1.0), lo, lo, hi, hi)
    return None if geom.is_empty else geom


def encode(name: str, features: list[dict]) -> bytes:
    if not features:
        return b""
    return mapbox_vector_tile.encode(
        [{"name": name, "features": features}],
        default_options={"extents": EXTENT, "on_invalid_geometry": on_invalid_geometry_make_valid},
    )
