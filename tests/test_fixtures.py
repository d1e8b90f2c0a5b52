"""The committed demo fixtures are what build_demo.py makes from ../shared/data, and they pass
the checker (geometry, references, constraints, partitions). No database needed."""

import filecmp
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# ../shared/data/vn beside the checkout, or where KCN_SHARED_DATA says (a worktree elsewhere)
SHARED = Path(os.environ.get("KCN_SHARED_DATA") or REPO.parent / "shared" / "data" / "vn")


def test_fixtures_pass_the_checker():
    run = subprocess.run(
        [sys.executable, str(REPO / "fixtures" / "check_demo.py")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data/vn is not beside this checkout")
def test_fixtures_are_reproducible_from_shared_data(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "fixtures" / "build_demo.py"),
            "--shared",
            str(SHARED),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    committed = REPO / "fixtures" / "demo"
    names = sorted(p.name for p in committed.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(committed, tmp_path, names, shallow=False)
    assert mismatch == [] and errors == []


def test_demo_source_tables_refer_to_each_other(monkeypatch):
    """The hand-written tables (fixtures/demo_source) name only things the other tables define."""
    monkeypatch.syspath_prepend(str(REPO / "fixtures"))
    from demogen import tables as t

    codes = {a["code"] for a in t.AREAS}
    assert len(codes) == len(t.AREAS)
    developers = {d["name"] for d in t.DEVELOPERS}
    points = {p["name"] for p in t.INFRA_POINTS}
    for a in t.AREAS:
        assert a["developer"] is None or a["developer"] in developers, a["code"]
        assert a["profile"] is None or a["profile"] in t.PARCEL_PROFILES, a["code"]
        assert set(a["sectors"]) <= set(t.SECTORS), a["code"]
        assert a["prov"] in t.OLD_PROVINCES, a["code"]
    for table in (t.MV_FEEDERS, t.WATER_MAINS, t.LEASE_WINDOW, t.TARGET_MISSES):
        assert set(table) <= codes
    assert set(t.MV_FEEDERS.values()) <= points
    assert {m["source"] for m in t.WATER_MAINS.values()} <= points
    assert {x for line in t.HV_LINES for x in (line["from_point"], line["to_point"])} <= points
    assert {o["area"] for o in t.OBSTACLES + t.DRAINAGE + t.TRANSFERS} <= codes
    for tr in t.TRANSFERS:
        assert {tr["from_developer"], tr["to_developer"]} <= developers
    anchors = [c[1] for d in t.DISTRICTS for c in d["communes"] if isinstance(c[1], str)]
    assert {a[1:].split(":")[0] for a in anchors} <= codes
