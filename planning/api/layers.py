"""Features of the published layers as GeoJSON, generic over the layer catalogue.

Each catalogue entry gets ``/api/v1/layers/<name>/`` (FeatureCollection, limit/offset paging,
``bbox=minx,miny,maxx,maxy`` in EPSG:4326, equality filters on published properties) and
``/api/v1/layers/<name>/<id>/``. Only the catalogue's ``fields`` are serialized — never personal
data — and reading follows the catalogue's ``read_roles`` through ``planning.access``
(anonymous callers of a staff layer get 401, signed-in callers without the right 403).
"""

from __future__ import annotations

from functools import cache

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from layers.catalogue import CATALOGUE, get_layer
from planning import access
from planning.api.base import BaseApi, FeatureCollectionPagination, GeoJSONRenderer, extend_schema

RESERVED = {"limit", "offset", "bbox", "format"}


@cache
def feature_serializer(layer: str) -> type[GeoFeatureModelSerializer]:
    """A read-only GeoJSON Feature serializer of a catalogue layer's published fields."""
    spec = get_layer(layer)
    model = spec.model
    names, attrs, extra = [], {}, {}
    for name in spec.fields:
        f = model._meta.get_field(name)
        if isinstance(f, GeometryField):
            continue
        if f.is_relation:
            if name not in spec.foreign_keys:
                continue
            attrs[name] = serializers.SlugRelatedField(
                slug_field=spec.foreign_keys[name][1], read_only=True, allow_null=f.null
            )
        elif isinstance(f, models.DecimalField):
            extra[name] = {"coerce_to_string": False}
        names.append(name)
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "geo_field": spec.geometry_field,
            "fields": ("id", *names),
            "read_only_fields": ("id", *names),
            "extra_kwargs": extra,
        },
    )
    cls_name = "".join(p.title() for p in layer.split("_")) + "Feature"
    return type(
        cls_name, (GeoFeatureModelSerializer,), {**attrs, "Meta": meta, "__module__": __name__}
    )


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "t"):
        return True
    if value in ("0", "false", "no", "f"):
        return False
    raise ValidationError(
        {"filter": _("not a boolean: %(text)r (use true or false)") % {"text": text}}
    )


def parse_bbox(text: str) -> Polygon:
    try:
        x0, y0, x1, y1 = (float(v) for v in text.split(","))
    except ValueError:
        raise ValidationError(
            {"bbox": _("bbox must be minx,miny,maxx,maxy in EPSG:4326 (lon/lat)")}
        ) from None
    if not (
        x0 < x1
        and y0 < y1
        and -180 <= x0 <= 180
        and -180 <= x1 <= 180
        and -90 <= y0 <= 90
        and -90 <= y1 <= 90
    ):
        raise ValidationError(
            {"bbox": _("bbox must be minx,miny,maxx,maxy in EPSG:4326 (lon/lat), min < max")}
        )
    return Polygon.from_bbox((x0, y0, x1, y1))


def _filter_reason(field, value, exc: Exception) -> str:
    """Why ``value`` does not fit ``field``, in the request's language like the message around it
    (a lookup's ValueError is Django's untranslated English; the field's own check is
    translated)."""
    if isinstance(exc, DjangoValidationError):
        return " ".join(exc.messages)
    try:
        field.to_python(value)
    except DjangoValidationError as checked:
        return " ".join(checked.messages)
    except (ValueError, TypeError):
        pass
    return str(exc)


def layer_queryset(spec, params, *, user=None) -> models.QuerySet:
    model = spec.model
    fks = [
        n for n in spec.fields if model._meta.get_field(n).is_relation and n in spec.foreign_keys
    ]
    qs = access.readable_rows(
        user, spec, model._default_manager.select_related(*fks).order_by("pk")
    )
    if params.get("bbox"):
        qs = qs.filter(**{f"{spec.geometry_field}__intersects": parse_bbox(params["bbox"])})
    for key, value in params.items():
        if key in RESERVED or key not in spec.fields:
            continue
        f = model._meta.get_field(key)
        if f.is_relation:
            if key not in spec.foreign_keys:
                continue
            lookup = f"{key}__{spec.foreign_keys[key][1]}"
        else:
            lookup = key
            if isinstance(f, models.BooleanField):
                value = _bool(value)
        try:
            qs = qs.filter(**{lookup: value})
        except (ValueError, TypeError, DjangoValidationError) as exc:
            raise ValidationError(
                {
                    key: _("invalid filter value %(value)r: %(reason)s")
                    % {"value": value, "reason": _filter_reason(f, value, exc)}
                }
            ) from None
    return qs


class _LayerApi(BaseApi):
    layer: str = ""
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    def spec(self, request):
        spec = get_layer(self.layer)
        if not access.can_read_layer(request.user, spec):
            self.permission_denied(
                request, message=_("you may not read the layer %(name)r") % {"name": spec.name}
            )
        return spec


class LayerInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    title_vi = serializers.CharField()
    title_en = serializers.CharField()
    geometry_type = serializers.CharField()
    properties = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField()


class LayerIndexApi(BaseApi):
    """The published layers this caller may read."""

    @extend_schema(responses=LayerInfoSerializer(many=True), summary="Published layers")
    def get(self, request):
        out = []
        for spec in CATALOGUE.values():
            if not access.can_read_layer(request.user, spec):
                continue
            ser = feature_serializer(spec.name)
            out.append(
                {
                    "name": spec.name,
                    "title_vi": spec.title_vi,
                    "title_en": spec.title_en,
                    "geometry_type": spec.model._meta.get_field(spec.geometry_field).geom_type,
                    "properties": [n for n in ser.Meta.fields if n != "id"],
                    "url": request.build_absolute_uri(reverse(f"api:layer-{spec.name}")),
                }
            )
        return Response(LayerInfoSerializer(out, many=True).data)


class LayerFeatureListApi(_LayerApi):
    pagination = FeatureCollectionPagination

    def get(self, request):
        spec = self.spec(request)
        qs = layer_queryset(spec, request.query_params, user=request.user)
        paginator = self.pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = feature_serializer(spec.name)(page, many=True).data
        return paginator.get_paginated_response(data)


class LayerFeatureDetailApi(_LayerApi):
    def get(self, request, pk: int):
        spec = self.spec(request)
        obj = layer_queryset(spec, {}, user=request.user).filter(pk=pk).first()
        if obj is None:
            raise NotFound(_("%(layer)s has no feature %(pk)s") % {"layer": spec.name, "pk": pk})
        return Response(feature_serializer(spec.name)(obj).data)


def layer_views(name: str):
    """(list view, detail view) of one catalogue layer, documented with its own serializer."""
    ser = feature_serializer(name)
    spec = get_layer(name)
    params = [
        OpenApiParameter(
            "bbox", OpenApiTypes.STR, description="minx,miny,maxx,maxy (EPSG:4326, lon/lat)"
        ),
        *[
            OpenApiParameter(f, OpenApiTypes.STR, description="equality filter")
            for f in ser.Meta.fields
            if f != "id"
        ],
    ]

    def list_get(self, request):
        return LayerFeatureListApi.get(self, request)

    def detail_get(self, request, pk: int):
        return LayerFeatureDetailApi.get(self, request, pk)

    list_cls = type(
        f"{ser.__name__}ListApi",
        (LayerFeatureListApi,),
        {
            "layer": name,
            "get": extend_schema(
                summary=spec.title,  # lazy: the schema is in the request's language
                parameters=params,
                responses=ser(many=True),
                operation_id=f"layers_{name}_list",
            )(list_get),
        },
    )
    detail_cls = type(
        f"{ser.__name__}DetailApi",
        (LayerFeatureDetailApi,),
        {
            "layer": name,
            "get": extend_schema(
                summary=format_lazy(
                    pgettext_lazy("api schema", "One feature of {title}"), title=spec.title
                ),
                responses=ser,
                operation_id=f"layers_{name}_retrieve",
            )(detail_get),
        },
    )
    return list_cls.as_view(), detail_cls.as_view()
