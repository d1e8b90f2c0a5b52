"""Eco-industrial readiness (``eco-readiness``): how far each area is from the eco-park
criteria."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import pgettext_lazy

from planning import models as m
from planning.analysis.eco import EcoCriteria, eco_readiness_all
from planning.selectors.admin_units import UnitLocator
from planning.selectors.analysis_inputs.areas import area_rows, areas_in
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


def _prepare(*, province=None, criteria: Mapping | None = None, include_planned: bool = False):
    province = province_optional(province)
    crit = criteria_build(EcoCriteria, criteria)
    return {
        "province": unit_ref(province),
        "include_planned": bool(include_planned),
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
    with timer("analysis"):
        out = eco_readiness_all([r.record for r in rows], criteria=crit)
    items = []
    for row, r in zip(rows, out, strict=True):
        d = r.to_dict()
        d.update(
            kind=row.area.kind,
            status=row.area.status,
            eco_status=row.area.eco_status,
            province=row.record.province,
        )
        items.append(d)
    results = {
        "scope": scope_name(province),
        "n_areas": len(items),
        "n_ready": sum(1 for i in items if i["ready"]),
        "areas": items,
    }
    return Outcome(results, input_versions([m.IndustrialArea]), timer.steps)


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
        ),
    )
)
