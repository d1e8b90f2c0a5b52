"""The vector tile cache (issue 14 map): generated Mapbox Vector Tiles kept in one MBTiles file
(SQLite) per collection, ``<VAR_DIR>/vectortiles/<service key>/<layer>.mbtiles``.

Why SQLite and not a file per tile (as the raster tiles, ``layers/wms``): creating a file costs
about 0.5 ms of kernel time on this machine's ext4 (``tests/benchmarks/RESULTS.md``, 2026-12-07),
an eighth of an uncached tile's whole database time, and it made the file cache the largest
cost of an uncached vector tile after the SQL (the OGC API benchmark); a row in a WAL-mode SQLite
file costs 0.04 ms, a read 0.005 ms, and a refresh is a few ranged ``DELETE``\\ s instead of a
walk over folders. The layout is MBTiles 1.3's (``tiles`` with TMS rows, ``metadata`` with
``name`` and ``format``), so an operator can look into a collection's cache with any MBTiles
tool; ``etag`` is an extra column.

* One file per collection, ``_public`` for the tileset of all public collections and
  ``_basemap`` for the base map. A staff collection's tiles hold the same rows for everyone who
  may read it (the WMS's rows: no per-user filter), so one cached copy serves them all; the
  rights are checked on every request before the cache is read (the views), so a private tile is
  never served to someone without rights, and answers carry ``private``.
* An empty tile is cached as a 0-byte blob (served as 204).
* ETag: a hash of the tile's bytes, the same whether the tile came from the cache or was just
  made, so a client's validator survives the tile being cached, dropped and made again.
* WAL journal, ``synchronous=NORMAL``: readers never wait for a writer; a crash can lose the last
  tiles written (a cache: they are made again) but never corrupts the file. Several processes
  (gunicorn workers) write the same file: a writer waits at most ``BUSY_MS`` for the lock, then
  serves its tile uncached.
* A refresh racing a generation: a refresh stores its time in the file and deletes the tiles
  in one transaction; a tile made from rows read before that time is not stored (the insert
  checks the time in the same statement, under SQLite's write lock).
* No room on the disk (``tile_cache_writable``), or the file cannot be written: tiles are made
  and served uncached.
* Deleting the cache folder is safe at any time (an operator, the tests): each thread's
  connection notices its file is gone and opens a new one.

Several web nodes (``KCN_REDIS_URL``, ``layers/tilestore.py``): the tiles live in Redis instead,
``kcn:<service>:vector:<layer>:t:<z>:<x>:<y>`` holding the ETag then the bytes, so every node
serves the tile one node made and a refresh through any node reaches all. The same guard against
a refresh racing a generation: a counter per collection (``…:gen``) that a refresh increments
before it deletes; a tile is stored (by a Lua script, atomically) only if the counter is still
the one read before its rows were. A counter, not a time: the nodes' clocks need not agree. A
set per zoom (``…:idx:<z>``) lists the cached tiles, so a refresh of a large range (a province at
zoom 20) visits what is cached rather than every possible tile or every key of the server.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from layers import tilestore
from layers.tiles import tile_range
from layers.vectortiles.tilemath import MAX_ZOOM
from layers.wms.app import service_key

log = logging.getLogger(__name__)
PUBLIC = "_public"
BASEMAP = "_basemap"
BUSY_MS = 200
REFRESH_BUSY_MS = 10_000

_SCHEMA = (
    "PRAGMA journal_mode=WAL",
    "CREATE TABLE IF NOT EXISTS metadata (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, "
    "tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL, etag TEXT NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row)",
    "CREATE TABLE IF NOT EXISTS kcn_refreshed (id INTEGER PRIMARY KEY CHECK (id = 1), ns INTEGER)",
    "INSERT OR IGNORE INTO kcn_refreshed (id, ns) VALUES (1, 0)",
)
_READ = (
    "SELECT tile_data, etag FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?"
)
# Stored only if no refresh happened since the tile's rows were read (``started``).
_WRITE = (
    "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data, etag) "
    "SELECT ?, ?, ?, ?, ? WHERE (SELECT ns FROM kcn_refreshed WHERE id = 1) < ?"
)


def enabled() -> bool:
    return bool(getattr(settings, "KCN_VECTOR_TILE_CACHE", True))


def cache_root() -> Path:
    return Path(settings.VAR_DIR) / "vectortiles" / service_key()


def cache_file(layer: str) -> Path:
    return cache_root() / f"{layer}.mbtiles"


def etag(data: bytes) -> str:
    return '"' + hashlib.blake2b(data, digest_size=8).hexdigest() + '"'


def _tms_row(z: int, y: int) -> int:
    """MBTiles counts rows from the south (TMS); the tile URLs from the north."""
    return (1 << z) - 1 - y


_local = threading.local()


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The file-per-tile cache of before (``<layer>/<z>/<x>/<y>.pbf``): nothing reads it any more.
    shutil.rmtree(path.with_suffix(""), ignore_errors=True)
    db = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
    db.execute("PRAGMA synchronous=NORMAL")
    for statement in _SCHEMA:
        db.execute(statement)
    db.execute(
        "INSERT OR IGNORE INTO metadata (name, value) VALUES ('name', ?), ('format', 'pbf'), "
        "('type', 'overlay'), ('description', 'KCN Planner vector tile cache')",
        (path.stem,),
    )
    return db


def _db(layer: str) -> sqlite3.Connection:
    """This thread's connection to the cache file of ``layer`` (made if missing)."""
    path = cache_file(layer)
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    held = conns.get(path)
    try:
        inode = os.stat(path).st_ino
    except OSError:
        inode = None
    if held is not None and held[1] == inode and inode is not None:
        return held[0]
    if held is not None:
        held[0].close()
    db = _open(path)
    conns[path] = (db, os.stat(path).st_ino)
    return db


def close_all() -> None:
    """Close this thread's cache connections (tests, before removing the folder)."""
    for db, _inode in getattr(_local, "conns", {}).values():
        db.close()
    _local.conns = {}


def read(layer: str, z: int, x: int, y: int) -> tuple[bytes, str] | None:
    """The cached tile and its ETag, or None."""
    if not enabled():
        return None
    if tilestore.shared():
        try:
            raw = tilestore.client().get(_rkey(layer, z, x, y))
        except tilestore.redis_errors() as exc:
            tilestore.unavailable(exc, "reading a vector tile")
            return None
        return None if raw is None else _unpack(raw)
    try:
        row = _db(layer).execute(_READ, (z, x, _tms_row(z, y))).fetchone()
    except (OSError, sqlite3.Error) as exc:
        log.warning("vector tile cache %s unreadable: %s", layer, exc)
        return None
    return (bytes(row[0]), row[1]) if row is not None else None


def cached(layer: str, z: int, x: int, y: int) -> bool:
    return read(layer, z, x, y) is not None


def get_or_make(
    layer: str, z: int, x: int, y: int, make: Callable[[], bytes]
) -> tuple[bytes, str, bool | None]:
    """(bytes, ETag, hit?) of a tile, made and cached on a miss; hit is None when the tile could
    not be cached (cache off, disk full, file locked or unwritable)."""
    if enabled() and tilestore.shared():
        return _redis_get_or_make(layer, z, x, y, make)
    found = read(layer, z, x, y)
    if found is not None:
        return found[0], found[1], True
    started = time.time_ns()
    data = make()
    tag = etag(data)
    # The raster cache's disk-space guard; imported here, not at the top: this module loads with
    # layers.signals (AppConfig.ready), before the WMS views and their MapProxy glue should.
    from layers.wms.views import tile_cache_writable

    if not enabled() or not tile_cache_writable():
        return data, tag, None
    try:
        stored = _db(layer).execute(_WRITE, (z, x, _tms_row(z, y), data, tag, started)).rowcount
    except (OSError, sqlite3.Error) as exc:
        log.warning("vector tile %s/%s/%s/%s not cached: %s", layer, z, x, y, exc)
        return data, tag, None
    return data, tag, (False if stored else None)  # not stored: a save committed meanwhile


def _refresh(layer: str, ranges) -> int:
    """Mark ``layer`` refreshed now and delete its tiles in ``ranges`` (z, x0, y0, x1, y1 with
    north-origin rows; None: every tile), in one transaction; how many were deleted."""
    db = _db(layer)
    removed = 0
    db.execute(f"PRAGMA busy_timeout = {REFRESH_BUSY_MS}")  # a refresh waits for the writers
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("UPDATE kcn_refreshed SET ns = ? WHERE id = 1", (time.time_ns(),))
        if ranges is None:
            removed = db.execute("DELETE FROM tiles").rowcount
        else:
            for z, x0, y0, x1, y1 in ranges:
                removed += db.execute(
                    "DELETE FROM tiles WHERE zoom_level = ? AND tile_column BETWEEN ? AND ? "
                    "AND tile_row BETWEEN ? AND ?",
                    (z, x0, x1, _tms_row(z, y1), _tms_row(z, y0)),
                ).rowcount
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    return removed


def refresh_extent(layers: list[str], extent) -> int:
    """Drop the cached tiles of ``layers`` touching the lon/lat ``extent`` (one tile of margin
    around it at every zoom, as the raster tiles); how many."""
    ranges = [(z, *tile_range(extent, z)) for z in range(MAX_ZOOM + 1)]
    return sum(_refresh_logged(layer, ranges) for layer in layers)


def refresh_all(layers: list[str]) -> None:
    for layer in layers:
        _refresh_logged(layer, None)


def _refresh_logged(layer: str, ranges) -> int:
    if tilestore.shared():
        return _redis_refresh(layer, ranges)
    try:
        return _refresh(layer, ranges)
    except (OSError, sqlite3.Error) as exc:
        # The cache cannot be refreshed: remove it, or stale tiles would be served.
        log.error("vector tile cache %s not refreshed (%s): removing it", layer, exc)
        close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{cache_file(layer)}{suffix}").unlink(missing_ok=True)
        return 0


# --- several web nodes: the tiles in Redis --------------------------------------------------------

_ETAG_LEN = len(etag(b""))
# KEYS: tile, counter, zoom's set; ARGV: ETag + bytes, counter read before the rows, "x:y", TTL.
_STORE = """
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
redis.call('SADD', KEYS[3], ARGV[3])
return 1
"""
_scripts: dict[int, object] = {}


def _rbase(layer: str) -> str:
    return f"kcn:{service_key()}:vector:{layer}"


def _rkey(layer: str, z: int, x: int, y: int) -> str:
    return f"{_rbase(layer)}:t:{z}:{x}:{y}"


def _unpack(raw: bytes) -> tuple[bytes, str]:
    return raw[_ETAG_LEN:], raw[:_ETAG_LEN].decode()


def _store_script():
    r = tilestore.client()
    script = _scripts.get(id(r))
    if script is None:
        script = _scripts[id(r)] = r.register_script(_STORE)
    return script


def _redis_get_or_make(layer, z, x, y, make):
    base = _rbase(layer)
    try:
        raw, counter = tilestore.client().mget(_rkey(layer, z, x, y), f"{base}:gen")
    except tilestore.redis_errors() as exc:
        tilestore.unavailable(exc, "reading a vector tile")
        data = make()
        return data, etag(data), None
    if raw is not None:
        data, tag = _unpack(raw)
        return data, tag, True
    data = make()
    tag = etag(data)
    try:
        stored = _store_script()(
            keys=[_rkey(layer, z, x, y), f"{base}:gen", f"{base}:idx:{z}"],
            args=[
                tag.encode() + data,
                (counter or b"0").decode(),
                f"{x}:{y}",
                tilestore.tile_ttl(),
            ],
        )
    except tilestore.redis_errors() as exc:
        tilestore.unavailable(exc, "storing a vector tile")
        return data, tag, None
    return data, tag, (False if stored else None)  # not stored: a save committed meanwhile


def _redis_refresh(layer: str, ranges) -> int:
    """As :func:`_refresh`, in Redis: the counter first, then the tiles."""
    base = _rbase(layer)
    try:
        r = tilestore.client()
        r.incr(f"{base}:gen")
        if ranges is None:
            removed = tilestore.delete_matching(f"{base}:t:*", what=f"dropping {layer}")
            tilestore.delete_matching(f"{base}:idx:*", what=f"dropping {layer}")
            return removed
        removed = 0
        for z, x0, y0, x1, y1 in ranges:
            index = f"{base}:idx:{z}"
            if (x1 - x0 + 1) * (y1 - y0 + 1) <= tilestore.EXPLICIT_KEYS:
                members = [f"{x}:{y}" for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
            else:
                members = []
                for raw in r.smembers(index):
                    x, y = (int(v) for v in raw.split(b":"))
                    if x0 <= x <= x1 and y0 <= y <= y1:
                        members.append(f"{x}:{y}")
            for start in range(0, len(members), 1000):
                chunk = members[start : start + 1000]
                removed += r.unlink(*(f"{base}:t:{z}:{m}" for m in chunk))
                r.srem(index, *chunk)
        return removed
    except tilestore.redis_errors() as exc:
        log.error(
            "vector tile cache %s (Redis) not refreshed: %s; stale tiles may remain", layer, exc
        )
        return 0
