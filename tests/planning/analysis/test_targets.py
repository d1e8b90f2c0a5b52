"""Two-consecutive-years rule, developer capacity, state clusters, lagging projects."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planning.analysis.records import (
    ActualRecord,
    AreaRecord,
    DeveloperRecord,
    ProjectRecord,
    TargetRecord,
)
from planning.analysis.targets import (
    TargetRule,
    developer_capacity,
    lagging_projects,
    months_between,
    target_watch_list,
    transfer_candidates,
)
from tests.planning.analysis.texts import en, vi

AREAS = [
    AreaRecord(id="KCN-HH", kind="KCN", name="Hòa Hội", planned_ha=265, developer_id="D1"),
    AreaRecord(id="CCN-NP", kind="CCN", name="Nhơn Phong", planned_ha=30, developer_id="D2"),
]


def targets(area, year, **values):
    return [TargetRecord(area, year, k, v) for k, v in values.items()]


def actuals(area, year, **values):
    return [ActualRecord(area, year, k, v) for k, v in values.items()]


def test_two_missed_years_put_the_area_on_the_watch_list():
    t = targets("KCN-HH", 2023, clearance_ha=20, leased_ha=10) + targets(
        "KCN-HH", 2024, clearance_ha=20, leased_ha=10
    )
    a = actuals("KCN-HH", 2023, clearance_ha=25, leased_ha=4) + actuals(
        "KCN-HH", 2024, clearance_ha=8, leased_ha=12
    )
    (w,) = target_watch_list(t, a, areas=AREAS)
    assert (w.area_id, w.developer_id, w.years) == ("KCN-HH", "D1", (2023, 2024))
    assert [(m.year, m.indicator, m.target, m.actual) for m in w.misses] == [
        (2023, "leased_ha", 10.0, 4.0),
        (2024, "clearance_ha", 20.0, 8.0),
    ]
    assert vi(w.message).startswith(
        "Khu công nghiệp Hòa Hội không hoàn thành chỉ tiêu được giao 2 năm liên tiếp (2023, 2024)"
    )
    assert "02 năm liên tiếp" in vi(w.citation)


def test_gap_year_breaks_the_run():
    t = sum((targets("CCN-NP", y, leased_ha=5) for y in (2021, 2022, 2023)), [])
    a = (
        actuals("CCN-NP", 2021, leased_ha=1)
        + actuals("CCN-NP", 2022, leased_ha=6)
        + actuals("CCN-NP", 2023, leased_ha=2)
    )
    assert target_watch_list(t, a) == []


def test_year_without_targets_is_not_a_miss():
    t = targets("CCN-NP", 2021, leased_ha=5) + targets("CCN-NP", 2023, leased_ha=5)
    assert target_watch_list(t, []) == []  # 2021 and 2023 missed, but not consecutive


def test_missing_report_counts_as_a_miss_unless_configured():
    t = targets("CCN-NP", 2023, leased_ha=5) + targets("CCN-NP", 2024, leased_ha=5)
    a = actuals("CCN-NP", 2023, leased_ha=1)
    (w,) = target_watch_list(t, a)
    assert w.misses[1].actual is None and "không báo cáo" in vi(w.message)
    assert target_watch_list(t, a, rule=TargetRule(missing_actual_is_miss=False)) == []


def test_main_indicators_and_all_mode():
    t = targets("KCN-HH", 2023, clearance_ha=20, leased_ha=10) + targets(
        "KCN-HH", 2024, clearance_ha=20, leased_ha=10
    )
    a = actuals("KCN-HH", 2023, clearance_ha=25, leased_ha=4) + actuals(
        "KCN-HH", 2024, clearance_ha=8, leased_ha=12
    )
    assert target_watch_list(t, a, rule=TargetRule(main_indicators=("leased_ha",))) == []
    assert target_watch_list(t, a, rule=TargetRule(mode="all")) == []
    assert (
        target_watch_list(t, a, rule=TargetRule(tolerance=0.7)) == []
    )  # 4 ≥ 10 × 0.3, 8 ≥ 20 × 0.3


def test_as_of_year_and_mapping_actuals():
    t = sum((targets("KCN-HH", y, leased_ha=10) for y in (2023, 2024, 2025)), [])
    a = {("KCN-HH", 2023): {"leased_ha": 12}, ("KCN-HH", 2024): {"leased_ha": 1}}
    assert [w.years for w in target_watch_list(t, a)] == [(2024, 2025)]
    assert target_watch_list(t, a, as_of_year=2024) == []


@given(st.lists(st.booleans(), min_size=1, max_size=12), st.integers(1, 4))
def test_watch_list_iff_run_of_n_missed_years(missed, n):
    years = list(range(2014, 2014 + len(missed)))
    t = [TargetRecord("A", y, "leased_ha", 10) for y in years]
    a = [
        ActualRecord("A", y, "leased_ha", 0 if m else 10)
        for y, m in zip(years, missed, strict=True)
    ]
    longest = run = 0
    for m in missed:
        run = run + 1 if m else 0
        longest = max(longest, run)
    result = target_watch_list(t, a, rule=TargetRule(consecutive_years=n))
    assert bool(result) == (longest >= n)
    if result:
        assert all(missed[y - 2014] for y in result[0].years)


def test_developer_capacity_by_land_size():
    dev = DeveloperRecord(id="D2", kind="enterprise", name="Cty Phú Mỹ", own_capital_bn_vnd=50)
    areas = [
        AreaRecord(
            id=1,
            kind="CCN",
            status="building",
            planned_ha=19.9,
            developer_id="D2",
            total_investment_bn_vnd=100,
        ),
        AreaRecord(
            id=2,
            kind="CCN",
            status="clearing",
            planned_ha=20,
            developer_id="D2",
            total_investment_bn_vnd=200,
        ),
        AreaRecord(
            id=3,
            kind="CCN",
            status="operating",
            planned_ha=40,
            developer_id="D2",
            total_investment_bn_vnd=900,
        ),
    ]
    (c,) = developer_capacity(developers=[dev], areas=areas)
    # 20 % × 100 (19.9 ha < 20 ha) + 15 % × 200 (20 ha) = 50; the operating area is not counted
    assert [i.min_share for i in c.items] == [0.20, 0.15]
    assert c.required_bn_vnd == 50 and c.passed is True
    assert "43/2014" in vi(c.citation)
    (c,) = developer_capacity(developers=[dev], areas=areas, min_share_below=0.3)
    assert c.passed is False and "không đạt" in vi(c.message)
    (c,) = developer_capacity(
        developers=[dev], areas=areas, min_share_below=0.3, per_developer=False
    )
    assert c.passed is True  # 30 ≤ 50 and 30 ≤ 50 separately


def test_developer_capacity_unknowns():
    dev = DeveloperRecord(id="D", kind="state")
    area = AreaRecord(id=1, kind="CCN", status="building", planned_ha=10, developer_id="D")
    (c,) = developer_capacity(developers=[dev], areas=[area])
    assert c.passed is None and "vốn chủ sở hữu" in vi(c.message)


def test_state_clusters_to_transfer():
    areas = [
        AreaRecord(
            id="A",
            kind="CCN",
            name="Cầu 16",
            planned_ha=20,
            leasable_ha=15,
            leased_ha=3,
            developer_kind="state",
        ),
        AreaRecord(
            id="B",
            kind="CCN",
            name="Gò Bằng",
            planned_ha=15,
            leasable_ha=10,
            leased_ha=9,
            developer_kind="state",
        ),
        AreaRecord(id="C", kind="CCN", planned_ha=15, developer_kind="state", transferred=True),
        AreaRecord(id="D", kind="CCN", planned_ha=15, developer_kind="enterprise"),
        AreaRecord(id="E", kind="CCN", planned_ha=15, developer_kind="state", status="revoked"),
        AreaRecord(id="F", kind="KCN", planned_ha=150, developer_kind="state"),
    ]
    out = transfer_candidates(areas)
    assert [(c.area_id, c.unleased_ha) for c in out] == [("A", 12.0), ("B", 1.0)]
    assert out[0].occupancy == pytest.approx(0.2)
    assert "chưa chuyển giao" in vi(out[0].message)


def test_lagging_projects():
    as_of = dt.date(2025, 4, 11)
    ps = [
        ProjectRecord(id="late", area_id=1, leased_ha=3.2, operation_planned=dt.date(2024, 1, 10)),
        ProjectRecord(id="grace", area_id=1, leased_ha=1, operation_planned=dt.date(2024, 12, 1)),
        ProjectRecord(id="stalled", area_id=1, leased_ha=5, status="stalled"),
        ProjectRecord(
            id="done",
            area_id=1,
            leased_ha=2,
            status="operating",
            operation_planned=dt.date(2020, 1, 1),
        ),
        ProjectRecord(
            id="gone",
            area_id=1,
            leased_ha=2,
            status="revoked",
            operation_planned=dt.date(2020, 1, 1),
        ),
        ProjectRecord(
            id="started",
            area_id=1,
            leased_ha=2,
            status="building",
            operation_planned=dt.date(2020, 1, 1),
            operation_actual=dt.date(2020, 6, 1),
        ),
    ]
    out = lagging_projects(ps, as_of=as_of, grace_months=6)
    assert [(p.project_id, p.reason, p.months_late, p.land_to_recover_ha) for p in out] == [
        ("stalled", "stalled", None, 5.0),
        ("late", "late", 15, 3.2),
    ]
    assert "chậm đưa vào hoạt động 15 tháng" in vi(out[1].message)


@given(st.dates(), st.dates())
def test_months_between_is_antisymmetric_and_bounded(a, b):
    m = months_between(a, b)
    assert months_between(b, a) == -m or abs(m) <= 1 and abs(months_between(b, a)) <= 1
    assert abs(m) <= abs((b - a).days) / 28 + 1
