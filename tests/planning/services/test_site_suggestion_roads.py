"""Site suggestion follows the roads the Bình Định notice names, on the demo (issue 13, roads).

Default: *local* roads invested or under construction — provincial (ĐT), district (ĐH) and
urban roads; national roads and expressways (at their interchanges) are options. Checked on the
Sóc Trăng demo through the service, the command and the API; the demo's interchanges on the
Châu Đốc – Cần Thơ – Sóc Trăng expressway are loaded and published.
"""

from __future__ import annotations

import io
import json

from django.core.management import call_command
from rest_framework.test import APIClient

from planning import geo
from planning import models as m
from planning.services.analysis_runs import analysis_run
from tests.planning.services.demo_case import DemoTestCase


def run_command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


class SiteSuggestionRoadClassTests(DemoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.default = analysis_run("site-suggestion", province="94", kind="CCN", max_count=4)
        cls.national = analysis_run(
            "site-suggestion", province="94", kind="CCN", max_count=4, road_classes=["national"]
        )
        cls.class_of = {
            (r.route_ref or r.name): r.road_class
            for r in m.RoadCorridor.objects.filter(
                status__in=("invested", "under_construction")
            ).exclude(road_class="expressway")
        }

    def classes_of_nearest_roads(self, run) -> set[str]:
        return {self.class_of[s.nearest_road_name] for s in run.sites.all()}

    def test_the_demo_has_the_expressway_interchanges(self):
        ics = m.RoadInterchange.objects.order_by("code")
        self.assertEqual(ics.count(), 3)
        self.assertEqual({i.expressway.code for i in ics}, {"ST-CT-CDCTST"})
        self.assertTrue(all(i.is_synthetic and i.crossing_road for i in ics))
        for i in ics:  # placed on the expressway, where it crosses the named road
            self.assertLess(geo.distance_m(i.geom, i.expressway.centerline, 9209), 1.0)
            self.assertLess(geo.distance_m(i.geom, i.crossing_road.centerline, 9209), 1.0)

    def test_by_default_sites_follow_local_roads_only(self):
        results = self.default.results
        self.assertEqual(results["road_classes"], ["provincial", "district"])
        self.assertEqual(
            self.default.params["criteria"]["road_classes"], ["provincial", "district"]
        )
        self.assertGreater(self.default.sites.count(), 0)
        self.assertEqual(
            self.classes_of_nearest_roads(self.default) - {"provincial", "district"}, set()
        )
        self.assertIn("II.5", json.dumps(results["road_classes_basis"], ensure_ascii=False))

    def test_with_national_roads_chosen_sites_follow_the_ql(self):
        self.assertEqual(self.national.results["road_classes"], ["national"])
        self.assertGreater(self.national.sites.count(), 0)
        self.assertEqual(self.classes_of_nearest_roads(self.national), {"national"})
        self.assertTrue(
            all(s.nearest_road_name.startswith("QL") for s in self.national.sites.all())
        )

    def test_the_command_takes_the_road_classes_and_says_which_were_followed(self):
        out = run_command(
            "suggest_sites", "--province", "94", "--max-count", "2", "--road-classes", "national"
        )
        self.assertIn("Các tuyến đường được xét: quốc lộ", out)
        latest = m.AnalysisRun.objects.filter(kind="site-suggestion").latest("pk")
        self.assertEqual(latest.params["criteria"]["road_classes"], ["national"])
        self.assertEqual(self.classes_of_nearest_roads(latest), {"national"})

    def test_expressways_are_followed_only_at_their_interchanges(self):
        run = analysis_run(
            "site-suggestion", province="94", kind="CCN", max_count=3, road_classes="expressway"
        )
        points = [i.geom for i in m.RoadInterchange.objects.all()]
        self.assertGreater(run.sites.count(), 0)
        for site in run.sites.all():
            nearest = min(geo.distance_m(site.geom, p, 9209) for p in points)
            self.assertLessEqual(nearest, 2000.0 + 100)  # corridor + one 100 m cell
            self.assertIn("Nút giao", site.nearest_road_name)

    def test_the_api_takes_the_road_classes_and_refuses_unknown_ones(self):
        api = APIClient()
        api.force_authenticate(self.planner)
        r = api.post(
            "/api/v1/analyses/site-suggestion/",
            {"province": "94", "max_count": 2, "road_classes": ["national", "expressway"]},
            format="json",
        )
        self.assertEqual(r.status_code, 202, r.content)
        run = m.AnalysisRun.objects.get(pk=r.json()["id"])
        self.assertEqual(run.params["criteria"]["road_classes"], ["expressway", "national"])
        r = api.post(
            "/api/v1/analyses/site-suggestion/",
            {"province": "94", "road_classes": ["motorway"]},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertEqual(r.status_code, 400, r.content)
        error = r.json()["error"]
        self.assertIn("road_classes", error["message"])
        self.assertIn("national", error["message"])
