"""From source columns to model fields: matching names, converting values, resolving relations."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import numpy as np
from django.apps import apps
from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from layers.catalogue import LayerSpec
from layers.io.doors import COMMAND, Door
from layers.io.errors import LayerImportError
from layers.io.shapefile_names import MAX_LEN, shapefile_names
from planning.models import AdminUnit
from planning.numbers import active_lang, number

# A value the file leaves empty: the model default applies on create, the stored value stays on
# update. (Nullable fields take None instead, and text fields "".)
NOT_GIVEN = object()

_TRUE = {"1", "t", "true", "y", "yes", "x", "có", "co"}
_FALSE = {"0", "f", "false", "n", "no", "không", "khong"}
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# GDAL writes date-times into text fields as 2024/03/01 13:20:31.206.
_GDAL_SLASHED = re.compile(r"^(\d{4})/(\d{2})/(\d{2})")


@dataclass(frozen=True)
class Column:
    source: str  # column name in the file
    target: str  # model field name
    field: models.Field
    related: tuple | None = None  # (model, lookup field name) for a foreign key


@dataclass
class ColumnPlan:
    columns: list[Column]
    notices: list[str]

    def target(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.target == name), None)


def importable_targets(spec: LayerSpec, *, extra: tuple[str, ...] = ()) -> list[str]:
    """Model fields a file may set: published and importable fields, relations and the key."""
    # The key may name several fields ("admin_unit,map_sheet,parcel_no"): each is a target. The
    # primary key ("id", the key of layers without a natural one) is read only to find the row
    # of an upsert (``extra``), never written.
    pk = spec.model._meta.pk.name
    names = [
        *spec.fields,
        *spec.importable_fields,
        *spec.foreign_keys,
        *(k for k in spec.key_fields if k != pk),
        *extra,
    ]
    seen: dict[str, None] = {}
    for name in names:
        if name and name != spec.geometry_field:
            seen.setdefault(name, None)
    return list(seen)


def plan_columns(
    spec: LayerSpec,
    source_columns,
    mapping: dict[str, str] | None = None,
    *,
    extra: tuple[str, ...] = (),
    door: Door = COMMAND,
) -> ColumnPlan:
    """Match source columns to model fields (case-insensitively); ``mapping`` renames src → dst.

    Messages (errors and the plan's notices) are in the active language and name options the way
    ``door`` does.
    """
    model = spec.model
    targets = importable_targets(spec, extra=extra)
    fields: dict[str, models.Field] = {}
    for name in targets:
        try:
            fields[name] = model._meta.get_field(name)
        except FieldDoesNotExist:
            raise LayerImportError(
                _("layer %(layer)s lists %(field)s, which %(model)s does not have")
                % {"layer": repr(spec.name), "field": repr(name), "model": model.__name__}
            ) from None
    by_lower = {t.lower(): t for t in targets}
    columns_by_lower: dict[str, str] = {}
    for col in source_columns:
        columns_by_lower.setdefault(str(col).lower(), str(col))

    chosen: dict[str, str] = {}  # source column -> target
    notices: list[str] = []
    for src, dst in (mapping or {}).items():
        given = door.given("map", f"{src}={dst}")
        col = columns_by_lower.get(src.lower())
        if col is None:
            raise LayerImportError(
                _("%(map)s: the file has no field %(src)s; its fields: %(fields)s")
                % {
                    "map": given,
                    "src": repr(src),
                    "fields": ", ".join(map(str, source_columns)) or _("none"),
                }
            )
        target = by_lower.get(dst.lower())
        if target is None:
            raise LayerImportError(
                _(
                    "%(map)s: %(dst)s is not an importable field of layer %(layer)s; importable: "
                    "%(fields)s"
                )
                % {
                    "map": given,
                    "dst": repr(dst),
                    "layer": repr(spec.name),
                    "fields": ", ".join(t for t in targets if fields[t].editable),
                }
            )
        if not fields[target].editable:
            raise LayerImportError(
                _("%(map)s: %(field)s is computed and cannot be imported")
                % {"map": given, "field": repr(target)}
            )
        chosen[col] = target

    taken = set(chosen.values())
    aliases = {
        short.lower(): name for name, short in shapefile_names(targets).items() if short != name
    }
    unknown, computed, truncated = [], [], []
    for col in map(str, source_columns):
        if col in chosen:
            continue
        low = col.lower()
        target = by_lower.get(low)
        if target is None and low in aliases:
            target = aliases[low]  # an exported Shapefile's abbreviation
        if target is None and len(col) == MAX_LEN:
            # Another tool's Shapefile: GDAL cut the name to 10 characters.
            matches = [t for t in targets if t.lower().startswith(low)]
            if len(matches) == 1:
                target = matches[0]
                truncated.append(f"{col} → {target}")
        if target is None:
            unknown.append(col)
            continue
        if not fields[target].editable:
            computed.append(col)
            continue
        if target in taken:
            other = next(c for c, t in chosen.items() if t == target)
            values = {"a": repr(other), "b": repr(col), "target": repr(target)}
            if door.has("map"):
                raise LayerImportError(
                    _("the fields %(a)s and %(b)s both match %(target)s; rename one with %(map)s")
                    % {**values, "map": door.option("map")}
                )
            raise LayerImportError(
                _(
                    "the fields %(a)s and %(b)s both match %(target)s; rename one of them in the "
                    "file"
                )
                % values
            )
        chosen[col] = target
        taken.add(target)

    if truncated:
        notices.append(
            _("matched truncated Shapefile field names: %(names)s")
            % {"names": ", ".join(truncated)}
        )
    if computed:
        notices.append(
            _("computed fields are not read from the file: %(names)s")
            % {"names": ", ".join(computed)}
        )
    if unknown:
        notices.append(
            _("ignored fields not in layer %(layer)s: %(names)s")
            % {"layer": repr(spec.name), "names": ", ".join(unknown)}
        )

    columns = []
    for col, target in chosen.items():
        field = fields[target]
        related = None
        if field.many_to_one:
            if target not in spec.foreign_keys:
                raise LayerImportError(
                    _("layer %(layer)s has no lookup for relation %(field)s")
                    % {"layer": repr(spec.name), "field": repr(target)}
                )
            label, lookup = spec.foreign_keys[target]
            related = (apps.get_model(label), lookup)
        columns.append(Column(col, target, field, related))
    return ColumnPlan(columns, notices)


def plain(value):
    """numpy scalars to Python; NaN, NaT and blank text to None."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        value = value.strip()
        if value == "" or value == "NaT":
            return None
    return value


def figure(value) -> str:
    """A value from a file as text for a message: numbers in the active language's separators
    with the decimals the file gave (``3,5`` in Vietnamese, ``3.5`` in English), text quoted."""
    if isinstance(value, float) and math.isfinite(value):
        text = repr(value)
        if "e" not in text and "E" not in text:
            digits = len(text.partition(".")[2].rstrip("0")) if "." in text else 0
            return number(value, digits)
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value)
    return repr(value)


def model_name(model) -> str:
    """A model as a message names it: its (Vietnamese) verbose name in Vietnamese, its class name
    in English (``đơn vị hành chính``, ``AdminUnit``)."""
    if active_lang() == "en":
        return model.__name__
    return str(model._meta.verbose_name)


def _choice(field: models.Field, value):
    """Accept a choice's value or its label in any of the service's languages, in any case (a
    Vietnamese file imported from an English page still reads "Đang hoạt động")."""
    if not field.choices or value is None:
        return value
    text = str(value).strip().lower()
    for key, _label in field.flatchoices:
        if text == str(key).lower():
            return key
    for lang, _name in settings.LANGUAGES:
        with translation.override(lang):
            for key, label in field.flatchoices:
                if text == str(label).lower():
                    return key
    return value


def convert(field: models.Field, raw):
    """A file value as the model field's Python value; ``NOT_GIVEN`` when the file leaves it empty.

    Raises ValidationError with the reason (Django's messages, in the active language).
    """
    value = plain(raw)
    if value is None:
        if field.null:
            return None
        if isinstance(field, (models.CharField, models.TextField)):
            return ""
        return NOT_GIVEN
    if isinstance(field, (models.CharField, models.TextField)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a code stored as a number in a Shapefile: 21907.0 -> "21907"
        return _choice(field, field.to_python(str(value)))
    if isinstance(field, models.BooleanField):
        if isinstance(value, str):
            low = value.lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
        return field.to_python(value)
    if isinstance(field, models.DecimalField):
        if isinstance(value, float):
            # Binary floats (GPKG REAL, Shapefile N) carry noise like 0.30000000000000004; the
            # model's decimal places are the real precision, so round to them.
            step = Decimal(1).scaleb(-field.decimal_places)
            try:
                return Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_EVEN)
            except InvalidOperation:
                raise ValidationError(
                    _("%(value)s is not a valid number") % {"value": figure(value)}
                ) from None
        return field.to_python(value)
    if isinstance(field, (models.IntegerField,)):
        if isinstance(value, float):
            if not value.is_integer():
                raise ValidationError(
                    _("expected a whole number, got %(value)s") % {"value": figure(value)}
                )
            value = int(value)
        return field.to_python(value)
    if isinstance(value, str) and isinstance(field, models.DateField):
        value = _GDAL_SLASHED.sub(r"\1-\2-\3", value)
    if isinstance(field, models.DateTimeField):
        parsed = field.to_python(value)
        if isinstance(parsed, dt.datetime) and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)  # in the service's zone (Asia/Ho_Chi_Minh)
        return parsed
    if isinstance(field, models.DateField):
        if isinstance(value, str):
            m = _ISO_DATETIME.match(value)
            if m:
                value = m.group(1)
            else:
                m = _DMY.match(value)
                if m:
                    # Vietnamese documents write dates day/month/year.
                    day, month, year = map(int, m.groups())
                    try:
                        return dt.date(year, month, day)
                    except ValueError:
                        raise ValidationError(
                            _("%(value)s is not a valid date") % {"value": repr(value)}
                        ) from None
        return field.to_python(value)
    return field.to_python(value)


class RelationResolver:
    """Turns a file's value (a code, a name) into the related row, with a cache per import."""

    def __init__(self):
        self._cache: dict[tuple, models.Model] = {}
        self.today = timezone.localdate()

    def resolve(self, column: Column, raw):
        model, lookup = column.related
        value = plain(raw)
        if value is None:
            return None if column.field.null else NOT_GIVEN
        lookup_field = model._meta.get_field(lookup)
        key = convert(lookup_field, value)
        cache_key = (model, lookup, key)
        if cache_key in self._cache:
            return self._cache[cache_key]
        rows = list(model.objects.filter(**{lookup: key}))
        if not rows and isinstance(key, str):
            rows = list(model.objects.filter(**{f"{lookup}__iexact": key}))
        if not rows:
            raise ValidationError(
                _("no %(model)s with %(lookup)s %(value)s")
                % {"model": model_name(model), "lookup": lookup, "value": repr(key)}
            )
        if len(rows) > 1:
            rows = self._prefer_current(rows)
            if len(rows) > 1:
                raise ValidationError(
                    _("%(n)s %(model)s rows have %(lookup)s %(value)s")
                    % {
                        "n": number(len(rows)),
                        "model": model_name(model),
                        "lookup": lookup,
                        "value": repr(key),
                    }
                )
        self._cache[cache_key] = rows[0]
        return rows[0]

    def _prefer_current(self, rows):
        """Several periods of one code (a unit before and after the 2025 reform): the one valid
        today, else the most recent."""
        if not all(hasattr(r, "valid_from") and hasattr(r, "valid_to") for r in rows):
            return rows
        current = [
            r
            for r in rows
            if r.valid_from <= self.today and (r.valid_to is None or self.today <= r.valid_to)
        ]
        if current:
            return current
        latest = max(r.valid_from for r in rows)
        return [r for r in rows if r.valid_from == latest]


def admin_unit_containing(point, *, today: dt.date | None = None):
    """The most specific AdminUnit whose boundary contains ``point`` (EPSG:4326 GEOS).

    Communes before districts before provinces; within a level, a unit valid ``today`` before a
    former one, then the most recent. None when no unit contains the point.
    """
    units = list(AdminUnit.objects.filter(boundary__contains=point))
    if not units:
        return None
    return min(units, key=unit_rank(today or timezone.localdate()))


def unit_rank(today: dt.date):
    """The sort key of :func:`admin_unit_containing` (the bulk import ranks with it too): the
    lowest key is the most specific unit, valid ``today`` if any, else the most recent."""
    order = {AdminUnit.Level.COMMUNE: 0, AdminUnit.Level.DISTRICT: 1, AdminUnit.Level.PROVINCE: 2}

    def rank(u):
        current = u.valid_from <= today and (u.valid_to is None or today <= u.valid_to)
        return (order.get(u.level, 3), not current, -u.valid_from.toordinal())

    return rank


def needs_admin_unit(model) -> bool:
    try:
        field = model._meta.get_field("admin_unit")
    except FieldDoesNotExist:
        return False
    return field.many_to_one and not field.null


def geometry_field(spec: LayerSpec) -> GeometryField:
    field = spec.model._meta.get_field(spec.geometry_field)
    if not isinstance(field, GeometryField):
        raise LayerImportError(
            _("layer %(layer)s: %(field)s is not a geometry field")
            % {"layer": repr(spec.name), "field": repr(spec.geometry_field)}
        )
    return field
