"""Eco-industrial readiness."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planning.analysis.eco import EcoCriteria, eco_readiness, eco_readiness_all
from planning.analysis.errors import CriteriaError
from planning.analysis.records import AreaRecord
from tests.planning.analysis.texts import en, vi

READY = AreaRecord(
    id=1,
    kind="KCN",
    name="Becamex VSIP",
    planned_ha=1000,
    green_ha=150,
    shared_infra_ha=120,
    isolation_strip_m=15,
    wwtp_operating=True,
    symbiosis_links=2,
    power_done_pct=100,
    water_done_pct=100,
    wastewater_done_pct=100,
)


def test_a_park_meeting_everything_is_ready():
    r = eco_readiness(READY)
    assert r.ready and r.n_met == r.n_total == 5 and r.n_unknown == 0
    assert vi(r.summary) == "Becamex VSIP: đạt 5/5 tiêu chí KCN sinh thái."
    assert {c.key for c in r.criteria} == {
        "green_shared_land_share",
        "isolation_strip",
        "central_wwtp",
        "symbiosis_link",
        "basic_services",
    }


@pytest.mark.parametrize(
    ("change", "key", "missing_vi"),
    [
        (
            {"green_ha": 100, "shared_infra_ha": 100},
            "green_shared_land_share",
            "thiếu 50,0 ha đất cây xanh, giao thông, hạ tầng dùng chung (20,0 % < 25 %)",
        ),
        ({"isolation_strip_m": 8.0}, "isolation_strip", "dải cây xanh cách ly rộng 8,0 m < 10 m"),
        (
            {"wwtp_operating": False},
            "central_wwtp",
            "chưa có nhà máy xử lý nước thải tập trung hoạt động",
        ),
        (
            {"symbiosis_links": 0},
            "symbiosis_link",
            "chưa có liên kết cộng sinh công nghiệp nào (cần ≥ 1)",
        ),
        ({"water_done_pct": 60}, "basic_services", "cấp nước mới hoàn thành 60 %"),
    ],
)
def test_each_missing_criterion_is_named(change, key, missing_vi):
    r = eco_readiness(replace(READY, **change))
    (c,) = [c for c in r.criteria if c.key == key]
    assert c.met is False and vi(c.missing) == missing_vi and en(c.missing)
    assert not r.ready and missing_vi in vi(r.summary)


def test_unknown_data_is_reported_as_unknown():
    a = AreaRecord(id=2, kind="CCN", name="Tân Đức", planned_ha=50)
    r = eco_readiness(a)
    unknown = {c.key for c in r.criteria if c.met is None}
    assert unknown == {"isolation_strip", "symbiosis_link", "basic_services"}
    assert r.n_unknown == 3 and not r.ready
    assert "CCN sinh thái" in vi(r.summary)


def test_thresholds_are_parameters():
    a = replace(READY, green_ha=100, shared_infra_ha=100)  # 20 %
    assert eco_readiness(a, criteria=EcoCriteria(min_green_shared_share=0.2)).ready
    with pytest.raises(CriteriaError):
        EcoCriteria(min_green_shared_share=25)  # a share, not a percentage


def test_enterprise_shares_only_when_recorded():
    a = replace(READY, enterprise_shares={"recp_aware_share": 0.95, "recp_applying_share": 0.1})
    r = eco_readiness(a)
    keys = [c.key for c in r.criteria]
    assert keys[-2:] == ["recp_awareness", "recp_application"]
    assert not r.ready and r.n_met == 6
    assert "CHƯA XÁC NHẬN" in vi(r.criteria[-1].citation)


@given(green=st.floats(0, 500), shared=st.floats(0, 500), planned=st.floats(1, 2000))
def test_more_green_land_never_unmeets_the_land_criterion(green, shared, planned):
    a = replace(READY, planned_ha=planned, green_ha=green, shared_infra_ha=shared)
    b = replace(a, green_ha=green + 10)
    met = lambda r: [c for c in r.criteria if c.key == "green_shared_land_share"][0].met  # noqa: E731
    assert met(eco_readiness(b)) >= met(eco_readiness(a))


def test_all_areas_in_order():
    assert [r.area_id for r in eco_readiness_all([READY, replace(READY, id=9)])] == [1, 9]
