"""Stored analysis runs and the suggested sites they published."""

from __future__ import annotations

from django.db.models import QuerySet

from planning import models as m


def suggested_sites(*, run=None, current_only: bool = True) -> QuerySet:
    qs = m.SuggestedSite.objects.select_related("run", "admin_unit")
    if run is not None:
        return qs.filter(run=run).order_by("rank")
    if current_only:
        qs = qs.filter(is_current=True)
    return qs.order_by("run_id", "rank")


def runs(*, kind: str | None = None, status: str | None = None) -> QuerySet:
    qs = m.AnalysisRun.objects.select_related("started_by", "admin_unit")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs
