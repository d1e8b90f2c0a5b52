"""One exception handler for the API: every error is ``{"error": {status, code, message,
details}}``.

Maps Django ``ValidationError`` (400), rejected geometries (400), the services' ``PlanningError``
(its ``http_status``), the pure analyses' ``AnalysisError`` (400; unknown analysis 404), unknown
layers (404), a database that is down, restarting or locked (503 with Retry-After, logged) and
DRF's own exceptions (their status); anything else is logged and answered 500.

Every message is in the request's language (``gis_service.middleware``: ``Accept-Language``, else
the page's choice, else Vietnamese): the messages are looked up when the exception is raised or,
for the ones composed here, now — never an English frame around a translated fragment.
"""

from __future__ import annotations

import logging
import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from layers.catalogue import CATALOGUE, UnknownLayer
from layers.database import (
    RETRY_AFTER_SECONDS,
    database_unavailable_message,
    is_database_unavailable,
    log_database_unavailable,
)
from planning.analysis.errors import AnalysisError, UnknownAnalysis
from planning.analysis.geometry import GeometryRejected

JSON = "application/json; charset=utf-8"
log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, details=None, headers=None) -> Response:
    body = {"error": {"status": status, "code": code, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return Response(body, status=status, headers=headers, content_type=JSON)


def _validation_message(exc: DjangoValidationError) -> tuple[str, object]:
    if hasattr(exc, "error_dict"):
        details = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in details.items())
        return message, details
    return "; ".join(exc.messages), exc.messages


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in detail.items())
    if isinstance(detail, (list, tuple)):
        return " ".join(_flatten(v) for v in detail)
    return str(detail)


def api_exception_handler(exc, context):
    if is_database_unavailable(exc):
        request = context.get("request")
        if request is not None:
            log_database_unavailable(request, exc)
        return error_response(
            503,
            "database_unavailable",
            database_unavailable_message(),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, DjangoValidationError):
        message, details = _validation_message(exc)
        return error_response(400, "invalid", message, details)
    if isinstance(exc, GeometryRejected):
        return error_response(400, "invalid_geometry", str(exc))
    if isinstance(exc, UnknownAnalysis):
        message = _("unknown analysis %(name)r; known analyses: %(known)s") % {
            "name": exc.name,
            "known": ", ".join(exc.known),
        }
        return error_response(404, "unknown_analysis", message, {"known": exc.known})
    if isinstance(exc, UnknownLayer):
        return unknown_layer_response(exc.args[0])
    if isinstance(exc, AnalysisError):
        return error_response(400, "invalid_criteria", str(exc))
    status = getattr(exc, "http_status", None)
    if isinstance(status, int) and hasattr(exc, "code"):  # planning.errors.PlanningError & co.
        return error_response(
            status, exc.code, getattr(exc, "message", str(exc)), getattr(exc, "details", None)
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        # An unexpected failure: logged with its traceback, answered as JSON without internals.
        view = context.get("view")
        log.exception(
            "unhandled error in %s", type(view).__name__ if view else "the API", exc_info=exc
        )
        return error_response(500, "server_error", _("internal error; it has been logged"))
    detail = response.data
    code = "error"
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = (
            codes
            if isinstance(codes, str)
            else ("invalid" if isinstance(exc, exceptions.ValidationError) else exc.default_code)
        )
    if isinstance(exc, exceptions.ValidationError):
        message = _flatten(detail)
        details = detail
    else:
        message = _flatten(detail.get("detail", detail) if isinstance(detail, dict) else detail)
        details = None
    headers = {
        k: v
        for k, v in response.items()
        if k.lower() in ("www-authenticate", "retry-after", "allow")
    }
    return error_response(response.status_code, code, message, details, headers)


def unknown_layer_response(name: str) -> Response:
    known = sorted(CATALOGUE)
    message = _("unknown layer %(name)r; known layers: %(known)s") % {
        "name": name,
        "known": ", ".join(known),
    }
    return error_response(404, "unknown_layer", message, {"known": known})


def api_aware_page_not_found(request, exception=None):
    """The project's 404 (``handler404``): under ``/api/`` the API's JSON error, elsewhere Django's
    page.

    URLs the resolver cannot match (``/api/v1/proposals/-1/``, an unknown path) never reach a DRF
    view, so without this an API client would get an HTML page instead of ``{"error": …}``.
    ``/api/v1/layers/<name>/`` with a name outside the catalogue is an unknown layer.
    """

    if not request.path.startswith("/api/"):
        return page_not_found(request, exception)
    layer = re.match(r"^/api/v1/layers/([^/]+)/", request.path)
    if layer and layer.group(1) not in CATALOGUE:
        response = unknown_layer_response(layer.group(1))
        return JsonResponse(response.data, status=404, json_dumps_params={"ensure_ascii": False})
    message = _(
        "no API resource at %(path)s; the endpoints are listed at /api/v1/ and described at "
        "/api/schema/"
    ) % {"path": request.path}
    body = {"error": {"status": 404, "code": "not_found", "message": message}}
    return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})
