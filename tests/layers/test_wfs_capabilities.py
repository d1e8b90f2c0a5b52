"""GetCapabilities, DescribeFeatureType and the stored-query listings, per version and per user."""

from __future__ import annotations

import pytest

from layers.wfs.crs import VN2000_EPSG
from tests.layers.test_wfs_support import (
    NS,
    basic,
    exception_code,
    users,
    wfs_get,
    wfs_post,
    world,
    xml,
)

pytestmark = pytest.mark.django_db

ANONYMOUS_LAYERS = {
    "admin_units",
    "industrial_areas",
    "road_corridors",
    "infrastructure_lines",
    "infrastructure_points",
    "secondary_projects",
    "road_interchanges",
    "plan_entries",  # issue 13 plan: the provincial plan is public
}


def _constraint(root, name):
    values = root.xpath(
        f"//ows:OperationsMetadata/ows:Constraint[@name='{name}']/ows:DefaultValue/text()",
        namespaces=NS,
    )
    return values[0] if values else None


def test_capabilities_200_for_anonymous(client, world):
    r = wfs_get(client, service="WFS", request="GetCapabilities")
    assert r.status_code == 200
    root = xml(r)
    assert root.tag == f"{{{NS['wfs']}}}WFS_Capabilities" and root.get("version") == "2.0.0"
    for name in ("ImplementsBasicWFS", "KVPEncoding", "XMLEncoding", "ImplementsResultPaging"):
        assert _constraint(root, name) == "TRUE", name
    assert _constraint(root, "CountDefault") == "1000"
    assert _constraint(root, "ImplementsTransactionalWFS") == "FALSE"
    ops = set(root.xpath("//ows:OperationsMetadata/ows:Operation/@name", namespaces=NS))
    assert {
        "GetCapabilities",
        "DescribeFeatureType",
        "GetFeature",
        "GetPropertyValue",
        "ListStoredQueries",
        "DescribeStoredQueries",
    } <= ops
    assert "Transaction" not in ops
    names = set(root.xpath("//wfs:FeatureType/wfs:Name/text()", namespaces=NS))
    assert names == ANONYMOUS_LAYERS  # proposals and clearance parcels are for staff only


def test_capabilities_200_feature_type_details(client, world):
    root = xml(wfs_get(client, service="WFS", request="GetCapabilities", acceptversions="2.0.0"))
    ft = root.xpath("//wfs:FeatureType[wfs:Name='industrial_areas']", namespaces=NS)[0]
    titles = {
        t.get("{http://www.w3.org/XML/1998/namespace}lang"): t.text
        for t in ft.findall("wfs:Title", NS)
    }
    assert titles == {"vi": "Khu, cụm công nghiệp", "en": "Industrial parks and clusters"}
    assert ft.findtext("wfs:DefaultCRS", namespaces=NS) == "urn:ogc:def:crs:EPSG::4326"
    other = {c.text for c in ft.findall("wfs:OtherCRS", NS)}
    assert "urn:ogc:def:crs:EPSG::3857" in other
    assert {f"urn:ogc:def:crs:EPSG::{c}" for c in VN2000_EPSG} <= other
    assert {
        "urn:ogc:def:crs:EPSG::4756",
        "urn:ogc:def:crs:EPSG::9217",
        "urn:ogc:def:crs:EPSG::5899",
    } <= other
    formats = {f.text for f in ft.findall("wfs:OutputFormats/wfs:Format", NS)}
    assert {"application/gml+xml; version=3.2", "application/json"} <= formats
    # The bounding box is the data's: the three areas span 109.00–109.17 E, 13.96–14.04 N.
    lower = [
        float(v) for v in ft.findtext("ows:WGS84BoundingBox/ows:LowerCorner", namespaces=NS).split()
    ]
    upper = [
        float(v) for v in ft.findtext("ows:WGS84BoundingBox/ows:UpperCorner", namespaces=NS).split()
    ]
    assert lower == pytest.approx([109.00, 13.96])
    assert upper == pytest.approx([109.17, 14.04])


def test_capabilities_offer_transaction_to_editors_only(client, users):
    r = wfs_get(
        client, service="WFS", request="GetCapabilities", HTTP_AUTHORIZATION=basic("canbo_a")
    )
    root = xml(r)
    assert "Transaction" in root.xpath(
        "//ows:OperationsMetadata/ows:Operation/@name", namespaces=NS
    )
    assert _constraint(root, "ImplementsTransactionalWFS") == "TRUE"
    names = set(root.xpath("//wfs:FeatureType/wfs:Name/text()", namespaces=NS))
    assert {"proposals", "clearance_parcels"} <= names
    # A reviewer edits industrial areas, so is offered Transaction too; a signed-in user with no
    # role reads what anonymous users read and is offered no Transaction.
    reviewer = xml(
        wfs_get(
            client, service="WFS", request="GetCapabilities", HTTP_AUTHORIZATION=basic("thamdinh")
        )
    )
    assert "Transaction" in reviewer.xpath("//ows:Operation/@name", namespaces=NS)
    nobody = xml(
        wfs_get(client, service="WFS", request="GetCapabilities", HTTP_AUTHORIZATION=basic("khach"))
    )
    assert "Transaction" not in nobody.xpath("//ows:Operation/@name", namespaces=NS)
    assert set(nobody.xpath("//wfs:FeatureType/wfs:Name/text()", namespaces=NS)) == ANONYMOUS_LAYERS


def test_capabilities_110(client, world):
    r = wfs_get(client, service="WFS", request="GetCapabilities", version="1.1.0")
    root = xml(r)
    assert root.tag == f"{{{NS['wfs1']}}}WFS_Capabilities" and root.get("version") == "1.1.0"
    ft = root.xpath("//wfs1:FeatureType[wfs1:Name='road_corridors']", namespaces=NS)[0]
    assert ft.findtext("wfs1:Title", namespaces=NS) == "Tuyến đường"
    assert ft.findtext("wfs1:Abstract", namespaces=NS) == "Road corridors"
    assert ft.findtext("wfs1:DefaultSRS", namespaces=NS) == "urn:ogc:def:crs:EPSG::4326"
    assert "urn:ogc:def:crs:EPSG::9209" in [e.text for e in ft.findall("wfs1:OtherSRS", NS)]
    assert ft.find("ows1:WGS84BoundingBox", NS) is not None
    assert "Transaction" not in root.xpath("//ows1:Operation/@name", namespaces=NS)
    assert "GetFeature" in root.xpath("//ows1:Operation/@name", namespaces=NS)


def test_capabilities_100(client, users):
    anon = xml(wfs_get(client, service="WFS", request="GetCapabilities", version="1.0.0"))
    assert anon.get("version") == "1.0.0"
    assert (
        anon.find(f"{{{NS['wfs1']}}}Capability/{{{NS['wfs1']}}}Request/{{{NS['wfs1']}}}Transaction")
        is None
    )
    box = anon.xpath(
        "//wfs1:FeatureType[wfs1:Name='industrial_areas']/wfs1:LatLongBoundingBox", namespaces=NS
    )[0]
    assert float(box.get("minx")) == pytest.approx(109.0) and float(
        box.get("maxy")
    ) == pytest.approx(14.04)
    staff = xml(
        wfs_get(
            client,
            service="WFS",
            request="GetCapabilities",
            version="1.0.0",
            HTTP_AUTHORIZATION=basic("canbo_a"),
        )
    )
    assert (
        staff.find(
            f"{{{NS['wfs1']}}}Capability/{{{NS['wfs1']}}}Request/{{{NS['wfs1']}}}Transaction"
        )
        is not None
    )
    ops = staff.xpath("//wfs1:FeatureType[wfs1:Name='proposals']/wfs1:Operations/*", namespaces=NS)
    assert {o.tag.rpartition("}")[2] for o in ops} == {"Query", "Insert", "Update", "Delete"}


@pytest.mark.parametrize(
    "accept, expected", [("1.1.0,2.0.0", "1.1.0"), ("2.0.0,1.1.0", "2.0.0"), ("1.0.0", "1.0.0")]
)
def test_version_negotiation(client, world, accept, expected):
    root = xml(wfs_get(client, service="WFS", request="GetCapabilities", acceptversions=accept))
    assert root.get("version") == expected


def test_capabilities_by_post(client, world):
    body = (
        '<GetCapabilities xmlns="http://www.opengis.net/wfs/2.0" '
        'xmlns:ows="http://www.opengis.net/ows/1.1" '
        'service="WFS"><ows:AcceptVersions><ows:Version>1.1.0</ows:Version></ows:AcceptVersions></GetCapabilities>'
    )
    root = xml(wfs_post(client, body))
    assert root.get("version") == "1.1.0"


def test_describe_feature_type_200(client, world):
    r = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="DescribeFeatureType",
        typeNames="kcn:industrial_areas",
    )
    assert r.status_code == 200
    schema = xml(r)
    assert schema.tag == f"{{{NS['xs']}}}schema"
    assert schema.get("targetNamespace") == NS["kcn"]
    assert schema.find("xs:import", NS).get("namespace") == NS["gml"]
    element = schema.find("xs:element[@name='industrial_areas']", NS)
    assert element.get("substitutionGroup") == "gml:AbstractFeature"
    ext = schema.find(
        "xs:complexType[@name='industrial_areasType']/xs:complexContent/xs:extension", NS
    )
    assert ext.get("base") == "gml:AbstractFeatureType"
    types = {e.get("name"): e.get("type") for e in ext.findall("xs:sequence/xs:element", NS)}
    assert types["code"] == "xs:string"
    assert types["planned_area_ha"] == "xs:decimal"
    assert types["boundary_area_ha"] == "xs:double"
    assert types["roads_done_pct"] == "xs:int"
    assert types["wwtp_operating"] == "xs:boolean"
    assert types["established_on"] == "xs:date"
    assert types["developer"] == "xs:string" and types["admin_unit"] == "xs:string"
    assert types["boundary"] == "gml:MultiSurfacePropertyType"


def test_describe_several_types_and_datetime(client, users):
    r = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="DescribeFeatureType",
        typeNames="road_corridors,proposals",
        HTTP_AUTHORIZATION=basic("canbo_a"),
    )
    schema = xml(r)
    assert {e.get("name") for e in schema.findall("xs:element", NS)} == {
        "road_corridors",
        "proposals",
    }
    assert (
        schema.find(".//xs:element[@name='centerline']", NS).get("type")
        == "gml:MultiCurvePropertyType"
    )
    assert schema.find(".//xs:element[@name='submitted_at']", NS).get("type") == "xs:dateTime"


@pytest.mark.parametrize(
    "version, gml_ns, geom_type, subst",
    [
        ("1.1.0", "http://www.opengis.net/gml", "gml:MultiSurfacePropertyType", "gml:_Feature"),
        ("1.0.0", "http://www.opengis.net/gml", "gml:MultiPolygonPropertyType", "gml:_Feature"),
    ],
)
def test_describe_feature_type_old_versions(client, world, version, gml_ns, geom_type, subst):
    schema = xml(
        wfs_get(
            client,
            service="WFS",
            version=version,
            request="DescribeFeatureType",
            typeName="industrial_areas",
        )
    )
    assert schema.find("xs:import", NS).get("namespace") == gml_ns
    assert schema.find(".//xs:element[@name='boundary']", NS).get("type") == geom_type
    assert schema.find("xs:element[@name='industrial_areas']", NS).get("substitutionGroup") == subst


def test_describe_all_types_lists_only_readable(client, world):
    schema = xml(wfs_get(client, service="WFS", version="2.0.0", request="DescribeFeatureType"))
    assert {e.get("name") for e in schema.findall("xs:element", NS)} == ANONYMOUS_LAYERS


def test_describe_parcels_never_shows_personal_fields(client, users):
    r = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="DescribeFeatureType",
        typeNames="clearance_parcels",
        HTTP_AUTHORIZATION=basic("canbo_a"),
    )
    names = {e.get("name") for e in xml(r).findall(".//xs:sequence/xs:element", NS)}
    assert {"map_sheet", "parcel_no", "status", "boundary"} <= names
    assert not names & {"holder_name", "holder_id_number", "households"}


def test_describe_hidden_type_looks_unknown_to_anonymous(client, world):
    r = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="DescribeFeatureType",
        typeNames="clearance_parcels",
    )
    assert r.status_code == 400
    assert exception_code(r) == ("InvalidParameterValue", "typeNames")


def test_list_and_describe_stored_queries(client, world):
    root = xml(wfs_get(client, service="WFS", version="2.0.0", request="ListStoredQueries"))
    sq = root.find("wfs:StoredQuery", NS)
    assert sq.get("id") == "urn:ogc:def:query:OGC-WFS::GetFeatureById"
    assert "kcn:industrial_areas" in [e.text for e in sq.findall("wfs:ReturnFeatureType", NS)]
    root = xml(
        wfs_get(
            client,
            service="WFS",
            version="2.0.0",
            request="DescribeStoredQueries",
            storedQuery_Id="urn:ogc:def:query:OGC-WFS::GetFeatureById",
        )
    )
    desc = root.find("wfs:StoredQueryDescription", NS)
    assert desc.find("wfs:Parameter", NS).get("name") == "ID"
    bad = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="DescribeStoredQueries",
        storedQuery_Id="nope",
    )
    assert bad.status_code == 400 and exception_code(bad)[0] == "InvalidParameterValue"
