"""The OpenAPI 3.0 description of /ogc/, generated from the collections the caller may read."""

from __future__ import annotations

from layers.ogcapi import crs as ogc_crs
from layers.ogcapi.cql2 import LANGUAGES, SCHEMA_JSON
from layers.wfs.schema import FeatureType

_JSON_TYPES = {
    "boolean": {"type": "boolean"},
    "int": {"type": "integer"},
    "long": {"type": "integer"},
    "double": {"type": "number"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "dateTime": {"type": "string", "format": "date-time"},
    "string": {"type": "string"},
}


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
            "responses": {
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
                }
            },
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
