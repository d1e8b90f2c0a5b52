"""``GET /api/v1/``: what the API offers — every endpoint with its URL, methods and one line in the
request's language, and where the OpenAPI schema and its browsable page are.

The list is read from the URL patterns themselves (``planning/api/urls.py``), so an endpoint cannot
be added without appearing here; :data:`DESCRIPTIONS` gives each its line (a test checks that none
is missing).
"""

from __future__ import annotations

import re

from django.urls import URLPattern, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from layers.catalogue import CATALOGUE
from planning.api.base import BaseApi, extend_schema

# One line per URL name of planning/api/urls.py (the layers' own are made from the catalogue).
DESCRIPTIONS = {
    "root": gettext_lazy("This list: the API's endpoints and where its OpenAPI schema is"),
    "layers": gettext_lazy("The published layers you may read, with the URL of each"),
    "analyses": gettext_lazy(
        "The analyses that can be run, and whether they run in the background"
    ),
    "runs": gettext_lazy("Analysis runs you may see"),
    "run-detail": gettext_lazy("One analysis run: its state, parameters and results"),
    "run-sites": gettext_lazy("The suggested sites of a finished site-suggestion run (GeoJSON)"),
    "run-connectors": gettext_lazy("The connector lines of an infrastructure-gaps run (GeoJSON)"),
    "run-export": gettext_lazy("Download a finished efficiency run (?format=json, csv or xlsx)"),
    "run-sites-export": gettext_lazy("Download the suggested sites of a run as a file"),
    "analysis-start": gettext_lazy(
        "Start an analysis run: the result (201), or the run's URL for a background analysis (202)"
    ),
    "efficiency": gettext_lazy("Land-use efficiency report (JSON, or ?format=csv or xlsx)"),
    "watch-list": gettext_lazy(
        "Target watch list: developer capacity, transfers, lagging projects"
    ),
    "eco-readiness": gettext_lazy(
        "Eco-industrial readiness and conversion roadmaps: criteria met, deadline, overdue "
        "(JSON, or ?format=csv or xlsx)"
    ),
    "conversion-criteria": gettext_lazy(
        "The eco and smart conversion criteria, each with its basis and whether it is confirmed"
    ),
    "infrastructure-gaps": gettext_lazy("Infrastructure to the fence: what each area still lacks"),
    "labour-catchment": gettext_lazy("Labour catchment of the industrial areas"),
    "plan-vs-actual": gettext_lazy("Plan versus actual report"),
    # issue 13 reports
    "infrastructure-costs": gettext_lazy(
        "Infrastructure to the fence: estimated costs and missing capacity (JSON or ?format=xlsx)"
    ),
    "labour-report": gettext_lazy(
        "Labour resources: working-age residents, planned jobs, the gap (JSON, xlsx or pdf)"
    ),
    "lease-prices": gettext_lazy(
        "Lease prices against the province's and the region's medians (JSON, csv or xlsx)"
    ),
    "proposal-check": gettext_lazy(
        "Check a proposed boundary against the rules, without storing it"
    ),
    "proposal-validate": gettext_lazy("Check a stored proposal against the rules"),
    "proposals": gettext_lazy("Proposals you may see (GET), or create a draft (POST)"),
    "proposal-read-file": gettext_lazy(
        "Read the boundary from an uploaded file, without storing it"
    ),
    "proposal-detail": gettext_lazy(
        "One proposal (GET), change a draft (PATCH), delete a draft (DELETE)"
    ),
    "proposal-action": gettext_lazy(
        "Take a workflow step ({action}: submit, withdraw, review, "
        "request-changes, approve, reject, comment)"
    ),
    "imports": gettext_lazy("Your import jobs (GET), or import a file into a layer (POST)"),
    "import-detail": gettext_lazy("One import job: status, progress, counts, errors"),
    "jobs": gettext_lazy("Your recent jobs, analyses and imports"),
    # issue 13 enforce
    "late-reports": gettext_lazy(
        "Periodic reports not received by the deadline, per area and per developer "
        "(?on=, ?format=json, csv or xlsx)"
    ),
    "enforcement-actions": gettext_lazy(
        "Actions on the watch list (GET), or record one (POST; provincial offices)"
    ),
    "enforcement-action-detail": gettext_lazy(
        "One enforcement action (GET), or change its outcome (PATCH)"
    ),
    "conversion-plans": gettext_lazy(
        "Conversion plans of clusters taken off the plan (GET), or record one (POST)"
    ),
    "transfer-cases": gettext_lazy("State-developed clusters on their way to an enterprise"),
    "transfer-case-advance": gettext_lazy("Move a transfer case to a stage (POST)"),
    # issue 13 plan
    "plans": gettext_lazy("Provincial plans: decision, period and amendments"),
    "plan-detail": gettext_lazy(
        "One provincial plan with its planned parks and clusters ({code}: the plan's code)"
    ),
}
_METHODS = ("get", "post", "put", "patch", "delete")


def _layer_description(name: str) -> str:
    spec = CATALOGUE[name]
    title = str(spec.title)  # the active language: the request's
    return _("Features of the layer “%(title)s” (GeoJSON; filters: bbox and the properties)") % {
        "title": title
    }


def _layer_detail_description(name: str) -> str:
    spec = CATALOGUE[name]
    title = str(spec.title)  # the active language: the request's
    return _("One feature of the layer “%(title)s” (GeoJSON)") % {"title": title}


def description(name: str) -> str | None:
    """The line for URL name ``name``; None if it has none (a test keeps that from happening)."""
    match = re.fullmatch(r"layer-(\w+?)(-detail)?", name)
    if match and match.group(1) in CATALOGUE:
        return (_layer_detail_description if match.group(2) else _layer_description)(match.group(1))
    line = DESCRIPTIONS.get(name)
    return str(line) if line is not None else None


def endpoints(patterns: list[URLPattern], prefix: str = "/api/v1/") -> list[dict]:
    """``[{name, url, methods, description}]`` of ``patterns``; ``url`` is a URI template
    (``/api/v1/proposals/{pk}/``) where the path has parameters."""
    out = []
    for pattern in patterns:
        view = getattr(pattern.callback, "cls", None) or getattr(
            pattern.callback, "view_class", None
        )
        methods = [m.upper() for m in _METHODS if view is not None and hasattr(view, m)]
        route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        out.append(
            {
                "name": pattern.name,
                "url": prefix + route,
                "methods": methods,
                "description": description(pattern.name),
            }
        )
    return out


class ApiRootApi(BaseApi):
    """The API's endpoints, with the OpenAPI schema and its browsable page."""

    permission_classes = [AllowAny]
    #: The URL patterns listed, given by the URLconf (``as_view(patterns=v1)``): it imports us.
    patterns: list | tuple = ()

    @extend_schema(summary="The API's endpoints", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        site = request.build_absolute_uri("/").rstrip(
            "/"
        )  # braces of the URI templates kept as they are
        return Response(
            {
                "title": "KCN Planner API",
                "version": "v1",
                "description": _(
                    "Planning of industrial parks and clusters: layers (GeoJSON), analyses, "
                    "proposals and imports. Sign in with HTTP Basic, a token (Authorization: "
                    "Token <key>) or the session. Messages follow Accept-Language (vi, en)."
                ),
                "schema": request.build_absolute_uri(reverse("api:schema")),
                "schema_page": request.build_absolute_uri(reverse("api:schema-page")),
                "endpoints": [{**e, "url": site + e["url"]} for e in endpoints(self.patterns)],
            }
        )
