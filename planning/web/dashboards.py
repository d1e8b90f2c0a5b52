"""Dashboards: a province picker, a province's and an area's figures, charts and tables, their
downloads (CSV, XLSX) and an area's PDF map sheet. Thin: :mod:`planning.web.dashboard_data`
assembles, views render.

What each section shows to whom is decided in :mod:`planning.web.dashboard_data` from
:mod:`planning.access` (public figures for anyone; clearance, targets, obstacles for roles
that may read the underlying layers; personal data never).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from layers.wms.render import MapRenderError
from planning.numbers import active_lang
from planning.selectors import dashboards as reads
from planning.selectors import synthetic
from planning.web import dashboard_data as dash
from planning.web import department_reports
from planning.web import layers as web_layers
from planning.web.map_sheet import area_map_sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


MAX_ID = 2**31 - 1  # larger ids cannot exist (and overflow SQLite's integer lookups)


def _province(pk):
    pk = int(pk)
    province = reads.province_get(pk) if pk <= MAX_ID else None
    if province is None:
        raise Http404(_("There is no province with id %(id)s.") % {"id": pk})
    return province


def _area(pk):
    pk = int(pk)
    area = reads.area_get(pk) if pk <= MAX_ID else None
    if area is None:
        raise Http404(_("There is no industrial park or cluster with id %(id)s.") % {"id": pk})
    return area


def _download(
    content: bytes, content_type: str, filename: str, *, inline: bool = False
) -> HttpResponse:
    """A file as it is: its bytes, its content type and its name (``attachment`` unless shown)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


def _table_download(
    request, data: dict, table: str, fmt: str, stem: str, title: str
) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    # Spreadsheets get whole URLs (a path means nothing outside the browser).
    absolute = request.build_absolute_uri
    if fmt == "xlsx":
        content = dash.tables_xlsx(list(data["tables"].values()), title=title, absolute=absolute)
        return _download(content, XLSX, f"{stem}_{stamp}.xlsx")
    if table not in data["tables"]:
        known = ", ".join(data["tables"])
        return HttpResponse(
            _("Unknown table %(table)s; the tables you may download here: %(known)s.")
            % {"table": table, "known": known},
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    return _download(
        dash.table_csv(data["tables"][table], absolute=absolute),
        "text/csv; charset=utf-8",
        f"{stem}_{table}_{stamp}.csv",
    )


@require_GET
def index(request):
    """Province picker; a user with a role in exactly one province goes straight to it."""
    provinces = reads.dashboard_provinces()
    own = reads.user_province_ids(request.user)
    listed = {p["unit"].pk for p in provinces}
    if len(own) == 1 and own <= listed and "all" not in request.GET:
        return redirect("web:dashboard_province", pk=next(iter(own)))
    for p in provinces:
        p["own"] = p["unit"].pk in own
    return render(request, "planning/web/dashboards/index.html", {"provinces": provinces})


@require_GET
def province(request, pk: int):
    province = _province(pk)
    data = dash.province_dashboard(province, user=request.user)
    return render(
        request,
        "planning/web/dashboards/province.html",
        {
            **data,
            "tables_list": list(data["tables"].values()),
            "chart_data": _chart_data(data),
            "csv_base": reverse("web:dashboard_province", args=[province.pk]),
            "numeric": sorted(dash.NUMERIC),
            "occupancy_height": 80 + 22 * len(data["charts"]["occupancy"]["labels"]),
            "department_reports": department_reports.report_links(province, request.user),
            "demonstration": synthetic.province_shows_synthetic(province),
        },
    )


@require_GET
def province_download(request, pk: int, table: str, fmt: str):
    province = _province(pk)
    data = dash.province_dashboard(province, user=request.user)
    return _table_download(
        request,
        data,
        table,
        fmt,
        f"dashboard_{dash.slug(province.name)}",
        f"KCN Planner — {province.name}",
    )


@require_GET
def area(request, pk: int):
    area = _area(pk)
    data = dash.area_dashboard(area, user=request.user)
    groups = web_layers.map_layer_groups(request.user, lang=active_lang())
    tiles = [
        layer.as_json()
        for g in groups
        for layer in g.layers
        if layer.name in ("admin_units", "road_corridors", "industrial_areas", "secondary_projects")
    ]
    return render(
        request,
        "planning/web/dashboards/area.html",
        {
            **data,
            "tables_list": list(data["tables"].values()),
            "chart_data": _chart_data(data),
            "map_data": {
                "extent": list(area.boundary.extent),
                "outline": area.boundary.geojson,
                "layers": tiles,
            },
            "csv_base": reverse("web:dashboard_area", args=[area.pk]),
            "numeric": sorted(dash.NUMERIC),
            "demonstration": synthetic.area_shows_synthetic(area),
        },
    )


@require_GET
def area_download(request, pk: int, table: str, fmt: str):
    area = _area(pk)
    data = dash.area_dashboard(area, user=request.user)
    return _table_download(
        request, data, table, fmt, f"dashboard_{dash.slug(area.name)}", f"KCN Planner — {area.name}"
    )


@require_GET
def area_sheet(request, pk: int):
    area = _area(pk)
    data = dash.area_dashboard(area, user=request.user)
    try:
        pdf = area_map_sheet(area, user=request.user, figures=data["figures"])
    except MapRenderError as exc:
        return HttpResponse(
            _("The map could not be rendered: %(error)s") % {"error": exc},
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    return _download(
        pdf,
        "application/pdf",
        f"ban_do_{dash.slug(area.name)}_{timezone.localdate().isoformat()}.pdf",
        inline=True,
    )


def _chart_data(data: dict) -> dict:
    """What the chart script needs: the series and their labels, already in the page's language."""
    return {
        "lang": active_lang(),
        "charts": data["charts"],
        "thresholds": {
            "new_ccn": dash.NEW_CCN_OCCUPANCY * 100,
            "expansion": dash.EXPANSION_OCCUPANCY * 100,
        },
        "text": {
            "occupancy": _("Occupancy (%)"),
            "new_ccn": _("50 %: needed before a new cluster (average of existing ones)"),
            "expansion": _("60 %: needed before expanding a cluster"),
            "kcn": _("Industrial park (KCN)"),
            "ccn": _("Industrial cluster (CCN)"),
            "handed_over": _("Handed over (ha)"),
            "remaining": _("Still to clear (ha)"),
            "ha": _("ha"),
        },
    }
