"""Land-use efficiency (``efficiency``): occupancy per area and per unit (commune, legacy
district or province), optionally as at the end of a past year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from planning import models as m
from planning.analysis.efficiency import EfficiencyCriteria, land_use_efficiency, unit_label
from planning.analysis.messages import N_, Message
from planning.analysis.records import KINDS
from planning.analysis.summaries import kind_totals
from planning.selectors.admin_units import AREA_LEVELS, UnitLocator
from planning.selectors.analysis_inputs.areas import area_rows, areas_with_points
from planning.selectors.analysis_inputs.efficiency import (
    annual_totals,
    clearance_totals,
    leased_after,
    project_totals,
)
from planning.selectors.input_versions import input_versions
from planning.services.analyses.common import (
    P_LEVEL,
    P_PROVINCE,
    criteria_param,
    parse_level,
    parse_year,
    province_optional,
    scope_name,
    unit_from_ref,
    unit_ref,
)
from planning.services.analyses.registry import (
    AnalysisSpec,
    Outcome,
    Progress,
    Timer,
    register_analysis,
)
from planning.services.analysis_params import Param, criteria_build

NAME = "efficiency"


def _prepare(
    *, province=None, unit: str | None = None, year=None, criteria: Mapping | None = None
) -> tuple[dict, m.AdminUnit | None]:
    province = province_optional(province)
    crit = criteria_build(EfficiencyCriteria, criteria)
    return {
        "province": unit_ref(province),
        "unit": parse_level(unit),
        "year": parse_year(year),
        "overrides": dict(criteria or {}),
        "criteria": crit.to_dict(),
    }, province


def _body(params: dict, progress: Progress) -> Outcome:
    timer = Timer()
    province = unit_from_ref(params["province"])
    crit = criteria_build(EfficiencyCriteria, params["criteria"])
    level, year = params["unit"], params["year"]
    with timer("inputs"):
        areas, points = areas_with_points(province)  # no boundaries: a point on each is enough
        as_of = dt.date(year, 12, 31) if year else None
        leased = None
        if year:
            kept = [
                i
                for i, a in enumerate(areas)
                if a.established_on is None or a.established_on <= as_of
            ]
            areas, points = [areas[i] for i in kept], points[kept]
            after = leased_after(areas, year)
            leased = {a.pk: max(0.0, float(a.leased_land_ha) - after.get(a.pk, 0.0)) for a in areas}
        locator = UnitLocator.current()
        rows = area_rows(areas, locator=locator, leased_override=leased, points=points)
        # Summed per area by the database: no per-parcel or per-project rows come back.
        counts: dict[str, int] = {}  # the parcels' row count from the same scan (input versions)
        parcel_sums = clearance_totals(
            areas, as_of=as_of, all_areas=province is None, row_count=counts
        )
        project_sums = project_totals(areas, as_of=as_of, all_areas=province is None)
    progress(40, _("computing the efficiency indicators"))
    with timer("analysis"):
        report = land_use_efficiency(
            [r.record for r in rows],
            parcel_sums=parcel_sums,
            project_sums=project_sums,
            levels=(level,),
            criteria=crit,
        )
    names: dict[str, str] = {}
    area_out = []
    for row, eff in zip(rows, report.areas, strict=True):
        d = eff.to_dict()
        d.update(
            code=row.area.code,
            province=row.record.province,
            commune=row.units["commune"].name if row.units["commune"] else None,
            district=row.units["district"].name if row.units["district"] else None,
        )
        for lv in AREA_LEVELS:
            if row.units.get(lv):
                names[f"{lv}:{row.units[lv].code}"] = row.units[lv].name
        area_out.append(d)
    unit_out = []
    for u in report.units:
        d = u.to_dict()
        d["unit_name"] = names.get(f"{u.level}:{u.unit}", str(u.unit))
        params = d["new_area_rule"]["message"]["params"]
        if isinstance(params.get("where"), dict):  # name the unit, not its key
            params["where"]["params"]["unit"] = unit_label(u.level, d["unit_name"]).to_dict()
        unit_out.append(d)
    results = {
        "scope": scope_name(province),
        "unit": level,
        "year": year,
        "as_of": as_of.isoformat() if as_of else None,
        "n_areas": len(area_out),
        "totals": kind_totals(
            [r.record for r in rows], counted_statuses=crit.counted_statuses, kinds=KINDS
        ),
        "areas": area_out,
        "units": unit_out,
        "by_year": annual_totals(areas, all_areas=province is None and not year),
        "notes": (
            [
                Message(
                    N_(
                        "Figures for %(year)s rebuilt from the current data: the leased land less "
                        "the leases reported after %(year)s; projects registered after "
                        "31/12/%(year)s not counted; parcels handed over after that day counted "
                        "as not handed over."
                    ),
                    {"year": year},
                ).to_dict()
            ]
            if year
            else []
        ),
    }
    versions = input_versions(
        [m.IndustrialArea, m.ClearanceParcel, m.SecondaryProject, m.AnnualReport, m.AdminUnit],
        counts=counts,
    )
    return Outcome(results, versions, timer.steps)


SPEC = register_analysis(
    AnalysisSpec(
        NAME,
        pgettext_lazy("analysis title", "Land-use efficiency"),
        _prepare,
        _body,
        input_layers=("industrial_areas", "clearance_parcels", "secondary_projects"),
        parameters=(
            P_PROVINCE,
            P_LEVEL,
            Param(
                "year",
                "year",
                pgettext_lazy("parameter help", "situation at the end of year"),
            ),
            criteria_param("EfficiencyCriteria"),
        ),
    )
)
