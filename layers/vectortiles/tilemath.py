"""WebMercatorQuad tile maths (OGC 17-083r4, the tile matrix set of OGC API – Tiles, 20-057).

Tiles are counted from the north-west corner: ``x`` (TileCol) eastwards, ``y`` (TileRow)
southwards, as in XYZ tiles and in PostGIS's ``ST_TileEnvelope``.
"""

from __future__ import annotations

import math

import numpy as np

HALF = 20037508.342789244  # half the width of the EPSG:3857 world, metres
MAX_ZOOM = 24  # WebMercatorQuad defines tile matrices 0..24
EXTENT = 4096  # the MVT grid of a tile (Mapbox Vector Tile spec 2.1, the usual extent)
BUFFER = 64  # grid cells kept around a tile so lines and outlines join across tiles


class TileOutOfRange(ValueError):
    pass


def check_tile(z: int, x: int, y: int) -> None:
    """Raise :class:`TileOutOfRange` unless ``z/x/y`` is a tile of WebMercatorQuad."""
    if not 0 <= z <= MAX_ZOOM:
        raise TileOutOfRange(f"zoom {z} outside 0..{MAX_ZOOM}")
    n = 2**z
    if not (0 <= x < n and 0 <= y < n):
        raise TileOutOfRange(f"tile column/row {x}/{y} outside 0..{n - 1} at zoom {z}")


def tile_envelope(z: int, x: int, y: int, margin: float = 0.0) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of a tile in EPSG:3857 metres, ``margin`` in tile widths (as
    ``ST_TileEnvelope``'s ``margin``).

    >>> tile_envelope(0, 0, 0) == (-HALF, -HALF, HALF, HALF)
    True
    """
    size = 2 * HALF / 2**z
    xmin = -HALF + x * size
    ymax = HALF - y * size
    pad = margin * size
    return xmin - pad, ymax - size - pad, xmin + size + pad, ymax + pad


def mercator_to_lonlat(mx: float, my: float) -> tuple[float, float]:
    lon = mx * 180.0 / HALF
    lat = math.degrees(2 * math.atan(math.exp(my * math.pi / HALF)) - math.pi / 2)
    return lon, lat


def lonlat_bbox(envelope: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The lon/lat box of a mercator box (each axis maps on its own, so the corners suffice)."""
    lon0, lat0 = mercator_to_lonlat(envelope[0], envelope[1])
    lon1, lat1 = mercator_to_lonlat(envelope[2], envelope[3])
    return lon0, lat0, lon1, lat1


def lonlat_to_mercator_xy(coords: np.ndarray) -> np.ndarray:
    """``(n, 2)`` lon/lat → EPSG:3857 metres (the spherical formula PROJ uses for 3857)."""
    lon = coords[:, 0]
    lat = np.clip(coords[:, 1], -85.0511287798, 85.0511287798)
    x = lon * HALF / 180.0
    y = np.log(np.tan((90.0 + lat) * np.pi / 360.0)) * HALF / np.pi
    return np.column_stack([x, y])


def tile_for(lon: float, lat: float, z: int) -> tuple[int, int]:
    """(x, y) of the tile containing a point at zoom ``z``.

    >>> tile_for(105.9742, 9.6067, 12)
    (3253, 1938)
    """
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    lat_r = math.radians(lat)
    y = int((1.0 - math.log(math.tan(lat_r) + 1 / math.cos(lat_r)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)
