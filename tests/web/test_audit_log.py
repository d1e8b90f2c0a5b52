"""The administrators' change log at /admin/audit/: who, when, before and after, across models."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from planning import models as m
from tests.conftest import box4326
from tests.factories import IndustrialAreaFactory


@pytest.fixture
def changed_area(db, client):
    User = get_user_model()
    editor = User.objects.create_superuser("bien_tap", password="x")
    unit = m.AdminUnit.objects.create(
        code="52",
        name="Bình Định",
        level="province",
        boundary=box4326(108.6, 13.5, 109.4, 14.7),
        valid_from=dt.date(1976, 1, 1),
        zone_srid=9217,
    )
    area = IndustrialAreaFactory(
        code="CCN-CH", name="CCN Cát Hanh", admin_unit=unit, leased_land_ha=Decimal("20")
    )
    client.force_login(editor)
    # An edit through the admin records the user (HistoryRequestMiddleware).
    r = client.get(f"/admin/planning/industrialarea/{area.pk}/change/")
    assert r.status_code == 200
    area.leased_land_ha = Decimal("27.5")
    area.name = "CCN Cát Hanh mở rộng"
    area.status = "building"
    area.wwtp_operating = not area.wwtp_operating
    area._history_user = editor
    area.save()
    return editor, area


def test_administrators_read_who_changed_what(client, changed_area):
    editor, area = changed_area
    r = client.get("/admin/audit/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Nhật ký thay đổi" in html
    row = re.search(r'<tr class="audit-changed">(.*?)</tr>', html, re.S).group(1)
    assert "bien_tap" in row and "CCN Cát Hanh mở rộng" in row
    assert re.search(r"<del>20(\.0+)?</del> → <ins>27\.50*</ins>", row), row
    assert "<del>CCN Cát Hanh</del> → <ins>CCN Cát Hanh mở rộng</ins>" in row
    # Choices by their Vietnamese label (and the stored code), yes/no for booleans.
    assert (
        "<del>Đang hoạt động (operating)</del> → <ins>Đang xây dựng hạ tầng (building)</ins>" in row
    ), row
    assert re.search(r"<del>(có|không)</del> → <ins>(có|không)</ins>", row), row
    assert 'class="audit-created"' in html
    assert f"/admin/planning/industrialarea/{area.pk}/change/" in html
    # Filters: by user, model, and an object with no changes.
    assert "bien_tap" in client.get("/admin/audit/", {"user": editor.pk}).content.decode()
    r = client.get("/admin/audit/", {"model": "planning.ClearanceParcel"})
    assert "Chưa có thay đổi nào" in r.content.decode()
    r = client.get("/admin/audit/", {"since": "not-a-date", "model": "nope.Model"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "“not-a-date” không phải ngày bắt đầu (YYYY-MM-DD) hợp lệ" in html
    assert "Không có bảng dữ liệu “nope.Model”" in html
    assert 'href="/admin/audit/"' in client.get("/admin/").content.decode()


def test_non_administrators_cannot_read_it(client, changed_area):
    client.logout()
    assert client.get("/admin/audit/").status_code == 302  # to the admin sign-in
    staff = get_user_model().objects.create_user("nhan_vien", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/audit/").status_code == 403
