"""Real clients against a live server: OWSLib (WFS 1.1.0 and 2.0.0), GDAL's WFS driver, requests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import requests
from django.contrib.gis.geos import MultiPolygon, Polygon
from lxml import etree
from owslib.etree import etree as owslib_etree
from owslib.fes import FilterRequest
from owslib.fes import PropertyIsLike as Like11
from owslib.fes2 import Filter as Filter20
from owslib.fes2 import PropertyIsLike as Like20
from owslib.wfs import WebFeatureService
from pyproj import Transformer

from layers.wfs import operations
from planning import models as m
from tests.layers.test_wfs_support import NS, make_user, world  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

GDAL_PASSWORD = "gdal-test-password-42"  # ASCII: it travels in an environment variable
gdal = pytest.mark.skipif(
    shutil.which("ogrinfo") is None, reason="GDAL command-line tools are not installed"
)


@pytest.fixture
def clients_world(world):
    make_user("qgis", role="commune_staff", unit=world["commune_a"])
    staff = m.Membership.objects.get(user__username="qgis").user
    staff.set_password(GDAL_PASSWORD)
    staff.save()
    return world


def _fids(data: bytes) -> list[str]:
    root = etree.fromstring(data)
    features = root.xpath("./*[local-name()='member' or local-name()='featureMember']/*")
    return [f.get(f"{{{NS['gml']}}}id") or f.get(f"{{{NS['gml2']}}}id") for f in features]


# --- OWSLib --------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.1.0", "2.0.0"])
def test_owslib_contents_and_bbox(live_server, clients_world, version):
    wfs = WebFeatureService(f"{live_server.url}/ows/wfs", version=version)
    assert {"industrial_areas", "road_corridors", "admin_units"} <= set(wfs.contents)
    assert "clearance_parcels" not in wfs.contents and "proposals" not in wfs.contents
    layer = wfs["industrial_areas"]
    assert layer.title == "Khu, cụm công nghiệp"
    assert layer.boundingBoxWGS84 == pytest.approx((109.0, 13.96, 109.17, 14.04))
    assert "urn:ogc:def:crs:EPSG::9217" in [c.getcodeurn() for c in layer.crsOptions]
    # OWSLib sends the box in the layer's default CRS (the lat/lon URN) — in the right order.
    data = wfs.getfeature(typename=["industrial_areas"], bbox=(108.99, 13.95, 109.045, 14.0)).read()
    assert _fids(data) == [f"industrial_areas.{clients_world['areas']['KCN-NH'].pk}"]
    ops = {op.name for op in wfs.operations}
    assert "GetFeature" in ops and "Transaction" not in ops


def test_owslib_110_filter_paging_and_srsname(live_server, clients_world):
    wfs = WebFeatureService(f"{live_server.url}/ows/wfs", version="1.1.0")
    like = Like11(propertyname="name", literal="CCN*", wildCard="*", singleChar=".", escapeChar="!")
    flt = FilterRequest().setConstraint(like, tostring=True)
    flt = flt.decode() if isinstance(flt, bytes) else flt
    data = wfs.getfeature(typename=["industrial_areas"], filter=flt).read()
    areas = clients_world["areas"]
    assert set(_fids(data)) == {f"industrial_areas.{areas[c].pk}" for c in ("CCN-BTX", "CCN-PA")}
    pages = [
        _fids(wfs.getfeature(typename=["industrial_areas"], maxfeatures=2, startindex=s).read())
        for s in (0, 2)
    ]
    assert [len(p) for p in pages] == [2, 1]
    assert len(set(pages[0] + pages[1])) == 3
    data = wfs.getfeature(typename=["road_corridors"], srsname="urn:ogc:def:crs:EPSG::9217").read()
    got = np.array(
        etree.fromstring(data).findtext(".//{http://www.opengis.net/gml}posList").split(), float
    )
    t = Transformer.from_crs(4326, 9217, always_xy=True)
    expected = np.column_stack(t.transform([108.96, 109.20], [13.97, 13.99])).ravel()
    np.testing.assert_allclose(got, expected, atol=0.01)


def test_owslib_200_filter_post_paging_and_hits(live_server, clients_world):
    url = f"{live_server.url}/ows/wfs"
    wfs = WebFeatureService(url, version="2.0.0")
    flt = owslib_etree.tostring(
        Filter20(Like20(propertyname="name", literal="*Hòa", wildCard="*")).toXML()
    ).decode()
    data = wfs.getfeature(typename=["industrial_areas"], filter=flt, method="POST").read()
    assert _fids(data) == [f"industrial_areas.{clients_world['areas']['KCN-NH'].pk}"]
    first = wfs.getfeature(typename=["industrial_areas"], maxfeatures=2, sortby=["code"]).read()
    second = wfs.getfeature(
        typename=["industrial_areas"], maxfeatures=2, startindex=2, sortby=["code"]
    ).read()
    root = etree.fromstring(first)
    assert root.get("numberMatched") == "3" and root.get("numberReturned") == "2"
    assert "STARTINDEX=2" in root.get("next")
    assert len(set(_fids(first)) | set(_fids(second))) == 3
    hits = requests.get(
        url,
        params={
            "service": "WFS",
            "version": "2.0.0",
            "request": "GetFeature",
            "typeNames": "industrial_areas",
            "resultType": "hits",
        },
        timeout=30,
    )
    assert etree.fromstring(hits.content).get("numberMatched") == "3"
    data = wfs.getfeature(typename=["industrial_areas"], srsname="EPSG:3857", maxfeatures=1).read()
    x, y = etree.fromstring(data).findtext(f".//{{{NS['gml']}}}posList").split()[:2]
    assert 1.2e7 < float(x) < 1.22e7 and 1.5e6 < float(y) < 1.6e6  # Web Mercator metres, x first


def test_owslib_with_credentials_sees_staff_layers(live_server, clients_world):
    wfs = WebFeatureService(
        f"{live_server.url}/ows/wfs", version="2.0.0", username="qgis", password=GDAL_PASSWORD
    )
    assert {"proposals", "clearance_parcels"} <= set(wfs.contents)
    assert "Transaction" in {op.name for op in wfs.operations}


def test_transaction_posted_with_requests(live_server, clients_world):
    body = """<wfs:Transaction service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"
      xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:kcn="http://kcn-planner.vn/kcn"><wfs:Insert>
      <kcn:proposals><kcn:name>Đề xuất qua requests</kcn:name><kcn:geom>
       <gml:Polygon gml:id="p" srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing>
        <gml:posList>14.0 108.975 14.0 108.985 14.01 108.985 14.01 108.975 14.0 108.975
        </gml:posList>
       </gml:LinearRing></gml:exterior></gml:Polygon></kcn:geom></kcn:proposals></wfs:Insert>
    </wfs:Transaction>"""
    url = f"{live_server.url}/ows/wfs"
    anonymous = requests.post(
        url, data=body.encode(), headers={"Content-Type": "text/xml"}, timeout=30
    )
    assert anonymous.status_code == 401
    r = requests.post(
        url,
        data=body.encode(),
        headers={"Content-Type": "text/xml"},
        auth=("qgis", GDAL_PASSWORD),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    rid = (
        etree.fromstring(r.content).find(".//{http://www.opengis.net/fes/2.0}ResourceId").get("rid")
    )
    p = m.Proposal.objects.get(pk=int(rid.rpartition(".")[2]))
    assert p.proposed_by.username == "qgis" and p.history.get().history_user.username == "qgis"


# --- GDAL ----------------------------------------------------------------------------------------


def _gdal_env(**extra) -> dict:
    env = dict(os.environ)
    env.update({"GDAL_HTTP_TIMEOUT": "60", "CPL_DEBUG": "OFF", "GDAL_HTTP_MAX_RETRY": "0"})
    env.update(extra)
    return env


def _run(args, **env):
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, env=_gdal_env(**env))
    assert result.returncode == 0, result.stderr
    return result.stdout


@gdal
def test_ogrinfo_lists_the_layers(live_server, clients_world):
    out = _run(["ogrinfo", "-ro", "-so", f"WFS:{live_server.url}/ows/wfs"])
    layers = {line.split(":", 1)[1].split()[0] for line in out.splitlines() if line[:1].isdigit()}
    assert layers == {
        "admin_units",
        "industrial_areas",
        "road_corridors",
        "infrastructure_lines",
        "infrastructure_points",
        "secondary_projects",
        "road_interchanges",
        "plan_entries",
    }
    out = _run(
        ["ogrinfo", "-ro", "-so", f"WFS:{live_server.url}/ows/wfs"],
        GDAL_HTTP_USERPWD=f"qgis:{GDAL_PASSWORD}",
        GDAL_HTTP_AUTH="BASIC",
    )
    assert "clearance_parcels" in out and "proposals (title: Đề xuất khu, cụm công nghiệp)" in out


@pytest.fixture
def many_parcels(clients_world):
    commune = clients_world["commune_a"]
    parcels = []
    for i in range(230):
        x, y = 108.96 + (i % 23) * 0.002, 13.96 + (i // 23) * 0.002
        parcels.append(
            m.ClearanceParcel(
                map_sheet="30",
                parcel_no=str(1000 + i),
                land_use="HNK",
                admin_unit=commune,
                metric_srid=9217,
                boundary=MultiPolygon(Polygon.from_bbox((x, y, x + 0.0015, y + 0.0015)), srid=4326),
                holder_name="Trần Thị Riêng Tư",
                holder_id_number="079188000111",
                households=1,
            )
        )
    m.ClearanceParcel.objects.bulk_create(parcels)
    return m.ClearanceParcel.objects.count()


@gdal
def test_ogrinfo_pages_through_every_parcel(live_server, many_parcels, monkeypatch):
    seen_pages = []
    real = operations.get_feature

    def spy(req, **kwargs):
        if not req.hits:
            seen_pages.append((req.start_index, req.count))
        return real(req, **kwargs)

    monkeypatch.setattr(operations, "get_feature", spy)
    out = _run(
        ["ogrinfo", "-ro", "-al", f"WFS:{live_server.url}/ows/wfs", "clearance_parcels"],
        OGR_WFS_PAGE_SIZE="50",
        OGR_WFS_PAGING_ALLOWED="ON",
        GDAL_HTTP_USERPWD=f"qgis:{GDAL_PASSWORD}",
        GDAL_HTTP_AUTH="BASIC",
    )
    ids = [
        line.split("=", 1)[1].strip()
        for line in out.splitlines()
        if line.strip().startswith("gml_id (String)")
    ]
    assert len(ids) == len(set(ids)) == many_parcels == 233  # 230 + the 3 of the shared world
    assert out.count("OGRFeature(clearance_parcels)") == many_parcels
    assert "Riêng Tư" not in out and "holder" not in out
    assert len(seen_pages) >= 5 and all(count == 50 for _, count in seen_pages)


@gdal
def test_ogrinfo_without_credentials_does_not_see_parcels(live_server, clients_world):
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"WFS:{live_server.url}/ows/wfs", "clearance_parcels"],
        capture_output=True,
        text=True,
        timeout=120,
        env=_gdal_env(),
    )
    assert result.returncode != 0


@gdal
def test_ogr2ogr_to_geojson(live_server, clients_world, tmp_path):
    out = tmp_path / "out.json"
    _run(
        ["ogr2ogr", "-f", "GeoJSON", str(out), f"WFS:{live_server.url}/ows/wfs", "industrial_areas"]
    )
    doc = json.loads(out.read_text())
    assert len(doc["features"]) == 3
    by_code = {f["properties"]["code"]: f for f in doc["features"]}
    assert by_code["KCN-NH"]["properties"]["developer"] == "Công ty Hạ tầng Nhơn Hòa"
    ring = np.array(by_code["KCN-NH"]["geometry"]["coordinates"][0][0])
    assert ring[:, 0].min() == pytest.approx(109.0) and ring[:, 1].max() == pytest.approx(13.99)


# --- QGIS ----------------------------------------------------------------------------------------

# Run by Debian's python3 (python3-qgis) in a subprocess; kept here, not as a .py file under tests/,
# because pytest --doctest-modules would import it with the venv interpreter, which has no qgis.
QGIS_SCRIPT = r'''"""Edit a WFS layer with QGIS (Debian's python3 with python3-qgis, offscreen).

    python3 qgis_wfst.py URL VERSION USER PASSWORD NAME

Inserts a proposal called NAME, then — each step through a fresh layer, so nothing comes from
QGIS's own cache — changes its rationale and geometry, then deletes it. Prints one JSON line
per step: {"step": ..., "ok": ..., "errors": [...]}.
"""
import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsDataSourceUri,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsVectorLayer,
)

url, version, user, password, name = sys.argv[1:6]
app = QgsApplication([], False)
app.setPrefixPath("/usr", True)
app.initQgis()


def layer():
    uri = QgsDataSourceUri()
    uri.setParam("url", url)
    uri.setParam("typename", "proposals")
    uri.setParam("version", version)
    uri.setParam("srsname", "EPSG:4326")
    uri.setUsername(user)
    uri.setPassword(password)
    lyr = QgsVectorLayer(uri.uri(False), "proposals", "WFS")
    assert lyr.isValid(), "layer not valid"
    return lyr


def polygon(x0, y0, x1, y1):
    return QgsGeometry.fromPolygonXY([[QgsPointXY(x0, y0), QgsPointXY(x1, y0), QgsPointXY(x1, y1),
                                       QgsPointXY(x0, y1), QgsPointXY(x0, y0)]])


def report(step, lyr, ok):
    print(json.dumps({"step": step, "ok": ok, "errors": lyr.commitErrors(),
                      "caps": lyr.dataProvider().capabilitiesString()}), flush=True)


def find(lyr):
    return [f for f in lyr.getFeatures() if f["name"] == name]


lyr = layer()
lyr.startEditing()
feature = QgsFeature(lyr.fields())
feature["name"] = name
feature.setGeometry(polygon(108.99, 14.02, 109.0, 14.03))
lyr.addFeature(feature)
report("insert", lyr, lyr.commitChanges())
del lyr

lyr = layer()
found = find(lyr)
lyr.startEditing()
if found:
    lyr.changeAttributeValue(found[0].id(), lyr.fields().indexOf("rationale"), "sửa trong QGIS")
    lyr.changeGeometry(found[0].id(), polygon(108.99, 14.02, 109.01, 14.04))
report("update", lyr, bool(found) and lyr.commitChanges())
del lyr

lyr = layer()
found = find(lyr)
lyr.startEditing()
if found:
    lyr.deleteFeature(found[0].id())
report("delete", lyr, bool(found) and lyr.commitChanges())
del lyr
app.exitQgis()
'''
qgis = pytest.mark.skipif(
    not Path("/usr/lib/python3/dist-packages/qgis/core/__init__.py").exists(),
    reason="QGIS (Debian python3-qgis) is not installed",
)


@qgis
@pytest.mark.slow
@pytest.mark.parametrize("version", ["2.0.0", "1.1.0", "1.0.0"])
def test_qgis_edits_proposals(live_server, clients_world, tmp_path, version):
    """QGIS 3.22 inserts, edits and deletes a proposal through WFS-T (1.0.0 documents on 2.0)."""
    name = f"Đề xuất QGIS {version}"
    env = dict(os.environ, HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    script = tmp_path / "qgis_wfst.py"
    script.write_text(QGIS_SCRIPT, encoding="utf-8")
    result = subprocess.run(
        [
            "/usr/bin/python3",
            str(script),
            f"{live_server.url}/ows/wfs",
            version,
            "qgis",
            GDAL_PASSWORD,
            name,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=tmp_path,
    )
    steps = {
        s["step"]: s
        for s in map(
            json.loads, (line for line in result.stdout.splitlines() if line.startswith("{"))
        )
    }
    assert set(steps) == {"insert", "update", "delete"}, result.stderr[-2000:]
    assert all(s["ok"] for s in steps.values()), steps
    history = list(m.Proposal.history.filter(name=name).order_by("history_id"))
    assert [h.history_type for h in history][0] == "+" and history[-1].history_type == "-"
    assert {h.history_user.username for h in history} == {"qgis"}
    inserted, edited = history[0], history[-1]
    assert inserted.geom.extent == pytest.approx((108.99, 14.02, 109.0, 14.03))
    assert edited.geom.extent == pytest.approx((108.99, 14.02, 109.01, 14.04))
    assert edited.rationale == "sửa trong QGIS" and edited.status == "draft"
