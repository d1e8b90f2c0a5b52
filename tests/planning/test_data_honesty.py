"""Data honesty (issue 13 §6): invented numbers carry a flag, the capacity verdict says when it
rests on them, the "demonstration data" notice appears only where what is shown is synthetic,
and the 2025 provinces keep their two official codes apart.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps as django_apps
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation

from planning import models as m
from planning.services.analysis_runs import analysis_run
from planning.services.demo import demo_load
from planning.texts import translate
from tests.conftest import box4326


def _migration(name: str):
    import importlib

    return importlib.import_module(f"planning.migrations.{name}")


MIGRATION = "0013_honesty_codes_and_synthetic_flags"


class DemoHonestyTests(TestCase):
    """On the demo: what the generator knows to be invented is flagged in the database."""

    @classmethod
    def setUpTestData(cls):
        demo_load()

    def test_the_2025_provinces_keep_both_codes_apart(self):
        # ../shared/data/vn/communes_2025_names_gialai_cantho.json: matinhBNV 24 (Gia Lai), 33
        # (Cần Thơ); the statistics office's code of the 2025 units is not in the data: None.
        new = {
            u.name: (u.code, u.moha_code, u.gso_code)
            for u in m.AdminUnit.objects.filter(level="province", valid_from=dt.date(2025, 7, 1))
        }
        self.assertEqual(new, {"Gia Lai": ("24", "24", None), "Cần Thơ": ("33", "33", None)})
        old = {
            u.name: (u.gso_code, u.moha_code)
            for u in m.AdminUnit.objects.filter(level="province", valid_to=dt.date(2025, 6, 30))
        }
        self.assertEqual(old["Bình Định"], ("52", None))
        self.assertEqual(old["Sóc Trăng"], ("94", None))

    def test_real_companies_keep_their_name_and_have_their_capital_marked(self):
        becamex = m.Developer.objects.get(name="Công ty Cổ phần Becamex Bình Định")
        self.assertFalse(becamex.is_synthetic)  # a real company
        self.assertTrue(becamex.capital_is_synthetic)  # with invented capital
        # Every developer with a capital figure has it marked (all are invented in the demo);
        # state units without capital figures have nothing to mark.
        self.assertFalse(
            m.Developer.objects.filter(own_capital_bn_vnd__isnull=False, capital_is_synthetic=False)
        )

    def test_invented_records_are_flagged(self):
        for model in (m.Obstacle, m.DevelopmentTarget, m.AnnualReport, m.DeveloperTransfer):
            with self.subTest(model=model.__name__):
                self.assertTrue(model.objects.exists())
                self.assertFalse(model.objects.filter(is_synthetic=False).exists())

    def test_successions_from_synthetic_boundaries_are_flagged(self):
        links = m.AdminUnitSuccession.objects.select_related("predecessor")
        provinces = links.filter(predecessor__level="province")
        self.assertEqual(provinces.count(), 5)  # Resolution 202/2025/QH15: real links
        self.assertFalse(provinces.filter(is_synthetic=True).exists())
        self.assertTrue(links.exclude(predecessor__level="province").exists())
        self.assertFalse(
            links.exclude(predecessor__level="province").filter(is_synthetic=False).exists()
        )

    def test_area_figures_say_which_are_invented(self):
        becamex = m.IndustrialArea.objects.get(code="KCN-BECAMEX")
        # 1,000 ha and VND 7,500 bn are sourced (DOMAIN.md §6.1); the land breakdown is not.
        self.assertNotIn("planned_area_ha", becamex.synthetic_fields)
        self.assertNotIn("total_investment_bn_vnd", becamex.synthetic_fields)
        self.assertIn("industrial_land_ha", becamex.synthetic_fields)
        an_nghiep = m.IndustrialArea.objects.get(code="KCN-ANNGHIEP")
        self.assertIn("total_investment_bn_vnd", an_nghiep.synthetic_fields)
        self.assertNotIn("planned_area_ha", an_nghiep.synthetic_fields)  # 243 ha (§3.2)
        self.assertTrue(an_nghiep.has_synthetic_data)

    def test_the_capacity_verdict_says_it_rests_on_demonstration_data(self):
        with translation.override("en"):
            run = analysis_run("targets", as_of_year=2025)
            r = translate(run.results)
        by_name = {c["developer_name"]: c for c in r["developer_capacity"]}
        phu_my = by_name["Công ty Cổ phần Tập đoàn Phú Mỹ"]  # real company, invented capital
        self.assertTrue(phu_my["rests_on_demonstration_data"])
        self.assertIn(
            "This verdict rests on demonstration data (its own capital", phu_my["message"]
        )
        self.assertIn("dựa trên dữ liệu minh họa", phu_my["message_vi"])
        self.assertEqual(
            r["counts"]["capacity_on_demonstration_data"],
            sum(1 for c in r["developer_capacity"] if c["rests_on_demonstration_data"]),
        )

    def test_the_demo_dashboards_and_map_show_the_notice(self):
        client = english_client()
        soc_trang = m.AdminUnit.objects.get(code="94", level="province")
        tran_de = m.IndustrialArea.objects.get(code="KCN-TRANDE")
        for url in (
            reverse("web:dashboard_province", args=[soc_trang.pk]),
            reverse("web:dashboard_area", args=[tran_de.pk]),
            reverse("web:map"),
        ):
            with self.subTest(url=url):
                page = client.get(url).content.decode()
                self.assertIn('id="kcn-demo-notice"', page)
                self.assertIn("Demonstration data", page)


@pytest.fixture
def real_province(db):
    """A province, commune, road-free area and developer with nothing invented."""
    province = m.AdminUnit.objects.create(
        code="52",
        gso_code="52",
        name="Bình Định",
        level="province",
        boundary=box4326(108.6, 13.5, 109.4, 14.7),
        valid_from=dt.date(1976, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        zone_srid=9217,
    )
    developer = m.Developer.objects.create(
        name="Công ty Cổ phần Becamex Bình Định", kind="enterprise", own_capital_bn_vnd=2350
    )
    area = m.IndustrialArea.objects.create(
        code="KCN-REAL",
        name="KCN Thật",
        kind="KCN",
        boundary=box4326(109.0, 14.0, 109.01, 14.01),
        planned_area_ha=100,
        industrial_land_ha=70,
        status="operating",
        admin_unit=province,
        developer=developer,
    )
    return province, area, developer


def english_client() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"  # the pages follow the language chosen
    return client


def _page(path: str) -> str:
    return english_client().get(path).content.decode()


@pytest.mark.django_db
def test_no_notice_where_nothing_shown_is_synthetic(real_province):
    province, area, _developer = real_province
    for path in (
        reverse("web:dashboard_province", args=[province.pk]),
        reverse("web:dashboard_area", args=[area.pk]),
        reverse("web:map"),
    ):
        page = _page(path)
        assert "kcn-demo-notice" not in page, path
        assert "Demonstration data" not in page, path
    assert "Figures as of" in _page(reverse("web:dashboard_province", args=[province.pk]))


@pytest.mark.django_db
def test_one_invented_obstacle_brings_the_notice_to_its_dashboards(real_province):
    province, area, _developer = real_province
    m.Obstacle.objects.create(
        area=area,
        category="clearance",
        description="Vướng giải phóng mặt bằng (minh họa)",
        responsible_agency="UBND xã",
        raised_on=dt.date(2025, 1, 1),
        is_synthetic=True,
    )
    for path in (
        reverse("web:dashboard_province", args=[province.pk]),
        reverse("web:dashboard_area", args=[area.pk]),
    ):
        assert 'id="kcn-demo-notice"' in _page(path), path
    # Obstacles are not a map layer: the map shows nothing invented.
    assert "kcn-demo-notice" not in _page(reverse("web:map"))


@pytest.mark.django_db
def test_invented_capital_brings_the_notice(real_province):
    province, _area, developer = real_province
    developer.capital_is_synthetic = True
    developer.save()
    assert 'id="kcn-demo-notice"' in _page(reverse("web:dashboard_province", args=[province.pk]))


@pytest.mark.django_db
def test_the_map_names_the_layers_with_illustrative_records(real_province):
    _province, area, _developer = real_province
    area.synthetic_fields = ["lease_price_usd_m2"]
    area.save()
    page = _page(reverse("web:map"))
    assert (
        "Demonstration data: these layers hold illustrative records — Industrial parks and "
        "clusters." in page
    ), page[page.find("kcn-demo") - 200 : page.find("kcn-demo") + 400]


@pytest.mark.django_db
def test_the_migration_names_the_codes_provinces_already_carry():
    """An existing database: pre-2025 provinces carry the GSO code, 2025 ones the Ministry's
    number (matinhBNV); the migration copies each into its named field, ``code`` unchanged."""
    old = m.AdminUnit.objects.create(
        code="94",
        name="Sóc Trăng",
        level="province",
        boundary=box4326(105.55, 9.2, 106.35, 9.95),
        valid_from=dt.date(1992, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        zone_srid=9209,
    )
    new = m.AdminUnit.objects.create(
        code="33",
        name="Cần Thơ",
        level="province",
        boundary=box4326(105.2, 9.2, 106.35, 10.3),
        valid_from=dt.date(2025, 7, 1),
        zone_srid=5897,
    )
    _migration(MIGRATION).copy_codes(django_apps, None)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.code, old.gso_code, old.moha_code) == ("94", "94", None)
    assert (new.code, new.gso_code, new.moha_code) == ("33", None, "33")


@pytest.mark.django_db
def test_the_migration_flags_capital_the_demo_marks_as_illustrative():
    real = m.Developer.objects.create(
        name="DinTsun Holding",
        kind="enterprise",
        own_capital_bn_vnd=310,
        notes="Tên theo nguồn công khai (…); vốn điều lệ, vốn chủ sở hữu: số liệu minh họa.",
    )
    audited = m.Developer.objects.create(
        name="Cty có BCTC", kind="enterprise", own_capital_bn_vnd=9
    )
    _migration(MIGRATION).flag_marked_demo_rows(django_apps, None)
    real.refresh_from_db()
    audited.refresh_from_db()
    assert real.capital_is_synthetic and not real.is_synthetic
    assert not audited.capital_is_synthetic


@pytest.mark.django_db
def test_a_figure_written_through_a_door_is_no_longer_marked_invented(real_province):
    _province, area, developer = real_province
    area.synthetic_fields = ["total_investment_bn_vnd", "lease_price_usd_m2"]
    area.total_investment_bn_vnd = 500  # the demo's invented figure, stored with its mark
    area.save()
    area.refresh_from_db()
    assert area.synthetic_fields == ["total_investment_bn_vnd", "lease_price_usd_m2"]
    # The planner types the investment of the approved decision: it is sourced now.
    area.total_investment_bn_vnd = 612
    area.save()
    area.refresh_from_db()
    assert area.synthetic_fields == ["lease_price_usd_m2"]
    # Saving again without a change keeps what is still invented.
    area.save()
    area.refresh_from_db()
    assert area.synthetic_fields == ["lease_price_usd_m2"]

    developer.capital_is_synthetic = True
    developer.save()
    developer.refresh_from_db()
    assert developer.capital_is_synthetic  # set by the writer itself
    developer.own_capital_bn_vnd = 2400  # from the audited statements
    developer.save(update_fields=["own_capital_bn_vnd"])
    developer.refresh_from_db()
    assert not developer.capital_is_synthetic
