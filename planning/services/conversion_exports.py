"""Eco-readiness results with the conversion roadmaps as files: CSV (one table) and XLSX (all).

Tables: ``roadmaps`` (one row per area and programme: criteria met of total, deadline,
overdue, responsible developer, document), ``criteria`` (one row per criterion of a roadmap,
with its status and evidence, its basis and whether it is confirmed) and ``readiness`` (the
measured eco-park criteria of each area). Sheet and file names are the same in every language
(programs open them by name); labels follow the request's language.
"""

from __future__ import annotations

import json

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from planning import models as m
from planning import tables
from planning.errors import InvalidParameter
from planning.tables import TEXT, Column
from planning.texts import translate

COUNT = 0

ROADMAP_COLUMNS = (
    Column("code", gettext_lazy("Code")),
    Column("name", gettext_lazy("Name")),
    Column("kind", gettext_lazy("Kind")),
    Column("province", gettext_lazy("Province")),
    Column("programme", gettext_lazy("Programme")),
    Column("eco_status", gettext_lazy("Eco-park status")),
    Column("is_smart", gettext_lazy("Smart park (checklist complete)")),
    Column("target_year", gettext_lazy("Target year")),
    Column("deadline", gettext_lazy("Conversion deadline")),
    Column("n_met", gettext_lazy("Criteria met"), COUNT),
    Column("n_in_progress", gettext_lazy("Criteria in progress"), COUNT),
    Column("n_not_started", gettext_lazy("Criteria not started"), COUNT),
    Column("n_total", gettext_lazy("Criteria in total"), COUNT),
    Column("achieved", gettext_lazy("Achieved")),
    Column("overdue", gettext_lazy("Overdue")),
    Column("days_overdue", gettext_lazy("Days past the deadline"), COUNT),
    Column("n_conflicts", gettext_lazy("Criteria contradicted by the recorded figures"), COUNT),
    Column("developer", gettext_lazy("Responsible developer")),
    Column("document", gettext_lazy("Decision or commitment document")),
    Column("document_date", gettext_lazy("Document date")),
    Column("document_agency", gettext_lazy("Issued by")),
    Column("is_synthetic", gettext_lazy("Illustrative data")),
    Column("summary", gettext_lazy("Summary"), TEXT),
)
CRITERION_COLUMNS = (
    Column("code", gettext_lazy("Code")),
    Column("name", gettext_lazy("Name")),
    Column("programme", gettext_lazy("Programme")),
    Column("criterion", gettext_lazy("Criterion code")),
    Column("criterion_name", gettext_lazy("Criterion")),
    Column("threshold", gettext_lazy("Threshold")),
    Column("basis", gettext_lazy("Basis")),
    Column("confirmation", gettext_lazy("Confirmation")),
    Column("status", gettext_lazy("Status")),
    Column("evidence_document", gettext_lazy("Evidence document")),
    Column("evidence_description", gettext_lazy("Evidence description")),
    Column("evidence_date", gettext_lazy("Evidence date")),
    Column("is_synthetic", gettext_lazy("Illustrative data")),
    Column("measured_met", gettext_lazy("Met by the recorded figures")),
    Column("measured_missing", gettext_lazy("Recorded figures")),
    Column("conflict", gettext_lazy("Declared met against the recorded figures")),
    Column("citation", gettext_lazy("Citation")),
)
READINESS_COLUMNS = (
    Column("code", gettext_lazy("Code")),
    Column("name", gettext_lazy("Name")),
    Column("kind", gettext_lazy("Kind")),
    Column("status", gettext_lazy("Status")),
    Column("n_met", gettext_lazy("Criteria met"), COUNT),
    Column("n_unknown", gettext_lazy("No data"), COUNT),
    Column("n_total", gettext_lazy("Criteria in total"), COUNT),
    Column("ready", gettext_lazy("Ready")),
    Column("summary", gettext_lazy("Summary"), TEXT),
)
COLUMNS = {
    "roadmaps": ROADMAP_COLUMNS,
    "criteria": CRITERION_COLUMNS,
    "readiness": READINESS_COLUMNS,
}
SHEETS = {"roadmaps": "Lo_trinh", "criteria": "Tieu_chi", "readiness": "San_sang"}
PARAMETER_SHEET = "Tham_so"
FILE_STEM = "chuyen_doi_kcn_sinh_thai_thong_minh"


def _status_labels() -> dict[str, str]:
    return {
        "not_started": _("Not started"),
        "in_progress": _("In progress"),
        "met": _("Met"),
        "eco": _("Eco-industrial park"),
        "smart": _("Smart industrial park"),
        "notice": _("Provincial conclusion notice of 11 April 2025"),
        "decree35": _("Decree 35/2022/ND-CP"),
        "province": _("Province's working list"),
        "confirmed": _("confirmed in the source"),
        "not_confirmed": _("NOT CONFIRMED"),
        "assumption": _("ASSUMPTION"),
    }


def conversion_tables(results: dict) -> dict[str, list[dict]]:
    """The eco-readiness results (as computed, or translated) as flat records per table."""
    results = translate(results)
    en = (get_language() or "vi").startswith("en")
    names = _status_labels()
    eco_names = {str(k): str(v) for k, v in m.IndustrialArea.EcoStatus.choices}
    roadmaps, criteria, readiness = [], [], []
    for a in results["areas"]:
        base = {"code": a.get("code") or a["area_id"], "name": a["area_name"]}
        readiness.append({**a, **base})
        for programme, r in a.get("roadmaps", {}).items():
            roadmaps.append(
                {
                    **r,
                    **base,
                    "kind": a["kind"],
                    "province": a.get("province"),
                    "programme": names[programme],
                    "eco_status": eco_names.get(a["eco_status"], a["eco_status"]),
                    "is_smart": a.get("is_smart"),
                }
            )
            for c in r["criteria"]:
                criteria.append(
                    {
                        **c,
                        **base,
                        "programme": names[programme],
                        "criterion": c["code"],
                        "criterion_name": c["name_en"] if en else c["name_vi"],
                        "basis": names.get(c["basis"], c["basis"]),
                        "confirmation": names.get(c["confirmation"], c["confirmation"]),
                        "status": names.get(c["status"], c["status"]),
                    }
                )
    return {"roadmaps": roadmaps, "criteria": criteria, "readiness": readiness}


def conversion_export(
    results: dict, fmt: str, *, table: str = "roadmaps"
) -> tuple[bytes, str, str]:
    """``(content, content type, file name)`` of eco-readiness results as JSON, CSV or XLSX."""
    stamp = results.get("as_of", "")
    if fmt == "json":
        return (
            json.dumps(translate(results), ensure_ascii=False, indent=1).encode("utf-8"),
            "application/json",
            f"{FILE_STEM}_{stamp}.json",
        )
    if fmt not in ("csv", "xlsx"):
        raise InvalidParameter(f"format must be json, csv or xlsx (got {fmt!r})")
    records = conversion_tables(results)
    if fmt == "csv":
        if table not in records:
            raise InvalidParameter(f"table must be one of {', '.join(records)} (got {table!r})")
        cols = COLUMNS[table]
        return (
            tables.write_csv(tables.keys(cols), tables.record_rows(records[table], cols)),
            tables.CSV_TYPE,
            f"{FILE_STEM}_{table}_{stamp}.csv",
        )
    sheets = [
        tables.Sheet(
            SHEETS[key],
            tables.record_rows(records[key], COLUMNS[key]),
            COLUMNS[key],
            header=("label", "key"),
        )
        for key in COLUMNS
    ]
    parameters = [
        (_("Scope"), results.get("scope")),
        (_("Deadlines checked on"), results.get("as_of")),
        (_("Roadmaps overdue"), results.get("n_overdue")),
        (
            _("Note"),
            _(
                "Smart-park criteria: the province's working list (ASSUMPTION), no official "
                "criteria found. Eco-park enterprise thresholds: NOT CONFIRMED for Decree 35/2022."
            ),
        ),
    ]
    sheets.append(tables.Sheet(PARAMETER_SHEET, parameters, bold_first_row=False))
    return tables.write_xlsx(sheets), tables.XLSX_TYPE, f"{FILE_STEM}_{stamp}.xlsx"
