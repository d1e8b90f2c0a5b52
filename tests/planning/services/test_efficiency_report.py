"""efficiency_report_run on a small factory-made case, against figures computed by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from openpyxl import load_workbook

from planning import models as m
from planning.errors import InvalidParameter
from planning.services.analysis_exports import efficiency_export
from planning.services.analysis_runs import analysis_run
from planning.texts import translate
from tests.conftest import box4326
from tests.factories import DeveloperFactory, IndustrialAreaFactory, square

pytestmark = pytest.mark.django_db
OLD = dict(valid_from=dt.date(1976, 1, 1), valid_to=dt.date(2025, 6, 30), zone_srid=9217)


@pytest.fixture
def case():
    """Province P > district D > communes C1 (west) and C2 (east); three CCN and their data.

    ====  ======  =========  ========  ======  ==========================================
    area  unit    status     leasable  leased  notes
    ====  ======  =========  ========  ======  ==========================================
    A1    C1      operating  35 ha     21 ha   P1 operating (10 ha, 70/35 bn, 350/500 jobs),
                                                P2 revoked (ignored), P3 registered 2024
    A2    C2      operating  30 ha     6 ha    4 clearance parcels, 2 handed over
    A3    C1      planned    20 ha     0 ha    not counted in unit figures
    ====  ======  =========  ========  ======  ==========================================
    """
    p = m.AdminUnit.objects.create(
        code="52",
        name="Bình Định",
        level="province",
        boundary=box4326(108.6, 13.5, 109.4, 14.7),
        **OLD,
    )
    d = m.AdminUnit.objects.create(
        code="520",
        name="Huyện Thử",
        level="district",
        parent=p,
        boundary=box4326(108.9, 13.9, 109.3, 14.2),
        **OLD,
    )
    c1 = m.AdminUnit.objects.create(
        code="52001",
        name="Xã Tây",
        level="commune",
        parent=d,
        boundary=box4326(108.9, 13.9, 109.1, 14.2),
        **OLD,
    )
    c2 = m.AdminUnit.objects.create(
        code="52002",
        name="Xã Đông",
        level="commune",
        parent=d,
        boundary=box4326(109.1, 13.9, 109.3, 14.2),
        **OLD,
    )
    dev = DeveloperFactory(name="Công ty Thử")
    a1 = IndustrialAreaFactory(
        code="CCN-A1",
        name="CCN A1",
        admin_unit=c1,
        boundary=square(109.0, 14.0),
        planned_area_ha=Decimal("50"),
        industrial_land_ha=Decimal("35"),
        leased_land_ha=Decimal("21"),
        developer=dev,
    )
    a2 = IndustrialAreaFactory(
        code="CCN-A2",
        name="CCN A2",
        admin_unit=c2,
        boundary=square(109.2, 14.0),
        planned_area_ha=Decimal("40"),
        industrial_land_ha=Decimal("30"),
        leased_land_ha=Decimal("6"),
        developer=dev,
    )
    a3 = IndustrialAreaFactory(
        code="CCN-A3",
        name="CCN A3",
        admin_unit=c1,
        boundary=square(109.0, 14.1),
        planned_area_ha=Decimal("30"),
        industrial_land_ha=Decimal("20"),
        leased_land_ha=Decimal("0"),
        status="planned",
        established_on=None,
        developer=dev,
    )
    common = dict(investor="Nhà đầu tư", sector="Cơ khí", registered_on=dt.date(2021, 5, 1))
    m.SecondaryProject.objects.create(
        area=a1,
        code="P1",
        name="Nhà máy 1",
        leased_area_ha=Decimal("10"),
        registered_capital_bn_vnd=Decimal("70"),
        disbursed_capital_bn_vnd=Decimal("35"),
        actual_jobs=350,
        planned_jobs=500,
        status="operating",
        operation_actual=dt.date(2022, 6, 1),
        **common,
    )
    m.SecondaryProject.objects.create(
        area=a1,
        code="P2",
        name="Nhà máy 2",
        leased_area_ha=Decimal("5"),
        registered_capital_bn_vnd=Decimal("999"),
        actual_jobs=999,
        status="revoked",
        **common,
    )
    m.SecondaryProject.objects.create(
        area=a1,
        code="P3",
        name="Nhà máy 3",
        leased_area_ha=Decimal("5"),
        registered_capital_bn_vnd=Decimal("35"),
        planned_jobs=100,
        status="registered",
        investor="Nhà đầu tư mới",
        sector="Dệt may",
        registered_on=dt.date(2024, 3, 1),
    )
    parcels = []
    for i, status in enumerate(("handed_over", "handed_over", "compensated", "not_started")):
        parcels.append(
            m.ClearanceParcel.objects.create(
                area=a2,
                map_sheet="1",
                parcel_no=str(i),
                admin_unit=c2,
                land_use="LUC",
                status=status,
                boundary=box4326(109.2 + 0.002 * i, 14.0, 109.202 + 0.002 * i, 14.002),
                handed_over_on=dt.date(2023, 5, 1) if status == "handed_over" else None,
                compensated_on=dt.date(2023, 4, 1) if status == "handed_over" else None,
            )
        )
    m.AnnualReport.objects.create(
        area=a1, year=2024, admin_unit=c1, leased_ha=Decimal("5"), new_projects=1, workers=380
    )
    m.AnnualReport.objects.create(
        area=a1, year=2023, admin_unit=c1, leased_ha=Decimal("4"), workers=350
    )
    return {"p": p, "d": d, "c1": c1, "c2": c2, "a1": a1, "a2": a2, "a3": a3, "parcels": parcels}


def _area(results, code):
    return next(a for a in results["areas"] if a["code"] == code)


def _unit(results, code, kind="CCN"):
    return next(u for u in results["units"] if u["unit"] == code and u["kind"] == kind)


def test_area_figures_match_hand_computation(case):
    run = analysis_run("efficiency", province="52", unit="district")
    a1 = _area(run.results, "CCN-A1")
    assert a1["occupancy"] == pytest.approx(21 / 35)  # 0.6
    assert a1["unleased_ha"] == pytest.approx(14)
    assert a1["leasable_share"] == pytest.approx(35 / 50)
    # P2 is revoked and ignored; P1 and P3 count: (70 + 35) / 35 ha leasable
    assert a1["n_projects"] == 2 and a1["n_operating"] == 1
    assert a1["registered_capital_per_ha"] == pytest.approx(105 / 35)
    assert a1["disbursed_capital_per_ha"] == pytest.approx(35 / 35)
    assert a1["jobs_per_ha"] == pytest.approx(350 / 35)
    assert a1["planned_jobs_per_ha"] == pytest.approx(600 / 35)
    assert a1["build_out"] == pytest.approx(0.5)
    assert a1["expansion"]["passed"] is True  # 60 % ≥ 60 %
    assert (
        a1["commune"] == "Xã Tây"
        and a1["district"] == "Huyện Thử"
        and a1["province"] == "Bình Định"
    )

    a2 = _area(run.results, "CCN-A2")
    sizes = [p.area_m2 / 10_000 for p in case["parcels"]]
    assert a2["occupancy"] == pytest.approx(0.2)
    assert a2["clearance_parcel_ha"] == pytest.approx(sum(sizes))
    assert a2["clearance_handed_over_ha"] == pytest.approx(sizes[0] + sizes[1])
    assert a2["clearance_progress"] == pytest.approx((sizes[0] + sizes[1]) / sum(sizes))
    assert a2["expansion"]["passed"] is False


def test_unit_figures_match_hand_computation(case):
    run = analysis_run("efficiency", province="Bình Định", unit="district")
    d = _unit(run.results, "520")
    # A3 is only planned: not an "existing" cluster. (21 + 6) / (35 + 30)
    assert d["n_counted"] == 2
    assert d["occupancy"] == pytest.approx(27 / 65)
    assert d["mean_occupancy"] == pytest.approx((0.6 + 0.2) / 2)
    assert d["unleased_ha"] == pytest.approx(38)
    assert d["new_area_rule"]["passed"] is True  # 38 ha unleased ≤ 100 ha
    assert d["unit_name"] == "Huyện Thử"
    assert "huyện (cũ) Huyện Thử" in translate(d["new_area_rule"])["message_vi"]
    totals = {t["kind"]: t for t in run.results["totals"]}
    assert totals["CCN"]["leased_ha"] == pytest.approx(27) and totals["CCN"][
        "leasable_ha"
    ] == pytest.approx(65)

    by_commune = analysis_run("efficiency", unit="commune").results
    assert _unit(by_commune, "52001")["occupancy"] == pytest.approx(0.6)
    assert _unit(by_commune, "52002")["occupancy"] == pytest.approx(0.2)
    by_province = analysis_run("efficiency", unit="province").results
    assert _unit(by_province, "52")["occupancy"] == pytest.approx(27 / 65)


def test_a_past_year_is_reconstructed(case):
    run = analysis_run("efficiency", unit="district", year=2023)
    a1 = _area(run.results, "CCN-A1")
    # 5 ha were reported as newly leased in 2024: 21 − 5 = 16 ha leased at the end of 2023
    assert a1["leased_ha"] == pytest.approx(16)
    assert a1["occupancy"] == pytest.approx(16 / 35)
    assert a1["n_projects"] == 1  # P3 registered in 2024
    assert run.results["as_of"] == "2023-12-31" and run.results["notes"]
    years = {y["year"]: y for y in run.results["by_year"]}
    assert years[2024]["leased_ha"] == pytest.approx(5) and years[2023]["workers"] == 350


def test_run_records_parameters_inputs_and_user(case):
    user = get_user_model().objects.create_user("analyst")
    run = analysis_run("efficiency", province="52", unit="commune", year=2024, user=user)
    assert run.status == "done" and run.started_by == user and run.admin_unit == case["p"]
    assert run.params["unit"] == "commune" and run.params["year"] == 2024
    assert run.params["criteria"]["new_ccn_min_occupancy"] == 0.5
    tables = run.input_versions["tables"]
    assert tables["planning.IndustrialArea"]["count"] == 3
    assert tables["planning.ClearanceParcel"]["count"] == 4
    assert tables["planning.IndustrialArea"]["last_change"] is not None  # from the history table
    assert run.duration_s >= 0 and "analysis" in run.timings


def test_csv_and_xlsx_exports_parse(case):
    results = analysis_run("efficiency", province="52").results
    content, ctype, name = efficiency_export(results, "csv")
    assert (
        ctype.startswith("text/csv")
        and name.endswith(".csv")
        and content.startswith(b"\xef\xbb\xbf")
    )
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == ["CCN-A1", "CCN-A2", "CCN-A3"]
    assert float(rows[0]["occupancy"]) == pytest.approx(0.6) and rows[0]["name"] == "CCN A1"
    units = list(
        csv.DictReader(
            io.StringIO(efficiency_export(results, "csv", table="units")[0].decode("utf-8-sig"))
        )
    )
    assert units[0]["unit_name"] == "Huyện Thử"

    content, ctype, name = efficiency_export(results, "xlsx")
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["Khu_cum", "Don_vi", "Theo_nam", "Tham_so"]
    ws = wb["Khu_cum"]
    assert ws["A1"].value == "Mã" and ws["A2"].value == "code"
    header = [c.value for c in ws[2]]
    assert ws.cell(row=3, column=header.index("occupancy") + 1).value == pytest.approx(0.6)
    assert ws.cell(row=3, column=1).value == "CCN-A1"

    with pytest.raises(InvalidParameter):
        efficiency_export(results, "pdf")


def test_bad_parameters_are_refused(case):
    with pytest.raises(InvalidParameter, match="^Tham số 'unit': "):
        analysis_run("efficiency", unit="ward")
    with (
        translation.override("en"),
        pytest.raises(
            InvalidParameter, match="^Parameter 'unit': .*accepted: commune, district, province"
        ),
    ):
        analysis_run("efficiency", unit="ward")
    with (
        translation.override("en"),
        pytest.raises(
            InvalidParameter,
            match="^Parameter 'year': .*a year such as 2024 \\(>= 2000, <= 2100\\)",
        ),
    ):
        analysis_run("efficiency", year=1900)
    with (
        translation.override("en"),
        pytest.raises(
            InvalidParameter, match="^Parameter 'criteria': .*unknown EfficiencyCriteria parameter"
        ),
    ):
        analysis_run("efficiency", criteria={"occupancy": 0.3})
    assert not m.AnalysisRun.objects.exists()
