"""WMS GetFeatureInfo in every format GetCapabilities offers, on WMS 1.1.1 and 1.3.0: the answer
is in the format asked for, carries the attributes WFS publishes (same names, same values) and
follows the same rights. Issue 11 item 3: every INFO_FORMAT was answered with HTML."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from lxml import etree, html
from owslib.wms import WebMapService

from layers.wfs.schema import feature_type
from planning import models as m
from tests.layers.test_wms import mp, province  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)
# Workflow states are written only inside the workflow (issue 11 item 1); a fixture records one.
workflow_write = getattr(m, "workflow_write", lambda reason: contextlib.nullcontext())

OFFERED = ["text/html", "text/plain", "application/vnd.ogc.gml", "text/xml"]
DEFAULT = "text/html"  # INFO_FORMAT left out
VERSIONS = ["1.1.1", "1.3.0"]
KCN_POINT = (109.02, 13.915)  # inside KCN Nhơn Hòa, away from the road
ROAD_POINT = (109.02, 13.922)  # on Quốc lộ 19, inside KCN Nhơn Hòa and the province
PERSONAL = ("holder_name", "holder_id_number", "households", "Bí Mật")


def gfi_params(
    version: str,
    layers: list[str],
    point: tuple[float, float],
    info_format: str | None,
    half: float = 0.01,
) -> dict:
    """A GetFeatureInfo request centred on ``point`` (lon/lat), 201 × 201 pixels of 0.0001°."""
    x, y = point
    params = {
        "SERVICE": "WMS",
        "VERSION": version,
        "REQUEST": "GetFeatureInfo",
        "LAYERS": ",".join(layers),
        "QUERY_LAYERS": ",".join(layers),
        "STYLES": "",
        "FORMAT": "image/png",
        "WIDTH": 201,
        "HEIGHT": 201,
        "FEATURE_COUNT": 10,
    }
    if version == "1.1.1":
        params.update(
            SRS="EPSG:4326", BBOX=f"{x - half},{y - half},{x + half},{y + half}", X=100, Y=100
        )
    else:  # EPSG:4326 is lat/lon in WMS 1.3.0
        params.update(
            CRS="EPSG:4326", BBOX=f"{y - half},{x - half},{y + half},{x + half}", I=100, J=100
        )
    if info_format:
        params["INFO_FORMAT"] = info_format
    return params


def get(client, params):
    return client.get("/ows/wms", params, HTTP_HOST="127.0.0.1")


# --- parsing each format into {layer: [ {attribute: value} ]} ------------------------------------


def parse_gml(body: bytes) -> dict[str, list[dict]]:
    root = etree.fromstring(body)
    assert etree.QName(root).localname == "msGMLOutput", body[:300]
    out = {}
    for layer in root:
        name = etree.QName(layer).localname.removesuffix("_layer")
        out[name] = [
            {
                etree.QName(p).localname: p.text or ""
                for p in feature
                if etree.QName(p).namespace != "http://www.opengis.net/gml"
            }
            for feature in layer
            if etree.QName(feature).localname == f"{name}_feature"
        ]
    return out


def parse_text(body: bytes) -> dict[str, list[dict]]:
    out, layer, feature = {}, None, None
    for line in body.decode("utf-8").splitlines():
        if match := re.match(r"^Layer '(\w+)'$", line):
            layer = out.setdefault(match[1], [])
        elif re.match(r"^  Feature \d+: ?$", line):
            feature = {}
            layer.append(feature)
        elif match := re.match(r"^    (\w+) = '(.*)'$", line):
            feature[match[1]] = match[2]
    return out


def parse_html(body: bytes, labels: dict[str, dict[str, str]]) -> dict[str, list[dict]]:
    """Tables ``kcn-<layer>``, one per feature, rows of label → value; ``labels`` maps each layer's
    labels back to attribute names."""
    doc = html.document_fromstring(body.decode("utf-8"))
    out = {}
    for table in doc.iter("table"):
        layer = next(
            c for c in table.get("class").split() if c.startswith("kcn-") and c != "kcn-featureinfo"
        )[4:]
        rows = {tr.findtext("th"): (tr.findtext("td") or "") for tr in table.iter("tr")}
        by_name = {v: k for k, v in labels[layer].items()}
        out.setdefault(layer, []).append({by_name[label]: value for label, value in rows.items()})
    return out


def labels_of(layer: str) -> dict[str, str]:
    model = feature_type(layer).model
    return {
        p.name: str(model._meta.get_field(p.name).verbose_name) for p in feature_type(layer).props
    }


def parse(info_format: str, body: bytes, layers: list[str]) -> dict[str, list[dict]]:
    if info_format == "text/html":
        return parse_html(body, {name: labels_of(name) for name in layers})
    if info_format == "text/plain":
        return parse_text(body)
    return parse_gml(body)


def published(layer: str) -> set[str]:
    return {p.name for p in feature_type(layer).props}


def wfs_properties(client, layer: str, **lookup) -> dict:
    """The feature's properties as WFS publishes them (GeoJSON)."""
    r = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": layer,
            "OUTPUTFORMAT": "application/json",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert r.status_code == 200, r.content[:300]
    features = [
        f["properties"]
        for f in r.json()["features"]
        if all(f["properties"].get(k) == v for k, v in lookup.items())
    ]
    assert len(features) == 1
    return features[0]


def same_value(info: str, wfs) -> bool:
    if wfs is None:
        return info == ""
    if isinstance(wfs, bool):
        return info == ("true" if wfs else "false")
    if isinstance(wfs, (int, float)):
        return float(info) == pytest.approx(float(wfs))
    return info == str(wfs)


@pytest.fixture
def area(province):
    """KCN Nhơn Hòa with a value of every kind set: text, decimal, date, booleans, relations."""
    kcn = province[1]
    kcn.established_on = dt.date(2005, 3, 15)
    kcn.lease_price_usd_m2 = Decimal("65.5")
    kcn.planning_decision = "QĐ 1234/QĐ-TTg"
    kcn.is_smart = True
    kcn.save()
    return kcn


# --- capabilities ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_capabilities_offer_each_format_once(live_server, province, version):
    wms = WebMapService(f"{live_server.url}/ows/wms", version=version)
    assert wms.getOperationByName("GetFeatureInfo").formatOptions == OFFERED
    assert wms["industrial_areas"].queryable


# --- one test per format and version ------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("info_format", OFFERED)
def test_answer_in_the_format_asked_with_the_wfs_attributes(
    live_server, client, area, version, info_format
):
    """OWSLib asks; the answer is labelled and written in that format, with exactly the attributes
    WFS publishes for the area, and the same values."""
    wms = WebMapService(f"{live_server.url}/ows/wms", version=version)
    x, y = KCN_POINT
    answer = wms.getfeatureinfo(
        layers=["industrial_areas"],
        srs="EPSG:4326",
        styles=[""],
        bbox=(x - 0.01, y - 0.01, x + 0.01, y + 0.01),
        size=(201, 201),
        format="image/png",
        query_layers=["industrial_areas"],
        info_format=info_format,
        xy=(100, 100),
    )
    assert answer.info()["Content-Type"].split(";")[0] == info_format
    body = answer.read()
    found = parse(info_format, body, ["industrial_areas"])
    assert list(found) == ["industrial_areas"]
    [feature] = found["industrial_areas"]
    assert set(feature) == published("industrial_areas")
    wfs = wfs_properties(client, "industrial_areas", code="KCN-NH")
    assert {k: v for k, v in feature.items() if not same_value(v, wfs[k])} == {}
    assert feature["name"] == "KCN Nhơn Hòa" and feature["admin_unit"] == "52"
    assert feature["developer"] == "Công ty Hạ tầng Nhơn Hòa" and feature["is_smart"] == "true"
    assert feature["established_on"] == "2005-03-15"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("info_format", OFFERED)
def test_several_layers_merged_in_each_format(client, province, version, info_format):
    """MapProxy asks MapServer once per layer and merges the answers: a layer with nothing there
    (first, infrastructure points) must not garble the rest (HTML was read as Latin-1), and each
    layer with a feature at the point is in the answer, in order."""
    layers = ["infrastructure_points", "industrial_areas", "road_corridors", "admin_units"]
    r = get(client, gfi_params(version, layers, ROAD_POINT, info_format))
    assert r.status_code == 200 and r["Content-Type"].split(";")[0] == info_format, r.content[:300]
    found = parse(info_format, r.content, layers)
    found = {name: features for name, features in found.items() if features}
    assert list(found) == ["industrial_areas", "road_corridors", "admin_units"]
    assert [f["name"] for f in found["industrial_areas"]] == ["KCN Nhơn Hòa"]
    assert [f["name"] for f in found["road_corridors"]] == ["Quốc lộ 19"]
    assert [f["name"] for f in found["admin_units"]] == ["Bình Định"]
    for name, features in found.items():
        assert set(features[0]) == published(name)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("info_format", OFFERED)
def test_nothing_there_is_still_that_format(client, province, version, info_format):
    layers = ["industrial_areas", "road_corridors"]
    r = get(client, gfi_params(version, layers, (109.3, 14.6), info_format))
    assert r.status_code == 200 and r["Content-Type"].split(";")[0] == info_format
    assert not any(parse(info_format, r.content, layers).values())


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "info_format", ["application/json", "image/png", "text/xml; subtype=gml/3.1.1"]
)
def test_a_format_not_offered_is_an_invalid_format_exception(
    client, province, version, info_format
):
    r = get(client, gfi_params(version, ["industrial_areas"], KCN_POINT, info_format))
    assert r.status_code == 400
    report = etree.fromstring(r.content)
    exception = report.find("{http://www.opengis.net/ogc}ServiceException")
    assert exception.get("code") == "InvalidFormat"
    assert "không được hỗ trợ" in exception.text and all(f in exception.text for f in OFFERED)


def test_no_info_format_answers_html(client, province):
    r = get(client, gfi_params("1.1.1", ["industrial_areas"], KCN_POINT, None))
    assert r.status_code == 200 and r["Content-Type"].split(";")[0] == DEFAULT
    assert parse(DEFAULT, r.content, ["industrial_areas"])["industrial_areas"]


# --- rights --------------------------------------------------------------------------------------

PARCEL_POINT = (109.1015, 13.9025)  # inside parcel 0 of CCN Bùi Thị Xuân


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("info_format", OFFERED)
def test_parcels_only_to_staff_and_never_personal_data(client, province, version, info_format):
    """Clearance parcels (staff only): refused to anonymous callers, also when asked with a public
    layer, and answered to staff without the household's details."""
    alone = get(client, gfi_params(version, ["clearance_parcels"], PARCEL_POINT, info_format))
    assert alone.status_code == 401
    assert "Nguyễn Văn" not in alone.content.decode("utf-8", "replace")

    # Asked together with a public layer: the whole request is refused (MapProxy's rule, as GetMap).
    both = ["admin_units", "clearance_parcels"]
    mixed = get(client, gfi_params(version, both, PARCEL_POINT, info_format))
    assert mixed.status_code == 403
    assert "Nguyễn Văn" not in mixed.content.decode("utf-8", "replace")

    user = get_user_model().objects.create_user("reviewer", password="x")
    m.Membership.objects.create(
        user=user, role="industry_reviewer", admin_unit=province[0], area_kind="CCN"
    )
    client.force_login(user)
    staff = get(client, gfi_params(version, ["clearance_parcels"], PARCEL_POINT, info_format))
    assert staff.status_code == 200, staff.content[:300]
    assert staff["Content-Type"].split(";")[0] == info_format
    [parcel] = parse(info_format, staff.content, ["clearance_parcels"])["clearance_parcels"]
    assert set(parcel) == published("clearance_parcels")
    assert parcel["parcel_no"] == "0" and parcel["area"] == "CCN-BTX"
    text = staff.content.decode()
    assert not [word for word in PERSONAL if word in text]


@pytest.mark.parametrize("info_format", OFFERED)
def test_draft_proposals_are_never_identified(client, province, info_format):
    """WMS never draws drafts (tiles are shared); GetFeatureInfo does not answer them either."""
    unit = province[0]
    m.Proposal.objects.create(
        code="DX-D",
        name="Bản nháp",
        kind="CCN",
        admin_unit=unit,
        geom=mp(109.05, 14.20, 109.06, 14.21),
    )
    with workflow_write("fixture"):  # a recorded state, not a workflow step under test
        m.Proposal.objects.create(
            code="DX-S",
            name="Đã gửi",
            kind="CCN",
            status="submitted",
            geom=mp(109.07, 14.20, 109.08, 14.21),
            admin_unit=unit,
        )
    client.force_login(get_user_model().objects.create_superuser("quan_tri_gfi", password="x"))
    draft = get(client, gfi_params("1.3.0", ["proposals"], (109.055, 14.205), info_format))
    submitted = get(client, gfi_params("1.3.0", ["proposals"], (109.075, 14.205), info_format))
    for r in (draft, submitted):  # an error body would parse to nothing and pass unseen
        assert r.status_code == 200 and r["Content-Type"].startswith(info_format), (
            r.status_code,
            r["Content-Type"],
        )
    assert not parse(info_format, draft.content, ["proposals"]).get("proposals")
    found = parse(info_format, submitted.content, ["proposals"])["proposals"]
    assert [p["code"] for p in found] == ["DX-S"]


def test_relations_by_their_natural_key_also_to_the_same_table(client, province):
    """A commune's parent is its province's code (as WFS writes it): the relation's SQL reads the
    outer row even when it relates a table to itself."""
    m.AdminUnit.objects.create(
        code="21907",
        name="Xã Cát Hanh",
        level="commune",
        parent=province[0],
        boundary=mp(109.0, 13.9, 109.05, 13.95),
        valid_from=dt.date(1976, 1, 1),
        zone_srid=9217,
    )
    r = get(client, gfi_params("1.3.0", ["admin_units"], ROAD_POINT, "application/vnd.ogc.gml"))
    units = {u["name"]: u for u in parse_gml(r.content)["admin_units"]}
    assert units["Xã Cát Hanh"]["parent"] == "52" and units["Bình Định"]["parent"] == ""
    wfs = wfs_properties(client, "admin_units", code="21907")
    assert units["Xã Cát Hanh"]["parent"] == str(wfs["parent"])


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "query_layers,code",
    [
        ("nope", "LayerNotDefined"),
        ("industrial_areas,nope", "LayerNotDefined"),
        ("", "MissingParameterValue"),
    ],
)
def test_query_layers_must_name_layers_of_the_service(
    client, province, version, query_layers, code
):
    params = gfi_params(version, ["industrial_areas"], KCN_POINT, "text/xml")
    r = get(client, {**params, "QUERY_LAYERS": query_layers})
    assert r.status_code == 400
    exception = etree.fromstring(r.content).find("{http://www.opengis.net/ogc}ServiceException")
    assert exception.get("code") == code
    assert ("nope" in exception.text) == ("nope" in query_layers)
