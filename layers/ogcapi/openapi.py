"""The OpenAPI 3.0 description of /ogc/, generated from the collections the caller may read."""

from __future__ import annotations

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
                *props,
            ],
        )
        paths[f"{c}/items/{{featureId}}"] = _op(
            f"getFeature_{ft.name}",
            f"One feature of {ft.spec.title_en}",
            {**_ok("feature", "application/geo+json", "text/html"), **not_found},
            [{"$ref": "#/components/parameters/featureId"}],
        )
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "KCN Planner — OGC API – Features",
            "version": "1.0.0",
            "description": "OGC API – Features – Part 1: Core (GeoJSON, HTML), CRS84 only.",
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
