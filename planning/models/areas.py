"""Industrial parks (KCN) and clusters (CCN), and the developers that build their infrastructure."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from planning import geo
from planning.models.admin_units import AdminUnit, SpatialRecord


class AreaKind(models.TextChoices):
    KCN = "KCN", "Khu công nghiệp (KCN)"
    CCN = "CCN", "Cụm công nghiệp (CCN)"


class Developer(models.Model):
    """Chủ đầu tư xây dựng hạ tầng kỹ thuật."""

    class Kind(models.TextChoices):
        STATE = "state", "Đơn vị nhà nước"
        ENTERPRISE = "enterprise", "Doanh nghiệp"
        COOPERATIVE = "cooperative", "Hợp tác xã"

    name = models.CharField("tên chủ đầu tư", max_length=200, unique=True)
    kind = models.CharField("loại", max_length=12, choices=Kind.choices)
    tax_code = models.CharField("mã số thuế / mã đơn vị", max_length=20, blank=True)
    charter_capital_bn_vnd = models.DecimalField(
        "vốn điều lệ (tỷ đồng)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    own_capital_bn_vnd = models.DecimalField(
        "vốn chủ sở hữu (tỷ đồng)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Theo báo cáo tài chính đã kiểm toán gần nhất.",
    )
    own_capital_as_of = models.DateField("ngày báo cáo tài chính", null=True, blank=True)
    is_synthetic = models.BooleanField("dữ liệu minh họa", default=False)
    notes = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "chủ đầu tư"
        verbose_name_plural = "chủ đầu tư"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(charter_capital_bn_vnd__isnull=True) | Q(charter_capital_bn_vnd__gte=0),
                name="developer_charter_capital_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(own_capital_bn_vnd__isnull=True) | Q(own_capital_bn_vnd__gte=0),
                name="developer_own_capital_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IndustrialArea(SpatialRecord):
    """A KCN or a CCN: boundary, land budget, status, developer, infrastructure, eco status."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Trong quy hoạch"
        ESTABLISHED = "established", "Đã thành lập"
        CLEARING = "clearing", "Đang giải phóng mặt bằng"
        BUILDING = "building", "Đang xây dựng hạ tầng"
        OPERATING = "operating", "Đang hoạt động"
        REVOKED = "revoked", "Đã thu hồi"

    class EcoStatus(models.TextChoices):
        NONE = "none", "Chưa chuyển đổi"
        PLANNED = "planned", "Có kế hoạch chuyển đổi"
        CONVERTING = "converting", "Đang chuyển đổi"
        CERTIFIED = "certified", "Được công nhận KCN sinh thái"

    code = models.CharField("mã", max_length=30, unique=True)
    name = models.CharField("tên", max_length=200)
    kind = models.CharField("loại", max_length=3, choices=AreaKind.choices)
    boundary = models.MultiPolygonField("ranh giới", srid=4326)
    boundary_area_ha = models.FloatField(
        "diện tích theo ranh giới (ha)",
        editable=False,
        default=0,
        help_text="Đo trên múi chiếu VN-2000 TM-3 của đơn vị hành chính.",
    )
    planned_area_ha = models.DecimalField(
        "diện tích quy hoạch (ha)", max_digits=10, decimal_places=2
    )
    industrial_land_ha = models.DecimalField(
        "đất công nghiệp cho thuê (ha)",
        max_digits=10,
        decimal_places=2,
        help_text="Diện tích đất công nghiệp có thể cho thuê.",
    )
    leased_land_ha = models.DecimalField(
        "đất công nghiệp đã cho thuê (ha)", max_digits=10, decimal_places=2, default=0
    )
    green_land_ha = models.DecimalField(
        "đất cây xanh (ha)", max_digits=10, decimal_places=2, default=0
    )
    shared_infra_land_ha = models.DecimalField(
        "đất giao thông, hạ tầng kỹ thuật dùng chung (ha)",
        max_digits=10,
        decimal_places=2,
        default=0,
    )
    status = models.CharField(
        "tình trạng", max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    established_on = models.DateField("ngày thành lập", null=True, blank=True)
    planning_decision = models.CharField(
        "quyết định quy hoạch / thành lập", max_length=200, blank=True
    )
    developer = models.ForeignKey(
        Developer,
        verbose_name="chủ đầu tư hạ tầng",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="areas",
    )
    total_investment_bn_vnd = models.DecimalField(
        "tổng vốn đầu tư hạ tầng (tỷ đồng)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    lease_price_usd_m2 = models.DecimalField(
        "giá thuê hạ tầng (USD/m²/chu kỳ)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    roads_done_pct = models.PositiveSmallIntegerField("hoàn thành giao thông nội bộ (%)", default=0)
    power_done_pct = models.PositiveSmallIntegerField("hoàn thành cấp điện (%)", default=0)
    water_done_pct = models.PositiveSmallIntegerField("hoàn thành cấp nước (%)", default=0)
    wastewater_done_pct = models.PositiveSmallIntegerField(
        "hoàn thành thu gom nước thải (%)", default=0
    )
    wwtp_operating = models.BooleanField(
        "nhà máy xử lý nước thải tập trung hoạt động", default=False
    )
    wwtp_capacity_m3_day = models.PositiveIntegerField(
        "công suất xử lý nước thải (m³/ngày)", null=True, blank=True
    )
    isolation_strip_m = models.FloatField(
        "chiều rộng dải cây xanh cách ly (m)",
        null=True,
        blank=True,
        help_text="QCVN 01: tối thiểu 10 m.",
    )
    eco_status = models.CharField(
        "KCN sinh thái", max_length=12, choices=EcoStatus.choices, default=EcoStatus.NONE
    )
    eco_criteria_met = models.JSONField(
        "tiêu chí sinh thái đã đạt",
        default=dict,
        blank=True,
        help_text='Ví dụ {"recp_awareness": true, "symbiosis_links": 2}.',
    )
    is_smart = models.BooleanField("KCN thông minh", default=False)
    is_mountainous = models.BooleanField("thuộc địa bàn miền núi", default=False)
    is_craft_village = models.BooleanField("CCN làng nghề", default=False)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name="đơn vị hành chính (khi báo cáo)",
        on_delete=models.PROTECT,
        related_name="industrial_areas",
    )
    province_name_reported = models.CharField(
        "tỉnh (tên khi báo cáo)",
        max_length=60,
        blank=True,
        help_text="Tên tỉnh trong tài liệu gốc, ví dụ Bình Định trước sáp nhập.",
    )
    is_synthetic_boundary = models.BooleanField(
        "ranh giới minh họa",
        default=False,
        help_text="Ranh giới dựng lại gần vị trí thực, chưa số hóa từ quy hoạch 1/2000.",
    )
    source = models.TextField("nguồn số liệu", blank=True)
    history = HistoricalRecords(verbose_name="lịch sử khu, cụm công nghiệp")

    class Meta:
        verbose_name = "khu, cụm công nghiệp"
        verbose_name_plural = "khu, cụm công nghiệp"
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(leased_land_ha__lte=F("industrial_land_ha")),
                name="area_leased_le_leasable",
                violation_error_message="Diện tích đã cho thuê không được lớn hơn đất công nghiệp cho thuê.",
            ),
            models.CheckConstraint(
                condition=Q(industrial_land_ha__lte=F("planned_area_ha")),
                name="area_leasable_le_planned",
                violation_error_message="Đất công nghiệp cho thuê không được lớn hơn diện tích quy hoạch.",
            ),
            models.CheckConstraint(
                condition=Q(planned_area_ha__gt=0)
                & Q(industrial_land_ha__gte=0)
                & Q(leased_land_ha__gte=0)
                & Q(green_land_ha__gte=0)
                & Q(shared_infra_land_ha__gte=0),
                name="area_land_nonneg",
                violation_error_message="Diện tích không được âm.",
            ),
            models.CheckConstraint(
                condition=Q(roads_done_pct__lte=100)
                & Q(power_done_pct__lte=100)
                & Q(water_done_pct__lte=100)
                & Q(wastewater_done_pct__lte=100),
                name="area_infra_pct_le_100",
                violation_error_message="Tỷ lệ hoàn thành hạ tầng tối đa 100%.",
            ),
            models.CheckConstraint(
                condition=Q(total_investment_bn_vnd__isnull=True)
                | Q(total_investment_bn_vnd__gte=0),
                name="area_investment_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(lease_price_usd_m2__isnull=True) | Q(lease_price_usd_m2__gte=0),
                name="area_lease_price_nonneg",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return self.name

    def update_measures(self) -> None:
        self.boundary_area_ha = round(geo.area_ha(self.boundary, self.metric_srid), 4)

    @property
    def occupancy(self) -> float | None:
        """Tỷ lệ lấp đầy: leased ÷ leasable industrial land (DOMAIN.md §3.1)."""
        if not self.industrial_land_ha:
            return None
        return float(self.leased_land_ha) / float(self.industrial_land_ha)


class DeveloperTransfer(models.Model):
    """A state-developed cluster passed to an enterprise (or another change of developer)."""

    area = models.ForeignKey(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="developer_transfers",
        verbose_name="khu, cụm công nghiệp",
    )
    from_developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name="chủ đầu tư cũ",
    )
    to_developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name="chủ đầu tư mới",
    )
    decided_on = models.DateField("ngày quyết định")
    decision = models.CharField("quyết định", max_length=200, blank=True)
    notes = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "chuyển giao chủ đầu tư"
        verbose_name_plural = "chuyển giao chủ đầu tư"
        ordering = ["-decided_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_developer=F("to_developer")),
                name="transfer_distinct_developers",
                violation_error_message="Chủ đầu tư mới phải khác chủ đầu tư cũ.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.from_developer} → {self.to_developer}"
