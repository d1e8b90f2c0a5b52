"""Plan versus actual (``plan-vs-actual``): planned and established areas by province and kind.

Where a province's provincial plan is recorded (``planning.models.plans``), its figures come from
the plan's entries (and per amendment); a province without one is counted from its area records,
and its rows say so (``basis``: "records").
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from planning import models as m
from planning.analysis.plan_vs_actual import TOTAL_LABEL as TOTAL
from planning.analysis.plan_vs_actual import combine, plan_steps
from planning.selectors.admin_units import UnitLocator
from planning.selectors.analysis_inputs.areas import area_rows, areas_in
from planning.selectors.input_versions import input_versions
from planning.selectors.plans import entry_record, plan_entries, plan_step_list, plans_in
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
        plans = plans_in(province)
        planned = []
        steps = []
        described = []
        for plan in plans:
            entries = [entry_record(e) for e in plan_entries(plan)]
            plan_steps_ = plan_step_list(plan)
            name = plan.province.name
            planned.append((name, plan.decision, entries, len(plan_steps_) - 1))
            steps += [r.to_dict() for r in plan_steps(name, entries, plan_steps_)]
            described.append(
                {
                    "code": plan.code,
                    "name": plan.name,
                    "province": name,
                    "period": [plan.period_start, plan.period_end],
                    "vision_year": plan.vision_year,
                    "decision": plan.decision,
                    "decision_unsourced": plan.decision_unsourced,
                    "amendments": [s.to_dict() for s in plan_steps_[1:]],
                    "n_entries": len(entries),
                    "n_synthetic_entries": sum(1 for e in entries if e.is_synthetic),
                    "n_linked": sum(1 for e in entries if e.area_status is not None),
                }
            )
        with_plan = {p.province.name for p in plans}
        areas = list(areas_in(province))
        rows = area_rows(areas, locator=UnitLocator.current())
        records = [r.record for r in rows if r.record.province not in with_plan]
    with timer("analysis"):
        table = combine(planned, records)
    results = {
        "scope": scope_name(province),
        "rows": [r.to_dict() for r in table],
        "plans": described,
        "steps": steps,
        "provinces_without_plan": sorted({r.province for r in records}),
    }
    versions = input_versions(
        [m.IndustrialArea, m.ProvincialPlan, m.PlanAmendment, m.PlanEntry, m.PlanEntryChange]
    )
    return Outcome(results, versions, timer.steps)


SPEC = register_analysis(
    AnalysisSpec(
        NAME,
        pgettext_lazy("analysis title", "Plan versus actual"),
        _prepare,
        _body,
        parameters=(P_PROVINCE,),
    )
)


# --------------------------------------------------------------------------------------------
# The results as a workbook (the command's --xlsx; the dashboard has its own download)
# --------------------------------------------------------------------------------------------
def _columns():
    from django.utils.translation import gettext_lazy as _l

    from planning.tables import TEXT, Column

    rows = (
        Column("province", _l("Province"), TEXT),
        Column("kind", _l("Type"), TEXT),
        Column("basis_label", _l("Counted from"), TEXT),
        Column("plan", _l("Plan decision"), TEXT),
        Column("planned_count", _l("In the plan"), 0),
        Column("planned_ha", _l("Planned (ha)"), 2),
        Column("established_count", _l("Established"), 0),
        Column("established_ha", _l("Established (ha)"), 2),
        Column("operating_count", _l("Operating"), 0),
        Column("operating_ha", _l("Operating (ha)"), 2),
        Column("leasable_ha", _l("Leasable industrial land (ha)"), 2),
        Column("leased_ha", _l("Leased (ha)"), 2),
        Column("occupancy", _l("Occupancy"), 3, percent_of_one=True),
        Column("established_share_ha", _l("Established share of planned area"), 3, True),
    )
    steps = (
        Column("province", _l("Province"), TEXT),
        Column("kind", _l("Type"), TEXT),
        Column("step", _l("Amendment"), 0),
        Column("decision", _l("Decision"), TEXT),
        Column("planned_count", _l("In the plan"), 0),
        Column("planned_ha", _l("Planned (ha)"), 2),
        Column("change_count", _l("Change (number)"), 0),
        Column("change_ha", _l("Change (ha)"), 2),
        Column("established_count", _l("Established"), 0),
        Column("established_ha", _l("Established (ha)"), 2),
        Column("is_synthetic", _l("Illustrative data"), TEXT),
    )
    return rows, steps


def basis_label(basis: str) -> str:
    """What the figures of a row are counted from, in the active language."""
    from django.utils.translation import gettext as _

    return {
        "plan": _("the provincial plan"),
        "records": _("the area records (no provincial plan recorded)"),
        "mixed": _("plans and area records"),
    }.get(basis, basis)


def plan_vs_actual_xlsx(results: dict) -> bytes:
    """The run's rows and its figures per plan amendment, one sheet each (active language)."""
    from django.utils.translation import gettext as _

    from planning import tables
    from planning.texts import translate

    row_cols, step_cols = _columns()
    rows = [
        {**r, "province": _("Total") if r["province"] == TOTAL else r["province"]}
        for r in translate(results["rows"])
    ]
    for r in rows:
        r["basis_label"] = basis_label(r.get("basis", "records"))
    steps = [
        {**s, "step": s["step"], "is_synthetic": _("yes") if s["is_synthetic"] else ""}
        for s in results.get("steps", [])
    ]
    return tables.write_xlsx(
        [
            tables.Sheet(
                _("Plan versus actual"),
                tables.record_rows(rows, row_cols),
                row_cols,
                column_widths=True,
            ),
            tables.Sheet(
                _("By plan amendment"),
                tables.record_rows(steps, step_cols),
                step_cols,
                column_widths=True,
            ),
        ]
    )
