"""Reports for the provincial departments (:mod:`planning.services.department_reports`), computed
on request from the current data:

* ``GET /api/v1/infrastructure-costs/?province=…`` — connectors to the fence with estimated costs
  and missing wastewater capacity (JSON, or ``?format=xlsx``: the Department of Finance
  workbook); unit costs overridden by ``road_bn_vnd_per_km=…`` and the other fields of
  ``FenceCostCriteria``;
* ``GET /api/v1/labour-report/?province=…`` — working-age residents, planned jobs and the gap
  (JSON, ``xlsx`` or ``pdf``: the Department of Home Affairs report); ``working_age_share``,
  ``jobs_per_ha`` and ``distances_m`` (repeatable) override the defaults;
* ``GET /api/v1/lease-prices/?province=…`` — lease prices against the province's and the
  region's medians (JSON, ``csv`` or ``xlsx``).

Reading follows the catalogue, as for the other reports: whoever may read the layers the report
is computed from.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from layers.catalogue import get_layer
from planning import access
from planning.api.analyses import can_read_analysis
from planning.api.base import DownloadApi, download_responses, extend_schema, file_response
from planning.services.analyses import analysis_spec
from planning.services.analysis_params import param_error
from planning.services.department_reports import (
    PDF_TYPE,
    fence_cost_report,
    fence_cost_xlsx,
    labour_report,
    labour_report_filename,
    labour_report_pdf,
    labour_report_xlsx,
    lease_price_export,
    lease_price_report,
)
from planning.texts import translate

P_PROVINCE = OpenApiParameter(
    "province", OpenApiTypes.STR, description="province name or code (default: all)"
)


def _format(formats):
    return OpenApiParameter("format", OpenApiTypes.STR, enum=list(formats))


def _province(request):
    """The ``province`` asked for, or None: every province."""
    return request.query_params.get("province", "").strip() or None


def _number(request, name: str):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        raise param_error(name, _("%(name)s must be a number") % {"name": name}) from None


class _DepartmentReportApi(DownloadApi):
    analysis = ""

    def check_rights(self, request):
        spec = analysis_spec(self.analysis)
        if not can_read_analysis(request.user, spec):
            self.permission_denied(
                request, message=_("you may not read %(analysis)s") % {"analysis": spec.title}
            )


COST_FIELDS = (
    "road_bn_vnd_per_km",
    "power_bn_vnd_per_km",
    "water_bn_vnd_per_km",
    "wastewater_bn_vnd_per_km",
    "telecom_bn_vnd_per_km",
    "wastewater_m3_per_ha_day",
)


class InfrastructureCostsApi(_DepartmentReportApi):
    """Infrastructure to the fence: estimated cost per connector, missing capacity."""

    analysis = "infrastructure-gaps"
    formats = ("json", "xlsx")

    @extend_schema(
        summary="Infrastructure to the fence: costs and missing capacity (Department of Finance)",
        parameters=[
            P_PROVINCE,
            _format(formats),
            *(OpenApiParameter(f, OpenApiTypes.NUMBER) for f in COST_FIELDS),
        ],
        responses=download_responses(formats, json_schema=OpenApiTypes.OBJECT),
    )
    def get(self, request):
        fmt = self.download_format(request)
        self.check_rights(request)
        costs = {f: v for f in COST_FIELDS if (v := _number(request, f)) is not None}
        report = fence_cost_report(province=_province(request), costs=costs)
        if fmt == "xlsx":
            return file_response(*fence_cost_xlsx(report))
        return Response(translate(report))


class LabourReportApi(_DepartmentReportApi):
    """Labour resources: working-age residents within reach, planned jobs and the gap."""

    analysis = "labour-catchment"
    formats = ("json", "xlsx", "pdf")

    @extend_schema(
        summary="Labour resources near parks and clusters (Department of Home Affairs)",
        parameters=[
            P_PROVINCE,
            _format(formats),
            OpenApiParameter("working_age_share", OpenApiTypes.NUMBER),
            OpenApiParameter("jobs_per_ha", OpenApiTypes.NUMBER),
            OpenApiParameter("distances_m", OpenApiTypes.NUMBER, many=True),
        ],
        responses=download_responses(formats, json_schema=OpenApiTypes.OBJECT),
    )
    def get(self, request):
        fmt = self.download_format(request)
        self.check_rights(request)
        criteria = {
            f: v
            for f in ("working_age_share", "jobs_per_ha")
            if (v := _number(request, f)) is not None
        }
        distances = request.query_params.getlist("distances_m") or None
        report = labour_report(
            province=_province(request), criteria=criteria, distances_m=distances
        )
        if fmt == "xlsx":
            return file_response(*labour_report_xlsx(report))
        if fmt == "pdf":
            return file_response(
                labour_report_pdf(report),
                PDF_TYPE,
                labour_report_filename(report, "pdf"),
                inline=True,
            )
        return Response(report)


class LeasePricesApi(DownloadApi):
    """Lease prices of each park against the province's and the region's medians."""

    formats = ("json", "csv", "xlsx")

    @extend_schema(
        summary="Lease prices within the province and the region",
        parameters=[P_PROVINCE, _format(formats)],
        responses=download_responses(formats, json_schema=OpenApiTypes.OBJECT),
    )
    def get(self, request):
        fmt = self.download_format(request)
        if not access.can_read_layer(request.user, get_layer("industrial_areas")):
            self.permission_denied(request, message=_("you may not read the industrial areas"))
        report = lease_price_report(province=_province(request))
        if fmt == "json":
            return Response(report)
        return file_response(*lease_price_export(report, fmt))
