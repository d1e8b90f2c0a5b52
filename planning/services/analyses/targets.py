"""Targets (``targets``): the two-consecutive-years watch list, developer capacity, state
clusters to transfer and lagging projects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from planning import models as m
from planning.analysis.targets import (
    TargetRule,
    developer_capacity,
    lagging_projects,
    target_watch_list,
    transfer_candidates,
)
from planning.selectors.admin_units import UnitLocator
from planning.selectors.analysis_inputs.areas import area_rows, areas_in
from planning.selectors.analysis_inputs.targets import (
    developer_records,
    project_records,
    synthetic_investment_ids,
    target_records,
)
from planning.selectors.input_versions import input_versions
from planning.services.analyses.common import (
    P_PROVINCE,
    criteria_param,
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

NAME = "targets"


def _prepare(
    *, province=None, as_of_year=None, as_of=None, grace_months=6, rule: Mapping | None = None
) -> tuple[dict, m.AdminUnit | None]:
    province = province_optional(province)
    as_of_date = timezone.localdate() if as_of in (None, "") else as_of
    year = parse_year(as_of_year, "as_of_year") or as_of_date.year - 1
    crit = criteria_build(TargetRule, rule, param="rule")
    return {
        "province": unit_ref(province),
        "as_of_year": year,
        "as_of": as_of_date.isoformat(),
        "grace_months": int(grace_months),
        "overrides": dict(rule or {}),
        "rule": crit.to_dict(),
    }, province


def _body(params: dict, progress: Progress) -> Outcome:
    timer = Timer()
    province = unit_from_ref(params["province"])
    rule = criteria_build(TargetRule, params["rule"])
    with timer("inputs"):
        areas = list(areas_in(province))
        rows = area_rows(areas, locator=UnitLocator.current())
        records = [r.record for r in rows]
        targets, actuals = target_records(areas)
        developers = developer_records(areas)
        projects = project_records(areas)
    shares = getattr(
        settings, "PLANNING_OWN_CAPITAL_MIN_SHARE", {"below_20_ha": 0.20, "from_20_ha": 0.15}
    )
    with timer("analysis"):
        watch = target_watch_list(
            targets, actuals, areas=records, rule=rule, as_of_year=params["as_of_year"]
        )
        capacity = developer_capacity(
            developers=developers,
            areas=records,
            min_share_below=shares["below_20_ha"],
            min_share_from=shares["from_20_ha"],
            synthetic_investment=synthetic_investment_ids(areas),
        )
        transfers = transfer_candidates(records)
        lagging = lagging_projects(
            projects,
            as_of=dt.date.fromisoformat(params["as_of"]),
            grace_months=params["grace_months"],
        )
    results = {
        "scope": scope_name(province),
        "as_of_year": params["as_of_year"],
        "as_of": params["as_of"],
        "watch_list": [w.to_dict() for w in watch],
        "developer_capacity": [c.to_dict() for c in capacity],
        "transfer_candidates": [t.to_dict() for t in transfers],
        "lagging_projects": [p.to_dict() for p in lagging],
        "counts": {
            "watch_list": len(watch),
            "capacity_failed": sum(1 for c in capacity if c.passed is False),
            "capacity_on_demonstration_data": sum(
                1 for c in capacity if c.rests_on_demonstration_data
            ),
            "transfer_candidates": len(transfers),
            "lagging_projects": len(lagging),
            "land_to_recover_ha": round(sum(p.land_to_recover_ha for p in lagging), 4),
        },
        "own_capital_min_share": shares,
    }
    versions = input_versions(
        [
            m.IndustrialArea,
            m.DevelopmentTarget,
            m.AnnualReport,
            m.Developer,
            m.DeveloperTransfer,
            m.SecondaryProject,
        ]
    )
    return Outcome(results, versions, timer.steps)


SPEC = register_analysis(
    AnalysisSpec(
        NAME,
        pgettext_lazy(
            "analysis title",
            "Target watch list, developer capacity, transfers and lagging projects",
        ),
        _prepare,
        _body,
        input_layers=("industrial_areas", "secondary_projects", "clearance_parcels"),
        parameters=(
            P_PROVINCE,
            Param(
                "as_of_year",
                "year",
                pgettext_lazy(
                    "parameter help", "last year of targets considered (default: last year)"
                ),
            ),
            Param(
                "as_of",
                "date",
                pgettext_lazy(
                    "parameter help", "date of the project schedule check (default: today)"
                ),
            ),
            Param(
                "grace_months",
                "integer",
                pgettext_lazy(
                    "parameter help", "months of grace before a project counts as lagging"
                ),
                minimum=0,
                default=6,
            ),
            criteria_param("TargetRule", "rule"),
        ),
    )
)
