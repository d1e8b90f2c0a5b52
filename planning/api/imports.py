"""Imports over the API, and the caller's jobs (imports and analysis runs) in one list.

* ``POST /api/v1/imports/`` (multipart: ``layer``, ``file``, ``mode`` append|replace|upsert,
  ``srs``) stores the file and a job and answers **202** with the job (``Location``: its URL);
  the import runs in the background and reports ``progress`` 0–100. Only users who may edit the
  layer (``planning.access``) may import into it, and only features inside their units;
  files larger than ``PLANNING_MAX_UPLOAD_BYTES`` are refused with **413**.
* ``GET /api/v1/imports/`` and ``/api/v1/imports/<id>/``: the caller's jobs (administrators: all).
* ``GET /api/v1/jobs/``: the caller's recent jobs, analyses and imports together, newest first,
  for the map page's "Jobs" tab (it polls this while any is queued or running). Stored on the
  server, so a page reload finds them again.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from layers.io import jobs as svc
from planning import models as m
from planning.api.analyses import RunOutputSerializer, _RunApi
from planning.api.auth import StaffRole
from planning.api.base import BaseApi, DownloadApi, download_responses, extend_schema, file_response
from planning.api.errors import error_response
from planning.services import analysis_runs
from planning.services.site_exports import sites_export

# A multipart body carries some bytes besides the file (boundaries, other fields).
MULTIPART_SLACK = 64 * 1024


class ImportJobOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    layer = serializers.CharField()
    file_name = serializers.CharField(source="original_name")
    size_bytes = serializers.IntegerField()
    mode = serializers.CharField()
    srs = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    progress = serializers.SerializerMethodField()
    progress_message = serializers.SerializerMethodField()
    features = serializers.IntegerField()
    created = serializers.IntegerField(source="created_count")
    updated = serializers.IntegerField(source="updated_count")
    deleted = serializers.IntegerField(source="deleted_count")
    source_crs = serializers.CharField()
    warnings = serializers.JSONField()
    errors = serializers.JSONField()
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_s = serializers.FloatField(allow_null=True)
    started_by = serializers.SerializerMethodField()

    def get_url(self, job) -> str:
        path = reverse("api:import-detail", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_type(self, job) -> str:
        return "import"

    def get_progress(self, job) -> int:
        return svc.job_live_progress(job)[0]

    def get_progress_message(self, job) -> str:
        return svc.job_live_progress(job)[1]

    def get_started_by(self, job) -> str | None:
        return job.started_by.get_username() if job.started_by_id else None


class ImportInputSerializer(serializers.Serializer):
    layer = serializers.CharField(help_text="catalogue layer, e.g. industrial_areas")
    file = serializers.FileField(
        help_text="GeoJSON, GeoPackage, zipped Shapefile …", allow_empty_file=True
    )
    mode = serializers.ChoiceField(
        choices=m.ImportJob.Mode.choices, default="append", required=False
    )
    srs = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="source CRS override, e.g. 9217 or EPSG:9209",
    )


class ImportListApi(BaseApi):
    """Start an import (202), or list the caller's import jobs."""

    parser_classes = [MultiPartParser, FormParser]
    pagination_class = LimitOffsetPagination  # also tells the schema the list is paginated

    def get_permissions(self):
        return [StaffRole()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(responses=ImportJobOutputSerializer(many=True), summary="Import jobs")
    def get(self, request):
        qs = svc.import_jobs_visible(request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = ImportJobOutputSerializer(
            [svc.import_refresh_stale(j) for j in page], many=True, context={"request": request}
        ).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses={202: ImportJobOutputSerializer},
        summary="Import a file into a layer",
    )
    def post(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # Refuse before the body is read when it is clearly too large.
        if length > svc.max_upload_bytes() + MULTIPART_SLACK:
            return error_response(
                413,
                "too_large",
                svc.upload_size_refusal(length),
                {"limit_bytes": svc.max_upload_bytes()},
            )
        ser = ImportInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        job = svc.import_submit(
            user=request.user,
            layer=d["layer"],
            upload=d["file"],
            mode=d.get("mode", "append"),
            srs=d.get("srs"),
        )
        out = ImportJobOutputSerializer(job, context={"request": request}).data
        return Response(out, status=status.HTTP_202_ACCEPTED, headers={"Location": out["url"]})


class ImportDetailApi(BaseApi):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=ImportJobOutputSerializer,
        summary="One import job (status, progress, counts, errors)",
    )
    def get(self, request, pk: int):
        job = svc.import_jobs_visible(request.user).filter(pk=pk).first()
        if job is None:
            raise NotFound(_("no import job %(pk)s of yours") % {"pk": pk})
        job = svc.import_refresh_stale(job)
        return Response(ImportJobOutputSerializer(job, context={"request": request}).data)


class JobsInputSerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)


class JobListApi(BaseApi):
    """The caller's recent jobs: analysis runs they started and their imports, newest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[JobsInputSerializer],
        responses={200: serializers.JSONField()},
        summary="My recent jobs (analyses and imports)",
    )
    def get(self, request):
        f = JobsInputSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        limit = f.validated_data["limit"]
        runs = (
            m.AnalysisRun.objects.filter(started_by=request.user)
            .select_related("admin_unit", "started_by")
            .exclude(kind=m.AnalysisRun.Kind.PROPOSAL_CHECK)
            .order_by("-created_at", "-pk")[:limit]
        )
        jobs = (
            m.ImportJob.objects.filter(started_by=request.user)
            .select_related("started_by")
            .order_by("-created_at", "-pk")[:limit]
        )
        ctx = {"request": request}
        items = []
        for run in runs:
            run = analysis_runs.run_refresh_stale(run)
            data = {
                **RunOutputSerializer(run, context=ctx).data,
                "type": "analysis",
                "status_display": run.get_status_display(),
                "title": run.get_kind_display(),
            }
            if (
                run.kind == m.AnalysisRun.Kind.SITE_SUGGESTION
                and run.status == m.AnalysisRun.Status.DONE
            ):
                base = request.build_absolute_uri(reverse("api:run-sites-export", args=[run.pk]))
                data["links"] = {
                    **data["links"],
                    **{f"sites_{fmt}": f"{base}?format={fmt}" for fmt in ("csv", "xlsx", "gpkg")},
                }
            items.append((run.created_at, data))
        for job in jobs:
            job = svc.import_refresh_stale(job)
            items.append((job.created_at, ImportJobOutputSerializer(job, context=ctx).data))
        items.sort(key=lambda item: item[0], reverse=True)
        out = [data for _at, data in items[:limit]]
        active = sum(1 for d in out if d["status"] in ("queued", "running"))
        return Response({"count": len(out), "active": active, "jobs": out})


class RunSitesExportApi(_RunApi, DownloadApi):
    """The sites of a finished site-suggestion run as CSV (the default), XLSX or GeoPackage."""

    formats = ("csv", "xlsx", "gpkg")

    @extend_schema(
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=list(formats))],
        responses=download_responses(formats),
        summary="Download the sites of a run",
    )
    def get(self, request, pk: int):
        run = self.run(request, pk)
        if (
            run.kind != m.AnalysisRun.Kind.SITE_SUGGESTION
            or run.status != m.AnalysisRun.Status.DONE
        ):
            raise NotFound(_("run %(pk)s is not a finished site suggestion") % {"pk": pk})
        return file_response(*sites_export(run, self.download_format(request)))
