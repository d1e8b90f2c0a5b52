"""The proposal workflow over the REST API and WFS-T: files in any CRS, steps, rights, errors."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from planning import geo
from planning import models as m

pytestmark = pytest.mark.django_db

API = "/api/v1/proposals/"
WFS = "/ows/wfs"
SITE = shapely.box(109.0, 14.0, 109.005, 14.005)  # about 30 ha in Xã Cát Hanh (binh_dinh fixture)


def _client(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def people(binh_dinh, soc_trang):
    province, commune = binh_dinh
    _, st_commune = soc_trang
    User = get_user_model()
    out = {}
    for name, role, unit in (
        ("canbo", "commune_staff", commune),
        ("canbo_st", "commune_staff", st_commune),
        ("sct", "industry_reviewer", province),
        ("bql", "ezone_reviewer", province),
    ):
        out[name] = User.objects.create_user(name, password=f"pw-{name}-1")
        m.Membership.objects.create(user=out[name], role=role, admin_unit=unit)
    out["nobody"] = User.objects.create_user("nobody", password="pw-nobody-1")
    return out


def _vn2000_geojson():
    metric = geo.transform(SITE, 4326, 9217)
    return json.loads(shapely.to_geojson(metric))


def _create(client, **extra):
    body = {
        "name": "CCN Cát Hanh 2",
        "kind": "CCN",
        "admin_unit": "21907",
        "rationale": "gần QL19B",
        "geometry": json.loads(shapely.to_geojson(SITE)),
        **extra,
    }
    return client.post(API, body, format="json")


def _write(path, geoms, *, driver, crs="EPSG:4326"):
    wkb = np.array([shapely.to_wkb(g) for g in geoms], dtype=object)
    pyogrio.raw.write(
        str(path),
        wkb,
        [np.array(["ranh giới"] * len(geoms), dtype=object)],
        ["ten"],
        driver=driver,
        geometry_type="Polygon",
        crs=crs,
    )


def test_create_from_geojson_in_vn2000_and_read_it_back(people):
    r = _create(_client(people["canbo"]), geometry=_vn2000_geojson(), crs="EPSG:9217")
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["status"] == "draft" and d["code"].startswith("DX-21907-") and 25 < d["area_ha"] < 35
    assert r["Location"] == f"{API}{d['id']}/"
    x0, y0, x1, y1 = shapely.bounds(shapely.from_geojson(json.dumps(d["geometry"])))
    assert abs(x0 - 109.0) < 1e-6 and abs(y1 - 14.005) < 1e-6  # back in lon/lat
    assert [e["action"] for e in d["events"]] == ["created"] and d["events"][0]["actor"][
        "username"
    ] == "canbo"
    assert d["actions"] == ["edit", "submit", "withdraw", "comment", "delete"]


@pytest.mark.parametrize("fmt", ["shp", "kml", "gpkg"])
def test_create_from_an_uploaded_file(people, tmp_path, fmt):
    if fmt == "shp":
        _write(
            tmp_path / "ranh_gioi.shp",
            [geo.transform(SITE, 4326, 9217)],
            driver="ESRI Shapefile",
            crs="EPSG:9217",
        )
        upload = tmp_path / "ranh_gioi.zip"
        with zipfile.ZipFile(upload, "w") as zf:
            for ext in ("shp", "shx", "dbf", "prj"):
                zf.write(tmp_path / f"ranh_gioi.{ext}", f"ranh_gioi.{ext}")
    elif fmt == "kml":
        upload = tmp_path / "ranh_gioi.kml"
        _write(upload, [SITE], driver="KML")
    else:
        upload = tmp_path / "ranh_gioi.gpkg"
        _write(upload, [geo.transform(SITE, 4326, 9217)], driver="GPKG", crs="EPSG:9217")
    data = {
        "name": f"CCN từ tệp {fmt}",
        "kind": "CCN",
        "admin_unit": "21907",
        "file": SimpleUploadedFile(upload.name, upload.read_bytes()),
    }
    r = _client(people["canbo"]).post(API, data, format="multipart")
    assert r.status_code == 201, r.content
    p = m.Proposal.objects.get(pk=r.json()["id"])
    assert p.geom.extent == pytest.approx((109.0, 14.0, 109.005, 14.005), abs=1e-6)


def test_read_file_returns_the_polygon_without_storing(people, tmp_path):
    path = tmp_path / "a.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": json.loads(shapely.to_geojson(SITE)),
                    }
                ],
            }
        )
    )
    r = _client(people["canbo"]).post(
        f"{API}read-file/",
        {"file": SimpleUploadedFile("a.geojson", path.read_bytes())},
        format="multipart",
    )
    assert r.status_code == 200, r.content
    assert r.json()["geometry"]["type"] == "MultiPolygon" and m.Proposal.objects.count() == 0


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("ranh_gioi.txt", b"hello", "upload a GeoJSON, KML"),
        ("ranh_gioi.geojson", b"{not json", "cannot be read"),
        ("ranh_gioi.zip", b"PK\x03\x04broken", "cannot be read"),
        (
            "hai.geojson",
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {},
                            "geometry": json.loads(shapely.to_geojson(SITE)),
                        },
                        {
                            "type": "Feature",
                            "properties": {},
                            "geometry": json.loads(shapely.to_geojson(SITE)),
                        },
                    ],
                }
            ).encode(),
            "holds 2 features",
        ),
        (
            "diem.geojson",
            json.dumps(
                {
                    "type": "Feature",
                    "properties": {},
                    "geometry": {"type": "Point", "coordinates": [109.0, 14.0]},
                }
            ).encode(),
            "needs a polygon",
        ),
    ],
)
def test_bad_files_are_refused_with_a_message(people, name, content, message):
    data = {
        "name": "x",
        "kind": "CCN",
        "admin_unit": "21907",
        "file": SimpleUploadedFile(name, content),
    }
    r = _client(people["canbo"]).post(f"{API}?lang=en", data, format="multipart")
    assert r.status_code == 400, r.content
    assert message in r.json()["error"]["message"]
    assert m.Proposal.objects.count() == 0


def test_bad_json_input(people):
    c = _client(people["canbo"])
    r = _create(c, geometry={"type": "Polygon", "coordinates": "nope"})
    assert r.status_code == 400 and "geometry" in r.json()["error"]["message"]
    r = _create(c, crs="EPSG:abc")
    assert r.status_code == 400 and "crs" in r.json()["error"]["message"]
    r = _create(c, kind="XYZ")
    assert r.status_code == 400
    r = c.get(f"{API}?status=bogus")
    assert r.status_code == 400 and "bogus" in r.json()["error"]["message"]


def test_access_is_refused(people):
    r = _create(_client(people["canbo_st"]))  # staff of another commune
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = _create(_client(people["nobody"]))  # signed in, no role
    assert r.status_code == 403
    r = _create(APIClient())  # anonymous
    assert r.status_code in (401, 403)
    pid = _create(_client(people["canbo"])).json()["id"]
    assert _client(people["canbo_st"]).get(f"{API}{pid}/").status_code == 404
    assert _client(people["sct"]).get(f"{API}{pid}/").status_code == 404  # a draft: not yet sent
    assert (
        _client(people["canbo_st"]).post(f"{API}{pid}/submit/", {}, format="json").status_code
        == 404
    )


def test_workflow_through_the_api_and_the_planned_area_in_wfs(people):
    staff, reviewer = _client(people["canbo"]), _client(people["sct"])
    pid = _create(staff).json()["id"]
    r = staff.patch(f"{API}{pid}/", {"rationale": "đã sửa"}, format="json")
    assert r.status_code == 200 and r.json()["rationale"] == "đã sửa"
    r = staff.post(f"{API}{pid}/submit/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert any(
        rule["rule"] == "area_limits" and rule["passed"] for rule in r.json()["validation"]["rules"]
    )
    q = reviewer.get(f"{API}?queue=1&status=submitted").json()
    assert [p["id"] for p in q["results"]] == [pid]
    assert _client(people["bql"]).get(f"{API}?queue=1").json()["count"] == 0
    # The BQL reviews parks only: a cluster is not even shown to it.
    assert _client(people["bql"]).post(f"{API}{pid}/approve/", {}, format="json").status_code == 404
    assert staff.post(f"{API}{pid}/approve/", {}, format="json").status_code == 403
    r = reviewer.post(f"{API}{pid}/reject/?lang=en", {"comment": ""}, format="json")
    assert r.status_code == 400 and "Write a comment" in r.json()["error"]["message"]
    assert (
        reviewer.post(f"{API}{pid}/review/", {}, format="json").json()["status"] == "under_review"
    )
    assert (
        reviewer.post(
            f"{API}{pid}/comment/", {"comment": "Xem lại đấu nối"}, format="json"
        ).status_code
        == 200
    )
    r = reviewer.post(f"{API}{pid}/approve/", {"comment": "Đồng ý"}, format="json")
    assert r.status_code == 200, r.content
    d = r.json()
    assert d["status"] == "approved" and d["resulting_area"]["status"] == "planned"
    assert [e["action"] for e in d["events"]] == [
        "created",
        "edited",
        "submitted",
        "review_started",
        "commented",
        "approved",
    ]
    assert d["events"][-1]["actor"]["username"] == "sct" and d["events"][-1]["comment"] == "Đồng ý"
    r = reviewer.post(f"{API}{pid}/approve/", {}, format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    assert reviewer.post(f"{API}{pid}/nonsense/", {}, format="json").status_code == 404
    # The planned area is published at once on the public WFS layer.
    r = Client().get(
        WFS,
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "industrial_areas",
            "OUTPUTFORMAT": "application/json",
        },
    )
    assert r.status_code == 200
    codes = {f["properties"]["code"]: f["properties"]["status"] for f in r.json()["features"]}
    assert codes[d["resulting_area"]["code"]] == "planned"


def test_wfs_t_goes_through_the_workflow(people):
    from tests.layers.test_wfs_support import basic, exception_code

    User = get_user_model()
    people["canbo"].set_password("pw-canbo-1")
    people["canbo"].save()
    pid = _create(_client(people["canbo"])).json()["id"]
    # Asked in English: the assertions read the English wording (the default is Vietnamese).
    auth = {
        "HTTP_AUTHORIZATION": basic("canbo", "pw-canbo-1"),
        "HTTP_ACCEPT_LANGUAGE": "en",
    }

    def post(body):
        return Client().generic("POST", WFS, body.encode(), content_type="text/xml", **auth)

    status_update = f"""<wfs:Transaction service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"
      xmlns:fes="http://www.opengis.net/fes/2.0"><wfs:Update typeName="proposals"><wfs:Property>
      <wfs:ValueReference>status</wfs:ValueReference><wfs:Value>approved</wfs:Value></wfs:Property>
      <fes:Filter><fes:ResourceId rid="proposals.{pid}"/></fes:Filter></wfs:Update>
      </wfs:Transaction>"""
    r = post(status_update)
    assert r.status_code == 400 and "review workflow" in r.content.decode()
    assert m.Proposal.objects.get(pk=pid).status == "draft"
    rename = status_update.replace(
        "<wfs:ValueReference>status</wfs:ValueReference><wfs:Value>approved",
        "<wfs:ValueReference>name</wfs:ValueReference><wfs:Value>Tên mới",
    )
    assert post(rename).status_code == 200
    p = m.Proposal.objects.get(pk=pid)
    assert p.name == "Tên mới" and list(p.events.values_list("action", flat=True)) == [
        "created",
        "edited",
    ]
    # Once submitted, the draft is frozen for WFS-T as for the API.
    _client(people["canbo"]).post(f"{API}{pid}/submit/", {}, format="json")
    r = post(rename.replace("Tên mới", "Tên khác"))
    assert r.status_code == 400 and exception_code(r)[0] == "InvalidParameterValue"
    assert "only as a draft" in r.content.decode() or "bản nháp" in r.content.decode()
    assert m.Proposal.objects.get(pk=pid).name == "Tên mới"
    assert User.objects.count() == 5


def test_openapi_schema_lists_the_workflow(people):
    r = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    text = r.content.decode()
    for path in (
        "/api/v1/proposals/",
        "/api/v1/proposals/{id}/",
        "/api/v1/proposals/{id}/{action}/",
        "/api/v1/proposals/read-file/",
    ):
        assert path in text, path


@pytest.mark.parametrize("who", ["canbo", "sct"])
def test_listing_costs_the_same_queries_for_3_or_30_proposals(people, who):
    """The rights behind each row's actions are read once per request, not once per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff, me = _client(people["canbo"]), _client(people[who])

    def listed():
        with CaptureQueriesContext(connection) as queries:
            r = me.get(API)
        assert r.status_code == 200
        return r.json()["count"], len(queries)

    made = []

    def add(n):  # side by side in a 10 × 3 grid, apart, all inside Xã Cát Hanh
        for _ in range(n):
            i = len(made)
            x, y = 108.96 + 0.012 * (i % 10), 13.96 + 0.012 * (i // 10)
            body = {
                "name": f"CCN thử {i}",
                "kind": "CCN",
                "admin_unit": "21907",
                "geometry": json.loads(shapely.to_geojson(shapely.box(x, y, x + 0.005, y + 0.005))),
            }
            made.append(i)
            r = staff.post(API, body, format="json")
            assert r.status_code == 201, r.content
            assert staff.post(f"{API}{r.json()['id']}/submit/").status_code == 200

    add(3)
    few, q_few = listed()
    add(27)
    many, q_many = listed()
    assert (few, many) == (3, 30)
    assert q_many == q_few, (q_few, q_many)
