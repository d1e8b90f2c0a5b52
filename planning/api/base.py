"""The base of every API view: authentication, renderers, downloads, errors, the schema."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema as _extend_schema
from rest_framework.exceptions import NotAcceptable, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from planning import tables
from planning.api.auth import CsrfSessionAuthentication, HeaderAuthentication, ReadStaffOnlyWrites
from planning.api.errors import api_exception_handler


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


# The files the API serves, by ``?format=`` value. A file is answered as its own bytes
# (``file_response``), never through DRF's renderers: a renderer JSON-encoded them (a GET of
# ``…/export/?format=json`` answered a JSON string holding the document, and a CSV without
# ``?format`` came as one quoted line with ``\n`` escapes). CSV and XLSX are written by
# planning.tables, which owns their content types.
FILE_TYPES = {
    "json": "application/json",
    "geojson": "application/geo+json",
    "csv": tables.CSV_TYPE,
    "xlsx": tables.XLSX_TYPE,
    "gpkg": "application/geopackage+sqlite3",
    "pdf": "application/pdf",
}


def _unknown_format(fmt: str, offered) -> ValidationError:
    return ValidationError(
        {
            "format": [
                _("unknown format %(format)r; this address offers %(offered)s")
                % {"format": fmt, "offered": ", ".join(offered)}
            ]
        }
    )


class FormatNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that a ``?format=`` the view does not offer is a 400 naming the
    formats it does offer (DRF answers a bare 404 "Not found.")."""

    def filter_renderers(self, renderers, format):
        matching = [r for r in renderers if r.format == format]
        if not matching:
            raise _unknown_format(format, [r.format for r in renderers])
        return matching


class DownloadNegotiation(DefaultContentNegotiation):
    """For :class:`DownloadApi`: the view picks the file format itself (``download_format``);
    DRF's renderer only writes the view's JSON answers (errors, a report asked for as JSON)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def file_response(
    content: bytes, content_type: str, filename: str, *, inline: bool = False
) -> HttpResponse:
    """A file as it is: its bytes, its content type, its name (RFC 6266, non-ASCII names too)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


def extend_schema(**kwargs):
    """drf-spectacular's ``extend_schema`` for this API's views.

    The project does not set DRF's ``DEFAULT_SCHEMA_CLASS`` (only this API is described), so the
    base schema class is given on the function before drf-spectacular extends it.
    """

    def decorator(f):
        f.schema = AutoSchema
        return _extend_schema(**kwargs)(f)

    return decorator


class BaseApi(APIView):
    authentication_classes = [HeaderAuthentication, CsrfSessionAuthentication]
    permission_classes = [ReadStaffOnlyWrites]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FormatNegotiation
    schema = AutoSchema()

    def get_exception_handler(self):
        return api_exception_handler

    def initial(self, request, *args, **kwargs):
        # Query parameters reach querysets unvalidated in places (layer filters): PostgreSQL
        # cannot store or compare text holding NUL, so refuse it here for every view (400, not 500).
        for key, values in request.query_params.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                raise ValidationError(
                    {key.replace("\x00", "\\x00"): "NUL characters (\\x00) are not allowed"}
                )
        super().initial(request, *args, **kwargs)


class DownloadApi(BaseApi):
    """A view that answers files (CSV, XLSX, GeoPackage, JSON …).

    ``formats`` lists what it offers, the first being the default. ``?format=`` picks one
    (anything else: 400 naming them); without it an ``Accept`` header naming one of their media
    types picks it (naming none of them, and no wildcard: 406). Errors are JSON.
    """

    formats: tuple[str, ...] = ()
    content_negotiation_class = DownloadNegotiation

    def download_format(self, request) -> str:
        fmt = request.query_params.get("format", "").strip().lower()
        if fmt:
            if fmt not in self.formats:
                raise _unknown_format(fmt, self.formats)
            return fmt
        accepted = []
        for i, token in enumerate(request.META.get("HTTP_ACCEPT", "").split(",")[:64]):
            media, *params = [part.strip().lower() for part in token.split(";")]
            q = 1.0
            for param in params:
                if param.startswith("q="):
                    try:
                        q = float(param[2:])
                    except ValueError:
                        q = 0.0
            if media and q > 0:
                accepted.append((-q, i, media))
        if not accepted:
            return self.formats[0]
        for _q, _i, media in sorted(accepted):  # most wanted first
            for f in self.formats:
                offered = FILE_TYPES[f].split(";")[0]
                if media in ("*/*", offered) or (
                    media.endswith("/*") and offered.startswith(media[:-1])
                ):
                    return f
        raise NotAcceptable(
            _("this address offers %(offered)s (ask with ?format= or an Accept header)")
            % {"offered": ", ".join(FILE_TYPES[f].split(";")[0] for f in self.formats)}
        )


def download_responses(formats, *, json_schema=None) -> dict:
    """drf-spectacular ``responses`` of a :class:`DownloadApi`: one media type per format."""
    return {
        (200, FILE_TYPES[f].split(";")[0]): (
            json_schema if f == "json" and json_schema is not None else OpenApiTypes.BINARY
        )
        for f in formats
    }


class FeatureCollectionPagination(LimitOffsetPagination):
    """limit/offset paging of GeoJSON: a FeatureCollection with ``count``, ``next``, ``previous``.

    The page links are absolute URLs.
    """

    default_limit = 100
    max_limit = 5000

    def get_paginated_response(self, data):
        features = data["features"] if isinstance(data, dict) else data
        return Response(
            {
                "type": "FeatureCollection",
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "features": features,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "count": {"type": "integer"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "features": schema.get("properties", {}).get("features", schema),
            },
        }
