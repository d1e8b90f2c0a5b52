"""WFS-T: parse a Transaction document (1.0.0, 1.1.0 or 2.0.0) and apply it all-or-nothing.

QGIS sends WFS-T 1.0.0 documents even on a 2.0 connection and posts them to the same URL, often
with its elements in the default namespace, GML 2 ``gml:coordinates``, a Polygon for a
MultiPolygon column and srsName in any spelling: all of that is accepted here. Elements are
matched by local name. Coordinates in a 1.0.0 document are always read as x/y (lon/lat): QGIS
labels its lon,lat GML 2 with ``urn:ogc:def:crs:EPSG::4326`` (see ``layers.wfs.crs``); in 1.1.0
and 2.0.0 documents the srsName spelling decides.

Every action is checked before anything is written: the layer's edit right
(``access.can_edit_layer``) and, for every inserted, updated or deleted object, the
administrative-unit scope (``access.can_edit_feature``). Then the actions run in document order
inside one ``transaction.atomic()``; any error rolls the whole document back. Writes go through
the model's own validation (``full_clean``: field rules, constraints, SpatialRecord geometry
normalisation) and ``save()``, with ``_history_user`` set so django-simple-history records the user.

Fields the service computes (``editable=False``, e.g. ``area_ha``) and workflow fields (the
layer's ``hooks.protected_fields``: a proposal's status and decision dates) are ignored on
Insert — QGIS sends every attribute back — and refused on Update. The domain's rules for a layer
(``LayerSpec.hooks``, registered in ``PlanningConfig.ready``) run on every insert, update and
delete: new proposals are drafts, proposed by the user, with a generated code when none is given,
and each write lands on the proposal's timeline. A missing ``admin_unit`` is the user's own unit
(when they have exactly one) or else the unit containing the geometry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from layers.catalogue import UnknownLayer
from layers.errors import (
    AccessDenied,
    InvalidParameterValue,
    MissingParameterValue,
    OperationNotSupported,
    OperationParsingFailed,
)
from layers.io.fields import NOT_GIVEN, Column, RelationResolver, admin_unit_containing, convert
from layers.wfs import crs as crs_mod
from layers.wfs.crs import CRSRef
from layers.wfs.filters import filter_q
from layers.wfs.gml import GMLError, read_storage_geometry
from layers.wfs.requests import FilterSpec, property_name, type_name
from layers.wfs.schema import FeatureType, Prop, feature_type
from layers.xml import attr, child, children, local, namespace, text
from planning import access
from planning.analysis.geometry import GeometryRejected
from planning.errors import PlanningError
from planning.models.base import normalise_geometry

_GML_NAMESPACES = ("http://www.opengis.net/gml", "http://www.opengis.net/gml/3.2")
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


# --- parsing -------------------------------------------------------------------------------------


@dataclass
class Insert:
    handle: str | None
    features: list  # feature elements
    srs: CRSRef | None


@dataclass
class Update:
    handle: str | None
    type_name: str
    properties: list[tuple[str, object]]  # (name, value element or None)
    filter: object


@dataclass
class Delete:
    handle: str | None
    type_name: str
    filter: object


@dataclass
class TransactionDocument:
    version: str
    actions: list = field(default_factory=list)


def _srs(value: str | None, locator: str) -> CRSRef | None:
    if not value:
        return None
    try:
        return crs_mod.parse_crs(value, supported_only=False)
    except crs_mod.UnknownCRS as exc:
        raise InvalidParameterValue(str(exc), locator=locator) from None


def _type_of(el, action: str) -> str:
    name = attr(el, "typeName")
    if not name:
        raise MissingParameterValue(
            _("%(action)s needs a typeName") % {"action": action}, locator="typeName"
        )
    return type_name(name)


def _filter_of(el, action: str):
    filt = child(el, "Filter")
    if filt is None:
        message = (
            _(
                "Delete needs a Filter selecting the features (this service refuses to delete "
                "every feature of a layer)"
            )
            if action == "Delete"
            else _(
                "Update needs a Filter selecting the features (this service refuses to update "
                "every feature of a layer)"
            )
        )
        raise MissingParameterValue(message, locator="Filter")
    return filt


def parse_transaction(root, version: str) -> TransactionDocument:
    doc = TransactionDocument(version)
    for el in children(root):
        name = local(el.tag)
        handle = attr(el, "handle")
        if name == "Insert":
            features = children(el)
            if not features:
                raise MissingParameterValue(
                    _("Insert holds no feature"), locator=handle or "Insert"
                )
            doc.actions.append(Insert(handle, features, _srs(attr(el, "srsName"), "srsName")))
        elif name == "Update":
            props = []
            for prop in children(el):
                if local(prop.tag) != "Property":
                    continue
                ref = child(prop, "ValueReference")
                if ref is None:
                    ref = child(prop, "Name")
                if ref is None or not text(ref):
                    raise MissingParameterValue(
                        _("Update/Property needs a Name (ValueReference)"),
                        locator=handle or "Update",
                    )
                props.append((property_name(text(ref)), child(prop, "Value")))
            if not props:
                raise MissingParameterValue(
                    _("Update changes no property"), locator=handle or "Update"
                )
            doc.actions.append(
                Update(handle, _type_of(el, "Update"), props, _filter_of(el, "Update"))
            )
        elif name == "Delete":
            doc.actions.append(Delete(handle, _type_of(el, "Delete"), _filter_of(el, "Delete")))
        elif name in ("Replace", "Native"):
            raise OperationNotSupported(
                _("%(action)s is not supported; use Update") % {"action": name}, locator=name
            )
        elif name == "LockId":
            continue
        else:
            raise OperationParsingFailed(
                _("unknown Transaction action %(action)s") % {"action": repr(name)}, locator=name
            )
    if not doc.actions:
        raise MissingParameterValue(_("the Transaction holds no action"), locator="Transaction")
    return doc


# --- applying ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    inserted: list[tuple[str | None, list[str]]] = field(default_factory=list)
    updated: int = 0
    deleted: int = 0


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        parts = []
        for key, msgs in exc.message_dict.items():
            label = "" if key == NON_FIELD_ERRORS else f"{key}: "
            parts.append(label + " ".join(str(m) for m in msgs))
        return "; ".join(parts)
    return " ".join(str(m) for m in exc.messages)


class _Planner:
    def __init__(self, user, version: str):
        self.user = user
        self.version = version
        self.resolver = RelationResolver()

    # rights
    def editable_type(self, name: str, locator: str) -> FeatureType:
        try:
            ftype = feature_type(name)
        except UnknownLayer:
            raise InvalidParameterValue(
                _("unknown feature type %(name)s") % {"name": repr(name)}, locator=locator
            ) from None
        if not access.can_edit_layer(self.user, ftype.spec):
            raise AccessDenied(
                _("you may not edit the feature type %(name)s") % {"name": repr(name)},
                locator=locator,
            )
        return ftype

    def check_feature(self, ftype: FeatureType, obj, locator: str) -> None:
        if not access.can_edit_feature(self.user, ftype.spec, obj):
            message = (
                _("you may not edit %(feature)s: it lies outside your administrative units")
                % {"feature": f"{ftype.name}.{obj.pk}"}
                if obj.pk
                else _(
                    "you may not edit the new %(type)s feature: it lies outside your "
                    "administrative units"
                )
                % {"type": ftype.name}
            )
            raise AccessDenied(message, locator=locator)

    # values
    def target(self, ftype: FeatureType, name: str, locator: str) -> tuple[str, Prop | None]:
        if name == ftype.geometry:
            return "geometry", None
        prop = ftype.prop(name)
        if prop is None:
            raise InvalidParameterValue(
                _("%(type)s has no property %(name)s; its properties: %(properties)s")
                % {
                    "type": ftype.name,
                    "name": repr(name),
                    "properties": ", ".join(ftype.property_names),
                },
                locator=locator,
            )
        if not prop.model_field.editable:
            return "computed", prop
        if name in ftype.spec.hooks.protected_fields:
            return "protected", prop
        return "value", prop

    def geometry(self, ftype: FeatureType, value_el, default_srs: CRSRef | None, locator: str):
        geom_el = children(value_el)[0] if value_el is not None and children(value_el) else None
        if geom_el is None:
            if ftype.geometry_field.null:
                return None
            raise InvalidParameterValue(
                _("%(property)s needs a GML geometry") % {"property": ftype.geometry},
                locator=locator,
            )
        try:
            shp = read_storage_geometry(
                geom_el,
                default_crs=default_srs or crs_mod.STORAGE_XY,
                force_xy=crs_mod.lon_lat_only(self.version),
            )
            return normalise_geometry(
                shp, ftype.geometry_field.geom_type, srid=crs_mod.STORAGE_EPSG
            )
        except (GMLError, GeometryRejected) as exc:
            raise InvalidParameterValue(f"{ftype.geometry}: {exc}", locator=locator) from None

    def value(self, prop: Prop, value_el, locator: str):
        raw = None
        if value_el is not None and (value_el.get(_XSI_NIL) or "").lower() not in ("true", "1"):
            raw = value_el.text if value_el.text is not None else ""
            if children(value_el):
                raise InvalidParameterValue(
                    _("%(property)s takes a plain value") % {"property": prop.name},
                    locator=locator,
                )
        try:
            if prop.related is not None:
                column = Column(prop.name, prop.model_field.name, prop.model_field, prop.related)
                return self.resolver.resolve(column, raw)
            return convert(prop.model_field, raw)
        except ValidationError as exc:
            raise InvalidParameterValue(f"{prop.name}: {_messages(exc)}", locator=locator) from None

    def assign(self, obj, prop: Prop, value) -> None:
        setattr(obj, prop.model_field.name, value)

    def validate(self, ftype: FeatureType, obj, locator: str) -> None:
        try:
            obj.full_clean()
        except ValidationError as exc:
            raise InvalidParameterValue(
                f"{ftype.name}: {_messages(exc)}", locator=locator
            ) from None

    # actions
    def plan_insert(self, action: Insert, index: int):
        objects = []
        for n, feature in enumerate(action.features, start=1):
            locator = action.handle or f"Insert[{index}]/{local(feature.tag)}[{n}]"
            ftype = self.editable_type(local(feature.tag), locator)
            obj = ftype.model()
            given = set()
            for prop_el in children(feature):
                name = local(prop_el.tag)
                if namespace(prop_el.tag) in _GML_NAMESPACES or name in ("boundedBy",):
                    continue
                kind, prop = self.target(ftype, name, locator)
                if kind == "geometry":
                    setattr(obj, ftype.geometry, self.geometry(ftype, prop_el, action.srs, locator))
                elif kind == "value":
                    value = self.value(prop, prop_el, locator)
                    if value is not NOT_GIVEN:
                        self.assign(obj, prop, value)
                        given.add(name)
                # computed and workflow fields sent back by the client are ignored on insert
            self.fill_defaults(ftype, obj, given)
            self.check_feature(ftype, obj, locator)
            self.validate(ftype, obj, locator)
            objects.append((ftype, obj))
        return ("insert", action.handle, objects)

    def fill_defaults(self, ftype: FeatureType, obj, given: set[str]) -> None:
        model = ftype.model
        fields = {f.name for f in model._meta.get_fields()}
        if "admin_unit" in fields and getattr(obj, "admin_unit_id", None) is None:
            unit = self.default_unit(getattr(obj, ftype.geometry, None))
            if unit is not None:
                obj.admin_unit = unit
        # The domain's rules for a new object (proposals: a draft, proposed by the user for a unit
        # they are staff of, with a DX-<unit>-<year>-<n> code).
        self.hook(ftype.spec.hooks.prepare_insert, obj, locator="Insert")

    def hook(self, check, obj, *, locator: str) -> None:
        """Apply one of the layer's write hooks, as an OGC exception when it refuses."""
        if check is None:
            return
        try:
            check(self.user, obj)
        except PlanningError as exc:
            if exc.http_status == 403:
                raise AccessDenied(exc.message, locator=locator) from None
            raise InvalidParameterValue(exc.message, locator=locator) from None

    def default_unit(self, geom):
        units = {
            m.admin_unit_id: m.admin_unit
            for m in access.principal(self.user).memberships
            if m.admin_unit_id
        }
        if len(units) == 1:
            return next(iter(units.values()))
        if geom is not None:
            return admin_unit_containing(geom.point_on_surface)
        return None

    def select(self, ftype: FeatureType, filter_el, locator: str) -> list:
        q = filter_q(FilterSpec("fes", element=filter_el), ftype, version=self.version)
        objs = list(ftype.model._default_manager.filter(q).order_by("pk"))
        for obj in objs:
            self.check_feature(ftype, obj, locator)
        return objs

    def plan_update(self, action: Update, index: int):
        locator = action.handle or f"Update[{index}]"
        ftype = self.editable_type(action.type_name, locator)
        changes = []
        for name, value_el in action.properties:
            kind, prop = self.target(ftype, name, locator)
            if kind == "computed":
                raise InvalidParameterValue(
                    _("%(property)s is computed by the service and cannot be set")
                    % {"property": name},
                    locator=name,
                )
            if kind == "protected":
                raise InvalidParameterValue(
                    _("%(property)s changes only through the review workflow, not by WFS-T")
                    % {"property": name},
                    locator=name,
                )
            if kind == "geometry":
                changes.append((ftype.geometry, None, self.geometry(ftype, value_el, None, name)))
            else:
                value = self.value(prop, value_el, name)
                if value is NOT_GIVEN:
                    raise InvalidParameterValue(
                        _("%(property)s cannot be empty") % {"property": name}, locator=name
                    )
                changes.append((name, prop, value))
        objs = self.select(ftype, action.filter, locator)
        for obj in objs:
            self.hook(ftype.spec.hooks.check_update, obj, locator=locator)
            for name, prop, value in changes:
                if prop is None:
                    setattr(obj, name, value)
                else:
                    self.assign(obj, prop, value)
            # Moving a feature to another unit needs the right there too.
            self.check_feature(ftype, obj, locator)
            self.validate(ftype, obj, locator)
        return ("update", action.handle, [(ftype, obj) for obj in objs])

    def plan_delete(self, action: Delete, index: int):
        locator = action.handle or f"Delete[{index}]"
        ftype = self.editable_type(action.type_name, locator)
        objs = self.select(ftype, action.filter, locator)
        for obj in objs:
            self.hook(ftype.spec.hooks.check_delete, obj, locator=locator)
        return ("delete", action.handle, [(ftype, obj) for obj in objs])


def _written(user, ftype: FeatureType, obj, *, created: bool) -> None:
    """The layer's after-write hook (proposals: the timeline entry, as for the pages and the
    API)."""
    if ftype.spec.hooks.written is not None:
        ftype.spec.hooks.written(user, obj, created=created, comment="WFS-T")


def apply_transaction(doc: TransactionDocument, user) -> Outcome:
    """Check every action, then apply them all in one database transaction (or none)."""
    planner = _Planner(user, doc.version)
    outcome = Outcome()
    try:
        with transaction.atomic():
            plans = []
            for index, action in enumerate(doc.actions, start=1):
                if isinstance(action, Insert):
                    plans.append(planner.plan_insert(action, index))
                elif isinstance(action, Update):
                    plans.append(planner.plan_update(action, index))
                else:
                    plans.append(planner.plan_delete(action, index))
            # Every right and every value has been checked: now write.
            for kind, handle, objects in plans:
                if kind == "insert":
                    ids = []
                    for ftype, obj in objects:
                        obj._history_user = user
                        obj.save()
                        ids.append(f"{ftype.name}.{obj.pk}")
                        _written(user, ftype, obj, created=True)
                    outcome.inserted.append((handle, ids))
                elif kind == "update":
                    for ftype, obj in objects:
                        obj._history_user = user
                        obj.save()
                        _written(user, ftype, obj, created=False)
                    outcome.updated += len(objects)
                else:
                    for _ftype, obj in objects:
                        obj._history_user = user
                        obj.delete()
                    outcome.deleted += len(objects)
    except (ProtectedError, RestrictedError) as exc:
        raise InvalidParameterValue(
            _("cannot delete: other records still refer to it (%(detail)s)")
            % {"detail": exc.args[0]},
            locator="Delete",
        ) from None
    except ValidationError as exc:
        raise InvalidParameterValue(_messages(exc)) from None
    except IntegrityError as exc:
        raise InvalidParameterValue(
            _("the database refused the change: %(reason)s") % {"reason": exc}
        ) from None
    return outcome
