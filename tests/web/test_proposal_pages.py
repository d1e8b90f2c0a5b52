"""The proposal pages with Django's test client: redirects, refusals, queue, buttons, CSRF."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from planning import models as m
from planning.services import proposals as svc
from tests.conftest import box4326

pytestmark = pytest.mark.django_db
SITE = box4326(109.0, 14.0, 109.005, 14.005)


@pytest.fixture
def people(binh_dinh, soc_trang):
    province, commune = binh_dinh
    _, st_commune = soc_trang
    User = get_user_model()
    out = {}
    for name, role, unit in (
        ("canbo", "commune_staff", commune),
        ("canbo_st", "commune_staff", st_commune),
        ("sct", "industry_reviewer", province),
    ):
        out[name] = User.objects.create_user(name, password="pw-1")
        m.Membership.objects.create(user=out[name], role=role, admin_unit=unit)
    out["nobody"] = User.objects.create_user("nobody", password="pw-1")
    out["proposal"] = svc.proposal_create(
        out["canbo"], name="CCN Cát Hanh 2", kind="CCN", admin_unit=commune, geometry=SITE
    )
    return out


def _as(user, csrf=False):
    c = Client(enforce_csrf_checks=csrf)
    c.force_login(user)
    return c


def test_anonymous_goes_to_login_and_no_role_gets_403(people):
    pid = people["proposal"].pk
    for url in ("/proposals/", "/proposals/new/", f"/proposals/{pid}/"):
        r = Client().get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=")
    r = _as(people["nobody"]).get("/proposals/")
    assert r.status_code == 403 and "chưa có vai trò" in r.content.decode()
    r = _as(people["sct"]).get("/proposals/new/")
    assert r.status_code == 403 and "Chỉ cán bộ xã, huyện" in r.content.decode()


def test_staff_list_form_and_detail(people):
    c = _as(people["canbo"])
    r = c.get("/proposals/")
    assert r.status_code == 200 and people["proposal"].code in r.content.decode()
    assert 'id="kcn-prop-new"' in r.content.decode()
    r = c.get("/proposals/new/")
    body = r.content.decode()
    assert r.status_code == 200 and "kcn-proposal-config" in body and "21907" in body
    r = c.get(f"/proposals/{people['proposal'].pk}/")
    body = r.content.decode()
    assert (
        r.status_code == 200
        and 'data-action="submit"' in body
        and 'data-action="approve"' not in body
    )
    assert "Tạo" in body  # the timeline
    assert _as(people["canbo_st"]).get(f"/proposals/{people['proposal'].pk}/").status_code == 404
    assert 'id="kcn-proposals-link"' in body


def test_buttons_post_with_csrf_and_reviewer_approves(people):
    p = people["proposal"]
    staff = _as(people["canbo"], csrf=True)
    page = staff.get(f"/proposals/{p.pk}/")
    token = page.cookies["csrftoken"].value
    assert (
        staff.post(f"/proposals/{p.pk}/action/", {"action": "submit"}).status_code == 403
    )  # no token
    r = staff.post(f"/proposals/{p.pk}/action/", {"action": "submit", "csrfmiddlewaretoken": token})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == "submitted"
    reviewer = _as(people["sct"])
    r = reviewer.get("/proposals/")
    assert 'id="kcn-prop-queue"' in r.content.decode() and p.code in r.content.decode()
    r = reviewer.post(
        f"/proposals/{p.pk}/action/", {"action": "reject", "comment": ""}, follow=True
    )
    assert "Hãy ghi ý kiến" in r.content.decode()
    r = reviewer.post(
        f"/proposals/{p.pk}/action/", {"action": "approve", "comment": "Đồng ý"}, follow=True
    )
    body = r.content.decode()
    p.refresh_from_db()
    assert p.status == "approved" and p.resulting_area.code in body and "Đồng ý" in body
    r = _as(people["canbo"]).post(f"/proposals/{p.pk}/action/", {"action": "withdraw"}, follow=True)
    assert "Không thể" in r.content.decode()
    r = _as(people["canbo"]).get(f"/proposals/{p.pk}/edit/", follow=True)
    assert "Chỉ sửa được đề xuất" in r.content.decode()
