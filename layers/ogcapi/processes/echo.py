"""The ``echo`` process, for conformance testing (OGC 18-062r2, /req/core/test-process): every
input given comes back as the output of the same name with ``Output`` for ``Input``.

Its inputs cover the encodings the abstract tests exercise — a string, a bounded number, an
array, an object, a GeoJSON geometry, a bounding box, a base-64 PNG, a measure — and two
controls: ``pause`` (seconds the job waits before it answers: a running job to watch, or dismiss)
and ``fail`` (the job fails: a failed job's results). Inputs are checked against their JSON
Schema (jsonschema).

An asynchronous echo is a task on the analyses' queue (``echo_task``, run by ``manage.py
run_worker`` like an analysis); its job is the queue's own task result — echo stores nothing of
the domain — and its id is ``echo-<task id>``.
"""

from __future__ import annotations

import base64
import binascii
import time

import jsonschema
from django_tasks import task

from layers.ogcapi.processes.descriptions import ASYNC, CRS84, SYNC, Output, Process

ECHO_ID = "echo"

_GEOMETRY = {
    "type": "object",
    "format": "geojson-geometry",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {
            "type": "string",
            "enum": [
                "Point",
                "MultiPoint",
                "LineString",
                "MultiLineString",
                "Polygon",
                "MultiPolygon",
            ],
        },
        "coordinates": {"type": "array"},
    },
}

_INPUTS = {
    "stringInput": ("A string", {"type": "string", "maxLength": 1000}),
    "doubleInput": (
        "A number from 0 to 10",
        {"type": "number", "format": "double", "minimum": 0, "maximum": 10},
    ),
    "arrayInput": (
        "Two to ten integers",
        {"type": "array", "minItems": 2, "maxItems": 10, "items": {"type": "integer"}},
    ),
    "complexObjectInput": (
        "An object",
        {
            "type": "object",
            "required": ["property1"],
            "properties": {
                "property1": {"type": "string"},
                "property2": {"type": "string", "format": "uri"},
                "property3": {"type": "number"},
            },
        },
    ),
    "geometryInput": ("A GeoJSON geometry", _GEOMETRY),
    "boundingBoxInput": (
        "A bounding box",
        {
            "type": "object",
            "format": "ogc-bbox",
            "required": ["bbox"],
            "properties": {
                "bbox": {
                    "type": "array",
                    "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                    "items": {"type": "number"},
                },
                "crs": {"type": "string", "format": "uri", "default": CRS84},
            },
        },
    ),
    "imagesInput": (
        "A PNG image, base-64 encoded",
        {"type": "string", "contentEncoding": "base64", "contentMediaType": "image/png"},
    ),
    "measureInput": (
        "A measure and its unit",
        {
            "type": "object",
            "required": ["measurement", "uom"],
            "properties": {
                "measurement": {"type": "number"},
                "uom": {"type": "string"},
                "reference": {"type": "string", "format": "uri"},
            },
        },
    ),
}

_CONTROLS = {
    "pause": (
        "Seconds the job waits before it answers (0 to 30)",
        {"type": "number", "minimum": 0, "maximum": 30, "default": 0},
    ),
    "fail": ("The job fails (to test failed jobs)", {"type": "boolean", "default": False}),
}

MEDIA_TYPES = {"imagesOutput": "image/png", "stringOutput": "text/plain"}


def output_id(input_id: str) -> str:
    return input_id.removesuffix("Input") + "Output"


ECHO = Process(
    id=ECHO_ID,
    title="Echo",
    description="Returns every input given as the output of the same name (conformance tests).",
    inputs={
        name: {"title": title, "schema": schema, "minOccurs": 0, "maxOccurs": 1}
        for name, (title, schema) in {**_INPUTS, **_CONTROLS}.items()
    },
    outputs=tuple(
        Output(output_id(name), title, schema, MEDIA_TYPES.get(output_id(name), "application/json"))
        for name, (title, schema) in _INPUTS.items()
    ),
    job_control=(SYNC, ASYNC),
    keywords=("test",),
)


class EchoInputError(ValueError):
    """An echo input that does not match its schema (``name`` names it)."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


class EchoFailed(RuntimeError):
    """The job failed because its ``fail`` input asked it to."""


def echo_validate(inputs: dict) -> dict:
    """``inputs`` checked against their schemas (unknown names refused); returned as given."""
    for name, value in inputs.items():
        if name not in ECHO.inputs:
            raise EchoInputError(name, f"unknown input; accepted: {', '.join(ECHO.inputs)}")
        try:
            jsonschema.validate(value, ECHO.inputs[name]["schema"])
        except jsonschema.ValidationError as exc:
            raise EchoInputError(name, exc.message) from None
        if name == "imagesInput":
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise EchoInputError(name, "not base-64") from None
    return inputs


def echo_outputs(inputs: dict) -> dict:
    """The outputs of ``inputs`` (validated): each input's value under its output's name."""
    pause = float(inputs.get("pause") or 0)
    if pause:
        time.sleep(pause)
    if inputs.get("fail"):
        raise EchoFailed("the echo job was asked to fail (input 'fail')")
    return {output_id(k): v for k, v in inputs.items() if k in _INPUTS}


@task(queue_name="analyses")
def echo_task(inputs: dict, user_id: int | None) -> dict:
    """The queue's task of an asynchronous echo (``user_id``: who started it)."""
    return echo_outputs(inputs)
