"""Plan versus actual from the provincial plan's entries (issue 13 §1), hand-worked figures.

The Sóc Trăng plan as the article of 12 Feb 2025 gives it (``../shared/sources/003_…``):
10 KCN, 4,334 ha (2 established: An Nghiệp operating, Trần Đề building); 18 CCN, 983.6 ha, of
which 5 established, 202.5 ha. The An Nghiệp expansion is a planned entry of its own that adds
hectares but is not an eleventh park.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planning.analysis.plan_vs_actual import (
    TOTAL_LABEL,
    PlanEntryRecord,
    PlanStep,
    combine,
    plan_rows,
    plan_steps,
)
from planning.analysis.records import AREA_STATUSES, AreaRecord
from tests.planning.analysis.texts import vi

ST = "Sóc Trăng"
QD = "995/QĐ-TTg, 2023-08-25, Thủ tướng Chính phủ"


def soc_trang_plan() -> list[PlanEntryRecord]:
    # KCN: 243 + 160 + 217 + 200 + 286 = 1,106 ha sourced; expansion 169 ha; the other five split
    # the rest: 4,334 − 1,106 − 169 = 3,059 = 420 + 439 + 400 + 900 + 900.
    kcn = [
        PlanEntryRecord(
            id="AN",
            kind="KCN",
            planned_ha=243,
            area_status="operating",
            leasable_ha=170,
            leased_ha=165,
        ),
        PlanEntryRecord(
            id="TD",
            kind="KCN",
            planned_ha=160,
            area_status="building",
            leasable_ha=110,
            leased_ha=0,
        ),
        PlanEntryRecord(id="MT", kind="KCN", planned_ha=217, area_status="planned"),
        PlanEntryRecord(id="DN", kind="KCN", planned_ha=200, area_status="planned"),
        PlanEntryRecord(id="SH", kind="KCN", planned_ha=286, area_status="planned"),
        PlanEntryRecord(id="AN+", kind="KCN", planned_ha=169, expands="AN"),
    ] + [
        PlanEntryRecord(id=f"Z{i}", kind="KCN", planned_ha=ha, is_synthetic=True)
        for i, ha in enumerate((420, 439, 400, 900, 900))
    ]
    # CCN: 28 + 53.9 + 38.5 + 40 + 42.1 = 202.5 established; 13 more split 781.1 ha
    # (12 × 60.0 + 61.1).
    established = [
        ("NN", "operating", 28, 20, 12),
        ("XDB", "operating", 53.9, 37, 6.4),
        ("ALT1", "operating", 38.5, 26, 14.4),
        ("ALT2", "established", 40, 28, 0),
        ("XDBM", "clearing", 42.1, 30, 0),
    ]
    ccn = [
        PlanEntryRecord(
            id=c, kind="CCN", planned_ha=ha, area_status=s, leasable_ha=le, leased_ha=ld
        )
        for c, s, ha, le, ld in established
    ] + [
        PlanEntryRecord(id=f"C{i}", kind="CCN", planned_ha=60.0 if i < 12 else 61.1)
        for i in range(13)
    ]
    return kcn + ccn


def test_soc_trang_plan_figures():
    kcn, ccn = plan_rows(ST, QD, soc_trang_plan())
    assert (kcn.planned_count, kcn.planned_ha, kcn.established_count, kcn.established_ha) == (
        10,
        pytest.approx(4334),
        2,
        pytest.approx(403),
    )
    assert (kcn.operating_count, kcn.operating_ha) == (1, 243)
    # occupancy of the established: (165 + 0) / (170 + 110) = 165 / 280 = 58.93 %
    assert kcn.occupancy == pytest.approx(165 / 280)
    assert (ccn.planned_count, ccn.planned_ha, ccn.established_count, ccn.established_ha) == (
        18,
        pytest.approx(983.6),
        5,
        pytest.approx(202.5),
    )
    # operating CCN: 28 + 53.9 + 38.5 = 120.4 ha; occupancy (12 + 6.4 + 14.4) / 141 = 32.8 / 141
    assert (ccn.operating_count, ccn.operating_ha) == (3, pytest.approx(120.4))
    assert ccn.occupancy == pytest.approx(32.8 / 141)
    assert kcn.basis == ccn.basis == "plan" and kcn.plan == QD
    # entries without an area record: 5 synthetic + the expansion (169 ha)
    assert kcn.by_status["no_record"] == (5, pytest.approx(3059 + 169))
    assert vi(kcn.summary) == (
        f"Sóc Trăng, quy hoạch tỉnh ({QD}): 10 KCN trong quy hoạch (4.334 ha); đã thành lập "
        "2 KCN (403 ha, 9,3 % diện tích); đang hoạt động 1 KCN (243 ha)."
    )


def test_amendments_change_add_and_remove_entries():
    # A: 31.5 ha in the original decision, 50 ha after amendment 1; B: added by amendment 1
    # (75 ha); C: 20 ha, removed by amendment 2.
    entries = [
        PlanEntryRecord(
            id="A",
            kind="CCN",
            planned_ha=50,
            area_changes=((1, 31.5, 50),),
            area_status="operating",
        ),
        PlanEntryRecord(id="B", kind="CCN", planned_ha=75, added_step=1),
        PlanEntryRecord(id="C", kind="CCN", planned_ha=20, removed_step=2),
    ]
    steps = [
        PlanStep(step=0, decision="QĐ"),
        PlanStep(step=1, decision="ĐC 1"),
        PlanStep(step=2, decision="ĐC 2", is_synthetic=True),
    ]
    rows = plan_steps("Bình Định", entries, steps)
    got = [(r.step, r.planned_count, r.planned_ha, r.change_count, r.change_ha) for r in rows]
    # step 0: A 31.5 + C 20 = 51.5; step 1: 50 + 75 + 20 = 145 (+1, +93.5);
    # step 2: 50 + 75 = 125 (−1, −20)
    assert got == [(0, 2, 51.5, 0, 0.0), (1, 3, 145.0, 1, 93.5), (2, 2, 125.0, -1, -20.0)]
    assert [r.established_ha for r in rows] == [31.5, 50.0, 50.0]
    assert rows[-1].is_synthetic and rows[-1].decision == "ĐC 2"
    # the plan as it stands now is the last step
    (now,) = plan_rows("Bình Định", "QĐ", entries, steps=2)
    assert (now.planned_count, now.planned_ha) == (2, 125.0)


def test_a_province_without_plan_is_counted_from_its_records_and_says_so():
    records = [
        AreaRecord(
            id="X",
            kind="CCN",
            status="operating",
            planned_ha=30,
            province="Bình Định",
            leasable_ha=20,
            leased_ha=10,
        ),
        AreaRecord(id="Y", kind="CCN", status="planned", planned_ha=45, province="Bình Định"),
    ]
    rows = combine([(ST, QD, soc_trang_plan(), 0)], records)
    bd = next(r for r in rows if r.province == "Bình Định")
    assert (bd.basis, bd.planned_count, bd.planned_ha, bd.established_ha) == ("records", 2, 75, 30)
    assert bd.occupancy == pytest.approx(0.5)
    assert vi(bd.summary).endswith(
        "Chưa có quy hoạch tỉnh được ghi nhận: đếm theo hồ sơ khu, cụm công nghiệp."
    )
    total_ccn = next(r for r in rows if r.province == TOTAL_LABEL and r.kind == "CCN")
    # 18 + 2 CCN; 983.6 + 75 ha; established 202.5 + 30 ha
    assert (total_ccn.planned_count, total_ccn.basis) == (20, "mixed")
    assert total_ccn.planned_ha == pytest.approx(1058.6)
    assert total_ccn.established_ha == pytest.approx(232.5)


@given(
    st.lists(
        st.tuples(
            st.sampled_from((*AREA_STATUSES, None)),
            st.floats(0.1, 1000),
            st.integers(0, 2),
            st.booleans(),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_plan_figures_are_consistent(items):
    entries = [
        PlanEntryRecord(
            id=str(i),
            kind="CCN",
            planned_ha=ha,
            area_status=s,
            added_step=added,
            expands="0" if (exp and i) else None,
        )
        for i, (s, ha, added, exp) in enumerate(items)
    ]
    steps = [PlanStep(step=k, decision=str(k)) for k in range(3)]
    rows = plan_steps("X", entries, steps)
    for r in rows:
        assert r.established_count <= r.planned_count
        assert r.established_ha <= r.planned_ha + 1e-6
    # entries are only ever added here: the plan never shrinks from one step to the next
    assert all(r.change_ha >= -1e-6 and r.change_count >= 0 for r in rows)
    assert rows[-1].planned_ha == pytest.approx(sum(e.planned_ha for e in entries))
