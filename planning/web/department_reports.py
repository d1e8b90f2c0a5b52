"""The departments' reports from a province's dashboard: the Department of Finance workbook
(infrastructure to the fence), the Department of Home Affairs workbook and PDF (labour) and the
lease-price table (:mod:`planning.services.department_reports`). Thin: rights, then one service."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from planning.selectors import dashboards as reads
from planning.services.department_reports import (
    PDF_TYPE,
    fence_cost_report,
    fence_cost_xlsx,
    labour_report,
    labour_report_filename,
    labour_report_pdf,
    labour_report_xlsx,
)
from planning.web import dashboard_data as dash


def _forbidden() -> HttpResponse:
    return HttpResponse(
        _("You may not read this report."), status=403, content_type="text/plain; charset=utf-8"
    )


def _file(content: bytes, content_type: str, filename: str, *, inline=False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


def _province(pk: int):
    province = reads.province_get(int(pk)) if int(pk) <= 2**31 - 1 else None
    if province is None:
        raise Http404(_("There is no province with id %(id)s.") % {"id": pk})
    return province


def report_links(province, user) -> list[dict]:
    """The department reports ``user`` may download for ``province`` (the dashboard's block)."""
    out = []
    if dash.may_read_analysis(user, "infrastructure-gaps"):
        out.append(
            {
                "id": "report-infrastructure-costs",
                "label": _("Infrastructure to the fence: costs and missing capacity (XLSX)"),
                "for": _("Department of Finance"),
                "url": reverse("web:dashboard_infrastructure_costs", args=[province.pk]),
            }
        )
    if dash.may_read_analysis(user, "labour-catchment"):
        for fmt in ("xlsx", "pdf"):
            out.append(
                {
                    "id": f"report-labour-{fmt}",
                    "label": _("Labour resources near parks and clusters (%(format)s)")
                    % {"format": fmt.upper()},
                    "for": _("Department of Home Affairs"),
                    "url": reverse("web:dashboard_labour_report", args=[province.pk, fmt]),
                }
            )
    return out


@require_GET
def infrastructure_costs(request, pk: int):
    province = _province(pk)
    if not dash.may_read_analysis(request.user, "infrastructure-gaps"):
        return _forbidden()
    return _file(*fence_cost_xlsx(fence_cost_report(province=province)))


@require_GET
def labour(request, pk: int, fmt: str):
    province = _province(pk)
    if not dash.may_read_analysis(request.user, "labour-catchment"):
        return _forbidden()
    report = labour_report(province=province)
    if fmt == "pdf":
        return _file(
            labour_report_pdf(report),
            PDF_TYPE,
            labour_report_filename(report, "pdf"),
            inline=True,
        )
    return _file(*labour_report_xlsx(report))
