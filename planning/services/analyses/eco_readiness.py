"""Eco-industrial readiness (``eco-readiness``): how far each area is from the eco-park
criteria, and where its conversion roadmaps (eco, smart) stand: criteria met of total, deadline,
overdue (:mod:`planning.analysis.conversion`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from planning import models as m
from planning.analysis.conversion import measured_check, roadmap_status
from planning.analysis.eco import EcoCriteria, eco_readiness_all
from planning.selectors.admin_units import UnitLocator
from planning.selectors.analysis_inputs.areas import area_rows, areas_in
from planning.selectors.analysis_inputs.conversion import roadmap_rows
from planning.selectors.input_versions import input_versions
from planning.services.analyses.common import (
    P_PROVINCE,
    criteria_param,
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

NAME = "eco-readiness"


def _prepare(
    *,
    province=None,
    criteria: Mapping | None = None,
    include_planned: bool = False,
    as_of=None,
):
    province = province_optional(province)
    crit = criteria_build(EcoCriteria, criteria)
    as_of_date = timezone.localdate() if as_of in (None, "") else as_of
    return {
        "province": unit_ref(province),
        "include_planned": bool(include_planned),
        "as_of": as_of_date.isoformat(),
        "overrides": dict(criteria or {}),
        "criteria": crit.to_dict(),
    }, province


def _body(params: dict, progress: Progress) -> Outcome:
    timer = Timer()
    province = unit_from_ref(params["province"])
    crit = criteria_build(EcoCriteria, params["criteria"])
    with timer("inputs"):
        areas = [
            a
            for a in areas_in(province, include_revoked=False)
            if params["include_planned"] or a.status != m.IndustrialArea.Status.PLANNED
        ]
        rows = area_rows(areas, locator=UnitLocator.current())
        roadmaps = roadmap_rows(areas)
    today = dt.date.fromisoformat(params.get("as_of") or timezone.localdate().isoformat())
    with timer("analysis"):
        out = eco_readiness_all([r.record for r in rows], criteria=crit)
    items = []
    for row, r in zip(rows, out, strict=True):
        d = r.to_dict()
        d.update(
            code=row.area.code,
            kind=row.area.kind,
            status=row.area.status,
            eco_status=row.area.eco_status,
            is_smart=row.area.is_smart,
            province=row.record.province,
            roadmaps=_roadmaps(roadmaps.get(row.area.pk, {}), today, measured=d["criteria"]),
        )
        # Without a checklist the flag is what the area was declared with (models.eco).
        d["smart_basis"] = "checklist" if "smart" in d["roadmaps"] else "declared"
        d["overdue"] = any(v["overdue"] for v in d["roadmaps"].values())
        items.append(d)
    results = {
        "scope": scope_name(province),
        "as_of": today.isoformat(),
        "n_areas": len(items),
        "n_ready": sum(1 for i in items if i["ready"]),
        "n_with_roadmap": sum(1 for i in items if i["roadmaps"]),
        "n_overdue": sum(1 for i in items if i["overdue"]),
        "areas": items,
    }
    versions = input_versions(
        [m.IndustrialArea, m.ConversionRoadmap, m.CriterionProgress, m.ConversionCriterion]
    )
    return Outcome(results, versions, timer.steps)


def conversion_roadmaps(areas, *, today: dt.date) -> dict[int, dict[str, dict]]:
    """``{area pk: {programme: status and details}}``: the roadmaps as every door shows them
    (messages not yet translated), each criterion checked against the recorded figures."""
    rows = roadmap_rows(areas)
    with_roadmaps = [a for a in areas if a.pk in rows]
    records = area_rows(with_roadmaps, locator=UnitLocator.current())
    measured = {
        r.area.pk: e.to_dict()["criteria"]
        for r, e in zip(records, eco_readiness_all([r.record for r in records]), strict=True)
    }
    return {pk: _roadmaps(r, today, measured=measured.get(pk, [])) for pk, r in rows.items()}


def _roadmaps(rows: dict, today: dt.date, *, measured: list[dict]) -> dict:
    """``{programme: status and details}`` of one area's roadmaps on ``today``; eco criteria
    declared met are checked against the measured readiness (``measured_check``)."""
    out = {}
    for programme, row in sorted(rows.items()):
        d = {**roadmap_status(row.record, today=today).to_dict(), **row.details()}
        d["n_conflicts"] = measured_check(d["criteria"], measured)
        out[programme] = d
    return out


SPEC = register_analysis(
    AnalysisSpec(
        NAME,
        pgettext_lazy("analysis title", "Eco-industrial park readiness"),
        _prepare,
        _body,
        parameters=(
            P_PROVINCE,
            criteria_param("EcoCriteria"),
            Param(
                "include_planned",
                "boolean",
                pgettext_lazy("parameter help", "include areas that are only planned"),
                default=False,
            ),
            Param(
                "as_of",
                "date",
                pgettext_lazy(
                    "parameter help", "date of the roadmap deadline check (default: today)"
                ),
            ),
        ),
    )
)
