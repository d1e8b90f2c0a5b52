"""Reports the provincial departments asked for in the Bình Định notice of 11 April 2025:

* **infrastructure to the fence** for the Department of Finance (item 4: "rà soát, xem xét giải
  quyết việc đầu tư hạ tầng kỹ thuật đến chân hàng rào"): each connector of the
  ``infrastructure-gaps`` analysis with an estimated cost (length × unit cost per km of its
  network, :mod:`planning.analysis.fence_cost`, unit costs labelled ASSUMPTION) and the missing
  wastewater capacity — :func:`fence_cost_report`, :func:`fence_cost_xlsx`;
* **labour** for the Department of Home Affairs (item 3): working-age residents within the
  ``labour-catchment`` rings, planned jobs and the gap (:mod:`planning.analysis.labour_balance`)
  — :func:`labour_report`, :func:`labour_report_xlsx`, :func:`labour_report_pdf`;
* **lease prices** compared within the province and the region
  (:mod:`planning.analysis.lease_prices`) — :func:`lease_price_report`, :func:`lease_price_export`.

Configurable: ``settings.PLANNING_FENCE_COSTS`` (the fields of ``FenceCostCriteria``) and
``settings.PLANNING_LABOUR_CRITERIA`` (``LabourCriteria``), each overridden per request. The
Department of Finance workbook puts Vietnamese headers first whatever the reader's language
(the department reads Vietnamese), the field names in the second row.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from planning import geo, numbers, tables
from planning import models as m
from planning.analysis.fence_cost import (
    NETWORKS,
    POWER_SOURCE,
    WASTEWATER_SOURCE,
    AreaCapacity,
    AreaLinks,
    FenceCostCriteria,
    fence_costs,
    parse_mva,
    substation_loads,
)
from planning.analysis.labour_balance import (
    JOBS_PER_HA_SOURCE,
    WORKING_AGE_SOURCE,
    LabourCriteria,
    labour_balance,
)
from planning.analysis.lease_prices import LeasePrice, compare_lease_prices
from planning.errors import InvalidParameter
from planning.selectors.admin_units import province_region, province_resolve
from planning.selectors.analysis_inputs.areas import areas_in
from planning.services.analysis_params import criteria_build
from planning.services.analysis_runs import analysis_compute
from planning.tables import Column
from planning.texts import translate

PDF_TYPE = "application/pdf"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core: every glyph

NETWORK_LABELS = {
    "road": gettext_lazy("Road"),
    "power": gettext_lazy("Power"),
    "water": gettext_lazy("Water supply"),
    "wastewater": gettext_lazy("Wastewater"),
    "telecom": gettext_lazy("Telecommunications"),
}
REGION_LABELS = {
    "central_coast": gettext_lazy("Central Coast"),
    "mekong": gettext_lazy("Mekong Delta"),
    "other": gettext_lazy("Other region"),
}


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFD", str(text).replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "x"


def _stamp() -> str:
    return timezone.localdate().isoformat()


# --------------------------------------------------------------------------------------------
# Infrastructure to the fence: cost and missing capacity (Department of Finance)
# --------------------------------------------------------------------------------------------
def fence_cost_criteria(overrides: Mapping | None = None) -> FenceCostCriteria:
    """Unit costs: the dataclass' defaults ← ``settings.PLANNING_FENCE_COSTS`` ← ``overrides``."""
    base = dict(getattr(settings, "PLANNING_FENCE_COSTS", None) or {})
    return criteria_build(FenceCostCriteria, overrides, param="costs", **base)


def fence_cost_report(*, province, costs: Mapping | None = None) -> dict:
    """Each area's connectors with their estimated cost, its total and its missing wastewater
    capacity, from the current data (the ``infrastructure-gaps`` analysis, computed now)."""
    crit = fence_cost_criteria(costs)
    outcome = analysis_compute("infrastructure-gaps", province=province)
    results = outcome.results
    scope = results["params"]["province"]
    areas = {a.code: a for a in areas_in(_unit(scope), include_revoked=False)}
    links = [
        AreaLinks(
            r["area_id"],
            r["area_name"],
            tuple(
                (x["network"], x["distance_m"], x["connected"], x["feature_name"])
                for x in r["links"]
            ),
        )
        for r in results["areas"]
    ]
    capacities = {
        code: AreaCapacity(
            leased_ha=float(a.leased_land_ha),
            wwtp_operating=a.wwtp_operating,
            wwtp_capacity_m3_day=a.wwtp_capacity_m3_day,
        )
        for code, a in areas.items()
    }
    costs_out = fence_costs(links, capacities, criteria=crit)
    nearest = _nearest_substations(list(areas.values()))
    loads = substation_loads(
        [(code, n["name"], float(areas[code].industrial_land_ha)) for code, n in nearest.items()],
        {n["name"]: n["capacity_mva"] for n in nearest.values()},
        criteria=crit,
    )
    by_sub = {x.name: x.to_dict() for x in loads}
    rows = []
    for r, c in zip(results["areas"], costs_out, strict=True):
        d = c.to_dict()
        d.update(kind=r["kind"], status=r["status"], gaps=r["gaps"])
        n = nearest.get(r["area_id"])
        d["substation"] = None if n is None else {**n, **by_sub[n["name"]]}
        rows.append(d)
    missing = [r["wastewater"]["missing_m3_day"] for r in rows]
    return {
        "scope": results["scope"],
        "province": scope,
        "criteria": crit.to_dict(),
        "unit_costs_bn_vnd_per_km": crit.unit_costs(),
        "unit_cost_source": _(crit.source),
        "wastewater_source": _(WASTEWATER_SOURCE),
        "power_source": _(POWER_SOURCE),
        "substations": list(by_sub.values()),
        "networks_without_data": [n for n in NETWORKS if n not in ("road", "power", "water")],
        "totals": {
            "n_areas": len(rows),
            "n_costed_connectors": sum(
                1 for r in rows for x in r["connectors"] if x["cost_bn_vnd"] is not None
            ),
            "cost_bn_vnd": round(sum(r["total_cost_bn_vnd"] for r in rows), 2),
            "missing_wastewater_m3_day": round(sum(x for x in missing if x), 1),
        },
        "areas": rows,
        "input_versions": outcome.input_versions,
    }


def _nearest_substations(areas) -> dict[str, dict]:
    """The nearest invested substation of each area (distance from the fence, in the area's
    TM-3 zone) with its capacity parsed from its record (MVA, ``None`` if not stated)."""
    subs = list(
        m.InfrastructurePoint.objects.filter(
            kind=m.InfrastructurePoint.Kind.SUBSTATION, status="invested"
        ).order_by("pk")
    )
    if not subs:
        return {}
    points = geo.to_shapely(s.geom for s in subs)
    out = {}
    for a in areas:
        srid = a.metric_srid or settings.PLANNING_DEFAULT_METRIC_SRID
        fence = geo.transform(geo.to_shapely([a.boundary])[0], geo.STORAGE_SRID, srid)
        dist = [fence.distance(geo.transform(p, geo.STORAGE_SRID, srid)) for p in points]
        i = min(range(len(subs)), key=dist.__getitem__)
        out[a.code] = {
            "name": subs[i].name,
            "distance_km": round(dist[i] / 1000, 3),
            "capacity_mva": parse_mva(subs[i].capacity),
        }
    return out


def _unit(ref):
    return None if not ref else m.AdminUnit.objects.get(pk=ref["id"])


def _vi_columns(columns) -> list[Column]:
    """The columns with their labels as Vietnamese text (the first header row of the workbook)."""
    with translation.override("vi"):
        return [Column(c.key, str(c.label), c.digits, c.percent_of_one) for c in columns]


SUBSTATION_COLUMNS = (
    Column("name", gettext_lazy("Substation")),
    Column("capacity_mva", gettext_lazy("Substation capacity (MVA)"), 1),
    Column("demand_mva", gettext_lazy("Demand of its nearest parks (MVA)"), 2),
    Column("missing_mva", gettext_lazy("Missing substation capacity (MVA)"), 2),
    Column("areas", gettext_lazy("Parks and clusters nearest to it")),
)
CONNECTOR_COLUMNS = (
    Column("network", gettext_lazy("Network")),
    Column("feature_name", gettext_lazy("Nearest feature")),
    Column("length_km", gettext_lazy("Connector length (km)"), 3),
    Column("connected", gettext_lazy("Connected")),
    Column("unit_cost_bn_vnd_per_km", gettext_lazy("Unit cost (bn VND/km, ASSUMPTION)"), 2),
    Column("cost_bn_vnd", gettext_lazy("Estimated cost (bn VND)"), 2),
)


def _summary_columns() -> list[Column]:
    """The summary sheet's columns (labels in the active language)."""
    cols = [
        Column("area_id", _("Code")),
        Column("area_name", _("Park / cluster")),
        Column("kind", _("Type")),
        Column("status", _("Status")),
    ]
    for net in ("road", "power", "water"):
        label = NETWORK_LABELS[net]
        cols += [
            Column(f"{net}_km", _("%(network)s: distance (km)") % {"network": label}, 3),
            Column(f"{net}_bn_vnd", _("%(network)s: cost (bn VND)") % {"network": label}, 2),
        ]
    return cols + [
        Column("total_cost_bn_vnd", _("Estimated cost to the fence (bn VND)"), 2),
        Column("wastewater_demand_m3_day", _("Wastewater demand (m³/day)"), 1),
        Column("wastewater_capacity_m3_day", _("Treatment capacity (m³/day)"), 1),
        Column("wastewater_missing_m3_day", _("Missing treatment capacity (m³/day)"), 1),
        Column("substation", _("Nearest substation")),
        Column("substation_capacity_mva", _("Substation capacity (MVA)"), 1),
        Column("substation_demand_mva", _("Demand of its nearest parks (MVA)"), 2),
        Column("substation_missing_mva", _("Missing substation capacity (MVA)"), 2),
        Column("gaps", _("Gaps")),
    ]


def _fence_summary_row(r: dict) -> dict:
    by_net = {x["network"]: x for x in r["connectors"]}
    row = {k: r.get(k) for k in ("area_id", "area_name", "kind", "total_cost_bn_vnd")}
    row["status"] = str(dict(m.IndustrialArea.Status.choices).get(r["status"], r["status"]))
    for net in ("road", "power", "water"):
        x = by_net.get(net) or {}
        row[f"{net}_km"] = x.get("length_km")
        row[f"{net}_bn_vnd"] = x.get("cost_bn_vnd")
    ww = r["wastewater"]
    row.update(
        wastewater_demand_m3_day=ww["demand_m3_day"],
        wastewater_capacity_m3_day=ww["capacity_m3_day"],
        wastewater_missing_m3_day=ww["missing_m3_day"],
        substation=(r.get("substation") or {}).get("name"),
        substation_capacity_mva=(r.get("substation") or {}).get("capacity_mva"),
        substation_demand_mva=(r.get("substation") or {}).get("demand_mva"),
        substation_missing_mva=(r.get("substation") or {}).get("missing_mva"),
        gaps="; ".join(translate(r["gaps"], bilingual=False)),
    )
    return row


def _yes_no(value) -> str:
    return _("yes") if value else _("no")


def fence_cost_xlsx(report: dict) -> tuple[bytes, str, str]:
    """The Department of Finance workbook: a summary sheet, one sheet per park or cluster (its
    connectors and costs) and the assumptions; Vietnamese headers in the first row."""
    with translation.override("vi"):
        summary_cols = _vi_columns(_summary_columns())
        conn_cols = _vi_columns(CONNECTOR_COLUMNS)
        summary_rows = [
            tables.record_rows([_fence_summary_row(r)], summary_cols)[0] for r in report["areas"]
        ]
        total_row = [None] * len(summary_cols)
        total_row[1] = _("Total")
        total_row[[c.key for c in summary_cols].index("total_cost_bn_vnd")] = report["totals"][
            "cost_bn_vnd"
        ]
        total_row[[c.key for c in summary_cols].index("wastewater_missing_m3_day")] = report[
            "totals"
        ]["missing_wastewater_m3_day"]
        sheets = [
            tables.Sheet(
                "Tong_hop", [*summary_rows, total_row], summary_cols, header=("label", "key")
            )
        ]
        sub_cols = _vi_columns(SUBSTATION_COLUMNS)
        sub_rows = [dict(x, areas=", ".join(x["areas"])) for x in report["substations"]]
        sheets.append(
            tables.Sheet(
                "Tram_bien_ap",
                tables.record_rows(sub_rows, sub_cols),
                sub_cols,
                header=("label", "key"),
                column_widths=True,
            )
        )
        for r in report["areas"]:
            rows = [
                dict(
                    x,
                    network=str(NETWORK_LABELS[x["network"]]),
                    connected=_yes_no(x["connected"]),
                )
                for x in r["connectors"]
            ]
            sheets.append(
                tables.Sheet(
                    str(r["area_id"]),
                    tables.record_rows(rows, conn_cols),
                    conn_cols,
                    header=("label", "key"),
                    column_widths=True,
                )
            )
        about = [
            [_("Infrastructure to the fence: estimated cost and missing capacity")],
            [_("For"), _("Department of Finance (Bình Định notice of 11 April 2025, item 4)")],
            [_("Scope"), report["scope"]],
            [_("Exported on"), _stamp()],
            [_("Total estimated cost (bn VND)"), report["totals"]["cost_bn_vnd"]],
            [
                _("Missing wastewater treatment capacity (m³/day)"),
                report["totals"]["missing_wastewater_m3_day"],
            ],
            [],
            [_("Network"), _("Unit cost (bn VND/km)"), _("Source")],
            *(
                [str(NETWORK_LABELS[n]), v, _(report["criteria"]["source"])]
                for n, v in report["unit_costs_bn_vnd_per_km"].items()
            ),
            [
                _("Wastewater per leased hectare (m³/day)"),
                report["criteria"]["wastewater_m3_per_ha_day"],
                _(WASTEWATER_SOURCE),
            ],
            [
                _("Power demand per leasable hectare (kVA)"),
                report["criteria"]["power_kva_per_ha"],
                _(POWER_SOURCE),
            ],
            [],
            [
                _(
                    "No wastewater or telecommunications network is recorded: their unit costs "
                    "are kept for when one is, no connector of theirs is costed."
                )
            ],
            [
                _(
                    "Connectors already within the connected distance are not costed; lengths "
                    "are straight lines from the fence to the nearest usable feature, not routes."
                )
            ],
        ]
        sheets.append(tables.Sheet("Gia_dinh", about, bold_first_row=True))
    return (
        tables.write_xlsx(sheets),
        tables.XLSX_TYPE,
        f"ha_tang_chan_hang_rao_{_slug(report['scope'])}_{_stamp()}.xlsx",
    )


# --------------------------------------------------------------------------------------------
# Labour (Department of Home Affairs)
# --------------------------------------------------------------------------------------------
def labour_criteria(overrides: Mapping | None = None) -> LabourCriteria:
    base = dict(getattr(settings, "PLANNING_LABOUR_CRITERIA", None) or {})
    return criteria_build(LabourCriteria, overrides, param="criteria", **base)


def labour_report(*, province, criteria: Mapping | None = None, distances_m=None) -> dict:
    """Working-age residents within each ring, planned jobs (projects + unleased land × jobs per
    ha) and the gap, per area and for the province (the rings' union, each resident once)."""
    crit = labour_criteria(criteria)
    outcome = analysis_compute("labour-catchment", province=province, distances_m=distances_m)
    results = outcome.results
    out = []
    for p in results["provinces"]:
        codes = [a["area_id"] for a in p["areas"]]
        unleased = {
            a.code: float(a.industrial_land_ha) - float(a.leased_land_ha)
            for a in m.IndustrialArea.objects.filter(code__in=codes)
        }
        names = {a["area_id"]: a.get("area_name") for a in p["areas"]}
        balance = labour_balance(p, unleased, criteria=crit).to_dict()
        for a in balance["areas"]:
            a["area_name"] = names.get(a["area_id"]) or a["area_name"]
        out.append({"province": p["province"], "raster": p["raster"], **balance})
    return {
        "scope": results["params"]["province"]["name"]
        if results["params"]["province"]
        else pgettext("analysis scope", "all"),
        "distances_m": results["distances_m"],
        "criteria": crit.to_dict(),
        "working_age_source": _(WORKING_AGE_SOURCE),
        "jobs_per_ha_source": _(JOBS_PER_HA_SOURCE),
        "notes": translate(results.get("notes", []), bilingual=False),
        "provinces": out,
        "input_versions": outcome.input_versions,
    }


def _km(d) -> str:
    return f"{float(d) / 1000:g} km"


def _labour_tables(report: dict) -> tuple[list[Column], list[list], list[Column], list[list]]:
    """(province columns, rows, area columns, rows) in the active language."""
    prov_cols = [
        Column("province", _("Province")),
        Column("distance_km", _("Distance (km)"), 1),
        Column("population", _("Residents"), 0),
        Column("working_age", _("Working-age residents"), 0),
        Column("planned_jobs", _("Planned jobs"), 0),
        Column("gap", _("Gap (jobs − working-age; > 0: shortfall)"), 0),
        Column("jobs_share", _("Jobs ÷ working-age"), 4, percent_of_one=True),
        Column("coverage", _("Share of the ring on the raster"), 4, percent_of_one=True),
    ]
    area_cols = [
        Column("area_id", _("Code")),
        Column("area_name", _("Park / cluster")),
        Column("project_jobs", _("Jobs of secondary projects"), 0),
        Column("unleased_ha", _("Land not yet leased (ha)"), 2),
        Column("land_jobs", _("Jobs on land not yet leased"), 0),
        Column("planned_jobs", _("Planned jobs"), 0),
        Column("distance_km", _("Distance (km)"), 1),
        Column("population", _("Residents"), 0),
        Column("working_age", _("Working-age residents"), 0),
        Column("gap", _("Gap (jobs − working-age; > 0: shortfall)"), 0),
        Column("jobs_share", _("Jobs ÷ working-age"), 4, percent_of_one=True),
    ]
    prov_rows, area_rows_ = [], []
    for p in report["provinces"]:
        for ring in p["union_rings"]:
            prov_rows.append(
                {
                    **ring,
                    "province": p["province"],
                    "distance_km": ring["distance_m"] / 1000,
                    "planned_jobs": p["planned_jobs"],
                }
            )
        for a in p["areas"]:
            for ring in a["rings"]:
                area_rows_.append({**a, **ring, "distance_km": ring["distance_m"] / 1000})
    return (
        prov_cols,
        tables.record_rows(prov_rows, prov_cols),
        area_cols,
        tables.record_rows(area_rows_, area_cols),
    )


def _labour_about(report: dict) -> list[list]:
    crit = report["criteria"]
    rows = [
        [_("Labour resources near industrial parks and clusters")],
        [_("For"), _("Department of Home Affairs (Bình Định notice of 11 April 2025, item 3)")],
        [_("Scope"), report["scope"]],
        [_("Exported on"), _stamp()],
        [_("Working-age share"), crit["working_age_share"], _(WORKING_AGE_SOURCE)],
        [
            _("Jobs per hectare of land not yet leased"),
            crit["jobs_per_ha"],
            _(JOBS_PER_HA_SOURCE),
        ],
        [
            _(
                "Residents: the population raster; rings of different areas overlap, the "
                "province lines count each resident once."
            )
        ],
    ]
    rows += [[_("Note"), n] for n in report.get("notes", [])]
    for p in report["provinces"]:
        rows.append([_("Population raster"), p["province"], p["raster"]])
    return rows


def labour_report_xlsx(report: dict) -> tuple[bytes, str, str]:
    """The Department of Home Affairs workbook: province rings, area rings, assumptions;
    Vietnamese headers first whatever the reader's language (as the Department of Finance's)."""
    with translation.override("vi"):
        prov_cols, prov_rows, area_cols, area_rows_ = _labour_tables(report)
        sheets = [
            tables.Sheet("Tinh", prov_rows, prov_cols, header=("label", "key"), column_widths=True),
            tables.Sheet(
                "Khu_cum", area_rows_, area_cols, header=("label", "key"), column_widths=True
            ),
            tables.Sheet("Gia_dinh", _labour_about(report), bold_first_row=True),
        ]
    return (
        tables.write_xlsx(sheets),
        tables.XLSX_TYPE,
        f"nguon_lao_dong_{_slug(report['scope'])}_{_stamp()}.xlsx",
    )


def _pdf_fonts() -> tuple[str, str]:
    # reportlab loads only when a PDF is asked for.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    return "DejaVuSans", "DejaVuSans-Bold"


def _pdf_cell(value, column: Column) -> str:
    if value is None:
        return "—"
    if column.digits is None:
        return str(value)
    if column.percent_of_one:
        return numbers.percent(value, 1)
    return numbers.number(value, column.digits)


def _pdf_text(value) -> str:
    """A value of the assumptions as the page shows it: shares to 3 decimals, the language's
    separators."""
    if isinstance(value, float):
        return numbers.number(value, 3 if value < 1 else 1)
    return str(value)


def labour_report_pdf(report: dict) -> bytes:
    """The same report as an A4 landscape PDF (reportlab, DejaVu Sans for Vietnamese)."""
    # reportlab loads only when a PDF is asked for.
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    font, bold = _pdf_fonts()
    body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11)
    head = ParagraphStyle("head", fontName=bold, fontSize=14, leading=18)
    sub = ParagraphStyle("sub", fontName=bold, fontSize=10.5, leading=14, spaceBefore=6)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9)
    prov_cols, prov_rows, area_cols, area_rows_ = _labour_tables(report)

    def grid(columns, rows):
        data = [[Paragraph(str(c.label), cell) for c in columns]]
        data += [
            [Paragraph(_pdf_cell(v, c), cell) for v, c in zip(r, columns, strict=True)]
            for r in rows
        ]
        t = LongTable(data, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    about = _labour_about(report)
    story = [Paragraph(str(about[0][0]), head), Spacer(1, 2 * mm)]
    for row in about[1:]:
        story.append(Paragraph(" — ".join(_pdf_text(v) for v in row), body))
    story += [
        Paragraph(_("Province: residents within reach of any area"), sub),
        grid(prov_cols, prov_rows),
        Paragraph(_("Each park and cluster"), sub),
        grid(area_cols, area_rows_),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=str(about[0][0]),
        author="KCN Planner",
    )
    doc.build(story)
    return buf.getvalue()


def labour_report_filename(report: dict, ext: str) -> str:
    return f"nguon_lao_dong_{_slug(report['scope'])}_{_stamp()}.{ext}"


# --------------------------------------------------------------------------------------------
# Lease prices
# --------------------------------------------------------------------------------------------
def _price_is_synthetic(area: m.IndustrialArea) -> bool:
    """A price counts as demonstration data when the record lists it among its invented figures
    (``synthetic_fields``, issue 13 §6; a price typed in through a door leaves that list). No
    lease price of a real park is sourced in DOMAIN.md."""
    return "lease_price_usd_m2" in (area.synthetic_fields or [])


def _area_regions(areas) -> dict[int, tuple[str, str | None]]:
    """``(region, province code)`` of each area: the provinces its boundary meets with a known
    region (legacy provinces carry one; a merged 2025 province spans two); ``other`` if none or
    several regions."""
    # Legacy provinces first: their codes carry the regions, and they name the park's province.
    provinces = sorted(
        m.AdminUnit.objects.filter(level=m.AdminUnit.Level.PROVINCE),
        key=lambda p: (p.valid_to is None, p.code),
    )
    prepared = [(p, p.boundary.prepared) for p in provinces if p.boundary]  # one index each
    out = {}
    for a in areas:
        known = [(province_region(p), p.code) for p, pp in prepared if pp.intersects(a.boundary)]
        known = [k for k in known if k[0] != "other"]
        regions = {r for r, _code in known}
        out[a.pk] = (regions.pop(), known[0][1]) if len(regions) == 1 else ("other", None)
    return out


def lease_price_report(*, province=None) -> dict:
    """Each priced park of ``province`` against its kind's median in the province and in its
    region (all provinces' prices); synthetic prices counted and flagged. Without a province,
    every park against its own (legacy) province."""
    priced = list(
        m.IndustrialArea.objects.exclude(status=m.IndustrialArea.Status.REVOKED)
        .filter(lease_price_usd_m2__isnull=False)
        .order_by("code")
    )
    regions = _area_regions(priced)
    if province in (None, ""):
        name, code, inside = pgettext("analysis scope", "all"), None, set()
        codes = sorted({regions[a.pk][1] for a in priced if regions[a.pk][1]})
    else:
        province = province_resolve(province)
        name, code = province.name, province.code
        inside = set(areas_in(province, include_revoked=False).values_list("pk", flat=True))
        codes = [province.code]
    records = [
        LeasePrice(
            a.code,
            a.name,
            a.kind,
            code if a.pk in inside else regions[a.pk][1],
            regions[a.pk][0],
            float(a.lease_price_usd_m2),
            _price_is_synthetic(a),
        )
        for a in priced
    ]
    parts = [compare_lease_prices(records, province=c).to_dict() for c in codes]
    region_groups = {}
    for part in parts:
        for g in part["region_groups"]:
            region_groups.setdefault((g["key"], g["kind"]), g)
    result = {
        "n_prices": sum(p["n_prices"] for p in parts),
        "n_synthetic": sum(p["n_synthetic"] for p in parts),
        "province_groups": [g for p in parts for g in p["province_groups"]],
        "region_groups": list(region_groups.values()),
        "parks": [x for p in parts for x in p["parks"]],
    }
    ids = {a.code: a.pk for a in priced}
    for p in result["parks"]:
        p["id"] = ids[p["area_id"]]
    notes = [
        _(
            "Prices in USD per m² of industrial land for the lease term; KCN are compared with "
            "KCN and CCN with CCN."
        )
    ]
    if result["n_synthetic"]:
        notes.append(
            _(
                "%(n)s of %(total)s prices are demonstration data (synthetic): no lease price of a "
                "real park is sourced; this is not a market study."
            )
            % {"n": result["n_synthetic"], "total": result["n_prices"]}
        )
    if any(g["n_provinces"] == 1 for g in result["region_groups"]):
        notes.append(
            _(
                "The region's figures come from the areas of one province only: the data holds "
                "no priced area of the region's other provinces."
            )
        )
    return {**result, "province": name, "province_code": code, "notes": notes}


LEASE_COLUMNS = (
    Column("area_id", gettext_lazy("Code")),
    Column("area_name", gettext_lazy("Park / cluster")),
    Column("kind", gettext_lazy("Type")),
    Column("region", gettext_lazy("Region")),
    Column("price", gettext_lazy("Lease price (USD/m²/term)"), 2),
    Column("rank", gettext_lazy("Rank in the province (1 = cheapest)"), 0),
    Column("n_in_province", gettext_lazy("Priced areas of its type in the province"), 0),
    Column("province_median", gettext_lazy("Province median (USD/m²)"), 2),
    Column("vs_province_median", gettext_lazy("Difference from the province median"), 4, True),
    Column("region_median", gettext_lazy("Region median (USD/m²)"), 2),
    Column("vs_region_median", gettext_lazy("Difference from the region median"), 4, True),
    Column("synthetic", gettext_lazy("Demonstration price (synthetic)")),
)
GROUP_COLUMNS = (
    Column("scope", gettext_lazy("Compared within")),
    Column("key", gettext_lazy("Province / region")),
    Column("kind", gettext_lazy("Type")),
    Column("n", gettext_lazy("Prices"), 0),
    Column("n_synthetic", gettext_lazy("Of which synthetic"), 0),
    Column("n_provinces", gettext_lazy("Provinces"), 0),
    Column("median", gettext_lazy("Median (USD/m²)"), 2),
    Column("minimum", gettext_lazy("Minimum (USD/m²)"), 2),
    Column("maximum", gettext_lazy("Maximum (USD/m²)"), 2),
)


def lease_price_rows(report: dict) -> list[dict]:
    """The parks' rows with regions and flags as text in the active language."""
    return [
        dict(
            p,
            region=str(REGION_LABELS.get(p["region"], p["region"])),
            synthetic=_yes_no(p["synthetic"]),
        )
        for p in report["parks"]
    ]


def _group_rows(report: dict) -> list[dict]:
    out = []
    for g in (*report["province_groups"], *report["region_groups"]):
        key = g["key"] if g["scope"] == "province" else REGION_LABELS.get(g["key"])
        scope = _("province") if g["scope"] == "province" else _("region")
        out.append(dict(g, key=str(key or g["key"]), scope=scope))
    return out


def lease_price_export(report: dict, fmt: str) -> tuple[bytes, str, str]:
    """JSON, CSV (the parks) or XLSX (parks, groups, notes) of :func:`lease_price_report`."""
    stem = f"gia_thue_dat_{_slug(report['province'])}_{_stamp()}"
    if fmt == "json":
        return (
            json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8"),
            "application/json",
            f"{stem}.json",
        )
    if fmt == "csv":
        return (
            tables.write_csv(
                tables.labels(LEASE_COLUMNS),
                tables.record_rows(lease_price_rows(report), LEASE_COLUMNS),
            ),
            tables.CSV_TYPE,
            f"{stem}.csv",
        )
    if fmt != "xlsx":
        raise InvalidParameter(f"format must be json, csv or xlsx (got {fmt!r})")
    sheets = [
        tables.Sheet(
            "Gia_thue",
            tables.record_rows(lease_price_rows(report), LEASE_COLUMNS),
            LEASE_COLUMNS,
            header=("label", "key"),
            column_widths=True,
        ),
        tables.Sheet(
            "Nhom",
            tables.record_rows(_group_rows(report), GROUP_COLUMNS),
            GROUP_COLUMNS,
            header=("label", "key"),
            column_widths=True,
        ),
        tables.Sheet("Ghi_chu", [[n] for n in report["notes"]], bold_first_row=False),
    ]
    return tables.write_xlsx(sheets), tables.XLSX_TYPE, f"{stem}.xlsx"
