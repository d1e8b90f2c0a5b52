"""Feature history at /ogc/: ``items/{featureId}/versions``, ``…/versions/{versionId}`` and
``asOf`` on ``items`` and ``items/{featureId}``.

**Not a standard**: OGC has none yet. This follows the open proposal
opengeospatial/ogcapi-features#1057 (resource paths, ``asOf``, the link relations
``version-history``, ``latest-version``, ``predecessor-version``, ``successor-version``; 410 Gone
for a feature that did not exist at that moment) and takes ``Memento-Datetime`` from the SWG's
draft "Versioned Features" proposal. The history is the one django-simple-history already keeps
(every save through any door: WFS-T, OGC API, the REST API, the admin, the pages), so only the
layers whose model has it offer it; the others answer 404 (versions) or 400 (``asOf``).

Rights: those of reading the layer now, applied to each *version*: a version that was a draft
proposal is shown only to those who may read drafts of its unit (``access.readable_rows`` on the
historical rows). Who made a change is shown to signed-in callers only.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.http import HttpResponse
from django.utils.translation import gettext as _

from layers import auth
from layers.ogcapi import editing, views
from layers.ogcapi.views import GEOJSON, JSON, APIError
from layers.wfs import crs as crs_mod
from layers.wfs import encoders, selectors
from layers.wfs.encoders import FeatureSet
from layers.wfs.filters import bbox_q
from layers.wfs.schema import FeatureType
from planning import access

CHANGE_TYPES = {"+": "created", "~": "updated", "-": "deleted"}
AS_OF_PARAMS = {"f", "asOf", "limit", "offset", "bbox"}
NOTICE = (
    "Feature history (items/{featureId}/versions, asOf) is NOT an OGC standard: it follows the "
    "open proposal opengeospatial/ogcapi-features#1057 and may change with it."
)


def has_history(ftype: FeatureType) -> bool:
    return hasattr(ftype.model, "history") and hasattr(ftype.model.history, "as_of")


def _history_type(collection_id: str, user, *, status: int) -> FeatureType:
    ftype = views._readable(collection_id, user)
    if not has_history(ftype):
        offered = [ft.name for ft in selectors.readable_feature_types(user) if has_history(ft)]
        raise APIError(
            status,
            _("the collection %(id)s keeps no edit history; history is kept for %(offered)s")
            % {"id": ftype.name, "offered": ", ".join(offered) or _("none")},
            "NotFound" if status == 404 else "InvalidParameterValue",
        )
    return ftype


def _records(ftype: FeatureType, user):
    """The historical rows this caller may read (each version judged as the row it was)."""
    return access.readable_rows(user, ftype.spec, ftype.model.history.all())


def _as_of(request):
    text = request.GET.get("asOf", "")
    try:
        moment = views._moment(text, upper=True)
        if moment is None:
            raise ValueError(text)
    except ValueError:
        raise APIError(
            400,
            _("asOf must be an RFC 3339 date-time such as %(example)s")
            % {"example": "2025-07-01T00:00:00Z"},
        ) from None
    return moment


def _stamp(moment) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _feature_set(ftype: FeatureType, qs) -> FeatureSet:
    """Historical rows as the WFS encoder's input: the feature's id, its properties, its
    geometry."""
    props = list(ftype.props)
    data = list(
        qs.annotate(**{selectors.WKB: AsWKB(ftype.geometry)}).values_list(
            ftype.model._meta.pk.attname, *[p.path for p in props], selectors.WKB
        )
    )
    geoms = shapely.from_wkb([None if row[-1] is None else bytes(row[-1]) for row in data])
    geoms = selectors.project(
        np.asarray(geoms, dtype=object).reshape(-1), crs_mod.STORAGE_XY, force_xy=True
    )
    return FeatureSet(ftype, props, True, [r[0] for r in data], [r[1:-1] for r in data], geoms)


def _item_url(request, ftype: FeatureType, pk) -> str:
    return editing._item_url(request, ftype, pk)


def _version_url(request, ftype: FeatureType, pk, history_id) -> str:
    return f"{_item_url(request, ftype, pk)}/versions/{history_id}"


def _pk_or_404(ftype: FeatureType, feature_id: str):
    pk = views._pk(ftype, feature_id)
    if pk is None:
        raise editing._unknown(ftype, feature_id)
    return pk


def _versions_of(ftype: FeatureType, user, pk):
    pk_name = ftype.model._meta.pk.attname
    return _records(ftype, user).filter(**{pk_name: pk}).order_by("history_date", "history_id")


def _link(rel: str, href: str, kind: str = GEOJSON, **extra) -> dict:
    return {"rel": rel, "type": kind, "href": href, **extra}


def _neighbour_links(request, ftype, pk, versions: list, index: int) -> list[dict]:
    links = []
    if index > 0:
        v = versions[index - 1]
        links.append(_link("predecessor-version", _version_url(request, ftype, pk, v.history_id)))
    if index < len(versions) - 1:
        v = versions[index + 1]
        links.append(_link("successor-version", _version_url(request, ftype, pk, v.history_id)))
    latest = versions[-1]
    links.append(_link("latest-version", _version_url(request, ftype, pk, latest.history_id)))
    return links


@editing._endpoint
def versions(request, collection_id, feature_id):
    """The Time Map: every version of a feature, oldest first (who, when, what kind of change)."""
    if request.method not in ("GET", "HEAD"):
        raise editing._not_allowed(["GET", "HEAD"])
    user = auth.identify(request).user
    ftype = _history_type(collection_id, user, status=404)
    pk = _pk_or_404(ftype, feature_id)
    found = list(_versions_of(ftype, user, pk).select_related("history_user"))
    if not found:
        raise editing._unknown(ftype, feature_id)
    signed_in = getattr(user, "is_authenticated", False)
    url = _item_url(request, ftype, pk)
    entries = []
    for v in found:
        entry = {
            "versionId": str(v.history_id),
            "datetime": _stamp(v.history_date),
            "changeType": CHANGE_TYPES.get(v.history_type, v.history_type),
            "links": [
                _link("version", _version_url(request, ftype, pk, v.history_id)),
                _link("alternate", f"{url}?{urlencode({'asOf': _stamp(v.history_date)})}"),
            ],
        }
        if signed_in:
            entry["user"] = v.history_user.get_username() if v.history_user else None
            if v.history_change_reason:
                entry["reason"] = v.history_change_reason
        entries.append(entry)
    doc = {
        "id": encoders.fid(ftype, pk),
        "versions": entries,
        "links": [
            _link("self", f"{url}/versions", JSON),
            _link("version-history", f"{url}/versions", JSON),
            _link("original", url),
            _link("latest-version", _version_url(request, ftype, pk, found[-1].history_id)),
        ],
        "notice": NOTICE,
    }
    return views._json_response(doc)


def _feature_response(
    request, ftype, pk, record, versions: list, extra_links: list
) -> HttpResponse:
    fs = _feature_set(ftype, type(record)._default_manager.filter(history_id=record.history_id))
    body = encoders.geojson_single_feature(fs, srs=crs_mod.STORAGE_XY)
    index = [v.history_id for v in versions].index(record.history_id)
    links = [
        *extra_links,
        _link("original", _item_url(request, ftype, pk)),
        _link("version-history", f"{_item_url(request, ftype, pk)}/versions", JSON),
        *_neighbour_links(request, ftype, pk, versions, index),
    ]
    body = views._splice(
        body,
        b'{"type":"Feature"',
        {
            "version": {
                "versionId": str(record.history_id),
                "datetime": _stamp(record.history_date),
                "changeType": CHANGE_TYPES.get(record.history_type, record.history_type),
            },
            "links": links,
        },
    )
    response = views._json_response(body, content_type=GEOJSON)
    response["Memento-Datetime"] = record.history_date.strftime("%a, %d %b %Y %H:%M:%S GMT")
    # A version never changes: its tag is its id.
    response["ETag"] = f'"v{record.history_id}"'
    return response


@editing._endpoint
def version(request, collection_id, feature_id, version_id):
    """One version of a feature, as it was stored (a deletion: the state deleted)."""
    if request.method not in ("GET", "HEAD"):
        raise editing._not_allowed(["GET", "HEAD"])
    user = auth.identify(request).user
    ftype = _history_type(collection_id, user, status=404)
    pk = _pk_or_404(ftype, feature_id)
    found = list(_versions_of(ftype, user, pk))
    record = next((v for v in found if str(v.history_id) == version_id), None)
    if record is None:
        raise views._not_found(
            _("no version %(version)s of %(id)s")
            % {"version": repr(version_id), "id": encoders.fid(ftype, pk)}
        )
    self_link = _link("self", _version_url(request, ftype, pk, record.history_id))
    return _feature_response(request, ftype, pk, record, found, [self_link])


def item_as_of(request, *, collection_id: str, feature_id: str) -> HttpResponse:
    """``items/{featureId}?asOf=…``: the feature as it was at that moment; 410 Gone if it did not
    exist then (not yet created, or deleted), 404 if it never existed for this caller."""
    user = auth.identify(request).user
    ftype = _history_type(collection_id, user, status=400)
    unknown_params = set(request.GET) - {"f", "asOf"}
    if unknown_params:
        raise APIError(
            400,
            _("with asOf, only f may be given as well; unknown: %(names)s")
            % {"names": ", ".join(sorted(unknown_params))},
        )
    moment = _as_of(request)
    pk = _pk_or_404(ftype, feature_id)
    found = list(_versions_of(ftype, user, pk))
    if not found:
        raise editing._unknown(ftype, feature_id)
    before = [v for v in found if v.history_date <= moment]
    if not before or before[-1].history_type == "-":
        exc = APIError(
            410,
            _("%(id)s did not exist at %(moment)s")
            % {"id": encoders.fid(ftype, pk), "moment": _stamp(moment)},
            "Gone",
        )
        raise exc
    record = before[-1]
    query = urlencode({"asOf": request.GET["asOf"]})
    self_link = _link("self", f"{_item_url(request, ftype, pk)}?{query}")
    return _feature_response(request, ftype, pk, record, found, [self_link])


def items_as_of(request, *, collection_id: str) -> HttpResponse:
    """``items?asOf=…``: the collection as it was at that moment (paged by limit/offset)."""
    user = auth.identify(request).user
    ftype = _history_type(collection_id, user, status=400)
    unknown_params = set(request.GET) - AS_OF_PARAMS
    if unknown_params:
        raise APIError(
            400,
            _("with asOf, only %(known)s are accepted; unknown: %(names)s")
            % {
                "known": ", ".join(sorted(AS_OF_PARAMS)),
                "names": ", ".join(sorted(unknown_params)),
            },
        )
    moment = _as_of(request)
    limit = min(views._int(request, "limit", views.DEFAULT_LIMIT, 1), views.MAX_LIMIT)
    offset = views._int(request, "offset", 0, 0)
    pk_name = ftype.model._meta.pk.attname
    states = (
        ftype.model.history.filter(history_date__lte=moment)
        .latest_of_each()
        .exclude(history_type="-")
    )
    if "bbox" in request.GET:
        # The geometry each feature had at that moment (the proposal's rule: the version set
        # first, then the other filters).
        states = states.filter(bbox_q(views._bbox(request.GET["bbox"]), ftype))
    # Rights on each state as it was (a draft then stays private).
    states = access.readable_rows(user, ftype.spec, states).order_by(pk_name)
    matched = states.count()
    fs = _feature_set(ftype, states[offset : offset + limit])
    url = f"{views._base(request)}/collections/{ftype.name}/items"

    def link(rel: str, off: int) -> dict:
        kept = {k: v for k, v in request.GET.items() if k in ("asOf", "bbox")}
        query = urlencode({**kept, "limit": limit, "offset": off})
        return _link(rel, f"{url}?{query}")

    links = [link("self", offset)]
    if offset + len(fs.pks) < matched:
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(offset - limit, 0)))
    body = encoders.geojson_feature_collection([fs], srs=crs_mod.STORAGE_XY, number_matched=matched)
    body = views._splice(body, b'{"type":"FeatureCollection"', {"links": links})
    response = views._json_response(body, content_type=GEOJSON)
    response["Memento-Datetime"] = moment.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


def describe(doc: dict, user) -> None:
    """Add the history paths and ``asOf`` to the OpenAPI document, saying it is not a
    standard."""
    doc["info"]["description"] = f"{doc['info'].get('description', '')} {NOTICE}".strip()
    params = doc["components"].setdefault("parameters", {})
    params["asOf"] = {
        "name": "asOf",
        "in": "query",
        "required": False,
        "description": "RFC 3339 date-time: the state at that moment. " + NOTICE,
        "schema": {"type": "string", "format": "date-time"},
    }
    params["versionId"] = {
        "name": "versionId",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    error = {"$ref": "#/components/responses/Error"}
    for ftype in selectors.readable_feature_types(user):
        if not has_history(ftype):
            continue
        c = f"/collections/{ftype.name}"
        for path in (f"{c}/items", f"{c}/items/{{featureId}}"):
            get = doc["paths"].get(path, {}).get("get")
            if get is not None:
                get.setdefault("parameters", []).append({"$ref": "#/components/parameters/asOf"})
                get.setdefault("responses", {}).setdefault("410", error)
        ok = {"description": "", "content": {JSON: {"schema": {"type": "object"}}}}
        doc["paths"][f"{c}/items/{{featureId}}/versions"] = {
            "get": {
                "operationId": f"getFeatureVersions_{ftype.name}",
                "summary": "The versions of a feature (not a standard: ogcapi-features#1057)",
                "description": NOTICE,
                "parameters": [{"$ref": "#/components/parameters/featureId"}],
                "responses": {"200": {**ok, "description": "versions"}, "404": error},
            }
        }
        doc["paths"][f"{c}/items/{{featureId}}/versions/{{versionId}}"] = {
            "get": {
                "operationId": f"getFeatureVersion_{ftype.name}",
                "summary": "One version of a feature (not a standard: ogcapi-features#1057)",
                "description": NOTICE,
                "parameters": [
                    {"$ref": "#/components/parameters/featureId"},
                    {"$ref": "#/components/parameters/versionId"},
                ],
                "responses": {
                    "200": {
                        "description": "the feature as it was",
                        "content": {GEOJSON: {"schema": {"type": "object"}}},
                    },
                    "404": error,
                },
            }
        }
