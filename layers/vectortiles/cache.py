"""The vector tile cache (issue 14 map): generated Mapbox Vector Tiles kept as files, like the
raster tiles (``layers/wms``): ``<VAR_DIR>/vectortiles/<service key>/<layer>/<z>/<x>/<y>.pbf``,
the layout ``layers.tiles.invalidate_extent`` walks, so a save or delete refreshes the vector
tiles of its extent with the raster ones (``layers/signals.py``).

* One folder per collection, ``_public`` for the tileset of all public collections and
  ``_basemap`` for the base map. A staff collection's tiles hold the same rows for everyone who
  may read it (the WMS's rows: no per-user filter), so one cached copy serves them all; the
  rights are checked on every request before the cache is read (the views), so a private tile is
  never served to someone without rights, and answers carry ``private``.
* An empty tile is cached as a 0-byte file (served as 204).
* Written atomically: a temporary file in the same folder, then ``os.replace`` — a concurrent
  reader sees the old tile, no tile, or the whole new one, never half a tile.
* A refresh racing a generation: each refresh touches ``<layer>/.refreshed``; a tile generated
  before that refresh is removed again after writing (it may hold the old rows).
* No room on the disk (``tile_cache_writable``): tiles are made and served uncached.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from layers.tiles import invalidate_all, invalidate_extent
from layers.wms.app import service_key

log = logging.getLogger(__name__)
PUBLIC = "_public"
BASEMAP = "_basemap"
MARKER = ".refreshed"


def enabled() -> bool:
    return bool(getattr(settings, "KCN_VECTOR_TILE_CACHE", True))


def cache_root() -> Path:
    return Path(settings.VAR_DIR) / "vectortiles" / service_key()


def layer_dir(layer: str) -> Path:
    return cache_root() / layer


def tile_path(layer: str, z: int, x: int, y: int) -> Path:
    return layer_dir(layer) / str(z) / str(x) / f"{y}.pbf"


def _refreshed_ns(layer: str) -> int:
    try:
        return (layer_dir(layer) / MARKER).stat().st_mtime_ns
    except OSError:
        return 0


def _mark(layer: str) -> None:
    directory = layer_dir(layer)
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / MARKER
    marker.touch()
    now = time.time_ns()
    os.utime(marker, ns=(now, now))


def read(layer: str, z: int, x: int, y: int) -> tuple[bytes, os.stat_result] | None:
    """The cached tile and its file status, or None."""
    if not enabled():
        return None
    try:
        with open(tile_path(layer, z, x, y), "rb") as fh:
            return fh.read(), os.fstat(fh.fileno())
    except OSError:
        return None


def get_or_make(
    layer: str, z: int, x: int, y: int, make: Callable[[], bytes]
) -> tuple[bytes, os.stat_result | None, bool]:
    """(bytes, file status or None when uncached, hit?) of a tile, made and cached on a miss."""
    found = read(layer, z, x, y)
    if found is not None:
        return found[0], found[1], True
    started = time.time_ns()
    data = make()
    # The raster cache's disk-space guard; imported here, not at the top: this module loads with
    # layers.signals (AppConfig.ready), before the WMS views and their MapProxy glue should.
    from layers.wms.views import tile_cache_writable

    if not enabled() or not tile_cache_writable():
        return data, None, False
    path = tile_path(layer, z, x, y)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{y}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        stat = path.stat()
    except OSError as exc:
        log.warning("vector tile %s/%s/%s/%s not cached: %s", layer, z, x, y, exc)
        return data, None, False
    if _refreshed_ns(layer) >= started:
        path.unlink(missing_ok=True)  # a save committed while this tile was made
        return data, None, False
    return data, stat, False


def refresh_extent(layers: list[str], extent) -> int:
    """Drop the cached tiles of ``layers`` touching the lon/lat ``extent``; how many."""
    removed = 0
    for layer in layers:
        _mark(layer)
        removed += invalidate_extent(layer_dir(layer), extent)
    return removed


def refresh_all(layers: list[str]) -> None:
    for layer in layers:
        invalidate_all(layer_dir(layer))
        _mark(layer)
