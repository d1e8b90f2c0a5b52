"""The OGC API benchmark's harness (``tests/benchmarks/bench_ogcapi.py``), small and bounded.

200 parcels, one round, two clients: the peer (MapServer 8's OGC API as FastCGI behind nginx)
and ours (the live test server) must return the same features for the bench request, every tile
must be byte-identical to the bare ``ST_AsMVT`` floor. No timing is asserted: figures belong to
``make bench``. PostGIS only: the peer and the floor read PostGIS.
"""

from __future__ import annotations

import shutil

import pytest
from django.contrib.gis.geos import Polygon
from django.db import connection

from planning import models as m
from tests.benchmarks import bench_ogcapi as bench
from tests.benchmarks.bench_ows import top_up_parcels
from tests.deploy.production import process_alive

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="MapServer's peer and the ST_AsMVT floor read PostGIS",
    ),
]


@pytest.fixture
def peer(transactional_db, tmp_path):
    for tool in ("spawn-fcgi", "nginx", "mapserv"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} missing: run scripts/install_deps.sh bench")
    started = bench.start_peer(tmp_path / "peer", processes=2)
    yield started
    started.stop()


def test_both_sides_return_the_same_features_and_tiles(live_server, binh_dinh, peer):
    assert top_up_parcels(target=200) == 200
    token = bench.bench_user_token()
    box = Polygon.from_bbox(bench.ITEMS_BBOX)
    box.srid = 4326
    # What the request should match, counted here with the ORM: the parcels meeting the box with
    # the bench filter's status (about a fifth of the 200: five statuses drawn at random).
    expected = set(
        m.ClearanceParcel.objects.filter(boundary__intersects=box, status="inventoried")
        .values_list("pk", flat=True)
        .iterator()
    )
    assert 0 < len(expected) < 200
    ours = bench.Side("ours", f"{live_server.url}/ogc", {"Authorization": f"Token {token}"}, True)
    peer_side = bench.Side("peer", peer.base, {}, False)
    lines = []

    fig = bench.compare(
        ours,
        peer_side,
        rounds=1,
        warmup=0,
        clients=2,
        queries=1,
        tiles_per_round=8,
        repeats=1,
        log=lines.append,
    )

    assert fig.check["problems"] == [], lines
    # FastCGI, not CGI: the same two mapserv processes served every request and still run.
    assert len(peer.pids) == 2 and all(process_alive(pid) for pid in peer.pids)
    assert fig.check["features"] == fig.check["features_peer"] == len(expected)
    # One round, two clients, one whole query each: twice the answer on each side.
    assert fig.items_counts == [(2 * len(expected), 2 * len(expected))]
    assert fig.check["pages_ours_paged"] == 1  # fewer than 1,000 features: one page of 1,000
    assert fig.tiles_checked > 0 and fig.tile_mismatches == []
    assert fig.tile_features > 0  # the tiles hold parcels, not only empty tiles
    # Repeat requests: each of the 2 clients walks the served tiles once more.
    assert len(fig.lat_repeat) == 2 * fig.tiles_checked
    # "Uncached": each round's tiles are new — no tile asked in two rounds — and rounds alike.
    sets = bench.bench_tiles(3, 8)
    every = [t for tiles in sets for t in tiles]
    assert len(every) == len(set(every)) and len({len(tiles) for tiles in sets}) == 1
    text = "\n".join(bench.summary(fig, "ours", "peer"))
    assert "same ids on both sides" in text and "byte-identical" in text


def test_the_peer_layer_carries_the_bench_filter(peer):
    """The peer's mapfile carries the bench filter in its SQL (MapServer 8.0 has no property
    filter in its OGC API): the layer's DATA names it."""
    text = (peer.directory / "peer.map").read_text()
    (data,) = [line for line in text.splitlines() if line.strip().startswith("DATA ")]
    assert "WHERE" in data and "inventoried" in data
    assert '"oga_enable_request" "*"' in text
