"""Stored analysis runs and the results published as layers (suggested sites, fence connectors).

A run records what was asked (parameters), what it read (versions of the inputs), what came out
(a JSON summary), how long it took and who started it. Its progress (0–100 and a message) is
written while it runs, so a web page can poll it and a reload loses nothing.
"""

from __future__ import annotations

# rasterio must be loaded before the first SpatiaLite connection: SQLite loads mod_spatialite
# with RTLD_GLOBAL, and the system PROJ/GEOS/SQLite it brings would then capture the symbols of
# rasterio's bundled GDAL, which segfaults in rasterio.open(). Models load before any connection.
import rasterio  # noqa: F401
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from planning.analysis._text import fmt_vi
from planning.models.admin_units import AdminUnit, SpatialRecord
from planning.models.areas import AreaKind, IndustrialArea
from planning.models.jobs import Job


class AnalysisRun(Job):
    class Kind(models.TextChoices):
        """The analyses, by their one name (``planning.services.analyses``: the commands, the API
        ``/api/v1/analyses/<name>/``, the Jobs tab)."""

        SITE_SUGGESTION = "site-suggestion", _("Suggested sites for new parks and clusters")
        EFFICIENCY = "efficiency", _("Land-use efficiency")
        TARGETS = "targets", _("Targets, developer capacity, lagging projects")
        ECO_READINESS = "eco-readiness", _("Eco-industrial readiness of parks and clusters")
        INFRASTRUCTURE_GAPS = "infrastructure-gaps", _("Infrastructure to the fence")
        LABOUR_CATCHMENT = "labour-catchment", _("Labour within reach")
        PLAN_VS_ACTUAL = "plan-vs-actual", _("Plan versus actual")
        PROPOSAL_CHECK = "proposal-check", _("Proposal check")

    kind = models.CharField("phân tích", max_length=20, choices=Kind.choices)
    params = models.JSONField("tham số", default=dict, blank=True)
    input_versions = models.JSONField(
        "phiên bản dữ liệu đầu vào",
        default=dict,
        blank=True,
        help_text="Lần nạp dữ liệu, mã SHA-256 của raster, số bản ghi và thời điểm sửa gần nhất "
        "của từng bảng.",
    )
    results = models.JSONField("kết quả (tóm tắt)", default=dict, blank=True)
    timings = models.JSONField("thời gian từng bước (giây)", default=dict, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name="phạm vi (tỉnh / đơn vị)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="analysis_runs",
        help_text="Để trống: toàn bộ dữ liệu.",
    )

    class Meta(Job.Meta):
        verbose_name = "lần chạy phân tích"
        verbose_name_plural = "lần chạy phân tích"
        indexes = [models.Index(fields=["kind", "status", "created_at"])]

    def __str__(self) -> str:
        scope = f" — {self.admin_unit.name}" if self.admin_unit_id else ""
        return f"#{self.pk} {self.get_kind_display()}{scope} ({self.get_status_display()})"


class SuggestedSite(SpatialRecord):
    """A candidate site for a new CCN/KCN found by a site-suggestion run (published as a layer)."""

    run = models.ForeignKey(
        AnalysisRun, on_delete=models.CASCADE, related_name="sites", verbose_name="lần chạy"
    )
    rank = models.PositiveSmallIntegerField("thứ hạng")
    kind = models.CharField("loại", max_length=3, choices=AreaKind.choices)
    geom = models.MultiPolygonField("ranh giới đề xuất", srid=4326)
    area_ha = models.FloatField("diện tích (ha)")
    score = models.FloatField("điểm phù hợp (0–1)")
    breakdown = models.JSONField("điểm theo tiêu chí", default=list, blank=True)
    rice_land_ha = models.FloatField("đất lúa 2 vụ (ha)", default=0)
    rice_phasing_required = models.BooleanField("phải phân kỳ chuyển đổi đất lúa", default=False)
    road_frontage_m = models.FloatField("chiều dài tiếp giáp đường (m)", default=0)
    nearest_road_name = models.CharField("tuyến đường gần nhất", max_length=200, blank=True)
    nearest_road_status = models.CharField("tình trạng tuyến", max_length=20, blank=True)
    nearest_road_distance_m = models.FloatField("khoảng cách đến đường (m)", null=True, blank=True)
    mean_slope_pct = models.FloatField("độ dốc trung bình (%)", null=True, blank=True)
    max_flood_depth_m = models.FloatField("độ sâu ngập tối đa (m)", null=True, blank=True)
    population_in_reach = models.FloatField("dân số trong bán kính", null=True, blank=True)
    reasons = models.TextField("lý do")
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name="đơn vị hành chính",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggested_sites",
    )
    province_name = models.CharField("tỉnh", max_length=60, blank=True)
    is_current = models.BooleanField(
        "kết quả mới nhất",
        default=True,
        help_text="Thuộc lần chạy mới nhất cho cùng tỉnh và loại (bản đồ WMS chỉ vẽ các vị trí "
        "này).",
    )

    class Meta:
        verbose_name = "vị trí đề xuất CCN/KCN"
        verbose_name_plural = "vị trí đề xuất CCN/KCN"
        ordering = ["run", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "rank"], name="suggestedsite_run_rank_uniq"),
            models.CheckConstraint(condition=Q(area_ha__gt=0), name="suggestedsite_area_positive"),
        ]
        indexes = [models.Index(fields=["is_current", "kind"])]

    def __str__(self) -> str:
        return (
            f"{self.kind} #{self.rank} ({fmt_vi(self.area_ha, 1)} ha, điểm {fmt_vi(self.score, 2)})"
        )


class InfrastructureConnector(SpatialRecord):
    """An indicative connector from an area's fence to the nearest usable network feature."""

    class Network(models.TextChoices):
        ROAD = "road", "Giao thông"
        POWER = "power", "Cấp điện"
        WATER = "water", "Cấp nước"

    run = models.ForeignKey(
        AnalysisRun, on_delete=models.CASCADE, related_name="connectors", verbose_name="lần chạy"
    )
    area = models.ForeignKey(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="connectors",
        verbose_name="khu, cụm công nghiệp",
    )
    network = models.CharField("mạng lưới", max_length=5, choices=Network.choices)
    feature_name = models.CharField("công trình gần nhất", max_length=200, blank=True)
    feature_kind = models.CharField("loại công trình", max_length=20, blank=True)
    distance_m = models.FloatField("khoảng cách (m)")
    connected = models.BooleanField("đã kết nối", default=False)
    geom = models.LineStringField("tuyến kết nối (chỉ dẫn)", srid=4326)
    area_code = models.CharField("mã khu, cụm", max_length=30, blank=True)
    area_name = models.CharField("tên khu, cụm", max_length=200, blank=True)
    is_current = models.BooleanField("kết quả mới nhất", default=True)

    class Meta:
        verbose_name = "tuyến kết nối hạ tầng đến hàng rào"
        verbose_name_plural = "tuyến kết nối hạ tầng đến hàng rào"
        ordering = ["run", "area", "network"]
        indexes = [models.Index(fields=["is_current", "network"])]

    def __str__(self) -> str:
        return f"{self.area_name}: {self.get_network_display()} {fmt_vi(self.distance_m)} m"
