"""Refresh cached tiles when data changes: delete the tiles of the changed extent, every zoom.

MapProxy's file cache with ``directory_layout: tms`` stores GLOBAL_WEBMERCATOR tiles as
``<cache>/<z>/<x>/<y>.png`` with y counted from the grid's origin, which for GLOBAL_WEBMERCATOR
is the north-west corner (as in XYZ tiles). Only tiles that exist are visited,
so the work is proportional to what is cached, not to the number of possible tiles.
"""

from __future__ import annotations

import logging
import math
import shutil
from pathlib import Path

log = logging.getLogger(__name__)
HALF = 20037508.342789244
# Tiles are rendered in 4x4 metatiles with a 64 px buffer: a change can show on neighbours.
BUFFER_TILES = 1


def lonlat_to_mercator(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, 85.0511287798), -85.0511287798)
    x = lon * HALF / 180.0
    y = math.log(math.tan((90.0 + lat) * math.pi / 360.0)) * HALF / math.pi
    return x, y


def tile_range(bbox_lonlat: tuple[float, float, float, float], z: int) -> tuple[int, int, int, int]:
    """Inclusive (xmin, ymin, xmax, ymax) of north-origin tiles covering a lon/lat bbox.

    >>> tile_range((109.02, 13.915, 109.02, 13.915), 12)
    (3287, 1887, 3289, 1889)
    """
    x0, y0 = lonlat_to_mercator(bbox_lonlat[0], bbox_lonlat[1])
    x1, y1 = lonlat_to_mercator(bbox_lonlat[2], bbox_lonlat[3])
    n = 2**z
    size = 2 * HALF / n
    tx0 = int((x0 + HALF) // size) - BUFFER_TILES
    tx1 = int((x1 + HALF) // size) + BUFFER_TILES
    ty0 = int((HALF - y1) // size) - BUFFER_TILES
    ty1 = int((HALF - y0) // size) + BUFFER_TILES
    clamp = lambda v: max(0, min(n - 1, v))  # noqa: E731
    return clamp(tx0), clamp(ty0), clamp(tx1), clamp(ty1)


def invalidate_extent(cache_dir: Path, bbox_lonlat: tuple[float, float, float, float]) -> int:
    """Delete cached tiles of ``cache_dir`` that touch ``bbox_lonlat``; return how many."""
    removed = 0
    if not cache_dir.is_dir():
        return 0
    for zdir in cache_dir.iterdir():
        if not zdir.name.isdigit():
            continue
        xmin, ymin, xmax, ymax = tile_range(bbox_lonlat, int(zdir.name))
        for xdir in zdir.iterdir():
            if not xdir.name.isdigit() or not xmin <= int(xdir.name) <= xmax:
                continue
            for tile in xdir.iterdir():
                stem = tile.name.split(".", 1)[0]
                if stem.isdigit() and ymin <= int(stem) <= ymax:
                    tile.unlink(missing_ok=True)
                    removed += 1
    return removed


def invalidate_all(cache_dir: Path) -> None:
    shutil.rmtree(cache_dir, ignore_errors=True)
