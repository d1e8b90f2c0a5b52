"""What the WFS publishes of each catalogue layer: properties, their XML Schema types, ORM paths.

Built from ``layers.catalogue`` and the models' metadata (no queries). Only the catalogue's
``fields`` are published; relations are published by natural key (``admin_unit`` -> its code).
Personal data (``importable_fields`` such as a parcel holder's name) is never a property here, so
it can be neither read nor filtered on.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.db import models

from layers.catalogue import CATALOGUE, LayerSpec, get_layer

NAMESPACE = "http://kcn-planner.vn/kcn"
PREFIX = "kcn"

GEOMETRY_KINDS = {
    "POINT": "Point",
    "MULTIPOINT": "MultiPoint",
    "LINESTRING": "LineString",
    "MULTILINESTRING": "MultiLineString",
    "POLYGON": "Polygon",
    "MULTIPOLYGON": "MultiPolygon",
    "GEOMETRY": "Geometry",
}


def xs_type(field: models.Field) -> str:
    if isinstance(field, models.BooleanField):
        return "boolean"
    if isinstance(field, models.DateTimeField):
        return "dateTime"
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.DecimalField):
        return "decimal"
    if isinstance(field, models.FloatField):
        return "double"
    if isinstance(field, (models.BigIntegerField, models.BigAutoField)):
        return "long"
    if isinstance(field, (models.IntegerField, models.AutoField)):
        return "int"
    return "string"


@dataclass(frozen=True)
class Prop:
    """One published (non-geometry) property."""

    name: str  # the published name (element name, filter name)
    path: str  # ORM lookup path: "name", "admin_unit__code"
    field: models.Field  # the field whose values it carries (the natural key for relations)
    model_field: models.Field  # the model's own field ("admin_unit" FK for a relation)
    xs_type: str
    related: tuple | None = None  # (related model, lookup field name) for relations

    @property
    def is_text(self) -> bool:
        return isinstance(self.field, (models.CharField, models.TextField))

    @property
    def nullable(self) -> bool:
        return bool(self.model_field.null or self.xs_type == "string")


@dataclass(frozen=True)
class FeatureType:
    spec: LayerSpec
    props: tuple[Prop, ...]
    geometry: str  # geometry field name (= its property name)
    geometry_kind: str  # "MultiPolygon", "MultiLineString", "Point", ...
    geometry_field: GeometryField

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def qname(self) -> str:
        return f"{PREFIX}:{self.spec.name}"

    @property
    def model(self):
        return self.spec.model

    def prop(self, name: str) -> Prop | None:
        for p in self.props:
            if p.name == name:
                return p
        return None

    @property
    def property_names(self) -> list[str]:
        return [p.name for p in self.props] + [self.geometry]


def _build(spec: LayerSpec) -> FeatureType:
    model = spec.model
    props = []
    for name in spec.fields:
        field = model._meta.get_field(name)
        if isinstance(field, GeometryField):
            continue
        if field.many_to_one or field.one_to_one:
            if name not in spec.foreign_keys:
                continue  # a relation without a natural key is not publishable
            label, lookup = spec.foreign_keys[name]
            rel_model = apps.get_model(label)
            key_field = rel_model._meta.get_field(lookup)
            props.append(
                Prop(
                    name,
                    f"{name}__{lookup}",
                    key_field,
                    field,
                    xs_type(key_field),
                    (rel_model, lookup),
                )
            )
        else:
            props.append(Prop(name, name, field, field, xs_type(field)))
    geom_field = model._meta.get_field(spec.geometry_field)
    kind = GEOMETRY_KINDS.get(geom_field.geom_type.upper(), "Geometry")
    return FeatureType(spec, tuple(props), spec.geometry_field, kind, geom_field)


@cache
def feature_type(name: str) -> FeatureType:
    """The feature type of catalogue layer ``name``; catalogue.UnknownLayer if there is none."""
    return _build(get_layer(name))


def all_feature_types() -> list[FeatureType]:
    return [feature_type(name) for name in CATALOGUE]
