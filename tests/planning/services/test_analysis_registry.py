"""One registry of the analyses, one name each: commands, API, Jobs tab and stored runs."""

from __future__ import annotations

import pytest

from planning import models as m
from planning.analysis.errors import UnknownAnalysis
from planning.services.analyses import ANALYSES, analysis_spec
from planning.services.analyses.registry import register_analysis

NAMES = [
    "site-suggestion",
    "efficiency",
    "targets",
    "eco-readiness",
    "infrastructure-gaps",
    "labour-catchment",
    "plan-vs-actual",
    "proposal-check",
]


def test_the_registry_holds_every_analysis_under_its_stored_name():
    assert list(ANALYSES) == NAMES
    assert list(m.AnalysisRun.Kind.values) == NAMES
    assert all(spec.name == name for name, spec in ANALYSES.items())
    with pytest.raises(TypeError):
        ANALYSES["x"] = ANALYSES["efficiency"]  # read-only mapping


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownAnalysis) as err:
        analysis_spec("site_suggestion")
    assert isinstance(err.value, KeyError)
    assert "unknown analysis 'site_suggestion'" in str(err.value)
    assert err.value.known == sorted(NAMES)


def test_a_spec_must_use_a_stored_name_and_register_once():
    spec = ANALYSES["efficiency"]
    with pytest.raises(ValueError, match="not an AnalysisRun.Kind"):
        register_analysis(spec.__class__(**{**spec.__dict__, "name": "land-use-efficiency"}))
    with pytest.raises(ValueError, match="registered twice"):
        register_analysis(spec)
