"""Eco and smart conversion roadmaps on the database: the catalogue, the model's rules, the smart
flag derived from the checklist, and every door (service, command, REST API with CSV/XLSX,
admin, dashboards) showing criteria met of total, the deadline and the overdue flag."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from planning import models as m
from planning.models.eco_catalogue import criteria_seed
from planning.services.analysis_runs import analysis_compute
from planning.texts import translate
from tests.factories import DeveloperFactory, IndustrialAreaFactory, square

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def catalogue(db):
    """The shipped criteria (seeded by migration; a transactional test elsewhere may have
    flushed them)."""
    criteria_seed(m.ConversionCriterion)


@pytest.fixture
def park(binh_dinh):
    _, commune = binh_dinh
    return IndustrialAreaFactory(
        admin_unit=commune,
        boundary=square(109.0, 14.0),
        code="KCN-PT-TEST",
        name="KCN Phú Tài thử",
        kind=m.AreaKind.KCN,
        eco_status=m.IndustrialArea.EcoStatus.CONVERTING,
        developer=DeveloperFactory(name="Công ty Hạ tầng Phú Tài thử"),
    )


def criterion(code: str) -> m.ConversionCriterion:
    return m.ConversionCriterion.objects.get(code=code)


def met(roadmap, code: str, **evidence) -> m.CriterionProgress:
    evidence = evidence or {"evidence_document": "Biên bản 1/2025", "evidence_date": TODAY}
    return m.CriterionProgress.objects.create(
        roadmap=roadmap, criterion=criterion(code), status="met", **evidence
    )


@pytest.fixture
def eco_roadmap(park):
    r = m.ConversionRoadmap.objects.create(
        area=park,
        programme="eco",
        target_year=2026,
        deadline=dt.date(2026, 6, 30),
        document="Cam kết 15/CK-PT",
        document_date=dt.date(2025, 6, 10),
    )
    met(r, "notice-green-energy")
    met(r, "notice-recycling")
    m.CriterionProgress.objects.create(
        roadmap=r, criterion=criterion("notice-symbiosis"), status="in_progress"
    )
    return r


# ---------------------------------------------------------------------------------- catalogue
def test_catalogue_seeded_with_its_basis_and_confirmation():
    eco = m.ConversionCriterion.objects.filter(programme="eco")
    smart = m.ConversionCriterion.objects.filter(programme="smart")
    # The notice's four (symbiosis, green energy, recycling, circular) + cleaner production
    # (Art. 2(5)) + four of Art. 37 + four enterprise thresholds = 13 eco criteria; 5 smart items.
    assert (eco.count(), smart.count()) == (13, 5)
    assert set(eco.filter(basis="notice").values_list("code", flat=True)) == {
        "notice-symbiosis",
        "notice-green-energy",
        "notice-recycling",
        "notice-circular",
    }
    # Enterprise-level numbers of Decree 35 are NOT CONFIRMED (DOMAIN.md §1.3).
    assert set(eco.filter(code__startswith="ent-").values_list("confirmation", flat=True)) == {
        "not_confirmed"
    }
    assert "NOT CONFIRMED" in criterion("ent-recp-applying").citation
    # No official smart-park criteria: the province's working list, an ASSUMPTION.
    assert set(smart.values_list("basis", "confirmation")) == {("province", "assumption")}


def test_the_department_adds_a_criterion_and_it_counts(eco_roadmap):
    assert eco_roadmap.counts() == {"met": 2, "in_progress": 1, "not_started": 10, "total": 13}
    m.ConversionCriterion.objects.create(
        programme="eco",
        code="province-rooftop-solar",
        name_en="Rooftop solar on 30 % of factory roofs",
        name_vi="Điện mặt trời mái nhà trên 30 % mái nhà xưởng",
        basis="province",
        confirmation="assumption",
        citation="Province's own criterion",
    )
    m.ConversionCriterion.objects.create(
        programme="eco",
        code="ccn-only",
        name_en="Only for clusters",
        name_vi="Chỉ cho cụm",
        basis="province",
        confirmation="assumption",
        citation="-",
        applies_to="CCN",
    )
    assert eco_roadmap.counts()["total"] == 14  # the CCN-only criterion does not apply to a KCN


# ---------------------------------------------------------------------------------- model rules
def test_hand_worked_overdue_flag(eco_roadmap, park):
    # Deadline 2026-06-30, today 2026-12-07, converting (not certified) → overdue.
    assert eco_roadmap.is_overdue(TODAY) is True
    assert eco_roadmap.is_overdue(dt.date(2026, 6, 30)) is False
    park.eco_status = m.IndustrialArea.EcoStatus.CERTIFIED
    park.save()
    eco_roadmap.refresh_from_db()
    assert eco_roadmap.is_overdue(TODAY) is False


def test_met_needs_evidence_on_every_door(eco_roadmap):
    c = criterion("notice-circular")
    p = m.CriterionProgress(roadmap=eco_roadmap, criterion=c, status="met")
    with pytest.raises(ValidationError, match="minh chứng"):
        p.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        m.CriterionProgress.objects.bulk_create([p])  # the database refuses bulk writes too
    with transaction.atomic(), pytest.raises(IntegrityError):
        m.CriterionProgress.objects.create(
            roadmap=eco_roadmap, criterion=c, status="met", evidence_document="Văn bản 1"
        )  # a document without a date
    ok = m.CriterionProgress.objects.create(
        roadmap=eco_roadmap,
        criterion=c,
        status="met",
        evidence_description="Trao đổi hơi nước giữa 2 nhà máy",
        evidence_date=TODAY,
    )
    assert ok.pk


def test_a_smart_criterion_is_refused_on_an_eco_roadmap(eco_roadmap):
    with pytest.raises(ValidationError, match="mô hình"):
        m.CriterionProgress.objects.create(
            roadmap=eco_roadmap, criterion=criterion("smart-cameras"), status="in_progress"
        )


def test_deadline_after_the_target_year_is_refused(park):
    r = m.ConversionRoadmap(
        area=park, programme="eco", target_year=2026, deadline=TODAY.replace(2027)
    )
    with pytest.raises(ValidationError, match="năm mục tiêu"):
        r.save()


def test_one_roadmap_per_area_and_programme(eco_roadmap, park):
    dup = m.ConversionRoadmap(area=park, programme="eco", target_year=2030, deadline=TODAY)
    with pytest.raises(ValidationError):
        dup.validate_constraints()


def test_responsible_developer_defaults_to_the_area_developer(eco_roadmap, park):
    assert eco_roadmap.responsible_developer == park.developer
    other = DeveloperFactory(name="Công ty khác")
    eco_roadmap.developer = other
    eco_roadmap.save()
    assert eco_roadmap.responsible_developer == other


# ---------------------------------------------------------------------------------- is_smart
SMART_CODES = ["smart-platform", "smart-metering", "smart-env-monitoring", "smart-cameras"]


def test_is_smart_follows_the_checklist(park):
    park.is_smart = True  # declared before checklists existed: kept while there is none
    park.save()
    park.refresh_from_db()
    assert park.is_smart is True
    r = m.ConversionRoadmap.objects.create(
        area=park, programme="smart", target_year=2028, deadline=dt.date(2028, 12, 31)
    )
    park.refresh_from_db()
    assert park.is_smart is False  # an empty checklist is not complete
    for code in SMART_CODES:
        met(r, code)
    park.refresh_from_db()
    assert park.is_smart is False  # 4 of 5
    last = met(r, "smart-e-services")
    park.refresh_from_db()
    assert park.is_smart is True  # 5 of 5
    assert r.achieved and not r.is_overdue(dt.date(2029, 1, 1))
    # Any door writing the area (admin, WFS-T, import) cannot contradict the checklist.
    park.is_smart = False
    park.save()
    park.refresh_from_db()
    assert park.is_smart is True
    last.delete()
    park.refresh_from_db()
    assert park.is_smart is False


# ---------------------------------------------------------------------------------- service
def _mine(results, code="KCN-PT-TEST"):
    return next(a for a in results["areas"] if a["code"] == code)


def test_eco_readiness_reports_the_roadmaps(eco_roadmap):
    out = analysis_compute("eco-readiness", as_of="2026-12-07")
    r = translate(out.results)
    assert (r["as_of"], r["n_with_roadmap"], r["n_overdue"]) == ("2026-12-07", 1, 1)
    eco = _mine(r)["roadmaps"]["eco"]
    assert (eco["n_met"], eco["n_in_progress"], eco["n_total"]) == (2, 1, 13)
    assert (eco["deadline"], eco["overdue"], eco["days_overdue"]) == ("2026-06-30", True, 160)
    assert eco["developer"] == "Công ty Hạ tầng Phú Tài thử"
    assert eco["document"] == "Cam kết 15/CK-PT"
    by_code = {c["code"]: c for c in eco["criteria"]}
    assert by_code["notice-green-energy"]["evidence_document"] == "Biên bản 1/2025"
    assert by_code["notice-circular"]["status"] == "not_started"
    assert by_code["ent-recp-aware"]["confirmation"] == "not_confirmed"
    assert "planning.ConversionRoadmap" in out.input_versions["tables"]
    # Before the deadline the same roadmap is not overdue.
    early = analysis_compute("eco-readiness", as_of="2026-06-30").results
    assert early["n_overdue"] == 0 and _mine(early)["roadmaps"]["eco"]["days_left"] == 0


def test_command_lists_roadmaps_and_overdue(eco_roadmap):
    out = io.StringIO()
    call_command("eco_readiness", "--as-of", "2026-12-07", stdout=out)
    text = out.getvalue()
    assert "KCN Phú Tài thử" in text and "2/13" in text and "2026-06-30" in text
    assert "160" in text  # the overdue sentence: 160 days past the deadline


# ---------------------------------------------------------------------------------- REST API
def test_api_json_csv_and_xlsx(eco_roadmap):
    api = APIClient()
    r = api.get("/api/v1/eco-readiness/?as_of=2026-12-07")
    assert r.status_code == 200, r.content
    eco = _mine(r.json())["roadmaps"]["eco"]
    assert (eco["n_met"], eco["n_total"], eco["overdue"]) == (2, 13, True)

    r = api.get("/api/v1/eco-readiness/?as_of=2026-12-07&format=csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [(x["code"], x["n_met"], x["n_total"], x["overdue"]) for x in rows] == [
        ("KCN-PT-TEST", "2", "13", "True")
    ]
    r = api.get("/api/v1/eco-readiness/?as_of=2026-12-07&format=csv&table=criteria")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 13
    green = next(x for x in rows if x["criterion"] == "notice-green-energy")
    assert (green["evidence_document"], green["evidence_date"]) == ("Biên bản 1/2025", "2026-12-07")

    r = api.get("/api/v1/eco-readiness/?as_of=2026-12-07&format=xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Lo_trinh", "Tieu_chi", "San_sang", "Tham_so"]
    sheet = wb["Lo_trinh"]
    keys = [c.value for c in sheet[2]]
    row = dict(zip(keys, [c.value for c in sheet[3]], strict=True))
    assert (row["n_met"], row["n_total"], row["overdue"], row["days_overdue"]) == (2, 13, True, 160)


# ---------------------------------------------------------------------------------- admin
def test_admin_pages_show_counts_and_overdue(admin_client, eco_roadmap, park):
    page = admin_client.get("/admin/planning/conversionroadmap/").content.decode()
    assert "2/13" in page and "KCN Phú Tài thử" in page
    page = admin_client.get(f"/admin/planning/conversionroadmap/{eco_roadmap.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Biên bản 1/2025" in html and "2/13" in html
    # The criteria offered on an eco roadmap are the eco ones only.
    form = page.context["inline_admin_formsets"][0].formset.empty_form
    assert set(form.fields["criterion"].queryset.values_list("programme", flat=True)) == {"eco"}
    page = admin_client.get(f"/admin/planning/industrialarea/{park.pk}/change/").content.decode()
    assert "conversion_roadmaps-TOTAL_FORMS" in page and "2/13" in page
    assert admin_client.get("/admin/planning/conversioncriterion/").status_code == 200


def test_admin_refuses_met_without_evidence(admin_client, eco_roadmap):
    url = f"/admin/planning/conversionroadmap/{eco_roadmap.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "area": eco_roadmap.area_id,
            "deadline": "2026-06-30",
            "document_date": "2025-06-10",
            "criteria-TOTAL_FORMS": 4,
            "criteria-INITIAL_FORMS": 3,
        }
    )
    data.pop("developer", None)
    data.pop("document_file", None)
    for i, p in enumerate(eco_roadmap.criteria.order_by("pk")):
        data.update(
            {
                f"criteria-{i}-id": p.pk,
                f"criteria-{i}-roadmap": eco_roadmap.pk,
                f"criteria-{i}-criterion": p.criterion_id,
                f"criteria-{i}-status": p.status,
                f"criteria-{i}-evidence_document": p.evidence_document,
                f"criteria-{i}-evidence_date": p.evidence_date.isoformat()
                if p.evidence_date
                else "",
            }
        )
    data.update(
        {
            "criteria-3-roadmap": eco_roadmap.pk,
            "criteria-3-criterion": criterion("notice-circular").pk,
            "criteria-3-status": "met",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200  # shown again with the error
    assert "Tiêu chí chỉ được ghi là đạt khi có minh chứng" in response.content.decode()
    assert not eco_roadmap.criteria.filter(criterion__code="notice-circular").exists()


# ---------------------------------------------------------------------------------- dashboards
def test_dashboards_show_roadmaps_and_overdue(client, eco_roadmap, park, binh_dinh):
    province, _ = binh_dinh
    html = client.get(reverse("web:dashboard_area", args=[park.pk])).content.decode()
    assert 'id="kcn-dash-roadmap-eco"' in html and 'data-overdue="true"' in html
    assert "Biên bản 1/2025" in html  # the evidence, in the criteria table

    html = client.get(reverse("web:dashboard_province", args=[province.pk])).content.decode()
    assert 'id="fig-conversion-overdue"' in html
    assert 'id="table-conversion"' in html and "2/13" in html


# ---------------------------------------------------------------------------------- demo
def test_demo_roadmaps_of_the_parks_named_in_the_notice(db):
    from planning.services.demo import demo_load

    demo_load()
    r = analysis_compute("eco-readiness", as_of="2026-12-07").results
    areas = {a["code"]: a for a in r["areas"]}
    for code in ("KCN-PHUTAI", "KCN-HOAHOI", "KCN-BECAMEX", "KCN-PHUMY"):
        assert set(areas[code]["roadmaps"]) == {"eco", "smart"}, code
        assert all(v["is_synthetic"] for v in areas[code]["roadmaps"].values())
    phu_tai = areas["KCN-PHUTAI"]["roadmaps"]["eco"]
    assert (phu_tai["deadline"], phu_tai["overdue"], phu_tai["n_met"]) == ("2026-06-30", True, 3)
    becamex = m.IndustrialArea.objects.get(code="KCN-BECAMEX")
    assert becamex.is_smart is True  # declared smart in the demo; its checklist is complete
    assert areas["KCN-BECAMEX"]["smart_basis"] == "checklist"


def test_api_lists_the_criteria_catalogue():
    api = APIClient()
    r = api.get("/api/v1/conversion-criteria/")
    assert r.status_code == 200 and r.json()["count"] == 18  # 13 eco + 5 smart
    smart = api.get("/api/v1/conversion-criteria/?programme=smart").json()["criteria"]
    assert {c["confirmation"] for c in smart} == {"assumption"}
    assert smart[0]["confirmation_label"] == "GIẢ ĐỊNH"  # the request's language (Vietnamese)
    listed = {e["name"] for e in api.get("/api/v1/").json()["endpoints"]}
    assert "conversion-criteria" in listed


def test_roadmaps_and_evidence_keep_their_history(eco_roadmap):
    p = eco_roadmap.criteria.get(criterion__code="notice-symbiosis")
    p.status = "met"
    p.evidence_document = "Thỏa thuận cộng sinh 3/2026"
    p.evidence_date = TODAY
    p.save()
    versions = list(p.history.order_by("history_date").values_list("status", flat=True))
    assert versions == ["in_progress", "met"]
    eco_roadmap.deadline = dt.date(2026, 12, 31)
    eco_roadmap.save()
    assert [h.deadline for h in eco_roadmap.history.order_by("history_date")] == [
        dt.date(2026, 6, 30),
        dt.date(2026, 12, 31),
    ]


def test_met_contradicted_by_the_recorded_figures_is_a_conflict(client, eco_roadmap, park):
    # The park's infrastructure is recorded at 0 % built (the factory's defaults), so "basic
    # services provided" declared met (with evidence) contradicts the figures.
    met(eco_roadmap, "d35-basic-services")
    r = analysis_compute("eco-readiness", as_of="2026-12-07").results
    eco = _mine(r)["roadmaps"]["eco"]
    assert eco["n_conflicts"] == 1
    by_code = {c["code"]: c for c in eco["criteria"]}
    assert by_code["d35-basic-services"]["conflict"] is True
    assert by_code["d35-basic-services"]["measured_met"] is False
    assert by_code["notice-green-energy"]["measured_met"] is None  # not measured by figures
    html = client.get(reverse("web:dashboard_area", args=[park.pk])).content.decode()
    assert "khai báo đạt, nhưng số liệu ghi nhận cho thấy" in html
    out = io.StringIO()
    call_command("eco_readiness", "--as-of", "2026-12-07", stdout=out)
    assert "khai báo đạt, nhưng số liệu ghi nhận cho thấy" in out.getvalue()
