"""Registered rasters (DEM, land cover, flood hazard, population) read window by window."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RasterLayer(models.Model):
    class Kind(models.TextChoices):
        DEM = "dem", _("Digital elevation model (m)")
        LANDCOVER = "landcover", _("Land cover")
        FLOOD = "flood", _("Flood hazard (depth, m)")
        POPULATION = "population", _("Population (people per cell)")

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    path = models.CharField(
        _("file (COG)"), max_length=500, help_text=_("Path relative to the data folder.")
    )
    srid = models.PositiveIntegerField(_("coordinate reference system (EPSG)"))
    resolution_m = models.FloatField(_("resolution (m)"))
    nodata = models.FloatField(_("nodata value"), null=True, blank=True)
    legend = models.JSONField(_("meaning of values"), default=dict, blank=True)
    is_synthetic = models.BooleanField(_("synthetic data"), default=False)
    source = models.TextField(_("source"), blank=True)
    checksum = models.CharField("SHA-256", max_length=64, blank=True)

    class Meta:
        verbose_name = _("raster layer")
        verbose_name_plural = _("raster layers")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolution_m__gt=0), name="raster_resolution_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DatasetLoad(models.Model):
    """A record of a bulk load (demo province, imports): what, when, by whom, with what result."""

    name = models.CharField(_("dataset"), max_length=120)
    checksum = models.CharField(_("SHA-256 of the source data"), max_length=64)
    loaded_at = models.DateTimeField(_("time"), auto_now_add=True)
    counts = models.JSONField(_("record count"), default=dict)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("data load")
        verbose_name_plural = _("data loads")
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.loaded_at:%Y-%m-%d %H:%M}"
