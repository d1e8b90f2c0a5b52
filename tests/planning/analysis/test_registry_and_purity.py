"""The ANALYSES registry, and that planning.analysis never imports Django."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import planning.analysis
from planning.analysis import ANALYSES, get_analysis
from planning.analysis.errors import UnknownAnalysis

ROOT = Path(__file__).resolve().parents[3]
MODULES = sorted(
    f"planning.analysis.{m.name}" for m in pkgutil.iter_modules(planning.analysis.__path__)
)


def test_registry_names_and_callables():
    assert {
        "site-suggestion",
        "land-use-efficiency",
        "target-watch-list",
        "eco-readiness",
        "infrastructure-to-fence",
        "labour-catchment",
        "plan-vs-actual",
        "proposal-check",
    } <= set(ANALYSES)
    assert all(callable(f) for f in ANALYSES.values())
    assert get_analysis("plan-vs-actual").__module__ == "planning.analysis.plan_vs_actual"
    with pytest.raises(TypeError):
        ANALYSES["x"] = print  # read-only mapping


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownAnalysis) as err:
        get_analysis("site_suggestion")
    assert isinstance(err.value, KeyError)
    assert "unknown analysis 'site_suggestion'" in str(err.value)
    assert "site-suggestion" in str(err.value) and err.value.known == sorted(ANALYSES)


@pytest.mark.parametrize("module", ["planning.analysis", *MODULES])
def test_module_imports_without_django(module):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "import planning.analysis as a; a.ANALYSES; "
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "assert not bad, bad"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def test_geometry_module_stays_light():
    # the models import planning.analysis.geometry at start-up: it must not pull in rasterio
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    code = "import sys, planning.analysis.geometry; assert 'rasterio' not in sys.modules"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
