"""Planned vs established areas, on the Sóc Trăng figures of the source article."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planning.analysis.plan_vs_actual import TOTAL_LABEL, plan_vs_actual
from planning.analysis.records import AREA_STATUSES, AreaRecord
from tests.planning.analysis.texts import en, vi

ST = "Sóc Trăng"


def soc_trang() -> list[AreaRecord]:
    """Sóc Trăng article (12 Feb 2025): 10 KCN, 4 334 ha; 2 established (An Nghiệp operating,
    Trần Đề built); 18 CCN, 983.6 ha; 5 established, 202.5 ha. Individual areas of the planned
    ones are split to add up to the article's totals (only the totals are sourced)."""
    kcn = [
        ("An Nghiệp", "operating", 243),
        ("Trần Đề", "building", 160),
        ("Mỹ Thanh", "planned", 217),
        ("Đại Ngãi", "planned", 200),
        ("Sông Hậu", "planned", 286),
    ]
    rest = 4334 - sum(h for _, _, h in kcn)  # 3 228 ha over 5 more planned KCN
    kcn += [(f"KCN {i}", "planned", rest / 5) for i in range(5)]
    ccn = [
        ("Ngã Năm", "operating", 40),
        ("Xây Đá B", "building", 53.9),
        ("An Lạc Thôn 1", "operating", 40),
        ("An Lạc Thôn 2", "established", 30),
        ("Xây Đá B mới", "clearing", 202.5 - 163.9),
    ]
    ccn += [(f"CCN {i}", "planned", (983.6 - 202.5) / 13) for i in range(13)]
    return [
        AreaRecord(id=n, kind="KCN", name=n, status=s, planned_ha=h, province=ST) for n, s, h in kcn
    ] + [
        AreaRecord(id=n, kind="CCN", name=n, status=s, planned_ha=h, province=ST) for n, s, h in ccn
    ]


def test_soc_trang_figures():
    kcn, ccn = plan_vs_actual(soc_trang())
    assert (
        kcn.kind,
        kcn.planned_count,
        kcn.planned_ha,
        kcn.established_count,
        kcn.established_ha,
    ) == ("KCN", 10, pytest.approx(4334), 2, 403)
    assert (ccn.planned_count, ccn.planned_ha, ccn.established_count, ccn.established_ha) == (
        18,
        pytest.approx(983.6),
        5,
        pytest.approx(202.5),
    )
    assert ccn.established_share_ha == pytest.approx(202.5 / 983.6)
    assert kcn.operating_count == 1 and kcn.by_status["planned"][0] == 8
    assert vi(kcn.summary) == (
        "Sóc Trăng: 10 KCN trong quy hoạch (4.334 ha); đã thành lập 2 KCN "
        "(403 ha, 9,3 % diện tích); đang hoạt động 1 KCN (243 ha). Chưa có quy hoạch tỉnh "
        "được ghi nhận: đếm theo hồ sơ khu, cụm công nghiệp."
    )
    assert kcn.basis == "records" and kcn.plan == ""


def test_revoked_areas_leave_the_plan_and_totals_span_provinces():
    areas = soc_trang() + [
        AreaRecord(id="x", kind="KCN", status="revoked", planned_ha=100, province=ST),
        AreaRecord(id="NH", kind="KCN", status="operating", planned_ha=314.6, province="Bình Định"),
    ]
    rows = plan_vs_actual(areas)
    st_kcn = [r for r in rows if r.province == ST and r.kind == "KCN"][0]
    assert st_kcn.planned_count == 10 and st_kcn.by_status["revoked"] == (1, 100)
    total_kcn = [r for r in rows if r.province == TOTAL_LABEL and r.kind == "KCN"][0]
    assert total_kcn.planned_count == 11 and total_kcn.established_count == 3
    assert rows[0].province == "Bình Định"


@given(
    st.lists(st.tuples(st.sampled_from(AREA_STATUSES), st.floats(0, 1000)), min_size=1, max_size=20)
)
def test_established_never_exceeds_planned(items):
    areas = [
        AreaRecord(id=i, kind="CCN", status=s, planned_ha=h, province=ST)
        for i, (s, h) in enumerate(items)
    ]
    (row,) = plan_vs_actual(areas)
    assert row.operating_count <= row.established_count <= row.planned_count
    assert row.operating_ha <= row.established_ha + 1e-9 <= row.planned_ha + 2e-9
    assert sum(n for n, _ in row.by_status.values()) == len(items)
