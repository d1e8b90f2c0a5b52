"""The provincial plan as data (issue 13 §1) and establishment condition 1 (§2), on the demo.

Expected figures are those of the sources, by hand:

* Sóc Trăng (decision 995/QĐ-TTg; article of 12 Feb 2025, ``../shared/sources/003_…``):
  10 KCN, 4,334 ha — established An Nghiệp 243 + Trần Đề 160 = 403 ha; 18 CCN, 983.6 ha —
  established Ngã Năm 28 + Xây Đá B 53.9 + An Lạc Thôn 1 38.5 + An Lạc Thôn 2 40 + Xây Đá B
  mới 42.1 = 202.5 ha.
* Bình Định (decision 1619/QĐ-TTg; DOMAIN §6.1): 15 KCN ≈ 6,714 ha, 68 CCN ≈ 3,470 ha; the
  (illustrative) amendment adds CCN Bình Thành, 75 ha: 67 CCN, 3,395 ha before it.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase
from openpyxl import load_workbook
from rest_framework.test import APIClient

from planning import models as m
from planning.services.analysis_runs import analysis_run
from planning.services.proposal_validation import proposal_check
from planning.texts import translate

ST_DECISION = "995/QĐ-TTg, 2023-08-25, Thủ tướng Chính phủ"
BD_DECISION = "1619/QĐ-TTg, 2023-12-14, Thủ tướng Chính phủ"


def _rows(province: str | None) -> dict:
    run = analysis_run("plan-vs-actual", **({"province": province} if province else {}))
    return translate(run.results)


def _row(results: dict, province: str, kind: str) -> dict:
    return next(r for r in results["rows"] if r["province"] == province and r["kind"] == kind)


def _figures(r: dict) -> tuple:
    return (
        r["planned_count"],
        round(r["planned_ha"], 2),
        r["established_count"],
        round(r["established_ha"], 2),
    )


class PlanOnDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from planning.services.demo import demo_load

        demo_load()
        cls.st = m.AdminUnit.objects.get(code="94", level="province")
        cls.bd = m.AdminUnit.objects.get(code="52", level="province")

    # --- the data ------------------------------------------------------------------------------
    def test_demo_plans_carry_their_decisions_and_links(self):
        st = m.ProvincialPlan.objects.get(code="QHT-ST-2021-2030")
        self.assertEqual(
            (st.province, st.period_start, st.period_end, st.vision_year),
            (self.st, 2021, 2030, 2050),
        )
        self.assertEqual(st.decision, ST_DECISION)
        linked = set(
            st.entries.filter(kind="CCN", area__isnull=False).values_list("area__code", flat=True)
        )
        self.assertEqual(
            linked,
            {"CCN-NGANAM", "CCN-XAYDAB", "CCN-ANLACTHON1", "CCN-ANLACTHON2", "CCN-XAYDABMOI"},
        )
        # the six KCN still in zoning are planned entries without an area record
        zoning = st.entries.filter(kind="KCN", area__isnull=True)
        self.assertEqual(
            sorted(zoning.values_list("name", flat=True)),
            sorted(
                [
                    "KCN Đại Ngãi 2",
                    "KCN Trần Đề 2",
                    "KCN Khánh Hòa",
                    "Khu công nghiệp – đô thị – dịch vụ Phú Mỹ",
                    "Khu công nghiệp – đô thị – dịch vụ Trần Đề",
                    "KCN An Nghiệp (mở rộng)",
                ]
            ),
        )
        self.assertEqual(
            set(zoning.filter(kcn_type="urban_service").values_list("code", flat=True)),
            {"QHST-KCN-DTDV-PHUMY", "QHST-KCN-DTDV-TRANDE"},
        )
        expansion = st.entries.get(code="QHST-KCN-ANNGHIEP-MR")
        self.assertEqual(expansion.expands.area.code, "KCN-ANNGHIEP")
        # an indicative boundary of 169 ha, measured in Sóc Trăng's zone (EPSG:9209)
        self.assertEqual(expansion.metric_srid, 9209)
        self.assertAlmostEqual(expansion.geometry_area_ha, 169, delta=0.5)
        bd = m.ProvincialPlan.objects.get(code="QHT-BD-2021-2030")
        becamex = bd.entries.get(area__code="KCN-BECAMEX")
        self.assertEqual(becamex.economic_zone.name, "Khu kinh tế Nhơn Hội")
        # Becamex 1,000 ha in phases of at most 500 ha: 230 (2024) + 400 + 370
        self.assertEqual([float(p.area_ha) for p in becamex.phases.all()], [230.0, 400.0, 370.0])
        self.assertEqual(
            set(
                m.EconomicZone.objects.get(code="KKT-NHONHOI").plan_entries.values_list(
                    "area__code", flat=True
                )
            ),
            {"KCN-BECAMEX", "KCN-NHONHOI-A", "KCN-NHONHOI-B", "KCN-NHONHOI-C"},
        )
        amendment = bd.amendments.get()
        self.assertTrue(amendment.decision_unsourced and amendment.is_synthetic)
        self.assertIn("chưa có nguồn xác nhận", amendment.decision)

    def test_plan_decision_follows_the_plan(self):
        st = m.ProvincialPlan.objects.get(code="QHT-ST-2021-2030")
        st.decision_number = "995/QĐ-TTg-X"
        st.save()
        self.assertEqual(set(st.entries.values_list("plan_decision", flat=True)), {st.decision})
        self.assertTrue(st.decision.startswith("995/QĐ-TTg-X, 2023-08-25"))

    def test_entry_rules(self):
        st = m.ProvincialPlan.objects.get(code="QHT-ST-2021-2030")
        bd = m.ProvincialPlan.objects.get(code="QHT-BD-2021-2030")
        xaydab = m.IndustrialArea.objects.get(code="CCN-XAYDAB")
        cases = {
            "area": dict(kind="KCN", area=xaydab),  # a KCN entry linked to a CCN record
            "kcn_type": dict(kind="CCN", kcn_type="high_tech"),
            "added_by": dict(kind="CCN", added_by=bd.amendments.get()),  # another plan's
        }
        for field, values in cases.items():
            with self.subTest(field=field):
                e = m.PlanEntry(plan=st, code="T-1", name="T", planned_area_ha=10, **values)
                with self.assertRaises(ValidationError) as ctx:
                    e.full_clean()
                self.assertIn(field, ctx.exception.message_dict)

    # --- plan versus actual ---------------------------------------------------------------------
    def test_soc_trang_plan_vs_actual_reproduces_the_article(self):
        r = _rows("94")
        kcn, ccn = _row(r, "Sóc Trăng", "KCN"), _row(r, "Sóc Trăng", "CCN")
        self.assertEqual(_figures(kcn), (10, 4334.0, 2, 403.0))
        self.assertEqual(_figures(ccn), (18, 983.6, 5, 202.5))
        self.assertEqual((kcn["basis"], kcn["plan"]), ("plan", ST_DECISION))
        # operating: An Nghiệp (243 ha) of the KCN
        self.assertEqual((kcn["operating_count"], kcn["operating_ha"]), (1, 243.0))
        # occupancy = leased ÷ leasable of the two established parks, as stored
        areas = m.IndustrialArea.objects.filter(code__in=["KCN-ANNGHIEP", "KCN-TRANDE"])
        leased = sum(float(a.leased_land_ha) for a in areas)
        leasable = sum(float(a.industrial_land_ha) for a in areas)
        self.assertAlmostEqual(kcn["occupancy"], leased / leasable, places=6)
        self.assertIn("quy hoạch tỉnh (995/QĐ-TTg", kcn["summary_vi"])
        self.assertEqual(r["provinces_without_plan"], [])
        self.assertEqual([(s["step"], s["planned_count"]) for s in r["steps"]], [(0, 10), (0, 18)])

    def test_binh_dinh_plan_vs_actual_and_its_amendment(self):
        r = _rows("52")
        kcn, ccn = _row(r, "Bình Định", "KCN"), _row(r, "Bình Định", "CCN")
        self.assertEqual(_figures(kcn)[:2], (15, 6714.0))
        self.assertEqual(_figures(ccn)[:2], (68, 3470.0))
        # established: the area records of established status linked to the plan
        est = m.IndustrialArea.objects.filter(
            province_name_reported="Bình Định",
            status__in=["established", "clearing", "building", "operating"],
        )
        for row, kind in ((kcn, "KCN"), (ccn, "CCN")):
            mine = est.filter(kind=kind)
            self.assertEqual(row["established_count"], mine.count())
            self.assertAlmostEqual(
                row["established_ha"], float(sum(a.planned_area_ha for a in mine)), places=3
            )
        ccn_steps = [
            (s["step"], s["planned_count"], s["planned_ha"], s["change_count"], s["change_ha"])
            for s in r["steps"]
            if s["kind"] == "CCN"
        ]
        # 3,470 − 75 = 3,395 ha before the amendment that added Bình Thành
        self.assertEqual(ccn_steps, [(0, 67, 3395.0, 0, 0.0), (1, 68, 3470.0, 1, 75.0)])

    def test_the_merged_province_reads_its_predecessors_plan(self):
        can_tho = m.AdminUnit.objects.get(level="province", name="Cần Thơ", valid_to__isnull=True)
        r = _rows(can_tho.code)
        self.assertEqual(_figures(_row(r, "Sóc Trăng", "KCN")), (10, 4334.0, 2, 403.0))

    def test_a_province_without_plan_is_counted_from_its_records(self):
        m.ProvincialPlan.objects.filter(code="QHT-BD-2021-2030").delete()
        r = _rows(None)
        bd = _row(r, "Bình Định", "KCN")
        records = m.IndustrialArea.objects.filter(province_name_reported="Bình Định", kind="KCN")
        self.assertEqual(bd["basis"], "records")
        self.assertEqual(bd["planned_count"], records.exclude(status="revoked").count())
        self.assertIn("Chưa có quy hoạch tỉnh được ghi nhận", bd["summary_vi"])
        self.assertEqual(r["provinces_without_plan"], ["Bình Định"])
        self.assertEqual(_row(r, "Sóc Trăng", "KCN")["basis"], "plan")
        self.assertEqual(_row(r, "Tổng cộng", "KCN")["basis"], "mixed")

    def test_command_prints_and_writes_xlsx(self):
        out = io.StringIO()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "pva.xlsx"
            call_command(
                "plan_vs_actual",
                "--province",
                "52",
                "--xlsx",
                str(path),
                "--lang",
                "en",
                stdout=out,
                stderr=io.StringIO(),
            )
            wb = load_workbook(path)
            self.assertEqual(wb.sheetnames, ["Plan versus actual", "By plan amendment"])
            rows = list(wb["Plan versus actual"].iter_rows(values_only=True))
            header, data = rows[0], rows[1:]
            got = {
                r[header.index("Type")]: (
                    r[header.index("In the plan")],
                    r[header.index("Planned (ha)")],
                )
                for r in data
            }
            self.assertEqual(got, {"KCN": (15, 6714), "CCN": (68, 3470)})
            self.assertEqual(
                {r[header.index("Counted from")] for r in data}, {"the provincial plan"}
            )
            steps = list(wb["By plan amendment"].iter_rows(values_only=True))
            self.assertEqual(len(steps), 1 + 4)  # header + (KCN, CCN) × (decision, amendment 1)
        text = out.getvalue()
        self.assertIn("Plan vs actual — Bình Định", text)
        self.assertIn("By plan amendment", text)
        self.assertIn("the provincial plan", text)

    def test_api(self):
        api = APIClient()
        plans = api.get("/api/v1/plans/").json()
        self.assertEqual([p["code"] for p in plans], ["QHT-BD-2021-2030", "QHT-ST-2021-2030"])
        st = api.get("/api/v1/plans/QHT-ST-2021-2030/").json()
        self.assertEqual(st["decision"], ST_DECISION)
        self.assertEqual(len(st["entries"]), 29)  # 11 KCN entries (10 parks + expansion), 18 CCN
        self.assertEqual(
            round(sum(e["planned_area_ha"] for e in st["entries"] if e["kind"] == "KCN"), 2), 4334
        )
        self.assertEqual(api.get("/api/v1/plans/NOPE/").status_code, 404)
        pva = api.get("/api/v1/plan-vs-actual/?province=94").json()
        kcn = _row(pva, "Sóc Trăng", "KCN")
        self.assertEqual(_figures(kcn), (10, 4334.0, 2, 403.0))

    def test_area_page_names_the_plan_entry_it_carries_out(self):
        an_nghiep = m.IndustrialArea.objects.get(code="KCN-ANNGHIEP")
        text = self.client.get(
            f"/dashboards/areas/{an_nghiep.pk}/", HTTP_ACCEPT_LANGUAGE="vi"
        ).content.decode()
        self.assertIn('id="kcn-dash-plan-entry"', text)
        self.assertIn("995/QĐ-TTg", text)

    def test_dashboard_table(self):
        r = self.client.get(
            f"/dashboards/{self.st.pk}/", HTTP_ACCEPT_LANGUAGE="en", headers={"host": "127.0.0.1"}
        )
        self.assertEqual(r.status_code, 200)
        table = r.context["tables"]["plan_vs_actual"]
        got = [
            (
                row["kind"],
                row["planned_count"],
                row["planned_ha"],
                row["established_count"],
                row["established_ha"],
            )
            for row in table.rows
        ]
        self.assertEqual([g[1:] for g in got], [(10, 4334.0, 2, 403.0), (18, 983.6, 5, 202.5)])
        self.assertIn("995/QĐ-TTg", str(table.note))
        # the dashboard's XLSX holds the same table and the one per amendment
        x = self.client.get(
            f"/dashboards/{self.st.pk}/dashboard.xlsx",
            HTTP_ACCEPT_LANGUAGE="en",
            headers={"host": "127.0.0.1"},
        )
        self.assertEqual(x.status_code, 200)
        wb = load_workbook(io.BytesIO(x.content))
        # (in the service's language, Vietnamese; sheet names cut at Excel's 31 characters)
        self.assertIn("Quy hoạch so với thực hiện", wb.sheetnames)
        self.assertIn("Quy hoạch tỉnh theo từng lần đi", wb.sheetnames)
        rows = list(wb["Quy hoạch so với thực hiện"].iter_rows(values_only=True))
        self.assertEqual([r[1:5] for r in rows[1:]], [(10, 4334, 2, 403), (18, 983.6, 5, 202.5)])

    # --- establishment condition 1 --------------------------------------------------------------
    def _check(self, **extra) -> dict:
        area = m.IndustrialArea.objects.get(code="CCN-NGANAM")
        x0, y0, x1, y1 = area.boundary.extent
        ring = [
            [x1 + 0.01, y0],
            [x1 + 0.013, y0],
            [x1 + 0.013, y0 + 0.003],
            [x1 + 0.01, y0 + 0.003],
            [x1 + 0.01, y0],
        ]
        result = proposal_check(
            geometry={"type": "Polygon", "coordinates": [ring]},
            kind="CCN",
            admin_unit=area.admin_unit.code,
            store=False,
            **extra,
        )
        return next(r for r in result["rules"] if r["rule"] == "on_plan_list")

    def test_condition_1_on_the_plan_list(self):
        # Decree 32/2024 condition 1: on the approved list of clusters of the province
        rule = self._check(plan_entry="QHST-CCN-QH06")
        self.assertTrue(rule["passed"])
        self.assertIn(
            "Nghị định 32/2024/NĐ-CP",
            rule["citation_vi"] if "citation_vi" in rule else rule["citation"],
        )
        # neither on the list nor flagged: not met
        self.assertIs(self._check()["passed"], False)
        # flagged as needing a plan amendment: not decided until the amendment is approved
        flagged = self._check(needs_plan_amendment=True)
        self.assertIsNone(flagged["passed"])
        self.assertIn("cần điều chỉnh quy hoạch", flagged["message_vi"])
        # an entry of the other kind does not count
        self.assertIs(self._check(plan_entry="QHST-KCN-TRANDE2")["passed"], False)

    def test_condition_1_entry_removed_by_an_amendment(self):
        bd = m.ProvincialPlan.objects.get(code="QHT-BD-2021-2030")
        entry = m.PlanEntry.objects.get(code="QHST-CCN-QH06")
        entry.removed_by = bd.amendments.get()  # another plan's amendment: refused by clean()
        with self.assertRaises(ValidationError):
            entry.full_clean()

    def test_proposal_carries_its_plan_entry_through_the_api(self):
        from planning.services import proposals as svc

        commune = m.IndustrialArea.objects.get(code="CCN-NGANAM").admin_unit
        user = get_user_model().objects.create_user("cb-st", password="pw-cb-st-1")
        m.Membership.objects.create(user=user, role="commune_staff", admin_unit=commune)
        api = APIClient()
        api.force_authenticate(user)
        area = m.IndustrialArea.objects.get(code="CCN-NGANAM")
        x0, y0, x1, y1 = area.boundary.extent
        ring = [
            [x1 + 0.01, y0],
            [x1 + 0.013, y0],
            [x1 + 0.013, y0 + 0.003],
            [x1 + 0.01, y0 + 0.003],
            [x1 + 0.01, y0],
        ]
        r = api.post(
            "/api/v1/proposals/",
            {
                "name": "CCN thử",
                "kind": "CCN",
                "admin_unit": commune.code,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "plan_entry": "QHST-CCN-QH07",
            },
            format="json",
        )
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual(body["plan_entry"]["code"], "QHST-CCN-QH07")
        self.assertFalse(body["needs_plan_amendment"])
        p = m.Proposal.objects.get(pk=body["id"])
        r = api.patch(
            f"/api/v1/proposals/{p.pk}/",
            {"plan_entry": "", "needs_plan_amendment": True},
            format="json",
        )
        self.assertEqual(r.status_code, 200, r.content)
        p.refresh_from_db()
        self.assertEqual((p.plan_entry, p.needs_plan_amendment), (None, True))
        with self.assertRaises(svc.ProposalInvalid):
            svc.proposal_update(user, p, plan_entry="NOPE")
