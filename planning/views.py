from django.http import JsonResponse
from django.views.decorators.cache import cache_page

from planning.selectors.context import context_features


@cache_page(60)
def context_geojson(request):
    """Public background layer: unit outlines, roads and area outlines (no personal data)."""
    return JsonResponse(context_features())
