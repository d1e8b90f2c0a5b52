from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_page

from planning.models import ClearanceParcel, IndustrialArea, RoadCorridor, SecondaryProject
from planning.selectors.context import context_features


def home(request):
    """Landing page until the map page (issue 5) replaces it: what the service holds."""
    context = {
        "areas": IndustrialArea.objects.select_related("admin_unit").order_by("kind", "name"),
        "counts": {
            "parcels": ClearanceParcel.objects.count(),
            "projects": SecondaryProject.objects.count(),
            "roads": RoadCorridor.objects.count(),
        },
    }
    return render(request, "planning/home.html", context)


@cache_page(60)
def context_geojson(request):
    """Public background layer: unit outlines, roads and area outlines (no personal data)."""
    return JsonResponse(context_features())
