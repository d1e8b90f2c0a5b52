"""Analyses over the API: start runs, poll them, read stored results, and live reports.

* ``POST /api/v1/analyses/<name>/`` starts a run (signed-in planning role). Slow analyses (site
  suggestion, labour catchment) answer **202** at once with the run and its URL (``Location``);
  the run executes in the background and reports ``progress`` 0–100. Quick ones answer **201**
  with the finished run.
* ``GET /api/v1/analyses/runs/<id>/`` shows status, progress, parameters, input versions,
  timings and (when done) results; it is stored, so a page reload loses nothing.
* ``GET /api/v1/efficiency/`` (``?format=csv|xlsx`` downloads), ``/watch-list/``,
  ``/eco-readiness/``, ``/infrastructure-gaps/``, ``/labour-catchment/``, ``/plan-vs-actual/``:
  computed on request from the current data, not stored.
* ``POST /api/v1/proposals/check/``: rule checks of a geometry with citations;
  ``POST /api/v1/proposals/<id>/validate/`` stores them in ``Proposal.validation``.

Reading follows the catalogue: a result is readable by whoever may read every layer it is
computed from (``AnalysisSpec.input_layers``).
"""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from layers.catalogue import get_layer
from planning import access
from planning import models as m
from planning.api.auth import StaffRole, has_staff_role
from planning.api.base import (
    BaseApi,
    DownloadApi,
    GeoJSONRenderer,
    download_responses,
    extend_schema,
    file_response,
)
from planning.api.layers import feature_serializer
from planning.errors import InvalidParameter
from planning.selectors.analysis_runs import runs, suggested_sites
from planning.services.analyses import ANALYSES, analysis_spec
from planning.services.analyses.registry import AnalysisSpec
from planning.services.analysis_exports import efficiency_export
from planning.services.analysis_params import (
    TYPES,
    Param,
    geometry_from_value,
    param_error,
    params_doc,
    parse_crs,
)
from planning.services.analysis_runs import (
    analysis_compute,
    analysis_run,
    analysis_submit,
    run_refresh_stale,
)
from planning.services.conversion_exports import conversion_export
from planning.services.proposal_validation import proposal_check, proposal_validate
from planning.texts import translate


# --------------------------------------------------------------------------------------------
# Reading rights
# --------------------------------------------------------------------------------------------
def can_read_analysis(user, spec: AnalysisSpec) -> bool:
    return all(access.can_read_layer(user, get_layer(name)) for name in spec.input_layers)


def can_read_run(user, run: m.AnalysisRun) -> bool:
    if getattr(user, "is_authenticated", False) and run.started_by_id == user.pk:
        return True
    return can_read_analysis(user, analysis_spec(run.kind))


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------
class RunOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    analysis = serializers.SerializerMethodField()
    kind = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    progress_message = serializers.CharField()
    params = serializers.JSONField()
    input_versions = serializers.JSONField()
    results = serializers.SerializerMethodField()
    error = serializers.CharField()
    timings = serializers.JSONField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_s = serializers.FloatField(allow_null=True)
    started_by = serializers.SerializerMethodField()
    admin_unit = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    def _abs(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, run) -> str:
        return self._abs(reverse("api:run-detail", args=[run.pk]))

    def get_analysis(self, run) -> str:
        return run.kind  # the analysis' name

    def get_results(self, run) -> dict | None:
        return translate(run.results) if run.status == m.AnalysisRun.Status.DONE else None

    def get_started_by(self, run) -> str | None:
        return run.started_by.get_username() if run.started_by_id else None

    def get_admin_unit(self, run) -> dict | None:
        u = run.admin_unit
        return None if u is None else {"code": u.code, "name": u.name, "level": u.level}

    def get_links(self, run) -> dict:
        links = {}
        if run.kind == m.AnalysisRun.Kind.SITE_SUGGESTION:
            links["sites"] = self._abs(reverse("api:run-sites", args=[run.pk]))
        if run.kind == m.AnalysisRun.Kind.INFRASTRUCTURE_GAPS:
            links["connectors"] = self._abs(reverse("api:run-connectors", args=[run.pk]))
        if run.kind == m.AnalysisRun.Kind.EFFICIENCY:
            base = reverse("api:run-export", args=[run.pk])
            links.update(csv=self._abs(base + "?format=csv"), xlsx=self._abs(base + "?format=xlsx"))
        return links


class ParameterInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField())
    help_vi = serializers.CharField()
    help_en = serializers.CharField()


class AnalysisInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    title_vi = serializers.CharField()
    title_en = serializers.CharField()
    asynchronous = serializers.BooleanField()
    url = serializers.CharField()
    parameters = ParameterInfoSerializer(
        many=True, help_text="what the body of a POST to `url` may hold"
    )


class AnalysisIndexApi(BaseApi):
    """The analyses that can be run, and whether they run in the background."""

    @extend_schema(responses=AnalysisInfoSerializer(many=True), summary="Available analyses")
    def get(self, request):
        data = [
            {
                "name": s.name,
                "title_vi": s.title_vi,
                "title_en": s.title_en,
                "asynchronous": s.slow,
                "url": request.build_absolute_uri(reverse("api:analysis-start", args=[s.name])),
                "parameters": params_doc(s),
            }
            for s in ANALYSES.values()
            if s.name != "proposal-check"
        ]
        return Response(AnalysisInfoSerializer(data, many=True).data)


# ---- inputs per analysis ------------------------------------------------------------------------
# The parameters are declared once, with the analysis (AnalysisSpec.parameters), and checked once,
# by the services (planning.services.analysis_params) — for this API as for the commands and the
# Jobs tab. The serializers below are generated from those declarations, for the schema only.
def _doc_field(p, required: bool) -> serializers.Field:
    kw = {
        "required": required,
        # Lazy: drf-spectacular renders the schema in the request's language (or ?lang=).
        "help_text": p.help,
    }
    if p.type == "choice":
        return serializers.ChoiceField(choices=list(p.choices), **kw)
    if p.type in ("integer", "year"):
        return serializers.IntegerField(min_value=p.minimum, max_value=p.maximum, **kw)
    if p.type == "number":
        return serializers.FloatField(min_value=p.minimum, max_value=p.maximum, **kw)
    if p.type == "choices":
        return serializers.ListField(child=serializers.ChoiceField(choices=list(p.choices)), **kw)
    if p.type == "numbers":
        return serializers.ListField(child=serializers.FloatField(max_value=p.maximum), **kw)
    if p.type == "boolean":
        return serializers.BooleanField(**kw)
    if p.type == "date":
        return serializers.DateField(**kw)
    if p.type == "object":
        return serializers.DictField(**kw)
    if p.type in ("weights", "geometry"):
        return serializers.JSONField(**kw)
    return serializers.CharField(**kw)  # province, admin_unit, area, proposal, crs: names and codes


def input_serializer(
    name: str, *, exclude=(), extra: dict | None = None
) -> type[serializers.Serializer]:
    """The schema of analysis ``name``'s parameters, generated from its declaration."""
    spec = analysis_spec(name)
    required = set(spec.required[0]) if len(spec.required) == 1 else set()
    fields = {
        p.name: _doc_field(p, p.name in required) for p in spec.parameters if p.name not in exclude
    }
    fields.update(extra or {})
    cls_name = "".join(w.title() for w in name.split("-")) + "Input"
    return type(cls_name, (serializers.Serializer,), fields)


#: The analyses started through ``POST /api/v1/analyses/<name>/`` (proposal checks have their own
#: endpoints, which check the caller's rights on the proposal).
INPUTS = {name: input_serializer(name) for name in ANALYSES if name != "proposal-check"}


def _body(request) -> dict:
    """The request body as parameters: a JSON object (or a form, one value per name)."""
    data = request.data
    if isinstance(data, QueryDict):
        return data.dict()
    if not isinstance(data, dict):
        raise InvalidParameter(_("The request body must be a JSON object {parameter: value}"))
    return dict(data)


def _query(request, *, reserved=("format",)) -> dict:
    """The query string as parameters (a repeated name gives a list), API-level names left out."""
    out = {}
    for key in request.query_params:
        if key in reserved:
            continue
        values = request.query_params.getlist(key)
        out[key] = values if len(values) > 1 else values[0]
    return out


class AnalysisStartApi(BaseApi):
    """Start a run: 202 + run URL for background analyses, 201 + finished run otherwise."""

    permission_classes = [StaffRole]

    @extend_schema(
        summary="Start an analysis run",
        request=OpenApiTypes.OBJECT,
        description="Body by analysis (the service checks the parameters; a refusal is a 400 "
        "naming the parameter, also in `error.details.parameter`): "
        + "; ".join(f"{n}: {', '.join(c().fields)}" for n, c in INPUTS.items()),
        responses={201: RunOutputSerializer, 202: RunOutputSerializer},
    )
    def post(self, request, name: str):
        spec = analysis_spec(name)
        if name not in INPUTS:
            raise NotFound(
                _(
                    "%(name)s is run through its own endpoint: POST /api/v1/proposals/check/ or "
                    "/api/v1/proposals/<id>/validate/"
                )
                % {"name": name}
            )
        params = _body(request)
        if spec.slow:
            run = analysis_submit(name, params, user=request.user)
            out = RunOutputSerializer(run, context={"request": request}).data
            return Response(out, status=status.HTTP_202_ACCEPTED, headers={"Location": out["url"]})
        run = analysis_run(name, params, user=request.user)
        out = RunOutputSerializer(run, context={"request": request}).data
        return Response(out, status=status.HTTP_201_CREATED, headers={"Location": out["url"]})


class RunFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=m.AnalysisRun.Kind.choices, required=False)
    status = serializers.ChoiceField(choices=m.AnalysisRun.Status.choices, required=False)


class RunListApi(BaseApi):
    pagination_class = LimitOffsetPagination  # also tells the schema the list is paginated

    @extend_schema(
        parameters=[RunFilterSerializer],
        responses=RunOutputSerializer(many=True),
        summary="Analysis runs",
    )
    def get(self, request):
        f = RunFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        qs = runs(**f.validated_data)
        if not has_staff_role(request.user):
            kinds = [s.name for s in ANALYSES.values() if can_read_analysis(request.user, s)]
            qs = qs.filter(kind__in=kinds, status=m.AnalysisRun.Status.DONE)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(
            RunOutputSerializer(page, many=True, context={"request": request}).data
        )


class _RunApi(BaseApi):
    def run(self, request, pk: int) -> m.AnalysisRun:
        run = runs().filter(pk=pk).first()
        if run is None:
            raise NotFound(_("no analysis run %(id)s") % {"id": pk})
        if not can_read_run(request.user, run):
            self.permission_denied(
                request, message=_("you may not read the results of run %(id)s") % {"id": pk}
            )
        return run_refresh_stale(run)


class RunDetailApi(_RunApi):
    @extend_schema(
        responses=RunOutputSerializer, summary="One analysis run (status, progress, results)"
    )
    def get(self, request, pk: int):
        return Response(
            RunOutputSerializer(self.run(request, pk), context={"request": request}).data
        )


class RunSitesApi(_RunApi):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    @extend_schema(
        responses=feature_serializer("suggested_sites")(many=True),
        summary="Sites of a site-suggestion run",
    )
    def get(self, request, pk: int):
        run = self.run(request, pk)
        if run.kind != m.AnalysisRun.Kind.SITE_SUGGESTION:
            raise NotFound(_("run %(id)s is not a site suggestion") % {"id": pk})
        return Response(
            feature_serializer("suggested_sites")(suggested_sites(run=run), many=True).data
        )


class RunConnectorsApi(_RunApi):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    @extend_schema(
        responses=feature_serializer("infrastructure_connectors")(many=True),
        summary="Connector lines of an infrastructure run",
    )
    def get(self, request, pk: int):
        run = self.run(request, pk)
        if run.kind != m.AnalysisRun.Kind.INFRASTRUCTURE_GAPS:
            raise NotFound(_("run %(id)s is not an infrastructure-gaps run") % {"id": pk})
        qs = run.connectors.select_related("area").order_by("area__code", "network")
        return Response(feature_serializer("infrastructure_connectors")(qs, many=True).data)


class RunExportApi(_RunApi, DownloadApi):
    formats = ("json", "csv", "xlsx")

    @extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(formats)),
            OpenApiParameter("table", OpenApiTypes.STR, enum=["areas", "units", "years"]),
        ],
        responses=download_responses(formats),
        summary="Download an efficiency run",
    )
    def get(self, request, pk: int):
        run = self.run(request, pk)
        if run.kind != m.AnalysisRun.Kind.EFFICIENCY or run.status != m.AnalysisRun.Status.DONE:
            raise NotFound(_("run %(id)s is not a finished efficiency run") % {"id": pk})
        fmt = self.download_format(request)
        return file_response(
            *efficiency_export(run.results, fmt, table=request.query_params.get("table", "areas"))
        )


# --------------------------------------------------------------------------------------------
# Live reports (computed on request, not stored)
# --------------------------------------------------------------------------------------------
class _ReportApi(BaseApi):
    analysis = ""
    reserved = ("format",)  # query names of the API itself, not parameters of the analysis

    def compute(self, request):
        spec = analysis_spec(self.analysis)
        if not can_read_analysis(request.user, spec):
            title = str(spec.title).lower()  # the active language: the request's
            self.permission_denied(
                request, message=_("you may not read %(analysis)s") % {"analysis": title}
            )
        outcome = analysis_compute(self.analysis, _query(request, reserved=self.reserved))
        return {**translate(outcome.results), "input_versions": outcome.input_versions}

    def get(self, request):
        return Response(self.compute(request))


def _report(name: str, summary: str, input_cls) -> type[_ReportApi]:
    def get(self, request):
        return _ReportApi.get(self, request)

    return type(
        f"{name.title().replace('-', '')}ReportApi",
        (_ReportApi,),
        {
            "analysis": name,
            "get": extend_schema(
                summary=summary,
                parameters=[input_cls],
                responses=OpenApiTypes.OBJECT,
                operation_id=f"report_{name.replace('-', '_')}",
            )(get),
        },
    )


class EfficiencyReportApi(_ReportApi, DownloadApi):
    analysis = "efficiency"
    reserved = ("format", "table")
    formats = ("json", "csv", "xlsx")

    @extend_schema(
        summary="Land-use efficiency (JSON, or ?format=csv|xlsx)",
        parameters=[
            INPUTS["efficiency"],
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(formats)),
            OpenApiParameter("table", OpenApiTypes.STR, enum=["areas", "units", "years"]),
        ],
        responses=download_responses(formats, json_schema=OpenApiTypes.OBJECT),
    )
    def get(self, request):
        fmt = self.download_format(request)  # a format not offered is refused before computing
        results = self.compute(request)
        if fmt in ("csv", "xlsx"):
            return file_response(
                *efficiency_export(results, fmt, table=request.query_params.get("table", "areas"))
            )
        return Response(results)


WatchListApi = _report(
    "targets",
    "Target watch list, developer capacity, transfers, lagging projects",
    INPUTS["targets"],
)


class EcoReadinessApi(_ReportApi, DownloadApi):
    """Eco readiness and the conversion roadmaps (criteria met of total, deadline, overdue)."""

    analysis = "eco-readiness"
    reserved = ("format", "table")
    formats = ("json", "csv", "xlsx")

    @extend_schema(
        summary="Eco-industrial readiness and conversion roadmaps (JSON, or ?format=csv|xlsx)",
        parameters=[
            INPUTS["eco-readiness"],
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(formats)),
            OpenApiParameter("table", OpenApiTypes.STR, enum=["roadmaps", "criteria", "readiness"]),
        ],
        responses=download_responses(formats, json_schema=OpenApiTypes.OBJECT),
        operation_id="report_eco_readiness",
    )
    def get(self, request):
        fmt = self.download_format(request)  # a format not offered is refused before computing
        results = self.compute(request)
        if fmt in ("csv", "xlsx"):
            return file_response(
                *conversion_export(
                    results, fmt, table=request.query_params.get("table", "roadmaps")
                )
            )
        return Response(results)


InfrastructureGapsApi = _report(
    "infrastructure-gaps", "Infrastructure to the fence", INPUTS["infrastructure-gaps"]
)
LabourCatchmentApi = _report("labour-catchment", "Labour catchment", INPUTS["labour-catchment"])
PlanVsActualApi = _report("plan-vs-actual", "Plan versus actual", INPUTS["plan-vs-actual"])


# --------------------------------------------------------------------------------------------
# Proposal checks
# --------------------------------------------------------------------------------------------
def _as_drf(exc: InvalidParameter) -> ValidationError:
    name = (exc.details or {}).get("parameter") or "non_field_errors"
    return ValidationError({name: exc.message})


def parse_srid(value) -> int | None:
    """An EPSG code (``4326``, ``"EPSG:9217"``, a GeoJSON ``crs`` member) or None; the services' one
    parser (:func:`planning.services.analysis_params.parse_crs`), refusals as DRF errors."""
    try:
        return parse_crs(value, "crs")
    except InvalidParameter as exc:
        raise _as_drf(exc) from None


def geometry_from_geojson(value, srid=None) -> GEOSGeometry:
    """A GEOS geometry from a GeoJSON geometry or Feature (dict or text) — or WKT — in ``srid``
    (default its ``crs`` member, else EPSG:4326); the services' one parser, refusals as DRF
    errors."""
    try:
        return geometry_from_value(value, srid)
    except InvalidParameter as exc:
        raise _as_drf(exc) from None


ProposalCheckInputSerializer = input_serializer(
    "proposal-check",
    exclude=("proposal",),
    extra={
        "store": serializers.BooleanField(
            required=False, default=True, help_text="lưu lần kiểm tra / store the check as a run"
        )
    },
)


class RuleResultSerializer(serializers.Serializer):
    rule = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True)
    message = serializers.CharField(help_text="in the language of the request")
    message_vi = serializers.CharField()
    message_en = serializers.CharField()
    citation = serializers.CharField()
    measured = serializers.FloatField(allow_null=True)
    limit = serializers.FloatField(allow_null=True)
    unit = serializers.CharField()


class UnitShareSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    share = serializers.FloatField()


class ProposalCheckResultSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    complete = serializers.BooleanField()
    n_failed = serializers.IntegerField()
    n_unknown = serializers.IntegerField()
    area_ha = serializers.FloatField()
    kind = serializers.CharField()
    admin_unit = serializers.CharField(help_text="the proposing unit (the one named), by name")
    admin_unit_code = serializers.CharField(required=False)
    lies_in = UnitShareSerializer(
        many=True, required=False, help_text="the units of the proposing unit's level it lies in"
    )
    is_mountainous = serializers.BooleanField(
        required=False, help_text="the proposing unit's flag (the CCN 5 ha minimum)"
    )
    summary = serializers.CharField(help_text="in the language of the request")
    summary_vi = serializers.CharField()
    rules = RuleResultSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())
    run_id = serializers.IntegerField(required=False)


class ProposalCheckApi(BaseApi):
    """Rule checks of a proposed boundary: size, overlaps, unit, road access, exclusions,
    occupancy."""

    permission_classes = [StaffRole]

    @extend_schema(
        request=ProposalCheckInputSerializer,
        responses=ProposalCheckResultSerializer,
        summary="Check a proposed boundary",
    )
    def post(self, request):
        params = _body(request)
        if "proposal" in params:  # a stored proposal is checked where its rights are: .../validate/
            raise param_error(
                "proposal",
                _("a stored proposal is checked with POST /api/v1/proposals/<id>/validate/"),
            )
        store = params.pop("store", None)
        store = (
            True if store is None else TYPES["boolean"].parse(Param("store", "boolean"), store, {})
        )
        return Response(proposal_check(params, user=request.user, store=store))


class ProposalValidateApi(BaseApi):
    """Re-check a stored proposal and keep the result in ``Proposal.validation``."""

    permission_classes = [StaffRole]

    @extend_schema(
        request=None, responses=ProposalCheckResultSerializer, summary="Validate a stored proposal"
    )
    def post(self, request, pk: int):
        proposal = m.Proposal.objects.select_related("admin_unit").filter(pk=pk).first()
        # Proposals the caller may not see do not exist for them (as in the workflow's API).
        if proposal is None or not access.can_view_proposal(request.user, proposal):
            raise NotFound(_("no proposal %(id)s") % {"id": pk})
        if not access.can_work_on_proposal(request.user, proposal):
            self.permission_denied(
                request,
                message=_(
                    "only the staff of the proposal's unit and its reviewer may re-run its rule "
                    "checks"
                ),
            )
        return Response(proposal_validate(proposal, user=request.user))
