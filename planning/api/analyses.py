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

import json
import re

from django.contrib.gis.geos import GEOSGeometry
from django.contrib.gis.gdal import GDALException
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from gis_service import access
from layers.catalogue import get_layer
from planning import models as m
from planning.api.auth import StaffRole, has_staff_role
from planning.api.base import (BaseApi, DownloadApi, GeoJSONRenderer, download_responses, extend_schema,
                               file_response)
from planning.api.layers import feature_serializer
from planning.selectors import analyses as sel
from planning.services import analyses as svc


# --------------------------------------------------------------------------------------------
# Reading rights
# --------------------------------------------------------------------------------------------
def can_read_analysis(user, spec: svc.AnalysisSpec) -> bool:
    return all(access.can_read_layer(user, get_layer(name)) for name in spec.input_layers)


def can_read_run(user, run: m.AnalysisRun) -> bool:
    if getattr(user, "is_authenticated", False) and run.started_by_id == user.pk:
        return True
    return can_read_analysis(user, svc.analysis_spec_for_kind(run.kind))


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
        return svc.analysis_spec_for_kind(run.kind).name

    def get_results(self, run) -> dict | None:
        return run.results if run.status == m.AnalysisRun.Status.DONE else None

    def get_started_by(self, run) -> str | None:
        return run.started_by.get_username() if run.started_by_id else None

    def get_admin_unit(self, run) -> dict | None:
        u = run.admin_unit
        return None if u is None else {"code": u.code, "name": u.name, "level": u.level}

    def get_links(self, run) -> dict:
        links = {}
        if run.kind == m.AnalysisRun.Kind.SITE_SUGGESTION:
            links["sites"] = self._abs(reverse("api:run-sites", args=[run.pk]))
        if run.kind == m.AnalysisRun.Kind.INFRASTRUCTURE:
            links["connectors"] = self._abs(reverse("api:run-connectors", args=[run.pk]))
        if run.kind == m.AnalysisRun.Kind.EFFICIENCY:
            base = reverse("api:run-export", args=[run.pk])
            links.update(csv=self._abs(base + "?format=csv"), xlsx=self._abs(base + "?format=xlsx"))
        return links


class AnalysisInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    title_vi = serializers.CharField()
    title_en = serializers.CharField()
    asynchronous = serializers.BooleanField()
    url = serializers.CharField()


class AnalysisIndexApi(BaseApi):
    """The analyses that can be run, and whether they run in the background."""

    @extend_schema(responses=AnalysisInfoSerializer(many=True), summary="Available analyses")
    def get(self, request):
        data = [{"name": s.name, "title_vi": s.title_vi, "title_en": s.title_en, "asynchronous": s.slow,
                 "url": request.build_absolute_uri(reverse("api:analysis-start", args=[s.name]))}
                for s in svc.ANALYSES.values() if s.name != "proposal-check"]
        return Response(AnalysisInfoSerializer(data, many=True).data)


# ---- inputs per analysis (shapes and types only; the services check the meaning) -------------
class _ProvinceInput(serializers.Serializer):
    province = serializers.CharField(required=False, allow_blank=True, help_text="tên hoặc mã tỉnh, ví dụ 52")


class SiteSuggestionInput(serializers.Serializer):
    province = serializers.CharField(help_text="tên hoặc mã tỉnh: 'Bình Định', '52'")
    kind = serializers.ChoiceField(choices=["CCN", "KCN"], default="CCN")
    weights = serializers.JSONField(required=False, help_text='{"road": 0.3, "slope": 0.2} hoặc "road=0.3,slope=0.2"')
    corridor_m = serializers.FloatField(required=False, min_value=1)
    max_count = serializers.IntegerField(required=False, min_value=1, max_value=100)
    resolution_m = serializers.FloatField(required=False, min_value=1)
    criteria = serializers.DictField(required=False, help_text="các tham số khác của SiteCriteria")


class EfficiencyInput(_ProvinceInput):
    unit = serializers.ChoiceField(choices=["commune", "district", "province"], required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    criteria = serializers.DictField(required=False)


class TargetsInput(_ProvinceInput):
    as_of_year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    as_of = serializers.DateField(required=False)
    grace_months = serializers.IntegerField(required=False, min_value=0, default=6)
    rule = serializers.DictField(required=False)


class EcoInput(_ProvinceInput):
    criteria = serializers.DictField(required=False)
    include_planned = serializers.BooleanField(required=False, default=False)


class InfrastructureInput(_ProvinceInput):
    criteria = serializers.DictField(required=False)


class LabourInput(_ProvinceInput):
    distances_m = serializers.ListField(child=serializers.FloatField(min_value=1), required=False)
    resolution_m = serializers.FloatField(required=False, min_value=1)


INPUTS = {
    "site-suggestion": SiteSuggestionInput, "efficiency": EfficiencyInput, "targets": TargetsInput,
    "eco-readiness": EcoInput, "infrastructure-gaps": InfrastructureInput, "labour-catchment": LabourInput,
    "plan-vs-actual": _ProvinceInput,
}


def _kwargs(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "")}


class AnalysisStartApi(BaseApi):
    """Start a run: 202 + run URL for background analyses, 201 + finished run otherwise."""

    permission_classes = [StaffRole]

    @extend_schema(
        summary="Start an analysis run", request=OpenApiTypes.OBJECT,
        description="Body by analysis: " + "; ".join(f"{n}: {', '.join(c().fields)}" for n, c in INPUTS.items()),
        responses={201: RunOutputSerializer, 202: RunOutputSerializer},
    )
    def post(self, request, name: str):
        spec = svc.analysis_spec(name)
        if name not in INPUTS:
            raise NotFound(f"{name} is run through its own endpoint")
        if not isinstance(request.data, dict):
            raise ValidationError({"body": "expected a JSON object"})
        ser = INPUTS[name](data=request.data)
        ser.is_valid(raise_exception=True)
        unknown = sorted(set(request.data) - set(ser.fields))
        if unknown:
            raise ValidationError({k: f"unknown parameter; known: {', '.join(ser.fields)}" for k in unknown})
        kwargs = _kwargs(dict(ser.validated_data))
        if spec.slow:
            run = svc.analysis_submit(name, user=request.user, **kwargs)
            out = RunOutputSerializer(run, context={"request": request}).data
            return Response(out, status=status.HTTP_202_ACCEPTED, headers={"Location": out["url"]})
        run = svc.analysis_run(name, user=request.user, **kwargs)
        out = RunOutputSerializer(run, context={"request": request}).data
        return Response(out, status=status.HTTP_201_CREATED, headers={"Location": out["url"]})


class RunFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=m.AnalysisRun.Kind.choices, required=False)
    status = serializers.ChoiceField(choices=m.AnalysisRun.Status.choices, required=False)


class RunListApi(BaseApi):
    pagination_class = LimitOffsetPagination  # also tells the schema the list is paginated

    @extend_schema(parameters=[RunFilterSerializer], responses=RunOutputSerializer(many=True), summary="Analysis runs")
    def get(self, request):
        f = RunFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        qs = sel.runs(**f.validated_data)
        if not has_staff_role(request.user):
            kinds = [s.kind for s in svc.ANALYSES.values() if can_read_analysis(request.user, s)]
            qs = qs.filter(kind__in=kinds, status=m.AnalysisRun.Status.DONE)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(RunOutputSerializer(page, many=True, context={"request": request}).data)


class _RunApi(BaseApi):
    def run(self, request, pk: int) -> m.AnalysisRun:
        run = sel.runs().filter(pk=pk).first()
        if run is None:
            raise NotFound(f"no analysis run {pk}")
        if not can_read_run(request.user, run):
            self.permission_denied(request, message=f"you may not read the results of run {pk}")
        return svc.run_refresh_stale(run)


class RunDetailApi(_RunApi):
    @extend_schema(responses=RunOutputSerializer, summary="One analysis run (status, progress, results)")
    def get(self, request, pk: int):
        return Response(RunOutputSerializer(self.run(request, pk), context={"request": request}).data)


class RunSitesApi(_RunApi):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    @extend_schema(responses=feature_serializer("suggested_sites")(many=True), summary="Sites of a site-suggestion run")
    def get(self, request, pk: int):
        run = self.run(request, pk)
        if run.kind != m.AnalysisRun.Kind.SITE_SUGGESTION:
            raise NotFound(f"run {pk} is not a site suggestion")
        return Response(feature_serializer("suggested_sites")(sel.suggested_sites(run=run), many=True).data)


class RunConnectorsApi(_RunApi):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    @extend_schema(responses=feature_serializer("infrastructure_connectors")(many=True),
                   summary="Connector lines of an infrastructure run")
    def get(self, request, pk: int):
        run = self.run(request, pk)
        if run.kind != m.AnalysisRun.Kind.INFRASTRUCTURE:
            raise NotFound(f"run {pk} is not an infrastructure-gaps run")
        qs = run.connectors.select_related("area").order_by("area__code", "network")
        return Response(feature_serializer("infrastructure_connectors")(qs, many=True).data)


class RunExportApi(_RunApi, DownloadApi):
    formats = ("json", "csv", "xlsx")

    @extend_schema(parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=list(formats)),
                               OpenApiParameter("table", OpenApiTypes.STR, enum=["areas", "units", "years"])],
                   responses=download_responses(formats), summary="Download an efficiency run")
    def get(self, request, pk: int):
        run = self.run(request, pk)
        if run.kind != m.AnalysisRun.Kind.EFFICIENCY or run.status != m.AnalysisRun.Status.DONE:
            raise NotFound(f"run {pk} is not a finished efficiency run")
        fmt = self.download_format(request)
        return file_response(*svc.efficiency_export(run.results, fmt, table=request.query_params.get("table", "areas")))


# --------------------------------------------------------------------------------------------
# Live reports (computed on request, not stored)
# --------------------------------------------------------------------------------------------
class _ReportApi(BaseApi):
    analysis = ""

    def compute(self, request):
        spec = svc.analysis_spec(self.analysis)
        if not can_read_analysis(request.user, spec):
            self.permission_denied(request, message=f"you may not read {spec.title_en.lower()}")
        ser = INPUTS[self.analysis](data=request.query_params)
        ser.is_valid(raise_exception=True)
        outcome = svc.analysis_compute(self.analysis, **_kwargs(dict(ser.validated_data)))
        return {**outcome.results, "input_versions": outcome.input_versions}

    def get(self, request):
        return Response(self.compute(request))


def _report(name: str, summary: str, input_cls) -> type[_ReportApi]:
    def get(self, request):
        return _ReportApi.get(self, request)

    return type(f"{name.title().replace('-', '')}ReportApi", (_ReportApi,), {
        "analysis": name,
        "get": extend_schema(summary=summary, parameters=[input_cls], responses=OpenApiTypes.OBJECT,
                             operation_id=f"report_{name.replace('-', '_')}")(get),
    })


class EfficiencyReportApi(_ReportApi, DownloadApi):
    analysis = "efficiency"
    formats = ("json", "csv", "xlsx")

    @extend_schema(summary="Land-use efficiency (JSON, or ?format=csv|xlsx)",
                   parameters=[EfficiencyInput,
                               OpenApiParameter("format", OpenApiTypes.STR, enum=list(formats)),
                               OpenApiParameter("table", OpenApiTypes.STR, enum=["areas", "units", "years"])],
                   responses=download_responses(formats, json_schema=OpenApiTypes.OBJECT))
    def get(self, request):
        fmt = self.download_format(request)  # a format not offered is refused before computing
        results = self.compute(request)
        if fmt in ("csv", "xlsx"):
            return file_response(*svc.efficiency_export(results, fmt, table=request.query_params.get("table", "areas")))
        return Response(results)


WatchListApi = _report("targets", "Target watch list, developer capacity, transfers, lagging projects", TargetsInput)
EcoReadinessApi = _report("eco-readiness", "Eco-industrial readiness", EcoInput)
InfrastructureGapsApi = _report("infrastructure-gaps", "Infrastructure to the fence", InfrastructureInput)
LabourCatchmentApi = _report("labour-catchment", "Labour catchment", LabourInput)
PlanVsActualApi = _report("plan-vs-actual", "Plan versus actual", _ProvinceInput)


# --------------------------------------------------------------------------------------------
# Proposal checks
# --------------------------------------------------------------------------------------------
_EPSG = re.compile(r"(?:EPSG:{1,2}|EPSG::|epsg:|crs:EPSG::?)(\d{4,5})$|^(\d{4,5})$", re.I)


def parse_srid(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, dict):  # GeoJSON 2008 "crs" member
        value = (value.get("properties") or {}).get("name", "")
    match = _EPSG.search(str(value).strip())
    if not match:
        raise ValidationError({"crs": f"unknown CRS {value!r}; give an EPSG code such as 4326 or EPSG:9217"})
    return int(match.group(1) or match.group(2))


def geometry_from_geojson(value, srid=None) -> GEOSGeometry:
    """A GEOS geometry from a GeoJSON geometry or Feature (dict or text), in ``srid`` (default its
    ``crs`` member, else EPSG:4326)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValidationError({"geometry": f"not JSON: {exc}"}) from None
    if not isinstance(value, dict):
        raise ValidationError({"geometry": "expected a GeoJSON geometry object"})
    if value.get("type") == "Feature":
        srid = srid or parse_srid(value.get("crs"))
        value = value.get("geometry") or {}
    srid = srid or parse_srid(value.get("crs")) or 4326
    body = {k: v for k, v in value.items() if k != "crs"}
    try:
        geom = GEOSGeometry(json.dumps(body))
    except (ValueError, TypeError, GDALException) as exc:
        raise ValidationError({"geometry": f"not a GeoJSON geometry: {exc}"}) from None
    geom.srid = srid
    return geom


class ProposalCheckInputSerializer(serializers.Serializer):
    geometry = serializers.JSONField(help_text="GeoJSON Polygon/MultiPolygon (or Feature)")
    crs = serializers.CharField(required=False, help_text="EPSG code of the coordinates, default 4326")
    kind = serializers.ChoiceField(choices=["CCN", "KCN"])
    admin_unit = serializers.CharField(help_text="mã đơn vị hành chính đề xuất")
    is_craft_village = serializers.BooleanField(required=False, default=False)
    expands = serializers.CharField(required=False, help_text="mã khu, cụm được mở rộng")
    store = serializers.BooleanField(required=False, default=True, help_text="lưu lần kiểm tra")


class RuleResultSerializer(serializers.Serializer):
    rule = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True)
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
        many=True, required=False, help_text="the units of the proposing unit's level it lies in")
    is_mountainous = serializers.BooleanField(
        required=False, help_text="the proposing unit's flag (the CCN 5 ha minimum)")
    summary_vi = serializers.CharField()
    rules = RuleResultSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())
    run_id = serializers.IntegerField(required=False)


class ProposalCheckApi(BaseApi):
    """Rule checks of a proposed boundary: size, overlaps, unit, road access, exclusions, occupancy."""

    permission_classes = [StaffRole]

    @extend_schema(request=ProposalCheckInputSerializer, responses=ProposalCheckResultSerializer,
                   summary="Check a proposed boundary")
    def post(self, request):
        ser = ProposalCheckInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        geom = geometry_from_geojson(d["geometry"], parse_srid(d.get("crs")))
        result = svc.proposal_check(geometry=geom, kind=d["kind"], admin_unit=d["admin_unit"],
                                    is_craft_village=d["is_craft_village"], expands=d.get("expands"),
                                    user=request.user, store=d["store"])
        return Response(result)


class ProposalValidateApi(BaseApi):
    """Re-check a stored proposal and keep the result in ``Proposal.validation``."""

    permission_classes = [StaffRole]

    @extend_schema(request=None, responses=ProposalCheckResultSerializer, summary="Validate a stored proposal")
    def post(self, request, pk: int):
        proposal = m.Proposal.objects.select_related("admin_unit").filter(pk=pk).first()
        # Proposals the caller may not see do not exist for them (as in the workflow's API).
        if proposal is None or not access.can_view_proposal(request.user, proposal):
            raise NotFound(f"no proposal {pk}")
        if not access.can_work_on_proposal(request.user, proposal):
            self.permission_denied(request, message="only the staff of the proposal's unit and its reviewer "
                                                    "may re-run its rule checks")
        return Response(svc.proposal_validate(proposal, user=request.user))
