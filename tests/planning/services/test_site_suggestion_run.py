"""site_suggestion_run on the demo province (rasters at 100 m): stored, legal, reproducible."""

from __future__ import annotations

import shapely

from planning import geo
from planning import models as m
from planning.analysis.errors import CriteriaError
from planning.errors import InvalidParameter, MissingInputs, UnknownProvince
from planning.services.analysis_runs import analysis_run
from planning.texts import translate
from tests.planning.services.demo_case import DemoTestCase


class SiteSuggestionRunTests(DemoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.run_bd = analysis_run(
            "site-suggestion", province="Bình Định", kind="CCN", user=cls.planner
        )
        cls.run_st = analysis_run("site-suggestion", province="94", kind="CCN")

    def sites(self, run):
        return list(run.sites.order_by("rank"))

    # --- what is stored -----------------------------------------------------------------------
    def test_run_is_stored_with_params_versions_timings_and_user(self):
        run = m.AnalysisRun.objects.get(pk=self.run_bd.pk)
        self.assertEqual(run.kind, "site-suggestion")
        self.assertEqual(run.status, "done")
        self.assertEqual(run.progress, 100)
        self.assertEqual(run.started_by, self.planner)
        self.assertEqual(run.admin_unit, self.province_bd)
        self.assertEqual(run.params["province"]["code"], "52")
        self.assertEqual(run.params["resolution_m"], 100.0)
        self.assertEqual(run.params["criteria"]["corridor_m"], 2000.0)
        self.assertEqual(
            set(run.input_versions["rasters"]),
            {f"{k}:52:100m" for k in ("dem", "landcover", "flood", "population")},
        )
        self.assertTrue(
            all(len(r["checksum"]) == 64 for r in run.input_versions["rasters"].values())
        )
        self.assertIn("demo_province", run.input_versions["dataset_loads"])
        self.assertEqual(
            run.input_versions["tables"]["planning.RoadCorridor"]["count"],
            m.RoadCorridor.objects.count(),
        )
        self.assertLessEqual(run.started_at, run.finished_at)
        self.assertGreater(run.duration_s, 0)
        self.assertIn("analysis", run.timings)
        self.assertEqual(run.results["count"], run.sites.count())
        self.assertGreater(run.results["count"], 0)

    def test_region_follows_the_province(self):
        self.assertEqual(self.run_bd.params["criteria"]["region"], "central_coast")
        self.assertEqual(self.run_st.params["criteria"]["region"], "mekong")
        self.assertEqual(self.run_bd.results["sites"][0]["rank"], 1)

    def test_sites_lie_inside_the_province(self):
        for run, province in ((self.run_bd, self.province_bd), (self.run_st, self.province_st)):
            outline = geo.to_shapely([province.boundary])[0]
            for site in self.sites(run):
                shp = geo.to_shapely([site.geom])[0]
                outside_ha = geo.area_ha(shapely.difference(shp, outline), province.zone_srid)
                self.assertLess(outside_ha, 0.05, f"{province.name} site {site.rank}")

    def test_sites_have_a_legal_size(self):
        for run in (self.run_bd, self.run_st):
            for site in self.sites(run):
                low = 5.0 if (site.admin_unit and site.admin_unit.is_mountainous) else 10.0
                self.assertGreaterEqual(site.area_ha, low - 1e-6)
                self.assertLessEqual(site.area_ha, 75.0 + 1e-6)
                measured = geo.area_ha(site.geom, site.metric_srid)
                self.assertAlmostEqual(measured / site.area_ha, 1.0, delta=0.01)

    def test_sites_keep_clear_of_existing_areas(self):
        areas = list(m.IndustrialArea.objects.exclude(status="revoked"))
        for run in (self.run_bd, self.run_st):
            for site in self.sites(run):
                for area in areas:
                    if not site.geom.envelope.buffer(0.05).intersects(area.boundary):
                        continue
                    self.assertFalse(site.geom.intersects(area.boundary), (site.rank, area.name))
                    # 500 m setback, rasterised all-touched on 100 m cells
                    self.assertGreater(
                        geo.distance_m(site.geom, area.boundary, site.metric_srid), 450
                    )

    def test_sites_lie_along_invested_roads(self):
        # by default along local roads only (provincial ĐT, district ĐH and urban: issue 13)
        self.assertEqual(self.run_bd.params["criteria"]["road_classes"], ["provincial", "district"])
        roads = list(
            m.RoadCorridor.objects.filter(
                status__in=("invested", "under_construction"),
                road_class__in=("provincial", "district"),
            )
        )
        for run in (self.run_bd, self.run_st):
            for site in self.sites(run):
                nearest = min(
                    geo.distance_m(site.geom, r.centerline, site.metric_srid) for r in roads
                )
                self.assertLessEqual(nearest, 2000.0)
                self.assertAlmostEqual(nearest, site.nearest_road_distance_m, delta=5.0)
                self.assertTrue(site.nearest_road_name)
                # never on the road itself: the road reserve is excluded
                self.assertGreater(nearest, 10.0)

    def test_reasons_are_vietnamese_sentences(self):
        site = self.sites(self.run_bd)[0]
        self.assertRegex(
            site.reasons,
            r"^(Cách|Tiếp giáp) tuyến .+độ dốc trung bình .+dân trong bán kính 5 km\.$",
        )
        self.assertEqual(
            {b["name"] for b in site.breakdown},
            {"road", "infrastructure", "slope", "conversion", "population", "flood"},
        )
        self.assertAlmostEqual(sum(b["contribution"] for b in site.breakdown), site.score, places=4)

    def test_same_inputs_give_the_same_result(self):
        again = analysis_run("site-suggestion", province="Bình Định", kind="CCN")
        first = [(s.rank, s.area_ha, s.score, s.geom.wkt) for s in self.sites(self.run_bd)]
        second = [(s.rank, s.area_ha, s.score, s.geom.wkt) for s in self.sites(again)]
        self.assertEqual(first, second)
        self.assertEqual(again.input_versions["rasters"], self.run_bd.input_versions["rasters"])

    def test_a_new_run_becomes_the_current_layer(self):
        again = analysis_run(
            "site-suggestion", province="Bình Định", kind="CCN", criteria={"max_count": 2}
        )
        self.assertEqual(again.sites.count(), 2)
        self.assertFalse(m.SuggestedSite.objects.filter(run=self.run_bd, is_current=True).exists())
        self.assertTrue(m.SuggestedSite.objects.filter(run=self.run_st, is_current=True).exists())
        self.assertEqual(
            set(
                m.SuggestedSite.objects.filter(
                    is_current=True, province_name="Bình Định"
                ).values_list("run_id", flat=True)
            ),
            {again.pk},
        )

    def test_overrides_are_recorded(self):
        run = analysis_run(
            "site-suggestion",
            province="52",
            kind="CCN",
            weights="road=0.6,slope=0.1",
            criteria={"max_count": 1, "exclude_rice": True},
        )
        self.assertEqual(run.params["overrides"]["weights"], {"road": 0.6, "slope": 0.1})
        self.assertEqual(run.params["criteria"]["weights"]["road"], 0.6)
        self.assertTrue(run.params["criteria"]["exclude_rice"])
        self.assertLessEqual(run.sites.count(), 1)
        self.assertTrue(all(s.rice_land_ha == 0 for s in run.sites.all()))

    def test_kcn_sites_use_the_kcn_size_range(self):
        run = analysis_run(
            "site-suggestion", province="Sóc Trăng", kind="KCN", criteria={"max_count": 2}
        )
        self.assertEqual(run.params["criteria"]["kind"], "KCN")
        for site in run.sites.all():
            self.assertEqual(site.kind, "KCN")
            self.assertGreaterEqual(site.area_ha, 100.0 - 1e-6)
            self.assertLessEqual(site.area_ha, 500.0 + 1e-6)

    # --- bad input ------------------------------------------------------------------------------
    def test_a_merged_province_is_analysed_on_its_predecessors_rasters(self):
        """Gia Lai (from 1 July 2025) has no rasters; Bình Định, one of the provinces it was formed
        from, has: the run covers that part, is stored as Bình Định's, and says so."""
        run = analysis_run(
            "site-suggestion", province="Gia Lai", kind="CCN", criteria={"max_count": 2}
        )
        self.assertEqual(run.status, "done")
        self.assertEqual(run.admin_unit, self.province_bd)
        self.assertEqual(run.params["requested_province"]["name"], "Gia Lai")
        self.assertEqual(run.results["requested_province"], "Gia Lai")
        (note,) = translate(run.results["notes"])
        self.assertIn("Gia Lai (từ 01/07/2025) chưa có raster riêng", note)
        self.assertIn("Bình Định", note)
        self.assertGreaterEqual(run.results["count"], 1)
        bd = geo.to_shapely([self.province_bd.boundary])[0]
        for site in run.sites.all():
            self.assertTrue(bd.buffer(1e-6).contains(geo.to_shapely([site.geom])[0]))

    def test_bad_input_is_refused_before_anything_is_stored(self):
        # Gia Lai without its succession from Bình Định: no rasters anywhere to read.
        m.AdminUnitSuccession.objects.filter(
            successor__name="Gia Lai", predecessor__level="province"
        ).delete()
        before = m.AnalysisRun.objects.count()
        cases = [
            (UnknownProvince, dict(province="Hà Nội")),
            (InvalidParameter, dict(province="52", weights="road=0.3,speed=1")),
            (InvalidParameter, dict(province="52", weights="road:0.3")),
            (InvalidParameter, dict(province="52", kind="XYZ")),
            (InvalidParameter, dict(province="52", criteria={"corridor": 100})),
            (CriteriaError, dict(province="52", criteria={"corridor_m": -5})),
            (MissingInputs, dict(province="Gia Lai")),
            (MissingInputs, dict(province="52", resolution_m=30)),
        ]
        for exc, kwargs in cases:
            with self.subTest(kwargs=kwargs), self.assertRaises(exc):
                analysis_run("site-suggestion", **kwargs)
        self.assertEqual(m.AnalysisRun.objects.count(), before)

    def test_a_failure_during_the_run_is_stored(self):
        layer = m.RasterLayer.objects.get(name="dem:94:100m")
        path = layer.path
        m.RasterLayer.objects.filter(pk=layer.pk).update(path="94/missing.tif")
        try:
            with self.assertRaises(MissingInputs):
                analysis_run("site-suggestion", province="94")
        finally:
            m.RasterLayer.objects.filter(pk=layer.pk).update(path=path)
        failed = m.AnalysisRun.objects.filter(kind="site-suggestion", status="failed").latest("pk")
        self.assertIn("missing.tif", failed.error)
        self.assertIsNotNone(failed.finished_at)
        self.assertEqual(failed.sites.count(), 0)
