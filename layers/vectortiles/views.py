"""OGC API – Tiles (OGC 20-057) vector tiles of each collection of the layer catalogue.

``/ogc/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}``: a Mapbox Vector Tile
(``application/vnd.mapbox-vector-tile``) whose one layer is named after the collection.

* Rights as the WMS: a collection this user may not read (``planning.access.can_read_layer``:
  staff layers are private) answers 404 like an unknown one — hidden layers do not reveal
  themselves; rows as the WMS draws them (:mod:`layers.vectortiles.queries`).
* A tile inside the tile matrix set with no feature answers **204 No Content** (empty body):
  OGC API – Tiles Part 1 (OGC 20-057), core requirements ``/req/core/tc-success`` and
  ``/req/core/tc-error`` — in the OGC's own summary (tiles.developer.ogc.org/standard.html):
  200 for a tile, 400 or 404 out of range, 204 for an empty tile; the OGC test suite accepts 204
  within the tile matrix set limits since its release 1.2 (2025-01-07). A 0-byte MVT is a valid
  empty tile for MapLibre, OpenLayers and QGIS alike. (The clause wording is unverified here:
  the standard's text could not be opened on this machine.)
* A zoom, row or column outside WebMercatorQuad answers 400 (``/req/core/tc-error``).
* Cached (issue 14 map, :mod:`layers.vectortiles.cache`): the first request makes the tile and
  keeps it, later ones read the file; an ``ETag`` from the file (``If-None-Match`` → 304),
  ``no-cache`` so browsers ask again before reuse, ``X-KCN-Tile-Cache: hit|miss``. Saves, deletes
  and analysis runs drop the tiles they change (``layers/signals.py``).
* ``/ogc/basemap/tiles/WebMercatorQuad/{z}/{y}/{x}``: the national base map
  (:mod:`layers.vectortiles.basemap`).
"""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from layers import auth
from layers.catalogue import CATALOGUE
from layers.errors import AuthenticationRequired
from layers.vectortiles import cache
from layers.vectortiles.basemap import MAX_ZOOM as BASEMAP_MAX_ZOOM
from layers.vectortiles.basemap import basemap_tile
from layers.vectortiles.queries import map_layer, tile_mvt
from layers.vectortiles.tilemath import MAX_ZOOM, TileOutOfRange, check_tile
from planning import access

MVT = "application/vnd.mapbox-vector-tile"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"


def _problem(status: int, code: str, description: str) -> JsonResponse:
    """An OGC API exception (OGC API – Common's ``exception.yaml``: code and description)."""
    return JsonResponse({"code": code, "description": description}, status=status)


def _readable(request, collection: str):
    """(spec, None) for a collection the caller may read, else (None, the error response)."""
    try:
        auth.identify(request)
    except AuthenticationRequired as exc:
        response = _problem(exc.http_status, "AuthenticationRequired", str(exc))
        for name, value in exc.headers.items():
            response[name] = value
        return None, response
    spec = CATALOGUE.get(collection)
    if spec is None or map_layer(spec) is None or not access.can_read_layer(request.user, spec):
        return None, _problem(404, "NotFound", _("no collection %(id)r") % {"id": collection})
    return spec, None


def _tile_numbers(z: str, y: str, x: str):
    """((z, x, y), None) for a tile of WebMercatorQuad, else (None, the 400 response)."""
    try:
        zi, yi, xi = int(z), int(y), int(x)
        check_tile(zi, xi, yi)
    except (ValueError, TileOutOfRange) as exc:
        return None, _problem(
            400,
            "InvalidParameterValue",
            _("no such tile in WebMercatorQuad: %(reason)s") % {"reason": exc},
        )
    return (zi, xi, yi), None


def _mvt_response(request, data: bytes, etag: str, public: bool, hit: bool | None) -> HttpResponse:
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(data, content_type=MVT, status=200 if data else 204)
    response["ETag"] = etag
    # Like the raster tiles (layers.wms.views): staff layers private, always revalidated.
    response["Cache-Control"] = ("public" if public else "private") + ", no-cache"
    if not public:
        response["Vary"] = "Authorization, Cookie"  # what a staff tile holds depends on who asks
    response["X-KCN-Tile-Cache"] = {True: "hit", False: "miss", None: "bypassed"}[hit]
    return response


def _cached(request, layer: str, zxy, make, public: bool) -> HttpResponse:
    """The tile ``zxy`` of cache ``layer`` (rights already checked by the caller)."""
    data, etag, hit = cache.get_or_make(layer, *zxy, make)
    return _mvt_response(request, data, etag, public, hit)


@require_safe
def tile(request, collection: str, z: str, y: str, x: str):
    spec, refusal = _readable(request, collection)
    if refusal is not None:
        return refusal
    zxy, refusal = _tile_numbers(z, y, x)
    if refusal is not None:
        return refusal
    public = "anonymous" in spec.read_roles
    return _cached(request, spec.name, zxy, lambda: tile_mvt(spec, *zxy), public)


def public_specs() -> list:
    """The collections everyone may read and the maps draw, in catalogue order."""
    return [
        spec
        for spec in CATALOGUE.values()
        if "anonymous" in spec.read_roles and map_layer(spec) is not None
    ]


@require_safe
def dataset_tile(request, z: str, y: str, x: str):
    """One tile of every public collection, one MVT layer each (MVT layers concatenate: a tile is
    a sequence of ``layers`` fields, Mapbox Vector Tile spec 2.1 §4.1). Public layers only, so
    the same tile serves every user and every shared cache."""
    zxy, refusal = _tile_numbers(z, y, x)
    if refusal is not None:
        return refusal
    return _cached(
        request,
        cache.PUBLIC,
        zxy,
        lambda: b"".join(tile_mvt(spec, *zxy) for spec in public_specs()),
        True,
    )


@require_safe
def basemap(request, z: str, y: str, x: str):
    """A tile of the national base map (public, cached)."""
    zxy, refusal = _tile_numbers(z, y, x)
    if refusal is not None:
        return refusal
    return _cached(request, cache.BASEMAP, zxy, lambda: basemap_tile(*zxy), True)


@require_safe
def basemap_tileset(request):
    base = request.build_absolute_uri(reverse("vectortiles:basemap-tileset"))
    doc = _tileset_doc(base, _("Base map of Viet Nam"), [{"id": "basemap", "dataType": "vector"}])
    doc["maxZoom"] = BASEMAP_MAX_ZOOM
    return JsonResponse(doc)


def _tiles_url(request, spec) -> str:
    return request.build_absolute_uri(
        reverse("vectortiles:tilesets", kwargs={"collection": spec.name})
    )


def _tileset_doc(base: str, title: str, layers: list[dict]) -> dict:
    """A WebMercatorQuad vector tileset at ``base`` (OGC API – Tiles tileset metadata)."""
    return {
        "title": title,
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS_URI,
        "minZoom": 0,
        "maxZoom": MAX_ZOOM,
        "layers": layers,
        "links": [
            {"rel": "self", "type": "application/json", "href": base},
            {
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
                "type": "application/json",
                "href": TMS_URI,
            },
            {
                "rel": "item",
                "type": MVT,
                "href": base + "/{tileMatrix}/{tileRow}/{tileCol}",
                "templated": True,
            },
        ],
    }


def _tileset(request, spec) -> dict:
    base = _tiles_url(request, spec) + "/WebMercatorQuad"
    return _tileset_doc(base, str(spec.title), [{"id": spec.name, "dataType": "vector"}])


@require_safe
def tilesets(request, collection: str):
    """The collection's tilesets (one: WebMercatorQuad)."""
    spec, refusal = _readable(request, collection)
    if refusal is not None:
        return refusal
    one = _tileset(request, spec)
    entry = {
        "title": one["title"],
        "dataType": "vector",
        "crs": one["crs"],
        "tileMatrixSetURI": TMS_URI,
        "links": [dict(one["links"][0], rel="self"), one["links"][1], one["links"][2]],
    }
    return JsonResponse(
        {
            "links": [
                {"rel": "self", "type": "application/json", "href": _tiles_url(request, spec)}
            ],
            "tilesets": [entry],
        }
    )


@require_safe
def dataset_tilesets(request):
    """``/ogc/tiles``: the dataset's tilesets (one: all public collections in WebMercatorQuad),
    OGC API – Tiles /req/dataset-tilesets."""
    base = request.build_absolute_uri(reverse("vectortiles:dataset-tileset"))
    one = _tileset_doc(base, _("Public layers of KCN Planner"), [])
    entry = {
        "title": one["title"],
        "dataType": "vector",
        "crs": one["crs"],
        "tileMatrixSetURI": TMS_URI,
        "links": one["links"],
    }
    self_url = request.build_absolute_uri(reverse("vectortiles:dataset-tilesets"))
    return JsonResponse(
        {
            "links": [{"rel": "self", "type": "application/json", "href": self_url}],
            "tilesets": [entry],
        }
    )


@require_safe
def dataset_tileset(request):
    """The tileset of all public collections (WebMercatorQuad)."""
    base = request.build_absolute_uri(reverse("vectortiles:dataset-tileset"))
    layers = [
        {"id": spec.name, "title": str(spec.title), "dataType": "vector"} for spec in public_specs()
    ]
    return JsonResponse(_tileset_doc(base, _("Public layers of KCN Planner"), layers))


@require_safe
def tileset(request, collection: str):
    spec, refusal = _readable(request, collection)
    if refusal is not None:
        return refusal
    return JsonResponse(_tileset(request, spec))
