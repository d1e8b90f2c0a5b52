"""The map page's "Jobs" tab (start analyses, upload imports, follow both), for signed-in staff.

An inclusion tag, so the map view needs no change: ``{% load jobs_tags %}{% jobs_tab %}`` in the
tab bar and ``{% jobs_panel %}`` among the panel sections. Both render nothing for other users.
"""

from __future__ import annotations

from django import template

from layers.io import jobs as imports
from planning import access
from planning.api.auth import has_staff_role
from planning.models import AdminUnit, RasterLayer
from planning.selectors.rasters import raster_stand_in
from planning.services.analyses import analysis_spec

register = template.Library()

# The analyses offered on the map page (the API runs the others too).
PANEL_ANALYSES = ("site-suggestion", "efficiency", "infrastructure-gaps", "labour-catchment")


def _is_staff(context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False)) and has_staff_role(user)


@register.inclusion_tag("planning/web/_jobs_tab.html", takes_context=True)
def jobs_tab(context):
    return {"show": _is_staff(context)}


@register.inclusion_tag("planning/web/_jobs_panel.html", takes_context=True)
def jobs_panel(context):
    if not _is_staff(context):
        return {"show": False}
    request = context["request"]
    # Titles in the active language (the page's).
    analyses = [{"name": n, "title": str(analysis_spec(n).title)} for n in PANEL_ANALYSES]
    provinces = (
        AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE)
        .order_by("name", "valid_from")
        .only("code", "name", "valid_from", "valid_to", "level")
    )
    # Site suggestion and labour catchment read rasters: say which provinces have them, and whose
    # a province formed on 1 July 2025 without its own reads (selectors.rasters.raster_stand_in).
    with_rasters = {
        name.split(":")[1]
        for name in RasterLayer.objects.values_list("name", flat=True)
        if name.count(":") == 2
    }
    rows = []
    for p in provinces:
        has = p.code in with_rasters
        stand_in = None if has else raster_stand_in(p)[0]
        rows.append(
            {
                "code": p.code,
                "name": p.name,
                "has_rasters": has,
                "period": (p.valid_from.year, p.valid_to.year if p.valid_to else None),
                "rasters_of": stand_in.name
                if stand_in is not None and stand_in.pk != p.pk
                else None,
            }
        )
    layers = [
        {"name": spec.name, "title": str(spec.title)}
        for spec in imports.importable_layers(request.user)
    ]
    return {
        "show": True,
        "csrf_token": context.get("csrf_token"),
        "analyses": analyses,
        "provinces": rows,
        "layers": layers,
        "is_admin": access.principal(request.user).is_admin,
        "max_upload_mb": imports.max_upload_bytes() // (1024 * 1024),
    }
