"""The parameters of the analyses: declared once per analysis, checked once for every door.

Each registered analysis lists its parameters (:class:`Param`: name, type, bounds, accepted
values) in ``AnalysisSpec.parameters`` and the alternatives of what is required in
``AnalysisSpec.required``. :func:`params_validate` checks a caller's keyword arguments against
them before the analysis' own ``prepare`` sees them — whoever the caller: ``manage.py
run_analysis`` and the other analysis commands, ``POST /api/v1/analyses/<name>/``, the live
reports, ``POST /api/v1/proposals/check/``, the map page's Jobs tab (through the API) and the
proposal workflow. Values are converted to what ``prepare`` expects (a province name or code to
the province, ``"2024"`` to 2024, a GeoJSON object or WKT to a valid EPSG:4326 multipolygon, a
proposal id or code to the proposal …).

Every refusal is an :class:`~planning.errors.InvalidParameter` (an unknown province an
:class:`~planning.errors.UnknownProvince`, a geometry that cannot be used an
:class:`InvalidGeometryParameter`) whose message names the parameter in the active language
(gettext: ``Parameter 'admin_unit': …``, in Vietnamese ``Tham số 'admin_unit': …``; the API
activates the request's language) and lists the accepted values where there is a list
(choices, parameter names, close codes); ``details`` carries ``parameter`` and, where known,
``accepted``.

Criteria overrides (:func:`criteria_build`) and site weights (:func:`parse_weights`) are
checked here too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import shapely
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning import models as m
from planning.analysis.geometry import GeometryRejected
from planning.analysis.site_suggestion import SiteWeights
from planning.errors import InvalidParameter, UnknownProvince
from planning.models.base import normalise_geometry
from planning.selectors.admin_units import province_resolve


class InvalidGeometryParameter(InvalidParameter):
    """A ``geometry`` that is not a usable (multi)polygon (API code ``invalid_geometry``)."""

    code = "invalid_geometry"


@dataclass(frozen=True)
class Param:
    """One parameter of an analysis.

    ``type`` is one of :data:`TYPES`. ``choices`` (type ``choice``) are matched without regard to
    case; ``minimum``/``maximum`` are inclusive bounds, ``above`` an exclusive lower bound
    (numbers, integers, lists of numbers). ``excludes``: parameters it cannot be given with.
    ``help`` (lazy gettext, English msgid, context "parameter help") describes it for the API
    schema and the commands' help; ``help_vi``/``help_en`` give it in one language.
    """

    name: str
    type: str
    help: str | Promise = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None
    excludes: tuple[str, ...] = ()
    default: object = None

    def describe(self) -> str:
        """What the parameter must be, in the active language (used in the refusals)."""
        what = str(TYPES[self.type].describe)
        if self.type == "choice":
            what = _("one of: %(choices)s") % {"choices": ", ".join(self.choices)}
        elif self.type == "choices":
            what = _("one or more of: %(choices)s") % {"choices": ", ".join(self.choices)}
        return what + _bounds(self)

    @property
    def help_vi(self) -> str:
        """The help text in Vietnamese, whatever the active language."""
        with translation.override("vi"):
            return str(self.help)

    @property
    def help_en(self) -> str:
        """The help text in English, whatever the active language."""
        with translation.override("en"):
            return str(self.help)


@dataclass(frozen=True)
class ParamType:
    #: What a value of the type is (lazy: in the language active where it is shown).
    describe: str | Promise
    parse: Callable[[Param, object, dict], object] = field(repr=False)


def _fmt(x: float) -> str:
    return f"{x:.10g}"


def _bounds(p: Param) -> str:
    parts = []
    if p.above is not None:
        parts.append(f"> {_fmt(p.above)}")
    if p.minimum is not None:
        parts.append(_(">= %(value)s") % {"value": _fmt(p.minimum)})
    if p.maximum is not None:
        parts.append(_("<= %(value)s") % {"value": _fmt(p.maximum)})
    return f" ({', '.join(parts)})" if parts else ""


def param_error(
    name: str, message: str, *, cls: type[InvalidParameter] = InvalidParameter, **details
) -> InvalidParameter:
    """The refusal of parameter ``name``: ``Parameter 'name': message`` in the active language
    (``message`` already translated: ``_("…")``)."""
    text = _("Parameter '%(name)s': %(message)s") % {"name": name, "message": message}
    return cls(text, details={"parameter": name, **details})


def _shown(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_TYPE_NAMES = {
    bool: gettext_lazy("a boolean"),
    int: gettext_lazy("an integer"),
    float: gettext_lazy("a number"),
    str: gettext_lazy("text"),
    list: gettext_lazy("a list"),
    dict: gettext_lazy("an object"),
}


def _wrong(p: Param, value) -> InvalidParameter:
    got = next(
        (str(name) for t, name in _TYPE_NAMES.items() if type(value) is t),
        type(value).__name__,
    )
    details = {"accepted": list(p.choices)} if p.choices else {}
    return param_error(
        p.name,
        _("must be %(what)s (got %(got)s %(value)s)")
        % {"what": p.describe(), "got": got, "value": _shown(value)},
        **details,
    )


def _check_bounds(p: Param, x: float) -> None:
    if (
        (p.above is not None and not x > p.above)
        or (p.minimum is not None and x < p.minimum)
        or (p.maximum is not None and x > p.maximum)
    ):
        raise param_error(
            p.name,
            _("must be %(what)s (got %(value)s)") % {"what": p.describe(), "value": _fmt(x)},
        )


# ---- parsers by type ---------------------------------------------------------------------------
def _finite(p: Param, item, value) -> float:
    """``item`` as a finite float, else the refusal of the whole ``value``."""
    if isinstance(item, bool) or not isinstance(item, (int, float, str)):
        raise _wrong(p, value)
    try:
        x = float(item)
    except (ValueError, OverflowError):
        raise _wrong(p, value) from None
    if not math.isfinite(x):
        raise _wrong(p, value)
    return x


def _number(p: Param, value, parsed=None) -> float:
    x = _finite(p, value, value)
    _check_bounds(p, x)
    return x


def _integer(p: Param, value, parsed=None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _wrong(p, value)
    if isinstance(value, str):
        if not re.fullmatch(r"\s*[+-]?\d+\s*", value):
            raise _wrong(p, value)
        n = int(value)
    elif isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise _wrong(p, value)
        n = int(value)
    else:
        n = value
    _check_bounds(p, n)
    return n


def _numbers(p: Param, value, parsed=None) -> list[float]:
    if isinstance(value, str):
        items = [v for v in value.split(",") if v.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        items = [value]
    else:
        raise _wrong(p, value)
    if not items:
        raise _wrong(p, value)
    out = []
    for item in items:
        x = _finite(p, item, value)
        _check_bounds(p, x)
        out.append(x)
    return out


_TRUE = {"true", "1", "yes", "y", "on", "có", "co", "đúng"}
_FALSE = {"false", "0", "no", "n", "off", "không", "khong", "sai"}


def _boolean(p: Param, value, parsed=None) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _wrong(p, value)


def _choice(p: Param, value, parsed=None) -> str:
    if not isinstance(value, str):
        raise _wrong(p, value)
    folded = {c.lower(): c for c in p.choices}
    match = folded.get(value.strip().lower())
    if match is None:
        raise param_error(
            p.name,
            _("unknown value %(value)s; accepted: %(accepted)s")
            % {"value": _shown(value), "accepted": ", ".join(p.choices)},
            accepted=list(p.choices),
        )
    return match


def _choices(p: Param, value, parsed=None) -> list[str]:
    """One or more of ``p.choices``: a list, or text separated by commas; kept in the order of
    ``p.choices``, without repeats."""
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",") if v.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise _wrong(p, value)
    if not items:
        raise _wrong(p, value)
    picked = {_choice(p, item) for item in items}
    return [c for c in p.choices if c in picked]


def _date(p: Param, value, parsed=None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _wrong(p, value)


def _year(p: Param, value, parsed=None) -> int:
    q = Param(
        p.name,
        "year",
        minimum=2000 if p.minimum is None else p.minimum,
        maximum=2100 if p.maximum is None else p.maximum,
    )
    return _integer(q, value)


def _object(p: Param, value, parsed=None) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise _wrong(p, value) from None
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise _wrong(p, value)
    return dict(value)


def _weights(p: Param, value, parsed=None):
    if isinstance(value, Mapping) or isinstance(value, str):
        return parse_weights(value, param=p.name)
    raise _wrong(p, value)


def _province(p: Param, value, parsed=None) -> m.AdminUnit:
    if isinstance(value, m.AdminUnit):
        if value.level != m.AdminUnit.Level.PROVINCE:
            raise param_error(
                p.name,
                _("%(name)s is a unit of level %(level)s, not a province")
                % {"name": value.name, "level": value.get_level_display().lower()},
                cls=UnknownProvince,
            )
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _wrong(p, value)
    text = str(value).strip()
    try:
        return province_resolve(text)
    except UnknownProvince as exc:
        known = (exc.details or {}).get("known") or []
        raise param_error(
            p.name,
            _("unknown province %(value)s; known provinces: %(known)s")
            % {"value": repr(text), "known": ", ".join(known)},
            cls=UnknownProvince,
            accepted=known,
        ) from None


def _close(text: str, candidates: list[str], n: int = 5) -> list[str]:
    return difflib.get_close_matches(text, candidates, n=n, cutoff=0.6)


def _unknown(
    p: Param, message: str, near: list[str], everything: list[str] | None = None
) -> InvalidParameter:
    """An unknown code (``message``, translated): the close matches, or every accepted value
    when there are few."""
    if near:
        return param_error(
            p.name,
            _("%(message)s; close matches: %(listed)s")
            % {"message": message, "listed": ", ".join(near)},
            accepted=near,
        )
    if everything is not None and len(everything) <= 20:
        return param_error(
            p.name,
            _("%(message)s; known: %(listed)s")
            % {"message": message, "listed": ", ".join(everything) or "—"},
            accepted=list(everything),
        )
    return param_error(p.name, message)


def _admin_unit(p: Param, value, parsed=None) -> m.AdminUnit:
    """A unit by code (the newest period of a code), else by id; like the proposal workflow."""
    if isinstance(value, m.AdminUnit):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _wrong(p, value)
    text = str(value).strip()
    unit = m.AdminUnit.objects.filter(code=text).order_by("-valid_from").first() if text else None
    if unit is None and text.isdigit():
        unit = m.AdminUnit.objects.filter(pk=int(text)).first()
    if unit is None:
        rows = list(m.AdminUnit.objects.values_list("code", "name"))
        by_name = {name.lower(): (code, name) for code, name in rows}
        near = _close(text, [c for c, _ in rows]) or [
            "{} ({})".format(*by_name[n]) for n in _close(text.lower(), list(by_name))
        ]
        raise _unknown(
            p,
            _("unknown administrative unit code %(value)s") % {"value": repr(text)},
            near,
            [c for c, _ in rows],
        )
    return unit


def _area(p: Param, value, parsed=None) -> m.IndustrialArea:
    if isinstance(value, m.IndustrialArea):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _wrong(p, value)
    text = str(value).strip()
    area = m.IndustrialArea.objects.filter(code=text).first()
    if area is None:
        codes = sorted(m.IndustrialArea.objects.values_list("code", flat=True))
        raise _unknown(
            p,
            _("unknown industrial area code %(value)s") % {"value": repr(text)},
            _close(text.upper(), codes),
            codes,
        )
    return area


def _proposal(p: Param, value, parsed=None) -> m.Proposal:
    if isinstance(value, m.Proposal):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _wrong(p, value)
    text = str(value).strip()
    qs = m.Proposal.objects.select_related("admin_unit")
    proposal = qs.filter(pk=int(text)).first() if text.isdigit() and len(text) < 18 else None
    proposal = proposal or qs.filter(code=text).first()
    if proposal is None:
        codes = sorted(m.Proposal.objects.values_list("code", flat=True))
        raise _unknown(
            p,
            _("no proposal with id or code %(value)s") % {"value": repr(text)},
            _close(text, codes),
            codes,
        )
    return proposal


_EPSG = re.compile(r"^(?:EPSG:{1,2}|crs:EPSG::?|urn:ogc:def:crs:EPSG:[\d.]*:)?(\d{4,5})$", re.I)


def parse_crs(value, name: str = "crs") -> int | None:
    """An EPSG code from ``4326``, ``"EPSG:9217"``, ``"urn:ogc:def:crs:EPSG::9217"`` or a GeoJSON
    2008 ``crs`` member; None when not given."""
    if value in (None, ""):
        return None
    p = Param(name, "crs")
    if isinstance(value, bool):
        raise _wrong(p, value)
    if isinstance(value, int):
        return value
    if isinstance(value, Mapping):  # GeoJSON 2008 "crs" member
        props = value.get("properties")
        value = props.get("name", "") if isinstance(props, Mapping) else ""
    if not isinstance(value, str):
        raise _wrong(p, value)
    match = _EPSG.match(value.strip())
    if not match:
        raise param_error(
            name,
            _("unknown CRS %(value)s; give an EPSG code such as 4326 or EPSG:9217")
            % {"value": _shown(value)},
        )
    return int(match.group(1))


def _crs(p: Param, value, parsed=None) -> int | None:
    return parse_crs(value, p.name)


def geometry_from_value(value, srid: int | None = None, *, name: str = "geometry") -> GEOSGeometry:
    """A GEOS geometry from a GeoJSON geometry or Feature (object or text), WKT, EWKT or HEXEWKB
    text, a GEOS or shapely geometry. Its CRS: ``srid``, else the GeoJSON ``crs`` member or the
    EWKT SRID, else EPSG:4326. Not checked further (see :func:`normalised_polygon`)."""
    p = Param(name, "geometry")
    if isinstance(value, GEOSGeometry):
        if srid and not value.srid:
            value = value.clone()
            value.srid = srid
        return value
    if isinstance(value, shapely.Geometry):
        return GEOSGeometry(memoryview(shapely.to_wkb(value)), srid=srid or 4326)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                raise param_error(
                    name,
                    _("not JSON: %(error)s") % {"error": exc},
                    cls=InvalidGeometryParameter,
                ) from None
        else:
            try:
                geom = GEOSGeometry(text)
            except (ValueError, TypeError, GEOSException, GDALException):
                raise param_error(
                    name,
                    _("not JSON (GeoJSON), WKT or EWKT"),
                    cls=InvalidGeometryParameter,
                ) from None
            if srid or not geom.srid:
                geom.srid = srid or 4326
            return geom
    if not isinstance(value, Mapping):
        raise _wrong(p, value)
    if value.get("type") == "Feature":
        srid = srid or parse_crs(value.get("crs"), "crs")
        value = value.get("geometry") or {}
        if not isinstance(value, Mapping):
            raise _wrong(p, value)
    srid = srid or parse_crs(value.get("crs"), "crs") or 4326
    body = {k: v for k, v in value.items() if k != "crs"}
    try:
        geom = GEOSGeometry(json.dumps(body))
    except (ValueError, TypeError, GEOSException, GDALException) as exc:
        raise param_error(
            name,
            _("not a GeoJSON geometry: %(error)s") % {"error": exc},
            cls=InvalidGeometryParameter,
        ) from None
    geom.srid = srid
    return geom


def normalised_polygon(geom: GEOSGeometry, *, name: str = "geometry") -> GEOSGeometry:
    """``geom`` as a valid EPSG:4326 multipolygon inside the service's extent, or the refusal."""
    try:
        return normalise_geometry(geom, "MULTIPOLYGON")
    except GeometryRejected as exc:
        # The geometry's refusal is already in the active language (planning.models.base).
        raise param_error(
            name,
            _("unusable boundary: %(error)s") % {"error": exc},
            cls=InvalidGeometryParameter,
        ) from None


def _plan_entry(p: Param, value, parsed=None) -> m.PlanEntry:
    """A provincial plan entry by its code (issue 13 plan)."""
    if isinstance(value, m.PlanEntry):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise _wrong(p, value)
    text = value.strip()
    entry = m.PlanEntry.objects.filter(code=text).first()
    if entry is None:
        codes = sorted(m.PlanEntry.objects.values_list("code", flat=True))
        raise _unknown(
            p,
            _("unknown plan entry code %(value)s") % {"value": repr(text)},
            _close(text.upper(), codes),
            codes,
        )
    return entry


def _geometry(p: Param, value, parsed: dict) -> GEOSGeometry:
    geom = geometry_from_value(value, parsed.get("crs"), name=p.name)
    return normalised_polygon(geom, name=p.name)


TYPES: dict[str, ParamType] = {
    "province": ParamType(
        gettext_lazy("a province name or code, e.g. 'Bình Định' or '52'"), _province
    ),
    "choice": ParamType(gettext_lazy("one of the listed values"), _choice),
    "choices": ParamType(
        gettext_lazy('one or more of the listed values, e.g. ["provincial", "district"]'),
        _choices,
    ),
    "integer": ParamType(gettext_lazy("an integer"), _integer),
    "number": ParamType(gettext_lazy("a number"), _number),
    "numbers": ParamType(
        gettext_lazy('a list of numbers, e.g. [5000, 10000] or "5000,10000"'), _numbers
    ),
    "boolean": ParamType(gettext_lazy("true or false"), _boolean),
    "date": ParamType(gettext_lazy("a date YYYY-MM-DD"), _date),
    "year": ParamType(gettext_lazy("a year such as 2024"), _year),
    "object": ParamType(gettext_lazy("a JSON object {name: value}"), _object),
    "weights": ParamType(
        gettext_lazy('weights as {"road": 0.3} or "road=0.3,slope=0.2"'), _weights
    ),
    "geometry": ParamType(
        gettext_lazy("a Polygon/MultiPolygon boundary: a GeoJSON object (or Feature), WKT or EWKT"),
        _geometry,
    ),
    "crs": ParamType(gettext_lazy("an EPSG code such as 4326 or EPSG:9217"), _crs),
    "admin_unit": ParamType(
        gettext_lazy("an administrative unit code, e.g. 50705013"), _admin_unit
    ),
    "area": ParamType(gettext_lazy("an industrial area code, e.g. CCN-NHONHOA"), _area),
    "proposal": ParamType(gettext_lazy("a proposal id or code"), _proposal),
    # issue 13 plan
    "plan_entry": ParamType(
        gettext_lazy("a provincial plan entry code, e.g. QHST-CCN-NGANAM"), _plan_entry
    ),
}


def _absent(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def params_validate(spec, kwargs: Mapping) -> dict:
    """``kwargs`` checked against ``spec.parameters`` and ``spec.required``, converted.

    Unknown names, missing required parameters, parameters given together that exclude each
    other and values of the wrong type or out of range are refused with
    :class:`InvalidParameter` naming the parameter. ``None`` and blank text count as not given.
    """
    declared = {p.name: p for p in spec.parameters}
    unknown = sorted(set(kwargs) - set(declared), key=str)
    if unknown:
        names = ", ".join(declared) or "—"
        name = str(unknown[0])
        raise param_error(
            name,
            _("unknown parameter of analysis %(analysis)s; accepted: %(names)s")
            % {"analysis": spec.name, "names": names},
            accepted=list(declared),
            unknown=[str(u) for u in unknown],
        )
    given = [p for p in spec.parameters if not _absent(kwargs.get(p.name))]
    given_names = {p.name for p in given}
    for p in given:
        clash = [x for x in p.excludes if x in given_names]
        if clash:
            raise param_error(
                p.name,
                _("cannot be given with '%(other)s'") % {"other": clash[0]},
                excludes=list(p.excludes),
            )
    if spec.required and not any(set(alt) <= given_names for alt in spec.required):
        alt = max(spec.required, key=lambda a: len(set(a) & given_names))
        missing = [n for n in alt if n not in given_names][0]
        others = [a for a in spec.required if a is not alt]
        alternatives = "".join(
            _(" (or give %(names)s)") % {"names": _(" and ").join(repr(n) for n in a)}
            for a in others
        )
        raise param_error(
            missing,
            _("is required: %(what)s") % {"what": declared[missing].describe()} + alternatives,
            required=True,
        )
    out: dict = {}
    for p in given:
        out[p.name] = TYPES[p.type].parse(p, kwargs[p.name], out)
    return out


def params_doc(spec) -> list[dict]:
    """The parameters of ``spec`` as plain data (API schema, help texts)."""
    required = set(spec.required[0]) if len(spec.required) == 1 else set()
    out = []
    for p in spec.parameters:
        with translation.override("vi"):
            vi = p.describe()
        with translation.override("en"):
            en = p.describe()
        out.append(
            {
                "name": p.name,
                "type": p.type,
                "required": p.name in required,
                "choices": list(p.choices),
                "help_vi": p.help_vi or vi,
                "help_en": p.help_en or en,
                "default": p.default,
                "minimum": p.minimum,
                "maximum": p.maximum,
                "above": p.above,
            }
        )
    return out


# ---- criteria overrides and weights -------------------------------------------------------------
def _tuples(value):
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def criteria_build(cls, overrides: Mapping | None = None, *, param: str = "criteria", **base):
    """A frozen criteria dataclass from ``base`` values updated by JSON-like ``overrides``.

    Nested criteria (``weights``, ``area_limits`` …) accept a mapping of their own fields; lists
    become tuples. Unknown names raise :class:`InvalidParameter` naming the parameter ``param``
    the overrides came in and listing the known names; values out of range raise the analysis'
    own ``CriteriaError``.
    """
    if overrides is not None and not isinstance(overrides, Mapping):
        raise param_error(
            param,
            _("%(cls)s overrides must be an object of name: value") % {"cls": cls.__name__},
        )
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = dict(base)
    values.update(overrides or {})
    unknown = sorted(set(values) - set(fields), key=str)
    if unknown:
        raise param_error(
            param,
            _("unknown %(cls)s parameter(s) %(unknown)s; known: %(known)s")
            % {
                "cls": cls.__name__,
                "unknown": ", ".join(map(str, unknown)),
                "known": ", ".join(sorted(fields)),
            },
            unknown=[str(u) for u in unknown],
            known=sorted(fields),
            accepted=sorted(fields),
        )
    kwargs = {}
    for name, value in values.items():
        f = fields[name]
        if isinstance(value, Mapping) and f.default_factory is not dataclasses.MISSING:
            nested = f.default_factory()
            if dataclasses.is_dataclass(nested):
                value = criteria_build(type(nested), value, param=f"{param}.{name}")
        kwargs[name] = _tuples(value)
    try:
        return cls(**kwargs)
    except (TypeError, AttributeError) as exc:  # a wrong type compared or used in __post_init__
        raise param_error(
            param,
            _("invalid %(cls)s parameters: %(error)s") % {"cls": cls.__name__, "error": exc},
        ) from None


def parse_weights(text: str | Mapping | None, *, param: str = "weights") -> dict[str, float]:
    """``"road=0.3,slope=0.2"`` (or a mapping) → ``{"road": 0.3, "slope": 0.2}``, names checked;
    refusals name the parameter ``param``."""
    if text is None or text == "":
        return {}
    known = SiteWeights.names()
    if isinstance(text, Mapping):
        items = list(text.items())
    else:
        items = []
        for part in str(text).split(","):
            name, sep, value = part.partition("=")
            if not sep:
                raise param_error(
                    param,
                    _("weights must look like road=0.3,slope=0.2 (got %(value)s)")
                    % {"value": repr(part.strip())},
                )
            items.append((name.strip(), value.strip()))
    out = {}
    for name, value in items:
        if name not in known:
            raise param_error(
                param,
                _("unknown weight %(name)s; known weights: %(known)s")
                % {"name": repr(name), "known": ", ".join(known)},
                known=list(known),
                accepted=list(known),
            )
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            raise param_error(
                param,
                _("weight %(name)s must be a number (got %(value)s)")
                % {"name": name, "value": repr(value)},
            ) from None
        if not math.isfinite(number) or number < 0:
            raise param_error(
                param,
                _("weight %(name)s must be a finite number >= 0 (got %(value)s)")
                % {"name": name, "value": repr(value)},
            )
        out[name] = number
    return out
