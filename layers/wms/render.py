"""Maps rendered in-process by the service's own WMS, for callers that are not HTTP requests.

:func:`render_map` is the public way for another part of the service (the PDF map sheet) to get a
picture of the published layers: MapProxy/MapServer answer it as they answer ``/ows/wms``, with the
same rights (:func:`authorizer`, MapProxy's ``mapproxy.authorize`` hook, asks
:mod:`planning.access` which layers the user may read).
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from layers.catalogue import CATALOGUE
from layers.wms.app import MapServiceConfigError, get_service
from planning import access


class MapRenderError(RuntimeError):
    """The map could not be rendered (the map services are not configured or failed)."""


def authorizer(user):
    """A ``mapproxy.authorize`` callable: layers the user may read, everything else hidden."""

    def authorize(service, layers=(), environ=None, **kwargs):
        allowed = {}
        for name in layers:
            spec = CATALOGUE.get(name)
            if spec is not None and access.can_read_layer(user, spec):
                allowed[name] = {
                    "map": True,
                    "featureinfo": True,
                    "legendgraphic": True,
                    "tile": True,
                }
        if not allowed:
            if getattr(user, "is_authenticated", False) or not layers:
                return {"authorized": "none"}
            return {"authorized": "unauthenticated"}
        if len(allowed) == len(set(layers)):
            return {"authorized": "full"}
        return {"authorized": "partial", "layers": allowed}

    return authorize


def render_map(
    *,
    user,
    layers: list[str],
    bbox: tuple[float, float, float, float],
    srid: int,
    width: int,
    height: int,
) -> bytes:
    """A PNG of ``layers`` (drawn bottom-up) over ``bbox`` in EPSG:``srid`` (x/y axis order),
    ``width`` × ``height`` pixels, white background, as ``user`` may see them.

    Raises :class:`MapRenderError` if the map services are not configured or do not answer an
    image.
    """
    try:
        svc = get_service()
    except MapServiceConfigError as exc:
        raise MapRenderError(str(exc)) from exc
    query = urlencode(
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",  # x/y axis order in every CRS
            "REQUEST": "GetMap",
            "LAYERS": ",".join(layers),
            "STYLES": "",
            "SRS": f"EPSG:{srid}",
            "BBOX": ",".join(f"{v:.3f}" for v in bbox),
            "WIDTH": str(width),
            "HEIGHT": str(height),
            "FORMAT": "image/png",
            "TRANSPARENT": "FALSE",
            "BGCOLOR": "0xFFFFFF",
        }
    )
    environ = {
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": query,
        "SCRIPT_NAME": "/ows",
        "PATH_INFO": "/service",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "mapproxy.authorize": authorizer(user),
    }
    result = {}

    def start_response(status, headers, exc_info=None):
        result["status"] = int(status.split(" ", 1)[0])
        result["type"] = dict((k.lower(), v) for k, v in headers).get("content-type", "")

    chunks = svc.app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    if result.get("status") != 200 or not result.get("type", "").startswith("image/"):
        raise MapRenderError(f"the WMS answered {result.get('status')}: {body[:300]!r}")
    return body
