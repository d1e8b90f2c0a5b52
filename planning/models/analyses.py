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
        AnalysisRun, on_delete=models.CASCADE, related_name="sites", verbose_name=_("run")
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    kind = models.CharField(_("kind"), max_length=3, choices=AreaKind.choices)
    geom = models.MultiPolygonField(_("proposed boundary"), srid=4326)
    area_ha = models.FloatField(_("area (ha)"))
    score = models.FloatField(_("suitability score (0–1)"))
    breakdown = models.JSONField(_("score by criterion"), default=list, blank=True)
    rice_land_ha = models.FloatField(_("two-crop rice land (ha)"), default=0)
    rice_phasing_required = models.BooleanField(
        _("rice land conversion must be phased"), default=False
    )
    road_frontage_m = models.FloatField(_("road frontage (m)"), default=0)
    nearest_road_name = models.CharField(_("nearest road"), max_length=200, blank=True)
    nearest_road_status = models.CharField(_("road status"), max_length=20, blank=True)
    nearest_road_distance_m = models.FloatField(
        _("distance to the road (m)"), null=True, blank=True
    )
    mean_slope_pct = models.FloatField(_("mean slope (%)"), null=True, blank=True)
    max_flood_depth_m = models.FloatField(_("maximum flood depth (m)"), null=True, blank=True)
    population_in_reach = models.FloatField(_("population within reach"), null=True, blank=True)
    reasons = models.TextField(_("reasons"))
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("administrative unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggested_sites",
    )
    province_name = models.CharField(_("province"), max_length=60, blank=True)
    is_current = models.BooleanField(
        _("latest result"),
        default=True,
        help_text=_(
            "Latest run for the same province and kind (the WMS map draws only these sites)."
        ),
    )

    class Meta:
        verbose_name = _("suggested CCN/KCN site")
        verbose_name_plural = _("suggested CCN/KCN sites")
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
        ROAD = "road", _("Transport")
        POWER = "power", _("Power supply")
        WATER = "water", _("Water supply")

    run = models.ForeignKey(
        AnalysisRun, on_delete=models.CASCADE, related_name="connectors", verbose_name=_("run")
    )
    area = models.ForeignKey(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="connectors",
        verbose_name=_("industrial park / cluster"),
    )
    network = models.CharField(_("network"), max_length=5, choices=Network.choices)
    feature_name = models.CharField(_("nearest feature"), max_length=200, blank=True)
    feature_kind = models.CharField(_("feature type"), max_length=20, blank=True)
    distance_m = models.FloatField(_("distance (m)"))
    connected = models.BooleanField(_("connected"), default=False)
    geom = models.LineStringField(_("connector route (indicative)"), srid=4326)
    area_code = models.CharField(_("park / cluster code"), max_length=30, blank=True)
    area_name = models.CharField(_("park / cluster name"), max_length=200, blank=True)
    is_current = models.BooleanField(_("latest result"), default=True)

    class Meta:
        verbose_name = _("infrastructure connector to the fence")
        verbose_name_plural = _("infrastructure connectors to the fence")
        ordering = ["run", "area", "network"]
        indexes = [models.Index(fields=["is_current", "network"])]

    def __str__(self) -> str:
        return f"{self.area_name}: {self.get_network_display()} {fmt_vi(self.distance_m)} m"
