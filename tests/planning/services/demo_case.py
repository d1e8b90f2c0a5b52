"""A TestCase base with the demo province loaded once per class and its rasters at 100 m.

The rasters are written to a temporary directory (``settings.KCN_RASTER_DIR``) that lives as long
as the class; 100 m cells keep the site suggestion to about a second per province.
"""

from __future__ import annotations

import shutil
import tempfile

from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings

from planning import models as m
from tests.jobs_support import TASKS_AT_ONCE


class DemoTestCase(TestCase):
    resolution_m = 100.0

    @classmethod
    def setUpClass(cls):
        cls._raster_dir = tempfile.mkdtemp(prefix="kcn-rasters-")
        cls._raster_override = override_settings(
            KCN_RASTER_DIR=cls._raster_dir, TASKS=TASKS_AT_ONCE
        )
        cls._raster_override.enable()
        try:
            super().setUpClass()
        except Exception:
            cls._raster_override.disable()
            shutil.rmtree(cls._raster_dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls._raster_override.disable()
            shutil.rmtree(cls._raster_dir, ignore_errors=True)

    @classmethod
    def setUpTestData(cls):
        from planning.services.demo import demo_load
        from planning.services.rasters import rasters_build

        demo_load()
        rasters_build(resolution_m=cls.resolution_m)
        cls.province_bd = m.AdminUnit.objects.get(code="52", level="province")
        cls.province_st = m.AdminUnit.objects.get(code="94", level="province")
        cls.planner = get_user_model().objects.create_user("planner", password="pw-planner-1")
        m.Membership.objects.create(
            user=cls.planner, role="industry_reviewer", admin_unit=cls.province_bd, area_kind="CCN"
        )
