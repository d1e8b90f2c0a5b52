"""The OpenAPI 3.0 description of /ogc/, generated from the collections the caller may read."""

from __future__ import annotations

from layers.ogcapi import crs as ogc_crs
from layers.ogcapi.cql2 import JSON_TYPES as _JSON_TYPES
from layers.ogcapi.cql2 import LANGUAGES, SCHEMA_JSON
from layers.wfs.schema import FeatureType


def _ok(description: str, *media: str) -> dict:
    return {
        "200": {
            "description": description,
            "content": {m: {"schema": {"type": "object"}} for m in media},
        },
        "400": {"$ref": "#/components/responses/Error"},
    }


def _op(op_id: str, summary: str, responses: dict, params: list | None = None) -> dict:
    return {
        "get": {
            "operationId": op_id,
            "summary": summary,
            "parameters": [{"$ref": "#/components/parameters/f"}, *(params or [])],
            "responses": responses,
        }
    }


def document(base: str, ftypes: list[FeatureType]) -> dict:
    paths = {
        "/": _op("getLandingPage", "Landing page", _ok("links", "application/json", "text/html")),
        "/conformance": _op(
            "getConformance", "Conformance classes", _ok("conformsTo", "application/json")
        ),
        "/api": _op("getAPI", "This document", _ok("OpenAPI", "application/json")),
        "/collections": _op(
            "getCollections", "Collections", _ok("collections", "application/json", "text/html")
        ),
    }
    for ft in ftypes:
        c = f"/collections/{ft.name}"
        not_found = {"404": {"$ref": "#/components/responses/Error"}}
        props = [
            {
                "name": p.name,
                "in": "query",
                "required": False,
                "style": "form",
                "explode": False,
                "schema": _JSON_TYPES.get(p.xs_type, {"type": "string"}),
            }
            for p in ft.props
        ]
        paths[c] = _op(
            f"describeCollection_{ft.name}",
            f"{ft.spec.title_en}",
            {**_ok("collection", "application/json", "text/html"), **not_found},
        )
        paths[f"{c}/items"] = _op(
            f"getFeatures_{ft.name}",
            f"Features of {ft.spec.title_en}",
            {**_ok("features", "application/geo+json", "text/html"), **not_found},
            [
                {"$ref": "#/components/parameters/limit"},
                {"$ref": "#/components/parameters/offset"},
                {"$ref": "#/components/parameters/bbox"},
                {"$ref": "#/components/parameters/datetime"},
                *PARTS_2_3_ITEMS,
                *props,
            ],
        )
        paths[f"{c}/items/{{featureId}}"] = _op(
            f"getFeature_{ft.name}",
            f"One feature of {ft.spec.title_en}",
            {**_ok("feature", "application/geo+json", "text/html"), **not_found},
            [
                {"$ref": "#/components/parameters/featureId"},
                {"$ref": "#/components/parameters/crs"},
            ],
        )
        paths[f"{c}/queryables"] = _op(
            f"getQueryables_{ft.name}",
            f"Queryables of {ft.spec.title_en}",
            {**_ok("queryables (JSON Schema)", SCHEMA_JSON, "text/html"), **not_found},
        )
    paths.update(processes_paths())  # issue 14 proc
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "KCN Planner — OGC API – Features",
            "version": "1.0.0",
            "description": (
                "OGC API – Features – Part 1: Core (GeoJSON, HTML), Part 2: CRS by reference "
                "(crs, bbox-crs, Content-Crs), Part 3: Filtering (filter in CQL2 text or "
                "JSON, filter-crs, queryables)."
            ),
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": {
            "parameters": {
                "f": {
                    "name": "f",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": ["json", "html"]},
                },
                "limit": {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "style": "form",
                    "explode": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 10},
                },
                "offset": {
                    "name": "offset",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 0, "default": 0},
                },
                "bbox": {
                    "name": "bbox",
                    "in": "query",
                    "required": False,
                    "style": "form",
                    "explode": False,
                    "schema": {
                        "type": "array",
                        "oneOf": [
                            {"minItems": 4, "maxItems": 4},
                            {"minItems": 6, "maxItems": 6},
                        ],
                        "items": {"type": "number"},
                    },
                },
                "datetime": {
                    "name": "datetime",
                    "in": "query",
                    "required": False,
                    "style": "form",
                    "explode": False,
                    "schema": {"type": "string"},
                },
                **_parts_2_3_parameters(),
                "featureId": {
                    "name": "featureId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                },
            },
            **PROCESSES_COMPONENTS,  # issue 14 proc
            "responses": {
                **PROCESSES_RESPONSES,  # issue 14 proc
                "Error": {
                    "description": "An error: code and description",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "code": {"type": "string"},
                                    "description": {"type": "string"},
                                },
                            }
                        }
                    },
                },
            },
        },
    }


# --- issue 14 proc: OGC API – Processes – Part 1: Core (layers/ogcapi/processes/) ---------------

_PROBLEM = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "parameter": {"type": "string", "description": "the input or parameter refused"},
    },
}
_STATUS_INFO = {
    "type": "object",
    "required": ["jobID", "status", "type"],
    "properties": {
        "processID": {"type": "string"},
        "type": {"type": "string", "enum": ["process"]},
        "jobID": {"type": "string"},
        "status": {
            "type": "string",
            "enum": ["accepted", "running", "successful", "failed", "dismissed"],
        },
        "message": {"type": "string"},
        "created": {"type": "string", "format": "date-time"},
        "started": {"type": "string", "format": "date-time"},
        "finished": {"type": "string", "format": "date-time"},
        "updated": {"type": "string", "format": "date-time"},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "links": {"type": "array", "items": {"type": "object"}},
    },
}

PROCESSES_RESPONSES = {
    name: {
        "description": description,
        "content": {"application/problem+json": {"schema": _PROBLEM}},
    }
    for name, description in {
        "ProcessProblem": "A problem document (RFC 7807): type, title, status, detail; "
        "a refused input is named in `parameter`",
        "NoSuchProcess": "No such process (type .../no-such-process)",
        "NoSuchJob": "No such job, or not the caller's (type .../no-such-job)",
        "ResultNotReady": "The job has not finished (type .../result-not-ready)",
        "NotAuthenticated": "Executing needs a signed-in user (HTTP Basic, a token, a session)",
        "Forbidden": "Running analyses needs a planning role (Membership)",
    }.items()
}

PROCESSES_COMPONENTS = {
    "securitySchemes": {
        "basicAuth": {"type": "http", "scheme": "basic"},
        "tokenAuth": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` (or `Bearer <key>`), as the REST API",
        },
        "sessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    },
    "schemas": {"statusInfo": _STATUS_INFO, "exception": _PROBLEM},
}

_SECURED = [{"basicAuth": []}, {"tokenAuth": []}, {"sessionAuth": []}]


def _param(name: str, where: str = "query", schema: dict | None = None, **kw) -> dict:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema or {"type": "string"},
        **kw,
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def _json_ok(description: str, schema: dict | None = None) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": schema or {"type": "object"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }


_ARRAY = {"type": "array", "items": {"type": "string"}}
_STATUS_REF = {"$ref": "#/components/schemas/statusInfo"}


def processes_paths() -> dict:
    """The paths of OGC API – Processes (the same for every caller: who may see or run which
    process is answered by the resources themselves)."""
    f = {"$ref": "#/components/parameters/f"}
    process_id = _param("processId", "path")
    job_id = _param("jobId", "path")
    limit = _param("limit", schema={"type": "integer", "minimum": 1, "maximum": 1000})
    offset = _param("offset", schema={"type": "integer", "minimum": 0, "default": 0})
    return {
        "/processes": {
            "get": {
                "operationId": "getProcesses",
                "summary": "Processes: the analyses the caller may see, and echo",
                "parameters": [f, limit, offset],
                "responses": {"200": _json_ok("processList"), "400": _ref("ProcessProblem")},
            }
        },
        "/processes/{processId}": {
            "get": {
                "operationId": "getProcessDescription",
                "summary": "A process: inputs (JSON Schema) and outputs",
                "parameters": [f, process_id],
                "responses": {"200": _json_ok("process"), "404": _ref("NoSuchProcess")},
            }
        },
        "/processes/{processId}/execution": {
            "post": {
                "operationId": "execute",
                "summary": "Execute a process (synchronously, or `Prefer: respond-async`)",
                "parameters": [
                    process_id,
                    _param(
                        "Prefer",
                        "header",
                        description="`respond-async` asks for an asynchronous job",
                    ),
                ],
                "security": _SECURED,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "inputs": {"type": "object"},
                                    "outputs": {"type": "object"},
                                    "response": {
                                        "type": "string",
                                        "enum": ["raw", "document"],
                                        "default": "raw",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "Synchronous results (raw or document); "
                        "`Link: <job>; rel=monitor`",
                        "content": {
                            "application/json": {"schema": {"type": "object"}},
                            "application/geo+json": {"schema": {"type": "object"}},
                            "multipart/related": {"schema": {"type": "string"}},
                            "text/plain": {"schema": {"type": "string"}},
                            "image/png": {"schema": {"type": "string", "format": "binary"}},
                        },
                    },
                    "201": {
                        "description": "Job created (asynchronous); `Location` is the job",
                        "headers": {
                            "Location": {"schema": {"type": "string"}},
                            "Preference-Applied": {"schema": {"type": "string"}},
                        },
                        "content": {"application/json": {"schema": _STATUS_REF}},
                    },
                    "204": {"description": "Outputs by reference, in `Link` headers"},
                    "400": _ref("ProcessProblem"),
                    "401": _ref("NotAuthenticated"),
                    "403": _ref("Forbidden"),
                    "404": _ref("NoSuchProcess"),
                    "500": _ref("ProcessProblem"),
                },
            }
        },
        "/jobs": {
            "get": {
                "operationId": "getJobs",
                "summary": "The caller's jobs (administrators: all)",
                "parameters": [
                    f,
                    _param("processID", schema=_ARRAY, style="form", explode=False),
                    _param("status", schema=_ARRAY, style="form", explode=False),
                    _param("type", schema=_ARRAY, style="form", explode=False),
                    _param("datetime"),
                    _param("minDuration", schema={"type": "integer"}),
                    _param("maxDuration", schema={"type": "integer"}),
                    limit,
                    offset,
                ],
                "security": _SECURED,
                "responses": {"200": _json_ok("jobList"), "400": _ref("ProcessProblem")},
            }
        },
        "/jobs/{jobId}": {
            "get": {
                "operationId": "getStatus",
                "summary": "A job's status and progress",
                "parameters": [f, job_id],
                "security": _SECURED,
                "responses": {"200": _json_ok("statusInfo", _STATUS_REF), "404": _ref("NoSuchJob")},
            },
            "delete": {
                "operationId": "dismiss",
                "summary": "Dismiss a job: a queued one never runs; its results are deleted",
                "parameters": [job_id],
                "security": _SECURED,
                "responses": {
                    "200": {
                        "description": "statusInfo with status dismissed",
                        "content": {"application/json": {"schema": _STATUS_REF}},
                    },
                    "404": _ref("NoSuchJob"),
                    "409": _ref("ProcessProblem"),
                },
            },
        },
        "/jobs/{jobId}/results": {
            "get": {
                "operationId": "getResult",
                "summary": "A job's results, in the form its execute request chose",
                "parameters": [job_id],
                "security": _SECURED,
                "responses": {
                    "200": {"description": "Results (raw or document)"},
                    "204": {"description": "Outputs by reference, in `Link` headers"},
                    "400": _ref("ProcessProblem"),
                    "404": _ref("NoSuchJob"),
                    "409": _ref("ProcessProblem"),
                    "500": _ref("ProcessProblem"),
                },
            }
        },
        "/jobs/{jobId}/results/{outputId}": {
            "get": {
                "operationId": "getResultOutput",
                "summary": "One output of a job (the target of an output sent by reference)",
                "parameters": [job_id, _param("outputId", "path")],
                "security": _SECURED,
                "responses": {
                    "200": {"description": "The output's value"},
                    "404": _ref("NoSuchJob"),
                },
            }
        },
    }


# Parts 2 and 3 (issue 14, q): the items parameters by reference, and their definitions.
PARTS_2_3_ITEMS = [
    {"$ref": f"#/components/parameters/{name}"}
    for name in ("crs", "bbox-crs", "filter", "filter-lang", "filter-crs")
]


def _parts_2_3_parameters() -> dict:
    """/req/crs/fc-crs-definition, fc-bbox-crs-definition (OGC 18-058r1); filter,
    filter-lang, filter-crs as OGC 19-079r2's OpenAPI fragments."""
    crs_list = ogc_crs.supported()

    def crs_param(name: str, description: str) -> dict:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "description": description,
            "schema": {
                "type": "string",
                "format": "uri",
                "enum": crs_list,
                "default": ogc_crs.CRS84,
            },
        }

    return {
        "crs": crs_param("crs", "The CRS of the response geometries, in its axis order."),
        "bbox-crs": crs_param("bbox-crs", "The CRS of bbox, in its axis order."),
        "filter": {
            "name": "filter",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "description": "A CQL2 filter expression on the collection's queryables.",
            "schema": {"type": "string"},
        },
        "filter-lang": {
            "name": "filter-lang",
            "in": "query",
            "required": False,
            "style": "form",
            "schema": {"type": "string", "enum": list(LANGUAGES), "default": LANGUAGES[0]},
        },
        "filter-crs": {
            **crs_param("filter-crs", "The CRS of the filter's geometries."),
            "schema": {"type": "string", "format": "uri-reference", "enum": crs_list},
        },
    }
