"""The scale benchmark's harness, small (issue 15, item 7): every part of
``scripts/bench.sh scale`` — load beside ogr2ogr with its checks, 1 km windows beside the SQL
floor, the efficiency report — on 2,000 and 4,000 parcels, and site suggestion for the country
on 1 and 2 Dask workers on national rasters of 250 m; one round, a scratch record. No figure
is judged here (timings belong to ``make bench``); the harness must run and its checks hold."""

from __future__ import annotations

import os
import shutil

import pytest
from django.db import connection

from tests.benchmarks import bench_national_sites, bench_scale

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the scale bench needs PostGIS"),
    pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="ogr2ogr (gdal-bin) missing"),
    pytest.mark.skipif(
        not (bench_scale.REPO.parent / "shared/data/vn").exists()
        and not os.environ.get("KCN_VN_DATA"),
        reason="../shared/data/vn not present",
    ),
]


def test_the_scale_bench_runs_small_and_records(tmp_path, monkeypatch):
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    url = f"postgis://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    record = tmp_path / "RESULTS.md"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("KCN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("BENCH_RECORD", str(record))
    monkeypatch.setattr(bench_scale, "SIZES", [2000, 4000])
    monkeypatch.setattr(bench_scale, "LOAD_ROUNDS", 1)
    monkeypatch.setattr(bench_scale, "LOAD_WARMUP", False)
    monkeypatch.setattr(bench_scale, "FETCH_WINDOWS", 5)
    monkeypatch.setattr(bench_scale, "EFFICIENCY_PROVINCES", 1)
    monkeypatch.setattr(bench_scale, "EFFICIENCY_RUNS", 1)
    monkeypatch.setattr(bench_national_sites, "CELL", 250.0)
    try:
        assert bench_scale.main([]) == 0
    finally:
        for size in (2000, 4000):
            for name in (f"kcn_bench_scale_{size}", f"kcn_bench_scale_{size}_ogr"):
                bench_scale.psql(
                    bench_scale.admin_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                )
        bench_scale.psql(
            bench_scale.admin_url(), 'DROP DATABASE IF EXISTS "kcn_bench_scale_gen" WITH (FORCE)'
        )
    text = record.read_text(encoding="utf-8")
    assert "load of the national GeoPackage, 4,000 parcels" in text
    assert "OGC API items, 1 km² window, 4,000 parcels" in text
    assert "efficiency report, national, 4,000 parcels" in text
    assert "site suggestion national 250 m, Dask 1 worker" in text
    assert "peak RSS per Dask worker" in text
    assert "stopped" not in text
