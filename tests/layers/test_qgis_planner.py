"""QGIS 3.22 (Debian python3-qgis, offscreen) against the live service with the demo province:
what a planner does after adding the WMS and WFS URLs."""
import json
import os
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from planning import models as m
from planning.services.demo import demo_load

SCRIPT = Path(__file__).resolve().parents[1] / "clients" / "qgis_client.py"
HAS_QGIS = Path("/usr/lib/python3/dist-packages/qgis/core/__init__.py").exists()

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not HAS_QGIS, reason="QGIS (Debian python3-qgis) is not installed; make test installs it"),
]


def test_planner_session_in_qgis(live_server, tmp_path):
    demo_load()
    user = get_user_model().objects.create_user("planner", password="Qgis-2025!")
    province = m.AdminUnit.objects.get(name="Bình Định", level="province")
    m.Membership.objects.create(user=user, role="commune_staff", admin_unit=province)
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(["/usr/bin/python3", str(SCRIPT), live_server.url, "planner", "Qgis-2025!", str(tmp_path),
                          token.key],
                         capture_output=True, text=True, timeout=300, env=env)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, run.stdout[-2000:] + run.stderr[-2000:]
    seen = json.loads(lines[-1])
    assert seen["wms_valid"] and seen["wms_render_painted_samples"] > 500
    assert seen["wfs_areas_valid"] and seen["wfs_areas_count"] == m.IndustrialArea.objects.count()
    assert seen["wfs_parcels_valid"]
    assert seen["wfs_parcels_count"] == m.ClearanceParcel.objects.count()   # every page, 200 at a time
    assert "holder_name" not in seen["wfs_parcels_fields"]
    assert seen["wfs_parcels_handed_over"] == m.ClearanceParcel.objects.filter(status="handed_over").count()
    assert seen["wfs_proposals_valid"] and seen["wfs_proposals_can_add"]
    assert seen["wfs_proposals_commit"], seen["wfs_proposals_errors"]
    created = m.Proposal.objects.get(name="CCN đề xuất từ QGIS")
    assert created.proposed_by == user and created.status == "draft"
    assert 30 < created.area_ha < 60  # 0.006° × 0.006° near 14.3° N ≈ 42 ha
