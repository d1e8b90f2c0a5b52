"""OGC API – Processes – Part 1: Core 1.0 (OGC 18-062r2) at /ogc/processes and /ogc/jobs.

One test per abstract test of the standard's Abstract Test Suite (Annex A of the approved 1.0,
named after its label: ``/conf/core/job-creation-sync-raw-value-one`` is
``test_ats_core_job_creation_sync_raw_value_one``; ``/conf/core/job-results-failed`` labels two
abstract tests — the second, about an unknown job, is ``…_results_no_such_job``). Most use the
``echo`` process; then real runs of the analyses through the API — site suggestion and efficiency,
synchronously and on a job worker — compared with the same analysis started through the existing
door (``POST /api/v1/analyses/<name>/``, the Jobs tab's), and OWSLib's Processes client.
"""

from __future__ import annotations

import base64
import email
import json
import time

import pytest
from django.test import Client
from jsonschema import Draft4Validator
from owslib.ogcapi.processes import Processes
from rest_framework.test import APIClient
from schemathesis.specs.openapi.definitions import OPENAPI_30

from layers.models import ProcessExecution
from planning import models as m
from tests.jobs_support import task_worker, tasks_at_once  # noqa: F401
from tests.layers.test_wfs_support import PASSWORD, basic, make_user
from tests.planning.api.conftest import area, small_province, staff  # noqa: F401

pytestmark = pytest.mark.django_db

OGC = "/ogc"
CONF = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/"
EXC = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/"
REL = "http://www.opengis.net/def/rel/ogc/1.0/"
ANALYSES = {
    "site-suggestion",
    "efficiency",
    "targets",
    "eco-readiness",
    "infrastructure-gaps",
    "labour-catchment",
    "plan-vs-actual",
    "proposal-check",
}
# A 1×1 transparent PNG.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6k"
    "gAAAABJRU5ErkJggg=="
)


def doc(response, status=200):
    assert response.status_code == status, response.content[:800]
    return json.loads(response.content)


def problem(response, status: int, type_: str) -> dict:
    body = doc(response, status)
    assert response["Content-Type"] == "application/problem+json"
    assert body["type"] == type_ and body["status"] == status and body["detail"]
    return body


def rels(links) -> dict:
    return {link["rel"]: link["href"] for link in links}


@pytest.fixture
def signed_in(client, staff):
    """A session of commune staff (a planning role: may run analyses)."""
    client.force_login(staff)
    return client


def execute(client, process_id, body=None, *, prefer=None, **extra):
    headers = {"HTTP_PREFER": prefer} if prefer else {}
    return client.post(
        f"{OGC}/processes/{process_id}/execution",
        json.dumps(body or {}),
        content_type="application/json",
        **headers,
        **extra,
    )


def job_id_of(response) -> str:
    """The job of an execution: ``Location`` (asynchronous) or ``Link; rel=monitor`` (sync)."""
    if response.status_code == 201:
        return response["Location"].rsplit("/", 1)[1]
    link = response["Link"]
    part = next(p for p in link.split(",") if 'rel="monitor"' in p)
    return part.split(">")[0].strip(" <").rsplit("/", 1)[1]


def api_document(client) -> dict:
    return doc(client.get(f"{OGC}/api"))


def multipart(response) -> dict:
    """``{Content-ID: (headers, body)}`` of a multipart/related response (RFC 2387)."""
    raw = f"Content-Type: {response['Content-Type']}\r\n\r\n".encode() + response.content
    message = email.message_from_bytes(raw)
    assert message.is_multipart()
    return {
        part["Content-ID"].strip("<>"): (part, part.get_payload(decode=True))
        for part in message.get_payload()
    }


# --- /conf/core: landing page, API definition, conformance, HTTP ------------------------------


def test_ats_core_landingpage_op(client):
    """/conf/core/landingpage-op: the landing page at the root of the API."""
    response = client.get(f"{OGC}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_ats_core_landingpage_success(client):
    """/conf/core/landingpage-success: links to the API definition, conformance and processes
    (the OGC relation types), and to the job list."""
    links = rels(doc(client.get(f"{OGC}/"))["links"])
    assert links["service-desc"].endswith("/ogc/api")
    assert links[REL + "conformance"].endswith("/ogc/conformance")
    assert links[REL + "processes"].endswith("/ogc/processes")
    assert links[REL + "job-list"].endswith("/ogc/jobs")


def test_ats_core_api_definition_op(client):
    """/conf/core/api-definition-op: the API definition at /api."""
    response = client.get(f"{OGC}/api")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")


def test_ats_core_api_definition_success(client):
    """/conf/core/api-definition-success: a valid OpenAPI 3.0 document with the paths."""
    api = api_document(client)
    Draft4Validator(OPENAPI_30).validate(api)
    assert {
        "/processes",
        "/processes/{processId}",
        "/processes/{processId}/execution",
        "/jobs",
        "/jobs/{jobId}",
        "/jobs/{jobId}/results",
    } <= set(api["paths"])


def test_ats_core_conformance_op(client):
    """/conf/core/conformance-op: the conformance link of the landing page and /conformance."""
    href = rels(doc(client.get(f"{OGC}/"))["links"])[REL + "conformance"]
    assert doc(client.get(href)) == doc(client.get(f"{OGC}/conformance"))


def test_ats_core_conformance_success(client):
    """/conf/core/conformance-success: core and every class implemented are listed."""
    conforms = doc(client.get(f"{OGC}/conformance"))["conformsTo"]
    for cls in (
        "core",
        "ogc-process-description",
        "json",
        "html",
        "oas30",
        "job-list",
        "dismiss",
    ):
        assert CONF + cls in conforms
    assert CONF + "callback" not in conforms  # not implemented: not claimed


def test_ats_core_http(client):
    """/conf/core/http: HTTP 1.1 — HEAD answers like GET without a body; unknown methods 405
    with Allow."""
    head = client.head(f"{OGC}/processes")
    assert head.status_code == 200 and head["Content-Type"] == "application/json"
    refused = client.put(f"{OGC}/processes")
    assert refused.status_code == 405 and "GET" in refused["Allow"]
    assert client.get(f"{OGC}/processes/echo/execution").status_code == 405


# --- /conf/core: process list and descriptions ---------------------------------------------------


def test_ats_core_process_list(client):
    """/conf/core/process-list: GET /processes."""
    assert client.get(f"{OGC}/processes").status_code == 200


def test_ats_core_process_list_success(client, signed_in):
    """/conf/core/process-list-success: processList (processes + links), each a processSummary
    (id, version, jobControlOptions, outputTransmission, links); every analysis and echo."""
    body = doc(signed_in.get(f"{OGC}/processes"))
    assert set(body) >= {"processes", "links"}
    ids = {p["id"] for p in body["processes"]}
    assert ids == ANALYSES | {"echo"}
    for p in body["processes"]:
        assert p["version"] and p["title"]
        assert set(p["jobControlOptions"]) <= {"sync-execute", "async-execute"}
        assert p["outputTransmission"] == ["value", "reference"]
        assert rels(p["links"])["self"].endswith(f"/ogc/processes/{p['id']}?f=json")
    modes = {p["id"]: p["jobControlOptions"] for p in body["processes"]}
    # Slow analyses are asynchronous only (the REST API's 202 ones); quick ones both ways.
    assert modes["site-suggestion"] == modes["labour-catchment"] == ["async-execute"]
    assert modes["efficiency"] == ["sync-execute", "async-execute"]


def test_process_list_follows_the_rights_of_the_analyses(client):
    """Anonymous callers see echo and the analyses computed only from public layers (the REST
    API's rule): not those reading staff layers (clearance parcels, suggested sites)."""
    ids = {p["id"] for p in doc(client.get(f"{OGC}/processes"))["processes"]}
    assert "echo" in ids and "plan-vs-actual" in ids
    assert not ids & {"site-suggestion", "efficiency", "targets"}
    problem(client.get(f"{OGC}/processes/efficiency"), 404, EXC + "no-such-process")


def test_ats_core_pl_limit_definition(client):
    """/conf/core/pl-limit-definition: ``limit`` is an integer parameter with bounds."""
    op = api_document(client)["paths"]["/processes"]["get"]
    limit = next(p for p in op["parameters"] if p.get("name") == "limit")
    assert limit["schema"]["type"] == "integer" and limit["schema"]["minimum"] == 1


def test_ats_core_pl_limit_response(signed_in):
    """/conf/core/pl-limit-response: no more than ``limit`` processes, a next link to the rest."""
    body = doc(signed_in.get(f"{OGC}/processes?limit=2"))
    assert len(body["processes"]) == 2
    following = doc(signed_in.get(rels(body["links"])["next"]))
    assert following["processes"][0]["id"] not in {p["id"] for p in body["processes"]}
    assert signed_in.get(f"{OGC}/processes?limit=0").status_code == 400


def test_ats_core_pl_links(client):
    """/conf/core/pl-links: self and alternate (HTML) links."""
    links = {link["rel"]: link for link in doc(client.get(f"{OGC}/processes"))["links"]}
    assert links["self"]["type"] == "application/json"
    assert links["alternate"]["type"] == "text/html"


def test_ats_core_process(client):
    """/conf/core/process: GET /processes/{id}."""
    assert client.get(f"{OGC}/processes/echo").status_code == 200


def test_ats_core_process_success(signed_in):
    """/conf/core/process-success: a process description (summary + inputs + outputs + the
    execute link), from the analysis' own declaration of its parameters."""
    body = doc(signed_in.get(f"{OGC}/processes/site-suggestion"))
    assert body["id"] == "site-suggestion" and body["version"]
    assert rels(body["links"])[REL + "execute"].endswith("/processes/site-suggestion/execution")
    inputs = body["inputs"]
    assert inputs["province"]["minOccurs"] == 1  # required
    assert inputs["kind"]["schema"] == {"type": "string", "enum": ["KCN", "CCN"], "default": "CCN"}
    assert inputs["max_count"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert inputs["road_classes"]["schema"]["type"] == "array"
    assert set(body["outputs"]) == {"result", "sites"}
    assert body["outputs"]["sites"]["schema"]["format"] == "geojson-feature-collection"


def test_ats_core_process_exception_no_such_process(client):
    """/conf/core/process-exception-no-such-process: 404 with the no-such-process type."""
    problem(client.get(f"{OGC}/processes/nope"), 404, EXC + "no-such-process")
    problem(execute(client, "nope"), 404, EXC + "no-such-process")


# --- /conf/ogc-process-description ---------------------------------------------------------------


def _descriptions(client) -> list[dict]:
    return [
        doc(client.get(f"{OGC}/processes/{p['id']}"))
        for p in doc(client.get(f"{OGC}/processes"))["processes"]
    ]


def test_ats_ogc_process_description_json_encoding(signed_in):
    """/conf/ogc-process-description/json-encoding: every description has the members of
    process.yaml (processSummary + inputs/outputs maps)."""
    for body in _descriptions(signed_in):
        assert isinstance(body["id"], str) and isinstance(body["version"], str)
        assert isinstance(body["inputs"], dict) and isinstance(body["outputs"], dict)
        assert isinstance(body["links"], list) and isinstance(body["jobControlOptions"], list)


def test_ats_ogc_process_description_inputs_def(signed_in):
    """/conf/ogc-process-description/inputs-def: inputs keyed by their identifier, each an
    inputDescription (schema, minOccurs, maxOccurs)."""
    for body in _descriptions(signed_in):
        for name, described in body["inputs"].items():
            assert name and "schema" in described
            assert described["minOccurs"] in (0, 1) and described["maxOccurs"] == 1


def test_ats_ogc_process_description_input_def(signed_in):
    """/conf/ogc-process-description/input-def: each input's ``schema`` is a JSON Schema
    fragment (validated as a Draft 4 schema, which the OpenAPI 3.0 subset is)."""
    for body in _descriptions(signed_in):
        for described in body["inputs"].values():
            Draft4Validator.check_schema(described["schema"])
    corridor = doc(signed_in.get(f"{OGC}/processes/site-suggestion"))["inputs"]["corridor_m"]
    # "above 0": OpenAPI 3.0's (and Draft 4's) boolean exclusiveMinimum
    assert corridor["schema"] == {"type": "number", "minimum": 0, "exclusiveMinimum": True}


def test_ats_ogc_process_description_input_mixed_type(signed_in):
    """/conf/ogc-process-description/input-mixed-type: inputs of several types use oneOf."""
    inputs = doc(signed_in.get(f"{OGC}/processes/site-suggestion"))["inputs"]
    assert [s["type"] for s in inputs["weights"]["schema"]["oneOf"]] == ["object", "string"]
    geometry = doc(signed_in.get(f"{OGC}/processes/proposal-check"))["inputs"]["geometry"]
    assert geometry["schema"]["oneOf"][0]["format"] == "geojson-geometry"


def test_ats_ogc_process_description_outputs_def(signed_in):
    """/conf/ogc-process-description/outputs-def: outputs keyed by their identifier."""
    for body in _descriptions(signed_in):
        assert body["outputs"]
        assert all(isinstance(k, str) and "schema" in v for k, v in body["outputs"].items())


def test_ats_ogc_process_description_output_def(signed_in):
    """/conf/ogc-process-description/output-def: each output's schema is a JSON Schema
    fragment naming its media type."""
    for body in _descriptions(signed_in):
        for described in body["outputs"].values():
            Draft4Validator.check_schema(described["schema"])
            assert described["schema"]["contentMediaType"]


def test_ats_ogc_process_description_output_mixed_type(signed_in):
    """/conf/ogc-process-description/output-mixed-type: outputs have one type each (none of
    the processes has an output of mixed type); their media types differ (JSON, GeoJSON, text,
    PNG)."""
    echo = doc(signed_in.get(f"{OGC}/processes/echo"))["outputs"]
    types = {o["schema"]["contentMediaType"] for o in echo.values()}
    assert {"application/json", "text/plain", "image/png"} <= types
    assert all("oneOf" not in o["schema"] for o in echo.values())


# --- /conf/core: execution (job creation) ------------------------------------------------------


def test_ats_core_job_creation_op(signed_in, tasks_at_once):
    """/conf/core/job-creation-op: POST /processes/{id}/execution runs the process."""
    response = execute(signed_in, "echo", {"inputs": {"stringInput": "xin chào"}})
    assert response.status_code == 200 and response.content == "xin chào".encode()


def test_ats_core_job_creation_request(signed_in, tasks_at_once):
    """/conf/core/job-creation-request: the execute request's members (inputs, outputs,
    response) are read; a body that is not a JSON object is refused."""
    response = execute(
        signed_in,
        "echo",
        {
            "inputs": {"stringInput": "a", "doubleInput": 2.5},
            "outputs": {"doubleOutput": {"transmissionMode": "value"}},
            "response": "document",
        },
    )
    assert doc(response) == {"doubleOutput": 2.5}
    bad = signed_in.post(f"{OGC}/processes/echo/execution", "[1]", content_type="application/json")
    problem(bad, 400, "InvalidParameterValue")
    unknown = execute(signed_in, "echo", {"outputs": {"nope": {}}})
    assert problem(unknown, 400, "InvalidParameterValue")["parameter"] == "nope"


def test_ats_core_job_creation_inputs(signed_in, tasks_at_once):
    """/conf/core/job-creation-inputs: values in-line (plain or qualified) are accepted; values
    by reference are refused with a 400 naming the input (this server fetches no URL)."""
    plain = execute(signed_in, "echo", {"inputs": {"doubleInput": 1}, "response": "document"})
    qualified = execute(
        signed_in,
        "echo",
        {
            "inputs": {"doubleInput": {"value": 1, "mediaType": "application/json"}},
            "response": "document",
        },
    )
    assert doc(plain) == doc(qualified) == {"doubleOutput": 1}
    ref = execute(signed_in, "echo", {"inputs": {"stringInput": {"href": "http://x/y"}}})
    assert problem(ref, 400, "InvalidParameterValue")["parameter"] == "stringInput"


def test_ats_core_job_creation_input_inline(signed_in, tasks_at_once):
    """/conf/core/job-creation-input-inline: in-line values are checked against the schema of
    the description."""
    assert execute(signed_in, "echo", {"inputs": {"doubleInput": 10}}).status_code == 200
    too_big = execute(signed_in, "echo", {"inputs": {"doubleInput": 10.5}})
    assert problem(too_big, 400, "InvalidParameterValue")["parameter"] == "doubleInput"


def test_ats_core_job_creation_input_ref(signed_in):
    """/conf/core/job-creation-input-ref: an input by reference is answered with a 400 naming it
    (no fetching of arbitrary URLs from the server), before any job is created."""
    response = execute(signed_in, "efficiency", {"inputs": {"province": {"href": "http://x"}}})
    body = problem(response, 400, "InvalidParameterValue")
    assert body["parameter"] == "province" and "href" in body["detail"]
    assert not m.AnalysisRun.objects.exists()


def test_ats_core_job_creation_input_array(signed_in, tasks_at_once):
    """/conf/core/job-creation-input-array: an array value is one value of an array schema."""
    body = doc(
        execute(signed_in, "echo", {"inputs": {"arrayInput": [1, 2, 3]}, "response": "document"})
    )
    assert body == {"arrayOutput": [1, 2, 3]}
    short = execute(signed_in, "echo", {"inputs": {"arrayInput": [1]}})
    assert problem(short, 400, "InvalidParameterValue")["parameter"] == "arrayInput"


def test_ats_core_job_creation_input_inline_bbox(signed_in, tasks_at_once):
    """/conf/core/job-creation-input-inline-bbox: a bounding box {bbox, crs}."""
    box = {
        "bbox": [108.9, 13.7, 109.3, 14.1],
        "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    }
    body = doc(
        execute(signed_in, "echo", {"inputs": {"boundingBoxInput": box}, "response": "document"})
    )
    assert body["boundingBoxOutput"]["value"] == box
    bad = execute(signed_in, "echo", {"inputs": {"boundingBoxInput": {"bbox": [1, 2, 3]}}})
    assert problem(bad, 400, "InvalidParameterValue")["parameter"] == "boundingBoxInput"


def test_ats_core_job_creation_input_inline_binary(signed_in, tasks_at_once):
    """/conf/core/job-creation-input-inline-binary: a base-64 PNG comes back as the PNG's
    bytes (raw) or the same base-64 text (document)."""
    raw = execute(
        signed_in,
        "echo",
        {"inputs": {"imagesInput": {"value": PNG, "mediaType": "image/png", "encoding": "base64"}}},
    )
    assert raw.status_code == 200 and raw["Content-Type"] == "image/png"
    assert raw.content == base64.b64decode(PNG) and raw.content.startswith(b"\x89PNG")
    bad = execute(signed_in, "echo", {"inputs": {"imagesInput": "not base64!"}})
    assert problem(bad, 400, "InvalidParameterValue")["parameter"] == "imagesInput"


@pytest.mark.django_db(transaction=True)
def test_ats_core_job_creation_input_inline_mixed(small_province):
    """/conf/core/job-creation-input-inline-mixed: an input of mixed type (site weights: an
    object or a text) accepts either form and refuses others, naming it (the service's check,
    before anything is queued)."""
    client = Client()
    client.force_login(make_user("quyhoach", role="industry_reviewer", unit=small_province))
    for weights in ({"road": 0.4}, "road=0.4"):
        inputs = {"province": "52", "weights": weights}
        assert execute(client, "site-suggestion", {"inputs": inputs}).status_code == 201
    for weights in ([0.4], {"nope": 1}):
        inputs = {"province": "52", "weights": weights}
        wrong = execute(client, "site-suggestion", {"inputs": inputs})
        assert problem(wrong, 400, "InvalidParameterValue")["parameter"] == "weights"
    assert m.AnalysisRun.objects.filter(status="queued").count() == 2


def test_ats_core_job_creation_input_inline_object(signed_in, tasks_at_once):
    """/conf/core/job-creation-input-inline-object: an object input (and a measure)."""
    obj = {"property1": "một", "property3": 3.5}
    measure = {"measurement": 12.5, "uom": "ha"}
    body = doc(
        execute(
            signed_in,
            "echo",
            {
                "inputs": {"complexObjectInput": obj, "measureInput": measure},
                "response": "document",
            },
        )
    )
    assert body["complexObjectOutput"] == {"value": obj, "mediaType": "application/json"}
    assert body["measureOutput"]["value"] == measure
    missing = execute(signed_in, "echo", {"inputs": {"complexObjectInput": {"property3": 1}}})
    assert problem(missing, 400, "InvalidParameterValue")["parameter"] == "complexObjectInput"


def test_ats_core_job_creation_input_validation(signed_in, area):
    """/conf/core/job-creation-input-validation: an analysis' inputs are checked by the
    services' one check (the REST API's and the commands'): the 400 names the input, nothing is
    stored."""
    cases = {
        "province": {"province": "Hà Tây Cũ"},
        "unit": {"unit": "hamlet"},
        "year": {"year": "hai nghìn"},
        "colour": {"colour": "red"},
    }
    for name, inputs in cases.items():
        response = execute(signed_in, "efficiency", {"inputs": inputs}, HTTP_ACCEPT_LANGUAGE="en")
        body = problem(response, 400, "InvalidParameterValue")
        assert body["parameter"] == name and name in body["detail"], body
    assert not m.AnalysisRun.objects.exists()


def test_ats_core_job_creation_default_outputs(signed_in, tasks_at_once):
    """/conf/core/job-creation-default-outputs: no ``outputs``: every output is returned."""
    body = doc(
        execute(
            signed_in,
            "echo",
            {
                "inputs": {"stringInput": "s", "doubleInput": 1, "arrayInput": [1, 2]},
                "response": "document",
            },
        )
    )
    assert set(body) == {"stringOutput", "doubleOutput", "arrayOutput"}


@pytest.mark.django_db(transaction=True)
def test_ats_core_job_creation_default_execution_mode(small_province):
    """/conf/core/job-creation-default-execution-mode: without Prefer, a process that runs both
    ways answers synchronously (200); one that runs only asynchronously answers 201 + job."""
    client = Client()
    client.force_login(make_user("quyhoach", role="industry_reviewer", unit=small_province))
    sync = execute(client, "efficiency", {"inputs": {"province": "52"}})
    assert sync.status_code == 200 and "Preference-Applied" not in sync
    only_async = execute(client, "labour-catchment", {"inputs": {"province": "52"}})
    assert only_async.status_code == 201 and "Preference-Applied" not in only_async
    assert only_async["Location"].endswith(f"/ogc/jobs/{job_id_of(only_async)}")
    assert doc(only_async, 201)["status"] == "accepted"  # waits for a worker


def test_ats_core_job_creation_auto_execution_mode(signed_in, tasks_at_once):
    """/conf/core/job-creation-auto-execution-mode: ``Prefer: respond-async`` on a process that
    runs both ways is honoured (201, Location, Preference-Applied)."""
    response = execute(signed_in, "echo", {"inputs": {"stringInput": "a"}}, prefer="respond-async")
    assert response.status_code == 201
    assert response["Preference-Applied"] == "respond-async"
    body = doc(response, 201)
    assert response["Location"].endswith(f"/ogc/jobs/{body['jobID']}")


def test_ats_core_job_creation_success_async(signed_in):
    """/conf/core/job-creation-success-async: 201, Location of the job, a statusInfo body (the
    job waits for a worker: accepted)."""
    response = execute(signed_in, "echo", {"inputs": {"stringInput": "a"}}, prefer="respond-async")
    body = doc(response, 201)
    assert body["status"] == "accepted" and body["type"] == "process"
    assert body["processID"] == "echo" and body["jobID"].startswith("echo-")


def test_ats_core_job_creation_sync_raw_value_one(signed_in, tasks_at_once):
    """/conf/core/job-creation-sync-raw-value-one: the one output's value, with its media type."""
    response = execute(
        signed_in,
        "echo",
        {
            "inputs": {"complexObjectInput": {"property1": "p"}, "stringInput": "s"},
            "outputs": {"complexObjectOutput": {}},
        },
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert doc(response) == {"property1": "p"}


def test_ats_core_job_creation_sync_raw_value_multi(signed_in, tasks_at_once):
    """/conf/core/job-creation-sync-raw-value-multi: multipart/related, one part per output,
    Content-ID the output's id."""
    response = execute(signed_in, "echo", {"inputs": {"stringInput": "s", "doubleInput": 4}})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("multipart/related")
    parts = multipart(response)
    assert set(parts) == {"stringOutput", "doubleOutput"}
    assert parts["stringOutput"][1] == b"s" and json.loads(parts["doubleOutput"][1]) == 4


def test_ats_core_job_creation_sync_raw_ref(signed_in, tasks_at_once):
    """/conf/core/job-creation-sync-raw-ref: 204 with a Link header per output, each giving the
    output's value."""
    response = execute(
        signed_in,
        "echo",
        {
            "inputs": {"stringInput": "s", "doubleInput": 4},
            "outputs": {
                "stringOutput": {"transmissionMode": "reference"},
                "doubleOutput": {"transmissionMode": "reference"},
            },
        },
    )
    assert response.status_code == 204 and not response.content
    hrefs = [p.split(">")[0].strip(" <") for p in response["Link"].split(",") if "results/" in p]
    assert len(hrefs) == 2
    assert (
        signed_in.get(hrefs[0]).content == b"s" and json.loads(signed_in.get(hrefs[1]).content) == 4
    )


def test_ats_core_job_creation_sync_raw_mixed_multi(signed_in, tasks_at_once):
    """/conf/core/job-creation-sync-raw-mixed-multi: a part with the value, and an empty part
    with Content-Location for the one by reference."""
    response = execute(
        signed_in,
        "echo",
        {
            "inputs": {"stringInput": "s", "doubleInput": 4},
            "outputs": {"stringOutput": {}, "doubleOutput": {"transmissionMode": "reference"}},
        },
    )
    parts = multipart(response)
    assert parts["stringOutput"][1] == b"s"
    head, body = parts["doubleOutput"]
    assert not body and json.loads(signed_in.get(head["Content-Location"]).content) == 4


def test_ats_core_job_creation_sync_document(signed_in, tasks_at_once):
    """/conf/core/job-creation-sync-document: 200, application/json, results.yaml: each output
    in-line (objects qualified with their media type) or a link."""
    response = execute(
        signed_in,
        "echo",
        {
            "inputs": {"stringInput": "s", "measureInput": {"measurement": 1, "uom": "m"}},
            "outputs": {"stringOutput": {}, "measureOutput": {"transmissionMode": "reference"}},
            "response": "document",
        },
    )
    assert response["Content-Type"] == "application/json"
    body = doc(response)
    assert body["stringOutput"] == "s"
    assert body["measureOutput"]["href"].endswith("/results/measureOutput")


# --- /conf/core: jobs and results ---------------------------------------------------------------


def _async_echo(client, inputs, **body) -> str:
    response = execute(client, "echo", {"inputs": inputs, **body}, prefer="respond-async")
    return doc(response, 201)["jobID"]


def test_ats_core_job_op(signed_in, tasks_at_once):
    """/conf/core/job-op: GET /jobs/{jobID} of a created job."""
    job = _async_echo(signed_in, {"stringInput": "a"})
    response = signed_in.get(f"{OGC}/jobs/{job}")
    assert response.status_code == 200
    # Polled and per user: never a shared or stale copy.
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert {"Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_ats_core_job_success(signed_in, tasks_at_once):
    """/conf/core/job-success: statusInfo (jobID, status, type, times, progress, links)."""
    job = _async_echo(signed_in, {"stringInput": "a"})
    body = doc(signed_in.get(f"{OGC}/jobs/{job}"))
    assert body["jobID"] == job and body["type"] == "process" and body["status"] == "successful"
    assert body["progress"] == 100 and body["created"] <= body["started"] <= body["finished"]
    assert rels(body["links"])[REL + "results"].endswith(f"/jobs/{job}/results")


def test_job_status_shows_the_progress_of_the_run(signed_in, area):
    """A queued analysis is ``accepted``; its status follows the run's progress as a worker
    writes it (the Jobs tab's field)."""
    job = doc(
        execute(signed_in, "efficiency", {"inputs": {"province": "52"}}, prefer="respond-async"),
        201,
    )["jobID"]
    assert doc(signed_in.get(f"{OGC}/jobs/{job}"))["status"] == "accepted"
    m.AnalysisRun.objects.filter(pk=job).update(
        status="running", progress=40, progress_message="reading"
    )
    body = doc(signed_in.get(f"{OGC}/jobs/{job}"))
    assert (body["status"], body["progress"], body["message"]) == ("running", 40, "reading")


def test_ats_core_job_exception_no_such_job(signed_in):
    """/conf/core/job-exception-no-such-job: 404 no-such-job (JSON and HTML)."""
    problem(signed_in.get(f"{OGC}/jobs/999999"), 404, EXC + "no-such-job")
    problem(signed_in.get(f"{OGC}/jobs/echo-not-a-uuid"), 404, EXC + "no-such-job")
    html = signed_in.get(f"{OGC}/jobs/999999?f=html")
    assert html.status_code == 404 and html["Content-Type"].startswith("text/html")


def test_jobs_are_their_owners(signed_in, staff, tasks_at_once, binh_dinh):
    """A job is seen by whoever started it and administrators (404 for anyone else)."""
    job = _async_echo(signed_in, {"stringInput": "a"})
    other = Client()
    other.force_login(make_user("khac", role="commune_staff", unit=binh_dinh[1]))
    problem(other.get(f"{OGC}/jobs/{job}"), 404, EXC + "no-such-job")
    assert doc(other.get(f"{OGC}/jobs"))["jobs"] == []
    admin = Client()
    admin.force_login(make_user("quantri", role="admin"))
    assert doc(admin.get(f"{OGC}/jobs/{job}"))["jobID"] == job


def test_ats_core_job_results(signed_in, tasks_at_once):
    """/conf/core/job-results: GET /jobs/{jobID}/results of a finished job: 200."""
    job = _async_echo(signed_in, {"stringInput": "kết quả"})
    response = signed_in.get(f"{OGC}/jobs/{job}/results")
    assert response.status_code == 200 and response.content == "kết quả".encode()


def test_ats_core_job_results_no_such_job(signed_in):
    """/conf/core/job-results-failed (the abstract test of an unknown job's results): 404
    no-such-job."""
    problem(signed_in.get(f"{OGC}/jobs/424242/results"), 404, EXC + "no-such-job")


def test_ats_core_job_results_exception_results_not_ready(signed_in):
    """/conf/core/job-results-exception-results-not-ready: a job still waiting: 404
    result-not-ready."""
    job = _async_echo(signed_in, {"stringInput": "a"})
    problem(signed_in.get(f"{OGC}/jobs/{job}/results"), 404, EXC + "result-not-ready")


def test_ats_core_job_results_failed(signed_in, tasks_at_once):
    """/conf/core/job-results-failed: a failed job's results: an error status and a type
    saying why; the status document says failed with the message."""
    job = _async_echo(signed_in, {"fail": True})
    assert doc(signed_in.get(f"{OGC}/jobs/{job}"))["status"] == "failed"
    body = problem(signed_in.get(f"{OGC}/jobs/{job}/results"), 500, "EchoFailed")
    assert "asked to fail" in body["detail"]


def test_ats_core_job_results_async_document(signed_in, tasks_at_once):
    """/conf/core/job-results-async-document: the results document of an asynchronous job."""
    job = _async_echo(signed_in, {"doubleInput": 7}, response="document")
    assert doc(signed_in.get(f"{OGC}/jobs/{job}/results")) == {"doubleOutput": 7}


def test_ats_core_job_results_async_raw_value_one(signed_in, tasks_at_once):
    """/conf/core/job-results-async-raw-value-one: the one output's value."""
    job = _async_echo(signed_in, {"arrayInput": [3, 4]})
    assert doc(signed_in.get(f"{OGC}/jobs/{job}/results")) == [3, 4]


def test_ats_core_job_results_async_raw_value_multi(signed_in, tasks_at_once):
    """/conf/core/job-results-async-raw-value-multi: multipart/related, one part per output."""
    job = _async_echo(signed_in, {"stringInput": "s", "arrayInput": [3, 4]})
    parts = multipart(signed_in.get(f"{OGC}/jobs/{job}/results"))
    assert parts["stringOutput"][1] == b"s" and json.loads(parts["arrayOutput"][1]) == [3, 4]


def test_ats_core_job_results_async_raw_ref(signed_in, tasks_at_once):
    """/conf/core/job-results-async-raw-ref: 204 and a Link header per output."""
    job = _async_echo(
        signed_in,
        {"stringInput": "s"},
        outputs={"stringOutput": {"transmissionMode": "reference"}},
    )
    response = signed_in.get(f"{OGC}/jobs/{job}/results")
    assert response.status_code == 204
    href = response["Link"].split(">")[0].strip("<")
    assert href.endswith(f"/jobs/{job}/results/stringOutput")
    assert signed_in.get(href).content == b"s"


def test_ats_core_job_results_async_raw_mixed_multi(signed_in, tasks_at_once):
    """/conf/core/job-results-async-raw-mixed-multi: value parts and Content-Location parts."""
    job = _async_echo(
        signed_in,
        {"stringInput": "s", "doubleInput": 2},
        outputs={"stringOutput": {"transmissionMode": "reference"}, "doubleOutput": {}},
    )
    parts = multipart(signed_in.get(f"{OGC}/jobs/{job}/results"))
    assert json.loads(parts["doubleOutput"][1]) == 2
    assert signed_in.get(parts["stringOutput"][0]["Content-Location"]).content == b"s"


def test_ats_core_job_results_sync(signed_in, tasks_at_once):
    """/conf/core/job-results-sync: a synchronous execution creates a job, linked with
    rel=monitor; it is successful and its results are the same."""
    response = execute(signed_in, "echo", {"inputs": {"stringInput": "s"}})
    job = job_id_of(response)
    assert doc(signed_in.get(f"{OGC}/jobs/{job}"))["status"] == "successful"
    assert signed_in.get(f"{OGC}/jobs/{job}/results").content == response.content == b"s"


# --- /conf/dismiss -------------------------------------------------------------------------------


def test_ats_dismiss_job_dismiss_op(signed_in):
    """/conf/dismiss/job-dismiss-op: DELETE /jobs/{jobID} of a job not yet run: it never runs
    and is gone (404 afterwards)."""
    from django_tasks_db.models import DBTaskResult

    job = _async_echo(signed_in, {"stringInput": "a"})
    assert signed_in.delete(f"{OGC}/jobs/{job}").status_code == 200
    assert not DBTaskResult.objects.filter(pk=job.removeprefix("echo-")).exists()
    problem(signed_in.get(f"{OGC}/jobs/{job}"), 404, EXC + "no-such-job")


def test_ats_dismiss_job_dismiss_success(signed_in, area):
    """/conf/dismiss/job-dismiss-success: 200, statusInfo with status dismissed; a queued
    analysis run and its task are removed (the worker will find nothing)."""
    from django_tasks_db.models import DBTaskResult

    response = execute(
        signed_in, "efficiency", {"inputs": {"province": "52"}}, prefer="respond-async"
    )
    job = doc(response, 201)["jobID"]
    task_id = m.AnalysisRun.objects.get(pk=job).task_id
    body = doc(signed_in.delete(f"{OGC}/jobs/{job}"))
    assert body["status"] == "dismissed" and body["jobID"] == job
    assert not m.AnalysisRun.objects.filter(pk=job).exists()
    assert not DBTaskResult.objects.filter(pk=task_id).exists()
    assert not ProcessExecution.objects.filter(job_id=job).exists()


def test_a_running_analysis_is_not_dismissed_half_way(signed_in, area):
    response = execute(
        signed_in, "efficiency", {"inputs": {"province": "52"}}, prefer="respond-async"
    )
    job = doc(response, 201)["jobID"]
    m.AnalysisRun.objects.filter(pk=job).update(status="running")
    problem(signed_in.delete(f"{OGC}/jobs/{job}"), 409, "JobRunning")
    assert m.AnalysisRun.objects.filter(pk=job).exists()


@pytest.mark.django_db(transaction=True)
def test_a_running_echo_is_dismissed_once_it_has_ended(staff, area, task_worker):
    """A job a worker is running is not stopped half-way (409, it stays); once it has ended,
    dismissing it removes it. Its status shows ``running`` meanwhile."""
    client = Client()
    client.force_login(staff)
    job = _async_echo(client, {"stringInput": "a", "pause": 3})
    deadline = time.monotonic() + 30
    while doc(client.get(f"{OGC}/jobs/{job}"))["status"] != "running":
        assert time.monotonic() < deadline, "the worker did not take the job"
        time.sleep(0.1)
    problem(client.delete(f"{OGC}/jobs/{job}"), 409, "JobRunning")
    problem(client.get(f"{OGC}/jobs/{job}/results"), 404, EXC + "result-not-ready")
    assert _poll(client, job)["status"] == "successful"
    assert doc(client.delete(f"{OGC}/jobs/{job}"))["status"] == "dismissed"
    problem(client.get(f"{OGC}/jobs/{job}"), 404, EXC + "no-such-job")


# --- /conf/job-list ------------------------------------------------------------------------------


def _jobs_op(client) -> dict:
    return api_document(client)["paths"]["/jobs"]["get"]


def _param(client, name) -> dict:
    return next(p for p in _jobs_op(client)["parameters"] if p.get("name") == name)


@pytest.fixture
def three_jobs(signed_in, tasks_at_once):
    """Two successful echo jobs, one failed."""
    ok1 = _async_echo(signed_in, {"stringInput": "1"})
    ok2 = _async_echo(signed_in, {"stringInput": "2"})
    bad = _async_echo(signed_in, {"fail": True})
    return ok1, ok2, bad


def test_ats_job_list_job_list_op(signed_in):
    """/conf/job-list/job-list-op: GET /jobs."""
    assert signed_in.get(f"{OGC}/jobs").status_code == 200


def test_ats_job_list_job_list_success(signed_in, three_jobs):
    """/conf/job-list/job-list-success: jobList (jobs of statusInfo, links), newest first."""
    body = doc(signed_in.get(f"{OGC}/jobs"))
    assert [j["jobID"] for j in body["jobs"]] == list(reversed(three_jobs))
    assert all({"jobID", "status", "type"} <= set(j) for j in body["jobs"])


def test_ats_job_list_links(signed_in, three_jobs):
    """/conf/job-list/links: self and alternate (HTML)."""
    links = {link["rel"]: link for link in doc(signed_in.get(f"{OGC}/jobs"))["links"]}
    assert links["self"]["type"] == "application/json" and links["alternate"]["type"] == "text/html"


def test_ats_job_list_limit_definition(signed_in):
    """/conf/job-list/limit-definition: ``limit``, an integer from 1."""
    assert _param(signed_in, "limit")["schema"]["minimum"] == 1


def test_ats_job_list_limit_response(signed_in, three_jobs):
    """/conf/job-list/limit-response: at most ``limit`` jobs, and a next link."""
    body = doc(signed_in.get(f"{OGC}/jobs?limit=2"))
    assert len(body["jobs"]) == 2
    rest = doc(signed_in.get(rels(body["links"])["next"]))
    assert [j["jobID"] for j in rest["jobs"]] == [three_jobs[0]]


def test_ats_job_list_processid_definition(signed_in):
    """/conf/job-list/processID-definition: an array of strings."""
    assert _param(signed_in, "processID")["schema"] == {
        "type": "array",
        "items": {"type": "string"},
    }


def test_ats_job_list_processid_mandatory(signed_in, three_jobs, area):
    """/conf/job-list/processID-mandatory: every job names its process."""
    execute(signed_in, "plan-vs-actual", {"inputs": {"province": "52"}})
    jobs = doc(signed_in.get(f"{OGC}/jobs"))["jobs"]
    assert {j["processID"] for j in jobs} == {"echo", "plan-vs-actual"}


def test_ats_job_list_processid_response(signed_in, three_jobs, area):
    """/conf/job-list/processID-response: only the jobs of the processes asked for."""
    execute(signed_in, "plan-vs-actual", {"inputs": {"province": "52"}})
    only = doc(signed_in.get(f"{OGC}/jobs?processID=plan-vs-actual"))["jobs"]
    assert [j["processID"] for j in only] == ["plan-vs-actual"]
    both = doc(signed_in.get(f"{OGC}/jobs?processID=plan-vs-actual,echo"))["jobs"]
    assert len(both) == 4


def test_ats_job_list_status_definition(signed_in):
    """/conf/job-list/status-definition: an array of strings."""
    assert _param(signed_in, "status")["schema"]["type"] == "array"


def test_ats_job_list_status_response(signed_in, three_jobs):
    """/conf/job-list/status-response: only jobs of those statuses; an unknown status is 400."""
    failed = doc(signed_in.get(f"{OGC}/jobs?status=failed"))["jobs"]
    assert [j["jobID"] for j in failed] == [three_jobs[2]]
    assert len(doc(signed_in.get(f"{OGC}/jobs?status=successful,failed"))["jobs"]) == 3
    assert problem(signed_in.get(f"{OGC}/jobs?status=done"), 400, "InvalidParameterValue")


def test_ats_job_list_type_definition(signed_in):
    """/conf/job-list/type-definition: an array of strings."""
    assert _param(signed_in, "type")["schema"]["type"] == "array"


def test_ats_job_list_type_response(signed_in, three_jobs):
    """/conf/job-list/type-response: every job is of type process."""
    assert len(doc(signed_in.get(f"{OGC}/jobs?type=process"))["jobs"]) == 3
    assert doc(signed_in.get(f"{OGC}/jobs?type=wps"))["jobs"] == []


def test_ats_job_list_datetime_definition(signed_in):
    """/conf/job-list/datetime-definition: a ``datetime`` string parameter."""
    assert _param(signed_in, "datetime")["schema"]["type"] == "string"


def test_ats_job_list_datetime_response(signed_in, three_jobs):
    """/conf/job-list/datetime-response: jobs created within the interval."""
    first = doc(signed_in.get(f"{OGC}/jobs/{three_jobs[0]}"))["created"]
    last = doc(signed_in.get(f"{OGC}/jobs/{three_jobs[2]}"))["created"]
    assert len(doc(signed_in.get(f"{OGC}/jobs?datetime=../{first}"))["jobs"]) == 1
    assert len(doc(signed_in.get(f"{OGC}/jobs?datetime={last}/.."))["jobs"]) == 1
    assert len(doc(signed_in.get(f"{OGC}/jobs?datetime={first}/{last}"))["jobs"]) == 3
    problem(signed_in.get(f"{OGC}/jobs?datetime=yesterday"), 400, "InvalidParameterValue")


def test_ats_job_list_duration_definition(signed_in):
    """/conf/job-list/duration-definition: ``minDuration``, ``maxDuration``: integers."""
    assert _param(signed_in, "minDuration")["schema"]["type"] == "integer"
    assert _param(signed_in, "maxDuration")["schema"]["type"] == "integer"


def test_ats_job_list_duration_response(signed_in, three_jobs):
    """/conf/job-list/duration-response: jobs whose run time is within the bounds."""
    assert len(doc(signed_in.get(f"{OGC}/jobs?maxDuration=60"))["jobs"]) == 3
    assert doc(signed_in.get(f"{OGC}/jobs?minDuration=60"))["jobs"] == []


# --- /conf/json, /conf/html ----------------------------------------------------------------------


def test_ats_json_definition(signed_in, tasks_at_once):
    """/conf/json/definition: every resource answers JSON (application/json) by default."""
    job = _async_echo(signed_in, {"stringInput": "a"})
    for path in ("/processes", "/processes/echo", "/jobs", f"/jobs/{job}"):
        response = signed_in.get(OGC + path)
        assert response["Content-Type"] == "application/json"
        json.loads(response.content)


def test_ats_html_definition(signed_in, tasks_at_once):
    """/conf/html/definition: every resource answers HTML on ``f=html`` and on Accept."""
    job = _async_echo(signed_in, {"stringInput": "a"})
    for path in ("/processes", "/processes/echo", "/jobs", f"/jobs/{job}"):
        assert signed_in.get(f"{OGC}{path}?f=html")["Content-Type"].startswith("text/html")
        html = signed_in.get(OGC + path, HTTP_ACCEPT="text/html,application/xhtml+xml")
        assert html["Content-Type"].startswith("text/html")


def test_ats_html_content(signed_in):
    """/conf/html/content: the HTML carries the document's content and its links."""
    html = signed_in.get(f"{OGC}/processes/echo?f=html").content.decode()
    assert "<title>Echo</title>" in html and "stringInput" in html
    assert "/ogc/processes/echo/execution" in html


# --- /conf/oas30 ---------------------------------------------------------------------------------


def test_ats_oas30_oas_definition_1(client):
    """/conf/oas30/oas-definition-1: the OpenAPI document in JSON and in HTML."""
    assert client.get(f"{OGC}/api?f=json")["Content-Type"].startswith("application/vnd.oai")
    assert client.get(f"{OGC}/api?f=html")["Content-Type"].startswith("text/html")


def test_ats_oas30_oas_definition_2(client):
    """/conf/oas30/oas-definition-2: a valid OpenAPI 3.0 JSON document."""
    Draft4Validator(OPENAPI_30).validate(api_document(client))


def test_ats_oas30_completeness(client):
    """/conf/oas30/completeness: every resource of the API and its methods are described."""
    paths = api_document(client)["paths"]
    assert set(paths["/processes/{processId}/execution"]) == {"post"}
    assert set(paths["/jobs/{jobId}"]) == {"get", "delete"}
    assert "/jobs/{jobId}/results/{outputId}" in paths


def test_ats_oas30_exceptions_codes(client):
    """/conf/oas30/exceptions-codes: the error answers each operation may give are described."""
    paths = api_document(client)["paths"]
    execution = paths["/processes/{processId}/execution"]["post"]["responses"]
    assert {"200", "201", "400", "401", "403", "404", "500"} <= set(execution)
    assert "404" in paths["/jobs/{jobId}"]["get"]["responses"]
    assert "409" in paths["/jobs/{jobId}"]["delete"]["responses"]
    assert "404" in paths["/processes/{processId}"]["get"]["responses"]


def test_ats_oas30_oas_impl(signed_in, tasks_at_once):
    """/conf/oas30/oas-impl: every path and method described is implemented."""
    job = _async_echo(signed_in, {"stringInput": "a"})
    ids = {"processId": "echo", "jobId": job, "outputId": "stringOutput"}
    for path, ops in api_document(signed_in)["paths"].items():
        if not (path.startswith("/processes") or path.startswith("/jobs")):
            continue
        url = OGC + path.format(**ids)
        for method in ops:
            if method == "post":
                response = signed_in.post(url, "{}", content_type="application/json")
            elif method == "delete":
                continue  # dismissed below, last
            else:
                response = signed_in.get(url)
            assert response.status_code in (200, 204), (method, path, response.content[:200])
    assert signed_in.delete(f"{OGC}/jobs/{job}").status_code == 200


def test_ats_oas30_security(client):
    """/conf/oas30/security: the authentication schemes (Basic, token, session) are described
    and required by the operations that need them."""
    api = api_document(client)
    schemes = api["components"]["securitySchemes"]
    assert schemes["basicAuth"] == {"type": "http", "scheme": "basic"}
    assert {"basicAuth": []} in api["paths"]["/processes/{processId}/execution"]["post"]["security"]


# --- rights ---------------------------------------------------------------------------------------


def test_executing_needs_a_user_and_analyses_a_planning_role(client, binh_dinh):
    """Anonymous: 401 with a challenge; a signed-in user without a role may echo but not run an
    analysis (403, the Jobs tab's rule); nothing is stored."""
    refused = execute(client, "plan-vs-actual", {"inputs": {}})
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Basic")
    client.force_login(make_user("khongvaitro"))
    problem(execute(client, "plan-vs-actual", {"inputs": {}}), 403, "Forbidden")
    assert not m.AnalysisRun.objects.exists()


def test_session_writes_need_the_csrf_token(staff, area):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = execute(client, "plan-vs-actual", {"inputs": {"province": "52"}})
    assert response.status_code == 403 and "CSRF" in json.loads(response.content)["detail"]
    assert not m.AnalysisRun.objects.exists()


def test_basic_credentials_execute_without_csrf(client, staff, area):
    staff.set_password(PASSWORD)
    staff.save()
    response = execute(
        client, "plan-vs-actual", {"inputs": {"province": "52"}}, HTTP_AUTHORIZATION=basic("canbo")
    )
    assert response.status_code == 200, response.content


# --- real runs: the same analysis through the existing door ------------------------------------


def _same_results(ours: dict, theirs: dict) -> None:
    """The results of two runs of the same analysis on the same data (the run's own ids and
    times aside)."""
    drop = {"run_id", "checked_at"}
    assert {k: v for k, v in ours.items() if k not in drop} == {
        k: v for k, v in theirs.items() if k not in drop
    }


def _poll(client, job, timeout=180) -> dict:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        body = doc(client.get(f"{OGC}/jobs/{job}"))
        seen.append(body["progress"])
        if body["status"] in ("successful", "failed"):
            assert seen == sorted(seen), seen  # progress never goes back
            return body
        time.sleep(0.2)
    raise AssertionError(f"job {job} did not finish in {timeout} s (progress {seen[-5:]})")


def test_efficiency_sync_matches_the_rest_api_run(signed_in, staff, area):
    """Efficiency run synchronously through /ogc/ gives the results of the same run started
    through POST /api/v1/analyses/efficiency/ (the Jobs tab's door); both are stored runs."""
    response = execute(
        signed_in,
        "efficiency",
        {"inputs": {"province": "52", "unit": "commune"}, "outputs": {"result": {}}},
    )
    ours = doc(response)
    job = job_id_of(response)
    run = m.AnalysisRun.objects.get(pk=job)
    assert run.kind == "efficiency" and run.status == "done" and run.started_by == staff
    api = APIClient()
    api.force_authenticate(staff)
    theirs = api.post(
        "/api/v1/analyses/efficiency/", {"province": "52", "unit": "commune"}, format="json"
    ).json()
    _same_results(ours, theirs["results"])
    assert ours["n_areas"] == 1 and ours["areas"][0]["code"] == "CCN-CH"
    # Each area's row on its boundary: GeoJSON, the same row as the results'.
    areas = doc(signed_in.get(f"{OGC}/jobs/{job}/results/areas"))
    assert (
        signed_in.get(f"{OGC}/jobs/{job}/results/areas")["Content-Type"] == "application/geo+json"
    )
    (feature,) = areas["features"]
    assert feature["id"] == "CCN-CH" and feature["properties"] == ours["areas"][0]
    assert feature["geometry"]["type"] == "MultiPolygon"
    # The Jobs tab lists the OGC run as one of the user's jobs.
    listed = [j["id"] for j in api.get("/api/v1/jobs/").json()["jobs"]]
    assert int(job) in listed and theirs["id"] in listed


@pytest.mark.django_db(transaction=True)
def test_efficiency_async_on_a_worker(staff, area, task_worker):
    client = Client()
    client.force_login(staff)
    response = execute(
        client,
        "efficiency",
        {"inputs": {"province": "52"}, "response": "document"},
        prefer="respond-async",
    )
    job = doc(response, 201)["jobID"]
    assert response["Preference-Applied"] == "respond-async"
    assert _poll(client, job)["status"] == "successful"
    ours = doc(client.get(f"{OGC}/jobs/{job}/results"))["result"]
    assert ours["mediaType"] == "application/json"
    api = APIClient()
    api.force_authenticate(staff)
    theirs = api.get(f"/api/v1/analyses/runs/{job}/").json()
    assert theirs["status"] == "done" and theirs["started_by"] == "canbo"
    _same_results(ours["value"], theirs["results"])


@pytest.mark.django_db(transaction=True)
def test_site_suggestion_async_on_a_worker_publishes_its_sites(small_province, task_worker):
    """Site suggestion is asynchronous only: even without Prefer the answer is 201 + job; a
    worker runs it as the Jobs tab's runs; the sites come back as GeoJSON, the same as the REST
    API's sites of the run, and are the published layer's current sites."""
    user = make_user("quyhoach", role="industry_reviewer", unit=small_province)
    client = Client()
    client.force_login(user)
    inputs = {"province": "Bình Định", "kind": "CCN", "max_count": 3, "road_classes": ["national"]}
    response = execute(client, "site-suggestion", {"inputs": inputs})
    assert response.status_code == 201 and "Preference-Applied" not in response
    job = doc(response, 201)["jobID"]
    status = _poll(client, job)
    assert status["status"] == "successful" and status["progress"] == 100
    assert rels(status["links"])["related"].endswith("/ogc/collections/suggested_sites")
    parts = multipart(client.get(f"{OGC}/jobs/{job}/results"))
    result, sites = json.loads(parts["result"][1]), json.loads(parts["sites"][1])
    assert parts["sites"][0]["Content-Type"] == "application/geo+json"
    assert sites["type"] == "FeatureCollection" and len(sites["features"]) == result["count"]
    assert 1 <= result["count"] <= 3
    # The REST API (the Jobs tab's door) shows the same run and the same sites.
    api = APIClient()
    api.force_authenticate(user)
    run = api.get(f"/api/v1/analyses/runs/{job}/").json()
    _same_results(result, run["results"])
    rest_sites = api.get(run["links"]["sites"]).json()
    assert [f["properties"]["rank"] for f in rest_sites["features"]] == [
        f["properties"]["rank"] for f in sites["features"]
    ]
    assert {f["properties"]["run"] for f in sites["features"]} == {int(job)}
    # Published: the layer's current sites are this run's.
    current = m.SuggestedSite.objects.filter(is_current=True)
    assert set(current.values_list("run_id", flat=True)) == {int(job)}
    # Dismissing it would empty the province's layer: refused while its sites are current.
    refused = client.delete(f"{OGC}/jobs/{job}")
    assert doc(refused, 409)["type"] == "JobPublished"
    assert current.filter(run_id=int(job)).count() == result["count"]
    # A second run through the existing door gives the same results.
    again = api.post("/api/v1/analyses/site-suggestion/", inputs, format="json").json()
    deadline = time.monotonic() + 180
    while again["status"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        again = api.get(again["url"]).json()
    _same_results(result, again["results"])
    # Replaced by the newer run, the first job can be dismissed; the layer keeps the newer sites.
    assert client.delete(f"{OGC}/jobs/{job}").status_code == 200
    newer = set(current.values_list("run_id", flat=True))
    assert newer and int(job) not in newer and current.count() == result["count"]


# --- OWSLib ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_owslib_processes_client(live_server, area, staff):
    """OWSLib's Processes client lists, describes and executes (sync document, and async)."""
    from owslib.util import Authentication

    staff.set_password("pw-owslib-1")  # requests sends Basic credentials in Latin-1
    staff.save()
    api = Processes(f"{live_server.url}/ogc/", auth=Authentication("canbo", "pw-owslib-1"))
    ids = {p["id"] for p in api.processes()}
    assert ids == ANALYSES | {"echo"}
    assert api.process("efficiency")["inputs"]["unit"]["schema"]["enum"]
    out = api.execute("echo", {"stringInput": "OWSLib", "doubleInput": 2})
    assert out == {"stringOutput": "OWSLib", "doubleOutput": 2}
    out = api.execute("plan-vs-actual", {"province": "52"})
    assert out["result"]["value"]["rows"][0]["province"] == "Bình Định"
    status = api.execute("echo", {"stringInput": "later"}, async_=True)
    assert status["status"] == "accepted" and status["processID"] == "echo"
    api.headers.pop("Prefer", None)  # OWSLib keeps it in its module-wide request headers


# --- language ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, text",
    [("en", "no job '999'"), ("vi", "không có công việc '999'"), (None, "không có công việc")],
)
def test_problems_speak_the_request_language(signed_in, accept, text):
    """Problem details follow Accept-Language like the other OGC services (Vietnamese when the
    client says nothing)."""
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    body = problem(signed_in.get(f"{OGC}/jobs/999", **headers), 404, EXC + "no-such-job")
    assert text in body["detail"]
