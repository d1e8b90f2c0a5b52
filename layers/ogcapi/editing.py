"""OGC API – Features – Part 4 (OGC 20-002, draft): create, replace, update, delete, OPTIONS and
optimistic locking with ETags, on the WFS-T's rules.

The same rules as WFS-T because the same code: ``layers.wfs.transactions._Planner`` checks the
layer's edit right (``access.can_edit_layer``) and each feature's administrative-unit scope
(``access.can_edit_feature``), resolves relations by natural key, fills a missing unit, runs the
layer's write hooks (a new proposal is a draft proposed by the caller; only a draft or a proposal
sent back may change; the timeline entry after each write) and validates with ``full_clean`` (the
model's geometry normalisation and measures in the unit's VN-2000 zone, the workflow rule). Only
the body's reading differs: a GeoJSON Feature (CRS84, or the ``Content-Crs`` the WFS knows)
instead of GML.

Every item has a strong ``ETag``: a hash of the stored row (all its columns, the geometry's WKB),
so any write through any door — WFS-T, the REST API, the admin, a page, an import, a bulk
update — changes it. PUT, PATCH and DELETE need ``If-Match`` (428 without it, 412 when another
client changed the feature since): no lost updates. The row is locked (``SELECT … FOR UPDATE``
on PostGIS; SQLite serialises writers) between the check and the write. QGIS 3.32+ sends no
If-Match: ``OGCAPI_FEATURES_IF_MATCH_REQUIRED = False`` lets it write (see ``if_match_required``).

OPTIONS answers the methods this user may use on the collection's features (QGIS asks one
feature and enables editing for the whole layer from it); a refusal particular to a feature comes
with the write.

Authentication and CSRF as WFS-T (``layers.auth.require_writer``): Basic or token callers carry
their credentials, a session caller needs a CSRF token; anonymous writers get 401.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import contextmanager

import shapely
import shapely.geometry
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from layers import auth
from layers.errors import AuthenticationRequired, OGCException
from layers.io.fields import NOT_GIVEN, Column, convert
from layers.ogcapi import views
from layers.ogcapi.views import GEOJSON, JSON, APIError
from layers.wfs import crs as crs_mod
from layers.wfs import encoders
from layers.wfs.crs import CRSRef
from layers.wfs.schema import FeatureType, Prop
from layers.wfs.transactions import _messages, _Planner
from planning import access
from planning.analysis.geometry import GeometryRejected
from planning.errors import PlanningError
from planning.models.base import normalise_geometry

MERGE_PATCH = "application/merge-patch+json"
_BODY_TYPES = (GEOJSON, JSON)
MAX_BODY_BYTES = 20 * 2**20


def if_match_required() -> bool:
    """``OGCAPI_FEATURES_IF_MATCH_REQUIRED`` (default True): PUT, PATCH and DELETE without
    If-Match are refused with 428 (/per/optimistic-locking-etags/ifmatch-put-op A). False executes
    them (permission B) — QGIS 3.32+ sends no If-Match, so its editing needs False, at the price of
    the last writer winning for such clients; a request that sends If-Match is checked either
    way."""
    return bool(getattr(settings, "OGCAPI_FEATURES_IF_MATCH_REQUIRED", True))


# --- the version of a row ------------------------------------------------------------------------


def row_etag(obj) -> str:
    """A strong entity tag of the stored row ``obj`` (read from the database): every column.

    Hashing the row, not a version counter or ``history_id``, makes the tag change on writes that
    leave no history (``QuerySet.update()``, a raw import) and stay when a write changes nothing.
    """
    h = hashlib.sha256()
    for f in obj._meta.concrete_fields:
        value = f.value_from_object(obj)
        if isinstance(value, GEOSGeometry):
            value = bytes(value.ewkb).hex()
        h.update(f"{f.attname}\x1f{'' if value is None else 'v' + str(value)}\x1e".encode())
    return f'"{h.hexdigest()[:32]}"'


def _stored(ftype: FeatureType, pk):
    return ftype.model._default_manager.filter(pk=pk).first()


def _tags(header: str) -> list[str]:
    return [t.strip() for t in header.split(",") if t.strip()]


def _if_match(header: str, etag: str) -> bool:
    """RFC 9110 §13.1.1, strong comparison: ``*`` or one of the listed tags (weak ones never)."""
    tags = _tags(header)
    return "*" in tags or etag in tags


def _if_none_match(header: str, etag: str) -> bool:
    """RFC 9110 §13.1.2, weak comparison: True when the client's copy is current."""
    tags = _tags(header)
    bare = etag.removeprefix("W/")
    return "*" in tags or any(t.removeprefix("W/") == bare for t in tags)


# --- the planner, reading GeoJSON ----------------------------------------------------------------


class _Editor(_Planner):
    """WFS-T's planner (rights, defaults, hooks, validation) with GeoJSON values."""

    def __init__(self, user):
        super().__init__(user, "2.0.0")

    def hook(self, check, obj, *, locator: str) -> None:
        """The layer's write hook; its refusal keeps its own status (403 rights, 409 workflow)."""
        if check is None:
            return
        try:
            check(self.user, obj)
        except PlanningError as exc:
            raise APIError(exc.http_status, exc.message, type(exc).__name__) from None

    def allows(self, check, obj) -> bool:
        try:
            self.hook(check, obj, locator="OPTIONS")
        except APIError:
            return False
        return True

    def json_value(self, prop: Prop, raw, name: str):
        if isinstance(raw, (dict, list)):
            raise APIError(400, _("%(property)s takes a plain value") % {"property": name})
        try:
            if prop.related is not None:
                column = Column(prop.name, prop.model_field.name, prop.model_field, prop.related)
                return self.resolver.resolve(column, raw)
            return convert(prop.model_field, raw)
        except ValidationError as exc:
            raise APIError(400, f"{name}: {_messages(exc)}") from None

    def json_geometry(self, ftype: FeatureType, geom, crs: CRSRef):
        if geom is None:
            if ftype.geometry_field.null:
                return None
            raise APIError(
                400,
                _("the feature needs a geometry (%(kind)s)") % {"kind": ftype.geometry_kind},
            )
        try:
            shp = shapely.geometry.shape(geom)
        except Exception as exc:  # shapely raises several types for malformed GeoJSON
            raise APIError(
                400,
                _("geometry: not a GeoJSON geometry (%(reason)s)") % {"reason": exc or type(exc)},
            ) from None
        if not crs.xy:
            shp = shapely.transform(shp, lambda c: c[:, ::-1])
        try:
            return normalise_geometry(shp, ftype.geometry_field.geom_type, srid=crs.epsg)
        except GeometryRejected as exc:
            raise APIError(400, f"geometry: {exc}") from None

    def set_properties(self, ftype: FeatureType, obj, given: dict, *, mode: str) -> set[str]:
        """Write the body's properties into ``obj``; ``mode`` is create, replace or patch.

        Computed fields and workflow fields are ignored when they carry the stored value (QGIS
        sends every attribute back) and refused when they would change it: the service computes
        the first, only the review workflow writes the second (409 on a stored feature).
        """
        if not isinstance(given, dict):
            raise APIError(400, _("properties must be a JSON object"))
        written = set()
        for name, raw in given.items():
            kind, prop = self.target(ftype, name, name)
            if kind == "geometry":
                raise APIError(
                    400,
                    _("%(name)s is the geometry: send it as the feature's geometry member")
                    % {"name": name},
                )
            if kind == "computed" and mode == "replace":
                continue  # PUT sends the feature as read: the service computes these again
            if kind in ("computed", "protected"):
                if self._unchanged(obj, prop, raw, mode=mode):
                    continue
                if kind == "computed":
                    raise APIError(
                        400,
                        _("%(property)s is computed by the service and cannot be set")
                        % {"property": name},
                    )
                raise APIError(
                    400 if mode == "create" else 409,
                    _(
                        "%(property)s changes only through the review workflow (submit, review, "
                        "decide: the proposal's steps in the web pages or the REST API), not by "
                        "editing the feature"
                    )
                    % {"property": name},
                    "WorkflowViolation",
                )
            if raw is None and mode == "create":
                continue  # QGIS sends every field of a new feature, null where unset: defaults
            value = self.json_value(prop, raw, name)
            if value is NOT_GIVEN:
                if mode == "create":
                    continue  # the model's default applies
                raise APIError(400, _("%(property)s cannot be empty") % {"property": name})
            self.assign(obj, prop, value)
            written.add(name)
        if mode == "replace":
            # PUT replaces the feature: a published, editable property absent from the body is
            # emptied (its default where it cannot be empty).
            for prop in ftype.props:
                kind, _prop = self.target(ftype, prop.name, prop.name)
                if kind != "value" or prop.name in given:
                    continue
                value = self.json_value(prop, None, prop.name)
                if value is NOT_GIVEN:
                    if not prop.model_field.has_default():
                        raise APIError(
                            400, _("%(property)s cannot be empty") % {"property": prop.name}
                        )
                    value = prop.model_field.get_default()
                self.assign(obj, prop, value)
        return written

    def _unchanged(self, obj, prop: Prop, raw, *, mode: str) -> bool:
        if raw is None or raw == "":
            return True  # an empty workflow or computed field: nothing is asked
        if mode == "create":
            default = prop.model_field.get_default() if prop.model_field.has_default() else None
            if not prop.model_field.editable:
                return True  # computed on save whatever the client sent
            return raw == default
        try:
            value = self.json_value(prop, raw, prop.name)
        except APIError:
            return False
        stored = getattr(obj, prop.model_field.name)
        if prop.related is not None:
            return getattr(stored, "pk", None) == getattr(value, "pk", None)
        if isinstance(stored, dt.datetime) and isinstance(value, dt.datetime):
            return abs((stored - value).total_seconds()) < 1
        if isinstance(stored, (int, float)) and isinstance(value, (int, float)):
            return abs(float(stored) - float(value)) <= 1e-6 * max(1.0, abs(float(stored)))
        try:
            return stored == value or float(stored) == float(value)
        except (TypeError, ValueError):
            return False


# --- requests ------------------------------------------------------------------------------------


def _content_crs(request) -> CRSRef:
    """CRS84 unless ``Content-Crs`` names a CRS the WFS reprojects (``<uri>`` or bare)."""
    header = request.headers.get("Content-Crs", "").strip()
    if not header:
        return crs_mod.STORAGE_XY
    try:
        return crs_mod.parse_crs(header.strip("<>"))
    except crs_mod.UnknownCRS as exc:
        raise APIError(400, f"Content-Crs: {exc}") from None


def _feature_body(request, *, patch: bool = False) -> dict:
    media = request.content_type or ""
    accepted = (*_BODY_TYPES, MERGE_PATCH) if patch else _BODY_TYPES
    if media not in accepted:
        raise APIError(
            415,
            _("send the feature as %(types)s, not %(given)s")
            % {"types": " or ".join(accepted), "given": media or _("no Content-Type")},
            "UnsupportedMediaType",
        )
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise APIError(413, _("the request body is too large"), "RequestTooLarge")
    try:
        doc = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise APIError(400, _("the body is not JSON: %(reason)s") % {"reason": exc}) from None
    if not isinstance(doc, dict):
        raise APIError(400, _("the body must be a GeoJSON Feature (a JSON object)"))
    if not patch and doc.get("type") != "Feature":
        raise APIError(400, _('the body must be a GeoJSON Feature ("type": "Feature")'))
    return doc


def _editable(request, caller, collection_id: str) -> FeatureType:
    """The collection, for a caller who may write into it (401 anonymous, 403 no right)."""
    if not caller.is_authenticated:
        raise AuthenticationRequired(
            _("editing features needs a signed-in user (HTTP Basic or a token)")
        )
    auth.require_writer(request, caller)  # a session caller also needs its CSRF token
    ftype = views._readable(collection_id, caller.user)
    if not access.can_edit_layer(caller.user, ftype.spec):
        raise APIError(
            403,
            _("you may not edit the collection %(id)s") % {"id": repr(collection_id)},
            "Forbidden",
        )
    return ftype


def _item_url(request, ftype: FeatureType, pk) -> str:
    return f"{views._base(request)}/collections/{ftype.name}/items/{encoders.fid(ftype, pk)}"


@contextmanager
def _write_errors():
    try:
        yield
    except (ProtectedError, RestrictedError) as exc:
        raise APIError(
            409,
            _("cannot delete: other records still refer to it (%(detail)s)")
            % {"detail": exc.args[0]},
            "Conflict",
        ) from None
    except ValidationError as exc:
        raise APIError(400, _messages(exc)) from None
    except IntegrityError as exc:
        raise APIError(
            409, _("the database refused the change: %(reason)s") % {"reason": exc}, "Conflict"
        ) from None


def _written(user, ftype: FeatureType, obj, *, created: bool) -> None:
    if ftype.spec.hooks.written is not None:
        ftype.spec.hooks.written(user, obj, created=created, comment="OGC API – Features")


def _save(editor: _Editor, ftype: FeatureType, obj, *, created: bool) -> None:
    editor.check_feature(ftype, obj, "feature")  # a feature moved to another unit: right there too
    editor.validate(ftype, obj, "feature")
    obj._history_user = editor.user
    obj.save()
    _written(editor.user, ftype, obj, created=created)


def _endpoint(handler):
    """Errors as OGC API exceptions (JSON), with the headers they carry (401's challenge)."""

    def wrapper(request, **kwargs):
        try:
            return handler(request, **kwargs)
        except APIError as exc:
            response = views._error_response(exc)
            for key, value in getattr(exc, "headers", {}).items():
                response[key] = value
            return response
        except OGCException as exc:
            status = getattr(exc, "http_status", 400) or 400
            code = {401: "Unauthorized", 403: "Forbidden"}.get(status, type(exc).__name__)
            response = views._error_response(APIError(status, str(exc), code))
            for key, value in exc.headers.items():
                response[key] = value
            return response

    wrapper.__name__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    return wrapper


def _not_allowed(allow: list[str]) -> APIError:
    exc = APIError(
        405,
        _("method not allowed here; allowed: %(methods)s") % {"methods": ", ".join(allow)},
        "MethodNotAllowed",
    )
    exc.headers = {"Allow": ", ".join(allow)}
    return exc


# --- /collections/{id}/items ---------------------------------------------------------------------


def collection_methods(user, ftype: FeatureType) -> list[str]:
    methods = ["GET", "HEAD", "OPTIONS"]
    if getattr(user, "is_authenticated", False) and access.can_edit_layer(user, ftype.spec):
        methods.append("POST")
    return methods


def item_methods(user, ftype: FeatureType) -> list[str]:
    """The methods ``user`` may use on the features of ``ftype``: the collection's right, not one
    feature's. QGIS (3.32+) asks OPTIONS of the first feature it read — or of ``unknown_id`` in an
    empty collection — and enables editing for the whole layer from the answer; a refusal
    particular to one feature (another unit's, a proposal past its draft) comes with the write,
    403 or 409 with the reason."""
    methods = ["GET", "HEAD", "OPTIONS"]
    if getattr(user, "is_authenticated", False) and access.can_edit_layer(user, ftype.spec):
        methods += ["PUT", "PATCH", "DELETE"]
    return methods


@csrf_exempt
@_endpoint
def items_resource(request, collection_id):
    """GET (Part 1, ``asOf``: the history), OPTIONS and POST on a collection's items."""
    if request.method in ("GET", "HEAD"):
        if "asOf" in request.GET:
            from layers.ogcapi import history  # noqa: PLC0415  (history imports this module)

            return history.items_as_of(request, collection_id=collection_id)
        return views.items(request, collection_id=collection_id)
    caller = auth.identify(request)
    ftype = views._readable(collection_id, caller.user)
    allow = collection_methods(caller.user, ftype)
    if request.method == "OPTIONS":
        response = HttpResponse(status=200)
        response["Allow"] = ", ".join(allow)
        response["Accept-Post"] = GEOJSON
        return response
    if request.method != "POST":
        raise _not_allowed(allow)
    return _create(request, caller, collection_id)


def _create(request, caller, collection_id: str) -> HttpResponse:
    """/req/create-replace-delete/post-op: a new feature from a GeoJSON Feature; 201 + Location."""
    ftype = _editable(request, caller, collection_id)
    doc = _feature_body(request)
    crs = _content_crs(request)
    editor = _Editor(caller.user)
    with _write_errors(), transaction.atomic():
        obj = ftype.model()
        setattr(obj, ftype.geometry, editor.json_geometry(ftype, doc.get("geometry"), crs))
        given = editor.set_properties(ftype, obj, doc.get("properties") or {}, mode="create")
        editor.fill_defaults(ftype, obj, given)
        editor.check_feature(ftype, obj, "POST")
        _save(editor, ftype, obj, created=True)
    response = HttpResponse(status=201)
    response["Location"] = _item_url(request, ftype, obj.pk)
    response["ETag"] = row_etag(_stored(ftype, obj.pk))
    return response


# --- /collections/{id}/items/{featureId} ---------------------------------------------------------


@csrf_exempt
@_endpoint
def item_resource(request, collection_id, feature_id):
    """GET (with ETag and If-None-Match), OPTIONS, PUT, PATCH and DELETE on one feature."""
    if request.method in ("GET", "HEAD"):
        if "asOf" in request.GET:
            from layers.ogcapi import history  # noqa: PLC0415  (history imports this module)

            return history.item_as_of(request, collection_id=collection_id, feature_id=feature_id)
        return _get_item(request, collection_id, feature_id)
    caller = auth.identify(request)
    ftype = views._readable(collection_id, caller.user)
    allow = item_methods(caller.user, ftype)
    if request.method == "OPTIONS":
        response = HttpResponse(status=200)
        response["Allow"] = ", ".join(allow)
        response["Accept-Patch"] = MERGE_PATCH
        return response
    if request.method not in ("PUT", "PATCH", "DELETE"):
        raise _not_allowed(allow)
    ftype = _editable(request, caller, collection_id)
    if_match = request.headers.get("If-Match")
    if not if_match and if_match_required():
        raise APIError(
            428,
            _(
                "%(method)s needs an If-Match header with the feature's ETag (GET the feature "
                "first): without it another user's change could be overwritten. QGIS 3.32+ sends "
                "none: edit in QGIS through the WFS layers of /ows/project.qgz (WFS-T)"
            )
            % {"method": request.method},
            "PreconditionRequired",
        )
    pk = views._pk(ftype, feature_id)
    if pk is None or not views._rows(ftype, caller.user).filter(pk=pk).exists():
        if if_match:
            # /req/create-replace-delete/put-rid-exception B: no creation through PUT.
            raise APIError(
                412,
                _("no feature %(id)s in %(collection)s to match If-Match")
                % {"id": repr(feature_id), "collection": ftype.name},
                "PreconditionFailed",
            )
        raise _unknown(ftype, feature_id)
    body = (
        None
        if request.method == "DELETE"
        else _feature_body(request, patch=request.method == "PATCH")
    )
    crs = _content_crs(request)
    editor = _Editor(caller.user)
    with _write_errors(), transaction.atomic():
        obj = ftype.model._default_manager.select_for_update().filter(pk=pk).first()
        if obj is None:
            raise _unknown(ftype, feature_id)
        current = row_etag(obj)
        if if_match and not _if_match(if_match, current):
            exc = APIError(
                412,
                _(
                    "the feature has changed since you read it (its ETag is now %(etag)s): read "
                    "it again, then repeat your change"
                )
                % {"etag": current},
                "PreconditionFailed",
            )
            exc.headers = {"ETag": current}
            raise exc
        editor.check_feature(ftype, obj, request.method)
        if request.method == "DELETE":
            editor.hook(ftype.spec.hooks.check_delete, obj, locator="DELETE")
            obj._history_user = caller.user
            obj.delete()
            return HttpResponse(status=204)
        editor.hook(ftype.spec.hooks.check_update, obj, locator=request.method)
        if request.method == "PUT":
            setattr(obj, ftype.geometry, editor.json_geometry(ftype, body.get("geometry"), crs))
            editor.set_properties(ftype, obj, body.get("properties") or {}, mode="replace")
        else:
            _merge_patch(editor, ftype, obj, body, crs)
        _save(editor, ftype, obj, created=False)
    response = HttpResponse(status=204)
    response["ETag"] = row_etag(_stored(ftype, obj.pk))
    return response


def _merge_patch(editor: _Editor, ftype: FeatureType, obj, patch: dict, crs: CRSRef) -> None:
    """RFC 7396 on the feature's GeoJSON: ``geometry`` and ``properties`` (null unsets)."""
    for key in patch:
        if key not in ("type", "geometry", "properties", "id", "links"):
            raise APIError(400, _("a feature has no member %(name)s") % {"name": repr(key)})
    if "id" in patch and str(patch["id"]) not in (str(obj.pk), encoders.fid(ftype, obj.pk)):
        raise APIError(400, _("the feature's id cannot change"))
    if "geometry" in patch:
        setattr(obj, ftype.geometry, editor.json_geometry(ftype, patch["geometry"], crs))
    props = patch.get("properties")
    if props is not None:
        editor.set_properties(ftype, obj, props, mode="patch")


def _unknown(ftype: FeatureType, feature_id: str) -> APIError:
    return views._not_found(
        _("no feature %(id)s in %(collection)s")
        % {"id": repr(feature_id), "collection": ftype.name}
    )


def _get_item(request, collection_id: str, feature_id: str) -> HttpResponse:
    """Part 1's feature, with its ETag (/req/optimistic-locking-etags/etag-get-response) and a
    304 when ``If-None-Match`` names it."""
    response = views.item(request, collection_id=collection_id, feature_id=feature_id)
    if response.status_code != 200:
        return response
    user = auth.identify(request).user
    ftype = views._readable(collection_id, user)
    obj = _stored(ftype, views._pk(ftype, feature_id))
    if obj is None:
        return response
    etag = row_etag(obj)
    if views._format(request) == "html":
        etag = etag[:-1] + '-html"'  # another representation, another strong tag
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    from layers.ogcapi import history  # noqa: PLC0415  (history imports this module)

    if history.has_history(ftype):
        url = _item_url(request, ftype, obj.pk)
        response["Link"] = f'<{url}/versions>; rel="version-history"'
    if _if_none_match(request.headers.get("If-None-Match", ""), etag):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        return not_modified
    return response


# --- the API description -------------------------------------------------------------------------


def api_resource(request):
    """Part 1's OpenAPI document with the write operations of the collections this caller may
    edit."""
    response = views.api(request)
    if response.status_code != 200 or not response["Content-Type"].startswith(
        "application/vnd.oai.openapi+json"
    ):
        return response
    doc = json.loads(response.content)
    user = auth.identify(request).user
    from layers.ogcapi import history  # noqa: PLC0415  (history imports this module)

    describe_writes(doc, user)
    history.describe(doc, user)
    response.content = json.dumps(doc, ensure_ascii=False).encode()
    return response


def _error_refs(*codes: str) -> dict:
    return {code: {"$ref": "#/components/responses/Error"} for code in codes}


def describe_writes(doc: dict, user) -> None:
    feature_body = {
        "required": True,
        "content": {GEOJSON: {"schema": {"type": "object"}}, JSON: {"schema": {"type": "object"}}},
    }
    headers = doc["components"].setdefault("parameters", {})
    headers["If-Match"] = {
        "name": "If-Match",
        "in": "header",
        "required": True,
        "description": "The ETag of the feature as last read (optimistic locking); 412 if stale",
        "schema": {"type": "string"},
    }
    headers["Content-Crs"] = {
        "name": "Content-Crs",
        "in": "header",
        "required": False,
        "description": "CRS of the body's coordinates (default CRS84), e.g. "
        "<http://www.opengis.net/def/crs/EPSG/0/9210>",
        "schema": {"type": "string"},
    }
    for path, entry in doc["paths"].items():
        name = path.split("/")[2] if path.startswith("/collections/") else None
        if name is None:
            continue
        try:
            ftype = views._readable(name, user)
        except APIError:
            continue
        if path.endswith(("/items", "/items/{featureId}")):
            entry["options"] = {
                "operationId": f"options{'Feature' if path.endswith('}') else 'Features'}_{name}",
                "summary": "The methods you may use here (Allow header)",
                "parameters": (
                    [{"$ref": "#/components/parameters/featureId"}] if path.endswith("}") else []
                ),
                "responses": {"200": {"description": "Allow lists the methods"}},
            }
        if not access.can_edit_layer(user, ftype.spec):
            continue
        if path.endswith("/items"):
            entry["post"] = {
                "operationId": f"createFeature_{name}",
                "summary": f"Add a feature to {ftype.spec.title_en}",
                "parameters": [{"$ref": "#/components/parameters/Content-Crs"}],
                "requestBody": feature_body,
                "responses": {
                    "201": {"description": "Created; Location names the new feature"},
                    **_error_refs("400", "401", "403", "409"),
                },
            }
        elif path.endswith("/items/{featureId}"):
            common = [
                {"$ref": "#/components/parameters/featureId"},
                {"$ref": "#/components/parameters/If-Match"},
            ]
            done = {
                "204": {"description": "Done; ETag gives the feature's new version"},
                **_error_refs("400", "401", "403", "404", "409", "412", "428"),
            }
            entry["put"] = {
                "operationId": f"replaceFeature_{name}",
                "summary": "Replace the feature",
                "parameters": [*common, {"$ref": "#/components/parameters/Content-Crs"}],
                "requestBody": feature_body,
                "responses": done,
            }
            entry["patch"] = {
                "operationId": f"updateFeature_{name}",
                "summary": "Change some properties or the geometry (JSON Merge Patch, RFC 7396)",
                "parameters": [*common, {"$ref": "#/components/parameters/Content-Crs"}],
                "requestBody": {
                    "required": True,
                    "content": {MERGE_PATCH: {"schema": {"type": "object"}}},
                },
                "responses": done,
            }
            entry["delete"] = {
                "operationId": f"deleteFeature_{name}",
                "summary": "Delete the feature",
                "parameters": common,
                "responses": done,
            }
