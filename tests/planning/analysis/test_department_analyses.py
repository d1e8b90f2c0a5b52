"""The departments' analyses, by hand: connector costs and missing wastewater capacity, labour
balance, lease prices against medians."""

from __future__ import annotations

import pytest
from shapely import LineString, box

from planning.analysis.errors import CriteriaError
from planning.analysis.fence_cost import (
    AreaCapacity,
    AreaLinks,
    FenceCostCriteria,
    connector_cost,
    fence_costs,
    wastewater_gap,
)
from planning.analysis.infrastructure import infrastructure_to_fence
from planning.analysis.labour_balance import LabourCriteria, labour_balance
from planning.analysis.lease_prices import LeasePrice, compare_lease_prices
from planning.analysis.records import NetworkFeature


# ---- infrastructure to the fence ---------------------------------------------------------------
def test_a_road_connector_costs_its_length_times_the_unit_cost():
    # 3.2 km × 25 bn VND/km = 80 bn VND
    assert connector_cost(3200.0, "road", FenceCostCriteria(road_bn_vnd_per_km=25.0)) == 80.0


def test_connectors_of_the_fence_analysis_are_costed_per_network():
    # Area 500 × 500 m; road 3.2 km east of it, power line 1.0 km north, water main touching.
    area = ("CCN-1", box(0, 0, 500, 500), "CCN Gò Bằng")
    nets = [
        NetworkFeature(LineString([(3700, -900), (3700, 900)]), "road", name="ĐT639"),
        NetworkFeature(LineString([(-500, 1500), (900, 1500)]), "power", name="ĐZ 22 kV"),
        NetworkFeature(LineString([(0, -10), (500, -10)]), "water", name="Ống D300"),
    ]
    (fence,) = infrastructure_to_fence([area], nets)
    crit = FenceCostCriteria(road_bn_vnd_per_km=25.0, power_bn_vnd_per_km=2.5)
    links = AreaLinks(
        fence.area_id,
        fence.area_name,
        tuple((x.network, x.distance_m, x.connected, x.feature_name) for x in fence.links),
    )
    (r,) = fence_costs([links], criteria=crit)
    # road 3.2 km × 25 = 80; power 1.0 km × 2.5 = 2.5; water 10 m: connected, not costed
    assert [(c.network, c.length_km, c.cost_bn_vnd) for c in r.connectors] == [
        ("road", 3.2, 80.0),
        ("power", 1.0, 2.5),
        ("water", 0.01, None),
    ]
    assert r.total_cost_bn_vnd == 82.5
    # … unless connected connectors are costed too: + 0.01 km × 4 bn VND/km = 0.04
    (r2,) = fence_costs([links], criteria=FenceCostCriteria(include_connected=True))
    assert r2.connectors[2].cost_bn_vnd == 0.04


def test_a_network_without_any_feature_is_not_costed():
    (r,) = fence_costs([AreaLinks("A", "A", (("water", None, False, None),))])
    assert r.connectors[0].cost_bn_vnd is None and r.total_cost_bn_vnd == 0.0


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [
        # 10 ha × 30 m³/ha/day = 300 m³/day; plant of 200 → 100 missing
        (
            AreaCapacity(leased_ha=10, wwtp_operating=True, wwtp_capacity_m3_day=200),
            (300, 200, 100),
        ),
        # plant larger than the demand: nothing missing
        (AreaCapacity(leased_ha=10, wwtp_operating=True, wwtp_capacity_m3_day=500), (300, 500, 0)),
        # no plant operating: the whole demand is missing
        (AreaCapacity(leased_ha=10, wwtp_operating=False, wwtp_capacity_m3_day=500), (300, 0, 300)),
        # operating, capacity not recorded: unknown
        (AreaCapacity(leased_ha=10, wwtp_operating=True), (300, None, None)),
        (None, (None, None, None)),
    ],
    ids=["short", "enough", "no-plant", "unknown-capacity", "no-record"],
)
def test_missing_wastewater_capacity(capacity, expected):
    gap = wastewater_gap(capacity, FenceCostCriteria())
    assert (gap.demand_m3_day, gap.capacity_m3_day, gap.missing_m3_day) == expected


def test_unit_costs_are_labelled_as_assumptions_and_refuse_negatives():
    crit = FenceCostCriteria()
    assert crit.source.startswith("ASSUMPTION")
    assert set(crit.unit_costs()) == {"road", "power", "water", "wastewater", "telecom"}
    with pytest.raises(CriteriaError):
        FenceCostCriteria(road_bn_vnd_per_km=-1)


# ---- labour ------------------------------------------------------------------------------------
def test_labour_balance_working_age_planned_jobs_and_gap():
    summary = {
        "total_population": 100_000,
        "areas": [
            {
                "area_id": "A",
                "area_name": "KCN A",
                "workers_needed": 3000,
                "rings": [
                    {"distance_m": 5000, "population": 8000, "coverage": 1.0},
                    {"distance_m": 10000, "population": 20000, "coverage": 0.9},
                ],
            },
            {"area_id": "B", "area_name": "CCN B", "workers_needed": 0, "rings": []},
        ],
        "union_rings": [{"distance_m": 5000, "population": 9000, "coverage": 1.0}],
    }
    b = labour_balance(
        summary, {"A": 40.0, "B": 10.0}, criteria=LabourCriteria(working_age_share=0.6)
    )
    a, cb = b.areas
    # A: 3,000 project jobs + 40 ha × 73 = 2,920 → 5,920 planned jobs
    assert (a.project_jobs, a.land_jobs, a.planned_jobs) == (3000, 2920, 5920)
    # 5 km: 8,000 × 0.6 = 4,800 working age; gap 5,920 − 4,800 = +1,120 (shortfall)
    assert (a.rings[0].working_age, a.rings[0].gap, a.rings[0].jobs_share) == (4800, 1120, 1.2333)
    # 10 km: 20,000 × 0.6 = 12,000; gap −6,080 (surplus)
    assert (a.rings[1].working_age, a.rings[1].gap, a.rings[1].coverage) == (12000, -6080, 0.9)
    # B: 10 ha × 73 = 730 jobs; province: 5,920 + 730 = 6,650 against 9,000 × 0.6 = 5,400
    assert cb.planned_jobs == 730 and b.planned_jobs == 6650
    assert (b.union_rings[0].working_age, b.union_rings[0].gap) == (5400, 1250)
    assert b.total_working_age == 60000


def test_labour_criteria_refuse_a_share_above_one():
    with pytest.raises(CriteriaError):
        LabourCriteria(working_age_share=1.5)


# ---- lease prices ------------------------------------------------------------------------------
RECORDS = [
    LeasePrice("K1", "KCN 1", "KCN", "52", "central_coast", 40.0, True),
    LeasePrice("K2", "KCN 2", "KCN", "52", "central_coast", 50.0),
    LeasePrice("K3", "KCN 3", "KCN", "52", "central_coast", 60.0),
    LeasePrice("K4", "KCN 4", "KCN", "51", "central_coast", 90.0),
    LeasePrice("K5", "KCN 5", "KCN", "94", "mekong", 20.0),
    LeasePrice("C1", "CCN 1", "CCN", "52", "central_coast", 12.0),
    LeasePrice("C2", "CCN 2", "CCN", "52", "central_coast", 12.0),
    LeasePrice("C3", "CCN 3", "CCN", "52", "central_coast", 18.0),
]


def test_lease_prices_median_min_max_in_the_province_and_the_region():
    r = compare_lease_prices(RECORDS, province="52")
    groups = {(g.scope, g.kind): g for g in (*r.province_groups, *r.region_groups)}
    kcn = groups[("province", "KCN")]
    # KCN of 52: 40, 50, 60 → median 50; region (52 and 51): 40, 50, 60, 90 → (50 + 60) / 2 = 55
    assert (kcn.n, kcn.median, kcn.minimum, kcn.maximum, kcn.n_synthetic) == (
        3,
        50.0,
        40.0,
        60.0,
        1,
    )
    region = groups[("region", "KCN")]
    assert (region.key, region.n, region.median, region.n_provinces) == (
        "central_coast",
        4,
        55.0,
        2,
    )
    # the Mekong price is in no group of a Central Coast province
    assert all(g.key != "mekong" for g in r.region_groups)
    assert groups[("province", "CCN")].median == 12.0  # 12, 12, 18
    assert (r.n_prices, r.n_synthetic) == (6, 1)


def test_each_park_s_position():
    r = compare_lease_prices(RECORDS, province="52")
    pos = {p.area_id: p for p in r.parks}
    # K1: 40 vs 50 → −20 %; vs 55 → (40 − 55) / 55 = −0.2727
    assert (pos["K1"].rank, pos["K1"].vs_province_median, pos["K1"].vs_region_median) == (
        1,
        -0.2,
        -0.2727,
    )
    assert pos["K1"].synthetic and not pos["K2"].synthetic
    # equal prices share a rank; 18 vs 12 → +50 %
    assert (pos["C1"].rank, pos["C2"].rank, pos["C3"].rank) == (1, 1, 3)
    assert pos["C3"].vs_province_median == 0.5
    assert "K4" not in pos and "K5" not in pos  # other provinces: in the region's median only


def test_substation_capacity_text_and_the_load_of_its_nearest_parks():
    from planning.analysis.fence_cost import parse_mva, substation_loads

    # 2 × 63 MVA = 126; "220 kV" names no capacity
    assert (parse_mva("110/22 kV – 2×63 MVA"), parse_mva("220 kV"), parse_mva(None)) == (
        126.0,
        None,
        None,
    )
    # A 100 ha + B 60 ha on TBA 1: 160 ha × 300 kVA/ha = 48 MVA against 40 → 8 missing;
    # C 20 ha on TBA 2 of unknown capacity: 6 MVA, missing unknown
    loads = substation_loads(
        [("A", "TBA 1", 100.0), ("B", "TBA 1", 60.0), ("C", "TBA 2", 20.0)],
        {"TBA 1": 40.0, "TBA 2": None},
    )
    assert [(x.name, x.demand_mva, x.missing_mva, x.areas) for x in loads] == [
        ("TBA 1", 48.0, 8.0, ("A", "B")),
        ("TBA 2", 6.0, None, ("C",)),
    ]
