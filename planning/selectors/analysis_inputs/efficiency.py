"""The land-use efficiency's inputs: clearance and project totals summed by the database,
annual reports, parcels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Count, Q, Sum

from planning import models as m
from planning.analysis.efficiency import ClearanceTotals, ProjectTotals
from planning.analysis.records import ParcelRecord


def parcel_records(
    areas: Iterable[m.IndustrialArea], *, as_of: dt.date | None = None
) -> list[ParcelRecord]:
    """Clearance parcels of ``areas``; with ``as_of``, a parcel handed over later counts as paid."""
    by_pk = {a.pk: a.code for a in areas}
    rows = (
        m.ClearanceParcel.objects.filter(area__in=list(by_pk))
        .order_by("pk")
        .values_list("pk", "area_id", "area_m2", "status", "land_use", "handed_over_on")
    )
    out = []
    for pk, area_id, area_m2, status, land_use, handed_over_on in rows:
        if (
            as_of is not None
            and status == m.ClearanceParcel.Status.HANDED_OVER
            and (handed_over_on is None or handed_over_on > as_of)
        ):
            status = m.ClearanceParcel.Status.COMPENSATED
        out.append(
            ParcelRecord(
                id=pk,
                area_id=by_pk[area_id],
                area_ha=area_m2 / 10_000,
                status=status,
                land_use=land_use,
            )
        )
    return out


def _in_areas(areas: Sequence[m.IndustrialArea], all_areas: bool) -> Q:
    """``area`` in ``areas`` — or, with ``all_areas``, any area: no filter to evaluate on every row
    (for all or most of the areas, the cheapest way; rows of other areas are dropped afterwards)."""
    if all_areas:
        return Q(area__isnull=False)
    return Q(area__in=[a.pk for a in areas])


def clearance_totals(
    areas: Iterable[m.IndustrialArea],
    *,
    as_of: dt.date | None = None,
    all_areas: bool = False,
    row_count: dict | None = None,
) -> dict[str, ClearanceTotals]:
    """Clearance parcels of ``areas`` summed per area code by the database (one query, no parcel
    comes back): what :func:`parcel_records` gives, aggregated. With ``as_of``, a parcel handed
    over later (or with no hand-over date) is not counted as handed over. ``all_areas``: sum over
    every parcel in the database, without a filter (see :func:`_in_areas`); only ``areas`` are
    returned either way. ``row_count``: with ``all_areas``, receives the table's row count under
    ``"planning.ClearanceParcel"`` from that same scan (for :func:`input_versions`, which then
    need not count the parcels again)."""
    areas = list(areas)
    code = {a.pk: a.code for a in areas}
    handed = Q(status=m.ClearanceParcel.Status.HANDED_OVER)
    if as_of is not None:
        handed &= Q(handed_over_on__lte=as_of)
    qs = (
        m.ClearanceParcel.objects.all()
        if all_areas
        else m.ClearanceParcel.objects.filter(_in_areas(areas, False))
    )
    rows = list(
        qs.order_by()
        .values_list("area_id")
        .annotate(n=Count("pk"), m2=Sum("area_m2"), handed_m2=Sum("area_m2", filter=handed))
    )
    if all_areas and row_count is not None:
        row_count[m.ClearanceParcel._meta.label] = sum(n for _pk, n, _m2, _h in rows)
    return {
        code[pk]: ClearanceTotals(
            n_parcels=n,
            parcel_ha=float(m2 or 0) / 10_000,
            handed_over_ha=float(handed_m2 or 0) / 10_000,
        )
        for pk, n, m2, handed_m2 in rows
        if pk in code
    }


def project_totals(
    areas: Iterable[m.IndustrialArea], *, as_of: dt.date | None = None, all_areas: bool = False
) -> dict[str, ProjectTotals]:
    """Non-revoked secondary projects of ``areas`` summed per area code by the database (one
    query): what :func:`project_records` gives, aggregated. With ``as_of``, projects registered
    later are left out and a project not yet operating at that date does not count as operating.
    ``all_areas`` as for :func:`clearance_totals`."""
    areas = list(areas)
    code = {a.pk: a.code for a in areas}
    qs = m.SecondaryProject.objects.filter(_in_areas(areas, all_areas)).exclude(
        status=m.SecondaryProject.Status.REVOKED
    )
    operating = Q(status=m.SecondaryProject.Status.OPERATING)
    if as_of is not None:
        qs = qs.filter(registered_on__lte=as_of)
        operating &= Q(operation_actual__lte=as_of)
    rows = (
        qs.order_by()
        .values_list("area_id")
        .annotate(
            n=Count("pk"),
            n_op=Count("pk", filter=operating),
            leased=Sum("leased_area_ha"),
            reg=Sum("registered_capital_bn_vnd"),
            dis=Sum("disbursed_capital_bn_vnd"),
            jobs=Sum("actual_jobs"),
            planned=Sum("planned_jobs"),
            n_taxed=Count("annual_tax_bn_vnd"),
            tax=Sum("annual_tax_bn_vnd"),
        )
    )
    return {
        code[pk]: ProjectTotals(
            n_projects=n,
            n_operating=n_op,
            leased_ha=float(leased or 0),
            registered_capital_bn_vnd=float(reg or 0),
            disbursed_capital_bn_vnd=float(dis or 0),
            actual_jobs=int(jobs or 0),
            planned_jobs=int(planned or 0),
            n_taxed=n_taxed,
            annual_tax_bn_vnd=float(tax or 0),
        )
        for pk, n, n_op, leased, reg, dis, jobs, planned, n_taxed, tax in rows
        if pk in code
    }


def annual_totals(areas: Iterable[m.IndustrialArea], *, all_areas: bool = False) -> list[dict]:
    """Reported actuals summed per year over ``areas`` (hectares, projects, workers, money), by
    the database (one row per year comes back). ``all_areas``: ``areas`` are every area, so no
    filter is needed (see :func:`_in_areas`)."""
    fields = (
        "clearance_ha",
        "leased_ha",
        "new_projects",
        "disbursed_bn_vnd",
        "workers",
        "revenue_bn_vnd",
        "tax_bn_vnd",
        "export_musd",
    )
    rows = (
        m.AnnualReport.objects.filter(_in_areas(list(areas), all_areas))
        .order_by("year")
        .values("year")
        .annotate(n_reports=Count("pk"), **{f"sum_{f}": Sum(f) for f in fields})
    )
    return [
        {
            "year": r["year"],
            "n_reports": r["n_reports"],
            **{f: round(float(r[f"sum_{f}"] or 0), 4) for f in fields},
        }
        for r in rows
    ]


def leased_after(areas: Iterable[m.IndustrialArea], year: int) -> dict[int, float]:
    """Hectares reported as newly leased after ``year``, per area pk (to reconstruct a year's
    state)."""
    out: dict[int, float] = {}
    for area_id, leased in m.AnnualReport.objects.filter(
        area__in=[a.pk for a in areas], year__gt=year
    ).values_list("area_id", "leased_ha"):
        out[area_id] = out.get(area_id, 0.0) + float(leased)
    return out
