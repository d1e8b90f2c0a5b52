"""The map page's "Jobs" tab (start analyses, upload imports, follow both), for signed-in staff.

An inclusion tag, so the map view needs no change: ``{% load jobs_tags %}{% jobs_tab %}`` in the
tab bar and ``{% jobs_panel %}`` among the panel sections. Both render nothing for other users.
"""
from __future__ import annotations

from django import template

from gis_service import access
from planning.api.auth import has_staff_role

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
    from django.utils.translation import get_language

    from planning.models import AdminUnit
    from planning.services import imports
    from planning.services.analysis_runs import analysis_spec

    request = context["request"]
    lang = "en" if (get_language() or "vi").startswith("en") else "vi"
    analyses = []
    for name in PANEL_ANALYSES:
        spec = analysis_spec(name)
        analyses.append({"name": name, "title": spec.title_en if lang == "en" else spec.title_vi})
    provinces = AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE).order_by("name", "valid_from") \
        .values("code", "name", "valid_from", "valid_to")
    # Site suggestion and labour catchment read rasters: say which provinces have them.
    from planning.models import RasterLayer

    with_rasters = {name.split(":")[1] for name in RasterLayer.objects.values_list("name", flat=True)
                    if name.count(":") == 2}
    # A province formed on 1 July 2025 without rasters reads those of its one predecessor that has
    # them (selectors.analyses.raster_stand_in): say whose.
    from planning.models import AdminUnitSuccession

    stand_in: dict[str, list[str]] = {}
    for succ, pred, pred_name in AdminUnitSuccession.objects.filter(
            successor__level="province", predecessor__level="province").values_list(
            "successor__code", "predecessor__code", "predecessor__name"):
        if pred in with_rasters:
            stand_in.setdefault(succ, []).append(pred_name)
    layers = [{"name": spec.name, "title": spec.title_en if lang == "en" else spec.title_vi}
              for spec in imports.importable_layers(request.user)]
    return {
        "show": True,
        "csrf_token": context.get("csrf_token"),
        "analyses": analyses,
        "provinces": [{**p, "period": (p["valid_from"].year, p["valid_to"].year if p["valid_to"] else None),
                       "has_rasters": p["code"] in with_rasters,
                       "rasters_of": (stand_in.get(p["code"]) or [None])[0]
                       if p["code"] not in with_rasters and len(stand_in.get(p["code"], [])) == 1 else None}
                      for p in provinces],
        "layers": layers,
        "is_admin": access.principal(request.user).is_admin,
        "max_upload_mb": imports.max_upload_bytes() // (1024 * 1024),
    }
