"""Reads for the dashboards: which provinces have one, a user's own provinces, one province or
area, and clearance totals. The pages' figures, charts and tables are assembled in
:mod:`planning.web.dashboard_data` (with analyses computed for the page).

Personal fields of clearance parcels (``ClearanceParcel.PERSONAL_FIELDS``) are never read.
"""

from __future__ import annotations

from django.db.models import Count, Sum

from planning import access
from planning import models as m
from planning.selectors.analysis_inputs.areas import areas_in

PARCEL_STATUS_ORDER = [s for s, _ in m.ClearanceParcel.Status.choices]


def dashboard_provinces() -> list[dict]:
    """Provinces with at least one park or cluster: pre-2025 provinces first, then the merged
    ones."""
    out = []
    for p in m.AdminUnit.objects.filter(level=m.AdminUnit.Level.PROVINCE).order_by(
        "valid_from", "name"
    ):
        n = areas_in(p).count()
        if n:
            out.append({"unit": p, "n_areas": n, "current": p.valid_to is None})
    out.sort(key=lambda d: (d["current"], d["unit"].name))
    return out


def user_province_ids(user) -> set[int]:
    """Provinces the user holds a role in (their own dashboards come first)."""
    ids = set()
    for ms in access.principal(user).memberships:
        unit = ms.admin_unit
        while unit is not None and unit.level != m.AdminUnit.Level.PROVINCE:
            unit = unit.parent
        if unit is not None:
            ids.add(unit.pk)
    return ids


def province_get(pk: int) -> m.AdminUnit | None:
    return m.AdminUnit.objects.filter(pk=pk, level=m.AdminUnit.Level.PROVINCE).first()


def area_get(pk: int) -> m.IndustrialArea | None:
    return m.IndustrialArea.objects.select_related("developer", "admin_unit").filter(pk=pk).first()


def clearance_totals(area: m.IndustrialArea) -> list[dict]:
    """Parcels of ``area`` by clearance status, in the workflow's order: count, ha, compensation
    planned and paid (totals only)."""
    rows = (
        m.ClearanceParcel.objects.filter(area=area)
        .values("status")
        .annotate(
            n=Count("pk"),
            m2=Sum("area_m2"),
            planned=Sum("compensation_planned_mn_vnd"),
            paid=Sum("compensation_paid_mn_vnd"),
        )
    )
    by = {r["status"]: r for r in rows}
    return [
        {
            "status": s,
            "count": by[s]["n"],
            "ha": (by[s]["m2"] or 0) / 10_000,
            "planned_mn_vnd": float(by[s]["planned"] or 0),
            "paid_mn_vnd": float(by[s]["paid"] or 0),
        }
        for s in PARCEL_STATUS_ORDER
        if s in by
    ]
