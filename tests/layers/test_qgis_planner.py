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
from tests.layers.test_wms import province  # noqa: F401  (fixture)

SCRIPT = Path(__file__).resolve().parents[1] / "clients" / "qgis_client.py"
HAS_QGIS = Path("/usr/lib/python3/dist-packages/qgis/core/__init__.py").exists()

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not HAS_QGIS, reason="QGIS (Debian python3-qgis) is not installed; make test installs it"
    ),
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
    run = subprocess.run(
        [
            "/usr/bin/python3",
            str(SCRIPT),
            live_server.url,
            "planner",
            "Qgis-2025!",
            str(tmp_path),
            token.key,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, run.stdout[-2000:] + run.stderr[-2000:]
    seen = json.loads(lines[-1])
    assert seen["wms_valid"] and seen["wms_render_painted_samples"] > 500
    assert seen["wfs_areas_valid"] and seen["wfs_areas_count"] == m.IndustrialArea.objects.count()
    assert seen["wfs_parcels_valid"]
    assert (
        seen["wfs_parcels_count"] == m.ClearanceParcel.objects.count()
    )  # every page, 200 at a time
    assert "holder_name" not in seen["wfs_parcels_fields"]
    assert (
        seen["wfs_parcels_handed_over"]
        == m.ClearanceParcel.objects.filter(status="handed_over").count()
    )
    assert seen["wfs_proposals_valid"] and seen["wfs_proposals_can_add"]
    assert seen["wfs_proposals_commit"], seen["wfs_proposals_errors"]
    created = m.Proposal.objects.get(name="CCN đề xuất từ QGIS")
    assert created.proposed_by == user and created.status == "draft"
    assert 30 < created.area_ha < 60  # 0.006° × 0.006° near 14.3° N ≈ 42 ha


def _qgis(*args, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        ["/usr/bin/python3", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith(("{", "["))]
    assert lines, run.stdout[-2000:] + run.stderr[-2000:]
    return json.loads(lines[-1])


def test_identify_in_qgis(live_server, province, tmp_path):
    """QGIS's Identify tool on the WMS (it asks GetFeatureInfo as GML for features, and as HTML
    and text): an industrial area's published attributes as WFS names them; signed in, a
    clearance parcel without its household's details."""
    user = get_user_model().objects.create_user("giam_sat", password="Qgis-2025!")
    m.Membership.objects.create(
        user=user, role="industry_reviewer", admin_unit=province[0], area_kind="CCN"
    )
    area_point = {"layers": ["road_corridors", "industrial_areas"], "x": 109.02, "y": 13.915}
    parcel_point = {
        "layers": ["clearance_parcels"],
        "x": 109.1015,
        "y": 13.9025,
        "user": "giam_sat",
        "password": "Qgis-2025!",
    }
    # Signed in first: QGIS keeps the first capabilities it reads from a URL for the session.
    parcel, area = _qgis(
        "identify", live_server.url, json.dumps([parcel_point, area_point]), tmp_path=tmp_path
    )

    assert area["valid"], area
    assert area["can_identify"] == {"feature": True, "html": True, "text": True}
    assert area["feature_valid"], area["feature_error"]
    found = [f for f in area["features"] if f["attributes"].get("code") == "KCN-NH"]
    assert len(found) == 1 and found[0]["sublayer"] == "industrial_areas", area["features"]
    attributes = found[0]["attributes"]
    assert attributes["name"] == "KCN Nhơn Hòa"
    assert str(attributes["admin_unit"]) == "52"  # QGIS reads "52" as a number
    assert attributes["developer"] == "Công ty Hạ tầng Nhơn Hòa"
    assert "KCN Nhơn Hòa" in area["html"] and "KCN Nhơn Hòa" in area["text"]

    assert parcel["valid"] and parcel["feature_valid"], parcel
    [found] = parcel["features"]
    assert str(found["attributes"]["parcel_no"]) == "0" and found["attributes"]["area"] == "CCN-BTX"
    assert not {"holder_name", "holder_id_number", "households"} & set(found["attributes"])
    assert "Bí Mật" not in json.dumps(parcel, ensure_ascii=False)
