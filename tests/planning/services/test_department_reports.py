"""The departments' reports on the demo province, through every door: the services, the files
(XLSX opened with openpyxl, PDF read back with pypdf), the API, the commands and the dashboard."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from planning.services.department_reports import (
    fence_cost_report,
    fence_cost_xlsx,
    labour_report,
    labour_report_pdf,
    labour_report_xlsx,
    lease_price_export,
    lease_price_report,
)
from tests.planning.services.demo_case import DemoTestCase


def _book(content: bytes):
    return load_workbook(io.BytesIO(content))


class DepartmentReportTests(DemoTestCase):
    # ---- infrastructure to the fence (Department of Finance) -----------------------------------
    def test_every_costed_connector_is_its_length_times_the_unit_cost(self):
        r = fence_cost_report(province="52")
        costed = [x for a in r["areas"] for x in a["connectors"] if x["cost_bn_vnd"] is not None]
        self.assertTrue(costed)
        unit = {"road": 25.0, "power": 2.5, "water": 4.0}  # the ASSUMPTION defaults
        for x in costed:
            self.assertFalse(x["connected"])
            # e.g. a 0.4324 km road connector × 25 bn VND/km = 10.81 bn VND; the length is shown
            # to the metre (0.432 km), so the product differs by up to 0.5 m × the unit cost
            self.assertAlmostEqual(
                x["cost_bn_vnd"],
                x["length_km"] * unit[x["network"]],
                delta=0.0005 * unit[x["network"]] + 0.005,
            )
        for a in r["areas"]:
            self.assertAlmostEqual(
                a["total_cost_bn_vnd"], sum(x["cost_bn_vnd"] or 0 for x in a["connectors"]), 2
            )
        self.assertAlmostEqual(
            r["totals"]["cost_bn_vnd"], sum(a["total_cost_bn_vnd"] for a in r["areas"]), 2
        )
        self.assertTrue(
            r["unit_cost_source"].startswith("ASSUMPTION") or "GIẢ ĐỊNH" in r["unit_cost_source"]
        )

    def test_unit_costs_from_the_settings_and_the_request(self):
        base = fence_cost_report(province="52")
        with override_settings(PLANNING_FENCE_COSTS={"road_bn_vnd_per_km": 50.0}):
            doubled = fence_cost_report(province="52")
            tripled = fence_cost_report(province="52", costs={"road_bn_vnd_per_km": 75.0})

        def road(report):
            return [
                x["cost_bn_vnd"]
                for a in report["areas"]
                for x in a["connectors"]
                if x["network"] == "road" and x["cost_bn_vnd"] is not None
            ]

        self.assertTrue(road(base))
        # each cost is rounded to 0.01 from the length, not from the rounded base cost
        for factor, report in ((2, doubled), (3, tripled)):
            for got, one in zip(road(report), road(base), strict=True):
                self.assertAlmostEqual(got, factor * one, delta=0.005 * factor + 0.001)
        self.assertEqual(doubled["unit_costs_bn_vnd_per_km"]["road"], 50.0)

    def test_missing_wastewater_capacity_of_a_park_with_leased_land(self):
        from planning import models as m

        r = fence_cost_report(province="52")
        for a in r["areas"]:
            area = m.IndustrialArea.objects.get(code=a["area_id"])
            ww = a["wastewater"]
            # demand = leased ha × 30 m³/ha/day; missing = demand − capacity of an operating plant
            self.assertAlmostEqual(ww["demand_m3_day"], float(area.leased_land_ha) * 30, delta=0.05)
            cap = (area.wwtp_capacity_m3_day or 0) if area.wwtp_operating else 0
            self.assertAlmostEqual(
                ww["missing_m3_day"], max(0.0, ww["demand_m3_day"] - cap), delta=0.05
            )

    def test_substation_load_of_the_parks_nearest_to_it(self):
        from planning import models as m

        r = fence_cost_report(province="52")
        self.assertTrue(r["substations"])
        for sub in r["substations"]:
            members = m.IndustrialArea.objects.filter(code__in=sub["areas"])
            # demand = leasable ha × 300 kVA/ha ÷ 1000 (MVA), summed over the parks nearest to it
            demand = sum(float(a.industrial_land_ha) for a in members) * 0.3
            self.assertAlmostEqual(sub["demand_mva"], demand, delta=0.01)
            if sub["capacity_mva"] is not None:
                self.assertEqual(
                    sub["missing_mva"], round(max(0.0, sub["demand_mva"] - sub["capacity_mva"]), 2)
                )
        named = {a["substation"]["name"] for a in r["areas"] if a["substation"]}
        self.assertEqual(named, {x["name"] for x in r["substations"]})

    def test_department_of_finance_workbook_cell_by_cell(self):
        with translation.override("en"):  # the reader's language: headers stay Vietnamese first
            r = fence_cost_report(province="52")
            content, ctype, name = fence_cost_xlsx(r)
        self.assertTrue(name.startswith("ha_tang_chan_hang_rao_binh_dinh_"))
        self.assertIn("spreadsheetml", ctype)
        book = _book(content)
        names = book.sheetnames
        self.assertEqual(names[0], "Tong_hop")
        self.assertEqual(names[-1], "Gia_dinh")
        self.assertEqual(names[1], "Tram_bien_ap")
        self.assertEqual(names[2:-1], [str(a["area_id"]) for a in r["areas"]])  # a sheet per park
        ws = book["Tong_hop"]
        self.assertEqual(ws["A1"].value, "Mã")
        self.assertEqual(ws["B1"].value, "Khu / cụm công nghiệp")
        self.assertEqual(ws["E1"].value, "Tuyến đường: khoảng cách (km)")
        self.assertEqual(ws["K1"].value, "Ước tính kinh phí đến chân hàng rào (tỷ đồng)")
        self.assertEqual(
            [c.value for c in ws[2]][:5], ["area_id", "area_name", "kind", "status", "road_km"]
        )
        for i, a in enumerate(r["areas"], start=3):
            self.assertEqual(ws.cell(i, 1).value, a["area_id"])
            self.assertEqual(ws.cell(i, 11).value, a["total_cost_bn_vnd"])
            self.assertEqual(ws.cell(i, 14).value, a["wastewater"]["missing_m3_day"])
        total = ws.cell(len(r["areas"]) + 3, 11).value
        self.assertEqual(total, r["totals"]["cost_bn_vnd"])
        self.assertEqual(ws.cell(len(r["areas"]) + 3, 2).value, "Tổng cộng")
        # one park's sheet: its connectors, Vietnamese headers
        a = next(a for a in r["areas"] if a["total_cost_bn_vnd"] > 0)
        sheet = book[str(a["area_id"])]
        self.assertEqual(sheet["A1"].value, "Mạng lưới")
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        self.assertEqual(len(rows), len(a["connectors"]))
        for row, x in zip(rows, a["connectors"], strict=True):
            self.assertEqual(row[2], x["length_km"])
            self.assertEqual(row[5], x["cost_bn_vnd"])
        # the assumptions sheet names the unit costs and says they are assumptions
        about = [r_ for r_ in book["Gia_dinh"].iter_rows(values_only=True)]
        road = next(row for row in about if row[0] == "Tuyến đường")
        self.assertEqual(road[1], 25)
        self.assertIn("GIẢ ĐỊNH", road[2])

    # ---- labour (Department of Home Affairs) --------------------------------------------------
    def test_labour_report_working_age_planned_jobs_gap(self):
        from planning import models as m

        r = labour_report(province="94", distances_m=[5000, 10000])
        (p,) = r["provinces"]
        self.assertEqual(r["criteria"], {"working_age_share": 0.599, "jobs_per_ha": 73.0})
        for a in p["areas"]:
            area = m.IndustrialArea.objects.get(code=a["area_id"])
            free = float(area.industrial_land_ha) - float(area.leased_land_ha)
            self.assertEqual(a["land_jobs"], round(free * 73))
            self.assertEqual(a["planned_jobs"], a["project_jobs"] + a["land_jobs"])
            for ring in a["rings"]:
                self.assertEqual(ring["working_age"], round(ring["population"] * 0.599))
                self.assertEqual(ring["gap"], a["planned_jobs"] - ring["working_age"])
        self.assertEqual(p["planned_jobs"], sum(a["planned_jobs"] for a in p["areas"]))
        bigger = labour_report(province="94", distances_m=[5000], criteria={"jobs_per_ha": 100})
        self.assertGreater(bigger["provinces"][0]["planned_jobs"], p["planned_jobs"])

    def test_labour_workbook_and_pdf(self):
        with translation.override("en"):  # the workbook's headers are Vietnamese first
            r = labour_report(province="94", distances_m=[5000])
            content, _ctype, _name = labour_report_xlsx(r)
        with translation.override("vi"):
            pdf = labour_report_pdf(r)
        book = _book(content)
        self.assertEqual(book.sheetnames, ["Tinh", "Khu_cum", "Gia_dinh"])
        ws = book["Tinh"]
        self.assertEqual(ws["D1"].value, "Dân số trong độ tuổi lao động")
        ring = r["provinces"][0]["union_rings"][0]
        self.assertEqual(
            [c.value for c in ws[3]][:6],
            [
                "Sóc Trăng",
                5,
                ring["population"],
                ring["working_age"],
                r["provinces"][0]["planned_jobs"],
                ring["gap"],
            ],
        )
        self.assertEqual(ws.max_row - 2, 1)
        self.assertEqual(book["Khu_cum"].max_row - 2, len(r["provinces"][0]["areas"]))
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        self.assertIn("Sở Nội vụ", text)
        self.assertIn("GIẢ ĐỊNH", text)
        self.assertIn("binhdinh.gov.vn/dan-so-lao-dong", text)
        self.assertIn(r["provinces"][0]["areas"][0]["area_id"], text)  # names wrap in cells

    # ---- lease prices ------------------------------------------------------------------------
    def test_lease_prices_of_binh_dinh(self):
        r = lease_price_report(province="52")
        groups = {(g["scope"], g["kind"]): g for g in (*r["province_groups"], *r["region_groups"])}
        # KCN prices of the demo: 32, 38, 40, 45, 48, 50, 85 → median 45, min 32, max 85
        kcn = groups[("province", "KCN")]
        self.assertEqual(
            (kcn["n"], kcn["median"], kcn["minimum"], kcn["maximum"]), (7, 45.0, 32.0, 85.0)
        )
        # CCN: 10, 12, 12, 14, 15, 15, 15, 18, 20, 22, 22, 24, 25 → median 15
        self.assertEqual(groups[("province", "CCN")]["median"], 15.0)
        self.assertEqual(groups[("region", "KCN")]["key"], "central_coast")
        # every demo price is synthetic, and the output says so
        self.assertEqual((r["n_prices"], r["n_synthetic"]), (20, 20))
        self.assertTrue(any("synthetic" in n or "minh họa" in n for n in r["notes"]))
        becamex = next(p for p in r["parks"] if p["area_id"] == "KCN-BECAMEX")
        # 85 vs 45: (85 − 45) / 45 = +0.8889, the dearest of 7
        self.assertEqual((becamex["rank"], becamex["vs_province_median"]), (7, 0.8889))

    def test_lease_prices_of_soc_trang_are_in_the_mekong_delta(self):
        r = lease_price_report(province="Sóc Trăng")
        self.assertTrue(r["parks"])
        self.assertEqual({p["region"] for p in r["parks"]}, {"mekong"})

    def test_lease_price_files(self):
        with translation.override("vi"):
            r = lease_price_report(province="52")
            csv, _t, name = lease_price_export(r, "csv")
            xlsx, _t2, _n2 = lease_price_export(r, "xlsx")
        lines = csv.decode("utf-8-sig").splitlines()
        self.assertTrue(lines[0].startswith("Mã,Khu / cụm công nghiệp,"))
        self.assertEqual(len(lines) - 1, 20)
        ws = _book(xlsx)["Gia_thue"]
        for i, p in enumerate(r["parks"], start=3):
            self.assertEqual(ws.cell(i, 1).value, p["area_id"])
            self.assertEqual(ws.cell(i, 5).value, p["price"])
            self.assertEqual(ws.cell(i, 9).value, p["vs_province_median"])
            self.assertEqual(ws.cell(i, 12).value, "có")

    # ---- doors ---------------------------------------------------------------------------------
    def test_api(self):
        api = APIClient()
        api.force_authenticate(self.planner)
        res = api.get("/api/v1/infrastructure-costs/", {"province": "52"})
        self.assertEqual(res.status_code, 200, res.content)
        body = res.json()
        self.assertIn("totals", body)
        gaps = [g for a in body["areas"] for g in a["gaps"]]
        self.assertTrue(gaps and all(isinstance(g, str) for g in gaps))  # texts, not msgids
        res = api.get(
            "/api/v1/infrastructure-costs/",
            {"province": "52", "format": "xlsx", "road_bn_vnd_per_km": "30"},
        )
        self.assertEqual(res.status_code, 200)
        self.assertEqual(_book(res.content)["Gia_dinh"]["B9"].value, 30)
        res = api.get("/api/v1/labour-report/", {"province": "94", "format": "pdf"})
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res["Content-Type"], "application/pdf")
        res = api.get(
            "/api/v1/labour-report/",
            {"province": "94", "distances_m": "5000", "working_age_share": "0.5"},
        )
        self.assertEqual(res.status_code, 200, res.content)
        ring = res.json()["provinces"][0]["union_rings"]
        self.assertEqual([x["distance_m"] for x in ring], [5000.0])
        self.assertEqual(ring[0]["working_age"], round(ring[0]["population"] * 0.5))
        res = api.get("/api/v1/labour-report/", {"province": "94", "working_age_share": "2"})
        self.assertEqual(res.status_code, 400)
        res = api.get("/api/v1/lease-prices/", {"province": "52", "format": "csv"})
        self.assertEqual(res.status_code, 200)
        # without a province: every park against its own province
        every = APIClient().get("/api/v1/lease-prices/").json()
        self.assertEqual(every["n_prices"], 25)  # 20 in Bình Định, 5 in Sóc Trăng
        self.assertEqual({g["key"] for g in every["province_groups"]}, {"52", "94"})
        # an anonymous caller reads no infrastructure lines: no cost report either
        anon = APIClient().get("/api/v1/infrastructure-costs/", {"province": "52"})
        self.assertIn(anon.status_code, (401, 403))

    def test_commands(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = io.StringIO()
            call_command(
                "infrastructure_costs",
                province="52",
                xlsx=f"{tmp}/dof.xlsx",
                cost=["road_bn_vnd_per_km=25"],
                lang="en",
                stdout=out,
            )
            self.assertIn("bn VND estimated", out.getvalue())
            self.assertEqual(
                _book(Path(f"{tmp}/dof.xlsx").read_bytes())["Tong_hop"]["A1"].value, "Mã"
            )
            call_command(
                "labour_report",
                province="94",
                xlsx=f"{tmp}/l.xlsx",
                pdf=f"{tmp}/l.pdf",
                distances="5",
                stdout=io.StringIO(),
            )
            self.assertTrue(Path(f"{tmp}/l.pdf").read_bytes().startswith(b"%PDF"))
            out = io.StringIO()
            call_command("lease_prices", province="52", csv=f"{tmp}/p.csv", lang="en", stdout=out)
            self.assertIn("KCN Becamex VSIP Bình Định", out.getvalue())
            self.assertIn("synthetic", out.getvalue())

    def test_dashboard(self):
        self.client.force_login(self.planner)
        page = self.client.get(reverse("web:dashboard_province", args=[self.province_bd.pk]))
        html = page.content.decode()
        self.assertIn('id="report-infrastructure-costs"', html)
        self.assertIn('id="report-labour-pdf"', html)
        self.assertIn('id="table-lease_prices"', html)
        res = self.client.get(
            reverse("web:dashboard_infrastructure_costs", args=[self.province_bd.pk])
        )
        self.assertEqual(res.status_code, 200)
        self.assertEqual(_book(res.content).sheetnames[0], "Tong_hop")
        res = self.client.get(
            reverse("web:dashboard_labour_report", args=[self.province_st.pk, "pdf"])
        )
        self.assertTrue(res.content.startswith(b"%PDF"))
        res = self.client.get(
            reverse(
                "web:dashboard_province_download", args=[self.province_bd.pk, "lease_prices", "csv"]
            )
        )
        self.assertEqual(res.status_code, 200)
        self.assertIn("KCN Becamex", res.content.decode("utf-8-sig"))
        # anonymous: the lease prices, not the staff reports
        self.client.logout()
        html = self.client.get(
            reverse("web:dashboard_province", args=[self.province_bd.pk])
        ).content.decode()
        self.assertIn('id="table-lease_prices"', html)
        self.assertNotIn('id="report-infrastructure-costs"', html)
        res = self.client.get(
            reverse("web:dashboard_infrastructure_costs", args=[self.province_bd.pk])
        )
        self.assertEqual(res.status_code, 403)
