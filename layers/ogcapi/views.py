"""/ogc/: OGC API – Features – Part 1: Core (OGC 17-069r4), GeoJSON, HTML and OpenAPI 3.0.

The same catalogue, access policy and feature serialisation as the WFS: collections are the
feature types ``layers.wfs.selectors.readable_feature_types`` gives the caller, items are the
rows ``access.readable_rows`` keeps (through ``selectors.query_queryset``), pages come from
``selectors.fetch_page`` and features are written by the WFS GeoJSON encoder. A collection or
feature the caller may not read answers 404, like one that does not exist (OGC API has no
"forbidden" for reads; hidden layers must not reveal themselves).

Part 2 (CRS by reference: ``crs``, ``bbox-crs``, ``Content-Crs``, ``storageCrs``) is in
``layers.ogcapi.crs``; Part 3 (``filter`` in CQL2 text/JSON, ``filter-crs``, queryables) in
``layers.ogcapi.cql2``, on the WFS's filter evaluator.
Part 4 (editing) and the
feature history are ``layers.ogcapi.editing`` and ``layers.ogcapi.history``; ``urls.py`` routes
every method of ``items`` and ``items/{featureId}`` through them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from urllib.parse import urlencode

from django.contrib.gis.db.models import Extent
from django.core.exceptions import ValidationError
from django.db.models import Max, Min, Q
from django.http import HttpResponse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import escape
from django.utils.translation import gettext as _

from layers import auth
from layers.errors import OGCException
from layers.ogcapi import cql2, openapi
from layers.ogcapi import crs as ogc_crs
from layers.vectortiles.queries import map_layer
from layers.wfs import encoders, selectors, sqljson
from layers.wfs.encoders import FeatureSet
from layers.wfs.requests import BBox, Query
from layers.wfs.schema import FeatureType
from planning import access

log = logging.getLogger(__name__)

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0"  # issue 14 proc

# /req/core/fc-limit-definition: minimum 1, maximum and default chosen by the server
# (the standard's example: default 10, maximum 10000).
DEFAULT_LIMIT = 10
MAX_LIMIT = 10000

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    # issue 14 proc: OGC API – Processes – Part 1: Core (layers/ogcapi/processes/)
    "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/ogc-process-description",
    "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/job-list",
    "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/dismiss",
]
# OGC API – Tiles – Part 1 (OGC 20-057), vector tiles only, in layers/vectortiles/.
CONFORMANCE += [
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
]
# issue 14 edit: Part 4 (OGC 20-002 draft), in layers/ogcapi/editing.py.
CONFORMANCE += [
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
]
CONFORMANCE += [
    # Part 2 (OGC 18-058r1) and Part 3 (OGC 19-079r2) with CQL2 (OGC 21-065r2): issue 14, q.
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
]


class APIError(Exception):
    def __init__(
        self,
        status: int,
        description: str,
        code: str = "InvalidParameterValue",
        extra: dict | None = None,
    ):
        super().__init__(description)
        self.status, self.description, self.code = status, description, code
        self.extra = extra or {}  # more members of the exception document


def _not_found(description: str) -> APIError:
    return APIError(404, description, "NotFound")


# --- negotiation and responses -------------------------------------------------------------------


def _format(request) -> str:
    """``json`` or ``html``: the ``f`` parameter first, then the Accept header (JSON default)."""
    f = request.GET.get("f")
    if f is not None:
        if f in ("json", "geojson"):
            return "json"
        if f == "html":
            return "html"
        raise APIError(400, _("unknown format %(f)s; use f=json or f=html") % {"f": repr(f)})
    accept = request.META.get("HTTP_ACCEPT", "")
    best, best_q = "json", -1.0
    for part in accept.split(","):
        media, *params = (x.strip() for x in part.split(";"))
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        kind = (
            "html"
            if media in (HTML, "application/xhtml+xml")
            else "json"
            if media in (GEOJSON, JSON, "application/*", "*/*") or media.endswith("+json")
            else None
        )
        # Ties go to the earlier entry (browsers list text/html first).
        if kind and q > best_q:
            best, best_q = kind, q
    return best


def _json_response(doc, content_type: str = JSON, status: int = 200) -> HttpResponse:
    body = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode()
    return HttpResponse(body, content_type=content_type, status=status)


def _error_response(exc: APIError, fmt: str = "json") -> HttpResponse:
    if fmt == "html":
        return HttpResponse(_page(exc.code, f"<p>{escape(exc.description)}</p>"), status=exc.status)
    return _json_response(
        {"code": exc.code, "description": exc.description, **exc.extra},
        content_type=JSON,
        status=exc.status,
    )


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def _links_html(links: list[dict]) -> str:
    items = "".join(
        f"<li><a href='{escape(link['href'])}'>{escape(link.get('title') or link['rel'])}</a>"
        f" ({escape(link['rel'])}, {escape(link.get('type', ''))})</li>"
        for link in links
    )
    return f"<ul>{items}</ul>"


def _endpoint(view):
    """Identify the caller, check the method, answer errors as OGC API exceptions (JSON)."""

    def wrapper(request, **kwargs):
        fmt = "json"
        try:
            if request.method not in ("GET", "HEAD"):
                raise APIError(405, _("only GET is supported here"), "MethodNotAllowed")
            fmt = _format(request)
            caller = auth.identify(request)
            return view(request, caller.user, fmt, **kwargs)
        except APIError as exc:
            return _error_response(exc, fmt)
        except OGCException as exc:
            status = getattr(exc, "http_status", 400) or 400
            return _error_response(APIError(status, str(exc), type(exc).__name__), fmt)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _base(request) -> str:
    return request.build_absolute_uri("/ogc")


def _alternates(url: str, fmt: str, json_type: str = JSON) -> list[dict]:
    sep = "&" if "?" in url else "?"
    this, other = ("html", "json") if fmt == "html" else ("json", "html")
    types = {"json": json_type, "html": HTML}
    return [
        {"rel": "self", "type": types[this], "href": f"{url}{sep}f={this}"},
        {"rel": "alternate", "type": types[other], "href": f"{url}{sep}f={other}"},
    ]


# --- resources -----------------------------------------------------------------------------------


@_endpoint
def landing(request, user, fmt):
    base = _base(request)
    doc = {
        "title": "KCN Planner — OGC API – Features",
        "description": _("Industrial parks and clusters, their land and infrastructure"),
        "links": [
            *_alternates(base + "/", fmt),
            {"rel": "service-desc", "type": OPENAPI, "href": f"{base}/api", "title": "OpenAPI"},
            {"rel": "conformance", "type": JSON, "href": f"{base}/conformance"},
            {"rel": "data", "type": JSON, "href": f"{base}/collections"},
            # issue 14 proc: OGC API – Processes
            {"rel": f"{OGC_REL}/conformance", "type": JSON, "href": f"{base}/conformance"},
            {"rel": f"{OGC_REL}/processes", "type": JSON, "href": f"{base}/processes"},
            {"rel": f"{OGC_REL}/job-list", "type": JSON, "href": f"{base}/jobs"},
            # OGC API – Tiles (layers/vectortiles): the public layers' vector tileset
            {"rel": f"{OGC_REL}/tilesets-vector", "type": JSON, "href": f"{base}/tiles"},
        ],
    }
    if fmt == "html":
        return HttpResponse(_page(doc["title"], _links_html(doc["links"])))
    return _json_response(doc)


@_endpoint
def conformance(request, user, fmt):
    doc = {"conformsTo": CONFORMANCE}
    if fmt == "html":
        return HttpResponse(
            _page("Conformance", "<ul>" + "".join(f"<li>{c}</li>" for c in CONFORMANCE) + "</ul>")
        )
    return _json_response(doc)


@_endpoint
def api(request, user, fmt):
    doc = openapi.document(_base(request), selectors.readable_feature_types(user))
    if fmt == "html":
        body = "<pre>" + escape(json.dumps(doc, indent=2, ensure_ascii=False)) + "</pre>"
        return HttpResponse(_page("OpenAPI", body))
    return _json_response(doc, content_type=OPENAPI)


def _readable(name: str, user) -> FeatureType:
    try:
        return selectors.readable_feature_type(name, user)
    except OGCException:
        raise _not_found(_("no collection %(id)s") % {"id": repr(name)}) from None


def _rows(ftype: FeatureType, user):
    return access.readable_rows(user, ftype.spec, ftype.model._default_manager.all())


def _collection_doc(base: str, ftype: FeatureType, user, fmt: str = "json") -> dict:
    url = f"{base}/collections/{ftype.name}"
    extent = _rows(ftype, user).aggregate(e=Extent(ftype.geometry))["e"]
    doc = {
        "id": ftype.name,
        "title": str(ftype.spec.title),
        "itemType": "feature",
        # /req/crs/fc-md-crs-list, /req/crs/fc-md-storageCrs (OGC 18-058r1)
        "crs": ogc_crs.supported(),
        "storageCrs": ogc_crs.STORAGE_CRS,
        "links": [
            *_alternates(url, fmt),
            {"rel": "items", "type": GEOJSON, "href": f"{url}/items?f=json"},
            {"rel": "items", "type": HTML, "href": f"{url}/items?f=html"},
            # /req/queryables/queryables-link (OGC 19-079r2)
            {
                "rel": cql2.QUERYABLES_REL,
                "type": cql2.SCHEMA_JSON,
                "href": f"{url}/queryables",
                "title": "Queryables",
            },
        ],
    }
    if map_layer(ftype.spec) is not None:
        # OGC API – Tiles /req/geodata-tilesets: the collection's vector tiles (drawn layers only)
        doc["links"].append(
            {"rel": f"{OGC_REL}/tilesets-vector", "type": JSON, "href": f"{url}/tiles"}
        )
    if extent:
        doc["extent"] = {"spatial": {"bbox": [list(extent)], "crs": CRS84}}
    if ftype.name in TEMPORAL:
        start, end = TEMPORAL[ftype.name]
        span = _rows(ftype, user).aggregate(a=Min(start), b=Max(end or start))
        if span["a"] is not None:
            open_end = end is not None and _rows(ftype, user).filter(**{f"{end}__isnull": True})
            b = None if (open_end and open_end.exists()) or span["b"] is None else span["b"]
            doc.setdefault("extent", {})["temporal"] = {
                "interval": [[span["a"].isoformat(), b.isoformat() if b else None]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            }
    return doc


@_endpoint
def collections(request, user, fmt):
    base = _base(request)
    docs = [_collection_doc(base, ft, user) for ft in selectors.readable_feature_types(user)]
    doc = {"links": _alternates(f"{base}/collections", fmt), "collections": docs}
    if fmt == "html":
        items = "".join(
            f"<li><a href='{escape(base)}/collections/{c['id']}?f=html'>{escape(c['title'])}</a>"
            f" ({c['id']})</li>"
            for c in docs
        )
        return HttpResponse(_page("Collections", f"<ul>{items}</ul>"))
    return _json_response(doc)


@_endpoint
def collection(request, user, fmt, collection_id):
    ftype = _readable(collection_id, user)
    doc = _collection_doc(_base(request), ftype, user, fmt)
    if fmt == "html":
        body = f"<p>{escape(doc['id'])}</p>" + _links_html(doc["links"])
        if "extent" in doc:
            body += f"<p>bbox (CRS84): {doc['extent']['spatial']['bbox'][0]}</p>"
        return HttpResponse(_page(doc["title"], body))
    return _json_response(doc)


# --- items ---------------------------------------------------------------------------------------

KNOWN_PARAMS = {"f", "limit", "offset", "bbox", "datetime", *cql2.PARAMS}

# ASSUMPTION (the catalogue names no temporal field): the property ``datetime`` is tested
# against per collection, as (start, end); end None = an instant. An interval with an empty
# end is still valid (an administrative unit still in force). Collections not listed have no
# temporal geometry: ``datetime`` is accepted and selects every feature.
TEMPORAL: dict[str, tuple[str, str | None]] = {
    "admin_units": ("valid_from", "valid_to"),
    "industrial_areas": ("established_on", None),
    "clearance_parcels": ("inventoried_on", None),
    "secondary_projects": ("registered_on", None),
    "proposals": ("submitted_at", None),
}


def _moment(text: str, *, upper: bool):
    """An RFC 3339 date-time or date; None for an open end (``..`` or empty)."""
    if text in ("", ".."):
        return None
    value = parse_datetime(text)
    if value is None:
        day = parse_date(text)
        if day is None:
            raise ValueError(text)
        value = dt.datetime.combine(day, dt.time.max if upper else dt.time.min, tzinfo=dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _datetime_q(value: str, ftype: FeatureType) -> Q:
    """/req/core/fc-time-definition and -response: an instant or an interval (``a/b``, open ends
    ``..``), compared with the collection's temporal properties (dates: the UTC day)."""
    try:
        if "/" in value:
            a, b = value.split("/", 1)
            low, high = _moment(a, upper=False), _moment(b, upper=True)
            if low is None and high is None:
                raise ValueError(value)
        else:
            low, high = _moment(value, upper=False), _moment(value, upper=True)
        if low and high and low > high:
            raise ValueError(value)
    except ValueError:
        raise APIError(
            400,
            _("datetime must be an RFC 3339 date-time or an interval such as %(example)s")
            % {
                "example": "2020-01-01/..",
            },
        ) from None
    fields = TEMPORAL.get(ftype.name)
    if fields is None:
        return Q()
    start, end = fields

    def bound(name: str, moment):
        prop = ftype.prop(name)
        return moment if prop.xs_type == "dateTime" else moment.astimezone(dt.UTC).date()

    q = Q(**{f"{start}__isnull": False})
    if high is not None:
        q &= Q(**{f"{start}__lte": bound(start, high)})
    if low is not None:
        last = end or start
        later = Q(**{f"{last}__gte": bound(last, low)})
        q &= later | Q(**{f"{end}__isnull": True}) if end else later
    return q


def _int(request, name: str, default: int, minimum: int) -> int:
    value = request.GET.get(name)
    if value is None:
        return default
    try:
        n = int(value)
    except ValueError:
        n = minimum - 1
    if n < minimum:
        raise APIError(
            400,
            _("%(name)s must be an integer of at least %(min)s") % {"name": name, "min": minimum},
        )
    return n


def _bbox(value: str, crs=None) -> BBox:
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) == 6:  # minx, miny, minz, maxx, maxy, maxz: the heights are ignored
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or numbers[1] > numbers[3]:
        raise APIError(
            400,
            _(
                "bbox must be four numbers: min longitude, min latitude, "
                "max longitude, max latitude"
            ),
        )
    return BBox(tuple(numbers), crs)


def _property_filters(request, ftype: FeatureType) -> Q:
    """``name=value`` on the collection's simple properties; any other parameter is a 400
    (/req/core/query-param-unknown)."""
    q = Q()
    for key in request.GET:
        if key in KNOWN_PARAMS:
            continue
        prop = ftype.prop(key)
        if prop is None:
            raise APIError(
                400,
                _("unknown parameter %(name)s; known: %(known)s")
                % {
                    "name": repr(key),
                    "known": ", ".join(sorted(KNOWN_PARAMS) + [p.name for p in ftype.props]),
                },
            )
        value = request.GET[key]
        try:
            if prop.xs_type == "boolean":
                value = {"true": True, "false": False, "1": True, "0": False}[value.lower()]
            else:
                value = prop.field.to_python(value)
        except (ValidationError, KeyError, ValueError):
            raise APIError(
                400, _("%(value)s is not a valid %(name)s") % {"value": repr(value), "name": key}
            ) from None
        q &= Q(**{prop.path: value})
    return q


def _fetch_page(qs, ftype: FeatureType, *, start: int, count: int, crs=ogc_crs.DEFAULT):
    """The page's features written by PostGIS (layers.wfs.sqljson: CRS84 or EPSG:4326 output),
    else rows for the Python encoder (SpatiaLite, EPSG:3857, VN-2000)."""
    props = list(ftype.props)
    page = sqljson.fetch_page(
        qs, ftype, props, geometry=ftype.geometry, start=start, count=count, srs=crs
    )
    if page is None:
        page = selectors.fetch_page(qs, props, geometry=ftype.geometry, start=start, count=count)
    return page


def _feature_set(ftype: FeatureType, page, crs=ogc_crs.DEFAULT) -> FeatureSet:
    """The page's geometries in ``crs`` and its axis order (/req/crs/fc-crs-action); features
    PostGIS already wrote (``texts``) are passed through."""
    geoms = selectors.project(page.geoms, crs)
    texts = getattr(page, "texts", None)  # written by PostGIS
    return FeatureSet(ftype, list(ftype.props), True, page.pks, page.rows, geoms, texts)


def _splice(body: bytes, prefix: bytes, extra: dict) -> bytes:
    """Add members right after the ``prefix`` the encoder starts its document with."""
    assert body.startswith(prefix)
    members = json.dumps(extra, ensure_ascii=False)[1:-1].encode()
    return prefix + b"," + members + body[len(prefix) :]


def _items_html(title: str, links: list[dict], ftype: FeatureType, fc: dict) -> HttpResponse:
    head = "".join(f"<th>{escape(p.name)}</th>" for p in ftype.props)
    rows = "".join(
        f"<tr><td><a href='{escape(f['_href'])}'>{escape(f['id'])}</a></td>"
        + "".join(f"<td>{escape(f['properties'].get(p.name))}</td>" for p in ftype.props)
        + "</tr>"
        for f in fc["features"]
    )
    body = (
        f"<p>{fc.get('numberReturned', 1)} / {fc.get('numberMatched', 1)}</p>"
        + _links_html(links)
        + f"<table><tr><th>id</th>{head}</tr>{rows}</table>"
    )
    return HttpResponse(_page(title, body))


@_endpoint
def items(request, user, fmt, collection_id):
    ftype = _readable(collection_id, user)
    limit = min(_int(request, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _int(request, "offset", 0, 0)
    out_crs = _crs_param(request, "crs")
    where = _property_filters(request, ftype)
    query = Query(ftype.name)
    if "bbox" in request.GET:
        query.bbox = _bbox(request.GET["bbox"], _crs_param(request, "bbox-crs"))
    elif "bbox-crs" in request.GET:
        _crs_param(request, "bbox-crs")
    if "datetime" in request.GET:
        where &= _datetime_q(request.GET["datetime"], ftype)
    where &= _filter_q(request, ftype)
    qs = selectors.query_queryset(ftype, query, version="2.0.0", user=user).filter(where)
    page = _fetch_page(qs, ftype, start=offset, count=limit, crs=out_crs)
    returned = len(page.pks)
    matched = offset + returned if (returned < limit and (returned or not offset)) else qs.count()

    url = f"{_base(request)}/collections/{ftype.name}/items"
    params = {k: v for k, v in request.GET.items() if k not in ("f", "limit", "offset")}

    def link(rel: str, off: int, f: str) -> dict:
        kind = HTML if f == "html" else GEOJSON
        query_string = urlencode({**params, "f": f, "limit": limit, "offset": off})
        return {"rel": rel, "type": kind, "href": f"{url}?{query_string}"}

    other = "json" if fmt == "html" else "html"
    links = [link("self", offset, fmt), link("alternate", offset, other)]
    if offset + returned < matched:
        links.append(link("next", offset + limit, fmt))
    if offset > 0:
        links.append(link("prev", max(offset - limit, 0), fmt))
    links.append(
        {"rel": "collection", "type": JSON, "href": f"{_base(request)}/collections/{ftype.name}"}
    )
    body = encoders.geojson_feature_collection(
        [_feature_set(ftype, page, out_crs)], srs=out_crs, number_matched=matched
    )
    if fmt == "html":
        fc = json.loads(body)
        for f in fc["features"]:
            f["_href"] = f"{url}/{f['id']}?f=html"
        return _with_crs(_items_html(str(ftype.spec.title), links, ftype, fc), out_crs)
    body = _splice(body, b'{"type":"FeatureCollection"', {"links": links})
    return _with_crs(_json_response(body, content_type=GEOJSON), out_crs)


def _pk(ftype: FeatureType, feature_id: str):
    """``industrial_areas.12`` (the id the features carry) or ``12``."""
    prefix, _dot, pk = feature_id.rpartition(".")
    if prefix and prefix != ftype.name:
        return None
    try:
        return int(pk)
    except ValueError:
        return None


@_endpoint
def item(request, user, fmt, collection_id, feature_id):
    ftype = _readable(collection_id, user)
    out_crs = _crs_param(request, "crs")
    unknown = _not_found(
        _("no feature %(id)s in %(collection)s")
        % {
            "id": repr(feature_id),
            "collection": ftype.name,
        }
    )
    pk = _pk(ftype, feature_id)
    if pk is None:
        raise unknown
    qs = _rows(ftype, user).filter(pk=pk)
    page = _fetch_page(qs, ftype, start=0, count=1, crs=out_crs)
    if not page.pks:
        raise unknown
    base = _base(request)
    url = f"{base}/collections/{ftype.name}/items/{encoders.fid(ftype, pk)}"
    links = [
        *_alternates(url, fmt, GEOJSON),
        {"rel": "collection", "type": JSON, "href": f"{base}/collections/{ftype.name}"},
    ]
    body = encoders.geojson_single_feature(_feature_set(ftype, page, out_crs), srs=out_crs)
    if fmt == "html":
        feature = json.loads(body)
        rows = "".join(
            f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>"
            for k, v in feature["properties"].items()
        )
        page_html = _page(feature["id"], _links_html(links) + f"<table>{rows}</table>")
        return _with_crs(HttpResponse(page_html), out_crs)
    body = _splice(body, b'{"type":"Feature"', {"links": links})
    return _with_crs(_json_response(body, content_type=GEOJSON), out_crs)


# --- Parts 2 and 3: CRS, filter, queryables ------------------------------------------------------


def _crs_param(request, name: str):
    """``crs`` / ``bbox-crs``: CRS84 by default (/req/crs/fc-crs-default-value,
    /req/crs/fc-bbox-crs-default-value), a 400 for a CRS not in the collection's list."""
    if name not in request.GET:
        return ogc_crs.DEFAULT
    try:
        return ogc_crs.parse(request.GET[name], name)
    except ogc_crs.UnsupportedCRS as exc:
        raise APIError(400, str(exc)) from None


def _with_crs(response: HttpResponse, crs) -> HttpResponse:
    """/req/crs/ogc-crs-header: ``Content-Crs: <uri>`` on every feature response."""
    response["Content-Crs"] = ogc_crs.header(crs)
    return response


def _filter_q(request, ftype: FeatureType) -> Q:
    """/req/features-filter/response: the filter ANDed with bbox, datetime and property
    filters; a 400 with the line and column of a syntax error."""
    try:
        q = cql2.filter_q(request.GET, ftype)
    except cql2.FilterProblem as exc:
        extra = {}
        if exc.position:
            extra = {"position": {"line": exc.position[0], "column": exc.position[1]}}
        raise APIError(400, exc.description, extra=extra) from None
    return Q() if q is None else q


@_endpoint
def queryables(request, user, fmt, collection_id):
    """/req/queryables/get-queryables-op: the collection's queryables as JSON Schema."""
    ftype = _readable(collection_id, user)
    url = f"{_base(request)}/collections/{ftype.name}/queryables"
    doc = cql2.queryables(url, ftype)
    if fmt == "html":
        rows = "".join(
            f"<tr><th>{escape(name)}</th><td>{escape(schema.get('title', ''))}</td>"
            f"<td>{escape(schema.get('type') or schema.get('format'))}</td></tr>"
            for name, schema in doc["properties"].items()
        )
        return HttpResponse(_page(doc["title"], f"<table>{rows}</table>"))
    return _json_response(doc, content_type=cql2.SCHEMA_JSON)
