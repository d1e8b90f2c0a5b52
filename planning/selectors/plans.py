"""Provincial plans (quy hoạch tỉnh) and their entries as the analyses' plain records."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from planning import models as m
from planning.analysis.plan_vs_actual import PlanEntryRecord, PlanStep


def plans_in(province: m.AdminUnit | None = None) -> list[m.ProvincialPlan]:
    """The plans of ``province`` (all plans when None): approved for it, for a unit it merged
    into (Sóc Trăng's plan for today's Cần Thơ) or for a unit containing it."""
    plans = list(
        m.ProvincialPlan.objects.select_related("province").order_by("province__name", "code")
    )
    if province is None:
        return plans
    out = []
    for plan in plans:
        unit = plan.province
        if unit.pk == province.pk:
            out.append(plan)
        elif unit.boundary is not None and province.boundary is not None:
            if province.boundary.contains(unit.boundary.point_on_surface) or unit.boundary.contains(
                province.boundary.point_on_surface
            ):
                out.append(plan)
    return out


def plan_entries(plan: m.ProvincialPlan) -> QuerySet:
    """The entries of ``plan`` with what the analyses read of them, in code order."""
    return (
        m.PlanEntry.objects.filter(plan=plan)
        .select_related("area", "added_by", "removed_by", "expands", "economic_zone")
        .prefetch_related(
            Prefetch("changes", queryset=m.PlanEntryChange.objects.select_related("amendment"))
        )
        .order_by("kind", "code")
    )


def entry_record(entry: m.PlanEntry) -> PlanEntryRecord:
    """A plan entry as :class:`PlanEntryRecord` (amendments by their order)."""
    area = entry.area
    return PlanEntryRecord(
        id=entry.code,
        name=entry.name,
        kind=entry.kind,
        planned_ha=float(entry.planned_area_ha),
        expands=entry.expands.code if entry.expands_id else None,
        added_step=entry.added_by.sequence if entry.added_by_id else 0,
        removed_step=entry.removed_by.sequence if entry.removed_by_id else None,
        area_changes=tuple(
            (c.amendment.sequence, float(c.planned_area_ha_before), float(c.planned_area_ha_after))
            for c in entry.changes.all()
        ),
        area_status=area.status if area is not None else None,
        leasable_ha=float(area.industrial_land_ha) if area is not None else 0.0,
        leased_ha=float(area.leased_land_ha) if area is not None else 0.0,
        is_synthetic=entry.is_synthetic,
    )


def plan_step_list(plan: m.ProvincialPlan) -> list[PlanStep]:
    """Step 0 (the approving decision) and one step per amendment, in order."""
    steps = [PlanStep(step=0, decision=plan.decision, is_synthetic=plan.is_synthetic)]
    for a in plan.amendments.order_by("sequence"):
        steps.append(PlanStep(step=a.sequence, decision=a.decision, is_synthetic=a.is_synthetic))
    return steps
