"""Is what a page shows demonstration data? (issue 13 §6: the "demonstration data" notice is
shown only when the data shown is synthetic.)

Every table that may hold invented values carries a flag (``is_synthetic``,
``is_synthetic_boundary``, a developer's ``capital_is_synthetic``, an area's
``synthetic_fields``); these reads ask the flags of the rows a page shows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model, Q, QuerySet

from planning import models as m
from planning.selectors.analysis_inputs.areas import areas_in

#: The boolean columns that mark a row (or part of it) as invented for the demonstration.
FLAG_FIELDS = ("is_synthetic", "is_synthetic_boundary", "capital_is_synthetic")


def synthetic_q(model: type[Model]) -> Q | None:
    """The condition that a row of ``model`` holds invented data; None when the model has no
    flag (its rows are what users entered or analyses computed)."""
    names = {f.name for f in model._meta.concrete_fields}
    q = Q()
    found = False
    for flag in FLAG_FIELDS:
        if flag in names:
            q |= Q(**{flag: True})
            found = True
    if "synthetic_fields" in names:
        q |= ~Q(synthetic_fields=[])
        found = True
    return q if found else None


def has_synthetic(qs: QuerySet) -> bool:
    """Whether any row of ``qs`` holds invented data."""
    q = synthetic_q(qs.model)
    return q is not None and qs.filter(q).exists()


def areas_show_synthetic(areas: Iterable[m.IndustrialArea] | QuerySet) -> bool:
    """Whether the dashboards of these parks and clusters show invented data: the areas'
    boundaries or figures, their developers' capital, their secondary projects, clearance
    parcels, targets, reports, obstacles or transfers."""
    ids = [a.pk for a in areas]
    if not ids:
        return False
    related = (
        m.IndustrialArea.objects.filter(pk__in=ids),
        m.Developer.objects.filter(areas__in=ids),
        m.SecondaryProject.objects.filter(area__in=ids),
        m.ClearanceParcel.objects.filter(area__in=ids),
        m.DevelopmentTarget.objects.filter(area__in=ids),
        m.AnnualReport.objects.filter(area__in=ids),
        m.Obstacle.objects.filter(area__in=ids),
        m.DeveloperTransfer.objects.filter(area__in=ids),
    )
    return any(has_synthetic(qs) for qs in related)


def province_shows_synthetic(province: m.AdminUnit) -> bool:
    """The province dashboard: the parks and clusters it reads (those within the province)."""
    return areas_show_synthetic(areas_in(province))


def area_shows_synthetic(area: m.IndustrialArea) -> bool:
    """An area's page: the area and its records; its map draws the units and roads around it,
    so an illustrative boundary of a commune or road there counts too."""
    if areas_show_synthetic([area]):
        return True
    around = area.boundary.envelope
    return has_synthetic(m.AdminUnit.objects.filter(boundary__intersects=around)) or has_synthetic(
        m.RoadCorridor.objects.filter(centerline__intersects=around)
    )


def models_with_synthetic(models: Iterable[type[Model]]) -> list[type[Model]]:
    """Those of ``models`` (the map's layers) with at least one invented row."""
    return [model for model in models if has_synthetic(model.objects.all())]
