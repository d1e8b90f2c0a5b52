"""The processes: each analysis (``planning.services.analyses.ANALYSES``) and ``echo``.

A process description is generated from what the analysis declares once for every door
(``AnalysisSpec.parameters``, ``.required``, ``.slow``, ``.input_layers``): each parameter is an
input whose JSON Schema follows its type (:data:`SCHEMAS`); the outputs are the run's results
(``result``, JSON) and, for the analyses whose results are published as a layer, its features
(``sites``, ``connectors``: GeoJSON). Quick analyses execute synchronously or asynchronously,
the slow ones (site suggestion, labour catchment: the REST API's 202 ones) only asynchronously.

Who sees a process: an analysis is listed to whoever may read every layer it is computed from
(the REST API's rule, ``planning.api.analyses.can_read_analysis``, restated here on the same
``access.can_read_layer``: this package sits below planning's doors); ``echo`` to everyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from layers.catalogue import get_layer
from planning import access
from planning.services.analyses import ANALYSES
from planning.services.analyses.registry import AnalysisSpec
from planning.services.analysis_params import Param

VERSION = "1.0.0"
SYNC, ASYNC = "sync-execute", "async-execute"
VALUE, REFERENCE = "value", "reference"
JSON = "application/json"
GEOJSON = "application/geo+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

#: Inputs the OGC door does not take: a stored proposal is checked where its rights are
#: (``POST /api/v1/proposals/<id>/validate/``), as ``POST /api/v1/proposals/check/`` refuses it.
EXCLUDED_INPUTS = {"proposal-check": ("proposal",)}

#: Outputs published as a layer: ``(output id, catalogue layer, title)``.
FEATURE_OUTPUTS = {
    "site-suggestion": ("sites", "suggested_sites"),
    "infrastructure-gaps": ("connectors", "infrastructure_connectors"),
}

#: Analyses whose results hold one row per industrial area (``results["areas"]``, the key naming
#: the area's code): an ``areas`` output joins each row to the area's boundary.
AREA_OUTPUTS = {"efficiency": "code", "eco-readiness": "code", "infrastructure-gaps": "area_id"}

GEOMETRY_TYPES = ["Polygon", "MultiPolygon"]

#: The JSON Schema of a parameter by its type (``planning.services.analysis_params.TYPES``).
SCHEMAS: dict[str, dict] = {
    "province": {"type": "string"},
    "choice": {"type": "string"},
    "choices": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    "integer": {"type": "integer"},
    "year": {"type": "integer", "minimum": 1900, "maximum": 2100},
    "number": {"type": "number"},
    "numbers": {"type": "array", "items": {"type": "number"}, "minItems": 1},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "object": {"type": "object"},
    "weights": {
        "oneOf": [
            {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
            {"type": "string"},
        ]
    },
    "geometry": {
        "oneOf": [
            {
                "type": "object",
                "format": "geojson-geometry",
                "required": ["type"],
                "properties": {"type": {"type": "string", "enum": GEOMETRY_TYPES + ["Feature"]}},
            },
            {"type": "string", "contentMediaType": "text/plain", "description": "WKT or EWKT"},
        ]
    },
    "crs": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
    "admin_unit": {"type": "string"},
    "area": {"type": "string"},
    "proposal": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
    "plan_entry": {"type": "string"},
}


def input_schema(p: Param) -> dict:
    """The JSON Schema of parameter ``p``: its type's, with its accepted values and bounds."""
    schema = dict(SCHEMAS.get(p.type, {"type": "string"}))
    if p.type == "choice" and p.choices:
        schema["enum"] = list(p.choices)
    if p.type == "choices" and p.choices:
        schema["items"] = {"type": "string", "enum": list(p.choices)}
    if p.type in ("integer", "number", "year"):
        if p.minimum is not None:
            schema["minimum"] = p.minimum
        if p.maximum is not None:
            schema["maximum"] = p.maximum
        if p.above is not None:  # the OpenAPI 3.0 schema object's form (18-062r2 schema.yaml)
            schema["minimum"], schema["exclusiveMinimum"] = p.above, True
    if p.type == "numbers" and p.maximum is not None:
        schema["items"] = {"type": "number", "maximum": p.maximum}
    if p.default is not None:
        schema["default"] = p.default
    return schema


@dataclass(frozen=True)
class Output:
    id: str
    title: str
    schema: dict
    media_type: str = JSON


@dataclass(frozen=True)
class Process:
    """One process: an analysis (``spec``) or the echo process (``spec`` None)."""

    id: str
    title: str
    description: str
    inputs: dict
    outputs: tuple[Output, ...]
    job_control: tuple[str, ...]
    spec: AnalysisSpec | None = None
    keywords: tuple[str, ...] = field(default=())

    @property
    def output_ids(self) -> list[str]:
        return [o.id for o in self.outputs]

    def output(self, output_id: str) -> Output | None:
        return next((o for o in self.outputs if o.id == output_id), None)


def _analysis_inputs(spec: AnalysisSpec) -> dict:
    required = set(spec.required[0]) if len(spec.required) == 1 else set()
    excluded = EXCLUDED_INPUTS.get(spec.name, ())
    inputs = {}
    for p in spec.parameters:
        if p.name in excluded:
            continue
        inputs[p.name] = {
            "title": p.name,
            "description": str(p.help) or p.describe(),
            "schema": input_schema(p),
            "minOccurs": 1 if p.name in required else 0,
            "maxOccurs": 1,
        }
    if len(spec.required) > 1:  # alternatives (proposal check: geometry and admin_unit)
        alternatives = [a for a in spec.required if not set(a) & set(excluded)]
        for name in alternatives[0] if len(alternatives) == 1 else ():
            if name in inputs:
                inputs[name]["minOccurs"] = 1
    return inputs


def _analysis_outputs(spec: AnalysisSpec) -> tuple[Output, ...]:
    outputs = [
        Output(
            "result",
            _("Results of the run (as stored, texts in the language of the request)"),
            {"type": "object", "contentMediaType": JSON},
        )
    ]
    if spec.name in FEATURE_OUTPUTS:
        output_id, layer = FEATURE_OUTPUTS[spec.name]
        outputs.append(
            Output(
                output_id,
                str(get_layer(layer).title),
                {"type": "object", "format": "geojson-feature-collection"},
                GEOJSON,
            )
        )
    if spec.name in AREA_OUTPUTS:
        outputs.append(
            Output(
                "areas",
                _("The results of each park or cluster on its boundary"),
                {"type": "object", "format": "geojson-feature-collection"},
                GEOJSON,
            )
        )
    return tuple(outputs)


def analysis_process(spec: AnalysisSpec) -> Process:
    return Process(
        id=spec.name,
        title=str(spec.title),
        description=_(
            "The analysis %(name)s, run and stored as the Jobs tab and POST /api/v1/analyses/ run "
            "it (an analysis run on the same task queue)."
        )
        % {"name": spec.name},
        inputs=_analysis_inputs(spec),
        outputs=_analysis_outputs(spec),
        job_control=(ASYNC,) if spec.slow else (SYNC, ASYNC),
        spec=spec,
        keywords=("analysis",),
    )


def can_read_analysis(user, spec: AnalysisSpec) -> bool:
    """Whoever may read every layer the analysis is computed from (the REST API's rule)."""
    return all(access.can_read_layer(user, get_layer(name)) for name in spec.input_layers)


def can_run_analyses(user) -> bool:
    """A signed-in user holding a planning role, or an administrator: the Jobs tab's and
    ``POST /api/v1/analyses/<name>/``'s rule (``planning.api.auth.StaffRole``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    p = access.principal(user)
    return p.is_admin or access.STAFF in p.roles


def processes_for(user) -> list[Process]:
    """The processes ``user`` may see: echo, and the analyses whose inputs they may read."""
    from layers.ogcapi.processes.echo import ECHO  # echo imports this module

    return [ECHO] + [
        analysis_process(spec) for spec in ANALYSES.values() if can_read_analysis(user, spec)
    ]


def process_for(process_id: str, user) -> Process | None:
    """Process ``process_id`` if ``user`` may see it (None: unknown or hidden, both a 404)."""
    return next((p for p in processes_for(user) if p.id == process_id), None)


def summary(p: Process, base: str) -> dict:
    url = f"{base}/processes/{p.id}"
    return {
        "id": p.id,
        "title": p.title,
        "description": p.description,
        "keywords": list(p.keywords),
        "version": VERSION,
        "jobControlOptions": list(p.job_control),
        "outputTransmission": [VALUE, REFERENCE],
        "links": [
            {"rel": "self", "type": JSON, "href": f"{url}?f=json", "title": p.title},
            {"rel": "alternate", "type": "text/html", "href": f"{url}?f=html", "title": p.title},
        ],
    }


def description(p: Process, base: str) -> dict:
    doc = summary(p, base)
    doc["links"].append(
        {
            "rel": "http://www.opengis.net/def/rel/ogc/1.0/execute",
            "type": JSON,
            "href": f"{base}/processes/{p.id}/execution",
            "title": _("Execute"),
        }
    )
    doc["inputs"] = p.inputs
    doc["outputs"] = {
        o.id: {"title": o.title, "schema": {**o.schema, "contentMediaType": o.media_type}}
        for o in p.outputs
    }
    return doc
