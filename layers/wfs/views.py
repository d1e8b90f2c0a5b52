"""/ows/wfs: thin. Identify the caller, parse, run one operation, answer; errors as OGC reports."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, QueryDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from layers import auth
from layers.database import (
    RETRY_AFTER_SECONDS,
    database_unavailable_message,
    is_database_unavailable,
    log_database_unavailable,
)
from layers.errors import (
    MissingParameterValue,
    OGCException,
    OperationNotSupported,
    OperationProcessingFailed,
    RequestTooLarge,
    exception_response,
)
from layers.wfs import encoders, operations, requests, transactions
from layers.xml import MAX_REQUEST_BYTES

log = logging.getLogger(__name__)


def _guess_version(params) -> str:
    for key, value in params.items():
        if str(key).upper() == "VERSION":
            return requests.normalise_version(value) or "2.0.0"
    return "2.0.0"


def _read_request(request) -> requests.WFSRequest:
    if request.method == "GET":
        return requests.parse_kvp(request.GET)
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
        raise RequestTooLarge(
            _("the request body is larger than %(mb)s MB") % {"mb": MAX_REQUEST_BYTES // 2**20}
        )
    # Read the stream directly: request.body would apply DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
    body = request.read(MAX_REQUEST_BYTES + 1)
    if len(body) > MAX_REQUEST_BYTES:
        raise RequestTooLarge(
            _("the request body is larger than %(mb)s MB") % {"mb": MAX_REQUEST_BYTES // 2**20}
        )
    stripped = body.lstrip()
    if not stripped:
        if request.GET:
            return requests.parse_kvp(request.GET)
        raise MissingParameterValue(
            _("empty request: send KVP parameters or an XML document"), locator="request"
        )
    if request.content_type == "application/x-www-form-urlencoded" and not stripped.startswith(
        b"<"
    ):
        return requests.parse_kvp(QueryDict(body, encoding=request.encoding or "utf-8"))
    return requests.parse_body(body)


@csrf_exempt
def wfs(request):
    version = _guess_version(request.GET)
    try:
        if request.method not in ("GET", "POST"):
            raise OperationNotSupported(
                _("HTTP %(method)s is not supported; use GET or POST") % {"method": request.method},
                http_status=405,
            )
        caller = auth.identify(request)
        req = _read_request(request)
        version = req.version
        url = request.build_absolute_uri(request.path)
        if isinstance(req, requests.Transaction):
            auth.require_writer(request, caller)
            doc = transactions.parse_transaction(req.root, req.version)
            outcome = transactions.apply_transaction(doc, caller.user)
            body = encoders.transaction_response(
                req.version,
                inserted=outcome.inserted,
                updated=outcome.updated,
                deleted=outcome.deleted,
            )
            return HttpResponse(body, content_type=operations.XML)
        result = operations.dispatch(req, user=caller.user, url=url)
        return HttpResponse(result.body, content_type=result.content_type, status=result.status)
    except OGCException as exc:
        return exception_response(exc, version=version)
    except (OperationalError, InterfaceError) as exc:
        if is_database_unavailable(exc):
            # Down, restarting or locked: 503 + Retry-After, the client may try again.
            log_database_unavailable(request, exc)
            return exception_response(
                OperationProcessingFailed(
                    database_unavailable_message(),
                    http_status=503,
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                ),
                version=version,
            )
        log.exception("WFS request failed: %s %s", request.method, request.get_full_path())
        return exception_response(
            OperationProcessingFailed(
                _("the service could not complete this request; the error has been logged")
            ),
            version=version,
        )
    except Exception:
        log.exception("WFS request failed: %s %s", request.method, request.get_full_path())
        return exception_response(
            OperationProcessingFailed(
                _("the service could not complete this request; the error has been logged")
            ),
            version=version,
        )
