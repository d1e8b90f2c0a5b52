"""The other analysis services on the demo province: targets, eco, infrastructure, labour, plan vs
actual, proposal checks — stored runs, published connectors, Proposal.validation."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.test import override_settings

from planning import geo
from planning import models as m
from planning.errors import InvalidParameter
from planning.services.analysis_runs import (
    analysis_run,
    analysis_submit,
    run_refresh_stale,
    run_resubmit,
)
from planning.services.proposal_validation import proposal_check, proposal_validate
from planning.texts import translate
from tests.jobs_support import TASKS_QUEUED, run_queued_jobs
from tests.planning.services.demo_case import DemoTestCase


def _square_near(geom, dx_deg: float, size_deg: float) -> MultiPolygon:
    x0, y0, x1, y1 = geom.extent
    x = x1 + dx_deg
    return MultiPolygon(Polygon.from_bbox((x, y0, x + size_deg, y0 + size_deg)), srid=4326)


class AnalysesOnDemoTests(DemoTestCase):
    def test_target_watch_list_two_consecutive_years(self):
        run = analysis_run("targets", as_of_year=2025, user=self.planner)
        r = translate(run.results)  # stored as message ids: texts in the active language
        self.assertEqual(run.status, "done")
        self.assertEqual(run.params["rule"]["consecutive_years"], 2)
        self.assertGreater(r["counts"]["watch_list"], 0)
        for entry in r["watch_list"]:
            years = entry["years"]
            self.assertTrue(any(b - a == 1 for a, b in zip(years, years[1:], strict=False)), entry)
            self.assertLessEqual(max(years), 2025)
            self.assertIn(
                "02 năm liên tiếp",
                entry["citation"] + entry["message_vi"].replace("2 năm", "02 năm"),
            )
        self.assertIn("planning.DevelopmentTarget", run.input_versions["tables"])
        self.assertTrue(r["transfer_candidates"])
        self.assertTrue(all(t["message_vi"] for t in r["transfer_candidates"]))
        state = set(
            m.IndustrialArea.objects.filter(developer__kind="state")
            .exclude(developer_transfers__isnull=False)
            .exclude(status="revoked")
            .filter(kind="CCN")
            .values_list("code", flat=True)
        )
        self.assertEqual({t["area_id"] for t in r["transfer_candidates"]}, state)

    def test_developer_capacity_uses_the_setting(self):
        with override_settings(
            PLANNING_OWN_CAPITAL_MIN_SHARE={"below_20_ha": 1.0, "from_20_ha": 1.0}
        ):
            strict = analysis_run(
                "targets",
            ).results
        normal = analysis_run(
            "targets",
        ).results
        self.assertEqual(strict["own_capital_min_share"]["from_20_ha"], 1.0)
        self.assertGreaterEqual(
            strict["counts"]["capacity_failed"], normal["counts"]["capacity_failed"]
        )
        req = {c["developer_id"]: c["required_bn_vnd"] for c in normal["developer_capacity"]}
        for c in strict["developer_capacity"]:
            if req[c["developer_id"]]:
                self.assertGreater(c["required_bn_vnd"], req[c["developer_id"]])

    def test_lagging_projects_as_of_a_date(self):
        early = analysis_run("targets", as_of="2020-01-01").results
        late = analysis_run("targets", as_of="2026-06-30").results
        self.assertLessEqual(
            early["counts"]["lagging_projects"], late["counts"]["lagging_projects"]
        )
        with self.assertRaises(InvalidParameter):
            analysis_run("targets", as_of="30/06/2026")

    def test_eco_readiness_lists_what_is_missing(self):
        run = analysis_run("eco-readiness", province="Sóc Trăng")
        areas = translate(run.results["areas"])
        self.assertEqual(run.results["n_areas"], len(areas))
        self.assertTrue(areas)
        xay_da_b = next(a for a in areas if a["area_name"] == "CCN Xây Đá B")
        self.assertEqual(xay_da_b["kind"], "CCN")
        self.assertIn("Còn thiếu", next(a for a in areas if not a["ready"])["summary_vi"])
        self.assertTrue(all(a["status"] != "planned" for a in areas))
        with_planned = analysis_run(
            "eco-readiness", province="Sóc Trăng", include_planned=True
        ).results
        self.assertGreaterEqual(with_planned["n_areas"], run.results["n_areas"])

    def test_infrastructure_gaps_publish_connectors(self):
        run = analysis_run("infrastructure-gaps", province="Bình Định")
        r = translate(run.results)
        self.assertEqual(r["n_connectors"], run.connectors.count())
        self.assertGreater(run.connectors.count(), 0)
        for c in run.connectors.all()[:20]:
            self.assertEqual(c.geom.geom_type, "LineString")
            self.assertAlmostEqual(
                geo.length_m(c.geom, 9217), c.distance_m, delta=max(2.0, 0.005 * c.distance_m)
            )
            self.assertTrue(c.is_current)
        area = next(a for a in r["areas"] if a["gaps_vi"])
        self.assertTrue(
            all(link["network"] in ("road", "power", "water") for link in area["links"])
        )
        again = analysis_run("infrastructure-gaps", province="Bình Định")
        self.assertFalse(run.connectors.filter(is_current=True).exists())
        self.assertEqual(again.connectors.count(), run.connectors.count())

    def test_labour_catchment_of_a_merged_province_reads_its_predecessors_raster(self):
        run = analysis_run("labour-catchment", province="Cần Thơ", distances_m=[5000])
        self.assertEqual([p["province"] for p in run.results["provinces"]], ["Sóc Trăng"])
        (note,) = translate(run.results["notes"])
        self.assertIn("Cần Thơ (từ 01/07/2025) chưa có raster riêng", note)

    def test_labour_catchment_from_the_population_raster(self):
        run = analysis_run("labour-catchment", province="94", distances_m=[5000, 10000])
        (prov,) = run.results["provinces"]
        self.assertEqual(prov["province"], "Sóc Trăng")
        self.assertEqual(prov["raster"], "population:94:100m")
        for area in prov["areas"]:
            pops = [ring["population"] for ring in area["rings"]]
            self.assertEqual(len(pops), 2)
            self.assertLessEqual(pops[0], pops[1])
        an_nghiep = next(a for a in prov["areas"] if a["area_name"] == "KCN An Nghiệp")
        self.assertGreater(an_nghiep["workers_needed"], 0)
        self.assertIn("population:94:100m", run.input_versions["rasters"])
        with self.assertRaises(InvalidParameter):
            analysis_run("labour-catchment", province="94", distances_m=[-1])

    def test_plan_vs_actual_by_province_and_kind(self):
        # From the provincial plans (issue 13): Sóc Trăng 10 KCN, 4,334 ha (the article of
        # 12 Feb 2025); more in tests/planning/test_plans.py.
        rows = translate(analysis_run("plan-vs-actual").results["rows"])
        st_kcn = next(r for r in rows if r["province"] == "Sóc Trăng" and r["kind"] == "KCN")
        self.assertEqual(st_kcn["basis"], "plan")
        self.assertEqual(st_kcn["planned_count"], 10)
        self.assertAlmostEqual(st_kcn["planned_ha"], 4334.0, places=3)
        self.assertIn("Sóc Trăng, quy hoạch tỉnh", st_kcn["summary_vi"])
        self.assertTrue(any(r["province"] == "Tổng cộng" for r in rows))

    # --- proposals --------------------------------------------------------------------------------
    def _proposal(self, code, geom, kind="CCN"):
        commune = (
            m.AdminUnit.objects.filter(level="commune", boundary__intersects=geom.point_on_surface)
            .order_by("valid_to")
            .first()
        )
        return m.Proposal.objects.create(
            code=code,
            name=f"Đề xuất {code}",
            kind=kind,
            geom=geom,
            admin_unit=commune,
            proposed_by=self.planner,
        )

    def test_proposal_validate_stores_rules_with_citations(self):
        area = m.IndustrialArea.objects.get(code="CCN-NHONHOA")
        overlapping = self._proposal(
            "DX-OVER", MultiPolygon(area.boundary.envelope.buffer(0.001), srid=4326)
        )
        validation = proposal_validate(overlapping, user=self.planner)
        overlapping.refresh_from_db()
        self.assertEqual(translate(overlapping.validation), validation)
        rules = {r["rule"]: r for r in validation["rules"]}
        self.assertFalse(rules["no_overlap_existing"]["passed"])
        self.assertIn("CCN Nhơn Hòa", rules["no_overlap_existing"]["message_vi"])
        self.assertTrue(all(r["citation"] for r in validation["rules"]))
        self.assertFalse(validation["passed"])
        self.assertIn("Chưa đạt", validation["summary_vi"])
        self.assertEqual(
            {
                "area_limits",
                "no_overlap_existing",
                "no_overlap_proposals",
                "inside_unit",
                "road_access",
                "unit_occupancy",
            }
            - set(rules),
            set(),
        )
        self.assertTrue({"exclusion:water", "exclusion:forest", "exclusion:flood"} <= set(rules))
        run = m.AnalysisRun.objects.get(pk=validation["run_id"])
        self.assertEqual(run.kind, "proposal-check")
        self.assertEqual(run.params["proposal"]["code"], "DX-OVER")
        self.assertEqual(run.started_by, self.planner)

    def test_proposal_checks_see_other_proposals_and_size(self):
        area = m.IndustrialArea.objects.get(code="CCN-NHONHOA")
        first = self._proposal("DX-A", _square_near(area.boundary, 0.03, 0.02))
        second = self._proposal("DX-B", _square_near(area.boundary, 0.035, 0.02))
        rules = {r["rule"]: r for r in proposal_validate(second)["rules"]}
        self.assertFalse(rules["no_overlap_proposals"]["passed"])
        self.assertIn(first.name, rules["no_overlap_proposals"]["message_vi"])
        tiny = proposal_check(
            geometry=_square_near(area.boundary, 0.2, 0.001),
            kind="CCN",
            admin_unit=first.admin_unit,
            store=False,
        )
        size = next(r for r in tiny["rules"] if r["rule"] == "area_limits")
        self.assertFalse(size["passed"])
        self.assertLess(size["measured"], 10)
        self.assertNotIn("run_id", tiny)

    def test_a_proposal_of_hoai_nhon_drawn_in_an_hao_names_both_units(self):
        """Issue 11, item 5: Phường Hoài Nhơn's staff check a polygon inside Xã Ân Hảo (old Hoài Ân
        district, mountainous): the rule names Phường Hoài Nhơn and says where the polygon lies;
        the size limit stays Hoài Nhơn's 10 ha minimum."""
        from rest_framework.test import APIClient

        staff = get_user_model().objects.create_user("canbo_xa_test", password="pw-canbo-xa-1")
        hoai_nhon = m.AdminUnit.objects.get(code="50705013")
        m.Membership.objects.create(user=staff, role="commune_staff", admin_unit=hoai_nhon)
        api = APIClient()
        api.force_authenticate(staff)
        polygon = {
            "type": "Polygon",
            "coordinates": [
                [
                    [109.010, 14.328],
                    [109.0145, 14.328],
                    [109.0145, 14.3325],
                    [109.010, 14.3325],
                    [109.010, 14.328],
                ]
            ],
        }
        r = api.post(
            "/api/v1/proposals/check/",
            {"geometry": polygon, "kind": "CCN", "admin_unit": "50705013"},
            format="json",
        )
        self.assertEqual(r.status_code, 200, r.content)
        result = r.json()
        rules = {x["rule"]: x for x in result["rules"]}
        self.assertEqual(
            rules["inside_unit"]["message_vi"],
            "100,0 % diện tích đề xuất nằm ngoài địa bàn Phường Hoài Nhơn. "
            "Đề xuất nằm trên địa bàn Xã Ân Hảo (100,0 %).",
        )
        self.assertEqual(
            [(u["code"], u["name"], u["share"]) for u in result["lies_in"]],
            [("50707046", "Xã Ân Hảo", 1.0)],
        )
        self.assertFalse(result["is_mountainous"])
        self.assertEqual(rules["area_limits"]["limit"], 75)
        self.assertIn("10–75 ha", rules["area_limits"]["message_vi"])
        self.assertNotIn(
            "Hoài Ân", rules["inside_unit"]["message_vi"] + rules["area_limits"]["message_vi"]
        )
        # Named by Xã Ân Hảo (mountainous), the same polygon is inside, with the 5 ha minimum.
        own = proposal_check(
            geometry=MultiPolygon(
                Polygon.from_bbox((109.010, 14.328, 109.0145, 14.3325)), srid=4326
            ),
            kind="CCN",
            admin_unit="50707046",
            store=False,
        )
        own_rules = {x["rule"]: x for x in own["rules"]}
        self.assertTrue(own_rules["inside_unit"]["passed"])
        self.assertTrue(own["is_mountainous"])
        self.assertIn("5–75 ha", own_rules["area_limits"]["message_vi"])

    def test_runs_can_be_resubmitted_and_processed_from_the_queue(self):
        run = analysis_run("plan-vs-actual", province="52")
        with override_settings(TASKS=TASKS_QUEUED):
            queued = run_resubmit(run, user=self.planner)
            self.assertEqual(queued.status, "queued")
            done = run_queued_jobs(m.AnalysisRun)
        self.assertEqual([r.pk for r in done], [queued.pk])
        queued.refresh_from_db()
        self.assertEqual(queued.status, "done")
        self.assertEqual(queued.params, run.params)
        self.assertEqual(queued.results["rows"], run.results["rows"])

    def test_a_run_whose_worker_stopped_is_marked_failed(self):
        """Its task's worker ran on another host and its heartbeat went silent."""
        from django.utils import timezone, translation
        from django_tasks_db.models import DBTaskResult

        with override_settings(TASKS=TASKS_QUEUED), translation.override("en"):
            run = analysis_submit("plan-vs-actual", province="52")
        long_ago = timezone.now() - dt.timedelta(hours=2)
        m.WorkerBeat.objects.create(
            worker_id="elsewhere:123:abc",
            host="elsewhere",
            pid=123,
            started_at=long_ago,
            beat_at=long_ago,
        )
        DBTaskResult.objects.filter(pk=run.task_id).update(
            status="RUNNING", worker_ids=["elsewhere:123:abc"], started_at=long_ago
        )
        m.AnalysisRun.objects.filter(pk=run.pk).update(status="running", started_at=long_ago)
        run.refresh_from_db()
        run_refresh_stale(run)
        self.assertEqual(run.status, "failed")
        self.assertIn("the worker running this job stopped", run.error)  # in the run's language
