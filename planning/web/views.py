"""Pages: the map at "/" and its small JSON helpers (name search). Thin: selectors in, template
out."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.db.models import Min
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog

from layers.catalogue import CATALOGUE
from layers.vectortiles.basemap import MAX_ZOOM as BASEMAP_MAX_ZOOM
from planning import access, labels
from planning.models import AdminUnit, IndustrialArea
from planning.numbers import active_lang
from planning.selectors import synthetic
from planning.services.basemap import basemap_attribution
from planning.web import layers, units
from planning.web import search as search_mod

# Vietnam with a margin, lon/lat: the view when there is nothing to show yet.
VIETNAM_EXTENT = (102.0, 8.4, 109.6, 23.4)
SEARCH_LIMIT_MAX = 25


def _initial_extent() -> tuple[float, float, float, float]:
    extent = IndustrialArea.objects.aggregate(e=Extent("boundary"))["e"]
    if extent is None:
        extent = AdminUnit.objects.filter(valid_to__isnull=True).aggregate(e=Extent("boundary"))[
            "e"
        ]
    return tuple(extent) if extent else VIETNAM_EXTENT


def _unit_names() -> dict[str, str]:
    """Unit code -> name, to show the unit a record was reported under (WFS publishes the code)."""
    return dict(AdminUnit.objects.order_by("valid_from").values_list("code", "name"))


def map_config(request, groups: list[layers.LayerGroup]) -> dict:
    """Everything the map script needs, rendered into the page (no extra round trips)."""
    lang = active_lang()
    user = request.user
    first = IndustrialArea.objects.aggregate(y=Min("established_on"))["y"]
    this_year = dt.date.today().year
    readable = [name for name, spec in CATALOGUE.items() if access.can_read_layer(user, spec)]
    return {
        "lang": lang,
        "urls": {
            "wfs": reverse("layers:wfs"),
            "wms": reverse("layers:wms"),
            "search": reverse("web:search"),
        },
        "extent": _initial_extent(),
        "layers": [layer.as_json() for g in groups for layer in g.layers],
        "fields": {name: labels.layer_fields(CATALOGUE[name]) for name in readable},
        "unitNames": _unit_names(),
        "areaFilter": {
            "years": [first.year if first else this_year, this_year],
            "units": units.cached_unit_filter_options(),
        },
        "basemap": _basemap_config(),  # issue 14 map
    }


def _basemap_config() -> dict | None:
    """The national base map's vector tiles and attribution (None: no base map loaded)."""
    attribution = basemap_attribution()
    if not attribution:
        return None
    url = reverse("vectortiles:basemap-tile", kwargs={"z": "0", "y": "0", "x": "0"})
    return {
        "url": url.replace("/0/0/0", "/{z}/{y}/{x}"),
        "max_zoom": BASEMAP_MAX_ZOOM,
        "attribution": attribution,
    }


def map_page(request):
    """The map: layers the user may read, filters for the parks and clusters, search, popups."""
    lang = active_lang()
    groups = layers.map_layer_groups(request.user, lang=lang)
    config = map_config(request, groups)
    kind_field = IndustrialArea._meta.get_field("kind")
    status_field = IndustrialArea._meta.get_field("status")
    context = {
        "groups": groups,
        "map_config": config,
        "kinds": labels.choice_labels(kind_field).items(),
        "statuses": labels.choice_labels(status_field).items(),
        "years": config["areaFilter"]["years"],
        "provinces": config["areaFilter"]["units"]["provinces"],
        "has_areas": any(layer.name == "industrial_areas" for g in groups for layer in g.layers),
        "demonstration_layers": demonstration_layers(groups),
    }
    return render(request, "planning/web/map.html", context)


def demonstration_layers(groups: list[layers.LayerGroup]) -> list[str]:
    """The titles of the map's layers that hold illustrative records (issue 13 §6: the
    demonstration notice only when what is shown is synthetic)."""
    listed = [layer for g in groups for layer in g.layers]
    models = {CATALOGUE[layer.name].model for layer in listed}
    flagged = set(synthetic.models_with_synthetic(models))
    return [str(layer.title) for layer in listed if CATALOGUE[layer.name].model in flagged]


def _detail(entry: search_mod.Entry) -> str:
    if entry.kind == "area":
        return {"KCN": _("Industrial park"), "CCN": _("Industrial cluster")}.get(
            entry.detail, entry.detail
        )
    if entry.kind == "road":
        return _("Road")
    level = {
        "province": _("Province"),
        "district": _("District"),
        "commune": _("Commune / ward"),
    }.get(entry.detail, entry.detail)
    start, end = entry.period or (None, None)
    if end is not None:
        return f"{level}, {start}–{end}"
    return _("%(level)s, since %(year)s") % {"level": level, "year": start}


@require_GET
def search(request):
    """``?q=nhon hoa`` -> names of areas, roads and units matching without diacritics, best
    first."""
    query = request.GET.get("q", "").strip()[:100]
    try:
        limit = max(1, min(SEARCH_LIMIT_MAX, int(request.GET.get("limit", 10))))
    except ValueError:
        limit = 10
    hits = search_mod.search(query, user=request.user, limit=limit)
    results = [
        {
            "type": e.kind,
            "layer": e.layer,
            "id": e.pk,
            "fid": f"{e.layer}.{e.pk}",
            "name": e.name,
            "code": e.code,
            "detail": _detail(e),
            "current": e.current,
            "bbox": e.bbox,
        }
        for e in hits
    ]
    return JsonResponse(
        {"query": query, "results": results}, json_dumps_params={"ensure_ascii": False}
    )


_catalog = JavaScriptCatalog.as_view()


@cache_page(3600)
def js_catalog(request):
    """The map script's strings (djangojs) in the language named by ``?lang=``.

    The language comes from the URL alone, never from the cookie, so the cached copy of one
    URL is always in one language.
    """
    lang = request.GET.get("lang")
    if lang not in {code for code, _name in settings.LANGUAGES}:
        lang = settings.LANGUAGE_CODE
    with translation.override(lang):
        return _catalog(request)
