"""Road corridors and infrastructure networks (for clusters along invested roads, and to the
fence)."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import Q

from planning import geo
from planning.models.admin_units import AdminUnit, SpatialRecord


class InvestmentStatus(models.TextChoices):
    PLANNED = "planned", "Quy hoạch"
    UNDER_CONSTRUCTION = "under_construction", "Đang đầu tư xây dựng"
    INVESTED = "invested", "Đã đầu tư, hoàn thành"


class RoadCorridor(SpatialRecord):
    class RoadClass(models.TextChoices):
        EXPRESSWAY = "expressway", "Cao tốc"
        NATIONAL = "national", "Quốc lộ"
        PROVINCIAL = "provincial", "Đường tỉnh"
        DISTRICT = "district", "Đường huyện / đô thị"
        LOCAL = "local", "Đường địa phương"

    code = models.CharField("mã tuyến", max_length=40, unique=True)
    name = models.CharField("tên tuyến", max_length=200)
    route_ref = models.CharField(
        "số hiệu đường", max_length=20, blank=True, help_text="QL19, ĐT639..."
    )
    road_class = models.CharField("cấp đường", max_length=12, choices=RoadClass.choices)
    centerline = models.MultiLineStringField("tim tuyến", srid=4326)
    length_m = models.FloatField("chiều dài (m)", editable=False, default=0)
    right_of_way_m = models.FloatField("chỉ giới đường đỏ / lộ giới (m)", default=0)
    lanes = models.PositiveSmallIntegerField("số làn xe", null=True, blank=True)
    status = models.CharField("tình trạng đầu tư", max_length=20, choices=InvestmentStatus.choices)
    investment_year = models.PositiveSmallIntegerField(
        "năm khởi công / đầu tư", null=True, blank=True
    )
    completion_year = models.PositiveSmallIntegerField("năm hoàn thành", null=True, blank=True)
    investment_bn_vnd = models.DecimalField(
        "tổng mức đầu tư (tỷ đồng)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name="tỉnh quản lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roads",
    )
    is_synthetic = models.BooleanField("tuyến minh họa", default=False)
    source = models.TextField("nguồn", blank=True)

    class Meta:
        verbose_name = "tuyến đường"
        verbose_name_plural = "tuyến đường"
        ordering = ["road_class", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(right_of_way_m__gte=0), name="road_row_nonneg"),
            models.CheckConstraint(
                condition=Q(investment_year__isnull=True)
                | Q(completion_year__isnull=True)
                | Q(completion_year__gte=models.F("investment_year")),
                name="road_years_in_order",
                violation_error_message="Năm hoàn thành phải sau năm khởi công.",
            ),
            models.CheckConstraint(
                condition=Q(investment_bn_vnd__isnull=True) | Q(investment_bn_vnd__gte=0),
                name="road_investment_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def update_measures(self) -> None:
        self.length_m = round(geo.length_m(self.centerline, self.metric_srid), 2)


class InfrastructureLine(SpatialRecord):
    class Kind(models.TextChoices):
        POWER_HV = "power_hv", "Đường dây điện cao thế (110–220 kV)"
        POWER_MV = "power_mv", "Đường dây điện trung thế (22–35 kV)"
        WATER = "water", "Tuyến ống cấp nước"
        DRAINAGE = "drainage", "Tuyến thoát nước"

    name = models.CharField("tên", max_length=200)
    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    geom = models.MultiLineStringField("tuyến", srid=4326)
    length_m = models.FloatField("chiều dài (m)", editable=False, default=0)
    status = models.CharField("tình trạng", max_length=20, choices=InvestmentStatus.choices)
    capacity = models.CharField("công suất / cấp điện áp / đường kính", max_length=60, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name="đơn vị hành chính",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="infrastructure_lines",
    )
    is_synthetic = models.BooleanField("dữ liệu minh họa", default=False)

    class Meta:
        verbose_name = "tuyến hạ tầng kỹ thuật"
        verbose_name_plural = "tuyến hạ tầng kỹ thuật"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def update_measures(self) -> None:
        self.length_m = round(geo.length_m(self.geom, self.metric_srid), 2)


class InfrastructurePoint(SpatialRecord):
    class Kind(models.TextChoices):
        SUBSTATION = "substation", "Trạm biến áp"
        WATER_PLANT = "water_plant", "Nhà máy nước"
        WWTP = "wwtp", "Trạm xử lý nước thải"
        PORT = "port", "Cảng"

    name = models.CharField("tên", max_length=200)
    kind = models.CharField("loại", max_length=12, choices=Kind.choices)
    geom = models.PointField("vị trí", srid=4326)
    status = models.CharField("tình trạng", max_length=20, choices=InvestmentStatus.choices)
    capacity = models.CharField("công suất", max_length=60, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name="đơn vị hành chính",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="infrastructure_points",
    )
    is_synthetic = models.BooleanField("dữ liệu minh họa", default=False)

    class Meta:
        verbose_name = "công trình hạ tầng kỹ thuật"
        verbose_name_plural = "công trình hạ tầng kỹ thuật"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name
