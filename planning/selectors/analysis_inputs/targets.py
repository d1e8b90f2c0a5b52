"""The targets analysis' inputs: targets and actuals, developers, secondary projects (the
labour catchment reads the projects too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from planning import models as m
from planning.analysis.records import ActualRecord, DeveloperRecord, ProjectRecord, TargetRecord


def project_records(
    areas: Iterable[m.IndustrialArea], *, as_of: dt.date | None = None
) -> list[ProjectRecord]:
    """Secondary projects of ``areas``; with ``as_of``, projects registered later are left out and
    a project not yet operating at that date counts as building."""
    by_pk = {a.pk: a.code for a in areas}
    qs = m.SecondaryProject.objects.filter(area__in=list(by_pk)).order_by("code")
    out = []
    for p in qs:
        status = p.status
        if as_of is not None:
            if p.registered_on > as_of:
                continue
            if status == "operating" and (p.operation_actual is None or p.operation_actual > as_of):
                status = "building"
        out.append(
            ProjectRecord(
                id=p.code,
                area_id=by_pk[p.area_id],
                leased_ha=float(p.leased_area_ha),
                registered_capital_bn_vnd=float(p.registered_capital_bn_vnd),
                disbursed_capital_bn_vnd=float(p.disbursed_capital_bn_vnd),
                planned_jobs=p.planned_jobs,
                actual_jobs=p.actual_jobs,
                annual_tax_bn_vnd=_f(p.annual_tax_bn_vnd),
                status=status,
                name=p.name,
                registered_on=p.registered_on,
                operation_planned=p.operation_planned,
                operation_actual=p.operation_actual,
            )
        )
    return out


def _f(value) -> float | None:
    return None if value is None else float(value)


def developer_records(areas: Iterable[m.IndustrialArea]) -> list[DeveloperRecord]:
    ids = {a.developer_id for a in areas if a.developer_id}
    return [
        DeveloperRecord(
            id=d.pk,
            kind=d.kind,
            name=d.name,
            own_capital_bn_vnd=_f(d.own_capital_bn_vnd),
            capital_is_synthetic=d.capital_is_synthetic,
        )
        for d in m.Developer.objects.filter(pk__in=ids).order_by("name")
    ]


def target_records(
    areas: Iterable[m.IndustrialArea],
) -> tuple[list[TargetRecord], list[ActualRecord]]:
    by_pk = {a.pk: a.code for a in areas}
    targets = [
        TargetRecord(by_pk[area_id], year, indicator, float(value))
        for area_id, year, indicator, value in m.DevelopmentTarget.objects.filter(
            area__in=list(by_pk)
        )
        .order_by("area_id", "year", "indicator")
        .values_list("area_id", "year", "indicator", "target_value")
    ]
    actuals = []
    indicators = [c for c, _ in m.Indicator.choices]
    for r in m.AnnualReport.objects.filter(area__in=list(by_pk)).order_by("area_id", "year"):
        for ind in indicators:
            value = getattr(r, ind)
            if value is not None:
                actuals.append(ActualRecord(by_pk[r.area_id], r.year, ind, float(value)))
    return targets, actuals


def synthetic_investment_ids(areas: Iterable[m.IndustrialArea]) -> frozenset:
    """The ids (codes, as in the analyses' records) of the areas whose total investment is an
    illustrative figure (``synthetic_fields``, issue 13 §6)."""
    return frozenset(
        a.code for a in areas if "total_investment_bn_vnd" in (a.synthetic_fields or ())
    )
