"""Criteria defaults (DOMAIN.md), validation and JSON output."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from shapely import Point

from planning.analysis.errors import CriteriaError, RecordError
from planning.analysis.messages import N_, Message
from planning.analysis.records import (
    RICE_PHASING_THRESHOLDS_HA,
    AreaLimits,
    NetworkFeature,
    RoadRecord,
    RuleResult,
    as_named_geometries,
    as_roads,
)
from planning.analysis.site_suggestion import LandcoverClasses, SiteCriteria, SiteWeights
from planning.analysis.targets import LaggingProject, TargetRule


def test_site_criteria_defaults_are_domain_7_2():
    c = SiteCriteria()
    assert (
        c.corridor_m,
        c.setback_m,
        c.builtup_buffer_m,
        c.max_slope_pct,
        c.flood_depth_max_m,
    ) == (2000, 500, 200, 15, 0.5)
    assert c.road_statuses == ("invested", "under_construction")
    assert c.weights.normalised() == pytest.approx(
        {
            "road": 0.30,
            "infrastructure": 0.15,
            "slope": 0.15,
            "conversion": 0.15,
            "population": 0.15,
            "flood": 0.10,
        }
    )
    assert (c.max_count, c.min_spacing_m, c.population_reach_m, c.exclude_rice) == (
        10,
        1000,
        5000,
        False,
    )
    assert c.area_range_ha() == (10, 75) and c.resolved_target_ha() == 42.5


@pytest.mark.parametrize(
    ("kind", "mountainous", "craft", "expected"),
    [
        ("CCN", False, False, (10, 75)),
        ("CCN", True, False, (5, 75)),
        ("CCN", False, True, (5, 75)),
        ("KCN", False, False, (100, 500)),
        ("KCN", True, False, (100, 500)),
    ],
)
def test_area_limits(kind, mountainous, craft, expected):
    assert (
        AreaLimits().range_for(kind, is_mountainous=mountainous, is_craft_village=craft) == expected
    )


def test_rice_thresholds_domain_1_4():
    assert (
        RICE_PHASING_THRESHOLDS_HA["mekong"] == 200
        and RICE_PHASING_THRESHOLDS_HA["central_coast"] == 150
    )
    assert SiteCriteria(region="mekong").rice_threshold_ha() == 200


@pytest.mark.parametrize(
    "kwargs",
    [
        {"corridor_m": 0},
        {"setback_m": -1},
        {"kind": "EZ"},
        {"road_statuses": ("paved",)},
        {"road_statuses": ()},
        {"region": "mars"},
        {"max_count": 0},
        {"preferred_slope_pct": 20},
        {"road_full_m": 6000},
        {"infra_existing_share": 1.5},
        {"target_area_ha": 5},
        {"corridor_m": math.nan},
    ],
)
def test_bad_criteria_are_refused(kwargs):
    with pytest.raises(CriteriaError):
        SiteCriteria(**kwargs)


def test_other_criteria_validation():
    with pytest.raises(CriteriaError):
        SiteWeights(road=-0.1)
    with pytest.raises(CriteriaError):
        AreaLimits(ccn_min_ha=80)
    with pytest.raises(CriteriaError, match="both excluded and scored"):
        LandcoverClasses(water=(2,))
    with pytest.raises(CriteriaError):
        TargetRule(consecutive_years=0)
    with pytest.raises(RecordError):
        RoadRecord(Point(0, 0), "paved")
    with pytest.raises(RecordError):
        NetworkFeature(Point(0, 0), "gas")


def test_landcover_lookup_table():
    lut = LandcoverClasses().conversion_lut()
    assert (
        lut[6] == 1.0
        and lut[2] == pytest.approx(0.7)
        and lut[7] == 0.5
        and lut[1] == pytest.approx(0.2)
    )
    assert all(math.isnan(lut[c]) for c in (0, 3, 4, 5, 8, 255))


def test_to_dict_is_json_ready():
    lag = LaggingProject(
        project_id=1,
        area_id=2,
        name="x",
        status="stalled",
        reason="stalled",
        operation_planned=dt.date(2024, 5, 1),
        months_late=None,
        land_to_recover_ha=1.5,
        message=Message(N_("…")),
        citation=Message(N_("…")),
    )
    assert lag.to_dict()["operation_planned"] == "2024-05-01"
    r = RuleResult(
        rule="r", passed=None, message=Message("x"), citation=Message("y"), measured=math.nan
    )
    assert r.to_dict()["measured"] is None
    assert r.to_dict()["message"] == {"msgid": "x", "params": {}}
    assert lag.to_dict()["message"] == {"msgid": "…", "params": {}}
    d = SiteCriteria().to_dict()
    assert d["weights"]["road"] == 0.3 and d["area_limits"]["ccn_max_ha"] == 75
    json.dumps(d)
    assert json.loads(json.dumps(RoadRecord(Point(1, 2)).to_dict()))["geometry"] == {
        "type": "Point",
        "coordinates": [1.0, 2.0],
    }


def test_normalisers():
    roads = as_roads([(Point(0, 0).buffer(1).exterior, "planned", "A"), RoadRecord(Point(0, 0))])
    assert [r.name for r in roads] == ["A", ""]
    assert as_named_geometries([Point(0, 0), ("x", Point(1, 1))])[1][:1] == ("x",)
    with pytest.raises(RecordError):
        as_named_geometries([("x", "not a geometry")])
