"""Regression tests of the bugs the access matrix found (tests/security/test_access_matrix.py).

1. WFS-T refused every edit of ``secondary_projects`` to its reviewers (the catalogue's
   edit_roles): a project has no ``admin_unit`` of its own, so its unit was "unknown" and outside
   every scope. A project lies in its park's unit.
2. ``POST /api/v1/proposals/<id>/validate/`` let any reviewer re-check (and so read) any proposal:
   drafts they may not see, other provinces', the other kind's.
3. ``GET /proposals/<id>/`` answered 500 for a proposal without a proposer (imported, or its
   proposer's account deleted).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from planning import models as m
from tests.conftest import box4326

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(binh_dinh, soc_trang):
    province, commune = binh_dinh
    area = m.IndustrialArea.objects.create(
        code="KCN-NH",
        name="KCN Nhơn Hòa",
        kind="KCN",
        boundary=box4326(109.0, 13.96, 109.04, 13.99),
        planned_area_ha=Decimal("300"),
        industrial_land_ha=Decimal("200"),
        admin_unit=commune,
        status="operating",
    )
    project = m.SecondaryProject.objects.create(
        area=area,
        code="P-1",
        name="Nhà máy dệt",
        investor="Công ty TNHH Thử",
        sector="Dệt may",
        plot=box4326(109.01, 13.97, 109.02, 13.98),
        leased_area_ha=Decimal("5"),
        registered_capital_bn_vnd=Decimal("100"),
        disbursed_capital_bn_vnd=Decimal("50"),
        registered_on=dt.date(2020, 1, 1),
    )
    return {
        "province": province,
        "commune": commune,
        "st": soc_trang[1],
        "area": area,
        "project": project,
    }


def _user(name, role=None, unit=None, kind=""):
    user = get_user_model().objects.create_user(name, password="pw-" + name)
    if role:
        m.Membership.objects.create(user=user, role=role, admin_unit=unit, area_kind=kind)
    c = Client()
    c.force_login(user)
    return user, c


UPDATE = (
    '<wfs:Transaction service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0" '
    'xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:kcn="http://kcn-planner.vn/kcn">'
    '<wfs:Update typeName="kcn:secondary_projects"><wfs:Property><wfs:ValueReference>name'
    "</wfs:ValueReference><wfs:Value>Nhà máy may</wfs:Value></wfs:Property>"
    '<fes:Filter><fes:ResourceId rid="secondary_projects.{pk}"/></fes:Filter></wfs:Update>'
    "</wfs:Transaction>"
)


def test_reviewer_of_the_province_edits_its_secondary_projects_over_wfs(place):
    _, ezone = _user("bql", "ezone_reviewer", place["province"], "KCN")
    r = ezone.generic(
        "POST", "/ows/wfs", UPDATE.format(pk=place["project"].pk).encode(), content_type="text/xml"
    )
    assert r.status_code == 200, r.content[:400]
    place["project"].refresh_from_db()
    assert place["project"].name == "Nhà máy may"
    # ... but not those of another province.
    _, other = _user("bql_st", "ezone_reviewer", place["st"].parent, "KCN")
    r = other.generic(
        "POST",
        "/ows/wfs",
        UPDATE.format(pk=place["project"].pk).encode(),
        content_type="text/xml",
        HTTP_ACCEPT_LANGUAGE="en",  # the English wording is asserted (the default is Vietnamese)
    )
    assert r.status_code == 403 and b"outside your administrative units" in r.content


def test_only_the_proposals_staff_and_reviewer_may_revalidate_it(place):
    draft = m.Proposal.objects.create(
        code="DX-1",
        name="Đề xuất",
        kind="CCN",
        admin_unit=place["commune"],
        geom=box4326(108.97, 14.05, 108.976, 14.056),
    )
    with m.workflow_write("fixture"):  # a recorded state, not a workflow step under test
        far = m.Proposal.objects.create(
            code="DX-2",
            name="Đề xuất Sóc Trăng",
            kind="CCN",
            admin_unit=place["st"],
            geom=box4326(105.95, 9.61, 105.956, 9.616),
            status="submitted",
        )
    _, industry = _user("sct", "industry_reviewer", place["province"], "CCN")
    _, ezone = _user("bql", "ezone_reviewer", place["province"], "KCN")
    _, staff = _user("canbo", "commune_staff", place["commune"])
    assert (
        industry.post(f"/api/v1/proposals/{draft.pk}/validate/").status_code == 404
    )  # a draft: not sent yet
    assert (
        industry.post(f"/api/v1/proposals/{far.pk}/validate/").status_code == 404
    )  # another province
    with m.workflow_write("fixture"):
        draft.status = "submitted"
        draft.save()
    assert (
        ezone.post(f"/api/v1/proposals/{draft.pk}/validate/").status_code == 404
    )  # a CCN: not theirs
    r = industry.post(f"/api/v1/proposals/{draft.pk}/validate/")
    assert r.status_code == 200 and r.json()["rules"]
    assert staff.post(f"/api/v1/proposals/{draft.pk}/validate/").status_code == 200


def test_proposal_page_without_a_proposer(place):
    p = m.Proposal.objects.create(
        code="DX-3",
        name="Đề xuất nhập từ tệp",
        kind="CCN",
        admin_unit=place["commune"],
        geom=box4326(108.97, 14.05, 108.976, 14.056),
        proposed_by=None,
    )
    with m.workflow_write("fixture"):
        m.ProposalEvent.objects.create(proposal=p, actor=None, action="created")
    _, staff = _user("canbo", "commune_staff", place["commune"])
    r = staff.get(f"/proposals/{p.pk}/")
    assert r.status_code == 200
    assert "DX-3" in r.content.decode()
