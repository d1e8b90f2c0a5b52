"""WFS-T: Insert, Update and Delete of proposals with 1.0.0, 1.1.0 and 2.0.0 documents; rights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from django.test import Client
from pyproj import Transformer
from rest_framework.authtoken.models import Token

from planning import models as m
from tests.layers.test_wfs_support import (
    NS,
    PASSWORD,
    basic,
    exception_code,
    users,
    wfs_post,
    world,
    xml,
)

pytestmark = pytest.mark.django_db

NS_OGC = "http://www.opengis.net/ogc"
FEATURE_ID = f"{{{NS_OGC}}}FeatureId"
RING_A = (
    "108.975,14.0 108.985,14.0 108.985,14.01 108.975,14.01 108.975,14.0"  # lon,lat inside commune A
)


def qgis_insert_100(
    name: str = "Cụm công nghiệp Cát Hanh 2", ring: str = RING_A, extra: str = ""
) -> str:
    """What QGIS 3 sends for WFS-T 1.0.0: default namespaces, GML 2, a Polygon for a MultiPolygon
    column."""
    return f"""<Transaction xmlns="http://www.opengis.net/wfs" service="WFS" version="1.0.0"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:gml="http://www.opengis.net/gml"
 xsi:schemaLocation="http://kcn-planner.vn/kcn http://127.0.0.1:8000/ows/wfs?SERVICE=WFS&amp;REQUEST=DescribeFeatureType&amp;VERSION=1.0.0&amp;TYPENAME=proposals">
 <Insert xmlns="http://www.opengis.net/wfs">
  <proposals xmlns="http://kcn-planner.vn/kcn">
   <geom>
    <gml:Polygon srsName="EPSG:4326">
     <gml:outerBoundaryIs><gml:LinearRing><gml:coordinates cs="," ts=" ">{ring}</gml:coordinates>
     </gml:LinearRing></gml:outerBoundaryIs>
    </gml:Polygon>
   </geom>
   <code></code>
   <name>{name}</name>
   <kind>CCN</kind>
   <area_ha>0</area_ha>
   <status>approved</status>
   <rationale>Gần Quốc lộ 19, đất trồng cây hằng năm.</rationale>
   {extra}
  </proposals>
 </Insert>
</Transaction>"""


def qgis_update_100(pk: int, prop: str = "name", value: str = "Tên đã sửa") -> str:
    return f"""<Transaction xmlns="http://www.opengis.net/wfs" service="WFS" version="1.0.0"
 xmlns:gml="http://www.opengis.net/gml" xmlns:ogc="http://www.opengis.net/ogc">
 <Update typeName="proposals" xmlns="http://www.opengis.net/wfs">
  <Property><Name>{prop}</Name><Value>{value}</Value></Property>
  <Filter xmlns="http://www.opengis.net/ogc"><FeatureId fid="proposals.{pk}"/></Filter>
 </Update>
</Transaction>"""


def qgis_delete_100(pk: int) -> str:
    return f"""<Transaction xmlns="http://www.opengis.net/wfs" service="WFS" version="1.0.0"
 xmlns:ogc="http://www.opengis.net/ogc">
 <Delete typeName="proposals" xmlns="http://www.opengis.net/wfs">
  <Filter xmlns="http://www.opengis.net/ogc"><FeatureId fid="proposals.{pk}"/></Filter>
 </Delete>
</Transaction>"""


def post(client, body, user="canbo_a", **extra):
    headers = {"HTTP_AUTHORIZATION": basic(user)} if user else {}
    headers.update(extra)
    return wfs_post(client, body, **headers)


# --- 1.0.0 (QGIS) --------------------------------------------------------------------------------


def test_insert_100(client, users, world):
    r = post(client, qgis_insert_100())
    assert r.status_code == 200, r.content
    root = xml(r)
    assert root.tag == "{http://www.opengis.net/wfs}WFS_TransactionResponse"
    fid = root.find("{http://www.opengis.net/wfs}InsertResult/" + FEATURE_ID).get("fid")
    assert root.find(".//{http://www.opengis.net/wfs}SUCCESS") is not None
    p = m.Proposal.objects.get(pk=int(fid.rpartition(".")[2]))
    assert fid.startswith("proposals.")
    assert p.name == "Cụm công nghiệp Cát Hanh 2" and p.kind == "CCN"
    assert p.status == "draft"  # not the "approved" the client sent
    assert p.proposed_by == users["staff_a"]
    assert p.code.startswith("DX-")  # generated
    assert p.admin_unit == world["commune_a"]  # the user's unit
    assert p.geom.geom_type == "MultiPolygon"  # Polygon promoted
    assert p.geom.extent == pytest.approx((108.975, 14.0, 108.985, 14.01))
    assert p.area_ha == pytest.approx(119.6, rel=0.01)  # computed, not the 0 the client sent
    record = p.history.get()
    assert record.history_type == "+" and record.history_user == users["staff_a"]


def test_update_and_delete_100(client, users, world):
    p = world["proposals"]["a"]
    r = post(client, qgis_update_100(p.pk))
    assert r.status_code == 200, r.content
    assert xml(r).find(".//{http://www.opengis.net/wfs}SUCCESS") is not None
    p.refresh_from_db()
    assert p.name == "Tên đã sửa"
    assert p.history.filter(history_type="~").get().history_user == users["staff_a"]
    r = post(client, qgis_delete_100(p.pk))
    assert r.status_code == 200, r.content
    assert not m.Proposal.objects.filter(pk=p.pk).exists()
    assert m.Proposal.history.get(id=p.pk, history_type="-").history_user == users["staff_a"]


# --- 1.1.0 ---------------------------------------------------------------------------------------


def test_insert_110_lat_lon_posList(client, users, world):
    body = """<wfs:Transaction service="WFS" version="1.1.0" xmlns:wfs="http://www.opengis.net/wfs"
      xmlns:gml="http://www.opengis.net/gml" xmlns:kcn="http://kcn-planner.vn/kcn">
     <wfs:Insert handle="de-xuat-moi">
      <kcn:proposals>
       <kcn:name>Cụm công nghiệp Cát Hanh 3</kcn:name>
       <kcn:admin_unit>21907</kcn:admin_unit>
       <kcn:geom><gml:MultiSurface srsName="urn:ogc:def:crs:EPSG::4326"><gml:surfaceMember>
       <gml:Polygon>
        <gml:exterior><gml:LinearRing>
        <gml:posList>14.0 108.975 14.0 108.985 14.01 108.985 14.01 108.975 14.0 108.975
        </gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></kcn:geom>
      </kcn:proposals>
     </wfs:Insert>
    </wfs:Transaction>"""
    r = post(client, body)
    assert r.status_code == 200, r.content
    root = xml(r)
    assert root.tag == "{http://www.opengis.net/wfs}TransactionResponse"
    assert root.findtext(".//{http://www.opengis.net/wfs}totalInserted") == "1"
    feature = root.find(
        "{http://www.opengis.net/wfs}InsertResults/{http://www.opengis.net/wfs}Feature"
    )
    assert feature.get("handle") == "de-xuat-moi"
    fid = feature.find(FEATURE_ID).get("fid")
    p = m.Proposal.objects.get(pk=int(fid.rpartition(".")[2]))
    # lat/lon in the URN spelling, stored as lon/lat
    assert p.geom.extent == pytest.approx((108.975, 14.0, 108.985, 14.01))


def test_delete_110_with_gml_object_id(client, users, world):
    p = world["proposals"]["a"]
    body = f"""<wfs:Transaction service="WFS" version="1.1.0" xmlns:wfs="http://www.opengis.net/wfs"
      xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml">
     <wfs:Delete typeName="kcn:proposals" xmlns:kcn="http://kcn-planner.vn/kcn">
      <ogc:Filter><ogc:GmlObjectId gml:id="proposals.{p.pk}"/></ogc:Filter></wfs:Delete>
      </wfs:Transaction>"""
    r = post(client, body)
    assert r.status_code == 200, r.content
    assert xml(r).findtext(".//{http://www.opengis.net/wfs}totalDeleted") == "1"
    assert not m.Proposal.objects.filter(pk=p.pk).exists()


# --- 2.0.0 ---------------------------------------------------------------------------------------


def test_insert_update_delete_200_in_one_document(client, users, world):
    t = Transformer.from_crs(4326, 9217, always_xy=True)
    lon = np.array([108.975, 108.985, 108.985, 108.975, 108.975])
    lat = np.array([14.0, 14.0, 14.01, 14.01, 14.0])
    x, y = t.transform(lon, lat)
    poslist = " ".join(f"{a:.3f} {b:.3f}" for a, b in zip(x, y, strict=True))
    keep, gone = (
        world["proposals"]["a"],
        m.Proposal.objects.create(
            code="DX-A-2",
            name="Đề xuất sẽ rút",
            geom=world["proposals"]["a"].geom,
            admin_unit=world["commune_a"],
        ),
    )
    body = f"""<wfs:Transaction service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"
      xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"
      xmlns:kcn="http://kcn-planner.vn/kcn">
     <wfs:Insert>
      <kcn:proposals gml:id="new-1">
       <kcn:code>DX-2026-VN2000</kcn:code><kcn:name>Cụm công nghiệp VN-2000</kcn:name>
       <kcn:kind>KCN</kcn:kind>
       <kcn:geom><gml:Polygon gml:id="g1" srsName="http://www.opengis.net/def/crs/EPSG/0/9217">
        <gml:exterior><gml:LinearRing><gml:posList srsDimension="2">{poslist}</gml:posList>
        </gml:LinearRing></gml:exterior>
       </gml:Polygon></kcn:geom>
      </kcn:proposals>
     </wfs:Insert>
     <wfs:Update typeName="kcn:proposals">
      <wfs:Property><wfs:ValueReference>kcn:rationale</wfs:ValueReference>
      <wfs:Value>Đã bổ sung thuyết minh.</wfs:Value></wfs:Property>
      <wfs:Property><wfs:ValueReference>geom</wfs:ValueReference><wfs:Value>
       <gml:Polygon gml:id="g2" srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing>
        <gml:posList>14.05 108.96 14.05 108.99 14.07 108.99 14.07 108.96 14.05 108.96</gml:posList>
       </gml:LinearRing></gml:exterior></gml:Polygon></wfs:Value></wfs:Property>
      <fes:Filter><fes:ResourceId rid="proposals.{keep.pk}"/></fes:Filter>
     </wfs:Update>
     <wfs:Delete typeName="kcn:proposals"><fes:Filter><fes:ResourceId rid="proposals.{gone.pk}"/>
     </fes:Filter></wfs:Delete>
    </wfs:Transaction>"""
    r = post(client, body)
    assert r.status_code == 200, r.content
    root = xml(r)
    summary = {e.tag.rpartition("}")[2]: e.text for e in root.find("wfs:TransactionSummary", NS)}
    assert summary == {
        "totalInserted": "1",
        "totalUpdated": "1",
        "totalReplaced": "0",
        "totalDeleted": "1",
    }
    rid = root.find("wfs:InsertResults/wfs:Feature/fes:ResourceId", NS).get("rid")
    new = m.Proposal.objects.get(pk=int(rid.rpartition(".")[2]))
    assert new.code == "DX-2026-VN2000" and new.kind == "KCN"
    # VN-2000 metres back to lon/lat through EPSG:6960: within a millimetre (1e-8 degrees).
    np.testing.assert_allclose(new.geom.extent, (108.975, 14.0, 108.985, 14.01), atol=1e-8)
    keep.refresh_from_db()
    assert keep.rationale == "Đã bổ sung thuyết minh."
    assert keep.geom.extent == pytest.approx((108.96, 14.05, 108.99, 14.07))
    assert not m.Proposal.objects.filter(pk=gone.pk).exists()


def test_insert_without_namespaces_and_unit_from_geometry(client, users, world):
    """Admins have no unit of their own: the unit containing the geometry is taken."""
    body = """<Transaction service="WFS" version="2.0.0"><Insert><proposals>
      <name>Không có không gian tên</name>
      <geom><Polygon srsName="EPSG:4326"><exterior><LinearRing>
       <posList>109.20 14.00 109.21 14.00 109.21 14.01 109.20 14.01 109.20 14.00</posList>
      </LinearRing></exterior></Polygon></geom></proposals></Insert></Transaction>"""
    r = post(client, body, user="quantri")
    assert r.status_code == 200, r.content
    rid = xml(r).find(".//{*}ResourceId").get("rid")
    assert m.Proposal.objects.get(pk=int(rid.rpartition(".")[2])).admin_unit == world["commune_b"]


def test_insert_road_by_admin(client, users, world):
    body = """<wfs:Transaction service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"
      xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:kcn="http://kcn-planner.vn/kcn"><wfs:Insert>
      <kcn:road_corridors><kcn:code>DT639</kcn:code><kcn:name>Đường ven biển ĐT639</kcn:name>
       <kcn:road_class>Đường tỉnh</kcn:road_class><kcn:status>planned</kcn:status>
       <kcn:admin_unit>52</kcn:admin_unit>
       <kcn:centerline><gml:LineString gml:id="l1" srsName="EPSG:4326">
       <gml:posList>109.2 13.9 109.3 14.1</gml:posList>
       </gml:LineString></kcn:centerline></kcn:road_corridors></wfs:Insert></wfs:Transaction>"""
    r = post(client, body, user="quantri")
    assert r.status_code == 200, r.content
    road = m.RoadCorridor.objects.get(code="DT639")
    assert road.road_class == "provincial"  # the Vietnamese label is accepted
    assert road.centerline.geom_type == "MultiLineString" and road.admin_unit == world["province"]
    assert road.length_m > 20000


# --- all or nothing ------------------------------------------------------------------------------


def test_second_invalid_feature_inserts_nothing(client, users, world):
    before = m.Proposal.objects.count()
    good = qgis_insert_100("Đề xuất hợp lệ")
    bad_feature = qgis_insert_100(
        "Đề xuất lỗi", ring="602532,1523062 602632,1523062 602632,1523162 602532,1523062"
    )
    # Two features in one Insert: the second is metres passed as degrees.
    start = bad_feature.index("<proposals xmlns")
    end = bad_feature.index("</proposals>") + len("</proposals>")
    body = good.replace("</proposals>", "</proposals>" + bad_feature[start:end], 1)
    r = post(client, body)
    assert r.status_code == 400
    code, locator = exception_code(r)
    assert code == "InvalidParameterValue" and "proposals[2]" in locator
    # In the request's language (Vietnamese by default).
    assert "nằm ngoài phạm vi của dịch vụ" in xml(r).findtext(".//{*}ServiceException")
    assert m.Proposal.objects.count() == before


def test_invalid_value_rolls_back_earlier_actions(client, users, world):
    p = world["proposals"]["a"]
    body = f"""<wfs:Transaction service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"
      xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:kcn="http://kcn-planner.vn/kcn">
     <wfs:Update typeName="proposals"><wfs:Property><wfs:ValueReference>name</wfs:ValueReference>
      <wfs:Value>Đổi tên</wfs:Value></wfs:Property><fes:Filter><fes:ResourceId
      rid="proposals.{p.pk}"/></fes:Filter>
     </wfs:Update>
     <wfs:Update typeName="proposals"><wfs:Property><wfs:ValueReference>kind</wfs:ValueReference>
      <wfs:Value>XYZ</wfs:Value></wfs:Property><fes:Filter><fes:ResourceId rid="proposals.{p.pk}"/>
      </fes:Filter>
     </wfs:Update></wfs:Transaction>"""
    r = post(client, body)
    assert r.status_code == 400 and exception_code(r)[0] == "InvalidParameterValue"
    p.refresh_from_db()
    assert p.name == "Cụm công nghiệp Cát Hanh" and p.kind == "CCN"
    assert p.history.count() == 1  # only the creation


def test_duplicate_codes_in_one_document_roll_back(client, users, world):
    body = qgis_insert_100("Một", extra="").replace("<code></code>", "<code>DX-TRUNG</code>")
    body = body.replace(
        "</proposals>",
        "</proposals>"
        + body[body.index("<proposals xmlns") : body.index("</proposals>")]
        + "</proposals>",
        1,
    )
    before = m.Proposal.objects.count()
    r = post(client, body)
    assert r.status_code == 400 and exception_code(r)[0] == "InvalidParameterValue"
    assert m.Proposal.objects.count() == before


# --- rights --------------------------------------------------------------------------------------


def test_staff_cannot_edit_another_communes_proposal(client, users, world):
    other = world["proposals"]["b"]
    for body in (qgis_update_100(other.pk), qgis_delete_100(other.pk)):
        r = post(client, body, user="canbo_a")
        assert r.status_code == 403
        assert exception_code(r)[0] == "OperationProcessingFailed"
    other.refresh_from_db()
    assert other.name == "Cụm công nghiệp Cát Tài"


def test_one_forbidden_action_blocks_the_whole_document(client, users, world):
    mine, theirs = world["proposals"]["a"], world["proposals"]["b"]
    body = f"""<wfs:Transaction service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"
      xmlns:fes="http://www.opengis.net/fes/2.0">
     <wfs:Update typeName="proposals"><wfs:Property><wfs:ValueReference>name</wfs:ValueReference>
      <wfs:Value>Đổi tên hợp lệ</wfs:Value></wfs:Property><fes:Filter><fes:ResourceId
      rid="proposals.{mine.pk}"/></fes:Filter>
     </wfs:Update>
     <wfs:Delete typeName="proposals"><fes:Filter><fes:ResourceId rid="proposals.{theirs.pk}"/>
     </fes:Filter></wfs:Delete>
    </wfs:Transaction>"""
    r = post(client, body, user="canbo_a")
    assert r.status_code == 403
    mine.refresh_from_db()
    assert mine.name == "Cụm công nghiệp Cát Hanh"
    assert m.Proposal.objects.filter(pk=theirs.pk).exists()


def test_moving_a_proposal_into_another_commune_is_forbidden(client, users, world):
    p = world["proposals"]["a"]
    r = post(client, qgis_update_100(p.pk, prop="admin_unit", value="21910"), user="canbo_a")
    assert r.status_code == 403
    p.refresh_from_db()
    assert p.admin_unit == world["commune_a"]


def test_inserting_into_another_commune_is_forbidden(client, users, world):
    r = post(client, qgis_insert_100(extra="<admin_unit>21910</admin_unit>"), user="canbo_a")
    assert r.status_code == 403


def test_user_without_edit_right_on_the_layer(client, users, world):
    # Reviewers of clusters edit industrial areas, not proposals.
    r = post(client, qgis_update_100(world["proposals"]["a"].pk), user="thamdinh")
    assert r.status_code == 403
    assert exception_code(r) == ("OperationProcessingFailed", "Update[1]")


def test_anonymous_transaction_is_challenged(client, world):
    r = wfs_post(client, qgis_insert_100())
    assert r.status_code == 401
    assert r["WWW-Authenticate"] == 'Basic realm="KCN Planner"'
    assert exception_code(r)[0] == "OperationProcessingFailed"


def test_wrong_password(client, users):
    r = wfs_post(client, qgis_insert_100(), HTTP_AUTHORIZATION=basic("canbo_a", "sai-mat-khau"))
    assert r.status_code == 401 and r["WWW-Authenticate"].startswith("Basic")
    r = wfs_post(client, qgis_insert_100(), HTTP_AUTHORIZATION="Basic !!!notbase64")
    assert r.status_code == 401


@pytest.mark.parametrize("scheme", ["Token", "Bearer"])
def test_token_auth(client, users, world, scheme):
    token = Token.objects.create(user=users["staff_a"])
    r = wfs_post(
        client,
        qgis_update_100(world["proposals"]["a"].pk),
        HTTP_AUTHORIZATION=f"{scheme} {token.key}",
    )
    assert r.status_code == 200, r.content
    world["proposals"]["a"].refresh_from_db()
    assert world["proposals"]["a"].history.first().history_user == users["staff_a"]
    r = wfs_post(
        client, qgis_update_100(world["proposals"]["a"].pk), HTTP_AUTHORIZATION=f"{scheme} wrong"
    )
    assert r.status_code == 401


def test_session_writes_need_a_csrf_token(users, world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["staff_a"])
    p = world["proposals"]["a"]
    r = wfs_post(browser, qgis_update_100(p.pk))
    assert r.status_code == 403 and b"CSRF" in r.content
    # Reading needs no token.
    assert (
        browser.get("/ows/wfs", {"service": "WFS", "request": "GetCapabilities"}).status_code == 200
    )
    browser.get("/admin/login/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    r = wfs_post(browser, qgis_update_100(p.pk), HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200, r.content
    p.refresh_from_db()
    assert p.name == "Tên đã sửa"


# --- refused content -----------------------------------------------------------------------------


def test_workflow_and_computed_fields_are_refused_on_update(client, users, world):
    p = world["proposals"]["a"]
    for prop, value in (("status", "approved"), ("area_ha", "1")):
        r = post(client, qgis_update_100(p.pk, prop=prop, value=value))
        assert r.status_code == 400
        assert exception_code(r) == ("InvalidParameterValue", prop)
    p.refresh_from_db()
    assert p.status == "draft"


def test_unknown_and_personal_properties_are_refused(client, users, world):
    r = post(client, qgis_insert_100(extra="<colour>blue</colour>"))
    assert r.status_code == 400 and exception_code(r)[0] == "InvalidParameterValue"
    parcel = world["parcels"][0]
    body = f"""<Transaction xmlns="http://www.opengis.net/wfs" service="WFS" version="1.0.0">
     <Update typeName="clearance_parcels"><Property><Name>holder_name</Name><Value>Ai đó</Value>
     </Property>
     <Filter xmlns="http://www.opengis.net/ogc"><FeatureId fid="clearance_parcels.{parcel.pk}"/>
     </Filter></Update>
    </Transaction>"""
    r = post(client, body, user="quantri")
    assert r.status_code == 400
    parcel.refresh_from_db()
    assert parcel.holder_name == "Nguyễn Văn Bí Mật"


@pytest.mark.parametrize("action", ["Update", "Delete"])
def test_update_or_delete_without_filter_is_refused(client, users, world, action):
    prop = (
        "<Property><Name>name</Name><Value>Mọi thứ</Value></Property>" if action == "Update" else ""
    )
    body = (
        f'<Transaction xmlns="http://www.opengis.net/wfs" service="WFS" version="1.0.0">'
        f'<{action} typeName="proposals">{prop}</{action}></Transaction>'
    )
    r = post(client, body, user="quantri")
    assert r.status_code == 400 and exception_code(r) == ("MissingParameterValue", "Filter")
    assert (
        m.Proposal.objects.filter(name="Mọi thứ").count() == 0 and m.Proposal.objects.count() == 2
    )


def test_replace_is_not_supported(client, users):
    body = (
        '<wfs:Transaction xmlns:wfs="http://www.opengis.net/wfs/2.0" service="WFS" version="2.0.0">'
        "<wfs:Replace/></wfs:Transaction>"
    )
    r = post(client, body)
    assert r.status_code == 501 and exception_code(r)[0] == "OperationNotSupported"


# --- documents captured from QGIS 3.22 -----------------------------------------------------------

DATA = Path(__file__).resolve().parent.parent / "data" / "wfs"


def _captured(name: str, pk: int | None = None) -> str:
    text = (DATA / name).read_text(encoding="utf-8")
    return text if pk is None else text.replace("proposals.PK", f"proposals.{pk}")


@pytest.mark.parametrize("name", ["qgis322_insert_100.xml", "qgis322_insert_110.xml"])
def test_qgis_insert_documents(client, users, world, name):
    """QGIS on a 2.0 connection posts WFS-T 1.0.0 with lon,lat gml:coordinates labelled with the
    lat/lon URN (read as lon/lat: WFS 1.0 is always x/y); its 1.1.0 posList is lat/lon."""
    r = post(client, _captured(name))
    assert r.status_code == 200, r.content
    p = m.Proposal.objects.get(name="Đề xuất từ QGIS")
    assert p.geom.extent == pytest.approx((108.99, 14.02, 109.0, 14.03))
    assert p.admin_unit == world["commune_a"] and p.proposed_by == users["staff_a"]


def test_qgis_update_and_delete_documents(client, users, world):
    p = world["proposals"]["a"]
    for name in ("qgis322_update_geometry_100.xml", "qgis322_update_attribute_100.xml"):
        r = post(client, _captured(name, p.pk))
        assert r.status_code == 200, r.content
    p.refresh_from_db()
    assert p.rationale == "sửa trong QGIS"
    assert p.geom.extent == pytest.approx((108.99, 14.02, 109.01, 14.04))
    assert [h.history_user for h in p.history.all()] == [users["staff_a"], users["staff_a"], None]
    r = post(client, _captured("qgis322_delete_100.xml", p.pk))
    assert r.status_code == 200 and not m.Proposal.objects.filter(pk=p.pk).exists()


@pytest.mark.parametrize("one_insert", [True, False], ids=["one-Insert", "two-Inserts"])
def test_two_new_proposals_in_one_document_get_two_codes(client, users, world, one_insert):
    """QGIS saves every feature added since the last save in one Transaction: each new proposal
    gets its own code (DX-<unit>-<year>-<n>), whether the features share an Insert or not."""
    members = [
        f"""<proposals xmlns="http://kcn-planner.vn/kcn"><geom><gml:Polygon srsName="EPSG:4326">
        <gml:outerBoundaryIs><gml:LinearRing><gml:coordinates cs="," ts=" ">{ring}
        </gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon></geom>
        <name>Cụm mới {i}</name><kind>CCN</kind></proposals>"""
        for i, ring in enumerate(
            [RING_A, "108.99,14.02 108.995,14.02 108.995,14.025 108.99,14.025 108.99,14.02"]
        )
    ]
    inserts = (
        f'<Insert xmlns="http://www.opengis.net/wfs">{"".join(members)}</Insert>'
        if one_insert
        else "".join(f'<Insert xmlns="http://www.opengis.net/wfs">{x}</Insert>' for x in members)
    )
    body = f"""<Transaction xmlns="http://www.opengis.net/wfs" service="WFS" version="1.0.0"
     xmlns:gml="http://www.opengis.net/gml">{inserts}</Transaction>"""
    before = set(m.Proposal.objects.values_list("code", flat=True))
    r = post(client, body)
    assert r.status_code == 200 and b"SUCCESS" in r.content, r.content
    new = m.Proposal.objects.exclude(code__in=before).order_by("name")
    assert [p.name for p in new] == ["Cụm mới 0", "Cụm mới 1"]
    codes = [p.code for p in new]
    assert len(set(codes)) == 2 and all(c.startswith("DX-") for c in codes), codes
