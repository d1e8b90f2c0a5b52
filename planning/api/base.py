"""The base of every API view: authentication, renderers, the exception handler, the schema."""
from __future__ import annotations

import json

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema as _extend_schema
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from planning.api.auth import CsrfSessionAuthentication, HeaderAuthentication, ReadStaffOnlyWrites
from planning.api.errors import api_exception_handler


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class _FileRenderer(BaseRenderer):
    """Passes prepared bytes through; anything else (an error) is written as JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, (bytes, bytearray)):
            return bytes(data)
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


class CSVRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(_FileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


def extend_schema(**kwargs):
    """drf-spectacular's ``extend_schema`` for this API's views.

    The project does not set DRF's ``DEFAULT_SCHEMA_CLASS`` (only this API is described), so the
    base schema class is given on the function before drf-spectacular extends it.
    """

    def decorator(f):
        f.schema = AutoSchema
        return _extend_schema(**kwargs)(f)

    return decorator


def file_response(content: bytes, content_type: str, filename: str) -> Response:
    return Response(content, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class BaseApi(APIView):
    authentication_classes = [HeaderAuthentication, CsrfSessionAuthentication]
    permission_classes = [ReadStaffOnlyWrites]
    renderer_classes = [JSONRenderer]
    schema = AutoSchema()

    def get_exception_handler(self):
        return api_exception_handler

    def initial(self, request, *args, **kwargs):
        # Query parameters reach querysets unvalidated in places (layer filters): PostgreSQL
        # cannot store or compare text holding NUL, so refuse it here for every view (400, not 500).
        for key, values in request.query_params.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                from rest_framework.exceptions import ValidationError

                raise ValidationError({key.replace("\x00", "\\x00"): "NUL characters (\\x00) are not allowed"})
        super().initial(request, *args, **kwargs)


class FeatureCollectionPagination(LimitOffsetPagination):
    """limit/offset paging of GeoJSON: a FeatureCollection with ``count``, ``next``, ``previous``."""

    default_limit = 100
    max_limit = 5000

    def get_paginated_response(self, data):
        features = data["features"] if isinstance(data, dict) else data
        return Response({
            "type": "FeatureCollection", "count": self.count, "next": self.get_next_link(),
            "previous": self.get_previous_link(), "features": features,
        })

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
