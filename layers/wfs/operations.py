"""The read operations: request dataclass in, document out (selectors -> encoders).

Paging: ``count`` defaults to COUNT_DEFAULT (1000) and may not exceed COUNT_MAX (10000; more is
refused); features are ordered by the SortBy properties, then by primary key, so pages never
overlap or skip. WFS 2.0 responses carry numberMatched, numberReturned and — for KVP requests —
``next`` / ``previous`` links; POST requests page with startIndex themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from layers.catalogue import UnknownLayer
from layers.errors import InvalidParameterValue, MissingParameterValue, NotFound
from layers.wfs import capabilities as caps
from layers.wfs import encoders, selectors, sqljson
from layers.wfs.crs import CRSRef, default_crs, for_version
from layers.wfs.encoders import FeatureSet
from layers.wfs.requests import (
    COUNT_DEFAULT,
    FORMAT_GEOJSON,
    FORMAT_GML2,
    FORMAT_GML32,
    GET_FEATURE_BY_ID,
    MIME,
    DescribeFeatureType,
    DescribeStoredQueries,
    GetCapabilities,
    GetFeature,
    ListStoredQueries,
    Query,
    WFSRequest,
    property_name,
    type_name,
)
from layers.wfs.schema import feature_type
from planning import access

XML = "text/xml; charset=utf-8"


@dataclass
class Result:
    body: bytes
    content_type: str
    status: int = 200


def _xml_type(fmt: str) -> str:
    return {
        FORMAT_GML32: "application/gml+xml; version=3.2; charset=utf-8",
        FORMAT_GML2: "text/xml; subtype=gml/2.1.2; charset=utf-8",
    }.get(fmt, "text/xml; subtype=gml/3.1.1; charset=utf-8")


def dispatch(req: WFSRequest, *, user, url: str) -> Result:
    if isinstance(req, GetCapabilities):
        return get_capabilities(req, user=user, url=url)
    if isinstance(req, DescribeFeatureType):
        return describe_feature_type(req, user=user)
    if isinstance(req, ListStoredQueries):
        return Result(caps.list_stored_queries(selectors.readable_feature_types(user)), XML)
    if isinstance(req, DescribeStoredQueries):
        for sq in req.ids:
            if sq != GET_FEATURE_BY_ID:
                raise InvalidParameterValue(
                    _("unknown stored query %(id)s") % {"id": repr(sq)}, locator="STOREDQUERY_ID"
                )
        return Result(caps.describe_stored_queries(selectors.readable_feature_types(user)), XML)
    if isinstance(req, GetFeature):
        if req.operation == "GetPropertyValue":
            return get_property_value(req, user=user, url=url)
        return get_feature(req, user=user, url=url)
    raise InvalidParameterValue(
        _("%(op)s cannot be answered here") % {"op": req.operation}, locator="request"
    )


def get_capabilities(req: GetCapabilities, *, user, url: str) -> Result:
    layers = [
        caps.LayerInfo(ft, selectors.layer_extent(ft), access.can_edit_layer(user, ft.spec))
        for ft in selectors.readable_feature_types(user)
    ]
    can_transact = bool(selectors.editable_feature_types(user))
    return Result(
        caps.capabilities(req.version, url=url, layers=layers, can_transact=can_transact), XML
    )


def describe_feature_type(req: DescribeFeatureType, *, user) -> Result:
    if req.output_format == FORMAT_GEOJSON:
        raise InvalidParameterValue(
            _("DescribeFeatureType answers with an XML Schema"), locator="outputFormat"
        )
    names = req.type_names or [ft.name for ft in selectors.readable_feature_types(user)]
    ftypes = []
    for name in names:
        ft = selectors.readable_feature_type(name, user)
        if ft not in ftypes:
            ftypes.append(ft)
    content_type = MIME[req.output_format] + "; charset=utf-8" if req.version == "2.0.0" else XML
    return Result(caps.describe_feature_type(ftypes, fmt=req.output_format), content_type)


def _output_srs(req: GetFeature, queries: list[Query]) -> CRSRef:
    chosen = [q.srs_name for q in queries if q.srs_name is not None]
    if len({c.epsg for c in chosen}) > 1:
        raise InvalidParameterValue(
            _("all queries of one request must use the same srsName"), locator="srsName"
        )
    return for_version(chosen[0], req.version) if chosen else default_crs(req.version)


def _schema_url(url: str, version: str, names: list[str]) -> str:
    key = "typeNames" if version == "2.0.0" else "typeName"
    return (
        url
        + "?"
        + urlencode(
            {
                "service": "WFS",
                "version": version,
                "request": "DescribeFeatureType",
                key: ",".join(names),
            }
        )
    )


def _page_url(url: str, kvp: dict | None, start: int, count: int) -> str | None:
    if kvp is None:
        return None
    params = {
        k: v for k, v in kvp.items() if k.upper() not in ("STARTINDEX", "COUNT", "MAXFEATURES")
    }
    params["STARTINDEX"] = str(start)
    params["COUNT"] = str(count)
    return url + "?" + urlencode(params)


def _feature_set(ftype, props, include_geometry, page, srs: CRSRef, fmt: str) -> FeatureSet:
    geoms = (
        selectors.project(page.geoms, srs, force_xy=fmt == FORMAT_GEOJSON)
        if include_geometry
        else None
    )
    texts = getattr(page, "texts", None)  # GeoJSON written by PostGIS (layers.wfs.sqljson)
    return FeatureSet(ftype, props, include_geometry, page.pks, page.rows, geoms, texts)


def _fetch_page(qs, ftype, props, include_geometry, *, start, count, srs: CRSRef, fmt: str):
    """GeoJSON on PostGIS in the storage CRS: features written by the database; otherwise rows
    and geometries for the Python encoders."""
    geometry = ftype.geometry if include_geometry else None
    if fmt == FORMAT_GEOJSON:
        page = sqljson.fetch_page(
            qs, ftype, props, geometry=geometry, start=start, count=count, srs=srs, force_xy=True
        )
        if page is not None:
            return page
    return selectors.fetch_page(qs, props, geometry=geometry, start=start, count=count)


def get_feature(req: GetFeature, *, user, url: str) -> Result:
    if req.stored_query_id:
        return get_feature_by_id(req, user=user)
    fmt = req.output_format
    srs = _output_srs(req, req.queries)
    plans = []
    for query in req.queries:
        ftype = selectors.readable_feature_type(query.type_name, user)
        props, include_geometry = selectors.selected_properties(ftype, query.property_names)
        qs = selectors.query_queryset(ftype, query, version=req.version, user=user)
        plans.append((ftype, props, include_geometry, qs))

    if req.hits:
        matched = sum(qs.count() for *_, qs in plans)
        body = (
            encoders.geojson_hits(matched)
            if fmt == FORMAT_GEOJSON
            else encoders.gml_hits(fmt=fmt, number_matched=matched)
        )
        return Result(body, "application/json" if fmt == FORMAT_GEOJSON else _xml_type(fmt))

    count = req.count if req.count is not None else COUNT_DEFAULT
    start = req.start_index
    sets: list[FeatureSet] = []
    if len(plans) == 1:
        ftype, props, include_geometry, qs = plans[0]
        page = _fetch_page(
            qs, ftype, props, include_geometry, start=start, count=count, srs=srs, fmt=fmt
        )
        returned = len(page.pks)
        # A short page tells the total without a COUNT query.
        matched = start + returned if (returned < count and (returned or not start)) else qs.count()
        sets.append(_feature_set(ftype, props, include_geometry, page, srs, fmt))
    else:
        totals = [qs.count() for *_, qs in plans]
        matched = sum(totals)
        skip, remaining = start, count
        for (ftype, props, include_geometry, qs), total in zip(plans, totals, strict=True):
            if skip >= total:
                skip -= total
                continue
            page = _fetch_page(
                qs, ftype, props, include_geometry, start=skip, count=remaining, srs=srs, fmt=fmt
            )
            skip = 0
            remaining -= len(page.pks)
            sets.append(_feature_set(ftype, props, include_geometry, page, srs, fmt))
            if remaining <= 0:
                break
        returned = sum(len(s.pks) for s in sets)

    next_url = (
        _page_url(url, req.kvp, start + count, count)
        if start + returned < matched and count
        else None
    )
    previous_url = _page_url(url, req.kvp, max(0, start - count), count) if start > 0 else None
    if fmt == FORMAT_GEOJSON:
        body = encoders.geojson_feature_collection(
            sets, srs=srs, number_matched=matched, next_url=next_url, previous_url=previous_url
        )
        return Result(body, "application/json")
    schema_url = _schema_url(url, req.version, [p[0].name for p in plans])
    body = encoders.gml_feature_collection(
        sets,
        fmt=fmt,
        srs=srs,
        number_matched=matched,
        schema_url=schema_url,
        next_url=next_url,
        previous_url=previous_url,
    )
    return Result(body, _xml_type(fmt))


def get_feature_by_id(req: GetFeature, *, user) -> Result:
    if req.stored_query_id != GET_FEATURE_BY_ID:
        raise InvalidParameterValue(
            _("unknown stored query %(id)s; this service offers %(offered)s")
            % {"id": repr(req.stored_query_id), "offered": GET_FEATURE_BY_ID},
            locator="STOREDQUERY_ID",
        )
    rid = (req.stored_query_params.get("ID") or "").strip()
    if not rid:
        raise MissingParameterValue(_("GetFeatureById needs the ID parameter"), locator="ID")
    prefix, _dot, pk = rid.rpartition(".")
    not_found = NotFound(_("there is no feature %(id)s") % {"id": repr(rid)}, locator="ID")
    try:
        ftype = feature_type(type_name(prefix)) if prefix else None
    except UnknownLayer:
        ftype = None
    if ftype is None or not pk.isdigit():
        raise not_found
    if not access.can_read_layer(user, ftype.spec):
        if getattr(user, "is_authenticated", False):
            selectors.readable_feature_type(ftype.name, user, locator="ID")  # raises AccessDenied
        raise not_found
    props, _geometry = selectors.selected_properties(ftype, None)
    qs = access.readable_rows(user, ftype.spec, ftype.model._default_manager.filter(pk=int(pk)))
    page = selectors.fetch_page(qs, props, geometry=ftype.geometry, start=0, count=1)
    if not page.pks:
        raise not_found
    fmt = req.output_format
    srs = for_version(req.srs_name, req.version) or default_crs(req.version)
    fs = _feature_set(ftype, props, True, page, srs, fmt)
    if fmt == FORMAT_GEOJSON:
        return Result(encoders.geojson_single_feature(fs, srs=srs), "application/json")
    return Result(encoders.gml_single_feature(fs, fmt=fmt, srs=srs), _xml_type(fmt))


def get_property_value(req: GetFeature, *, user, url: str) -> Result:
    if req.stored_query_id:
        raise InvalidParameterValue(
            _("GetPropertyValue takes an ad hoc query, not a stored query"),
            locator="STOREDQUERY_ID",
        )
    if len(req.queries) != 1:
        raise InvalidParameterValue(
            _("GetPropertyValue takes exactly one type name"), locator="typeNames"
        )
    if req.output_format != FORMAT_GML32:
        raise InvalidParameterValue(
            _("GetPropertyValue answers in GML 3.2 only"), locator="outputFormat"
        )
    query = req.queries[0]
    ftype = selectors.readable_feature_type(query.type_name, user)
    ref = property_name(req.value_reference or "")
    props, include_geometry = selectors.selected_properties(ftype, [ref], locator="valueReference")
    qs = selectors.query_queryset(ftype, query, version=req.version, user=user)
    srs = _output_srs(req, [query])
    if req.hits:
        return Result(
            encoders.gml_hits(fmt=FORMAT_GML32, number_matched=qs.count()), _xml_type(FORMAT_GML32)
        )
    count = req.count if req.count is not None else COUNT_DEFAULT
    start = req.start_index
    page = selectors.fetch_page(
        qs, props, geometry=ftype.geometry if include_geometry else None, start=start, count=count
    )
    returned = len(page.pks)
    matched = start + returned if (returned < count and (returned or not start)) else qs.count()
    fs = _feature_set(ftype, props, include_geometry, page, srs, FORMAT_GML32)
    next_url = (
        _page_url(url, req.kvp, start + count, count)
        if start + returned < matched and count
        else None
    )
    previous_url = _page_url(url, req.kvp, max(0, start - count), count) if start > 0 else None
    body = encoders.value_collection(
        fs, srs=srs, number_matched=matched, next_url=next_url, previous_url=previous_url
    )
    return Result(body, _xml_type(FORMAT_GML32))
