"""Project middleware: the language of each answer, and 503s while the database is unavailable.

Vietnamese first. Pages speak the language a user chose (the ``django_language`` cookie set by
``/i18n/setlang/``) or Vietnamese — never the browser's guess: provincial offices often run
English-language Windows and browsers, and the service still speaks Vietnamese unless someone
switches it to English.

Programs (the REST API under ``/api/``, the OGC services under ``/ows/``) have no language switch:
they say what they read in ``Accept-Language``. There an explicit ``?lang=`` comes first, then
``Accept-Language`` (``vi``, ``en``, ``en-US`` …; a language we do not speak is skipped), then the
cookie, then Vietnamese. A request sent by a browser (it carries ``Sec-Fetch-Mode``: the pages'
own scripts, a person opening the API in a tab) follows the page rule, so the map, the Jobs tab and
the proposal pages show the API's errors in the page's language, not in the browser's.
"""

import hashlib

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation.trans_real import parse_accept_lang_header

from layers.database import (
    RETRY_AFTER_SECONDS,
    database_unavailable_message,
    is_database_unavailable,
    log_database_unavailable,
)
from layers.errors import OperationProcessingFailed, exception_response
from planning import access


class PrincipalMemoMiddleware:
    """Each request's rights read once per user (``access.memoised``): a list of 500 proposals
    asked its user's memberships and scopes some 20 times per row."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with access.memoised():
            return self.get_response(request)


PROGRAM_PREFIXES = ("/api/", "/ows/", "/ogc/")


def _supported(code: str | None) -> str | None:
    """``code`` (``en``, ``en-US``, ``vi-VN`` …) as one of settings.LANGUAGES, or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return None


def accept_language(request) -> str | None:
    """The first language of ``Accept-Language`` (by weight) that we speak; None if none is."""
    for code, _weight in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        lang = _supported(code)
        if lang:
            return lang
    return None


def request_language(request) -> str:
    """The language to answer ``request`` in (see the module's docstring)."""
    cookie = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    query = _supported(request.GET.get("lang"))
    program = (
        request.path.startswith(PROGRAM_PREFIXES) and "HTTP_SEC_FETCH_MODE" not in request.META
    )
    if program:
        candidates = (query, accept_language(request), cookie)
    else:
        candidates = (cookie, query)
    return next((lang for lang in candidates if lang), settings.LANGUAGE_CODE)


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lang = request_language(request)
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        if request.path.startswith(PROGRAM_PREFIXES) and not response.get(
            "Content-Type", ""
        ).startswith("image/"):
            # The same URL answers in another language for another Accept-Language or cookie
            # (map images say nothing: they stay cacheable by shared caches).
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


# --- HTTP caching that follows the caller (issue 16, item 5) ------------------------------------

# Documents up to this size get an ETag from their bytes when the view gave none (a capabilities
# document, a legend, a collection's description, a page of features); bigger ones (a whole
# layer's GetFeature) are not hashed on every request.
ETAG_MAX_BYTES = 512 * 1024


def _signed_in(request) -> bool:
    if request.META.get("HTTP_AUTHORIZATION", "").strip():
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class CallerCacheMiddleware:
    """What clients and proxies may keep of the answers: programs' (``/api/``, ``/ows/``,
    ``/ogc/``) and pages alike (static and uploaded files excepted).

    The same URL answers differently for different callers: a signed-in planner's capabilities
    list the staff layers an anonymous visitor's do not. QGIS keeps an HTTP disk cache, so a
    planner who first opened the service anonymously was shown the anonymous documents again
    after signing in. Now, when the view said nothing about caching (a view that did — tiles —
    knows better and is left alone):

    * every answer varies on ``Authorization`` and ``Cookie``, and is ``no-cache``: a cache may
      keep it but must ask again before reuse, so even a cache that ignores ``Vary`` gets the
      caller's own document (the ETag differs);
    * an anonymous answer is ``public``; a signed-in one, or one that sets a cookie, is
      ``private`` (no shared cache keeps it), and ``no-store`` on the REST API, which carries
      people's work (proposals, jobs, imports with their authors);
    * an answer of up to ``ETAG_MAX_BYTES`` without a validator gets an ETag of its bytes, and
      ``If-None-Match`` with it gets 304.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.files = tuple(p for p in (settings.STATIC_URL, settings.MEDIA_URL) if p)

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD") or request.path.startswith(self.files):
            return response
        if response.has_header("Cache-Control"):
            return response  # the view decided (tiles: public or private, with their ETag)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        if not _signed_in(request) and not response.cookies:
            response["Cache-Control"] = "public, no-cache"
        elif request.path.startswith("/api/"):
            response["Cache-Control"] = "private, no-store"
            return response
        else:
            response["Cache-Control"] = "private, no-cache"
        if (
            response.status_code == 200
            and not response.streaming
            and not response.has_header("ETag")
            and len(response.content) <= ETAG_MAX_BYTES
        ):
            response["ETag"] = (
                '"' + hashlib.blake2b(response.content, digest_size=12).hexdigest() + '"'
            )
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response


# --- the database down, restarting or locked ------------------------------------------------------


def database_unavailable_response(request) -> HttpResponse:
    """503 with Retry-After in the form the caller reads: JSON for /api/, OGC report for /ows/,
    else HTML."""
    message = database_unavailable_message()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path.startswith("/api/"):
        body = {"error": {"status": 503, "code": "database_unavailable", "message": message}}
        response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    elif request.path.startswith("/ogc/"):  # OGC API: its exception document
        body = {"code": "ServiceUnavailable", "description": message}
        response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    elif request.path.startswith("/ows/"):
        version = next((v for k, v in request.GET.items() if k.upper() == "VERSION"), "") or "2.0.0"
        response = exception_response(
            OperationProcessingFailed(message, http_status=503), version=version
        )
    else:
        title = escape(gettext("Service temporarily unavailable"))
        html = (
            f'<!doctype html><html lang="{escape(getattr(request, "LANGUAGE_CODE", "vi"))}"><head>'
            f'<meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
            f"<p>{escape(message)}</p></body></html>"
        )
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    for key, value in headers.items():
        response[key] = value
    return response


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is down or locked answers 503 + Retry-After, logged.

    Last in MIDDLEWARE so its ``process_exception`` runs first. The REST API has the same branch in
    its exception handler (planning/api/errors.py), the WFS view in its own (layers/wfs/views.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not is_database_unavailable(exc):
            return None
        log_database_unavailable(request, exc)
        return database_unavailable_response(request)
