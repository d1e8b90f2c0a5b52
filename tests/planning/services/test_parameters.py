"""Parameter parsing of the analysis services (no database) and the process set-up they rely on."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from planning.analysis.efficiency import EfficiencyCriteria
from planning.analysis.errors import CriteriaError
from planning.analysis.proposal_checks import ProposalCriteria
from planning.analysis.site_suggestion import SiteCriteria
from planning.errors import InvalidParameter
from planning.services.analysis_params import criteria_build, parse_weights


@pytest.fixture(autouse=True)
def _in_english():
    """These tests read the English wording of the refusals (the Vietnamese is the default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "text, expected",
    [
        ("road=0.3,slope=0.2", {"road": 0.3, "slope": 0.2}),
        (" road = 1 , flood=0 ", {"road": 1.0, "flood": 0.0}),
        ({"population": 2}, {"population": 2.0}),
        ("", {}),
        (None, {}),
    ],
    ids=["two", "spaces", "mapping", "empty", "none"],
)
def test_parse_weights(text, expected):
    assert parse_weights(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("road=0.3,speed=1", "unknown weight 'speed'; known weights: road, infrastructure"),
        ("road:0.3", "must look like road=0.3"),
        ("road=abc", "weight road must be a number"),
        ("road=-1", "finite number >= 0"),
        ("road=nan", "finite number >= 0"),
    ],
    ids=["unknown", "syntax", "text", "negative", "nan"],
)
def test_parse_weights_refuses_bad_input(text, message):
    with pytest.raises(InvalidParameter, match=message):
        parse_weights(text)


def test_criteria_build_merges_nested_overrides():
    c = criteria_build(
        SiteCriteria,
        {
            "weights": {"road": 0.6},
            "area_limits": {"ccn_max_ha": 60},
            "road_statuses": ["invested"],
        },
        kind="CCN",
        region="mekong",
    )
    assert c.weights.road == 0.6 and c.weights.slope == 0.15
    assert c.area_range_ha() == (10.0, 60.0)
    assert c.road_statuses == ("invested",) and c.region == "mekong"
    # a stored run's parameters rebuild the same criteria
    assert criteria_build(SiteCriteria, c.to_dict()) == c
    p = criteria_build(ProposalCriteria, {"efficiency": {"new_ccn_min_occupancy": 0.6}})
    assert p.efficiency.new_ccn_min_occupancy == 0.6


def test_criteria_build_names_unknown_fields_and_keeps_range_checks():
    with pytest.raises(
        InvalidParameter, match="unknown SiteCriteria parameter.*corridor.*known: .*corridor_m"
    ):
        criteria_build(SiteCriteria, {"corridor": 10})
    with pytest.raises(InvalidParameter, match="must be an object"):
        criteria_build(SiteCriteria, ["corridor_m", 10])
    with pytest.raises(CriteriaError, match="corridor_m must be > 0"):
        criteria_build(SiteCriteria, {"corridor_m": 0})
    with pytest.raises(CriteriaError):
        criteria_build(EfficiencyCriteria, {"occupancy_average": "median"})


def test_django_setup_loads_rasterio_before_any_spatialite_connection():
    """mod_spatialite is loaded RTLD_GLOBAL by SQLite; rasterio's own GDAL must be loaded first or
    rasterio.open() crashes. The planning models import it, so it is there after django.setup()."""
    code = (
        "import sys, django; django.setup(); "
        "print('rasterio' in sys.modules and 'rasterio._io' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gis_service.settings.test"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("True")
