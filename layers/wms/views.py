"""Thin Django views in front of MapProxy: the same users and rights as the rest of the service."""

from __future__ import annotations

import logging
import math
import re
from html import escape
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from layers import auth, tilestore
from layers.catalogue import CATALOGUE
from layers.errors import AuthenticationRequired
from layers.wms.app import MapServiceConfigError, cache_dir, get_service, service_key
from layers.wms.mapproxy_config import FEATURE_INFO_FORMATS
from layers.wms.render import authorizer
from planning import access

log = logging.getLogger(__name__)


def _service_exception(message: str, status: int, code: str = "") -> HttpResponse:
    code_attr = f' code="{escape(code)}"' if code else ""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc">'
        f"<ServiceException{code_attr}>{escape(message)}</ServiceException></ServiceExceptionReport>"
    )
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


MAX_SIZE = 4096


def check_wms_params(query) -> str | None:
    """Catch what MapProxy would turn into a 500; return a message, or None when fine."""
    params = {k.upper(): v for k, v in query.items()}
    request = params.get("REQUEST", "").lower()
    if not request:
        return _(
            "REQUEST is missing: use GetCapabilities, GetMap, GetFeatureInfo or GetLegendGraphic"
        )
    if request not in (
        "getcapabilities",
        "capabilities",
        "getmap",
        "map",
        "getfeatureinfo",
        "getlegendgraphic",
    ):
        return _(
            "REQUEST=%(request)s is not a WMS operation of this service; use GetCapabilities, "
            "GetMap, GetFeatureInfo or GetLegendGraphic"
        ) % {"request": repr(params.get("REQUEST"))}
    if request == "getlegendgraphic":
        missing = [name for name in ("LAYER", "FORMAT") if not params.get(name)]
        if missing:
            return _("GetLegendGraphic needs %(parameters)s") % {"parameters": " + ".join(missing)}
        return None
    if request not in ("getmap", "getfeatureinfo"):
        return None
    bbox = params.get("BBOX")
    if bbox is None:
        return _("BBOX is missing")
    try:
        values = [float(v) for v in bbox.split(",")[:4]]
    except ValueError:
        return _("BBOX must be four numbers separated by commas, got %(value)s") % {
            "value": repr(bbox)
        }
    if len(values) != 4 or not all(map(math.isfinite, values)):
        return _("BBOX must be four finite numbers, got %(value)s") % {"value": repr(bbox)}
    if values[0] >= values[2] or values[1] >= values[3]:
        return _("BBOX minimum must be below maximum, got %(value)s") % {"value": repr(bbox)}
    for name in ("WIDTH", "HEIGHT"):
        try:
            size = int(params.get(name, ""))
        except ValueError:
            return _("%(name)s must be a whole number of pixels, got %(value)s") % {
                "name": name,
                "value": repr(params.get(name)),
            }
        if not 0 < size <= MAX_SIZE:
            return _("%(name)s must be between 1 and %(max)s pixels, got %(value)s") % {
                "name": name,
                "max": MAX_SIZE,
                "value": size,
            }
    return None


# --- GetFeatureInfo formats -----------------------------------------------------------------------
DEFAULT_INFO_FORMAT = "text/html"  # INFO_FORMAT left out (optional in WMS 1.1.1)
_EMPTY_GML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<msGMLOutput xmlns:gml="http://www.opengis.net/gml"'
    ' xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n</msGMLOutput>\n'
)
# The type MapProxy labels its answer with, per format MapServer was asked for (it names XML
# after the WMS version: application/vnd.ogc.gml on 1.1.1, text/xml on 1.3.0).
_MAPPROXY_TYPES = {
    "text/html": {"text/html"},
    "text/plain": {"text/plain"},
    "application/vnd.ogc.gml": {"application/vnd.ogc.gml", "text/xml"},
}
_FEATURE_INFO_BLOCK = re.compile(r"(<GetFeatureInfo>\s*)(?:<Format>[^<]*</Format>\s*)+")


def _param(query, name: str) -> str:
    """A WMS parameter, whatever the case of its name (the first one given)."""
    for key in query:
        if key.upper() == name:
            return query.get(key, "")
    return ""


def feature_info_format(query) -> tuple[str | None, str | None]:
    """The INFO_FORMAT of a GetFeatureInfo request, and a refusal when it is not offered."""
    asked = _param(query, "INFO_FORMAT").strip()
    if not asked:
        return DEFAULT_INFO_FORMAT, None
    if asked.lower() in FEATURE_INFO_FORMATS:
        return asked.lower(), None
    offered = ", ".join(FEATURE_INFO_FORMATS)
    return None, _("INFO_FORMAT=%(format)s is not offered; use one of: %(offered)s.") % {
        "format": repr(asked),
        "offered": offered,
    }


def check_query_layers(query, svc) -> HttpResponse | None:
    """GetFeatureInfo's QUERY_LAYERS must name layers of this service (MapProxy failed on an
    unknown name with a message about bytes)."""
    names = [n for n in _param(query, "QUERY_LAYERS").split(",") if n]
    if not names:
        return _service_exception(
            _("GetFeatureInfo needs QUERY_LAYERS (the layers to query)."),
            400,
            "MissingParameterValue",
        )
    served = {layer["name"] for layer in svc.config["layers"]}
    unknown = ", ".join(n for n in names if n not in served)
    if unknown:
        return _service_exception(
            _("No layer %(names)s.") % {"names": unknown}, 400, "LayerNotDefined"
        )
    return None


def _query_with(query, name: str, value: str) -> str:
    """The query string with parameter ``name`` (any case) set to ``value``."""
    kept = query.copy()
    for key in [k for k in kept if k.upper() == name]:
        del kept[key]
    kept[name] = value
    return kept.urlencode()


def answer_in_format(response: HttpResponse, info_format: str) -> None:
    """Label MapProxy's GetFeatureInfo answer with the INFO_FORMAT asked for (MapProxy names XML
    after the WMS version); an empty XML answer (no layer queried there) becomes an empty GML
    document. Exceptions are left as they are."""
    if response.status_code != 200:
        return
    asked_mapserver = FEATURE_INFO_FORMATS[info_format]
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if content_type not in _MAPPROXY_TYPES[asked_mapserver]:
        return  # an exception (application/vnd.ogc.se_xml, an image) or text of mixed answers
    is_xml = asked_mapserver == "application/vnd.ogc.gml"
    if is_xml and b"<ServiceExceptionReport" in response.content[:1000]:
        return
    if is_xml and not response.content.strip():
        response.content = _EMPTY_GML.encode()
    response["Content-Type"] = f"{info_format}; charset=utf-8"


def advertise_feature_info_formats(response: HttpResponse) -> None:
    """Write every offered INFO_FORMAT into WMS GetCapabilities (MapProxy lists one XML type per
    version; QGIS reads features only from a type naming GML)."""
    if response.status_code != 200 or not response.content:
        return
    text = response.content.decode("utf-8")
    formats = "".join(f"<Format>{f}</Format>\n        " for f in FEATURE_INFO_FORMATS)
    text, count = _FEATURE_INFO_BLOCK.subn(lambda m: m.group(1) + formats, text)
    if count != 1:
        log.error(
            "GetCapabilities: %d GetFeatureInfo blocks, formats left as MapProxy wrote them", count
        )
        return
    response.content = text.encode("utf-8")


_TILE_PATH = re.compile(
    r"^(?P<layer>[A-Za-z0-9_]+)/(?P<grid>GLOBAL_WEBMERCATOR|webmercator)/(?P<z>\d{1,2})/(?P<x>\d+)/(?P<y>\d+)\.png$"
)


def cached_tile(request, prefix: str, path: str) -> HttpResponse | None:
    """Serve an already cached tile without entering MapProxy (the hot path of every map page).

    Same rights as MapProxy's own check; a miss returns None and MapProxy renders and caches.
    """
    if prefix == "wmts":
        # RESTful WMTS: <layer>/<TileMatrixSet>/<z>/<col>/<row>.png, same layout as XYZ.
        match = _TILE_PATH.match(path)
    elif prefix == "tiles":
        match = _TILE_PATH.match(path)
    else:
        return None
    if match is None:
        return None
    spec = CATALOGUE.get(match["layer"])
    if spec is None or not access.can_read_layer(request.user, spec):
        return None  # MapProxy answers with its own error
    found = tilestore.read_raster(
        service_key(), cache_dir(spec.name), spec.name, match["z"], match["x"], match["y"]
    )
    if found is None:
        return None
    data, etag, mtime = found
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(data, content_type="image/png")
    _tile_cache_headers(response, spec, etag=etag, mtime=mtime)
    response["X-KCN-Tile-Cache"] = "hit"
    return response


def render_elsewhere(request) -> HttpResponse:
    """The tile pool's answer to a raster tile not yet cached (README "Production"): nginx follows
    ``X-Accel-Redirect`` to its internal render location, which passes the same request (same
    credentials: the main pool checks the rights again) to the main pool to render and cache, so
    this pool's workers stay free for tiles already made. Only nginx acts on the header: it is set
    only where ``KCN_RENDER_REDIRECT`` is, in the pool nginx alone can reach."""
    response = HttpResponse(status=200, content_type="image/png")
    response["X-Accel-Redirect"] = settings.KCN_RENDER_REDIRECT + request.get_full_path()
    response["Cache-Control"] = "no-store"
    return response


def _tile_cache_headers(
    response, spec, *, etag: str | None = None, mtime: float | None = None
) -> None:
    """Browsers may keep a tile but must ask again before showing it (a cheap 304 when unchanged).

    Saves refresh the cached tiles of what changed (``layers/signals.py``): with a lifetime
    (MapProxy's own default is three days) a browser would keep showing the tile from before an
    approval or an edit. Staff layers are ``private``: no shared cache may keep them.
    """
    response["Cache-Control"] = (
        "public" if "anonymous" in spec.read_roles else "private"
    ) + ", no-cache"
    for name in ("Expires", "ETag", "Last-Modified"):
        if name in response:
            del response[name]
    if etag:
        response["ETag"] = etag
    if mtime is not None:
        response["Last-Modified"] = http_date(mtime)


@csrf_exempt
def mapproxy(request, prefix: str, path: str = ""):
    """Forward /ows/<prefix>/<path> to MapProxy (WMS at /service, WMTS at /wmts, XYZ at /tiles)."""
    if request.method not in ("GET", "HEAD"):
        return _service_exception(_("only GET is supported by the map services"), 405)
    try:
        auth.identify(request)  # Basic or token credentials, as QGIS and GDAL send them
    except AuthenticationRequired as exc:
        response = _service_exception(str(exc), exc.http_status, "AuthenticationRequired")
        for name, value in exc.headers.items():
            response[name] = value
        return response
    if request.method == "GET" and path:
        hit = cached_tile(request, prefix, path)
        if hit is not None:
            return hit
        if settings.KCN_RENDER_REDIRECT and prefix in ("wmts", "tiles") and _TILE_PATH.match(path):
            return render_elsewhere(request)
    problem = check_wms_params(request.GET) if prefix == "service" else None
    if problem:
        return _service_exception(problem, 400, "InvalidParameterValue")
    query_string = request.META.get("QUERY_STRING", "")
    # /service is MapProxy's KVP entry for WMS and WMTS alike; SERVICE tells them apart.
    wms = prefix == "service" and _param(request.GET, "SERVICE").lower() in ("", "wms")
    operation = _param(request.GET, "REQUEST").lower() if wms else ""
    info_format = None
    if operation == "getfeatureinfo":
        info_format, problem = feature_info_format(request.GET)
        if problem:
            return _service_exception(problem, 400, "InvalidFormat")
        query_string = _query_with(request.GET, "INFO_FORMAT", FEATURE_INFO_FORMATS[info_format])
    try:
        svc = get_service()
    except MapServiceConfigError as exc:
        log.error("map services unavailable: %s", exc)
        return _service_exception(_("map services unavailable: %(reason)s") % {"reason": exc}, 503)
    if operation == "getfeatureinfo":
        refusal = check_query_layers(request.GET, svc)
        if refusal:
            return refusal
    tile = _TILE_PATH.match(path) if prefix in ("wmts", "tiles") and path else None
    if tile is not None and not tile_cache_writable():
        return render_tile_uncached(request, svc, tile)
    try:
        response = _call_mapproxy(
            request, svc, f"/{prefix}" + (f"/{path}" if path else ""), query_string
        )
    except Exception as exc:  # MapProxy lets some malformed parameters through as ValueError
        if tile is not None:
            # A tile whose path is valid failed inside MapProxy: most often the cache could not
            # be written (disk full, read-only). Render it straight from MapServer instead.
            log.warning("tile %s failed in the cache (%s): serving it uncached", path, exc)
            return render_tile_uncached(request, svc, tile)
        log.exception("map service failed on %s", request.get_full_path())
        return _service_exception(
            _("could not process the request: %(reason)s") % {"reason": exc},
            400,
            "InvalidParameterValue",
        )
    if tile is not None and response.status_code >= 500:
        # Most often the tile cache could not be written (disk full, read-only): render the
        # tile straight from MapServer so the map keeps working.
        log.warning(
            "tile %s failed in the cache (HTTP %s): serving it uncached", path, response.status_code
        )
        return render_tile_uncached(request, svc, tile)
    if tile is not None and response.status_code in (200, 304) and tile["layer"] in CATALOGUE:
        _tile_headers_from_cache(response, CATALOGUE[tile["layer"]], tile)
    if info_format is not None:
        answer_in_format(response, info_format)
    elif operation in ("getcapabilities", "capabilities") and request.method == "GET":
        advertise_feature_info_formats(response)
    return response


def _tile_headers_from_cache(response, spec, tile) -> None:
    """A tile MapProxy just rendered: the same caching headers as :func:`cached_tile` gives it
    next time."""
    found = tilestore.raster_validator(
        service_key(), cache_dir(spec.name), spec.name, tile["z"], tile["x"], tile["y"]
    )
    response["X-KCN-Tile-Cache"] = "miss" if found is not None else "bypassed"
    if found is None:
        # Not stored (MapProxy keeps no empty tiles; Redis down): no validator, the browser asks
        # again.
        _tile_cache_headers(response, spec)
        return
    _tile_cache_headers(response, spec, etag=found[0], mtime=found[1])


def _call_mapproxy(request, svc, path_info: str, query_string: str) -> HttpResponse:
    environ = dict(request.META)
    environ["SCRIPT_NAME"] = request.META.get("SCRIPT_NAME", "").rstrip("/") + "/ows"
    environ["PATH_INFO"] = path_info
    environ["QUERY_STRING"] = query_string
    environ["mapproxy.authorize"] = authorizer(request.user)
    environ.setdefault("wsgi.url_scheme", request.scheme)
    environ.setdefault("SERVER_NAME", request.get_host().split(":")[0])
    environ.setdefault("SERVER_PORT", str(request.get_port()))
    status_headers = {}

    def start_response(status, headers, exc_info=None):
        status_headers["status"] = int(status.split(" ", 1)[0])
        status_headers["headers"] = headers

    chunks = svc.app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    response = HttpResponse(body, status=status_headers["status"])
    for name, value in status_headers["headers"]:
        if name.lower() in ("content-length", "connection"):
            continue
        response[name] = value
    return response


# --- degraded mode: no room for the tile cache ----------------------------------------------------
_WEBMERCATOR_HALF = 20037508.342789244
_cache_state = {"checked": 0.0, "writable": True}


def tile_cache_writable() -> bool:
    """Is there room to cache tiles? Checked at most every 10 s; a change is logged once."""
    import shutil
    import time

    from django.conf import settings

    if tilestore.shared():
        return True  # Redis's own maxmemory bounds the cache; down, MapProxy just renders
    now = time.monotonic()
    if now - _cache_state["checked"] < 10:
        return _cache_state["writable"]
    base = cache_dir("x").parent
    minimum = int(getattr(settings, "KCN_TILE_CACHE_MIN_FREE_BYTES", 64 * 2**20))
    probe = base
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        free = 0
    writable = free >= minimum
    if writable != _cache_state["writable"]:
        if writable:
            log.warning(
                "tile cache at %s has room again (%d MB free): caching tiles", base, free // 2**20
            )
        else:
            log.warning(
                "tile cache at %s is full (%d KB free, need %d MB): serving tiles uncached",
                base,
                free // 1024,
                minimum // 2**20,
            )
    _cache_state.update(checked=now, writable=writable)
    return writable


def render_tile_uncached(request, svc, tile) -> HttpResponse:
    """Render one XYZ/WMTS tile (GLOBAL_WEBMERCATOR, north-west origin) through the uncached WMS."""
    z, x, y = int(tile["z"]), int(tile["x"]), int(tile["y"])
    if z > 30 or x >= 2**z or y >= 2**z:
        return _service_exception(
            _("tile %(tile)s is outside the tile matrix") % {"tile": f"{z}/{x}/{y}"},
            400,
            "TileOutOfRange",
        )
    size = 2 * _WEBMERCATOR_HALF / 2**z
    minx, maxy = -_WEBMERCATOR_HALF + x * size, _WEBMERCATOR_HALF - y * size
    query = urlencode(
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetMap",
            "LAYERS": tile["layer"],
            "STYLES": "",
            "SRS": "EPSG:3857",
            "BBOX": f"{minx},{maxy - size},{minx + size},{maxy}",
            "WIDTH": 256,
            "HEIGHT": 256,
            "FORMAT": "image/png",
            "TRANSPARENT": "TRUE",
        }
    )
    response = _call_mapproxy(request, svc, "/service", query)
    if response.status_code == 200:
        response["Cache-Control"] = "private, max-age=30"
        response["X-KCN-Tile-Cache"] = "bypassed"
    return response
