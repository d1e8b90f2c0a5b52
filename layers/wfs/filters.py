"""WFS filters (FES 2.0, OGC Filter 1.0/1.1, CQL text, BBOX, resource ids) into Django Q objects.

pygeofilter 0.4.0 parses; its Django backend (``pygeofilter.backends.django``, the evaluator
behind ``to_filter``) is subclassed here so that every lookup goes through the ORM — never an
SQL string — and only on published properties. Three faults of pygeofilter 0.4.0 are handled:

1. a FES ``gml:Envelope`` in ``urn:ogc:def:crs:EPSG::4326`` is read in the wrong axis order
   (pygml only looks for srsName on the corners): GML geometries are read by ``layers.wfs.gml``
   instead, which honours the srsName spelling (see ``layers.wfs.crs``) and reprojects to
   EPSG:4326;
2. FES ``PropertyIsLike`` wildcards become an exact match (the Django backend only knows '%'):
   the Like node keeps the request's wildCard/singleChar/escapeChar (FES 1.0 ``escape`` too) and
   is evaluated as an anchored regular expression (``__regex`` / ``__iregex``);
3. CQL2 ``S_INTERSECTS(geom, BBOX(...))`` raises NotImplementedError (a ``bbox`` Function node):
   evaluated here as an envelope.

Anything the filter gets wrong — unknown property, unsupported operator, malformed geometry —
raises ``FilterError`` (InvalidParameterValue, HTTP 400).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.contrib.gis.measure import D
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pygeofilter import ast, values
from pygeofilter.backends.django.evaluate import DjangoFilterEvaluator
from pygeofilter.backends.evaluator import handle
from pygeofilter.parsers.fes.v11 import FES11Parser
from pygeofilter.parsers.fes.v20 import FES20Parser

from layers.errors import InvalidParameterValue, OperationParsingFailed
from layers.wfs import crs as crs_mod
from layers.wfs.crs import CRSRef
from layers.wfs.gml import GMLError, is_geometry, read_geometry, to_storage
from layers.wfs.requests import BBox, FilterSpec, property_name, type_name
from layers.wfs.schema import FeatureType, Prop
from layers.xml import attr, local, namespace

NS_FES20 = "http://www.opengis.net/fes/2.0"
NS_OGC = "http://www.opengis.net/ogc"
NS_GML = "http://www.opengis.net/gml"
NS_GML32 = "http://www.opengis.net/gml/3.2"
_GML_NAMESPACES = (
    NS_GML,
    NS_GML32,
    "http://www.opengis.net/gml/3.3/ce",
    "http://www.georss.org/georss",
)
GEOMETRY_PLACEHOLDER = "@geometry"  # BBOX without a property name: the layer's geometry


class FilterError(InvalidParameterValue):
    def __init__(self, message: str, *, locator: str = "FILTER", **kwargs):
        super().__init__(message, locator=locator, **kwargs)


# --- custom AST nodes ----------------------------------------------------------------------------


class ResourceIds(ast.Node):
    """fes:ResourceId / ogc:FeatureId / ogc:GmlObjectId: features by "<typename>.<pk>"."""

    def __init__(self, rids: list[str]):
        self.rids = rids

    def get_template(self) -> str:
        return f"RESOURCEID({', '.join(self.rids)})"


class StorageGeometry:
    """A geometry value already reprojected to EPSG:4326 longitude/latitude (shapely)."""

    def __init__(self, geom):
        self.geom = geom


# --- FES parsing ---------------------------------------------------------------------------------


def _unsupported(self, node, *args):
    raise FilterError(
        _("the filter operator %(operator)s is not supported") % {"operator": local(node.tag)}
    )


def _filter(self, node, *predicates):
    if not predicates:
        raise FilterError(_("an empty Filter"))
    ids = [p for p in predicates if isinstance(p, ResourceIds)]
    if ids and len(ids) == len(predicates):
        return ResourceIds([r for p in ids for r in p.rids])
    if len(predicates) > 1:
        raise FilterError(_("a Filter holds one predicate (combine several with And / Or)"))
    return predicates[0]


def _resource_id(self, node):
    rid = attr(node, "rid") or attr(node, "fid") or attr(node, "id")
    if not rid:
        raise FilterError(_("%(element)s without an identifier") % {"element": local(node.tag)})
    return ResourceIds([rid.strip()])


def _like(self, node, lhs, rhs=None):
    if rhs is None or not isinstance(rhs, str):
        raise FilterError(_("PropertyIsLike needs a property name and a literal pattern"))
    escape = attr(node, "escapeChar") or attr(node, "escape") or "\\"
    return ast.Like(
        lhs=lhs,
        pattern=rhs,
        nocase=(attr(node, "matchCase", "true") or "true").lower() == "false",
        wildcard=attr(node, "wildCard") or "*",
        singlechar=attr(node, "singleChar") or ".",
        escapechar=escape,
        not_=False,
    )


def _bbox(self, node, *args):
    if len(args) == 2:
        lhs, rhs = args
    elif len(args) == 1:
        lhs, rhs = ast.Attribute(GEOMETRY_PLACEHOLDER), args[0]
    else:
        raise FilterError(_("BBOX needs an envelope (and optionally a property name)"))
    # BBOX means "not disjoint", which is "intersects" — and intersects can use a spatial index.
    return ast.GeometryIntersects(lhs, rhs)


def _literal(self, node, *geometries):
    if geometries:
        return geometries[0]
    type_ = (node.get("type") or "").rpartition(":")[2]
    value = node.text or ""
    try:
        if type_ == "boolean":
            return value.strip().lower() in ("true", "1")
        if type_ in (
            "int",
            "integer",
            "long",
            "short",
            "byte",
            "nonNegativeInteger",
            "positiveInteger",
        ):
            return int(value)
        if type_ in ("decimal", "double", "float"):
            return float(value)
    except ValueError:
        raise FilterError(
            _("Literal %(value)s is not a valid %(type)s") % {"value": repr(value), "type": type_}
        ) from None
    return value


def _property(self, node):
    name = (node.text or "").strip()
    if not name:
        raise FilterError(_("an empty property name"))
    return ast.Attribute(name)


def _distance(self, node):
    units = attr(node, "uom") or attr(node, "units")
    try:
        return float((node.text or "").strip()), units or "m"
    except ValueError:
        raise FilterError(
            _("Distance %(value)s is not a number") % {"value": repr(node.text)}
        ) from None


def _is_nil(self, node, lhs, *rest):
    return ast.IsNull(lhs, not_=False)


def _geometry(self, node):
    if local(node.tag) in ("TimeInstant", "TimePeriod", "timePosition"):
        raise FilterError(_("temporal filters are not supported"))
    try:
        geom, crs = read_geometry(node, default_crs=self.default_crs, force_xy=self.force_xy)
        return StorageGeometry(to_storage(geom, crs))
    except GMLError as exc:
        raise FilterError(
            _("cannot read the filter geometry: %(reason)s") % {"reason": exc}
        ) from None


for _f in (_unsupported, _filter, _like, _bbox, _literal, _property, _is_nil):
    _f.subiter = True
for _f in (_resource_id, _distance, _geometry):
    _f.subiter = False


def _parser_class(base, ns: str):
    tag_map = dict(base.tag_map)
    extra = {
        "Filter": _filter,
        "PropertyIsLike": _like,
        "BBOX": _bbox,
        "Literal": _literal,
        "PropertyName": _property,
        "ValueReference": _property,
        "Distance": _distance,
        "PropertyIsNil": _is_nil,
        "ResourceId": _resource_id,
        "FeatureId": _resource_id,
        "GmlObjectId": _resource_id,
        "Function": _unsupported,
        "Add": _unsupported,
        "Sub": _unsupported,
        "Mul": _unsupported,
        "Div": _unsupported,
    }
    for name, func in extra.items():
        tag_map[f"{{{ns}}}{name}"] = func
    cls = type(f"KCN{base.__name__}", (base,), {})
    cls.tag_map = tag_map
    cls.namespace_map = {gml_ns: _geometry for gml_ns in _GML_NAMESPACES}
    return cls


_FES20 = _parser_class(FES20Parser, NS_FES20)
_FES11 = _parser_class(FES11Parser, NS_OGC)


def _normalise_namespaces(element, filter_ns: str):
    """A copy of a filter tree with every FES element in ``filter_ns`` and every geometry in GML.

    Clients put filters in the default namespace, in the WFS namespace (inherited) or in none.
    """
    root = copy.deepcopy(element)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        ns = namespace(el.tag)
        if ns in _GML_NAMESPACES:
            continue
        name = local(el.tag)
        if ns != filter_ns:
            in_gml = any(namespace(a.tag) in _GML_NAMESPACES for a in el.iterancestors())
            if in_gml or is_geometry(el):
                el.tag = f"{{{NS_GML}}}{name}"
            else:
                el.tag = f"{{{filter_ns}}}{name}"
    return root


def parse_fes(
    element, *, default_crs: CRSRef | None = None, version_hint: str = "2.0.0"
) -> ast.Node:
    """An FES 2.0 or OGC Filter 1.0/1.1 element as a pygeofilter AST."""
    ns = namespace(element.tag)
    if ns not in (NS_FES20, NS_OGC):
        ns = NS_FES20 if version_hint.startswith("2") else NS_OGC
    root = _normalise_namespaces(element, ns)
    if local(root.tag) != "Filter":
        raise FilterError(
            _("expected a Filter element, got %(element)s") % {"element": local(root.tag)}
        )
    parser = (_FES20 if ns == NS_FES20 else _FES11)()
    parser.default_crs = crs_mod.for_version(default_crs, version_hint) or crs_mod.STORAGE_XY
    parser.force_xy = crs_mod.lon_lat_only(version_hint)
    try:
        return parser.parse(root)
    except (FilterError, OperationParsingFailed):
        raise
    except Exception as exc:  # pygeofilter raises ValueError, KeyError, TypeError, ...
        raise FilterError(_("cannot read the filter: %(reason)s") % {"reason": exc}) from None


def parse_cql(text: str) -> ast.Node:
    """ECQL (GeoServer's CQL_FILTER), else CQL2 text."""
    from pygeofilter.parsers.cql2_text import parse as parse_cql2
    from pygeofilter.parsers.ecql import parse as parse_ecql

    errors = []
    for parse in (parse_ecql, parse_cql2):
        try:
            node = parse(text)
            break
        except Exception as exc:  # lark's parse errors
            errors.append(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    else:
        raise FilterError(
            _("cannot parse the CQL filter %(filter)s: %(reason)s")
            % {"filter": repr(text), "reason": errors[0]}
        )
    _sql_like_wildcards(node)
    return node


def _sql_like_wildcards(node) -> None:
    """CQL LIKE uses SQL wildcards ('%' and '_'); pygeofilter says '.' for the single character."""
    if isinstance(node, ast.Like):
        node.wildcard, node.singlechar = "%", "_"
    for sub in (node.get_sub_nodes() if isinstance(node, ast.Node) else []) or []:
        if isinstance(sub, list):
            for s in sub:
                _sql_like_wildcards(s)
        else:
            _sql_like_wildcards(sub)


# --- evaluation ----------------------------------------------------------------------------------


class PropertyRef:
    def __init__(self, prop: Prop | None, geometry: str | None = None):
        self.prop = prop
        self.geometry = geometry

    @property
    def path(self) -> str:
        return self.geometry if self.prop is None else self.prop.path


class Lit:
    def __init__(self, value):
        self.value = value


def resolve_property(ftype: FeatureType, name: str, *, locator: str = "FILTER") -> PropertyRef:
    """A published property (or the geometry) by its name; FilterError for anything else."""
    if name == GEOMETRY_PLACEHOLDER:
        return PropertyRef(None, ftype.geometry)
    bare = property_name(name)
    if bare == ftype.geometry:
        return PropertyRef(None, ftype.geometry)
    prop = ftype.prop(bare)
    if prop is None:
        raise FilterError(
            _("%(type)s has no property %(name)s; its properties: %(properties)s")
            % {
                "type": ftype.name,
                "name": repr(bare),
                "properties": ", ".join(ftype.property_names),
            },
            locator=locator,
        )
    return PropertyRef(prop)


_TRUE = {"true", "1", "t", "yes"}
_FALSE = {"false", "0", "f", "no"}
_COMP = {"=": "exact", "<>": None, "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
_INVERT = {"lt": "gt", "lte": "gte", "gt": "lt", "gte": "lte"}
_UNITS = {
    "m": "m",
    "meter": "m",
    "meters": "m",
    "metre": "m",
    "metres": "m",
    "urn:ogc:def:uom:epsg::9001": "m",
    "http://www.opengis.net/def/uom/epsg/0/9001": "m",
    "km": "km",
    "kilometer": "km",
    "kilometers": "km",
    "kilometre": "km",
    "kilometres": "km",
}


def coerce(prop: Prop, value):
    """A literal as the Python value of ``prop``'s field (FilterError if it is not one)."""
    field = prop.field
    if value is None:
        return None
    try:
        if prop.xs_type == "boolean":
            text = str(value).strip().lower()
            if isinstance(value, bool):
                return value
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValidationError(f"{value!r} is not a boolean")
        if prop.is_text:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(value)
        if prop.xs_type == "dateTime":
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                value = dt.datetime.combine(value, dt.time())
            parsed = field.to_python(value if isinstance(value, dt.datetime) else str(value))
            if parsed is not None and timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)
            return parsed
        if prop.xs_type == "date":
            if isinstance(value, dt.datetime):
                return value.date()
            return field.to_python(value if isinstance(value, dt.date) else str(value).strip()[:10])
        if prop.xs_type == "decimal":
            return Decimal(str(value).strip())
        if prop.xs_type == "double":
            return float(value)
        if prop.xs_type in ("int", "long"):
            number = float(value) if isinstance(value, str) and "." in value else value
            if isinstance(number, float):
                if not number.is_integer():
                    raise ValidationError(f"{value!r} is not a whole number")
                number = int(number)
            return int(number)
        return field.to_python(value)
    except (ValidationError, ValueError, TypeError, ArithmeticError):
        raise FilterError(
            _("%(value)s is not a valid value for %(property)s (%(type)s)")
            % {"value": repr(value), "property": prop.name, "type": prop.xs_type}
        ) from None


def like_regex(pattern: str, wildcard: str, singlechar: str, escapechar: str) -> str:
    """A FES/CQL LIKE pattern as an anchored regular expression (Python re and PostgreSQL ARE).

    >>> like_regex("KCN*Hòa", "*", ".", "!")
    '(?s)^KCN.*Hòa$'
    >>> like_regex("a!*b.", "*", ".", "!")
    '(?s)^a\\\\*b.$'
    """
    out, i = [], 0
    while i < len(pattern):
        if escapechar and pattern.startswith(escapechar, i) and i + len(escapechar) < len(pattern):
            out.append(re.escape(pattern[i + len(escapechar)]))
            i += len(escapechar) + 1
        elif wildcard and pattern.startswith(wildcard, i):
            out.append(".*")
            i += len(wildcard)
        elif singlechar and pattern.startswith(singlechar, i):
            out.append(".")
            i += len(singlechar)
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    # (?s): "." also matches newlines, as it does by default in PostgreSQL.
    return "(?s)^" + "".join(out) + "$"


def _geos(geom) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=crs_mod.STORAGE_EPSG)


class WFSFilterEvaluator(DjangoFilterEvaluator):
    """pygeofilter's Django evaluator, restricted to one feature type's published properties."""

    def __init__(
        self, ftype: FeatureType, *, version: str = "2.0.0", default_crs: CRSRef | None = None
    ):
        super().__init__({}, None)
        self.ftype = ftype
        self.version = version
        # The CRS of literal geometries that name none (OGC API Part 3 ``filter-crs``), in its
        # axis order; None: EPSG:4326 longitude/latitude.
        self.default_crs = default_crs

    def adopt(self, node, *sub_args):
        raise FilterError(
            _("the filter element %(element)s is not supported") % {"element": type(node).__name__}
        )

    # values
    @handle(ast.Attribute)
    def attribute(self, node):
        return resolve_property(self.ftype, node.name)

    @handle(*values.LITERALS)
    def literal(self, node):
        return Lit(node)

    @handle(StorageGeometry)
    def storage_geometry(self, node):
        return _geos(node.geom)

    @handle(values.Geometry)
    def geometry(self, node):
        geometry = dict(node.geometry)
        crs_name = (geometry.pop("crs", None) or {}).get("properties", {}).get("name")
        try:
            geom = shapely.geometry.shape(geometry)
            if crs_name:
                crs = crs_mod.parse_crs(crs_name, supported_only=False)
            else:
                crs = self.default_crs or crs_mod.STORAGE_XY
                if not crs.xy:  # latitude first (EPSG:4326 by its URI): to x/y
                    geom = shapely.transform(geom, lambda c: c[:, ::-1])
            return _geos(to_storage(geom, crs))
        except (crs_mod.UnknownCRS, GMLError, ValueError, TypeError) as exc:
            raise FilterError(
                _("cannot read the filter geometry: %(reason)s") % {"reason": exc}
            ) from None

    @handle(values.Envelope)
    def envelope(self, node):
        crs = self.default_crs or crs_mod.STORAGE_XY
        try:
            return _geos(
                to_storage(shapely.box(*_ordered(node.x1, node.y1, node.x2, node.y2, crs)), crs)
            )
        except GMLError as exc:
            raise FilterError(
                _("cannot read the filter geometry: %(reason)s") % {"reason": exc}
            ) from None

    @handle(ast.Function)
    def function(self, node, *args):
        if node.name.lower() == "bbox" and len(args) in (4, 5, 6):
            numbers = [
                a.value for a in args if isinstance(a, Lit) and isinstance(a.value, (int, float))
            ]
            if len(numbers) == 6:  # minx, miny, minz, maxx, maxy, maxz
                numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
            if len(numbers) == 4:
                x0, y0, x1, y1 = numbers
                crs = self.default_crs or crs_mod.STORAGE_XY
                if len(args) == 5 and isinstance(args[4], Lit):
                    crs = self._crs(str(args[4].value))
                return _geos(to_storage(shapely.box(*_ordered(x0, y0, x1, y1, crs)), crs))
        raise FilterError(
            _("the filter function %(function)s is not supported") % {"function": repr(node.name)}
        )

    # predicates
    @handle(ast.Comparison, subclasses=True)
    def comparison(self, node, lhs, rhs):
        comp = _COMP[node.op.value]
        if not isinstance(lhs, PropertyRef):
            lhs, rhs = rhs, lhs
            comp = _INVERT.get(comp, comp)
        prop = self._scalar(lhs)
        if not isinstance(rhs, Lit):
            raise FilterError(_("a comparison needs a property and a literal"))
        value = coerce(prop, rhs.value)
        if value is None:
            return Q(**{f"{prop.path}__isnull": comp == "exact"})
        if comp is None:
            return ~Q(**{prop.path: value})
        return Q(**{f"{prop.path}__{comp}": value})

    @handle(ast.Between)
    def between(self, node, lhs, low, high):
        prop = self._scalar(lhs)
        if not (isinstance(low, Lit) and isinstance(high, Lit)):
            raise FilterError(_("PropertyIsBetween needs literal boundaries"))
        q = Q(**{f"{prop.path}__range": (coerce(prop, low.value), coerce(prop, high.value))})
        return ~q if node.not_ else q

    @handle(ast.Like)
    def like(self, node, lhs):
        prop = self._scalar(lhs)
        if not prop.is_text:
            raise FilterError(
                _("PropertyIsLike needs a text property; %(property)s is %(type)s")
                % {"property": prop.name, "type": prop.xs_type}
            )
        regex = like_regex(str(node.pattern), node.wildcard, node.singlechar, node.escapechar)
        q = Q(**{f"{prop.path}__{'iregex' if node.nocase else 'regex'}": regex})
        return ~q if node.not_ else q

    @handle(ast.In)
    def in_(self, node, lhs, *options):
        prop = self._scalar(lhs)
        if not all(isinstance(o, Lit) for o in options):
            raise FilterError(_("IN needs literal values"))
        q = Q(**{f"{prop.path}__in": [coerce(prop, o.value) for o in options]})
        return ~q if node.not_ else q

    @handle(ast.IsNull)
    def null(self, node, lhs):
        if not isinstance(lhs, PropertyRef):
            raise FilterError(_("PropertyIsNull needs a property name"))
        return Q(**{f"{lhs.path}__isnull": not node.not_})

    @handle(ast.SpatialComparisonPredicate, subclasses=True)
    def spatial_operation(self, node, lhs, rhs):
        op = node.op.name.lower()
        if not isinstance(lhs, PropertyRef):
            lhs, rhs = rhs, lhs
            op = {"within": "contains", "contains": "within"}.get(op, op)
        path = self._geometry(lhs)
        if not isinstance(rhs, GEOSGeometry):
            raise FilterError(
                _("%(operator)s needs a geometry") % {"operator": node.op.name.title()}
            )
        return Q(**{f"{path}__{op}": rhs})

    @handle(ast.Relate)
    def spatial_pattern(self, node, lhs, rhs):
        if not isinstance(lhs, PropertyRef) or not isinstance(rhs, GEOSGeometry):
            raise FilterError(_("RELATE needs a geometry property and a geometry"))
        if not re.fullmatch(r"[012TF*]{9}", node.pattern or ""):
            raise FilterError(
                _("RELATE: %(pattern)s is not a DE-9IM pattern") % {"pattern": repr(node.pattern)}
            )
        return Q(**{f"{self._geometry(lhs)}__relate": (rhs, node.pattern)})

    @handle(ast.SpatialDistancePredicate, subclasses=True)
    def spatial_distance(self, node, lhs, rhs):
        if not isinstance(lhs, PropertyRef):
            lhs, rhs = rhs, lhs
        path = self._geometry(lhs)
        if not isinstance(rhs, GEOSGeometry):
            raise FilterError(_("%(operator)s needs a geometry") % {"operator": node.op.name})
        unit = _UNITS.get(str(node.units or "m").strip().lower())
        if unit is None:
            raise FilterError(
                _("unsupported distance unit %(unit)s; use m or km") % {"unit": repr(node.units)}
            )
        distance = D(**{unit: float(node.distance)})
        lookup = "distance_lte" if node.op.name == "DWITHIN" else "distance_gt"
        return Q(**{f"{path}__{lookup}": (rhs, distance)})

    @handle(ast.BBox)
    def bbox(self, node, lhs):
        path = self._geometry(lhs)
        crs = self._crs(node.crs) if node.crs else (self.default_crs or crs_mod.STORAGE_XY)
        box = shapely.box(*_ordered(node.minx, node.miny, node.maxx, node.maxy, crs))
        return Q(**{f"{path}__intersects": _geos(to_storage(box, crs))})

    @handle(ast.TemporalPredicate, subclasses=True)
    def temporal(self, node, lhs, rhs):
        raise FilterError(_("temporal filters are not supported"))

    @handle(ast.Arithmetic, subclasses=True)
    def arithmetic(self, node, lhs, rhs):
        raise FilterError(_("arithmetic in filters is not supported"))

    @handle(ResourceIds)
    def resource_ids(self, node):
        return resource_ids_q(node.rids, self.ftype)

    # helpers
    def _scalar(self, ref) -> Prop:
        if not isinstance(ref, PropertyRef):
            raise FilterError(_("the predicate needs a property name"))
        if ref.prop is None:
            raise FilterError(
                _("%(property)s is the geometry; use a spatial operator")
                % {"property": ref.geometry}
            )
        return ref.prop

    def _geometry(self, ref) -> str:
        if not isinstance(ref, PropertyRef) or ref.prop is not None:
            name = ref.prop.name if isinstance(ref, PropertyRef) else _("a value")
            raise FilterError(
                _("%(name)s is not a geometry property; the geometry of %(type)s is %(geometry)s")
                % {"name": name, "type": self.ftype.name, "geometry": self.ftype.geometry}
            )
        return ref.geometry

    def _crs(self, name: str) -> CRSRef:
        try:
            return crs_mod.for_version(crs_mod.parse_crs(name, supported_only=False), self.version)
        except crs_mod.UnknownCRS as exc:
            raise FilterError(str(exc)) from None


def _ordered(x0, y0, x1, y1, crs: CRSRef):
    """Box corners sent in ``crs``'s axis order -> (minx, miny, maxx, maxy) in x/y order."""
    if not crs.xy:
        x0, y0, x1, y1 = y0, x0, y1, x1
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


# --- public API ----------------------------------------------------------------------------------


def evaluate(
    node: ast.Node,
    ftype: FeatureType,
    *,
    version: str = "2.0.0",
    default_crs: CRSRef | None = None,
) -> Q:
    """``node`` as a Q on ``ftype``; literal geometries without a CRS of their own are in
    ``default_crs`` (its axis order; None: EPSG:4326 longitude/latitude)."""
    try:
        evaluator = WFSFilterEvaluator(ftype, version=version, default_crs=default_crs)
        result = evaluator.evaluate(node)
    except FilterError:
        raise
    except Exception as exc:  # anything pygeofilter raises on a node it cannot handle
        raise FilterError(_("cannot apply the filter: %(reason)s") % {"reason": exc}) from None
    if not isinstance(result, Q):
        raise FilterError(_("the filter is not a predicate"))
    return result


def filter_q(
    spec: FilterSpec,
    ftype: FeatureType,
    *,
    default_crs: CRSRef | None = None,
    version: str = "2.0.0",
) -> Q:
    if spec.language == "cql":
        return evaluate(parse_cql(spec.text), ftype, version=version)
    return evaluate(
        parse_fes(spec.element, default_crs=default_crs, version_hint=version),
        ftype,
        version=version,
    )


def bbox_q(
    bbox: BBox, ftype: FeatureType, *, default_crs: CRSRef | None = None, version: str = "2.0.0"
) -> Q:
    """KVP BBOX: in its own CRS (5th value), else the query's srsName, else EPSG:4326 lon/lat."""
    crs = crs_mod.for_version(bbox.crs or default_crs, version) or crs_mod.STORAGE_XY
    box = shapely.box(*_ordered(*bbox.coords, crs))
    try:
        geom = to_storage(box, crs)
    except GMLError as exc:
        raise InvalidParameterValue(str(exc), locator="BBOX") from None
    return Q(**{f"{ftype.geometry}__intersects": _geos(geom)})


def resource_ids_q(rids: list[str], ftype: FeatureType) -> Q:
    pks = []
    for rid in rids:
        prefix, _dot, pk = rid.strip().rpartition(".")
        if prefix and type_name(prefix) != ftype.name:
            continue
        try:
            pks.append(int(pk))
        except ValueError:
            continue
    return Q(pk__in=pks)
