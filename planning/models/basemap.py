"""The national base map (issue 14 map): the country's provinces, national roads and railway,
drawn under the planning layers as the service's own vector tiles (``/ogc/basemap/tiles/…``).

Context only: not in the layer catalogue (no WFS, no OGC API – Features collection, no rights —
everyone sees it), loaded from ``fixtures/basemap/`` by ``manage.py load_basemap``; each row keeps
the attribution of its source (CC BY-SA 4.0).
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class BasemapFeature(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        PROVINCE_LABEL = "province_label", _("Province name")
        ROAD = "road", _("National road")
        RAIL = "rail", _("Railway")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200, blank=True)
    # Roads: "main" or "secondary" (the source's loai_duong); empty otherwise.
    road_class = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="VN")  # ISO 3166-1 alpha-2
    attribution = models.CharField(max_length=300)
    geometry = models.GeometryField(srid=4326)

    class Meta:
        verbose_name = _("base map feature")
        verbose_name_plural = _("base map features")
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"
