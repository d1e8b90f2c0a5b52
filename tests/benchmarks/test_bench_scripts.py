"""The benchmark scripts stay runnable as the schema and the imports change.

`make bench` is not part of `make test` (it takes minutes and wants a quiet machine), so two
breakages went unseen until a bench run: issue 13's NOT NULL ``synthetic_fields`` column made the
analyses bench's bulk INSERT fail, and the import sorter moved ``planning.models`` ahead of the
import that set Django up in the load bench. These checks take a second and need no PostGIS.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db.models import NOT_PROVIDED

from tests.benchmarks import bench_analyses

REPO = Path(__file__).resolve().parents[2]
INSERT = re.compile(r"INSERT INTO (\w+) \((.*?)\)\s*\n", re.S)


def _required_columns(table: str) -> set[str]:
    """Columns of ``table`` a bulk INSERT must name: NOT NULL, no database default, not the key."""
    (model,) = [m for m in apps.get_models() if m._meta.db_table == table]
    return {
        f.column
        for f in model._meta.concrete_fields
        if not f.null
        and not f.primary_key
        and getattr(f, "db_default", NOT_PROVIDED) is NOT_PROVIDED
    }


@pytest.mark.parametrize("name", ["TOP_UP_AREAS", "TOP_UP_PARCELS", "TOP_UP_PROJECTS"])
def test_bulk_inserts_name_every_required_column(name):
    sql = getattr(bench_analyses, name)
    table, columns = INSERT.search(sql).groups()
    named = {c.strip() for c in columns.split(",")}
    missing = _required_columns(table) - named
    assert not missing, f"{name} leaves NOT NULL columns of {table} unset: {sorted(missing)}"


@pytest.mark.parametrize(
    "script", sorted(p.name for p in (REPO / "tests/benchmarks").glob("bench_*.py"))
)
def test_bench_script_imports(script):
    """Each script imports on its own, as `scripts/bench.sh` runs it (no main: no timing)."""
    path = REPO / "tests/benchmarks" / script
    code = (
        "import importlib.util, sys; "
        f"spec = importlib.util.spec_from_file_location('bench', {str(path)!r}); "
        "module = sys.modules['bench'] = importlib.util.module_from_spec(spec); "
        "spec.loader.exec_module(module)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr[-2000:]
