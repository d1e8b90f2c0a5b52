"""Where the tiles are cached: this machine's folders (the default), or one Redis server that
several web nodes share (``KCN_REDIS_URL``, issue 15; DESIGN.md "Several web nodes").

Raster tiles are MapProxy's: its ``file`` cache (``<cache>/<z>/<x>/<y>.png``, ``layers/tiles.py``)
or its ``redis`` cache, whose keys are ``<prefix>-<z>-<x>-<y>`` with y counted from the north as
GLOBAL_WEBMERCATOR's origin is north-west. Vector tiles (``layers.vectortiles.cache``) use the
same Redis server when it is set. Either way a save refreshes the tiles it touches in the one
shared store, so the refresh reaches every node: no message has to travel between nodes.

Redis holds no state the service cannot rebuild: stopped or unreachable, tiles are rendered and
served uncached (a warning in the log every ``_WARN_EVERY`` seconds), and a refresh that could
not run is logged as an error — the next save or ``refresh`` of the layer clears what it missed.
Tiles are written with a lifetime (``KCN_REDIS_TILE_TTL``, 30 days) and the bookkeeping keys
without one: run Redis with a ``maxmemory`` and ``maxmemory-policy volatile-lru`` (README
"Several web nodes"), so the cache never grows beyond its budget, drops the least used tiles first
and never drops what a refresh relies on.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings

from layers.tiles import invalidate_all, invalidate_extent, tile_range

log = logging.getLogger(__name__)
# MapProxy's GLOBAL_WEBMERCATOR grid has 20 levels (0..19).
RASTER_ZOOMS = range(20)
# A refresh deletes the keys of its tile ranges one by one up to this many per zoom; a larger range
# (a whole province at zoom 19) scans the layer's keys of that zoom instead.
EXPLICIT_KEYS = 20_000
_WARN_EVERY = 10.0


def shared() -> bool:
    """Are the tile caches in Redis (several web nodes) rather than in this machine's folders?"""
    return bool(getattr(settings, "KCN_REDIS_URL", ""))


_clients: dict[str, object] = {}
_client_lock = threading.Lock()
_warned = {"at": 0.0}


def client():
    """This process's Redis client (a connection pool; redis-py makes a new one after a fork)."""
    url = settings.KCN_REDIS_URL
    found = _clients.get(url)
    if found is None:
        import redis

        timeout = float(getattr(settings, "KCN_REDIS_TIMEOUT", 0.5))
        with _client_lock:
            found = _clients.setdefault(
                url,
                redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout),
            )
    return found


def unavailable(exc: Exception, what: str) -> None:
    """Log that Redis could not be used, at most once every ``_WARN_EVERY`` seconds."""
    now = time.monotonic()
    if now - _warned["at"] >= _WARN_EVERY:
        _warned["at"] = now
        log.warning(
            "tile cache (Redis) unavailable while %s: %s; serving tiles uncached", what, exc
        )


def tile_ttl() -> int:
    """Seconds a tile stays in Redis (a lifetime makes it evictable under ``volatile-lru``)."""
    return int(getattr(settings, "KCN_REDIS_TILE_TTL", 30 * 86400))


def redis_errors() -> tuple[type[Exception], ...]:
    import redis

    return (redis.RedisError, OSError)


def etag_of(data: bytes) -> str:
    return '"' + hashlib.blake2b(data, digest_size=8).hexdigest() + '"'


# --- raster tiles (MapProxy) ----------------------------------------------------------------------


def raster_prefix(service: str, layer: str) -> str:
    return f"kcn:{service}:raster:{layer}"


def mapproxy_redis(service: str) -> dict:
    """The connection part of MapProxy's ``redis`` cache, from ``KCN_REDIS_URL``; the views add
    each layer's ``prefix``. Tiles stay until a save refreshes them, Redis's ``maxmemory`` policy
    drops them, or their lifetime ends."""
    from redis.connection import parse_url

    parts = parse_url(settings.KCN_REDIS_URL)
    conf = {"type": "redis", "default_ttl": tile_ttl(), "prefix": f"kcn:{service}:raster"}
    for key in ("host", "port", "db", "username", "password"):
        if parts.get(key) not in (None, ""):
            conf[key] = parts[key]
    return conf


def _raster_key(service: str, layer: str, z: int, x: int, y: int) -> str:
    return f"{raster_prefix(service, layer)}-{z}-{x}-{y}"


def read_raster(service: str, folder: Path, layer: str, z: str, x: str, y: str):
    """The cached PNG of a tile: ``(bytes, ETag, mtime or None)``, or None (not cached, or the
    cache cannot be read: MapProxy then renders it)."""
    if shared():
        try:
            data = client().get(_raster_key(service, layer, int(z), int(x), int(y)))
        except redis_errors() as exc:
            unavailable(exc, "reading a tile")
            return None
        return None if data is None else (data, etag_of(data), None)
    try:
        with open(folder / z / x / f"{y}.png", "rb") as fh:
            stat = os.fstat(fh.fileno())
            return fh.read(), _file_etag(stat), stat.st_mtime
    except OSError:
        return None


def raster_validator(service: str, folder: Path, layer: str, z: str, x: str, y: str):
    """``(ETag, mtime or None)`` of a tile MapProxy has just cached, or None (not stored)."""
    if shared():
        found = read_raster(service, folder, layer, z, x, y)
        return None if found is None else (found[1], None)
    try:
        stat = (folder / z / x / f"{y}.png").stat()
    except OSError:
        return None
    return _file_etag(stat), stat.st_mtime


def _file_etag(stat) -> str:
    return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'


def refresh_raster_extent(service: str, folder: Path, layer: str, extent) -> int:
    """Drop the cached raster tiles of ``layer`` that touch the lon/lat ``extent``; how many."""
    if not shared():
        return invalidate_extent(folder, extent)
    prefix = raster_prefix(service, layer)
    ranges = [(z, *tile_range(extent, z)) for z in RASTER_ZOOMS]
    return delete_ranges(
        ranges,
        key=lambda z, x, y: f"{prefix}-{z}-{x}-{y}",
        pattern=lambda z: f"{prefix}-{z}-*",
        parse=lambda key: tuple(int(v) for v in key.rsplit("-", 2)[-2:]),
        what=f"refreshing the raster tiles of {layer}",
    )


def refresh_raster_all(service: str, folder: Path, layer: str) -> None:
    if not shared():
        invalidate_all(folder)
        return
    prefix = raster_prefix(service, layer)
    delete_matching(f"{prefix}-*", what=f"dropping the raster tiles of {layer}")


# --- shared helpers -------------------------------------------------------------------------------


def _unlink(keys: list[str]) -> int:
    removed = 0
    r = client()
    for start in range(0, len(keys), 1000):
        removed += r.unlink(*keys[start : start + 1000])
    return removed


def delete_ranges(
    ranges: Iterable[tuple[int, int, int, int, int]],
    *,
    key: Callable[[int, int, int], str],
    pattern: Callable[[int], str],
    parse: Callable[[str], tuple[int, int]],
    what: str,
) -> int:
    """Delete the keys of tiles (z, x0, y0, x1, y1; north-origin rows); how many existed.

    A small range is deleted key by key (no scan); a range larger than ``EXPLICIT_KEYS`` tiles
    scans that zoom's keys and keeps those inside the range."""
    removed = 0
    try:
        for z, x0, y0, x1, y1 in ranges:
            if (x1 - x0 + 1) * (y1 - y0 + 1) <= EXPLICIT_KEYS:
                keys = [key(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
                removed += _unlink(keys)
                continue
            inside = []
            for raw in client().scan_iter(match=pattern(z), count=1000):
                name = raw.decode() if isinstance(raw, bytes) else raw
                try:
                    x, y = parse(name)
                except ValueError:
                    continue
                if x0 <= x <= x1 and y0 <= y <= y1:
                    inside.append(name)
            removed += _unlink(inside)
    except redis_errors() as exc:
        log.error("tile cache (Redis) unavailable while %s: %s; stale tiles may remain", what, exc)
    return removed


def delete_matching(pattern: str, *, what: str) -> int:
    try:
        keys = [
            raw.decode() if isinstance(raw, bytes) else raw
            for raw in client().scan_iter(match=pattern, count=1000)
        ]
        return _unlink(keys)
    except redis_errors() as exc:
        log.error("tile cache (Redis) unavailable while %s: %s; stale tiles may remain", what, exc)
        return 0
