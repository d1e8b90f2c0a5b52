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
