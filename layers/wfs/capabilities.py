"""Capabilities, DescribeFeatureType (XML Schema) and stored-query documents. Pure.

The capabilities list only the feature types the user may read, and offer Transaction only to a
user who may edit at least one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.wfs.crs import SUPPORTED_EPSG, short, urn
from layers.wfs.requests import (
    COUNT_DEFAULT,
    FORMAT_GML2,
    FORMAT_GML32,
    FORMAT_GML311,
    GET_FEATURE_BY_ID,
    MIME,
    OPERATIONS,
    VERSIONS,
)
from layers.wfs.schema import NAMESPACE, PREFIX, FeatureType

NS_WFS20 = "http://www.opengis.net/wfs/2.0"
NS_WFS = "http://www.opengis.net/wfs"
NS_OWS11 = "http://www.opengis.net/ows/1.1"
NS_OWS = "http://www.opengis.net/ows"
NS_FES20 = "http://www.opengis.net/fes/2.0"
NS_OGC = "http://www.opengis.net/ogc"
NS_GML32 = "http://www.opengis.net/gml/3.2"
NS_GML = "http://www.opengis.net/gml"
NS_XLINK = "http://www.w3.org/1999/xlink"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_XS = "http://www.w3.org/2001/XMLSchema"
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'

# In the request's language (capabilities are built per request, never cached across languages).
SERVICE_TITLE = gettext_lazy("KCN Planner — industrial park and cluster data service (WFS)")
SERVICE_ABSTRACT = gettext_lazy(
    "Industrial parks (KCN) and clusters (CCN), clearance, roads and proposals: "
    "WFS 2.0.0 / 1.1.0 / 1.0.0, GML and GeoJSON, FES filters, paging."
)
VIETNAM_BBOX = (102.14, 8.33, 109.53, 23.4)


@dataclass
class LayerInfo:
    ftype: FeatureType
    bbox: tuple[float, float, float, float] | None  # lon/lat extent of the data
    editable: bool


def _e(text: str) -> str:
    return escape(str(text))


def _bbox(info: LayerInfo) -> tuple[float, float, float, float]:
    b = info.bbox or VIETNAM_BBOX
    if b[0] == b[2] or b[1] == b[3]:  # a single point: give it a little room
        return (b[0] - 1e-4, b[1] - 1e-4, b[2] + 1e-4, b[3] + 1e-4)
    return b


def _c(v: float) -> str:
    return repr(round(float(v), 7))


def capabilities(version: str, *, url: str, layers: list[LayerInfo], can_transact: bool) -> bytes:
    if version == "1.0.0":
        return _capabilities_100(url, layers, can_transact)
    if version == "1.1.0":
        return _capabilities_110(url, layers, can_transact)
    return _capabilities_200(url, layers, can_transact)


# --- 2.0.0 ---------------------------------------------------------------------------------------


def _dcp(url: str, post: bool = True) -> str:
    get = f"<ows:Get xlink:href={quoteattr(url + '?')}/>"
    return (
        f"<ows:DCP><ows:HTTP>{get}"
        + (f"<ows:Post xlink:href={quoteattr(url)}/>" if post else "")
        + "</ows:HTTP></ows:DCP>"
    )


def _allowed(name: str, values: list[str]) -> str:
    vals = "".join(f"<ows:Value>{_e(v)}</ows:Value>" for v in values)
    return (
        f'<ows:Parameter name="{name}"><ows:AllowedValues>{vals}</ows:AllowedValues>'
        "</ows:Parameter>"
    )


def _constraint(name: str, value: str) -> str:
    return (
        f'<ows:Constraint name="{name}"><ows:NoValues/>'
        f"<ows:DefaultValue>{value}</ows:DefaultValue></ows:Constraint>"
    )


def _service_identification(version_list: list[str]) -> str:
    versions = "".join(
        f"<ows:ServiceTypeVersion>{v}</ows:ServiceTypeVersion>" for v in version_list
    )
    return (
        f"<ows:ServiceIdentification><ows:Title>{_e(SERVICE_TITLE)}</ows:Title>"
        f"<ows:Abstract>{_e(SERVICE_ABSTRACT)}</ows:Abstract>"
        "<ows:Keywords><ows:Keyword>KCN</ows:Keyword><ows:Keyword>CCN</ows:Keyword>"
        "<ows:Keyword>khu công nghiệp</ows:Keyword><ows:Keyword>cụm công "
        "nghiệp</ows:Keyword></ows:Keywords>"
        f"<ows:ServiceType>WFS</ows:ServiceType>{versions}"
        "<ows:Fees>NONE</ows:Fees><ows:AccessConstraints>NONE</ows:AccessConstraints>"
        "</ows:ServiceIdentification>"
        "<ows:ServiceProvider><ows:ProviderName>KCN Planner</ows:ProviderName>"
        "<ows:ServiceContact><ows:IndividualName/></ows:ServiceContact></ows:ServiceProvider>"
    )


def _other_crs(tag: str, name) -> str:
    return "".join(f"<{tag}>{name(c)}</{tag}>" for c in SUPPORTED_EPSG if c != 4326)


def _capabilities_200(url: str, layers: list[LayerInfo], can_transact: bool) -> bytes:
    formats_gf = [MIME[FORMAT_GML32], MIME[FORMAT_GML311], MIME[FORMAT_GML2], "application/json"]
    ops = []
    for op in OPERATIONS["2.0.0"]:
        if op == "Transaction" and not can_transact:
            continue
        params = ""
        if op == "GetCapabilities":
            params = (
                _allowed("AcceptVersions", list(VERSIONS))
                + _allowed("AcceptFormats", ["text/xml"])
                + _allowed(
                    "Sections",
                    [
                        "ServiceIdentification",
                        "ServiceProvider",
                        "OperationsMetadata",
                        "FeatureTypeList",
                        "Filter_Capabilities",
                    ],
                )
            )
        elif op == "DescribeFeatureType":
            params = _allowed(
                "outputFormat", [MIME[FORMAT_GML32], MIME[FORMAT_GML311], MIME[FORMAT_GML2]]
            )
        elif op in ("GetFeature", "GetPropertyValue"):
            params = _allowed("resultType", ["results", "hits"]) + _allowed(
                "outputFormat", formats_gf if op == "GetFeature" else [MIME[FORMAT_GML32]]
            )
        elif op == "Transaction":
            params = _allowed(
                "inputFormat", [MIME[FORMAT_GML32], MIME[FORMAT_GML311], MIME[FORMAT_GML2]]
            ) + _allowed("releaseAction", ["ALL"])
        ops.append(f'<ows:Operation name="{op}">{_dcp(url)}{params}</ows:Operation>')
    constraints = [
        _constraint("ImplementsBasicWFS", "TRUE"),
        _constraint("ImplementsTransactionalWFS", "TRUE" if can_transact else "FALSE"),
        _constraint("ImplementsLockingWFS", "FALSE"),
        _constraint("KVPEncoding", "TRUE"),
        _constraint("XMLEncoding", "TRUE"),
        _constraint("SOAPEncoding", "FALSE"),
        _constraint("ImplementsInheritance", "FALSE"),
        _constraint("ImplementsRemoteResolve", "FALSE"),
        _constraint("ImplementsResultPaging", "TRUE"),
        _constraint("ImplementsStandardJoins", "FALSE"),
        _constraint("ImplementsSpatialJoins", "FALSE"),
        _constraint("ImplementsTemporalJoins", "FALSE"),
        _constraint("ImplementsFeatureVersioning", "FALSE"),
        _constraint("ManageStoredQueries", "FALSE"),
        _constraint("CountDefault", str(COUNT_DEFAULT)),
        "<ows:Constraint "
        'name="QueryExpressions"><ows:AllowedValues><ows:Value>wfs:Query</ows:Value>'
        "<ows:Value>wfs:StoredQuery</ows:Value></ows:AllowedValues></ows:Constraint>",
    ]
    metadata = (
        "<ows:OperationsMetadata>"
        + "".join(ops)
        + _allowed("version", list(VERSIONS))
        + "".join(constraints)
        + "</ows:OperationsMetadata>"
    )
    fts = []
    for info in layers:
        ft = info.ftype
        b = _bbox(info)
        fts.append(
            "<wfs:FeatureType>"
            f"<wfs:Name>{ft.name}</wfs:Name>"
            f'<wfs:Title xml:lang="vi">{_e(ft.spec.title_vi)}</wfs:Title>'
            f'<wfs:Title xml:lang="en">{_e(ft.spec.title_en)}</wfs:Title>'
            f'<wfs:Abstract xml:lang="en">{_e(ft.spec.title_en)}</wfs:Abstract>'
            f"<ows:Keywords><ows:Keyword>{_e(ft.name)}</ows:Keyword></ows:Keywords>"
            f"<wfs:DefaultCRS>{urn(4326)}</wfs:DefaultCRS>{_other_crs('wfs:OtherCRS', urn)}"
            "<wfs:OutputFormats>"
            + "".join(f"<wfs:Format>{_e(f)}</wfs:Format>" for f in formats_gf)
            + "</wfs:OutputFormats>"
            f"<ows:WGS84BoundingBox><ows:LowerCorner>{_c(b[0])} {_c(b[1])}</ows:LowerCorner>"
            f"<ows:UpperCorner>{_c(b[2])} {_c(b[3])}</ows:UpperCorner></ows:WGS84BoundingBox>"
            "</wfs:FeatureType>"
        )
    body = (
        f'<wfs:WFS_Capabilities version="2.0.0" xmlns="{NAMESPACE}" xmlns:{PREFIX}="{NAMESPACE}" '
        f'xmlns:wfs="{NS_WFS20}" xmlns:ows="{NS_OWS11}" xmlns:fes="{NS_FES20}" '
        f'xmlns:gml="{NS_GML32}" '
        f'xmlns:xlink="{NS_XLINK}" xmlns:xsi="{NS_XSI}" '
        f'xsi:schemaLocation="{NS_WFS20} http://schemas.opengis.net/wfs/2.0/wfs.xsd">'
        + _service_identification(list(VERSIONS))
        + metadata
        + "<wfs:FeatureTypeList>"
        + "".join(fts)
        + "</wfs:FeatureTypeList>"
        + _filter_capabilities_20()
        + "</wfs:WFS_Capabilities>"
    )
    return (XML_DECL + body).encode("utf-8")


_COMPARISON = [
    "PropertyIsEqualTo",
    "PropertyIsNotEqualTo",
    "PropertyIsLessThan",
    "PropertyIsGreaterThan",
    "PropertyIsLessThanOrEqualTo",
    "PropertyIsGreaterThanOrEqualTo",
    "PropertyIsLike",
    "PropertyIsNull",
    "PropertyIsNil",
    "PropertyIsBetween",
]
_SPATIAL = [
    "BBOX",
    "Equals",
    "Disjoint",
    "Intersects",
    "Touches",
    "Crosses",
    "Within",
    "Contains",
    "Overlaps",
    "DWithin",
    "Beyond",
]


def _filter_capabilities_20() -> str:
    conformance = {
        "ImplementsQuery": "TRUE",
        "ImplementsAdHocQuery": "TRUE",
        "ImplementsFunctions": "FALSE",
        "ImplementsResourceId": "TRUE",
        "ImplementsMinStandardFilter": "TRUE",
        "ImplementsStandardFilter": "TRUE",
        "ImplementsMinSpatialFilter": "TRUE",
        "ImplementsSpatialFilter": "TRUE",
        "ImplementsMinTemporalFilter": "FALSE",
        "ImplementsTemporalFilter": "FALSE",
        "ImplementsVersionNav": "FALSE",
        "ImplementsSorting": "TRUE",
        "ImplementsExtendedOperators": "FALSE",
        "ImplementsMinimumXPath": "TRUE",
        "ImplementsSchemaElementFunc": "FALSE",
    }
    conf = "".join(
        "<fes:Constraint "
        f'name="{k}"><ows:NoValues/><ows:DefaultValue>{v}</ows:DefaultValue></fes:Constraint>'
        for k, v in conformance.items()
    )
    operands = "".join(
        f'<fes:GeometryOperand name="gml:{g}"/>'
        for g in (
            "Envelope",
            "Point",
            "MultiPoint",
            "LineString",
            "MultiLineString",
            "MultiCurve",
            "Polygon",
            "MultiPolygon",
            "MultiSurface",
        )
    )
    return (
        f"<fes:Filter_Capabilities><fes:Conformance>{conf}</fes:Conformance>"
        '<fes:Id_Capabilities><fes:ResourceIdentifier name="fes:ResourceId"/></fes:Id_Capabilities>'
        "<fes:Scalar_Capabilities><fes:LogicalOperators/><fes:ComparisonOperators>"
        + "".join(f'<fes:ComparisonOperator name="{c}"/>' for c in _COMPARISON)
        + "</fes:ComparisonOperators></fes:Scalar_Capabilities>"
        f"<fes:Spatial_Capabilities><fes:GeometryOperands>{operands}</fes:GeometryOperands>"
        "<fes:SpatialOperators>"
        + "".join(f'<fes:SpatialOperator name="{s}"/>' for s in _SPATIAL)
        + "</fes:SpatialOperators></fes:Spatial_Capabilities></fes:Filter_Capabilities>"
    )


# --- 1.1.0 ---------------------------------------------------------------------------------------


def _capabilities_110(url: str, layers: list[LayerInfo], can_transact: bool) -> bytes:
    formats = [MIME[FORMAT_GML311], MIME[FORMAT_GML2], "application/json"]
    ops = []
    for op in OPERATIONS["1.1.0"]:
        if op == "Transaction" and not can_transact:
            continue
        params = ""
        if op == "GetCapabilities":
            params = _allowed("AcceptVersions", list(VERSIONS)) + _allowed(
                "AcceptFormats", ["text/xml"]
            )
        elif op == "DescribeFeatureType":
            params = _allowed("outputFormat", [MIME[FORMAT_GML311], MIME[FORMAT_GML2]])
        elif op == "GetFeature":
            params = _allowed("resultType", ["results", "hits"]) + _allowed("outputFormat", formats)
        elif op == "Transaction":
            params = _allowed("inputFormat", [MIME[FORMAT_GML311], MIME[FORMAT_GML2]])
        ops.append(f'<ows:Operation name="{op}">{_dcp(url)}{params}</ows:Operation>')
    fts = []
    for info in layers:
        ft = info.ftype
        b = _bbox(info)
        fts.append(
            "<wfs:FeatureType>"
            f"<wfs:Name>{ft.name}</wfs:Name><wfs:Title>{_e(ft.spec.title_vi)}</wfs:Title>"
            f"<wfs:Abstract>{_e(ft.spec.title_en)}</wfs:Abstract>"
            f"<ows:Keywords><ows:Keyword>{_e(ft.name)}</ows:Keyword></ows:Keywords>"
            f"<wfs:DefaultSRS>{urn(4326)}</wfs:DefaultSRS>{_other_crs('wfs:OtherSRS', urn)}"
            + (
                "<wfs:Operations><wfs:Operation>Query</wfs:Operation><wfs:Operation>Insert</wfs:Operation>"
                "<wfs:Operation>Update</wfs:Operation><wfs:Operation>Delete</wfs:Operation></wfs:Operations>"
                if info.editable and can_transact
                else ""
            )
            + "<wfs:OutputFormats>"
            + "".join(f"<wfs:Format>{_e(f)}</wfs:Format>" for f in formats)
            + "</wfs:OutputFormats>"
            f"<ows:WGS84BoundingBox><ows:LowerCorner>{_c(b[0])} {_c(b[1])}</ows:LowerCorner>"
            f"<ows:UpperCorner>{_c(b[2])} {_c(b[3])}</ows:UpperCorner></ows:WGS84BoundingBox>"
            "</wfs:FeatureType>"
        )
    body = (
        f'<wfs:WFS_Capabilities version="1.1.0" xmlns="{NAMESPACE}" xmlns:wfs="{NS_WFS}" '
        f'xmlns:{PREFIX}="{NAMESPACE}" '
        f'xmlns:ows="{NS_OWS}" xmlns:ogc="{NS_OGC}" xmlns:gml="{NS_GML}" xmlns:xlink="{NS_XLINK}" '
        f'xmlns:xsi="{NS_XSI}" xsi:schemaLocation="{NS_WFS} '
        'http://schemas.opengis.net/wfs/1.1.0/wfs.xsd">'
        + _service_identification(["1.1.0"])
        + "<ows:OperationsMetadata>"
        + "".join(ops)
        + _constraint("DefaultMaxFeatures", str(COUNT_DEFAULT))
        + "</ows:OperationsMetadata>"
        + "<wfs:FeatureTypeList><wfs:Operations><wfs:Operation>Query</wfs:Operation>"
        + "</wfs:Operations>"
        + "".join(fts)
        + "</wfs:FeatureTypeList>"
        + _filter_capabilities_11()
        + "</wfs:WFS_Capabilities>"
    )
    return (XML_DECL + body).encode("utf-8")


def _filter_capabilities_11() -> str:
    spatial = "".join(f'<ogc:SpatialOperator name="{s}"/>' for s in _SPATIAL)
    operands = "".join(
        f"<ogc:GeometryOperand>gml:{g}</ogc:GeometryOperand>"
        for g in ("Envelope", "Point", "LineString", "Polygon", "MultiPolygon", "MultiSurface")
    )
    comparison = "".join(
        f"<ogc:ComparisonOperator>{c}</ogc:ComparisonOperator>"
        for c in (
            "LessThan",
            "GreaterThan",
            "LessThanEqualTo",
            "GreaterThanEqualTo",
            "EqualTo",
            "NotEqualTo",
            "Like",
            "Between",
            "NullCheck",
        )
    )
    return (
        "<ogc:Filter_Capabilities><ogc:Spatial_Capabilities>"
        f"<ogc:GeometryOperands>{operands}</ogc:GeometryOperands>"
        f"<ogc:SpatialOperators>{spatial}</ogc:SpatialOperators></ogc:Spatial_Capabilities>"
        "<ogc:Scalar_Capabilities><ogc:LogicalOperators/>"
        f"<ogc:ComparisonOperators>{comparison}</ogc:ComparisonOperators></ogc:Scalar_Capabilities>"
        "<ogc:Id_Capabilities><ogc:EID/><ogc:FID/></ogc:Id_Capabilities></ogc:Filter_Capabilities>"
    )


# --- 1.0.0 ---------------------------------------------------------------------------------------


def _capabilities_100(url: str, layers: list[LayerInfo], can_transact: bool) -> bytes:
    def dcp() -> str:
        return (
            f"<DCPType><HTTP><Get onlineResource={quoteattr(url + '?')}/></HTTP></DCPType>"
            f"<DCPType><HTTP><Post onlineResource={quoteattr(url)}/></HTTP></DCPType>"
        )

    request = (
        f"<GetCapabilities>{dcp()}</GetCapabilities>"
        f"<DescribeFeatureType><SchemaDescriptionLanguage><XMLSCHEMA/></SchemaDescriptionLanguage>{dcp()}"
        "</DescribeFeatureType>"
        f"<GetFeature><ResultFormat><GML2/><GML3/><GeoJSON/></ResultFormat>{dcp()}</GetFeature>"
        + (f"<Transaction>{dcp()}</Transaction>" if can_transact else "")
    )
    fts = []
    for info in layers:
        ft = info.ftype
        b = _bbox(info)
        operations = (
            "<Operations><Query/>"
            + ("<Insert/><Update/><Delete/>" if info.editable else "")
            + "</Operations>"
        )
        fts.append(
            f"<FeatureType><Name>{ft.name}</Name><Title>{_e(ft.spec.title_vi)}</Title>"
            f"<Abstract>{_e(ft.spec.title_en)}</Abstract><Keywords>{_e(ft.name)}</Keywords>"
            f"<SRS>{short(4326)}</SRS>{operations}"
            f'<LatLongBoundingBox minx="{_c(b[0])}" miny="{_c(b[1])}" maxx="{_c(b[2])}" '
            f'maxy="{_c(b[3])}"/>'
            "</FeatureType>"
        )
    body = (
        f'<WFS_Capabilities version="1.0.0" xmlns="{NS_WFS}" xmlns:{PREFIX}="{NAMESPACE}" '
        f'xmlns:ogc="{NS_OGC}" '
        f'xmlns:xsi="{NS_XSI}" xsi:schemaLocation="{NS_WFS} '
        'http://schemas.opengis.net/wfs/1.0.0/WFS-capabilities.xsd">'
        f"<Service><Name>WFS</Name><Title>{_e(SERVICE_TITLE)}</Title><Abstract>{_e(SERVICE_ABSTRACT)}</Abstract>"
        f"<OnlineResource>{_e(url)}</OnlineResource><Fees>NONE</Fees><AccessConstraints>NONE</AccessConstraints>"
        "</Service>"
        f"<Capability><Request>{request}</Request></Capability>"
        "<FeatureTypeList><Operations><Query/></Operations>" + "".join(fts) + "</FeatureTypeList>"
        "<ogc:Filter_Capabilities><ogc:Spatial_Capabilities><ogc:Spatial_Operators><ogc:BBOX/>"
        "<ogc:Equals/><ogc:Disjoint/><ogc:Intersect/><ogc:Touches/><ogc:Crosses/><ogc:Within/>"
        "<ogc:Contains/><ogc:Overlaps/><ogc:DWithin/><ogc:Beyond/></ogc:Spatial_Operators>"
        "</ogc:Spatial_Capabilities><ogc:Scalar_Capabilities><ogc:Logical_Operators/>"
        "<ogc:Comparison_Operators><ogc:Simple_Comparisons/><ogc:Like/><ogc:Between/><ogc:NullCheck/>"
        "</ogc:Comparison_Operators></ogc:Scalar_Capabilities></ogc:Filter_Capabilities>"
        "</WFS_Capabilities>"
    )
    return (XML_DECL + body).encode("utf-8")


# --- DescribeFeatureType -------------------------------------------------------------------------

_GEOM_PROPERTY_TYPES = {
    # (GML 3 type, GML 2 type)
    "MultiPolygon": ("MultiSurfacePropertyType", "MultiPolygonPropertyType"),
    "Polygon": ("SurfacePropertyType", "PolygonPropertyType"),
    "MultiLineString": ("MultiCurvePropertyType", "MultiLineStringPropertyType"),
    "LineString": ("CurvePropertyType", "LineStringPropertyType"),
    "MultiPoint": ("MultiPointPropertyType", "MultiPointPropertyType"),
    "Point": ("PointPropertyType", "PointPropertyType"),
    "Geometry": ("GeometryPropertyType", "GeometryPropertyType"),
}


def describe_feature_type(ftypes: list[FeatureType], *, fmt: str) -> bytes:
    """A flat simple-feature XML Schema: one gml:AbstractFeatureType extension per type."""
    if fmt == FORMAT_GML32:
        gml_ns, gml_loc, subst = (
            NS_GML32,
            "http://schemas.opengis.net/gml/3.2.1/gml.xsd",
            "gml:AbstractFeature",
        )
    elif fmt == FORMAT_GML311:
        gml_ns, gml_loc, subst = (
            NS_GML,
            "http://schemas.opengis.net/gml/3.1.1/base/gml.xsd",
            "gml:_Feature",
        )
    else:
        gml_ns, gml_loc, subst = (
            NS_GML,
            "http://schemas.opengis.net/gml/2.1.2/feature.xsd",
            "gml:_Feature",
        )
    parts = []
    for ft in ftypes:
        elements = []
        for prop in ft.props:
            elements.append(
                f'<xs:element name="{prop.name}" type="xs:{prop.xs_type}" minOccurs="0" '
                'maxOccurs="1" nillable="true"/>'
            )
        geom3, geom2 = _GEOM_PROPERTY_TYPES.get(ft.geometry_kind, _GEOM_PROPERTY_TYPES["Geometry"])
        geom_type = geom2 if fmt == FORMAT_GML2 else geom3
        elements.append(
            f'<xs:element name="{ft.geometry}" type="gml:{geom_type}" minOccurs="0" maxOccurs="1" '
            'nillable="true"/>'
        )
        parts.append(
            f'<xs:complexType name="{ft.name}Type"><xs:complexContent>'
            "<xs:extension "
            f'base="gml:AbstractFeatureType"><xs:sequence>{"".join(elements)}</xs:sequence>'
            "</xs:extension></xs:complexContent></xs:complexType>"
            f'<xs:element name="{ft.name}" type="{PREFIX}:{ft.name}Type" '
            f'substitutionGroup="{subst}"/>'
        )
    body = (
        f'<xs:schema xmlns:xs="{NS_XS}" xmlns:gml="{gml_ns}" xmlns:{PREFIX}="{NAMESPACE}" '
        f'targetNamespace="{NAMESPACE}" elementFormDefault="qualified" version="1.0">'
        f'<xs:import namespace="{gml_ns}" schemaLocation="{gml_loc}"/>'
        + "".join(parts)
        + "</xs:schema>"
    )
    return (XML_DECL + body).encode("utf-8")


# --- stored queries ------------------------------------------------------------------------------


def _get_feature_by_id_title() -> str:
    return _("Get feature by identifier")


def list_stored_queries(ftypes: list[FeatureType]) -> bytes:
    returns = "".join(
        f"<wfs:ReturnFeatureType>{PREFIX}:{ft.name}</wfs:ReturnFeatureType>" for ft in ftypes
    )
    body = (
        f'<wfs:ListStoredQueriesResponse xmlns:wfs="{NS_WFS20}" xmlns:{PREFIX}="{NAMESPACE}">'
        f'<wfs:StoredQuery id="{GET_FEATURE_BY_ID}">'
        f"<wfs:Title>{_e(_get_feature_by_id_title())}</wfs:Title>"
        f"{returns}</wfs:StoredQuery></wfs:ListStoredQueriesResponse>"
    )
    return (XML_DECL + body).encode("utf-8")


def describe_stored_queries(ftypes: list[FeatureType]) -> bytes:
    returns = " ".join(f"{PREFIX}:{ft.name}" for ft in ftypes)
    body = (
        f'<wfs:DescribeStoredQueriesResponse xmlns:wfs="{NS_WFS20}" xmlns:fes="{NS_FES20}" '
        f'xmlns:xs="{NS_XS}" xmlns:{PREFIX}="{NAMESPACE}">'
        f'<wfs:StoredQueryDescription id="{GET_FEATURE_BY_ID}">'
        f"<wfs:Title>{_e(_get_feature_by_id_title())}</wfs:Title>"
        "<wfs:Abstract>"
        + _e(_("Returns the single feature whose identifier (typename.id) is ID."))
        + "</wfs:Abstract>"
        '<wfs:Parameter name="ID" type="xs:string"/>'
        '<wfs:QueryExpressionText isPrivate="true" '
        'language="urn:ogc:def:queryLanguage:OGC-WFS::WFS_QueryExpression" '
        f'returnFeatureTypes="{returns}"/>'
        "</wfs:StoredQueryDescription></wfs:DescribeStoredQueriesResponse>"
    )
    return (XML_DECL + body).encode("utf-8")
