"""What the dashboards show: a province's and an area's figures, charts and tables, per user.

Assembled from the reads of :mod:`planning.selectors.dashboards` and ``selectors.analysis_inputs``
and from analyses *computed* for the page, never stored (``analysis_compute``). What a
section shows follows :mod:`planning.access` through the layer catalogue:

* public (anyone): areas and their land budget, occupancy, plan vs actual, secondary projects,
  eco readiness — read from the public ``industrial_areas`` and ``secondary_projects`` layers;
* clearance (ha handed over / to clear, parcels by status, compensation): only for users who
  may read the ``clearance_parcels`` layer — as totals, never a parcel or a household;
* monitoring (targets vs actuals, the two-years watch list, obstacles, lagging projects): only
  for users who may read the inputs of the ``targets`` analysis (the REST API's rule for it);
* infrastructure gaps: the inputs of the ``infrastructure-gaps`` analysis.

Personal fields of clearance parcels (``ClearanceParcel.PERSONAL_FIELDS``) are never read.
Tables are :class:`Table` objects: raw values for the CSV/XLSX downloads, formatted cells for the
page, the same column labels (in the active language) for both.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from layers.catalogue import CATALOGUE
from planning import access, labels, numbers, tables
from planning import models as m
from planning.analysis import numformat
from planning.analysis.eco import EcoCriteria, eco_readiness_all
from planning.analysis.efficiency import land_use_efficiency
from planning.analysis.plan_vs_actual import TOTAL_LABEL
from planning.analysis.records import ESTABLISHED_STATUSES
from planning.analysis.reporting import late_by_developer
from planning.analysis.targets import lagging_projects
from planning.numbers import active_lang
from planning.selectors import dashboards as reads
from planning.selectors import enforcement as enforcement_reads
from planning.selectors.admin_units import UnitLocator
from planning.selectors.analysis_inputs.areas import area_rows, areas_in
from planning.selectors.analysis_inputs.efficiency import parcel_records
from planning.selectors.analysis_inputs.targets import project_records, target_records
from planning.services.analyses import analysis_spec
from planning.services.analyses.eco_readiness import conversion_roadmaps
from planning.services.analyses.plan_vs_actual import basis_label
from planning.services.analysis_runs import analysis_compute
from planning.services.department_reports import lease_price_report, lease_price_rows
from planning.texts import translate

# Occupancy thresholds of Decree 32/2024 (DOMAIN.md §2.3): a new CCN needs the existing ones above
# 50 %; an expansion needs the CCN at 60 % or more. Drawn on the occupancy charts.
NEW_CCN_OCCUPANCY = 0.5
EXPANSION_OCCUPANCY = 0.6


# --------------------------------------------------------------------------------------------
# Rights
# --------------------------------------------------------------------------------------------
def may_read_layers(user, *names: str) -> bool:
    return all(access.can_read_layer(user, CATALOGUE[n]) for n in names)


def may_read_analysis(user, name: str) -> bool:
    return may_read_layers(user, *analysis_spec(name).input_layers)


@dataclass(frozen=True)
class Rights:
    """Which dashboard sections ``user`` may see (see the module docstring)."""

    clearance: bool
    monitoring: bool
    infrastructure: bool

    @classmethod
    def of(cls, user) -> Rights:
        return cls(
            clearance=may_read_layers(user, "clearance_parcels"),
            monitoring=may_read_analysis(user, "targets"),
            infrastructure=may_read_analysis(user, "infrastructure-gaps"),
        )


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------
@dataclass
class Column:
    key: str
    label: object  # lazy translation
    kind: str = "text"  # text, int, ha, pct, money, date, link
    digits: int = 1  # decimals of ha, money and pct (shown, and written to CSV/XLSX)
    file_url: bool = False  # the page shows link text; CSV/XLSX hold the link's URL instead


@dataclass
class Table:
    key: str  # file-name part and sheet name
    title: object
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    row_class: list[str] = field(default_factory=list)  # CSS class per row ("overdue" …)
    links: list[dict] = field(default_factory=list)  # per row: column key -> URL
    note: object = ""

    def headers(self) -> list[str]:
        return [str(c.label) for c in self.columns]

    def link(self, i: int, key: str) -> str | None:
        return (self.links[i] if i < len(self.links) else {}).get(key)

    def values(self, absolute=None) -> list[list]:
        """Rows for CSV/XLSX: numbers rounded as the page shows them (percentages as 0–100),
        link-only columns as absolute URLs (``absolute`` turns a path into one)."""
        out = []
        for i, row in enumerate(self.rows):
            vals = []
            for c in self.columns:
                v = row.get(c.key)
                if c.file_url:
                    url = self.link(i, c.key)
                    v = (absolute(url) if absolute else url) if url else None
                else:
                    v = file_value(v, c)
                vals.append(v)
            out.append(vals)
        return out

    def cells(self) -> list[dict]:
        """Rows for the page: ``{"cells": [{"text", "numeric", "url"}], "class"}``."""
        out = []
        for i, row in enumerate(self.rows):
            cells = [
                {
                    "text": format_value(row.get(c.key), c),
                    "numeric": c.kind in NUMERIC,
                    "url": self.link(i, c.key),
                }
                for c in self.columns
            ]
            out.append(
                {"cells": cells, "class": self.row_class[i] if i < len(self.row_class) else ""}
            )
        return out


NUMERIC = {"int", "ha", "pct", "money"}


def _digits(column: Column) -> int:
    return 0 if column.kind == "int" else column.digits


def format_value(value, column: Column) -> str:
    """A cell of a dashboard table as the page shows it (:mod:`planning.numbers`)."""
    if value is None or value == "":
        return "—" if column.kind in NUMERIC or column.kind == "date" else ""
    if column.kind == "pct":
        return numbers.percent(value, column.digits)
    if column.kind in NUMERIC:
        return numbers.number(value, _digits(column))
    if column.kind == "date":
        return (
            formats.date_format(value, "SHORT_DATE_FORMAT")
            if isinstance(value, dt.date)
            else str(value)
        )
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def file_value(value, column: Column):
    """A cell of a dashboard table as CSV/XLSX hold it: the page's figure, as a number."""
    if value is None or value == "":
        return None
    if column.kind == "pct":
        return numformat.for_file_percent(value, column.digits)
    if column.kind in NUMERIC:
        return numformat.for_file(value, _digits(column))
    if isinstance(value, Decimal):
        return float(value)
    return value


def slug(text: str) -> str:
    """'Bình Định' -> 'binh-dinh' (file names)."""
    text = unicodedata.normalize("NFD", str(text).replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def table_csv(table: Table, *, absolute=None) -> bytes:
    """One table as CSV, UTF-8 with a byte-order mark (Excel reads the Vietnamese text)."""
    return tables.write_csv(table.headers(), table.values(absolute))


def _sheet(table: Table, absolute=None) -> tables.Sheet:
    columns = [
        tables.Column(c.key, c.label, _digits(c) if c.kind in NUMERIC else tables.TEXT)
        for c in table.columns
    ]
    rows = []
    for i, values in enumerate(table.values(absolute)):
        row = []
        for c, value in zip(table.columns, values, strict=True):
            url = value if c.file_url else table.link(i, c.key)
            if url and c.kind == "link" and value is not None:
                value = tables.Link(value, absolute(url) if absolute and not c.file_url else url)
            row.append(value)
        rows.append(row)
    return tables.Sheet(table.title, rows, columns, column_widths=True)


def tables_xlsx(tables_: list[Table], *, title: str, notes: list[str] = (), absolute=None) -> bytes:
    """Every table on its own sheet, headers in bold and frozen, plus a sheet saying what this is.

    Numbers are numeric cells rounded as on the page, with a number format of as many decimals
    (Excel writes them with the reader's own separators); links are clickable.
    """
    about = [[title], [_("Exported on"), timezone.localdate().isoformat()]]
    about += [[str(n)] for n in notes]
    sheets = [tables.Sheet(_("About"), about, bold_first_row=True)]
    sheets += [_sheet(t, absolute) for t in tables_]
    return tables.write_xlsx(sheets)


# --------------------------------------------------------------------------------------------
# Labels in the active language
# --------------------------------------------------------------------------------------------
def choice_labels(model, field_name: str) -> dict[str, str]:
    return labels.choice_labels(model._meta.get_field(field_name))


INDICATORS = list(m.Indicator.values)  # the targets table's row order


def _choice(model_choices, value) -> str:
    """A coded value's label in the active language (a str for XLSX cells: labels are lazy)."""
    return str(dict(model_choices).get(value, value))


# --------------------------------------------------------------------------------------------
# Provinces
# --------------------------------------------------------------------------------------------
# --------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------
def _area_links(area: m.IndustrialArea) -> dict:
    x0, y0, x1, y1 = area.boundary.extent
    return {
        "dashboard": reverse("web:dashboard_area", args=[area.pk]),
        "map": reverse("web:map") + f"#bbox={x0:.5f},{y0:.5f},{x1:.5f},{y1:.5f}",
    }


def _efficiency(province) -> dict:
    return translate(analysis_compute("efficiency", province=province).results)


def _targets(province) -> dict:
    return translate(analysis_compute("targets", province=province).results)


def _schedule(projects: list, today: dt.date) -> dict[str, dict]:
    """Project code -> lagging entry (stalled, or late by more than 6 months), from public
    fields."""
    return {
        lp.project_id: lp.to_dict()
        for lp in lagging_projects(projects, as_of=today, grace_months=6)
    }


def targets_vs_actuals(areas) -> list[dict]:
    """Per year and indicator: Σ targets and Σ actuals over the areas that had a target that
    year."""
    areas = list(areas)
    targets, actuals = target_records(areas)
    actual = {(a.area_id, a.year, a.indicator): a.value for a in actuals}
    out: dict[tuple[int, str], dict] = {}
    for t in targets:
        row = out.setdefault(
            (t.year, t.indicator),
            {
                "year": t.year,
                "indicator": t.indicator,
                "target": 0.0,
                "actual": 0.0,
                "n_areas": 0,
                "n_missed": 0,
            },
        )
        got = actual.get((t.area_id, t.year, t.indicator))
        row["target"] += t.value
        row["actual"] += got or 0.0
        row["n_areas"] += 1
        if got is None or got < t.value:
            row["n_missed"] += 1
    rows = sorted(
        out.values(),
        key=lambda r: (
            r["year"],
            INDICATORS.index(r["indicator"]) if r["indicator"] in INDICATORS else 99,
        ),
    )
    for r in rows:
        r["target"], r["actual"] = round(r["target"], 4), round(r["actual"], 4)
        r["achieved"] = r["actual"] / r["target"] if r["target"] else None
        r["indicator_label"] = _choice(m.Indicator.choices, r["indicator"])
    return rows


def _targets_table(rows: list[dict]) -> Table:
    return Table(
        "targets",
        _l("Targets and actuals by year"),
        [
            Column("year", _l("Year"), "text"),
            Column("indicator_label", _l("Indicator")),
            Column("target", _l("Target"), "ha", 2),
            Column("actual", _l("Actual"), "ha", 2),
            Column("achieved", _l("Achieved"), "pct"),
            Column("n_areas", _l("Areas with a target"), "int"),
            Column("n_missed", _l("Areas that missed it"), "int"),
        ],
        rows,
    )


def _targets_chart(rows: list[dict]) -> dict:
    """Targets and actuals of the hectare indicators by year (grouped bars)."""
    years = sorted({r["year"] for r in rows})
    series = []
    for ind in ("clearance_ha", "leased_ha"):
        by_year = {r["year"]: r for r in rows if r["indicator"] == ind}
        if not by_year:
            continue
        label = _choice(m.Indicator.choices, ind)
        series.append(
            {
                "label": f"{label} — {_('target')}",
                "indicator": ind,
                "role": "target",
                "data": [by_year[y]["target"] if y in by_year else None for y in years],
            }
        )
        series.append(
            {
                "label": f"{label} — {_('actual')}",
                "indicator": ind,
                "role": "actual",
                "data": [by_year[y]["actual"] if y in by_year else None for y in years],
            }
        )
    return {"labels": [str(y) for y in years], "series": series}


def obstacles_table(areas, *, today: dt.date, with_area: bool = True) -> Table:
    """Open and solved obstacles, soonest deadline first (none last); overdue rows marked."""
    qs = m.Obstacle.objects.filter(area__in=[a.pk for a in areas]).select_related("area")
    items = sorted(
        qs,
        key=lambda o: (o.status == "resolved", o.deadline is None, o.deadline or dt.date.max, o.pk),
    )
    cols = [Column("area", _l("Park / cluster"))] if with_area else []
    cols += [
        Column("category", _l("Obstacle")),
        Column("description", _l("Description")),
        Column("agency", _l("Responsible agency")),
        Column("raised_on", _l("Raised on"), "date"),
        Column("deadline", _l("Deadline"), "date"),
        Column("status", _l("Status")),
        Column("days_overdue", _l("Days overdue"), "int"),
    ]
    t = Table("obstacles", _l("Obstacles and their deadlines"), cols)
    for o in items:
        overdue = o.status != "resolved" and o.deadline is not None and o.deadline < today
        t.rows.append(
            {
                "area": o.area.name,
                "category": _choice(m.Obstacle.Category.choices, o.category),
                "description": o.description,
                "agency": o.responsible_agency,
                "raised_on": o.raised_on,
                "deadline": o.deadline,
                "status": _choice(m.Obstacle.Status.choices, o.status),
                "days_overdue": (today - o.deadline).days if overdue else None,
                "overdue": overdue,
            }
        )
        t.row_class.append(
            "kcn-overdue" if overdue else ("kcn-resolved" if o.status == "resolved" else "")
        )
        t.links.append(
            {"area": reverse("web:dashboard_area", args=[o.area_id])} if with_area else {}
        )
    t.note = _l("Overdue: not resolved and past the deadline.")
    return t


# --------------------------------------------------------------------------------------------
# Plan versus actual (issue 13 plan)
# --------------------------------------------------------------------------------------------
def plan_vs_actual_section(province, kinds: dict) -> tuple[Table, Table, dict, list[dict]]:
    """The plan-versus-actual table, its table per plan amendment, chart and headline figures.

    Figures come from the provincial plan where one is recorded for the province (its entries,
    linked to the area records), else from the area records, and the table's note says which.
    """
    results = translate(analysis_compute("plan-vs-actual", province=province).results)
    pva = results["rows"]
    multi = any(r["province"] == TOTAL_LABEL for r in pva)
    pva = [r for r in pva if (r["province"] == TOTAL_LABEL) == multi]
    table = Table(
        "plan_vs_actual",
        _l("Plan versus actual"),
        [
            Column("kind", _l("Type")),
            Column("planned_count", _l("In the plan"), "int"),
            Column("planned_ha", _l("Planned (ha)"), "ha"),
            Column("established_count", _l("Established"), "int"),
            Column("established_ha", _l("Established (ha)"), "ha"),
            Column("operating_count", _l("Operating"), "int"),
            Column("operating_ha", _l("Operating (ha)"), "ha"),
            Column("established_share_ha", _l("Established share of planned area"), "pct"),
            Column("occupancy", _l("Occupancy of the established"), "pct"),
            Column("basis_label", _l("Counted from")),
        ],
    )
    for r in pva:
        table.rows.append(
            {**r, "kind": kinds.get(r["kind"], r["kind"]), "basis_label": basis_label(r["basis"])}
        )
    notes = []
    for p in results.get("plans", []):
        notes.append(
            _(
                "%(name)s, approved by %(decision)s: %(n)s entries, %(syn)s of them illustrative "
                "(their areas split the plan's totals)."
            )
            % {
                "name": p["name"],
                "decision": p["decision"],
                "n": p["n_entries"],
                "syn": p["n_synthetic_entries"],
            }
        )
    for name in results.get("provinces_without_plan", []):
        notes.append(
            _("%(province)s: no provincial plan recorded; counted from the area records.")
            % {"province": name}
        )
    table.note = " ".join(notes)
    steps = Table(
        "plan_amendments",
        _l("Provincial plan by amendment"),
        [
            Column("province", _l("Province")),
            Column("kind", _l("Type")),
            Column("step_label", _l("Plan as of")),
            Column("decision", _l("Decision")),
            Column("planned_count", _l("In the plan"), "int"),
            Column("planned_ha", _l("Planned (ha)"), "ha"),
            Column("change_count", _l("Change (number)"), "int"),
            Column("change_ha", _l("Change (ha)"), "ha"),
            Column("established_count", _l("Established"), "int"),
            Column("established_ha", _l("Established (ha)"), "ha"),
        ],
    )
    for st in results.get("steps", []):
        label = (
            _("the original decision")
            if st["step"] == 0
            else _("amendment %(n)s") % {"n": st["step"]}
        )
        if st["is_synthetic"]:
            label = f"{label} ({_('illustrative')})"
        steps.rows.append({**st, "kind": kinds.get(st["kind"], st["kind"]), "step_label": label})
    chart = {
        "labels": [kinds.get(r["kind"], r["kind"]) for r in pva],
        "series": [
            {"label": str(_("Planned (ha)")), "data": [r["planned_ha"] for r in pva]},
            {"label": str(_("Established (ha)")), "data": [r["established_ha"] for r in pva]},
            {"label": str(_("Operating (ha)")), "data": [r["operating_ha"] for r in pva]},
        ],
    }
    figures = [
        {
            "kind": r["kind"],
            "planned_count": r["planned_count"],
            "planned_ha": r["planned_ha"],
            "established_count": r["established_count"],
            "established_ha": r["established_ha"],
            "basis": r["basis"],
        }
        for r in pva
    ]
    return table, steps, chart, figures


# --------------------------------------------------------------------------------------------
# Province dashboard
# --------------------------------------------------------------------------------------------
def province_dashboard(province: m.AdminUnit, *, user, today: dt.date | None = None) -> dict:
    """Figures, charts (as plain data) and tables of a province, as ``user`` may see them."""
    today = today or timezone.localdate()
    rights = Rights.of(user)
    areas = list(areas_in(province))
    eff = _efficiency(province)
    by_code = {a.code: a for a in areas}
    kinds = choice_labels(m.IndustrialArea, "kind")
    statuses = choice_labels(m.IndustrialArea, "status")

    # Headline figures -----------------------------------------------------------------------
    counts = defaultdict(lambda: defaultdict(int))
    for a in areas:
        counts[a.kind][a.status] += 1
    by_kind = []
    for t in eff["totals"]:
        members = [a for a in areas if a.kind == t["kind"]]
        if not members:
            continue
        by_kind.append(
            {
                "kind": t["kind"],
                "label": kinds.get(t["kind"], t["kind"]),
                "count": len(members),
                "planned_ha": sum(float(a.planned_area_ha) for a in members),
                "established_ha": sum(
                    float(a.planned_area_ha) for a in members if a.status in ESTABLISHED_STATUSES
                ),
                "leasable_ha": t["leasable_ha"],
                "leased_ha": t["leased_ha"],
                "occupancy": t["occupancy"],
                "occupancy_pct": None if t["occupancy"] is None else t["occupancy"] * 100,
                "by_status": [
                    {"status": s, "label": statuses.get(s, s), "count": counts[t["kind"]][s]}
                    for s in statuses
                    if counts[t["kind"]][s]
                ],
            }
        )
    projects = m.SecondaryProject.objects.filter(area__in=[a.pk for a in areas]).exclude(
        status="revoked"
    )
    proj = projects.aggregate(
        n=Count("pk"),
        reg=Sum("registered_capital_bn_vnd"),
        dis=Sum("disbursed_capital_bn_vnd"),
        pj=Sum("planned_jobs"),
        aj=Sum("actual_jobs"),
    )
    figures = {
        "n_areas": len(areas),
        "by_kind": by_kind,
        "planned_ha": sum(k["planned_ha"] for k in by_kind),
        "established_ha": sum(k["established_ha"] for k in by_kind),
        "projects": {
            "count": proj["n"] or 0,
            "registered_bn_vnd": float(proj["reg"] or 0),
            "disbursed_bn_vnd": float(proj["dis"] or 0),
            "planned_jobs": proj["pj"] or 0,
            "actual_jobs": proj["aj"] or 0,
        },
    }
    if rights.clearance:
        total = sum(a["clearance_parcel_ha"] for a in eff["areas"])
        done = sum(a["clearance_handed_over_ha"] for a in eff["areas"])
        figures["clearance"] = {
            "parcel_ha": total,
            "handed_over_ha": done,
            "to_clear_ha": max(0.0, total - done),
            "progress": done / total if total else None,
            "progress_pct": done / total * 100 if total else None,
        }

    # Areas table and occupancy chart --------------------------------------------------------
    cols = [
        Column("name", _l("Park / cluster"), "link"),
        Column("kind", _l("Type")),
        Column("status", _l("Status")),
        Column("planned_ha", _l("Planned area (ha)"), "ha"),
        Column("leasable_ha", _l("Leasable industrial land (ha)"), "ha"),
        Column("leased_ha", _l("Leased (ha)"), "ha"),
        Column("occupancy", _l("Occupancy"), "pct"),
        Column("n_projects", _l("Secondary projects"), "int"),
        Column("jobs_per_ha", _l("Jobs per ha"), "ha"),
        Column("registered_capital_per_ha", _l("Registered capital per ha (bn VND)"), "money", 2),
    ]
    if rights.clearance:
        cols += [
            Column("clearance_handed_over_ha", _l("Handed over (ha)"), "ha"),
            Column("clearance_progress", _l("Clearance progress"), "pct"),
        ]
    cols.append(Column("map", _l("Map"), "link", file_url=True))
    areas_table = Table("areas", _l("Parks and clusters"), cols)
    occupancy = {"labels": [], "values": [], "kinds": [], "codes": []}
    clearance = {"labels": [], "handed_over": [], "remaining": []}
    for row in eff["areas"]:
        a = by_code[row["code"]]
        links = _area_links(a)
        areas_table.rows.append(
            {
                **row,
                "kind": kinds.get(a.kind, a.kind),
                "status": statuses.get(a.status, a.status),
                "map": _("View on map"),
                "code": a.code,
            }
        )
        areas_table.links.append({"name": links["dashboard"], "map": links["map"]})
        if (
            row["occupancy"] is not None
            and a.status in ESTABLISHED_STATUSES
            and row["leasable_ha"] > 0
        ):
            occupancy["labels"].append(a.name)
            occupancy["values"].append(numformat.for_file_percent(row["occupancy"], 1))
            occupancy["kinds"].append(a.kind)
            occupancy["codes"].append(a.code)
        if rights.clearance and row["clearance_parcel_ha"] > 0:
            clearance["labels"].append(a.name)
            clearance["handed_over"].append(numformat.for_file(row["clearance_handed_over_ha"], 2))
            clearance["remaining"].append(
                numformat.for_file(row["clearance_parcel_ha"] - row["clearance_handed_over_ha"], 2)
            )

    # Plan vs actual (issue 13 plan: from the provincial plan where one is recorded) -----------
    plan_table, steps_table, plan_chart, figures["plan"] = plan_vs_actual_section(province, kinds)

    tables = [areas_table, plan_table, lease_table(province)]  # issue 13: lease prices
    if steps_table.rows:
        tables.append(steps_table)
    charts = {"occupancy": occupancy, "plan": plan_chart}
    out = {"province": province, "rights": rights, "figures": figures, "today": today}
    # issue 13 eco: conversion roadmaps (public, like eco readiness)
    conversion = conversion_table(areas, today=today)
    figures["conversion"] = conversion_figures(conversion)
    if conversion.rows:  # a province without roadmaps shows none (no empty download)
        tables.append(conversion)

    # Staff-only sections -------------------------------------------------------------------------
    if rights.clearance:
        charts["clearance"] = clearance
    if rights.monitoring:
        tva = targets_vs_actuals(areas)
        t_table = _targets_table(tva)
        charts["targets"] = _targets_chart(tva)
        tg = _targets(province)
        watch = Table(
            "watch_list",
            _l("Watch list: targets missed two years running"),
            [
                Column("area_name", _l("Park / cluster"), "link"),
                Column("years", _l("Years")),
                Column("message", _l("Finding")),
                Column("action", _l("Latest action")),
                Column("action_on", _l("Issued on"), "date"),
                Column("outcome", _l("Outcome")),
            ],
        )
        for w in tg["watch_list"]:
            a = by_code.get(w["area_id"])
            watch.rows.append(
                {
                    "area_name": w["area_name"],
                    "years": ", ".join(str(y) for y in w["years"]),
                    "message": w["message_vi"]
                    if active_lang() == "vi"
                    else w.get("message_en") or w["message_vi"],
                    **_action_cells(w.get("latest_action")),
                }
            )
            watch.row_class.append("kcn-overdue" if w.get("latest_action") is None else "")
            watch.links.append(
                {"area_name": reverse("web:dashboard_area", args=[a.pk])} if a else {}
            )
        watch.note = _l("Highlighted: no enforcement action recorded yet.")
        obstacles = obstacles_table(areas, today=today)
        out["n_overdue"] = sum(1 for r in obstacles.rows if r["overdue"])
        tables += [watch, obstacles, t_table]
        tables += late_reports_tables(areas, today=today)
        pipeline = transfer_pipeline_table(areas)
        if pipeline.rows:  # only provinces with state-developed clusters to transfer
            tables.append(pipeline)
    out["tables"] = {t.key: t for t in tables}
    out["charts"] = charts
    return out


# --------------------------------------------------------------------------------------------
# Area dashboard
# --------------------------------------------------------------------------------------------
def clearance_by_status(area: m.IndustrialArea) -> list[dict]:
    """Parcels of ``area`` by clearance status: count, ha, households, compensation (totals
    only)."""
    names = choice_labels(m.ClearanceParcel, "status")
    return [
        {**row, "label": names.get(row["status"], row["status"])}
        for row in reads.clearance_totals(area)
    ]


def area_dashboard(area: m.IndustrialArea, *, user, today: dt.date | None = None) -> dict:
    """Figures, charts and tables of one park or cluster, as ``user`` may see them."""
    today = today or timezone.localdate()
    rights = Rights.of(user)
    lang = active_lang()
    kinds = choice_labels(m.IndustrialArea, "kind")
    statuses = choice_labels(m.IndustrialArea, "status")
    eco_names = choice_labels(m.IndustrialArea, "eco_status")
    row = area_rows(
        [area],
        locator=UnitLocator.load(m.AdminUnit.objects.filter(boundary__intersects=area.boundary)),
    )[0]
    # The province the area was reported under (Sóc Trăng rather than today's Cần Thơ).
    provinces = list(
        m.AdminUnit.objects.filter(level="province", boundary__intersects=area.boundary).order_by(
            "pk"
        )
    )
    province = next(
        (p for p in provinces if p.name == row.record.province), provinces[0] if provinces else None
    )
    projects = project_records([area])
    parcels = parcel_records([area]) if rights.clearance else []
    eff = translate(
        land_use_efficiency([row.record], parcels=parcels, projects=projects, levels=())
        .areas[0]
        .to_dict()
    )
    figures = {
        "kind": kinds.get(area.kind, area.kind),
        "status": statuses.get(area.status, area.status),
        "planned_ha": float(area.planned_area_ha),
        "boundary_ha": area.boundary_area_ha,
        "leasable_ha": float(area.industrial_land_ha),
        "leased_ha": float(area.leased_land_ha),
        "occupancy": area.occupancy,
        "established_on": area.established_on,
        "occupancy_pct": None if area.occupancy is None else area.occupancy * 100,
        "developer": area.developer.name if area.developer_id else "",
        "commune": row.units["commune"].name if row.units.get("commune") else "",
        "district": row.units["district"].name if row.units.get("district") else "",
        "province": row.record.province,
        "eco_status": eco_names.get(area.eco_status, area.eco_status),
        "infra": [
            (_("Internal roads"), area.roads_done_pct),
            (_("Power supply"), area.power_done_pct),
            (_("Water supply"), area.water_done_pct),
            (_("Wastewater collection"), area.wastewater_done_pct),
        ],
        "n_projects": eff["n_projects"],
        "n_operating": eff["n_operating"],
        "jobs_per_ha": eff["jobs_per_ha"],
        "registered_capital_per_ha": eff["registered_capital_per_ha"],
        "expansion": eff["expansion"]["message_vi" if lang == "vi" else "message_en"],
        "plan_entry": _plan_entry_text(area),  # issue 13: the provincial plan it carries out
    }
    charts: dict = {
        "occupancy": {
            "labels": [area.name],
            "values": [numformat.for_file_percent(area.occupancy or 0, 1)],
            "kinds": [area.kind],
            "codes": [area.code],
        }
    }

    # Secondary projects (public layer) ------------------------------------------------------------
    proj_status = choice_labels(m.SecondaryProject, "status")
    late = _schedule(projects, today)
    pt = Table(
        "projects",
        _l("Secondary projects"),
        [
            Column("code", _l("Code")),
            Column("name", _l("Project")),
            Column("investor", _l("Investor")),
            Column("sector", _l("Sector")),
            Column("status", _l("Status")),
            Column("leased_ha", _l("Leased (ha)"), "ha", 2),
            Column("registered", _l("Registered capital (bn VND)"), "money", 1),
            Column("disbursed", _l("Disbursed capital (bn VND)"), "money", 1),
            Column("planned_jobs", _l("Planned jobs"), "int"),
            Column("actual_jobs", _l("Actual jobs"), "int"),
            Column("operation_planned", _l("Planned start of operation"), "date"),
            Column("operation_actual", _l("Actual start of operation"), "date"),
            Column("schedule", _l("Schedule")),
        ],
    )
    for p in m.SecondaryProject.objects.filter(area=area).order_by("name"):
        lag = late.get(p.code)
        if lag is None:
            schedule = ""
        elif lag["reason"] == "stalled":
            schedule = _("stalled")
        else:
            schedule = _("behind by %(months)s months") % {"months": lag["months_late"]}
        pt.rows.append(
            {
                "code": p.code,
                "name": p.name,
                "investor": p.investor,
                "sector": p.sector,
                "status": proj_status.get(p.status, p.status),
                "leased_ha": p.leased_area_ha,
                "registered": p.registered_capital_bn_vnd,
                "disbursed": p.disbursed_capital_bn_vnd,
                "planned_jobs": p.planned_jobs,
                "actual_jobs": p.actual_jobs,
                "operation_planned": p.operation_planned,
                "operation_actual": p.operation_actual,
                "schedule": schedule,
            }
        )
        pt.row_class.append("kcn-overdue" if lag else "")
    figures["n_lagging"] = len(late)
    tables = [pt]

    # Eco readiness (public) --------------------------------------------------------------------
    eco = translate(eco_readiness_all([row.record], criteria=EcoCriteria())[0].to_dict())
    et = Table(
        "eco",
        _l("Eco-industrial park readiness"),
        [
            Column("label", _l("Criterion")),
            Column("met", _l("Met")),
            Column("missing", _l("What is missing")),
        ],
    )
    for c in eco["criteria"]:
        et.rows.append(
            {
                "label": c["label_vi"] if lang == "vi" else c["label_en"],
                "met": {True: _("yes"), False: _("no"), None: _("unknown")}[c["met"]],
                "missing": c["missing_vi"] if lang == "vi" else c["missing_en"],
            }
        )
        et.row_class.append("kcn-overdue" if c["met"] is False else "")
    figures["eco_summary"] = eco["summary_vi"] if lang == "vi" else eco["summary_en"]
    tables.append(et)
    # issue 13 eco: the area's conversion roadmaps and the evidence per criterion
    figures["roadmaps"], roadmap_tables = conversion_area(area, today=today)
    tables += roadmap_tables

    out = {
        "area": area,
        "province": province,
        "rights": rights,
        "figures": figures,
        "today": today,
        "links": _area_links(area),
    }
    if rights.clearance:
        by_status = clearance_by_status(area)
        ct = Table(
            "clearance",
            _l("Clearance by parcel status"),
            [
                Column("label", _l("Status")),
                Column("count", _l("Parcels"), "int"),
                Column("ha", _l("Area (ha)"), "ha", 2),
                Column("planned_mn_vnd", _l("Compensation planned (mn VND)"), "money", 0),
                Column("paid_mn_vnd", _l("Compensation paid (mn VND)"), "money", 0),
            ],
            by_status,
        )
        tables.append(ct)
        figures["clearance"] = {
            "parcel_ha": eff["clearance_parcel_ha"],
            "handed_over_ha": eff["clearance_handed_over_ha"],
            "progress": eff["clearance_progress"],
            "idle_cleared_ha": eff["idle_cleared_ha"],
            "progress_pct": None
            if eff["clearance_progress"] is None
            else eff["clearance_progress"] * 100,
        }
        charts["clearance_status"] = {
            "labels": [r["label"] for r in by_status],
            "ha": [numformat.for_file(r["ha"], 2) for r in by_status],
            "statuses": [r["status"] for r in by_status],
        }
    if rights.monitoring:
        tva = targets_vs_actuals([area])
        tables.append(_targets_table(tva))
        charts["targets"] = _targets_chart(tva)
        obstacles = obstacles_table([area], today=today, with_area=False)
        out["n_overdue"] = sum(1 for r in obstacles.rows if r["overdue"])
        tables.append(obstacles)
        # The area's trail and its late reports, when there is any (a park owes no Circular 14
        # report; most areas have no enforcement step).
        tables += [
            t
            for t in (enforcement_trail_table(area), late_reports_tables([area], today=today)[0])
            if t.rows
        ]
    if (
        rights.infrastructure
        and area.status != m.IndustrialArea.Status.REVOKED
        and province is not None
    ):
        gaps = translate(analysis_compute("infrastructure-gaps", province=province).results)
        mine = next((r for r in gaps["areas"] if r["area_id"] == area.code), None)
        if mine is not None:
            it = Table(
                "infrastructure",
                _l("Infrastructure up to the fence"),
                [
                    Column("network", _l("Network")),
                    Column("feature", _l("Nearest feature")),
                    Column("distance_m", _l("Distance (m)"), "ha", 0),
                    Column("connected", _l("Connected")),
                ],
            )
            nets = {"road": _("Road"), "power": _("Power"), "water": _("Water")}
            for link in mine["links"]:
                it.rows.append(
                    {
                        "network": nets.get(link["network"], link["network"]),
                        "feature": link["feature_name"],
                        "distance_m": link["distance_m"],
                        "connected": _("yes") if link["connected"] else _("no"),
                    }
                )
                it.row_class.append("" if link["connected"] else "kcn-overdue")
            tables.append(it)
    out["tables"] = {t.key: t for t in tables}
    out["charts"] = charts
    return out


# --------------------------------------------------------------------------------------------
# Lease prices (issue 13: planning.services.department_reports)
# --------------------------------------------------------------------------------------------
def lease_table(province) -> Table:
    """The dashboard's table of lease prices (CSV and XLSX through the dashboard's downloads)."""
    report = lease_price_report(province=province)
    table = Table(
        "lease_prices",
        _l("Lease prices against the province and the region"),
        [
            Column("area_name", _l("Park / cluster"), "link"),
            Column("kind", _l("Type")),
            Column("region", _l("Region")),
            Column("price", _l("Lease price (USD/m²/term)"), "money", 2),
            Column("rank", _l("Rank in the province (1 = cheapest)"), "int"),
            Column("province_median", _l("Province median (USD/m²)"), "money", 2),
            Column("vs_province_median", _l("Difference from the province median"), "pct"),
            Column("region_median", _l("Region median (USD/m²)"), "money", 2),
            Column("vs_region_median", _l("Difference from the region median"), "pct"),
            Column("synthetic", _l("Demonstration price (synthetic)")),
        ],
        note=" ".join(report["notes"]),
    )
    for row in lease_price_rows(report):
        table.rows.append(row)
        table.links.append({"area_name": reverse("web:dashboard_area", args=[row["id"]])})
        table.row_class.append("synthetic" if row["synthetic"] == _("yes") else "")
    return table


# issue 13 eco: eco and smart conversion roadmaps (rules in planning.models.eco and
# planning.analysis.conversion; read through the eco-readiness service like the API)
# --------------------------------------------------------------------------------------------
def _programme_names() -> dict[str, str]:
    return {"eco": _("Eco-industrial park"), "smart": _("Smart industrial park")}


def _progress_names() -> dict[str, str]:
    return {"not_started": _("Not started"), "in_progress": _("In progress"), "met": _("Met")}


def conversion_table(areas, *, today: dt.date) -> Table:
    """One row per roadmap of ``areas``: criteria met of total, target year, deadline, overdue."""
    programmes = _programme_names()
    t = Table(
        "conversion",
        _l("Eco and smart conversion roadmaps"),
        [
            Column("name", _l("Park / cluster"), "link"),
            Column("programme", _l("Programme")),
            Column("criteria", _l("Criteria met")),
            Column("n_met", _l("Met"), "int"),
            Column("n_total", _l("Criteria in total"), "int"),
            Column("target_year", _l("Target year")),
            Column("deadline", _l("Conversion deadline"), "date"),
            Column("overdue", _l("Overdue")),
            Column("developer", _l("Responsible developer")),
            Column("document", _l("Decision or commitment document")),
        ],
    )
    by_pk = {a.pk: a for a in areas}
    roadmaps = translate(
        {str(pk): v for pk, v in conversion_roadmaps(list(areas), today=today).items()}
    )
    for pk, items in sorted(roadmaps.items(), key=lambda kv: by_pk[int(kv[0])].name):
        a = by_pk[int(pk)]
        for programme, r in items.items():
            t.rows.append(
                {
                    "name": a.name,
                    "programme": programmes[programme],
                    "criteria": f"{r['n_met']}/{r['n_total']}",
                    "n_met": r["n_met"],
                    "n_total": r["n_total"],
                    "target_year": str(r["target_year"]),
                    "deadline": dt.date.fromisoformat(r["deadline"]),
                    "overdue": _("yes") if r["overdue"] else _("no"),
                    "developer": r["developer"],
                    "document": r["document"],
                    "_overdue": r["overdue"],
                }
            )
            t.links.append({"name": reverse("web:dashboard_area", args=[a.pk])})
            t.row_class.append("kcn-overdue" if r["overdue"] else "")
    t.note = _l(
        "Overdue: the deadline has passed and the park is not certified (eco) or its checklist "
        "is not complete (smart). Smart-park criteria are the province's working list "
        "(ASSUMPTION); eco-park enterprise thresholds are NOT CONFIRMED for Decree 35/2022."
    )
    return t


def conversion_figures(table: Table) -> dict:
    """Roadmaps and overdue roadmaps counted from :func:`conversion_table`."""
    return {
        "n_roadmaps": len(table.rows),
        "n_overdue": sum(1 for r in table.rows if r["_overdue"]),
    }


def _measured_text(c: dict) -> str:
    """What the recorded figures say about a roadmap criterion (empty when they do not measure
    it)."""
    if c["measured_met"] is None:
        return ""
    if c["measured_met"]:
        return _("met")
    missing = c["measured_missing"] or ""
    if c["conflict"]:
        return _("declared met, but the recorded figures say: %(missing)s") % {"missing": missing}
    return missing


def conversion_area(area: m.IndustrialArea, *, today: dt.date) -> tuple[list[dict], list[Table]]:
    """The roadmaps of one area (for the page's summary) and one criteria table per roadmap."""
    lang = active_lang()
    programmes = _programme_names()
    progress = _progress_names()
    basis = dict(m.ConversionCriterion.Basis.choices)
    confirmation = dict(m.ConversionCriterion.Confirmation.choices)
    items = translate(conversion_roadmaps([area], today=today).get(area.pk, {}))
    summaries, out = [], []
    for programme, r in items.items():
        summaries.append(
            {
                "programme": programme,
                "label": programmes[programme],
                "target_year": r["target_year"],
                "deadline": dt.date.fromisoformat(r["deadline"]),
                "n_met": r["n_met"],
                "n_total": r["n_total"],
                "overdue": r["overdue"],
                "achieved": r["achieved"],
                "developer": r["developer"],
                "document": r["document"],
                "document_date": r["document_date"] and dt.date.fromisoformat(r["document_date"]),
                "document_agency": r["document_agency"],
                "is_synthetic": r["is_synthetic"],
                "summary": r["summary_vi"] if lang == "vi" else r["summary_en"],
                "citation": r["citation"],
            }
        )
        t = Table(
            f"conversion_{programme}",
            _l("Conversion criteria: %(programme)s") % {"programme": programmes[programme]},
            [
                Column("criterion", _l("Criterion")),
                Column("threshold", _l("Threshold")),
                Column("basis", _l("Basis")),
                Column("confirmation", _l("Confirmation")),
                Column("status", _l("Status")),
                Column("evidence", _l("Evidence")),
                Column("evidence_date", _l("Evidence date"), "date"),
                Column("measured", _l("Recorded figures")),
            ],
        )
        for c in r["criteria"]:
            evidence = " — ".join(
                x for x in (c["evidence_document"], c["evidence_description"]) if x
            )
            t.rows.append(
                {
                    "criterion": c["name_en"] if lang == "en" else c["name_vi"],
                    "threshold": c["threshold"],
                    "basis": str(basis.get(c["basis"], c["basis"])),
                    "confirmation": str(confirmation.get(c["confirmation"], c["confirmation"])),
                    "status": progress.get(c["status"], c["status"]),
                    "evidence": evidence,
                    "evidence_date": c["evidence_date"]
                    and dt.date.fromisoformat(c["evidence_date"]),
                    "measured": _measured_text(c),
                }
            )
            t.row_class.append("kcn-overdue" if c["conflict"] else "")
        t.note = r["citation"]
        out.append(t)
    return summaries, out


# issue 13 enforce: reports not received by the deadline, the enforcement trail, transfers
# --------------------------------------------------------------------------------------------
def late_reports_tables(areas, *, today: dt.date) -> list[Table]:
    """Reports not received by their deadline (Circular 14/2024/TT-BCT): per area and period,
    and per developer. Read from the register of reports received and the annual reports."""
    late = enforcement_reads.late_reporters(areas, on=today)
    kinds = choice_labels(m.IndustrialArea, "kind")
    states = {"missing": _("not received"), "late": _("received late")}
    per_area = Table(
        "late_reports",
        _l("Periodic reports not received by the deadline"),
        [
            Column("area", _l("Park / cluster"), "link"),
            Column("kind", _l("Type")),
            Column("developer", _l("Developer")),
            Column("period", _l("Report")),
            Column("deadline", _l("Deadline"), "date"),
            Column("state", _l("State")),
            Column("submitted_on", _l("Received on"), "date"),
            Column("days_late", _l("Days late"), "int"),
        ],
    )
    for r in late:
        per_area.rows.append(
            {
                "area": r.area_name,
                "kind": kinds.get(r.kind, r.kind),
                "developer": r.developer_name,
                "period": _period_label(r.period),
                "deadline": r.period.deadline,
                "state": states[r.state],
                "submitted_on": r.submitted_on,
                "days_late": r.days_late,
            }
        )
        per_area.row_class.append("kcn-overdue" if r.state == "missing" else "")
        per_area.links.append({"area": reverse("web:dashboard_area", args=[r.area_id])})
    per_area.note = _l(
        "Circular 14/2024/TT-BCT (amended by 38/2025/TT-BCT): half-year report (data 15 December "
        "– 14 June) due by 20 June, annual report (data 15 December – 14 December) due by 20 "
        "December, from the infrastructure investors of clusters. A report dated on the deadline "
        "counts as on time. Parks (KCN) are not listed: Decree 35/2022/ND-CP Art. 27 sets no "
        "confirmed periodic form."
    )
    per_dev = Table(
        "late_developers",
        _l("Developers with reports not received by the deadline"),
        [
            Column("developer", _l("Developer")),
            Column("areas", _l("Parks and clusters")),
            Column("missing", _l("Not received"), "int"),
            Column("late", _l("Received late"), "int"),
            Column("latest", _l("Latest report concerned")),
        ],
    )
    for d in late_by_developer(late):
        per_dev.rows.append(
            {
                "developer": d.developer_name,
                "areas": ", ".join(d.areas),
                "missing": d.missing,
                "late": d.late,
                "latest": d.latest_period,
            }
        )
        per_dev.row_class.append("kcn-overdue" if d.missing else "")
    return [per_area, per_dev]


def _period_label(p) -> str:
    if p.kind == "half_year":
        return _("half-year report %(year)s") % {"year": p.year}
    return _("annual report %(year)s") % {"year": p.year}


def _action_cells(action: dict | None) -> dict:
    if action is None:
        return {"action": _("no action recorded yet"), "action_on": None, "outcome": ""}
    kinds = dict(m.EnforcementAction.Kind.choices)
    outcomes = dict(m.EnforcementAction.Outcome.choices)
    return {
        "action": f"{kinds.get(action['kind'], action['kind'])} — {action['document_no']}",
        "action_on": dt.date.fromisoformat(action["issued_on"]),
        "outcome": str(outcomes.get(action["outcome"], action["outcome"])),
    }


def enforcement_trail_table(area: m.IndustrialArea) -> Table:
    """The area's enforcement timeline (actions, outcomes, conversion plan, transfers)."""
    t = Table(
        "enforcement",
        _l("Enforcement and transfer timeline"),
        [
            Column("on", _l("Date"), "date"),
            Column("what", _l("Step")),
            Column("document", _l("Document")),
            Column("agency", _l("Issuing agency")),
            Column("outcome", _l("Outcome")),
            Column("synthetic", _l("Illustrative data")),
        ],
    )
    for e in enforcement_reads.area_trail(area):
        t.rows.append(
            {
                "on": e.on,
                "what": e.what,
                "document": e.document,
                "agency": e.agency,
                "outcome": e.outcome,
                "synthetic": _("yes") if e.synthetic else "",
            }
        )
        t.row_class.append("")
    return t


def transfer_pipeline_table(areas) -> Table:
    """State-developed clusters on their way to an enterprise, by stage."""
    t = Table(
        "transfer_pipeline",
        _l("Transfer of state-developed clusters to enterprises"),
        [
            Column("area", _l("Cluster"), "link"),
            Column("stage", _l("Stage")),
            Column("stage_on", _l("Since"), "date"),
            Column("from", _l("State developer")),
            Column("to", _l("Enterprise")),
            Column("decision", _l("Decision")),
            Column("synthetic", _l("Illustrative data")),
        ],
    )
    for c in enforcement_reads.transfer_pipeline(areas):
        t.rows.append(
            {
                "area": c.area.name,
                "stage": str(c.get_stage_display()),
                "stage_on": c.stage_on,
                "from": c.from_developer.name,
                "to": c.interested_developer.name if c.interested_developer_id else "",
                "decision": c.decision,
                "synthetic": _("yes") if c.is_synthetic else "",
            }
        )
        t.links.append({"area": reverse("web:dashboard_area", args=[c.area_id])})
    t.note = _l(
        "Bình Định conclusion notice of 11 April 2025: transfer state-developed clusters to "
        "enterprises step by step; the transfer procedure is NOT CONFIRMED in law."
    )
    return t


def _plan_entry_text(area: m.IndustrialArea) -> str:
    """The provincial plan's entry this area carries out, or that it is on no recorded plan."""
    entry = m.PlanEntry.objects.filter(area=area).select_related("plan").first()
    if entry is None:
        return _("Not linked to an entry of a recorded provincial plan.")
    plan = entry.plan
    decision = plan.decision_number or _("decision not sourced")
    text = _("Provincial plan %(plan)s (%(decision)s): %(entry)s, %(ha)s ha planned.") % {
        "plan": plan.name,
        "decision": decision,
        "entry": entry.name,
        "ha": numbers.number(float(entry.planned_area_ha), 1),
    }
    if entry.removed_by_id:
        text += " " + _("Taken off the plan by an amendment.")
    return text
