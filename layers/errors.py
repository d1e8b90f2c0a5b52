"""Errors that know their OGC exception code and HTTP status, and the one renderer for them.

Raise a subclass anywhere in the OGC services; the view turns it into an OWS ExceptionReport
(OWS 1.1 for WFS 2.0, OWS 1.0 for WFS 1.1) or an OGC ServiceExceptionReport (WFS 1.0) with the
HTTP status the class carries.

Messages are written in English and translated with ``gettext`` where they are raised, so they
speak the request's language (``?lang=``, ``Accept-Language``, else the service's Vietnamese:
``gis_service.middleware``); the report's ``xml:lang`` says which. Exception *codes* and locators
are machine-readable and never translated.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _


class OGCException(Exception):
    """Base class: ``ogc_code`` and ``http_status`` are the class defaults, overridable per
    raise."""

    ogc_code = "NoApplicableCode"
    http_status = 400

    def __init__(
        self,
        message: str = "",
        *,
        locator: str | None = None,
        ogc_code: str | None = None,
        http_status: int | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.locator = locator
        if ogc_code is not None:
            self.ogc_code = ogc_code
        if http_status is not None:
            self.http_status = http_status
        self.headers = dict(headers or {})

    def __str__(self) -> str:
        return self.message


class MissingParameterValue(OGCException):
    ogc_code = "MissingParameterValue"


class InvalidParameterValue(OGCException):
    ogc_code = "InvalidParameterValue"


class VersionNegotiationFailed(OGCException):
    ogc_code = "VersionNegotiationFailed"


class OperationParsingFailed(OGCException):
    ogc_code = "OperationParsingFailed"


class OperationNotSupported(OGCException):
    ogc_code = "OperationNotSupported"
    http_status = 501


class OptionNotSupported(OGCException):
    ogc_code = "OptionNotSupported"
    http_status = 501


class NotFound(OGCException):
    ogc_code = "NotFound"
    http_status = 404


class LayerNotDefined(OGCException):
    """WMS: a layer that does not exist (or that the user may not see)."""

    ogc_code = "LayerNotDefined"


class AuthenticationRequired(OGCException):
    """No or wrong credentials for an operation that needs a user (HTTP 401 with a Basic
    challenge)."""

    ogc_code = "OperationProcessingFailed"
    http_status = 401
    realm = "KCN Planner"

    def __init__(self, message: str | None = None, **kwargs):
        super().__init__(message or _("authentication required"), **kwargs)
        self.headers.setdefault("WWW-Authenticate", f'Basic realm="{self.realm}"')


class TooManyAttempts(AuthenticationRequired):
    """Credentials refused without checking: too many failed sign-ins (HTTP 429, Retry-After)."""

    http_status = 429

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.headers["Retry-After"] = str(retry_after)


class AccessDenied(OGCException):
    """A signed-in user without the right (layer or administrative-unit scope)."""

    ogc_code = "OperationProcessingFailed"
    http_status = 403


class RequestTooLarge(OGCException):
    ogc_code = "OperationParsingFailed"
    http_status = 413


class OperationProcessingFailed(OGCException):
    """An unexpected failure while answering a valid request (logged by the view).

    Answered with 503 rather than 500: the service could not complete the request, and the
    client gets an exception report it can show, never a bare server error page.
    """

    ogc_code = "OperationProcessingFailed"
    http_status = 503


OWS_11 = "http://www.opengis.net/ows/1.1"
OWS_10 = "http://www.opengis.net/ows"
OGC = "http://www.opengis.net/ogc"


def render_exception_report(exc: OGCException, *, version: str = "2.0.0") -> tuple[bytes, str]:
    """The exception document for a WFS/WMS ``version``: (body, content type)."""
    message = escape(exc.message or exc.ogc_code)
    locator = f" locator={quoteattr(exc.locator)}" if exc.locator else ""
    if version.startswith("1.0") or version.startswith("1.3") or version.startswith("1.1.1"):
        # WFS 1.0.0 (and WMS): OGC ServiceExceptionReport.
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<ServiceExceptionReport xmlns="{OGC}" version="1.2.0">'
            "<ServiceException "
            f"code={quoteattr(exc.ogc_code)}{locator}>{message}</ServiceException>"
            "</ServiceExceptionReport>"
        )
        return body.encode("utf-8"), "text/xml; charset=utf-8"
    if version.startswith("1.1"):
        ns, report_version = OWS_10, "1.0.0"
    else:
        ns, report_version = OWS_11, "2.0.0"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ows:ExceptionReport xmlns:ows="{ns}" version="{report_version}" '
        f"xml:lang={quoteattr(get_language() or 'vi')}>"
        f"<ows:Exception exceptionCode={quoteattr(exc.ogc_code)}{locator}>"
        f"<ows:ExceptionText>{message}</ows:ExceptionText></ows:Exception></ows:ExceptionReport>"
    )
    return body.encode("utf-8"), "application/xml; charset=utf-8"


def exception_response(exc: OGCException, *, version: str = "2.0.0") -> HttpResponse:
    body, content_type = render_exception_report(exc, version=version)
    response = HttpResponse(body, status=exc.http_status, content_type=content_type)
    for key, value in exc.headers.items():
        response[key] = value
    return response
