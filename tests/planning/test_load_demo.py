"""The demo province: loaded once per class on the real database, checked as a planner would."""

import datetime as dt
from collections import defaultdict

import shapely
from django.core.management import call_command
from django.db.models import Count, Sum
from django.test import TestCase

from planning import geo
from planning import models as m
from planning.services.demo import demo_load


class DemoProvinceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.result = demo_load()

    def test_first_load_creates_records(self):
        self.assertFalse(self.result.skipped)
        self.assertGreater(sum(self.result.created.values()), 5000)

    def test_counts_meet_the_brief(self):
        areas = m.IndustrialArea.objects
        self.assertGreaterEqual(areas.filter(kind="KCN").count(), 10)
        self.assertGreaterEqual(areas.filter(kind="CCN").count(), 15)
        for province in ("Bình Định", "Sóc Trăng"):
            self.assertTrue(
                areas.filter(province_name_reported=province, kind="KCN").exists(), province
            )
            self.assertTrue(
                areas.filter(province_name_reported=province, kind="CCN").exists(), province
            )
        self.assertGreaterEqual(m.ClearanceParcel.objects.count(), 2000)
        self.assertGreaterEqual(m.SecondaryProject.objects.count(), 150)
        self.assertGreaterEqual(
            m.InfrastructureLine.objects.filter(kind__startswith="power").count(), 1
        )
        self.assertGreaterEqual(m.InfrastructureLine.objects.filter(kind="water").count(), 1)
        self.assertTrue(m.Obstacle.objects.exists())
        statuses = set(m.RoadCorridor.objects.values_list("status", flat=True))
        self.assertEqual(statuses, {"planned", "under_construction", "invested"})

    def test_real_facts_are_kept(self):
        an_nghiep = m.IndustrialArea.objects.get(name__icontains="An Nghiệp")
        self.assertEqual(float(an_nghiep.planned_area_ha), 243.0)
        self.assertEqual(an_nghiep.status, "operating")
        self.assertGreater(an_nghiep.occupancy, 0.9)
        xay_da_b = m.IndustrialArea.objects.get(name="CCN Xây Đá B")
        self.assertEqual(float(xay_da_b.planned_area_ha), 53.9)

    def test_clearance_status_mix_is_realistic(self):
        mix = dict(m.ClearanceParcel.objects.values_list("status").annotate(n=Count("id")))
        self.assertEqual(set(mix), {s for s, _ in m.ClearanceParcel.Status.choices})
        total = sum(mix.values())
        for status, n in mix.items():
            self.assertGreater(n / total, 0.03, f"too few parcels {status}")

    def test_measured_areas_match_planned_areas(self):
        for area in m.IndustrialArea.objects.all():
            self.assertAlmostEqual(
                area.boundary_area_ha / float(area.planned_area_ha), 1.0, delta=0.05, msg=area.name
            )

    def test_every_geometry_is_valid_in_the_database(self):
        for model, field in (
            (m.IndustrialArea, "boundary"),
            (m.ClearanceParcel, "boundary"),
            (m.AdminUnit, "boundary"),
            (m.SecondaryProject, "plot"),
            (m.RoadCorridor, "centerline"),
        ):
            invalid = model.objects.filter(**{f"{field}__isvalid": False}).count()
            self.assertEqual(invalid, 0, model.__name__)

    def test_leased_land_equals_projects_of_operating_areas(self):
        for area in m.IndustrialArea.objects.filter(
            status="operating", projects__isnull=False
        ).distinct():
            leased = area.projects.exclude(status="revoked").aggregate(s=Sum("leased_area_ha"))["s"]
            self.assertAlmostEqual(
                float(area.leased_land_ha), float(leased), delta=0.05, msg=area.name
            )

    def test_projects_lie_inside_their_area(self):
        for p in m.SecondaryProject.objects.exclude(plot=None).select_related("area")[:400]:
            inside = p.area.boundary.buffer(1e-6).contains(p.plot)
            self.assertTrue(inside, p.code)

    def test_state_developed_cluster_exists(self):
        state = m.IndustrialArea.objects.filter(kind="CCN", developer__kind="state")
        self.assertGreaterEqual(state.count(), 1)
        self.assertTrue(m.DeveloperTransfer.objects.exists())

    def test_two_developers_miss_targets_two_years_running(self):
        reports = {(r.area_id, r.year): r for r in m.AnnualReport.objects.all()}
        missed = defaultdict(set)
        for t in m.DevelopmentTarget.objects.all():
            r = reports.get((t.area_id, t.year))
            if r is not None and r.actual(t.indicator) < t.target_value:
                missed[t.area_id].add(t.year)
        twice = {a for a, years in missed.items() if any(y + 1 in years for y in years)}
        developers = set(
            m.IndustrialArea.objects.filter(pk__in=twice).values_list("developer", flat=True)
        )
        self.assertGreaterEqual(len(developers), 2)
        years = set(m.DevelopmentTarget.objects.values_list("year", flat=True))
        self.assertTrue({2021, 2022, 2023, 2024, 2025} <= years)

    def test_invested_roads_cross_free_land_in_both_provinces(self):
        # Site suggestion needs invested or under-construction roads with open land beside them.
        for name, srid in (("Bình Định", 9217), ("Sóc Trăng", 9209)):
            province = m.AdminUnit.objects.get(name=name, level="province")
            areas = [
                geo.transform(shapely.from_wkb(bytes(a.boundary.wkb)), 4326, srid)
                for a in m.IndustrialArea.objects.all()
            ]
            taken = shapely.union_all([a.buffer(1500) for a in areas])
            roads = m.RoadCorridor.objects.filter(
                status__in=["invested", "under_construction"],
                centerline__intersects=province.boundary,
            )
            free_km = 0.0
            outline = geo.transform(shapely.from_wkb(bytes(province.boundary.wkb)), 4326, srid)
            for r in roads:
                line = geo.transform(shapely.from_wkb(bytes(r.centerline.wkb)), 4326, srid)
                free_km += line.intersection(outline).difference(taken).length / 1000
            self.assertGreater(free_km, 20, name)

    def test_records_keep_the_unit_they_were_reported_under(self):
        for area in m.IndustrialArea.objects.exclude(established_on=None).select_related(
            "admin_unit"
        ):
            self.assertTrue(
                area.admin_unit.is_valid_on(min(area.established_on, dt.date(2025, 6, 30)))
                or area.admin_unit.valid_from <= area.established_on,
                area.name,
            )
        # Annual reports are filed at the end of the year, under the unit valid then.
        for report in m.AnnualReport.objects.select_related("admin_unit"):
            self.assertTrue(
                report.admin_unit.is_valid_on(report.submitted_on or dt.date(report.year, 12, 31)),
                report,
            )

    def test_second_load_is_skipped_and_keeps_edits(self):
        area = m.IndustrialArea.objects.get(name__icontains="An Nghiệp")
        area.lease_price_usd_m2 = 99
        area.save()
        again = demo_load()
        self.assertTrue(again.skipped)
        area.refresh_from_db()
        self.assertEqual(area.lease_price_usd_m2, 99)

    def test_forced_reload_is_idempotent(self):
        before = self.result.totals
        again = demo_load(force=True)
        self.assertEqual(again.totals, before)
        self.assertEqual(sum(again.created.values()), 0)

    def test_command_reports_totals(self):
        from io import StringIO

        out = StringIO()
        call_command("load_demo", stdout=out)
        self.assertIn("dữ liệu tỉnh mẫu đã được nạp", out.getvalue())
        self.assertIn("tổng số: ", out.getvalue())
        self.assertIn("clearanceparcel", out.getvalue())
        out = StringIO()
        call_command("load_demo", "--lang", "en", stdout=out)
        self.assertIn("already loaded", out.getvalue())
        self.assertIn("totals: ", out.getvalue())


class SuccessionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        demo_load()

    def test_old_provinces_pass_to_the_merged_ones(self):
        binh_dinh = m.AdminUnit.objects.get(name="Bình Định", level="province")
        soc_trang = m.AdminUnit.objects.get(name="Sóc Trăng", level="province")
        self.assertEqual(binh_dinh.valid_to, dt.date(2025, 6, 30))
        self.assertEqual([u.name for u in binh_dinh.successors.all()], ["Gia Lai"])
        self.assertEqual([u.name for u in soc_trang.successors.all()], ["Cần Thơ"])
        share = m.AdminUnitSuccession.objects.get(predecessor=binh_dinh).area_share
        self.assertGreater(share, 0.98)

    def test_every_old_commune_has_successors_covering_it(self):
        old = m.AdminUnit.objects.filter(level="commune", valid_to=dt.date(2025, 6, 30))
        self.assertGreater(old.count(), 50)
        for unit in old.prefetch_related("succession_out__successor"):
            links = list(unit.succession_out.all())
            self.assertTrue(links, unit.name)
            self.assertAlmostEqual(
                sum(link.area_share for link in links), 1.0, delta=0.05, msg=unit.name
            )
            for link in links:
                self.assertEqual(link.successor.valid_from, dt.date(2025, 7, 1))

    def test_new_communes_of_2025_are_all_there(self):
        new = m.AdminUnit.valid_on(dt.date(2025, 7, 1)).filter(level="commune")
        self.assertEqual(new.count(), 135 + 103)
        self.assertFalse(
            m.AdminUnit.valid_on(dt.date(2025, 7, 1)).filter(level="district").exists()
        )
        self.assertTrue(new.filter(name="Xã Canh Vinh", zone_srid=9217).exists())

    def test_units_valid_on_a_date(self):
        before = m.AdminUnit.valid_on(dt.date(2024, 12, 31)).filter(level="province")
        after = m.AdminUnit.valid_on(dt.date(2025, 7, 1)).filter(level="province")
        self.assertIn("Bình Định", set(before.values_list("name", flat=True)))
        self.assertEqual(set(after.values_list("name", flat=True)), {"Gia Lai", "Cần Thơ"})

    def test_metric_zone_follows_the_legacy_province(self):
        from django.contrib.gis.geos import Point

        self.assertEqual(m.AdminUnit.metric_srid_at(Point(109.1, 13.9, srid=4326)), 9217)
        self.assertEqual(m.AdminUnit.metric_srid_at(Point(105.97, 9.60, srid=4326)), 9209)
        self.assertEqual(m.AdminUnit.metric_srid_at(Point(108.0, 13.98, srid=4326)), 9218)
