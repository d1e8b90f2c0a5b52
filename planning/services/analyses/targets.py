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
from planning.selectors.enforcement import latest_actions
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
    watch_rows = _with_latest_action([w.to_dict() for w in watch], areas)
    results = {
        "scope": scope_name(province),
        "as_of_year": params["as_of_year"],
        "as_of": params["as_of"],
        "watch_list": watch_rows,
        "developer_capacity": [c.to_dict() for c in capacity],
        "transfer_candidates": _with_stage([t.to_dict() for t in transfers], areas),
        "lagging_projects": [p.to_dict() for p in lagging],
        "counts": {
            "watch_list": len(watch),
            "watch_without_action": sum(1 for w in watch_rows if w["latest_action"] is None),
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
            m.EnforcementAction,
            m.TransferCase,
        ]
    )
    return Outcome(results, versions, timer.steps)


def _with_latest_action(rows: list[dict], areas) -> list[dict]:
    """Each watched area with the province's latest action about it (issue 13): ``None`` when
    nothing was done yet — the watch list flags those."""
    pk_by_code = {a.code: a.pk for a in areas}
    latest = latest_actions(pk_by_code[r["area_id"]] for r in rows if r["area_id"] in pk_by_code)
    for r in rows:
        a = latest.get(pk_by_code.get(r["area_id"]))
        r["latest_action"] = (
            None
            if a is None
            else {
                "id": a.pk,
                "kind": a.kind,
                "document_no": a.document_no,
                "issued_on": a.issued_on.isoformat(),
                "agency": a.agency,
                "outcome": a.outcome,
                "outcome_on": a.outcome_on.isoformat() if a.outcome_on else None,
            }
        )
    return rows


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


def _with_stage(rows: list[dict], areas) -> list[dict]:
    """Each state-developed cluster with its stage in the transfer pipeline (issue 13):
    ``candidate`` when no case was opened yet."""
    pk_by_code = {a.code: a.pk for a in areas}
    stages = dict(
        m.TransferCase.objects.filter(area__in=list(pk_by_code.values())).values_list(
            "area_id", "stage"
        )
    )
    for r in rows:
        r["stage"] = stages.get(pk_by_code.get(r["area_id"]), m.TransferCase.Stage.CANDIDATE)
    return rows
