"""The enforcement trail (issue 13 §3) through every door: the model rule (a CCN revoked needs a
conversion plan, Decree 66/2020 Art. 1 cl. 5), the service (outcomes change the area), the
admin, the REST API, the watch list's latest action, late reporters (Circular 14/2024/TT-BCT),
the transfer pipeline and the migration that keeps the transfers recorded before it."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from planning import models as m
from planning.services import enforcement as svc
from tests.factories import DeveloperFactory, IndustrialAreaFactory, square

pytestmark = pytest.mark.django_db
D = dt.date


def _user(name, role, unit):
    user = get_user_model().objects.create_user(name, password=f"pw-{name}-1")
    m.Membership.objects.create(user=user, role=role, admin_unit=unit)
    return user


@pytest.fixture
def units(binh_dinh):
    return binh_dinh


@pytest.fixture
def ccn(units):
    _, commune = units
    return IndustrialAreaFactory(
        code="CCN-GB", name="CCN Gò Bằng thử", admin_unit=commune, boundary=square(109.0, 14.0)
    )


@pytest.fixture
def kcn(units):
    _, commune = units
    return IndustrialAreaFactory(
        code="KCN-HH",
        name="KCN Hòa Hội thử",
        kind="KCN",
        admin_unit=commune,
        boundary=square(109.02, 14.02),
        planned_area_ha=Decimal("265"),
        industrial_land_ha=Decimal("180"),
    )


@pytest.fixture
def industry(units):
    """Sở Công Thương of the province: writes the trail of clusters (CCN)."""
    return _user("sct", "industry_reviewer", units[0])


@pytest.fixture
def ezone(units):
    """Ban Quản lý KKT: writes the trail of parks (KCN)."""
    return _user("bql", "ezone_reviewer", units[0])


@pytest.fixture
def commune_staff(units):
    return _user("xa", "commune_staff", units[1])


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _client(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def _plan(area):
    return m.ConversionPlan.objects.create(
        area=area,
        land_becomes="agriculture",
        decision="QĐ 77/QĐ-UBND",
        decided_on=D(2026, 3, 1),
        agency="UBND tỉnh",
    )


REVOKE = {
    "kind": "revoke",
    "document_no": "2215/QĐ-UBND",
    "issued_on": "2026-05-04",
    "agency": "UBND tỉnh Gia Lai",
    "outcome": "revoked",
    "outcome_on": "2026-05-04",
}


# --- the model rule -------------------------------------------------------------------------
def test_ccn_revoked_without_conversion_plan_is_refused_by_the_model(ccn):
    ccn.status = m.IndustrialArea.Status.REVOKED
    with pytest.raises(ValidationError, match="66/2020"):
        ccn.save()
    with pytest.raises(ValidationError, match="66/2020"):
        ccn.full_clean()
    ccn.refresh_from_db()
    assert ccn.status == "operating"


def test_ccn_revoked_with_conversion_plan_and_kcn_without(ccn, kcn):
    _plan(ccn)
    ccn.status = kcn.status = m.IndustrialArea.Status.REVOKED
    ccn.save()
    kcn.save()  # Decree 66/2020's conversion plan is a CCN rule
    assert set(m.IndustrialArea.objects.values_list("status", flat=True)) == {"revoked"}


def test_queryset_update_and_bulk_update_obey_the_conversion_plan_rule(ccn, kcn):
    # The bulk doors pass the same check as save(): no plan, no revocation.
    with pytest.raises(ValidationError, match="66/2020"):
        m.IndustrialArea.objects.filter(pk=ccn.pk).update(status="revoked")
    ccn.status = "revoked"
    with pytest.raises(ValidationError, match="66/2020"):
        m.IndustrialArea.objects.bulk_update([ccn], ["status"])
    assert m.IndustrialArea.objects.get(pk=ccn.pk).status == "operating"
    assert m.IndustrialArea.objects.filter(pk=kcn.pk).update(status="revoked") == 1  # a KCN
    _plan(ccn)
    assert m.IndustrialArea.objects.filter(pk=ccn.pk).update(status="revoked") == 1


def test_a_ccn_entry_leaves_the_provincial_plan_only_with_a_conversion_plan(ccn, units):
    province = ccn.admin_unit.province
    plan = m.ProvincialPlan.objects.create(
        code="QH-TEST",
        name="Quy hoạch thử",
        province=province,
        period_start=2021,
        period_end=2030,
    )
    amendment = m.PlanAmendment.objects.create(
        plan=plan,
        sequence=1,
        decision_number="9/QĐ-TTg",
        decision_date=D(2026, 5, 1),
        decision_agency="Thủ tướng Chính phủ",
        changes="Đưa CCN ra khỏi quy hoạch.",
    )
    entry = m.PlanEntry.objects.create(
        plan=plan, code="QH-TEST-1", name=ccn.name, kind="CCN", planned_area_ha=20, area=ccn
    )
    never_built = m.PlanEntry.objects.create(
        plan=plan, code="QH-TEST-2", name="CCN chưa thành lập", kind="CCN", planned_area_ha=15
    )
    entry.removed_by = amendment
    with pytest.raises(ValidationError, match="66/2020"):
        entry.full_clean()
    with pytest.raises(ValidationError, match="66/2020"):
        entry.save()
    never_built.removed_by = amendment  # no land to convert
    never_built.full_clean()
    never_built.save()
    _plan(ccn)
    entry.full_clean()
    entry.save()
    assert m.PlanEntry.objects.filter(removed_by=amendment).count() == 2


def test_conversion_plan_of_a_revoked_ccn_cannot_be_deleted(ccn):
    plan = _plan(ccn)
    svc.area_revoke(area=ccn)
    with pytest.raises(ValidationError):
        plan.delete()
    assert m.ConversionPlan.objects.filter(area=ccn).exists()


# --- door 1: the REST API -------------------------------------------------------------------
def test_api_revoke_without_conversion_plan_is_refused(ccn, industry):
    r = _client(industry).post(
        "/api/v1/enforcement-actions/", {"area": ccn.code, **REVOKE}, format="json"
    )
    assert r.status_code == 400, r.content
    assert (
        "conversion plan" in r.json()["error"]["message"]
        or "chuyển đổi" in (r.json()["error"]["message"])
    )
    ccn.refresh_from_db()
    assert ccn.status == "operating"
    assert not m.EnforcementAction.objects.exists()  # the action went with the refusal


def test_api_revoke_with_conversion_plan_revokes_the_area(ccn, industry):
    api = _client(industry)
    r = api.post(
        "/api/v1/conversion-plans/",
        {
            "area": ccn.code,
            "land_becomes": "agriculture",
            "decision": "QĐ 77/QĐ-UBND",
            "decided_on": "2026-04-20",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    r = api.post("/api/v1/enforcement-actions/", {"area": ccn.code, **REVOKE}, format="json")
    assert r.status_code == 201, r.content
    ccn.refresh_from_db()
    assert ccn.status == "revoked"
    newest = ccn.history.first()
    assert newest.history_user == industry and newest.status == "revoked"


def test_api_pending_revoke_then_outcome(ccn, industry):
    api = _client(industry)
    r = api.post(
        "/api/v1/enforcement-actions/",
        {"area": ccn.code, **REVOKE, "outcome": "pending", "outcome_on": None},
        format="json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = api.patch(
        f"/api/v1/enforcement-actions/{pk}/",
        {"outcome": "revoked", "outcome_on": "2026-06-01"},
        format="json",
    )
    assert r.status_code == 400  # still no conversion plan
    assert m.EnforcementAction.objects.get(pk=pk).outcome == "pending"
    _plan(ccn)
    r = api.patch(
        f"/api/v1/enforcement-actions/{pk}/",
        {"outcome": "revoked", "outcome_on": "2026-06-01"},
        format="json",
    )
    assert r.status_code == 200, r.content
    ccn.refresh_from_db()
    assert ccn.status == "revoked"
    # audited: created pending, then changed to revoked, by the reviewer
    hist = list(m.EnforcementAction.objects.get(pk=pk).history.order_by("history_date"))
    assert [h.outcome for h in hist] == ["pending", "revoked"]
    assert {h.history_user for h in hist} == {industry}


def test_api_rights_provincial_roles_only(ccn, kcn, industry, ezone, commune_staff):
    reminder = {
        "kind": "reminder",
        "document_no": "12/SCT",
        "issued_on": "2026-05-01",
        "agency": "Sở Công Thương",
    }
    post = "/api/v1/enforcement-actions/"
    assert (
        _client(commune_staff).post(post, {"area": ccn.code, **reminder}, format="json").status_code
        == 403
    )
    assert (
        _client(ezone).post(post, {"area": ccn.code, **reminder}, format="json").status_code == 403
    )
    assert (
        _client(industry).post(post, {"area": kcn.code, **reminder}, format="json").status_code
        == 403
    )
    r = _client(industry).post(post, {"area": ccn.code, **reminder}, format="json")
    assert r.status_code == 201 and r.json()["developer"] == ccn.developer.name
    assert (
        _client(ezone).post(post, {"area": kcn.code, **reminder}, format="json").status_code == 201
    )
    # commune staff read the trail, anonymous callers do not
    assert _client(commune_staff).get(post).json()["count"] == 2
    assert APIClient().get(post).status_code in (401, 403)


def test_outcome_must_fit_the_action(ccn, industry):
    r = _client(industry).post(
        "/api/v1/enforcement-actions/",
        {
            "area": ccn.code,
            "kind": "reminder",
            "document_no": "1/SCT",
            "issued_on": "2026-05-01",
            "agency": "Sở Công Thương",
            "outcome": "revoked",
            "outcome_on": "2026-05-02",
        },
        format="json",
    )
    assert r.status_code == 400
    ccn.refresh_from_db()
    assert ccn.status == "operating"


def test_investor_replaced_records_the_transfer(ccn, industry):
    old = ccn.developer
    new = DeveloperFactory(name="Công ty Hạ tầng Mới")
    r = _client(industry).post(
        "/api/v1/enforcement-actions/",
        {
            "area": ccn.code,
            "kind": "adjust_investor",
            "document_no": "88/QĐ-UBND",
            "issued_on": "2026-02-01",
            "agency": "UBND tỉnh",
            "outcome": "investor_replaced",
            "outcome_on": "2026-03-15",
            "new_developer": new.name,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    ccn.refresh_from_db()
    assert ccn.developer == new
    t = m.DeveloperTransfer.objects.get(area=ccn)
    assert (t.from_developer, t.to_developer, t.decided_on) == (old, new, D(2026, 3, 15))


# --- door 2: the admin ----------------------------------------------------------------------
def _area_form_data(admin_client, area, **changes):
    change = admin_client.get(f"/admin/planning/industrialarea/{area.pk}/change/")
    form = change.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    # Every inline the page shows (other features add theirs), each posted empty.
    prefixes = [f.formset.prefix for f in change.context["inline_admin_formsets"]]
    data.update(
        {
            "boundary": area.boundary.transform(3857, clone=True).geojson,
            "developer": area.developer_id,
            "admin_unit": area.admin_unit_id,
            "eco_criteria_met": "{}",
            **{f"{p}-TOTAL_FORMS": 0 for p in prefixes},
            **{f"{p}-INITIAL_FORMS": 0 for p in prefixes},
            **changes,
        }
    )
    data.pop("id", None)
    return data


def test_admin_area_form_refuses_revoking_a_ccn_without_conversion_plan(admin_client, ccn):
    data = _area_form_data(admin_client, ccn, status="revoked")
    r = admin_client.post(f"/admin/planning/industrialarea/{ccn.pk}/change/", data)
    assert r.status_code == 200  # the form again, with the reason
    errors = r.context["adminform"].form.errors
    assert "status" in errors and "66/2020" in str(errors["status"])
    ccn.refresh_from_db()
    assert ccn.status == "operating"
    _plan(ccn)
    r = admin_client.post(f"/admin/planning/industrialarea/{ccn.pk}/change/", data)
    assert r.status_code == 302
    ccn.refresh_from_db()
    assert ccn.status == "revoked"


def _action_form(area, **kw):
    return {
        "area": area.pk,
        "developer": area.developer_id,
        "kind": "revoke",
        "document_no": "9/QĐ-UBND",
        "issued_on": "2026-05-04",
        "agency": "UBND tỉnh",
        "watch_years": "2024, 2025",
        "outcome": "revoked",
        "outcome_on": "2026-05-04",
        "notes": "",
        **kw,
    }


def test_admin_action_revoke_without_conversion_plan_is_refused(admin_client, ccn):
    r = admin_client.post("/admin/planning/enforcementaction/add/", _action_form(ccn))
    assert r.status_code == 200
    assert "66/2020" in str(r.context["adminform"].form.errors)
    assert not m.EnforcementAction.objects.exists()
    ccn.refresh_from_db()
    assert ccn.status == "operating"
    _plan(ccn)
    r = admin_client.post("/admin/planning/enforcementaction/add/", _action_form(ccn))
    assert r.status_code == 302, r.context["adminform"].form.errors
    ccn.refresh_from_db()
    assert ccn.status == "revoked"


def test_admin_refuses_a_django_staff_user_without_the_provincial_role(client, ccn, units):
    user = _user("xa2", "commune_staff", units[1])
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_enforcementaction", "view_enforcementaction"])
    )
    client.force_login(user)
    r = client.post(
        "/admin/planning/enforcementaction/add/",
        _action_form(ccn, kind="reminder", outcome="pending", outcome_on=""),
    )
    assert r.status_code == 200
    # "Chỉ cơ quan cấp tỉnh phụ trách … mới ghi nhận biện pháp xử lý" (the service's refusal)
    assert "Sở Công Thương" in str(r.context["adminform"].form.non_field_errors())
    assert not m.EnforcementAction.objects.exists()


@pytest.mark.parametrize(
    "model", ["enforcementaction", "conversionplan", "transfercase", "reportsubmission"]
)
def test_admin_changelists_render(admin_client, ccn, model):
    assert admin_client.get(f"/admin/planning/{model}/").status_code == 200


# --- the transfer pipeline ------------------------------------------------------------------
def test_transfer_case_reaches_transferred_through_the_service(ccn, industry):
    state = DeveloperFactory(name="Ban QLDA huyện", kind="state")
    ccn.developer = state
    ccn.save()
    buyer = DeveloperFactory(name="Công ty Nhận chuyển giao")
    case = m.TransferCase.objects.create(area=ccn, from_developer=state, stage="candidate")
    api = _client(industry)
    url = f"/api/v1/transfer-cases/{case.pk}/advance/"
    r = api.post(url, {"stage": "interest"}, format="json")
    assert r.status_code == 400  # interest names the enterprise
    r = api.post(
        url,
        {"stage": "interest", "interested_developer": buyer.name, "on": "2025-08-01"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["stage"] == "interest"
    r = api.post(
        url, {"stage": "transferred", "on": "2026-01-10", "decision": "QĐ 5/QĐ-UBND"}, format="json"
    )
    assert r.status_code == 200, r.content
    ccn.refresh_from_db()
    assert ccn.developer == buyer
    t = m.DeveloperTransfer.objects.get(area=ccn)
    assert (t.from_developer, t.to_developer, t.decided_on) == (state, buyer, D(2026, 1, 10))
    assert m.TransferCase.objects.get(pk=case.pk).transfer == t
    listed = api.get("/api/v1/transfer-cases/").json()["results"]
    assert [(c["area"], c["stage"]) for c in listed] == [(ccn.code, "transferred")]


def test_migration_keeps_recorded_transfers_as_the_pipeline_end(ccn):
    state = DeveloperFactory(name="Ban QLDA huyện", kind="state")
    t = m.DeveloperTransfer.objects.create(
        area=ccn, from_developer=state, to_developer=ccn.developer, decided_on=D(2025, 6, 18)
    )
    migration = importlib.import_module("planning.migrations.0017_enforce_enforcement_trail")
    from django.apps import apps

    migration.transfers_to_cases(apps, None)
    case = m.TransferCase.objects.get(area=ccn)
    assert (case.stage, case.transfer, case.stage_on) == ("transferred", t, D(2025, 6, 18))
    migration.transfers_to_cases(apps, None)  # run twice: one case
    assert m.TransferCase.objects.count() == 1


# --- late reporters -------------------------------------------------------------------------
def test_late_reports_api_on_19_and_21_june(ccn, commune_staff):
    api = _client(commune_staff)
    # the annual reports 2024 and 2025 and the half-year report 2025 were received on time
    m.AnnualReport.objects.create(
        area=ccn, year=2024, admin_unit=ccn.admin_unit, submitted_on=D(2024, 12, 18)
    )
    m.AnnualReport.objects.create(
        area=ccn, year=2025, admin_unit=ccn.admin_unit, submitted_on=D(2025, 12, 20)
    )
    m.ReportSubmission.objects.create(
        area=ccn, year=2025, kind="half_year", submitted_on=D(2025, 6, 12)
    )
    r = api.get("/api/v1/reporting/late/", {"on": "2026-06-19", "format": "json"})
    assert r.status_code == 200 and r.json()["count"] == 0
    r = api.get("/api/v1/reporting/late/", {"on": "2026-06-21", "format": "json"})
    (row,) = r.json()["reports"]
    assert (row["area_code"], row["period"], row["state"], row["days_late"]) == (
        "CCN-GB",
        "2026-H1",
        "missing",
        1,
    )
    (dev,) = r.json()["developers"]
    assert dev["developer_name"] == ccn.developer.name and dev["missing"] == 1
    r = api.get("/api/v1/reporting/late/", {"on": "2026-06-21", "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["area_code", "area_name", "kind"]
    assert rows[1][0] == "CCN-GB" and rows[1][4] == "2026-H1"
    r = api.get("/api/v1/reporting/late/", {"on": "2026-06-21", "format": "xlsx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert APIClient().get("/api/v1/reporting/late/").status_code in (401, 403)


# --- the watch list's latest action ---------------------------------------------------------
def test_watch_list_shows_latest_action_and_flags_none(ccn, units, industry):
    from planning.services.analysis_runs import analysis_compute

    for year in (2023, 2024):
        m.DevelopmentTarget.objects.create(
            area=ccn, year=year, indicator="leased_ha", target_value=Decimal("10")
        )
        m.AnnualReport.objects.create(
            area=ccn, year=year, admin_unit=ccn.admin_unit, leased_ha=Decimal("2")
        )
    res = analysis_compute("targets", province=units[0], as_of_year=2024).results
    (w,) = res["watch_list"]
    assert w["latest_action"] is None and res["counts"]["watch_without_action"] == 1
    # the dashboard's watch list flags it (the page highlights the row, the file says so)
    client = Client()
    client.force_login(industry)
    rows = _csv(client.get(f"/dashboards/{units[0].pk}/watch_list.csv"))
    assert rows[1][0] == ccn.name and rows[1][3] == "chưa có biện pháp xử lý"
    svc.enforcement_action_record(
        user=industry,
        area=ccn,
        kind="reminder",
        document_no="1/SCT",
        issued_on=D(2025, 4, 25),
        agency="Sở Công Thương",
    )
    svc.enforcement_action_record(
        user=industry,
        area=ccn,
        kind="explanation",
        document_no="2/SCT",
        issued_on=D(2025, 9, 12),
        agency="Sở Công Thương",
    )
    res = analysis_compute("targets", province=units[0], as_of_year=2024).results
    (w,) = res["watch_list"]
    assert (w["latest_action"]["kind"], w["latest_action"]["document_no"]) == (
        "explanation",
        "2/SCT",
    )
    assert res["counts"]["watch_without_action"] == 0
    rows = _csv(client.get(f"/dashboards/{units[0].pk}/watch_list.csv"))
    assert rows[1][3] == "Yêu cầu giải trình — 2/SCT" and rows[1][4] == "2025-09-12"
    assert rows[1][5] == "Đang chờ"


# --- the dashboards -------------------------------------------------------------------------
def test_dashboards_list_late_reporters_and_the_trail(client, ccn, units, industry):
    province = units[0]
    m.EnforcementAction.objects.create(
        area=ccn,
        kind="reminder",
        document_no="7/SCT",
        issued_on=D(2025, 5, 2),
        agency="Sở Công Thương",
    )
    client.force_login(industry)
    r = client.get(f"/dashboards/{province.pk}/late_reports.csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    # nothing was received since Circular 14: annual 2024 … half-year 2026 (and later) missing
    assert len(rows) >= 5 and all(row[0] == ccn.name for row in rows[1:])
    r = client.get(f"/dashboards/{province.pk}/late_developers.csv")
    assert ccn.developer.name in r.content.decode("utf-8-sig")
    r = client.get(f"/dashboards/areas/{ccn.pk}/enforcement.csv")
    assert r.status_code == 200 and "7/SCT" in r.content.decode("utf-8-sig")
    page = client.get(f"/dashboards/areas/{ccn.pk}/").content.decode()
    assert 'id="table-enforcement"' in page and "7/SCT" in page
    # anonymous visitors see neither
    client.logout()
    assert (
        'id="table-late_reports"' not in client.get(f"/dashboards/{province.pk}/").content.decode()
    )


# --- door 3: commands -----------------------------------------------------------------------
def test_command_revoke_without_conversion_plan_is_refused(ccn, industry):
    from django.core.management import CommandError, call_command

    args = [ccn.code, "--kind", "revoke", "--document", "5/QĐ-UBND", "--issued-on", "2026-05-04"]
    args += ["--agency", "UBND tỉnh", "--outcome", "revoked", "--outcome-on", "2026-05-04"]
    with pytest.raises(CommandError, match="66/2020"):
        call_command("record_enforcement", *args, "--user", industry.username)
    ccn.refresh_from_db()
    assert ccn.status == "operating" and not m.EnforcementAction.objects.exists()
    out = io.StringIO()
    _plan(ccn)
    call_command(
        "record_enforcement", *args, "--user", industry.username, "--lang", "en", stdout=out
    )
    ccn.refresh_from_db()
    assert ccn.status == "revoked" and "Revoked" in out.getvalue()


def test_command_refuses_a_user_without_the_provincial_role(ccn, commune_staff):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command(
            "record_enforcement",
            ccn.code,
            *["--kind", "reminder", "--document", "1", "--issued-on", "2026-05-04"],
            *["--agency", "x", "--user", commune_staff.username],
        )
    assert not m.EnforcementAction.objects.exists()


def test_late_reports_command_writes_csv(ccn, tmp_path):
    from django.core.management import call_command

    out = io.StringIO()
    path = tmp_path / "late.csv"
    call_command(
        "late_reports", "--on", "2026-06-21", "--output", str(path), "--lang", "en", stdout=out
    )
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    # nothing received since Circular 14: 2026-H1, 2025-Y, 2025-H1, 2024-Y all missing
    assert [r[2] for r in rows[1:]] == ["2026-H1", "2025-Y", "2025-H1", "2024-Y"]
    assert ccn.developer.name in out.getvalue()
    call_command("late_reports", "--on", "2026-06-19", "--output", str(tmp_path / "l.xlsx"))
    assert (tmp_path / "l.xlsx").read_bytes()[:2] == b"PK"


def test_transfer_candidates_carry_their_pipeline_stage(ccn, units):
    from planning.services.analysis_runs import analysis_compute

    state = DeveloperFactory(name="Trung tâm PT CCN (test)", kind="state")
    ccn.developer = state
    ccn.save()
    (t,) = analysis_compute("targets", province=units[0]).results["transfer_candidates"]
    assert t["stage"] == "candidate"  # no case opened yet
    buyer = DeveloperFactory(name="Công ty quan tâm (test)")
    m.TransferCase.objects.create(
        area=ccn, from_developer=state, interested_developer=buyer, stage="dossier"
    )
    (t,) = analysis_compute("targets", province=units[0]).results["transfer_candidates"]
    assert (t["area_id"], t["stage"]) == ("CCN-GB", "dossier")
