"""The OpenAPI schema at /api/schema/ describes the API (and only it)."""

import pytest

pytestmark = pytest.mark.django_db


def test_schema_loads_as_openapi_3(api):
    r = api.get("/api/schema/?format=json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.") and doc["info"]["title"] == "KCN Planner API"
    paths = doc["paths"]
    for p in (
        "/api/v1/analyses/{name}/",
        "/api/v1/analyses/runs/{id}/",
        "/api/v1/efficiency/",
        "/api/v1/proposals/check/",
        "/api/v1/layers/suggested_sites/",
        "/api/v1/layers/industrial_areas/{id}/",
    ):
        assert p in paths, p
    assert all(p.startswith("/api/v1/") for p in paths)
    assert {"basicAuth", "tokenAuth", "cookieAuth"} <= set(doc["components"]["securitySchemes"])
    props = doc["components"]["schemas"]["ClearanceParcelsFeature"]["properties"]["properties"][
        "properties"
    ]
    assert "parcel_no" in props and "holder_name" not in props
    ops = [
        op["operationId"] for item in paths.values() for op in item.values() if isinstance(op, dict)
    ]
    assert len(ops) == len(set(ops))


def test_schema_yaml_by_default(api):
    r = api.get("/api/schema/")
    assert r.status_code == 200 and r.content.startswith(b"openapi: 3")


def test_schema_is_in_the_request_language(api):
    """Summaries and parameter help are gettext strings rendered in one language, not pairs."""
    from layers.catalogue import CATALOGUE
    from planning.services.analyses import ANALYSES

    spec = CATALOGUE["industrial_areas"]
    op = "/api/v1/layers/industrial_areas/"
    for lang, title in (("vi", spec.title_vi), ("en", spec.title_en)):
        doc = api.get(f"/api/schema/?format=json&lang={lang}").json()
        assert doc["paths"][op]["get"]["summary"] == title
    doc = api.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert doc["paths"][op]["get"]["summary"] == spec.title_en
    descriptions = set()

    def collect(node):
        if isinstance(node, dict):
            descriptions.add(node.get("description"))
            for v in node.values():
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    collect(doc)
    helped = [
        p for s in ANALYSES.values() if s.name != "proposal-check" for p in s.parameters if p.help
    ]
    assert helped
    assert any(p.help_en in descriptions for p in helped)
    assert not any(f"{p.help_vi} / {p.help_en}" in descriptions for p in helped)
