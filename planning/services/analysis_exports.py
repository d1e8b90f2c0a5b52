"""Efficiency results as files: flat tables, CSV (UTF-8 with BOM) and XLSX (:mod:`planning.tables`).

Numbers are rounded to what the field means (:mod:`planning.analysis.numformat`, half-up):
hectares and money to 0.01, ratios (0–1) to 0.0001, jobs per hectare to 0.1, counts and people
to whole numbers — no binary tails such as ``16.00999999999999`` in a spreadsheet.

Column labels and the parameter sheet are in the language of the request; the CSV header and
the XLSX second row are the field names, and the sheet and file names stay the same in every
language (programs read them).
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning import tables
from planning.errors import InvalidParameter
from planning.tables import TEXT, Column
from planning.texts import translate

HA, RATIO, MONEY, PER_HA, COUNT = 2, 4, 2, 1, 0  # decimals kept in the files (RATIO only is 4)


def _ratio(key: str, label) -> Column:
    """A share (0–1) kept to 4 decimals, shown as a percentage in XLSX."""
    return Column(key, label, RATIO, percent_of_one=True)


AREA_COLUMNS = (
    Column("code", gettext_lazy("Code")),
    Column("name", gettext_lazy("Name")),
    Column("kind", gettext_lazy("Kind")),
    Column("status", gettext_lazy("Status")),
    Column("province", gettext_lazy("Province")),
    Column("district", gettext_lazy("District (former)")),
    Column("commune", gettext_lazy("Commune/ward")),
    Column("planned_ha", gettext_lazy("Planned area (ha)"), HA),
    Column("leasable_ha", gettext_lazy("Leasable industrial land (ha)"), HA),
    Column("leased_ha", gettext_lazy("Leased (ha)"), HA),
    Column("unleased_ha", gettext_lazy("Not leased (ha)"), HA),
    _ratio("occupancy", gettext_lazy("Occupancy")),
    _ratio("leasable_share", gettext_lazy("Industrial land share")),
    Column("clearance_parcel_ha", gettext_lazy("Clearance land (ha)"), HA),
    Column("clearance_handed_over_ha", gettext_lazy("Handed over (ha)"), HA),
    _ratio("clearance_progress", gettext_lazy("Clearance progress")),
    Column("idle_cleared_ha", gettext_lazy("Cleared land not in use (ha)"), HA),
    Column("n_projects", gettext_lazy("Projects"), COUNT),
    Column("n_operating", gettext_lazy("Projects operating"), COUNT),
    _ratio("build_out", gettext_lazy("Share of projects operating")),
    Column("registered_capital_per_ha", gettext_lazy("Registered capital per ha (bn VND)"), MONEY),
    Column("disbursed_capital_per_ha", gettext_lazy("Disbursed capital per ha (bn VND)"), MONEY),
    _ratio("disbursement_ratio", gettext_lazy("Disbursement ratio")),
    Column("jobs_per_ha", gettext_lazy("Workers per ha"), PER_HA),
    Column("planned_jobs_per_ha", gettext_lazy("Planned workers per ha"), PER_HA),
    Column("tax_per_ha", gettext_lazy("Budget contribution per ha"), MONEY),
    Column("expansion_passed", gettext_lazy("Eligible for expansion"), TEXT),
    Column("expansion_message", gettext_lazy("Expansion note"), TEXT),
)
UNIT_COLUMNS = (
    Column("level", gettext_lazy("Level")),
    Column("unit", gettext_lazy("Unit code")),
    Column("unit_name", gettext_lazy("Unit")),
    Column("kind", gettext_lazy("Kind")),
    Column("n_counted", gettext_lazy("Areas"), COUNT),
    Column("planned_ha", gettext_lazy("Planned area (ha)"), HA),
    Column("leasable_ha", gettext_lazy("Leasable industrial land (ha)"), HA),
    Column("leased_ha", gettext_lazy("Leased (ha)"), HA),
    Column("unleased_ha", gettext_lazy("Not leased (ha)"), HA),
    _ratio("occupancy", gettext_lazy("Occupancy (area-weighted mean)")),
    _ratio("mean_occupancy", gettext_lazy("Occupancy (simple mean)")),
    Column("new_area_passed", gettext_lazy("Eligible for a new cluster"), TEXT),
    Column("new_area_message", gettext_lazy("Note"), TEXT),
)
YEAR_COLUMNS = (
    Column("year", gettext_lazy("Year")),
    Column("n_reports", gettext_lazy("Reports"), COUNT),
    Column("clearance_ha", gettext_lazy("Clearance handed over (ha)"), HA),
    Column("leased_ha", gettext_lazy("Newly leased (ha)"), HA),
    Column("new_projects", gettext_lazy("New projects"), COUNT),
    Column("disbursed_bn_vnd", gettext_lazy("Infrastructure capital disbursed (bn VND)"), MONEY),
    Column("workers", gettext_lazy("Workers"), COUNT),
    Column("revenue_bn_vnd", gettext_lazy("Revenue (bn VND)"), MONEY),
    Column("tax_bn_vnd", gettext_lazy("Budget contribution (bn VND)"), MONEY),
    Column("export_musd", gettext_lazy("Exports (million USD)"), MONEY),
)
COLUMNS = {"areas": AREA_COLUMNS, "units": UNIT_COLUMNS, "years": YEAR_COLUMNS}
# Sheet names are the same in every language (programs open them by name).
SHEETS = {"areas": "Khu_cum", "units": "Don_vi", "years": "Theo_nam"}
PARAMETER_SHEET = "Tham_so"


def efficiency_tables(results: dict) -> dict[str, tuple[tuple, list[list]]]:
    """The efficiency results as flat tables: ``{"areas"|"units"|"years": (headers, rows)}``.

    Rule messages are in the active language.
    """

    def area(a):
        rule = a["expansion"]
        return dict(
            a, expansion_passed=rule["passed"], expansion_message=translate(rule)["message"]
        )

    def unit(u):
        rule = u["new_area_rule"]
        return dict(u, new_area_passed=rule["passed"], new_area_message=translate(rule)["message"])

    records = {
        "areas": [area(a) for a in results["areas"]],
        "units": [unit(u) for u in results["units"]],
        "years": results["by_year"],
    }
    return {
        key: (tuple(tables.keys(COLUMNS[key])), tables.record_rows(records[key], COLUMNS[key]))
        for key in COLUMNS
    }


def efficiency_export(results: dict, fmt: str, *, table: str = "areas") -> tuple[bytes, str, str]:
    """``(content, content type, file name)`` of the efficiency results as JSON, CSV or XLSX.

    CSV holds one table (``areas``, ``units`` or ``years``), UTF-8 with a byte-order mark so that
    Excel reads the Vietnamese text; XLSX holds all three plus the parameters. JSON is the
    results as computed (full precision), for programs, their texts in the active language.
    """
    stamp = f"{results.get('unit', '')}{'_' + str(results['year']) if results.get('year') else ''}"
    if fmt == "json":
        return (
            json.dumps(translate(results), ensure_ascii=False, indent=1).encode("utf-8"),
            "application/json",
            f"hieu_qua_su_dung_dat_{stamp}.json",
        )
    if fmt not in ("csv", "xlsx"):
        raise InvalidParameter(f"format must be json, csv or xlsx (got {fmt!r})")
    flat = efficiency_tables(results)
    if fmt == "csv":
        if table not in flat:
            raise InvalidParameter(f"table must be one of {', '.join(flat)} (got {table!r})")
        headers, rows = flat[table]
        return (
            tables.write_csv(headers, rows),
            tables.CSV_TYPE,
            f"hieu_qua_su_dung_dat_{table}_{stamp}.csv",
        )
    sheets = [
        tables.Sheet(SHEETS[key], rows, COLUMNS[key], header=("label", "key"))
        for key, (_headers, rows) in flat.items()
    ]
    parameters = [
        (_("Scope"), results.get("scope")),
        (_("Aggregation level"), results.get("unit")),
        (_("Year"), results.get("year")),
        *((_("Note"), n) for n in translate(results.get("notes", ()))),
    ]
    sheets.append(tables.Sheet(PARAMETER_SHEET, parameters, bold_first_row=False))
    return tables.write_xlsx(sheets), tables.XLSX_TYPE, f"hieu_qua_su_dung_dat_{stamp}.xlsx"
