"""The proposal workflow service: every step allowed or refused by role, unit and status."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Polygon
from django.utils import translation

from planning import access
from planning import models as m
from planning.services import proposals as svc
from tests.conftest import box4326

pytestmark = pytest.mark.django_db

# About 30 ha (540 m × 555 m) inside Xã Cát Hanh of the binh_dinh fixture.
SITE = box4326(109.0, 14.0, 109.005, 14.005)
TOO_SMALL = box4326(109.02, 14.02, 109.021, 14.021)  # about 1 ha: below the CCN minimum of 10 ha


def _user(name, role=None, unit=None, **extra):
    user = get_user_model().objects.create_user(name, password=f"pw-{name}-1", **extra)
    if role:
        m.Membership.objects.create(user=user, role=role, admin_unit=unit)
    return user


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def people(binh_dinh, soc_trang):
    province, commune = binh_dinh
    st_province, st_commune = soc_trang
    return {
        "staff": _user("canbo", "commune_staff", commune),
        "colleague": _user("dongnghiep", "commune_staff", commune),
        "other_staff": _user("canbo_st", "commune_staff", st_commune),
        "industry": _user("sct", "industry_reviewer", province),
        "ezone": _user("bql", "ezone_reviewer", province),
        "other_industry": _user("sct_st", "industry_reviewer", st_province),
        "admin": get_user_model().objects.create_superuser("quantri", password="pw-admin-1"),
        "nobody": _user("nobody"),
        "commune": commune,
        "st_commune": st_commune,
    }


def _draft(people, geom=SITE, kind="CCN", who="staff"):
    return svc.proposal_create(
        people[who],
        name="CCN Cát Hanh 2",
        kind=kind,
        admin_unit=people["commune"],
        geometry=geom,
        rationale="Đất trống gần đường",
    )


def _actions(p):
    return list(p.events.order_by("pk").values_list("action", flat=True))


def test_create_draft_records_event_code_and_area(people):
    p = _draft(people)
    assert p.status == "draft" and p.proposed_by == people["staff"]
    assert p.code == f"DX-21907-{p.created_at.year}-1"
    assert 25 < p.area_ha < 35
    assert _actions(p) == ["created"]
    second = _draft(people)
    assert second.code.endswith("-2")
    assert p.history.count() == 1 and p.history.first().history_user == people["staff"]


def test_create_in_vn2000_coordinates(people):
    import shapely

    from planning import geo

    metric = geo.transform(shapely.from_wkb(bytes(SITE.wkb)), 4326, 9217)
    geom = Polygon(list(metric.geoms[0].exterior.coords), srid=9217)
    p = svc.proposal_create(
        people["staff"], name="VN-2000", kind="CCN", admin_unit="21907", geometry=geom
    )
    assert abs(p.geom.extent[0] - 109.0) < 1e-6 and 25 < p.area_ha < 35


@pytest.mark.parametrize("who", ["other_staff", "industry", "nobody"])
def test_only_staff_of_the_unit_may_create(people, who):
    with pytest.raises(svc.ProposalRefused, match="Only staff of Xã Cát Hanh"):
        _draft(people, who=who)


def test_bad_input_is_refused_with_a_message(people):
    with pytest.raises(svc.ProposalInvalid, match="CCN .* or KCN"):
        _draft(people, kind="XYZ")
    with pytest.raises(svc.ProposalInvalid, match="Unknown administrative unit"):
        svc.proposal_create(people["staff"], name="x", kind="CCN", admin_unit="nope", geometry=SITE)
    with pytest.raises(svc.ProposalInvalid, match="name"):
        svc.proposal_create(
            people["staff"], name="  ", kind="CCN", admin_unit="21907", geometry=SITE
        )


def test_edit_by_colleague_and_not_by_others(people):
    p = _draft(people)
    svc.proposal_update(people["colleague"], p, name="CCN Cát Hanh mở rộng")
    p.refresh_from_db()
    assert p.name == "CCN Cát Hanh mở rộng" and _actions(p) == ["created", "edited"]
    for who in ("other_staff", "industry", "nobody"):
        with pytest.raises(svc.ProposalRefused):
            svc.proposal_update(people[who], p, name="x")


def test_submit_stores_validation_and_reviewer_sees_it(people):
    p = _draft(people)
    assert not access.can_view_proposal(people["industry"], p)  # drafts stay in the unit
    svc.proposal_submit(people["staff"], p)
    assert p.status == "submitted" and p.submitted_at is not None
    assert {r["rule"] for r in p.validation["rules"]} >= {
        "area_limits",
        "inside_unit",
        "road_access",
    }
    assert p.validation["checked_at"]
    assert access.can_view_proposal(people["industry"], p)
    assert not access.can_view_proposal(people["other_industry"], p)
    assert [x.pk for x in svc.visible_proposals(people["industry"], queue=True)] == [p.pk]
    assert list(svc.visible_proposals(people["ezone"], queue=True)) == []  # a CCN: not the BQL's
    assert list(svc.visible_proposals(people["other_staff"])) == []


def test_blocking_rules_stop_the_submission(people):
    p = _draft(people, geom=TOO_SMALL)
    with pytest.raises(svc.ProposalInvalid, match="cannot be submitted") as exc:
        svc.proposal_submit(people["staff"], p)
    assert exc.value.details["failed_rules"][0]["rule"] == "area_limits"
    p.refresh_from_db()
    assert p.status == "draft" and p.validation["passed"] is False  # the result is kept to be seen


def test_full_review_cycle_and_approval_creates_planned_area(people):
    p = _draft(people)
    svc.proposal_submit(people["staff"], p)
    with pytest.raises(svc.ProposalRefused, match="reviewer of CCN proposals"):
        svc.proposal_approve(people["ezone"], p)  # the BQL reviews parks only
    with pytest.raises(svc.ProposalRefused):
        svc.proposal_approve(people["other_industry"], p)  # another province
    with pytest.raises(svc.ProposalRefused):
        svc.proposal_approve(people["staff"], p)  # not one's own
    svc.proposal_start_review(people["industry"], p)
    assert p.status == "under_review"
    svc.proposal_comment(people["staff"], p, "Có thêm bản đồ hiện trạng")
    with pytest.raises(svc.ProposalInvalid, match="comment"):
        svc.proposal_request_changes(people["industry"], p, "")
    svc.proposal_request_changes(people["industry"], p, "Bổ sung phương án đấu nối giao thông")
    assert p.status == "changes_requested"
    with pytest.raises(svc.IllegalTransition, match="not possible while the proposal is"):
        svc.proposal_approve(people["industry"], p)
    svc.proposal_update(people["staff"], p, rationale="Đã bổ sung")
    svc.proposal_submit(people["staff"], p)
    svc.proposal_approve(people["industry"], p, "Đồng ý đưa vào quy hoạch")
    assert p.status == "approved" and p.decided_at >= p.submitted_at
    area = p.resulting_area
    assert area.status == "planned" and area.kind == "CCN" and area.admin_unit == people["commune"]
    assert area.boundary.equals_exact(p.geom, 1e-9)
    assert float(area.planned_area_ha) == pytest.approx(p.area_ha, abs=0.01)
    assert area.code.startswith("CCN-21907-")
    assert area.history.first().history_user == people["industry"]
    assert _actions(p) == [
        "created",
        "submitted",
        "review_started",
        "commented",
        "changes_requested",
        "edited",
        "submitted",
        "approved",
    ]
    ev = p.events.get(action="approved")
    assert ev.actor == people["industry"] and ev.comment == "Đồng ý đưa vào quy hoạch"
    statuses = [h.status for h in p.history.order_by("history_date")]
    assert statuses[-1] == "approved" and "under_review" in statuses
    for action in ("approve", "reject", "withdraw", "submit"):
        with pytest.raises((svc.IllegalTransition, svc.ProposalRefused)):
            svc.proposal_act(people["admin"], p, action, "x")
    with pytest.raises(svc.IllegalTransition):
        svc.proposal_update(people["staff"], p, name="late")


def test_kcn_goes_to_the_economic_zone_authority(people):
    p = _draft(people, geom=box4326(109.0, 13.96, 109.012, 13.97), kind="KCN")  # about 140 ha
    svc.proposal_submit(people["staff"], p)
    with pytest.raises(svc.ProposalRefused):
        svc.proposal_reject(people["industry"], p, "không")
    with pytest.raises(svc.ProposalInvalid):
        svc.proposal_reject(people["ezone"], p, "")
    svc.proposal_reject(people["ezone"], p, "Không phù hợp quy hoạch tỉnh")
    assert p.status == "rejected" and p.resulting_area is None and p.decided_at


def test_withdraw_and_delete(people):
    p = _draft(people)
    svc.proposal_submit(people["staff"], p)
    with pytest.raises(svc.ProposalRefused):
        svc.proposal_withdraw(people["industry"], p)
    with pytest.raises(svc.IllegalTransition, match="Only drafts can be deleted"):
        svc.proposal_delete(people["staff"], p)
    svc.proposal_withdraw(people["staff"], p, "Chuyển địa điểm")
    assert p.status == "withdrawn"
    with pytest.raises(svc.IllegalTransition):
        svc.proposal_submit(people["staff"], p)
    draft = _draft(people)
    with pytest.raises(svc.ProposalRefused):
        svc.proposal_delete(people["other_staff"], draft)
    svc.proposal_delete(people["colleague"], draft)
    assert not m.Proposal.objects.filter(pk=draft.pk).exists()


def test_admin_may_do_everything_and_allowed_actions_follow(people):
    p = _draft(people)
    assert svc.allowed_actions(people["staff"], p) == [
        "edit",
        "submit",
        "withdraw",
        "comment",
        "delete",
    ]
    assert svc.allowed_actions(people["industry"], p) == []
    svc.proposal_submit(people["admin"], p)
    assert svc.allowed_actions(people["industry"], p) == [
        "review",
        "request-changes",
        "approve",
        "reject",
        "comment",
    ]
    assert svc.allowed_actions(people["staff"], p) == ["withdraw", "comment"]
    svc.proposal_approve(people["admin"], p)
    assert p.status == "approved"


def test_district_staff_reach_old_communes(binh_dinh):
    import datetime as dt

    province, commune = binh_dinh
    district = m.AdminUnit.objects.create(
        code="548",
        name="Huyện Phù Cát",
        level="district",
        parent=province,
        boundary=commune.boundary,
        valid_from=dt.date(1976, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        zone_srid=9217,
    )
    commune.parent = district
    commune.save()
    user = _user("huyen", "district_staff", district)
    p = svc.proposal_create(user, name="CCN huyện", kind="CCN", admin_unit=commune, geometry=SITE)
    assert access.can_edit_proposal(user, p)
