"""A short door for vector tiles: the tile view behind only the middleware a tile request needs.

A map asks for dozens of vector tiles a second, each a single statement in the database. Behind
Django's whole stack, the URL resolver and middleware that have nothing to do for a tile (sessions,
CSRF, messages, the edit history's user, sign-in lockout) cost as much Python time as making the
tile; the OGC API benchmark (``tests/benchmarks/bench_ogcapi.py``) measured uncached tiles at
1.4–1.7× the bare ``ST_AsMVT`` statement through the full stack.

``TileFastPath`` wraps the WSGI application (``gis_service/wsgi.py``). A request takes the short
door only when all of these hold, else it goes through the full stack untouched:

* ``GET`` of ``/ogc/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}``, no query string;
* no session cookie (a signed-in browser goes the full way: its user comes from the session) and
  no HTTP Basic credentials (password checks belong to the sign-in lockout, django-axes).

The short door runs **the same view** (``layers.vectortiles.views.tile``: the same token check
``layers.auth.identify``, the same rights ``planning.access.can_read_layer``, the same cache),
inside the project's middleware minus those listed in ``SKIPPED`` (each with its reason), in the
order of ``settings.MIDDLEWARE``; so the answer and its headers are those of the full stack
(``tests/layers/test_vector_tile_fastpath.py`` compares them). It answers only a tile (200), an
empty tile (204) or not-modified (304): anything else — an unknown or forbidden collection, a
bad token, a tile out of range, an error, the database down — is answered by the full stack
again, so every error keeps its one place, its language and its status. Setting
``KCN_TILE_FAST_PATH`` (default on) turns the short door off.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signals
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIRequest
from django.utils.module_loading import import_string

from layers.vectortiles import views

log = logging.getLogger(__name__)

TILE_PATH = re.compile(
    r"/ogc/collections/([A-Za-z0-9_]{1,64})/tiles/WebMercatorQuad/(\d{1,2})/(\d{1,9})/(\d{1,9})"
)
SERVED = frozenset((200, 204, 304))

# Middleware with nothing to do for a tile request that has no session cookie, no Basic
# credentials and is a GET; any other middleware runs (a new one is included by default).
SKIPPED = {
    # No session cookie: there is no session to load and nothing stores one.
    "django.contrib.sessions.middleware.SessionMiddleware",
    # A GET is never CSRF-checked.
    "django.middleware.csrf.CsrfViewMiddleware",
    # Its only work is request.user from the session: AnonymousUser without a cookie (set here).
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Messages live in the session or cookies, and a tile shows none.
    "django.contrib.messages.middleware.MessageMiddleware",
    # Names the user in edit history rows; a tile writes none.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Sign-in lockout: watches password checks (Basic goes the full way).
    "axes.middleware.AxesMiddleware",
    # Answers a failed view with 503; here a failure goes the full way, which answers it.
    "gis_service.middleware.DatabaseUnavailableMiddleware",
}
_HOOKS = ("process_view", "process_exception", "process_template_response")


def _tile_view(request):
    return views.tile(request, *request.kcn_tile)


def build_chain(view=_tile_view):
    """``view`` inside the middleware of ``settings.MIDDLEWARE`` not in ``SKIPPED``, same order.

    Only ``__call__``/``process_request``/``process_response`` run outside Django's handler; a
    middleware with view or exception hooks would be half-run, so it is refused."""
    handler = view
    for path in reversed(settings.MIDDLEWARE):
        if path in SKIPPED:
            continue
        middleware = import_string(path)
        hooks = [h for h in _HOOKS if hasattr(middleware, h)]
        if hooks:
            raise ImproperlyConfigured(
                f"{path} has {', '.join(hooks)}: add it to layers.vectortiles.fastpath.SKIPPED "
                "with a reason, or turn the tile fast path off (KCN_TILE_FAST_PATH = False)"
            )
        handler = middleware(handler)
    return handler


class TileFastPath:
    """WSGI middleware: vector tiles through the short door, everything else to ``app``."""

    def __init__(self, app, chain=None):
        self.app = app
        self.chain = chain or build_chain()
        self.session_cookie = settings.SESSION_COOKIE_NAME + "="

    def __call__(self, environ, start_response):
        if (
            environ.get("REQUEST_METHOD") == "GET"
            and not environ.get("QUERY_STRING")
            and self.session_cookie not in environ.get("HTTP_COOKIE", "")
            and not environ.get("HTTP_AUTHORIZATION", "").lstrip()[:6].lower().startswith("basic")
        ):
            match = TILE_PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match is not None:
                served, failure = self.serve(environ, match.groups())
                if served is not None:
                    status, headers, body = served
                    start_response(status, headers)
                    return [body]
                if failure is not None:
                    start_response = _watch(start_response, failure, environ)
        return self.app(environ, start_response)

    def serve(self, environ, tile) -> tuple[tuple[str, list, bytes] | None, Exception | None]:
        """((status, headers, body) of a tile, None), or (None, what failed or None): then the
        full stack answers."""
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            request = WSGIRequest(environ)
            request.user = AnonymousUser()
            request.kcn_tile = tile
            response = self.chain(request)
            if response.status_code not in SERVED:
                return None, None
            headers = [*response.items()]
            headers.extend(("Set-Cookie", c.output(header="")) for c in response.cookies.values())
            status = f"{response.status_code} {response.reason_phrase}"
            return (status, headers, response.content), None
        except Exception as exc:  # noqa: BLE001 - the full stack answers (and logs) the failure
            return None, exc
        finally:
            signals.request_finished.send(sender=self.__class__)


def _watch(start_response, failure: Exception, environ):
    """``start_response`` that logs when the full stack served a tile the short door failed on:
    the database down fails both (and is logged by the full stack); a tile served by one door
    only is a fault of the short door, which would otherwise cost every tile twice unseen."""

    def watched(status, headers, exc_info=None):
        if int(status[:3]) in SERVED:
            log.warning(
                "tile fast path failed on %s where the full stack served it: %r",
                environ.get("PATH_INFO"),
                failure,
            )
        return start_response(status, headers, exc_info)

    return watched


def wrap(application):
    """``application`` with the tile fast path, unless ``KCN_TILE_FAST_PATH`` is off."""
    if not getattr(settings, "KCN_TILE_FAST_PATH", True):
        return application
    return TileFastPath(application)
