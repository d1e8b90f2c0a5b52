"""Issue 13 section 2 proposal rules, pure: phases (Decree 35 Art. 9), rice-land phasing, the
craft-village minimum, expansion (Decree 32/2024 conditions 1, 3 and 4), the isolation strip and
the services share. Hand-worked cases; the arithmetic is in the comments."""

from __future__ import annotations

import numpy as np
import pytest
from affine import Affine
from shapely import box

from planning.analysis.proposal_checks import (
    LandUse,
    PhaseRecord,
    ProposalCriteria,
    RiceLand,
    check_proposal,
    rice_land_ha,
)
from planning.analysis.records import AreaRecord
from tests.planning.analysis.texts import en, vi


def rules(results):
    return {r.rule: r for r in results}


# --- KCN over 500 ha: phases of at most 500 ha ------------------------------------------------
# Becamex VSIP Bình Định: 1,000 ha of KCN (DOMAIN §6.1), drawn as 2,000 m × 5,000 m = 1,000 ha;
# two phases of 2,000 m × 2,500 m = 500 ha each (a split for the test: the source gives two
# phases, the first ≈ 230 ha ready in 2024, not their boundaries).
VSIP = box(0, 0, 2000, 5000)
VSIP_PHASES = [
    PhaseRecord(number=1, year=2020, geometry=box(0, 0, 2000, 2500)),
    PhaseRecord(number=2, year=2026, geometry=box(0, 2500, 2000, 5000)),
]
# Phú Mỹ: 840.5 ha, phase 1 437 ha, the rest 403.5 ha (DOMAIN §6.1); areas only, no boundaries.
PHU_MY = box(0, 0, 2000, 4202.5)  # 2,000 m × 4,202.5 m = 8,405,000 m² = 840.5 ha
PHU_MY_PHASES = [
    PhaseRecord(number=1, year=2025, area_ha=437.0),
    PhaseRecord(number=2, year=2029, area_ha=403.5),  # 840.5 − 437 = 403.5
]


@pytest.mark.parametrize(
    ("geometry", "phases"), [(VSIP, VSIP_PHASES), (PHU_MY, PHU_MY_PHASES)], ids=["vsip", "phu-my"]
)
def test_real_kcn_over_500_ha_pass_with_their_phases(geometry, phases):
    r = rules(check_proposal(geometry=geometry, kind="KCN", phases=phases))
    assert r["area_limits"].passed is True
    assert r["phases"].passed is True
    assert "Điều 9" in vi(r["phases"].citation) and "500 ha" in en(r["phases"].citation)
    assert r["phases"].measured == pytest.approx(500.0 if geometry is VSIP else 437.0)


@pytest.mark.parametrize("geometry", [VSIP, PHU_MY], ids=["vsip", "phu-my"])
def test_real_kcn_over_500_ha_fail_without_phases(geometry):
    r = rules(check_proposal(geometry=geometry, kind="KCN"))
    assert r["area_limits"].passed is False and r["phases"].passed is False
    assert "add its phases" in en(r["area_limits"].message)
    assert "bổ sung các giai đoạn" in vi(r["phases"].message)


def test_a_phase_over_500_ha_fails():
    # 1,000 ha in 520 + 480 ha: phase 1 is over the limit.
    phases = [PhaseRecord(number=1, area_ha=520), PhaseRecord(number=2, area_ha=480)]
    r = rules(check_proposal(geometry=VSIP, kind="KCN", phases=phases))
    assert r["phases"].passed is False and r["area_limits"].passed is False
    assert "phase 1 is 520.00 ha (> 500 ha)" in en(r["phases"].message)


def test_phases_must_cover_the_proposal():
    # Areas only: 437 + 300 = 737 ha < 840.5 ha × 0.99 = 832.1 ha.
    short = [PhaseRecord(number=1, area_ha=437), PhaseRecord(number=2, area_ha=300)]
    r = rules(check_proposal(geometry=PHU_MY, kind="KCN", phases=short))["phases"]
    assert r.passed is False and "737.00 ha, less than the 840.50 ha" in en(r.message)
    # Boundaries: phase 2 stops at y = 4,500 m, leaving 2,000 × 500 m = 100 ha uncovered
    # (> 1 % of 1,000 ha = 10 ha).
    gap = [VSIP_PHASES[0], PhaseRecord(number=2, geometry=box(0, 2500, 2000, 4500))]
    r = rules(check_proposal(geometry=VSIP, kind="KCN", phases=gap))["phases"]
    assert r.passed is False and "100.00 ha of the proposal uncovered" in en(r.message)
    # 5 ha uncovered (2,000 × 25 m) is within the 1 % tolerance.
    near = [VSIP_PHASES[0], PhaseRecord(number=2, geometry=box(0, 2500, 2000, 4975))]
    assert rules(check_proposal(geometry=VSIP, kind="KCN", phases=near))["phases"].passed is True


def test_kcn_under_500_ha_needs_no_phases():
    r = rules(check_proposal(geometry=box(0, 0, 2000, 1500), kind="KCN"))  # 300 ha
    assert r["area_limits"].passed is True and "phases" not in r


# --- CCN 5 ha minimum for craft villages and mountainous units --------------------------------
EIGHT_HA = box(0, 0, 400, 200)  # 400 m × 200 m = 80,000 m² = 8 ha


@pytest.mark.parametrize(
    ("craft", "mountainous", "passed"),
    [(True, False, True), (False, True, True), (False, False, False)],
    ids=["craft-village", "mountainous", "ordinary"],
)
def test_8_ha_ccn(craft, mountainous, passed):
    r = rules(
        check_proposal(
            geometry=EIGHT_HA, kind="CCN", is_craft_village=craft, is_mountainous=mountainous
        )
    )["area_limits"]
    assert r.passed is passed and r.measured == pytest.approx(8.0)
    # failing: the 10 ha minimum it misses; passing: the 75 ha maximum it is checked against
    assert r.limit == (75.0 if passed else 10.0)


# --- expansion --------------------------------------------------------------------------------
def existing(**kw) -> AreaRecord:
    base = dict(
        id="CCN-XDB",
        kind="CCN",
        name="CCN Xây Đá B",
        planned_ha=60.0,
        leasable_ha=40.0,
        leased_ha=30.0,  # 75 %
        roads_done_pct=100,
        water_done_pct=100,
        wastewater_done_pct=100,
        wwtp_operating=True,
    )
    return AreaRecord(**{**base, **kw})


def test_expansion_to_80_ha_fails():
    # 60 ha existing + 400 m × 500 m = 20 ha added = 80 ha > 75 ha.
    r = rules(check_proposal(geometry=box(0, 0, 400, 500), kind="CCN", expands=existing()))
    assert r["area_limits"].passed is False and r["area_limits"].measured == pytest.approx(80.0)
    assert "80.00 ha (60.00 + 20.00 ha) > 75 ha" in en(r["area_limits"].message)
    # 60 + 15 ha (300 m × 500 m) = 75 ha: at the limit, allowed.
    r = rules(check_proposal(geometry=box(0, 0, 300, 500), kind="CCN", expands=existing()))
    assert r["area_limits"].passed is True


OCC_55 = {"leasable_ha": 40.0, "leased_ha": 22.0}  # 22 / 40 = 55 % < 60 %


@pytest.mark.parametrize(
    ("stated", "confirmed", "passed"),
    [(False, False, False), (True, False, False), (True, True, True)],
    ids=["no-demand", "stated-unconfirmed", "confirmed-by-reviewer"],
)
def test_expansion_at_55_percent_occupancy(stated, confirmed, passed):
    r = rules(
        check_proposal(
            geometry=box(0, 0, 300, 300),  # 9 ha: 69 ha after expansion
            kind="CCN",
            expands=existing(**OCC_55),
            demand_stated=stated,
            demand_confirmed=confirmed,
        )
    )["expansion_occupancy"]
    assert r.passed is passed and r.measured == pytest.approx(0.55)
    if stated and not confirmed:
        assert "has not confirmed it yet" in en(r.message)
    if confirmed:
        assert "was confirmed by a reviewer" in en(r.message)


def test_expansion_at_75_percent_occupancy_needs_no_demand():
    r = rules(check_proposal(geometry=box(0, 0, 300, 300), kind="CCN", expands=existing()))
    assert r["expansion_occupancy"].passed is True


@pytest.mark.parametrize(
    ("fields", "passed", "text"),
    [
        ({}, True, "are built"),
        ({"wastewater_done_pct": 80}, False, "wastewater collection 80 %"),
        ({"wwtp_operating": False}, False, "treatment plant is not operating"),
        ({"roads_done_pct": None}, None, "No completion figures for internal roads"),
    ],
    ids=["built", "wastewater-80", "plant-idle", "unknown"],
)
def test_expansion_condition_4_shared_infrastructure(fields, passed, text):
    r = rules(check_proposal(geometry=box(0, 0, 300, 300), kind="CCN", expands=existing(**fields)))[
        "expansion_infrastructure"
    ]
    assert r.passed is passed and text in en(r.message)
    assert "ASSUMPTION" in en(r.citation)


def test_expansion_infrastructure_threshold_is_a_criterion():
    crit = ProposalCriteria(expansion_infra_min_pct=80.0, expansion_needs_wwtp=False)
    r = rules(
        check_proposal(
            geometry=box(0, 0, 300, 300),
            kind="CCN",
            expands=existing(wastewater_done_pct=80, wwtp_operating=False),
            criteria=crit,
        )
    )["expansion_infrastructure"]
    assert r.passed is True


# --- rice-land phasing --------------------------------------------------------------------------
KCN_300 = box(0, 0, 2000, 1500)  # 300 ha


def test_rice_above_the_mekong_limit_fails_without_phases():
    r = rules(
        check_proposal(
            geometry=KCN_300,
            kind="KCN",
            rice=RiceLand(total_ha=250.0, region="mekong", source="lc"),
        )
    )["rice_phasing"]
    assert r.passed is False and r.limit == 200.0  # 250 > 200 ha
    assert "must be phased" in en(r.message) and "Mekong Delta" in en(r.message)


def test_rice_per_phase_in_the_mekong():
    phases = [
        PhaseRecord(number=1, geometry=box(0, 0, 1000, 1500)),
        PhaseRecord(number=2, geometry=box(1000, 0, 2000, 1500)),
    ]
    ok = RiceLand(total_ha=250.0, region="mekong", phase_ha={1: 150.0, 2: 100.0})
    over = RiceLand(total_ha=250.0, region="mekong", phase_ha={1: 210.0, 2: 40.0})
    r = rules(check_proposal(geometry=KCN_300, kind="KCN", phases=phases, rice=ok))
    assert r["rice_phasing"].passed is True
    r = rules(check_proposal(geometry=KCN_300, kind="KCN", phases=phases, rice=over))
    assert r["rice_phasing"].passed is False and "phase 1: 210.00 ha" in en(
        r["rice_phasing"].message
    )
    assert r["rice_phasing"].measured == pytest.approx(210.0)


def test_the_150_ha_limit_applies_on_the_central_coast():
    # 180 ha of rice: over Bình Định's 150 ha, under the Mekong's 200 ha.
    central = RiceLand(total_ha=180.0, region="central_coast")
    mekong = RiceLand(total_ha=180.0, region="mekong")
    r = rules(check_proposal(geometry=KCN_300, kind="KCN", rice=central))["rice_phasing"]
    assert r.passed is False and r.limit == 150.0 and "Duyên hải miền Trung" in vi(r.message)
    assert rules(check_proposal(geometry=KCN_300, kind="KCN", rice=mekong))["rice_phasing"].passed


def test_other_regions_are_marked_not_confirmed():
    r = rules(
        check_proposal(
            geometry=KCN_300, kind="KCN", rice=RiceLand(total_ha=90.0, region="central_highlands")
        )
    )["rice_phasing"]
    assert r.passed is True and r.limit == 100.0
    assert "NOT CONFIRMED" in en(r.message) and "NOT CONFIRMED" in en(r.citation)


def test_rice_unmeasured_without_a_raster():
    r = rules(check_proposal(geometry=KCN_300, kind="KCN"))["rice_phasing"]
    assert r.passed is None and "No land-cover raster" in en(r.message)


def test_rice_phases_without_boundaries_are_not_measured():
    phases = [PhaseRecord(number=1, area_ha=150), PhaseRecord(number=2, area_ha=150)]
    rice = RiceLand(total_ha=250.0, region="mekong", phase_ha={1: None, 2: None})
    r = rules(check_proposal(geometry=KCN_300, kind="KCN", phases=phases, rice=rice))
    assert r["rice_phasing"].passed is None and "have no boundary" in en(r["rice_phasing"].message)


def test_rice_land_ha_counts_cell_centres():
    # 4 × 4 cells of 100 m (1 ha each); rice (code 1) in the left half = 8 cells.
    codes = np.array([[1, 1, 5, 5]] * 4, dtype="uint8")
    transform = Affine(100, 0, 0, 0, -100, 400)
    whole, left, strip = rice_land_ha(
        [box(0, 0, 400, 400), box(0, 0, 200, 400), box(0, 0, 140, 400)], codes, transform
    )
    assert (whole, left) == (8.0, 8.0)
    assert strip == 4.0  # only the first column's centres (x = 50) lie in x < 140


# --- land-use breakdown ------------------------------------------------------------------------
CCN_50 = box(0, 0, 1000, 500)  # 50 ha


def test_isolation_strip_8_m_fails_10_m_passes():
    r = rules(check_proposal(geometry=CCN_50, land_use=LandUse(isolation_strip_m=8)))
    assert r["isolation_strip"].passed is False and "8.0 m < 10 m" in en(
        r["isolation_strip"].message
    )
    assert "QCVN 01" in en(r["isolation_strip"].citation)
    r = rules(check_proposal(geometry=CCN_50, land_use=LandUse(isolation_strip_m=10)))
    assert r["isolation_strip"].passed is True


def test_services_12_percent_of_a_ccn_fails():
    # 6 ha of services in 50 ha = 12 % > 10 %; 5 ha = 10 % passes.
    r = rules(check_proposal(geometry=CCN_50, land_use=LandUse(services_ha=6.0)))
    assert r["services_share"].passed is False
    assert r["services_share"].measured == pytest.approx(0.12)
    assert "12.0 % of 50.00 ha (> 10 %)" in en(r["services_share"].message)
    r = rules(check_proposal(geometry=CCN_50, land_use=LandUse(services_ha=5.0)))
    assert r["services_share"].passed is True


def test_no_breakdown_means_not_checked():
    r = rules(check_proposal(geometry=CCN_50))
    assert r["isolation_strip"].passed is None and "not given" in en(r["isolation_strip"].message)
    assert r["services_share"].passed is None and "not checked" in en(r["services_share"].message)
    # A KCN has no services rule.
    assert "services_share" not in rules(check_proposal(geometry=KCN_300, kind="KCN"))
