"""Plan versus actual (``plan-vs-actual``): planned and established areas by province and kind."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from planning import models as m
from planning.analysis.plan_vs_actual import plan_vs_actual
from planning.selectors.admin_units import UnitLocator
from planning.selectors.analysis_inputs.areas import area_rows, areas_in
from planning.selectors.input_versions import input_versions
from planning.services.analyses.common import (
    P_PROVINCE,
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

NAME = "plan-vs-actual"


def _prepare(*, province=None):
    province = province_optional(province)
    return {"province": unit_ref(province)}, province


def _body(params: dict, progress: Progress) -> Outcome:
    timer = Timer()
    province = unit_from_ref(params["province"])
    with timer("inputs"):
        areas = list(areas_in(province))
        rows = area_rows(areas, locator=UnitLocator.current())
    with timer("analysis"):
        table = plan_vs_actual([r.record for r in rows])
    results = {
        "scope": scope_name(province),
        "rows": [r.to_dict() for r in table],
    }
    return Outcome(results, input_versions([m.IndustrialArea]), timer.steps)


SPEC = register_analysis(
    AnalysisSpec(
        NAME,
        pgettext_lazy("analysis title", "Plan versus actual"),
        _prepare,
        _body,
        parameters=(P_PROVINCE,),
    )
)
