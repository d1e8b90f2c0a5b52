"""A full disk under the tile cache: tiles are still served, rendered uncached, with a warning.

The disk is really full: a 256 KB tmpfs mounted over the tile cache directory and filled up
(``make test`` runs as root on Debian). Where mounting is not permitted the proactive check is
still exercised by asking for more free space than the disk has.
"""

from __future__ import annotations

import io
import logging
import subprocess

import pytest
from PIL import Image

from layers.wms import views
from layers.wms.app import cache_dir, get_service
from tests.layers.test_wms import province  # noqa: F401  (committed rows: MapServer reads them)

TILE = "/ows/tiles/industrial_areas/GLOBAL_WEBMERCATOR/12/3288/1888.png"  # over KCN Nhơn Hòa


def _painted(content: bytes) -> int:
    img = Image.open(io.BytesIO(content)).convert("RGBA")
    return sum(1 for a in img.getchannel("A").tobytes() if a > 0)


@pytest.fixture
def full_tile_disk(province, tmp_path):
    get_service()
    base = cache_dir("x").parent
    base.mkdir(parents=True, exist_ok=True)
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(base)], capture_output=True
        ).returncode
        == 0
    )
    try:
        if mounted:
            with open(base / "filler", "wb", buffering=0) as f:
                try:
                    while True:
                        f.write(b"\0" * 4096)
                except OSError:
                    pass
        views._cache_state.update(checked=0.0, writable=True)
        yield base, mounted
    finally:
        views._cache_state.update(checked=0.0, writable=True)
        if mounted:
            subprocess.run(["umount", "-l", str(base)], check=False)


def test_full_disk_serves_tiles_uncached_with_a_warning(client, full_tile_disk, settings, caplog):
    base, mounted = full_tile_disk
    if not mounted:
        settings.KCN_TILE_CACHE_MIN_FREE_BYTES = 2**62  # more than any disk has
    with caplog.at_level(logging.WARNING, logger="layers.wms.views"):
        r = client.get(TILE, HTTP_HOST="127.0.0.1")
        r2 = client.get(TILE, HTTP_HOST="127.0.0.1")
    assert r.status_code == 200 and r["Content-Type"] == "image/png", r.content[:300]
    assert r["X-KCN-Tile-Cache"] == "bypassed"
    assert _painted(r.content) > 100  # the park is drawn
    assert r2.status_code == 200
    warnings = [
        rec.getMessage() for rec in caplog.records if "serving tiles uncached" in rec.getMessage()
    ]
    assert len(warnings) == 1, "the change is logged once, not for every tile"
    assert not (base / "industrial_areas").exists() or not any(
        (base / "industrial_areas").rglob("*.png")
    )


def test_a_cache_write_that_fails_falls_back_to_rendering(client, full_tile_disk, settings, caplog):
    base, mounted = full_tile_disk
    if not mounted:
        pytest.skip(
            "needs a real full file system (mount -t tmpfs); the proactive path is tested above"
        )
    settings.KCN_TILE_CACHE_MIN_FREE_BYTES = 0  # the check passes; the write itself fails
    with caplog.at_level(logging.WARNING, logger="layers.wms.views"):
        r = client.get(TILE.replace("/1888.png", "/1889.png"), HTTP_HOST="127.0.0.1")
    assert r.status_code == 200 and r["Content-Type"] == "image/png", r.content[:300]
    assert r["X-KCN-Tile-Cache"] == "bypassed"
    assert any("failed in the cache" in rec.getMessage() for rec in caplog.records)


def test_tiles_are_cached_again_when_there_is_room(client, province):
    views._cache_state.update(checked=0.0, writable=True)
    r = client.get(TILE, HTTP_HOST="127.0.0.1")
    assert r.status_code == 200 and r["X-KCN-Tile-Cache"] == "miss"
    assert (cache_dir("industrial_areas")).exists()
    again = client.get(TILE, HTTP_HOST="127.0.0.1")
    assert again["X-KCN-Tile-Cache"] == "hit" and again.content == r.content
