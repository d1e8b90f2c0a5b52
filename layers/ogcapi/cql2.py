"""OGC API – Features – Part 3: Filtering (OGC 19-079r2) with CQL2 (OGC 21-065r2), and
queryables.

Parsing is pygeofilter's (0.4.0: ``parsers.cql2_text``, ``parsers.cql2_json``); evaluation is
the WFS's (``layers.wfs.filters.evaluate``: pygeofilter's Django evaluator restricted to the
published properties, every lookup through the ORM) with its fixes, so a filter means the same
through ``CQL_FILTER``, FES and ``filter``. Three more faults of pygeofilter 0.4.0 are handled
here:

1. CQL2 ``LIKE`` has ``_`` as its single-character wildcard; both parsers set ``.``
   (``filters._sql_like_wildcards`` fixes it, as for the WFS's CQL);
2. the CQL2 JSON parser reads ``between`` in a pre-release form (``[prop, [low, high]]``): the
   standard's ``[prop, low, high]`` is rewritten to it;
3. its CQL2 text grammar wants identifiers of two characters or more and lacks ``CASEI`` and
   the temporal functions: a text the CQL2 grammar refuses is tried as ECQL (which the WFS
   takes too) before the CQL2 syntax error is reported, with its line and column
   (/req/features-filter/response E: a 400).

Queryables are the collection's published properties and its geometry (the WFS's
``FeatureType``: personal data is never a property), ``additionalProperties: false``: a filter
on any other name is a 400 naming it (/req/queryables/get-queryables-response G).
"""

from __future__ import annotations

import json

from django.db.models import Q
from django.utils.translation import gettext as _
from pygeofilter import ast

from layers.ogcapi import crs as ogc_crs
from layers.wfs import filters
from layers.wfs.crs import CRSRef
from layers.wfs.schema import FeatureType

TEXT, JSON = "cql2-text", "cql2-json"
LANGUAGES = (TEXT, JSON)
PARAMS = ("filter", "filter-lang", "filter-crs", "crs", "bbox-crs")  # on items
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
SCHEMA_JSON = "application/schema+json"

JSON_TYPES = {
    "boolean": {"type": "boolean"},
    "int": {"type": "integer"},
    "long": {"type": "integer"},
    "double": {"type": "number"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "dateTime": {"type": "string", "format": "date-time"},
    "string": {"type": "string"},
}


class FilterProblem(ValueError):
    """A 400 for ``filter``/``filter-lang``/``filter-crs``; ``position`` = (line, column)."""

    def __init__(self, description: str, position: tuple[int, int] | None = None):
        super().__init__(description)
        self.description, self.position = description, position


# --- parsing -------------------------------------------------------------------------------------


def _position(exc, text: str) -> tuple[int, int] | None:
    """(line, column), 1-based, of a lark error in ``text``: from the character offset, so
    that the positions are the user's own lines (the text is parsed with its line breaks as
    spaces, which pygeofilter's grammar does not skip)."""
    token = getattr(exc, "token", None)
    if getattr(token, "type", None) == "$END":  # lark points at the last token: the end is
        offset = len(text)  # where something is missing
    else:
        offset = getattr(exc, "pos_in_stream", None)
        if offset is None:
            offset = getattr(token, "start_pos", None)
    if not isinstance(offset, int):
        return None
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _reason(exc) -> str:
    """The first line of a lark error, without lark's own position (ours is in the message)."""
    if getattr(getattr(exc, "token", None), "type", None) == "$END":
        return _("the filter ends too early")
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    for cut in (" at line ", ", at line "):
        if cut in text:
            text = text.split(cut)[0]
    return text.rstrip(",.")


def parse_text(text: str) -> ast.Node:
    from pygeofilter.parsers.cql2_text import parse as parse_cql2
    from pygeofilter.parsers.ecql import parse as parse_ecql

    flat = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")  # same offsets
    try:
        return parse_cql2(flat)
    except Exception as exc:  # lark's UnexpectedInput, VisitError, ...
        first = exc
    try:
        return parse_ecql(flat)
    except Exception:  # noqa: BLE001 - the CQL2 error is the one to report
        pass
    position = _position(first, text)
    if position:
        description = _(
            "filter: CQL2 syntax error at line %(line)s, column %(column)s: %(reason)s"
        ) % {"line": position[0], "column": position[1], "reason": _reason(first)}
    else:
        description = _("filter: cannot read the CQL2 text: %(reason)s") % {
            "reason": _reason(first)
        }
    raise FilterProblem(description, position)


def _standard_between(node):
    """CQL2 JSON ``{"op": "between", "args": [p, low, high]}`` -> pygeofilter's ``[p, [low,
    high]]``, everywhere in the tree."""
    if isinstance(node, list):
        return [_standard_between(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _standard_between(v) for k, v in node.items()}
    args = node.get("args")
    if node.get("op") == "between" and isinstance(args, list) and len(args) == 3:
        node["args"] = [args[0], [args[1], args[2]]]
    return node


def parse_json(text: str) -> ast.Node:
    from pygeofilter.parsers.cql2_json import parse as parse_cql2_json

    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FilterProblem(
            _("filter: invalid JSON at line %(line)s, column %(column)s: %(reason)s")
            % {"line": exc.lineno, "column": exc.colno, "reason": exc.msg},
            (exc.lineno, exc.colno),
        ) from None
    try:
        node = parse_cql2_json(_standard_between(doc))
    except Exception as exc:  # ValueError, KeyError, TypeError, IndexError from the walker
        raise FilterProblem(
            _("filter: not a CQL2 JSON expression: %(reason)s") % {"reason": exc or repr(exc)}
        ) from None
    if not isinstance(node, ast.Node):
        raise FilterProblem(_("filter: the CQL2 JSON expression is not a predicate"))
    return node


def parse(text: str, language: str) -> ast.Node:
    node = parse_json(text) if language == JSON else parse_text(text)
    filters._sql_like_wildcards(node)
    return node


# --- parameters ----------------------------------------------------------------------------------


def filter_q(params, ftype: FeatureType) -> Q | None:
    """The ``filter`` of a request (``filter-lang`` default cql2-text, ``filter-crs`` default
    CRS84: /req/filter/filter-lang-param C, /req/filter/filter-crs-wgs84) as a Q; None without
    one. FilterProblem for anything wrong, naming the parameter."""
    language = params.get("filter-lang", TEXT)
    if language not in LANGUAGES:
        raise FilterProblem(
            _("filter-lang: %(lang)s is not supported; use %(supported)s")
            % {"lang": repr(language), "supported": " or ".join(LANGUAGES)}
        )
    default_crs: CRSRef = ogc_crs.DEFAULT
    if "filter-crs" in params:
        try:
            default_crs = ogc_crs.parse(params["filter-crs"], "filter-crs")
        except ogc_crs.UnsupportedCRS as exc:
            raise FilterProblem(str(exc)) from None
    text = params.get("filter")
    if text is None:
        return None
    if not text.strip():
        raise FilterProblem(_("filter: an empty filter"))
    node = parse(text, language)
    try:
        return filters.evaluate(node, ftype, default_crs=default_crs)
    except filters.FilterError as exc:
        raise FilterProblem(_("filter: %(reason)s") % {"reason": exc}) from None


# --- queryables ----------------------------------------------------------------------------------


def queryables(url: str, ftype: FeatureType) -> dict:
    """/req/queryables/get-queryables-response: a JSON Schema (2020-12) of the published
    properties and the geometry."""
    properties: dict[str, dict] = {
        ftype.geometry: {
            "title": str(ftype.geometry_field.verbose_name),
            "format": f"geometry-{ftype.geometry_kind.lower()}",
            "x-ogc-role": "primary-geometry",
        }
    }
    for prop in ftype.props:
        schema = {"title": str(prop.model_field.verbose_name)}
        schema.update(JSON_TYPES.get(prop.xs_type, {"type": "string"}))
        choices = [value for value, _label in (prop.field.choices or [])]
        if choices and prop.related is None:
            schema["enum"] = choices
        if getattr(prop.field, "max_length", None) and prop.is_text:
            schema["maxLength"] = prop.field.max_length
        properties[prop.name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": str(ftype.spec.title),
        "properties": properties,
        "additionalProperties": False,
    }
