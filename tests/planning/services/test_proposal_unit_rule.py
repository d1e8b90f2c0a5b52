"""The proposal rules judge the unit the proposal names, and say where its boundary really lies.

A small hand-made world of two legacy districts (one mountainous) and two communes formed on
1 July 2025; "Phường Đồng Bằng" reaches 2 km into the old mountainous district. A proposal named
by one commune but drawn in the other must fail ``inside_unit`` with a message naming both, keep
the named unit's size limit (10 ha, not the mountain's 5 ha), and take the occupancy of the
district it lies in within its own unit — through the service, the API and the submission.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from planning import models as m
from planning.services import proposals as workflow
from planning.services.proposal_validation import proposal_check
from tests.conftest import box4326

pytestmark = pytest.mark.django_db

OLD = {"valid_from": dt.date(1976, 1, 1), "valid_to": dt.date(2025, 6, 30), "zone_srid": 9217}
NEW = {"valid_from": dt.date(2025, 7, 1), "valid_to": None, "zone_srid": 9217}


def _unit(code, name, level, box, parent=None, mountainous=False, period=OLD):
    return m.AdminUnit.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        boundary=box4326(*box),
        is_mountainous=mountainous,
        is_synthetic=True,
        **period,
    )


@pytest.fixture
def world():
    old_province = _unit("52", "Bình Định", "province", (108.9, 13.9, 109.3, 14.2))
    new_province = _unit("24", "Gia Lai", "province", (108.9, 13.9, 109.3, 14.2), period=NEW)
    plain = _unit("601", "Huyện Đồng Bằng", "district", (109.0, 14.0, 109.1, 14.1), old_province)
    hills = _unit(
        "602",
        "Huyện Miền Núi",
        "district",
        (109.1, 14.0, 109.2, 14.1),
        old_province,
        mountainous=True,
    )
    # A legacy commune whose own flag was never set: its district is mountainous.
    hill_commune = _unit("602-01", "Xã Chân Núi", "commune", (109.1, 14.0, 109.2, 14.1), hills)
    lowland = _unit("601-01", "Xã Đồng Cũ", "commune", (109.0, 14.0, 109.1, 14.1), plain)
    ward = _unit(
        "24001",
        "Phường Đồng Bằng",
        "commune",
        (109.0, 14.0, 109.12, 14.1),
        new_province,
        period=NEW,
    )
    upland = _unit(
        "24002",
        "Xã Miền Núi",
        "commune",
        (109.12, 14.0, 109.2, 14.1),
        new_province,
        mountainous=True,
        period=NEW,
    )
    staff = get_user_model().objects.create_user("canbo_phuong", password="pw-canbo-1")
    m.Membership.objects.create(user=staff, role="commune_staff", admin_unit=ward)
    return {
        "ward": ward,
        "upland": upland,
        "plain": plain,
        "hills": hills,
        "hill_commune": hill_commune,
        "lowland": lowland,
        "staff": staff,
    }


def _square(lon: float, lat: float = 14.05, side: float = 0.0025):
    """About 7,5 ha at 14° N (0,0025° ≈ 270 × 277 m)."""
    return box4326(lon, lat, lon + side, lat + side)


def _rules(result):
    return {r["rule"]: r for r in result["rules"]}


def test_a_proposal_drawn_in_the_neighbouring_unit_names_both(world):
    result = proposal_check(geometry=_square(109.15), kind="CCN", admin_unit="24001", store=False)
    rules = _rules(result)
    inside = rules["inside_unit"]
    assert inside["passed"] is False and inside["measured"] == pytest.approx(1.0)
    assert inside["message_vi"] == (
        "100,0 % diện tích đề xuất nằm ngoài địa bàn Phường Đồng Bằng. "
        "Đề xuất nằm trên địa bàn Xã Miền Núi (100,0 %)."
    )
    assert inside["message_en"] == (
        "100.0 % of the proposal lies outside Phường Đồng Bằng. "
        "The proposal lies in Xã Miền Núi (100.0 %)."
    )
    assert result["admin_unit"] == "Phường Đồng Bằng" and result["admin_unit_code"] == "24001"
    assert result["lies_in"] == [
        {"code": "24002", "name": "Xã Miền Núi", "level": "commune", "share": 1.0}
    ]
    # The size limit is the named unit's (not mountainous: 10 ha), not the place's (5 ha).
    assert result["is_mountainous"] is False
    size = rules["area_limits"]
    assert size["passed"] is False and size["limit"] == 10 and 7 < size["measured"] < 8
    # The occupancy of the named unit's district (no part of the proposal lies in it).
    assert result["occupancy_unit"] == "Huyện Đồng Bằng"
    assert "Huyện Đồng Bằng" in rules["unit_occupancy"]["message_vi"]


def test_the_same_boundary_named_by_its_own_unit_passes_with_the_mountain_limit(world):
    result = proposal_check(geometry=_square(109.15), kind="CCN", admin_unit="24002", store=False)
    rules = _rules(result)
    assert rules["inside_unit"]["passed"] is True
    assert rules["inside_unit"]["message_vi"] == "Nằm trong địa bàn Xã Miền Núi."
    assert result["is_mountainous"] is True
    assert rules["area_limits"]["passed"] is True
    assert re.search(r"giới hạn 5–75 ha", rules["area_limits"]["message_vi"])
    assert result["lies_in"] == [
        {"code": "24002", "name": "Xã Miền Núi", "level": "commune", "share": 1.0}
    ]
    assert result["occupancy_unit"] == "Huyện Miền Núi"


def test_a_boundary_across_two_units_lists_both_with_their_shares(world):
    result = proposal_check(
        geometry=_square(109.12 - 0.00125), kind="CCN", admin_unit="24001", store=False
    )
    inside = _rules(result)["inside_unit"]
    assert inside["passed"] is False and inside["measured"] == pytest.approx(0.5, abs=0.01)
    assert re.fullmatch(
        r"(50,0|49,\d|50,\d) % diện tích đề xuất nằm ngoài địa bàn Phường Đồng Bằng\. "
        r"Đề xuất nằm trên địa bàn (Phường Đồng Bằng|Xã Miền Núi) \(\d\d,\d %\), "
        r"(Phường Đồng Bằng|Xã Miền Núi) \(\d\d,\d %\)\.",
        inside["message_vi"],
    ), inside["message_vi"]
    shares = {u["name"]: u["share"] for u in result["lies_in"]}
    assert shares == {
        "Phường Đồng Bằng": pytest.approx(0.5, abs=0.01),
        "Xã Miền Núi": pytest.approx(0.5, abs=0.01),
    }


def test_occupancy_follows_the_legacy_district_the_proposal_lies_in_within_its_unit(world):
    """Phường Đồng Bằng reaches into the old mountainous district: a proposal there is counted
    with that district's clusters; one in the plain with the plain's."""
    east = proposal_check(geometry=_square(109.105), kind="CCN", admin_unit="24001", store=False)
    west = proposal_check(geometry=_square(109.02), kind="CCN", admin_unit="24001", store=False)
    assert (
        _rules(east)["inside_unit"]["passed"] is True
        and _rules(west)["inside_unit"]["passed"] is True
    )
    assert (
        east["occupancy_unit"] == "Huyện Miền Núi" and west["occupancy_unit"] == "Huyện Đồng Bằng"
    )
    # the size limit stays the ward's, wherever in it the proposal lies
    assert east["is_mountainous"] is False and _rules(east)["area_limits"]["limit"] == 10


def test_a_legacy_commune_takes_its_districts_mountainous_flag(world):
    result = proposal_check(geometry=_square(109.15), kind="CCN", admin_unit="602-01", store=False)
    assert result["is_mountainous"] is True and _rules(result)["area_limits"]["passed"] is True
    # …and a legacy commune's proposal is placed among the legacy communes
    wrong = proposal_check(geometry=_square(109.15), kind="CCN", admin_unit="601-01", store=False)
    assert wrong["lies_in"] == [
        {"code": "602-01", "name": "Xã Chân Núi", "level": "commune", "share": 1.0}
    ]
    assert wrong["is_mountainous"] is False and _rules(wrong)["area_limits"]["limit"] == 10


def test_the_api_check_and_the_submission_say_the_same(world):
    api = APIClient()
    api.force_authenticate(world["staff"])
    geometry = {
        "type": "Polygon",
        "coordinates": [
            [[109.15, 14.05], [109.16, 14.05], [109.16, 14.06], [109.15, 14.06], [109.15, 14.05]]
        ],
    }
    r = api.post(
        "/api/v1/proposals/check/",
        {"geometry": geometry, "kind": "CCN", "admin_unit": "24001", "store": False},
        format="json",
    )
    assert r.status_code == 200, r.content
    inside = _rules(r.json())["inside_unit"]
    assert "ngoài địa bàn Phường Đồng Bằng" in inside["message_vi"]
    assert "Xã Miền Núi (100,0 %)" in inside["message_vi"]
    assert "Huyện" not in inside["message_vi"]

    proposal = workflow.proposal_create(
        world["staff"],
        name="CCN thử",
        kind="CCN",
        admin_unit="24001",
        geometry=_square(109.15, side=0.01),
    )
    with pytest.raises(workflow.ProposalInvalid) as refused:
        workflow.proposal_act(world["staff"], proposal, "submit")
    assert "ngoài địa bàn Phường Đồng Bằng" in refused.value.message
    assert "Xã Miền Núi (100,0 %)" in refused.value.message
    proposal.refresh_from_db()
    assert proposal.status == "draft" and proposal.validation["lies_in"][0]["name"] == "Xã Miền Núi"
