"""Registered rasters (DEM, land cover, flood hazard, population) read window by window."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class RasterLayer(models.Model):
    class Kind(models.TextChoices):
        DEM = "dem", "Mô hình số độ cao (m)"
        LANDCOVER = "landcover", "Lớp phủ mặt đất"
        FLOOD = "flood", "Nguy cơ ngập (độ sâu, m)"
        POPULATION = "population", "Dân số (người/ô)"

    name = models.CharField("tên", max_length=120, unique=True)
    kind = models.CharField("loại", max_length=12, choices=Kind.choices)
    path = models.CharField(
        "tệp (COG)", max_length=500, help_text="Đường dẫn tương đối với thư mục dữ liệu."
    )
    srid = models.PositiveIntegerField("hệ tọa độ (EPSG)")
    resolution_m = models.FloatField("độ phân giải (m)")
    nodata = models.FloatField("giá trị không dữ liệu", null=True, blank=True)
    legend = models.JSONField("ý nghĩa giá trị", default=dict, blank=True)
    is_synthetic = models.BooleanField("dữ liệu tổng hợp", default=False)
    source = models.TextField("nguồn", blank=True)
    checksum = models.CharField("SHA-256", max_length=64, blank=True)

    class Meta:
        verbose_name = "lớp raster"
        verbose_name_plural = "lớp raster"
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

    name = models.CharField("bộ dữ liệu", max_length=120)
    checksum = models.CharField("SHA-256 của dữ liệu nguồn", max_length=64)
    loaded_at = models.DateTimeField("thời điểm", auto_now_add=True)
    counts = models.JSONField("số bản ghi", default=dict)
    notes = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "lần nạp dữ liệu"
        verbose_name_plural = "lần nạp dữ liệu"
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.loaded_at:%Y-%m-%d %H:%M}"
