"""The national base map as vector tiles (issue 14 map): ``/ogc/basemap/tiles/WebMercatorQuad/
{z}/{y}/{x}``, one MVT layer ``basemap`` of :class:`planning.models.BasemapFeature` rows —
provinces (``kind`` ``province``, with ``country``), their label points (``province_label``),
national roads (``road``, ``class`` main/secondary) and the railway (``rail``) — made by the
collections' encoders (PostGIS ``ST_AsMVT``, SpatiaLite mapbox-vector-tile) with the same
simplification per zoom, cached in ``_basemap``.

Not a collection of the catalogue: it is context drawn under the planning layers, public, read
only, not to be queried, edited or exported (no WFS, no OGC API – Features, no QGIS project
layer), and its rows carry their own attribution (CC BY-SA 4.0).
"""

from __future__ import annotations

from types import SimpleNamespace

from layers.vectortiles.queries import layer_tile
from layers.wms.mapfile import MapLayer
from layers.wms.styles import LayerStyle
from planning.models import BasemapFeature

NAME = "basemap"
MAX_ZOOM = 14  # the data is coarse (vertices 0.5–1 km apart on roads): stretched beyond
SPEC = SimpleNamespace(name=NAME, model=BasemapFeature)
LAYER = MapLayer(
    name=NAME,
    title="Base map",
    abstract="",
    table=BasemapFeature._meta.db_table,
    geometry_column="geometry",
    columns=("kind", "name", "class", "country"),
    # Simplified per zoom like polygons (a label point is left as it is by both simplifiers).
    style=LayerStyle(geometry_type="POLYGON", classes=()),
    select=(
        '"kind"',
        'NULLIF("name", \'\') AS "name"',
        'NULLIF("road_class", \'\') AS "class"',
        '"country"',
    ),
)


def basemap_tile(z: int, x: int, y: int) -> bytes:
    return layer_tile(SPEC, LAYER, z, x, y)
