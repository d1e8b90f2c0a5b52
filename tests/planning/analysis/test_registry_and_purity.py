"""planning.analysis never imports Django (the registry of the analyses is the services' one:
tests/planning/services/test_analysis_registry.py)."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import planning.analysis

ROOT = Path(__file__).resolve().parents[3]
MODULES = sorted(
    f"planning.analysis.{m.name}" for m in pkgutil.iter_modules(planning.analysis.__path__)
)


@pytest.mark.parametrize("module", ["planning.analysis", *MODULES])
def test_module_imports_without_django(module):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
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
