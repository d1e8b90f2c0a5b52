"""Parse WFS requests (KVP or XML) into plain dataclasses. No ORM here.

Everything a client can get wrong is reported as an ``layers.errors`` exception with the OGC
code and the parameter (locator) at fault.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from lxml import etree

from layers.errors import (
    InvalidParameterValue,
    MissingParameterValue,
    OperationNotSupported,
    OperationParsingFailed,
    VersionNegotiationFailed,
)
from layers.wfs import crs as crs_mod
from layers.wfs.crs import CRSRef
from layers.xml import XMLRefused, attr, child, children, local, parse_xml, text

VERSIONS = ("2.0.0", "1.1.0", "1.0.0")
# Operations per version. WFS 1.0 clients get GetCapabilities, DescribeFeatureType, GetFeature and
# Transaction (QGIS sends WFS-T 1.0.0 documents even on 2.0 connections).
OPERATIONS = {
    "2.0.0": (
        "GetCapabilities",
        "DescribeFeatureType",
        "GetFeature",
        "GetPropertyValue",
        "ListStoredQueries",
        "DescribeStoredQueries",
        "Transaction",
    ),
    "1.1.0": ("GetCapabilities", "DescribeFeatureType", "GetFeature", "Transaction"),
    "1.0.0": ("GetCapabilities", "DescribeFeatureType", "GetFeature", "Transaction"),
}
NOT_IMPLEMENTED = (
    "LockFeature",
    "GetFeatureWithLock",
    "CreateStoredQuery",
    "DropStoredQuery",
    "GetGmlObject",
)
_ALL_OPERATIONS = {op.lower(): op for ops in OPERATIONS.values() for op in ops}
_ALL_OPERATIONS.update({op.lower(): op for op in NOT_IMPLEMENTED})

GET_FEATURE_BY_ID = "urn:ogc:def:query:OGC-WFS::GetFeatureById"

# The CountDefault advertised in the capabilities, and the most features one response may hold:
# a larger COUNT / MAXFEATURES is refused (InvalidParameterValue), not silently clamped, so a
# client never mistakes a cut-off page for the whole result.
COUNT_DEFAULT = 1000
COUNT_MAX = 10000

FORMAT_GML32, FORMAT_GML311, FORMAT_GML2, FORMAT_GEOJSON = "gml32", "gml311", "gml2", "geojson"
_FORMATS = {
    "application/gml+xml;version=3.2": FORMAT_GML32,
    "application/gml+xml;version=3.2.1": FORMAT_GML32,
    "text/xml;subtype=gml/3.2": FORMAT_GML32,
    "text/xml;subtype=gml/3.2.1": FORMAT_GML32,
    "gml32": FORMAT_GML32,
    "gml3.2": FORMAT_GML32,
    "text/xml;subtype=gml/3.1.1": FORMAT_GML311,
    "application/gml+xml;version=3.1": FORMAT_GML311,
    "gml3": FORMAT_GML311,
    "gml311": FORMAT_GML311,
    "text/xml;subtype=gml/2.1.2": FORMAT_GML2,
    "gml2": FORMAT_GML2,
    "xmlschema": FORMAT_GML2,
    "application/json": FORMAT_GEOJSON,
    "application/json;subtype=geojson": FORMAT_GEOJSON,
    "application/geo+json": FORMAT_GEOJSON,
    "application/vnd.geo+json": FORMAT_GEOJSON,
    "json": FORMAT_GEOJSON,
    "geojson": FORMAT_GEOJSON,
}
DEFAULT_FORMAT = {"2.0.0": FORMAT_GML32, "1.1.0": FORMAT_GML311, "1.0.0": FORMAT_GML2}
MIME = {
    FORMAT_GML32: "application/gml+xml; version=3.2",
    FORMAT_GML311: "text/xml; subtype=gml/3.1.1",
    FORMAT_GML2: "text/xml; subtype=gml/2.1.2",
    FORMAT_GEOJSON: "application/json",
}

NS_WFS20 = "http://www.opengis.net/wfs/2.0"
NS_WFS = "http://www.opengis.net/wfs"
NS_FES20 = "http://www.opengis.net/fes/2.0"
NS_OGC = "http://www.opengis.net/ogc"


# --- the request dataclasses ---------------------------------------------------------------------


@dataclass
class FilterSpec:
    """A filter as the client sent it: an FES/OGC XML element or CQL text."""

    language: str  # "fes" or "cql"
    element: etree._Element | None = None
    text: str = ""


@dataclass
class BBox:
    coords: tuple[float, float, float, float]  # as sent (axis order of ``crs``)
    crs: CRSRef | None  # None: EPSG:4326 longitude/latitude


@dataclass
class Query:
    type_name: str
    property_names: list[str] | None = None
    filter: FilterSpec | None = None
    bbox: BBox | None = None
    resource_ids: list[str] | None = None
    sort_by: list[tuple[str, bool]] = field(default_factory=list)  # (name, descending)
    srs_name: CRSRef | None = None


@dataclass
class WFSRequest:
    operation: str
    version: str


@dataclass
class GetCapabilities(WFSRequest):
    pass


@dataclass
class DescribeFeatureType(WFSRequest):
    type_names: list[str] = field(default_factory=list)
    output_format: str = FORMAT_GML32


@dataclass
class GetFeature(WFSRequest):
    queries: list[Query] = field(default_factory=list)
    output_format: str = FORMAT_GML32
    hits: bool = False
    count: int | None = None
    start_index: int = 0
    stored_query_id: str | None = None
    stored_query_params: dict[str, str] = field(default_factory=dict)
    kvp: dict[str, str] | None = None  # the original KVP parameters (for next/previous links)
    srs_name: CRSRef | None = None  # stored queries: SRSNAME
    value_reference: str | None = None  # GetPropertyValue only


@dataclass
class ListStoredQueries(WFSRequest):
    pass


@dataclass
class DescribeStoredQueries(WFSRequest):
    ids: list[str] = field(default_factory=list)


@dataclass
class Transaction(WFSRequest):
    root: etree._Element | None = None


# --- shared helpers ------------------------------------------------------------------------------


def normalise_version(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip()
    if v in VERSIONS:
        return v
    if v in ("2.0", "2.0.2", "2"):
        return "2.0.0"
    if v == "1.1":
        return "1.1.0"
    if v == "1.0":
        return "1.0.0"
    return None


def canonical_operation(value: str) -> str:
    op = _ALL_OPERATIONS.get(value.strip().lower())
    if op is None:
        raise OperationNotSupported(
            _("unknown operation %(op)s") % {"op": repr(value)}, locator="request"
        )
    if op in NOT_IMPLEMENTED:
        raise OperationNotSupported(
            _("%(op)s is not supported by this service") % {"op": op}, locator="request"
        )
    return op


def check_operation(op: str, version: str) -> None:
    if op not in OPERATIONS[version]:
        raise OperationNotSupported(
            _("%(op)s is not available in WFS %(version)s") % {"op": op, "version": version},
            locator="request",
        )


def type_name(value: str) -> str:
    """'kcn:proposals', '{ns}proposals', 'proposals' -> 'proposals'."""
    v = value.strip()
    if v.startswith("{"):
        v = v.partition("}")[2]
    if v.startswith("schema-element(") and v.endswith(")"):
        v = v[len("schema-element(") : -1]
    return v.rpartition(":")[2].strip()


def property_name(value: str) -> str:
    """An XPath-ish property reference ('kcn:proposals/kcn:name', 'kcn:name') -> 'name'."""
    v = value.strip().rpartition("/")[2]
    return v.rpartition(":")[2].strip()


def output_format(value: str | None, version: str, *, locator: str = "outputFormat") -> str:
    if value is None or not value.strip():
        return DEFAULT_FORMAT[version]
    key = re.sub(r"\s+", "", value).lower().replace('"', "")
    if key in ("text/xml", "application/xml", "gml"):
        return DEFAULT_FORMAT[version]
    fmt = _FORMATS.get(key)
    if fmt is None:
        raise InvalidParameterValue(
            _("unsupported output format %(format)s; use one of: %(formats)s")
            % {"format": repr(value), "formats": ", ".join(sorted(set(MIME.values())))},
            locator=locator,
        )
    return fmt


def parse_int(value: str | None, name: str, *, minimum: int = 0) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidParameterValue(
            _("%(name)s must be a whole number, got %(value)s")
            % {"name": name, "value": repr(value)},
            locator=name,
        ) from None
    if number < minimum:
        raise InvalidParameterValue(
            _("%(name)s must be at least %(minimum)s, got %(number)s")
            % {"name": name, "minimum": minimum, "number": number},
            locator=name,
        )
    return number


def parse_count(value: str | None, name: str) -> int | None:
    count = parse_int(value, name, minimum=0)
    if count is not None and count > COUNT_MAX:
        raise InvalidParameterValue(
            _(
                "%(name)s=%(count)s is more than this service returns in one response "
                "(%(max)s); page through the result with STARTINDEX"
            )
            % {"name": name, "count": count, "max": COUNT_MAX},
            locator=name,
        )
    return count


def parse_srs(value: str | None, locator: str = "srsName") -> CRSRef | None:
    if value is None or not value.strip():
        return None
    try:
        return crs_mod.parse_crs(value)
    except crs_mod.UnknownCRS as exc:
        raise InvalidParameterValue(str(exc), locator=locator) from None


def parse_bbox(value: str) -> BBox:
    parts = [p.strip() for p in value.split(",")]
    crs = None
    if len(parts) == 5:
        crs = parse_srs(parts.pop(), locator="BBOX")
    if len(parts) != 4:
        raise InvalidParameterValue(
            _("BBOX must be minx,miny,maxx,maxy[,crs], got %(value)s") % {"value": repr(value)},
            locator="BBOX",
        )
    try:
        numbers = tuple(float(p) for p in parts)
    except ValueError:
        raise InvalidParameterValue(
            _("BBOX must hold four numbers, got %(value)s") % {"value": repr(value)},
            locator="BBOX",
        ) from None
    if not all(math.isfinite(n) for n in numbers):
        raise InvalidParameterValue(
            _("BBOX must hold finite numbers, got %(value)s") % {"value": repr(value)},
            locator="BBOX",
        )
    if numbers[0] > numbers[2] or numbers[1] > numbers[3]:
        raise InvalidParameterValue(
            _("BBOX lower corner must not exceed the upper corner, got %(value)s")
            % {"value": repr(value)},
            locator="BBOX",
        )
    return BBox(numbers, crs)  # type: ignore[arg-type]


def parse_sort_by(value: str) -> list[tuple[str, bool]]:
    out = []
    for item in value.split(","):
        words = item.split()
        if not words:
            continue
        if len(words) > 2:
            raise InvalidParameterValue(
                _("SORTBY: cannot read %(item)s") % {"item": repr(item.strip())}, locator="SORTBY"
            )
        order = words[1].upper() if len(words) == 2 else "ASC"
        if order not in ("ASC", "DESC", "A", "D"):
            raise InvalidParameterValue(
                _("SORTBY: the order must be ASC or DESC, got %(order)s")
                % {"order": repr(words[1])},
                locator="SORTBY",
            )
        out.append((property_name(words[0]), order in ("DESC", "D")))
    return out


def _groups(value: str) -> list[str]:
    """KVP list groups: '(a,b)(c)' -> ['a,b', 'c']; 'a,b' -> ['a,b']."""
    v = value.strip()
    if v.startswith("(") and v.endswith(")"):
        return [g for g in re.split(r"\)\s*\(", v[1:-1])]
    return [v]


def _xml_filter(value: str, locator: str) -> etree._Element:
    try:
        return parse_xml(value)
    except XMLRefused as exc:
        raise OperationParsingFailed(f"{locator}: {exc}", locator=locator) from None


# --- KVP -----------------------------------------------------------------------------------------


def _version_for_capabilities(p: dict[str, str]) -> str:
    accept = p.get("ACCEPTVERSIONS")
    if accept:
        for v in accept.split(","):
            nv = normalise_version(v)
            if nv:
                return nv
        raise VersionNegotiationFailed(
            _("none of the versions %(versions)s is supported; supported: %(supported)s")
            % {"versions": repr(accept), "supported": ", ".join(VERSIONS)},
            locator="AcceptVersions",
        )
    if p.get("VERSION"):
        nv = normalise_version(p["VERSION"])
        if nv is None:
            raise VersionNegotiationFailed(
                _("version %(version)s is not supported; supported: %(supported)s")
                % {"version": repr(p["VERSION"]), "supported": ", ".join(VERSIONS)},
                locator="version",
            )
        return nv
    return VERSIONS[0]


def request_version(value: str | None) -> str:
    if value is None or not value.strip():
        return VERSIONS[0]
    nv = normalise_version(value)
    if nv is None:
        raise VersionNegotiationFailed(
            _("version %(version)s is not supported; supported: %(supported)s")
            % {"version": repr(value), "supported": ", ".join(VERSIONS)},
            locator="version",
        )
    return nv


def parse_kvp(params: Mapping[str, str]) -> WFSRequest:
    p = {str(k).upper(): v for k, v in params.items()}
    service = p.get("SERVICE")
    if service and service.strip().upper() != "WFS":
        raise InvalidParameterValue(
            _("SERVICE must be WFS, got %(service)s") % {"service": repr(service)},
            locator="service",
        )
    raw_request = p.get("REQUEST")
    if not raw_request or not raw_request.strip():
        raise MissingParameterValue(_("the REQUEST parameter is missing"), locator="request")
    op = canonical_operation(raw_request)
    version = (
        _version_for_capabilities(p)
        if op == "GetCapabilities"
        else request_version(p.get("VERSION"))
    )
    check_operation(op, version)
    if op == "GetCapabilities":
        return GetCapabilities(op, version)
    if op == "DescribeFeatureType":
        names = p.get("TYPENAMES") or p.get("TYPENAME") or ""
        return DescribeFeatureType(
            op,
            version,
            [type_name(n) for n in names.split(",") if n.strip()],
            output_format(p.get("OUTPUTFORMAT"), version),
        )
    if op == "ListStoredQueries":
        return ListStoredQueries(op, version)
    if op == "DescribeStoredQueries":
        ids = p.get("STOREDQUERY_ID") or ""
        return DescribeStoredQueries(op, version, [i.strip() for i in ids.split(",") if i.strip()])
    if op == "Transaction":
        raise OperationNotSupported(
            _("Transaction needs an XML document sent by POST"), locator="request"
        )
    return _parse_kvp_get_feature(op, version, p, {str(k): v for k, v in params.items()})


def _parse_kvp_get_feature(op: str, version: str, p: dict[str, str], original: dict) -> GetFeature:
    req = GetFeature(
        op, version, output_format=output_format(p.get("OUTPUTFORMAT"), version), kvp=original
    )
    rt = (p.get("RESULTTYPE") or "results").strip().lower()
    if rt not in ("results", "hits"):
        raise InvalidParameterValue(
            _("RESULTTYPE must be results or hits, got %(value)s") % {"value": repr(rt)},
            locator="resultType",
        )
    req.hits = rt == "hits"
    count_key = "COUNT" if "COUNT" in p else "MAXFEATURES"
    req.count = parse_count(p.get(count_key), count_key)
    req.start_index = parse_int(p.get("STARTINDEX"), "STARTINDEX") or 0
    if op == "GetPropertyValue":
        req.value_reference = (p.get("VALUEREFERENCE") or "").strip()
        if not req.value_reference:
            raise MissingParameterValue(_("VALUEREFERENCE is missing"), locator="valueReference")
    stored = p.get("STOREDQUERY_ID")
    if stored:
        if version != "2.0.0":
            raise OperationNotSupported(
                _("stored queries need WFS 2.0.0"), locator="STOREDQUERY_ID"
            )
        req.stored_query_id = stored.strip()
        req.stored_query_params = {
            k: v
            for k, v in p.items()
            if k
            not in {
                "SERVICE",
                "VERSION",
                "REQUEST",
                "STOREDQUERY_ID",
                "OUTPUTFORMAT",
                "SRSNAME",
                "COUNT",
                "STARTINDEX",
                "RESULTTYPE",
                "NAMESPACES",
                "VALUEREFERENCE",
            }
        }
        req.srs_name = parse_srs(p.get("SRSNAME"))
        return req

    names_raw = p.get("TYPENAMES") or p.get("TYPENAME")
    ids_raw = p.get("RESOURCEID") or p.get("FEATUREID")
    filter_raw, cql_raw, bbox_raw = p.get("FILTER"), p.get("CQL_FILTER"), p.get("BBOX")
    given = [
        k
        for k, v in (
            ("BBOX", bbox_raw),
            ("FILTER", filter_raw),
            ("CQL_FILTER", cql_raw),
            ("RESOURCEID", ids_raw),
        )
        if v
    ]
    if len(given) > 1:
        raise InvalidParameterValue(
            _("%(parameters)s cannot be combined") % {"parameters": " + ".join(given)},
            locator=given[1],
        )
    srs = parse_srs(p.get("SRSNAME"))
    sort_by = parse_sort_by(p["SORTBY"]) if p.get("SORTBY") else []
    bbox = parse_bbox(bbox_raw) if bbox_raw else None

    resource_ids = [i.strip() for i in ids_raw.split(",") if i.strip()] if ids_raw else None
    if names_raw:
        names = [type_name(n) for g in _groups(names_raw) for n in g.split(",") if n.strip()]
    elif resource_ids:
        names = []
        for rid in resource_ids:
            n = rid.rpartition(".")[0] if "." in rid else ""
            if not n:
                raise InvalidParameterValue(
                    _(
                        "resource id %(rid)s does not name its type (<typename>.<id>); "
                        "give TYPENAMES"
                    )
                    % {"rid": repr(rid)},
                    locator="RESOURCEID",
                )
            if type_name(n) not in names:
                names.append(type_name(n))
    else:
        raise MissingParameterValue(_("TYPENAMES (or RESOURCEID) is missing"), locator="typeNames")

    prop_groups = _groups(p["PROPERTYNAME"]) if p.get("PROPERTYNAME") else None
    filters: list[FilterSpec | None] = [None] * len(names)
    if filter_raw:
        language = (p.get("FILTER_LANGUAGE") or "").lower()
        raw = filter_raw.strip()
        if "cql" in language:
            parts = raw.split(";") if len(names) > 1 else [raw]
            filters = [FilterSpec("cql", text=t) for t in parts]
        else:
            parts = (
                re.split(r"(?<=>)\s*\)\s*\(\s*(?=<)", raw[1:-1])
                if raw.startswith("(") and raw.endswith(")")
                else [raw]
            )
            filters = [FilterSpec("fes", element=_xml_filter(x, "FILTER")) for x in parts]
    elif cql_raw:
        parts = cql_raw.split(";") if len(names) > 1 else [cql_raw]
        filters = [FilterSpec("cql", text=t.strip()) for t in parts]
    if len(filters) == 1 and len(names) > 1:
        filters = filters * len(names)
    if len(filters) != len(names):
        raise InvalidParameterValue(
            _("%(filters)s filters for %(names)s type names")
            % {"filters": len(filters), "names": len(names)},
            locator="FILTER",
        )

    for i, name in enumerate(names):
        props = None
        if prop_groups:
            group = prop_groups[i] if len(prop_groups) == len(names) else prop_groups[0]
            props = [
                property_name(x) for x in group.split(",") if x.strip() and x.strip() != "*"
            ] or None
        ids = None
        if resource_ids is not None:
            ids = [
                r for r in resource_ids if "." not in r or type_name(r.rpartition(".")[0]) == name
            ]
        req.queries.append(Query(name, props, filters[i], bbox, ids, list(sort_by), srs))
    return req


# --- XML (POST) ----------------------------------------------------------------------------------


def parse_xml_request(root: etree._Element) -> WFSRequest:
    op_name = local(root.tag)
    service = attr(root, "service")
    if service and service.strip().upper() != "WFS":
        raise InvalidParameterValue(
            _("service must be WFS, got %(service)s") % {"service": repr(service)},
            locator="service",
        )
    op = canonical_operation(op_name)
    if op == "Transaction":
        # Any version's document is welcome on the one endpoint (QGIS mixes them).
        version = request_version(attr(root, "version") or _version_from_namespace(root))
        return Transaction(op, version, root)
    if op == "GetCapabilities":
        version = VERSIONS[0]
        accept = child(root, "AcceptVersions")
        if accept is not None:
            wanted = [text(v) for v in children(accept)]
            chosen = next((normalise_version(v) for v in wanted if normalise_version(v)), None)
            if chosen is None:
                raise VersionNegotiationFailed(
                    _("none of the versions %(versions)s is supported")
                    % {"versions": ", ".join(wanted)},
                    locator="AcceptVersions",
                )
            version = chosen
        elif attr(root, "version"):
            version = request_version(attr(root, "version"))
        return GetCapabilities(op, version)
    version = request_version(attr(root, "version") or _version_from_namespace(root))
    check_operation(op, version)
    if op == "DescribeFeatureType":
        names = [
            type_name(text(c)) for c in children(root) if local(c.tag) == "TypeName" and text(c)
        ]
        return DescribeFeatureType(
            op, version, names, output_format(attr(root, "outputFormat"), version)
        )
    if op == "ListStoredQueries":
        return ListStoredQueries(op, version)
    if op == "DescribeStoredQueries":
        return DescribeStoredQueries(op, version, [text(c) for c in children(root) if text(c)])
    return _parse_xml_get_feature(op, version, root)


def _version_from_namespace(root) -> str | None:
    ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    return "2.0.0" if ns == NS_WFS20 else None


def _parse_xml_get_feature(op: str, version: str, root) -> GetFeature:
    req = GetFeature(op, version, output_format=output_format(attr(root, "outputFormat"), version))
    rt = (attr(root, "resultType") or "results").strip().lower()
    if rt not in ("results", "hits"):
        raise InvalidParameterValue(
            _("resultType must be results or hits, got %(value)s") % {"value": repr(rt)},
            locator="resultType",
        )
    req.hits = rt == "hits"
    count_attr = "count" if attr(root, "count") is not None else "maxFeatures"
    req.count = parse_count(attr(root, count_attr), count_attr)
    req.start_index = parse_int(attr(root, "startIndex"), "startIndex") or 0
    if op == "GetPropertyValue":
        req.value_reference = (attr(root, "valueReference") or "").strip()
        if not req.value_reference:
            raise MissingParameterValue(_("valueReference is missing"), locator="valueReference")
    for el in children(root):
        name = local(el.tag)
        if name == "StoredQuery":
            req.stored_query_id = (attr(el, "id") or "").strip()
            for param in children(el):
                if local(param.tag) == "Parameter":
                    req.stored_query_params[(attr(param, "name") or "").upper()] = text(param)
        elif name == "Query":
            req.queries.extend(_parse_xml_query(el))
    if not req.queries and not req.stored_query_id:
        raise MissingParameterValue(
            _("%(op)s needs a wfs:Query or a wfs:StoredQuery") % {"op": op}, locator="Query"
        )
    return req


def _parse_xml_query(el) -> list[Query]:
    names_raw = attr(el, "typeNames") or attr(el, "typeName")
    if not names_raw:
        raise MissingParameterValue(_("wfs:Query needs typeNames"), locator="typeNames")
    names = [type_name(n) for n in re.split(r"[\s,]+", names_raw) if n.strip()]
    if len(names) != 1:
        raise OperationNotSupported(
            _("joins (several typeNames in one query) are not supported"), locator="typeNames"
        )
    srs = parse_srs(attr(el, "srsName"))
    props, filt, sort_by = [], None, []
    for c in children(el):
        name = local(c.tag)
        if name in ("PropertyName", "ValueReference"):
            if text(c) and text(c) != "*":
                props.append(property_name(text(c)))
        elif name == "Filter":
            filt = FilterSpec("fes", element=c)
        elif name == "SortBy":
            for sp in children(c):
                ref = child(sp, "ValueReference")
                if ref is None:
                    ref = child(sp, "PropertyName")
                order = child(sp, "SortOrder")
                if ref is None or not text(ref):
                    raise InvalidParameterValue(
                        _("SortProperty needs a property name"), locator="SortBy"
                    )
                spec = text(ref) + (" " + text(order) if order is not None and text(order) else "")
                sort_by.extend(parse_sort_by(spec))
    return [Query(names[0], props or None, filt, None, None, sort_by, srs)]


def parse_body(body: bytes) -> WFSRequest:
    try:
        root = parse_xml(body)
    except XMLRefused as exc:
        raise OperationParsingFailed(
            _("cannot read the request: %(reason)s") % {"reason": exc}
        ) from None
    return parse_xml_request(root)
