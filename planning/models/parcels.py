"""Clearance parcels (bồi thường, giải phóng mặt bằng). Household details are personal data."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from planning import geo
from planning.models.admin_units import AdminUnit, SpatialRecord
from planning.models.areas import IndustrialArea


class LandUse(models.TextChoices):
    """Land-use codes of the cadastral maps (Thông tư 08/2024/TT-BTNMT style)."""

    LUC = "LUC", "Đất chuyên trồng lúa (2 vụ trở lên)"
    LUK = "LUK", "Đất trồng lúa còn lại"
    HNK = "HNK", "Đất trồng cây hằng năm khác"
    CLN = "CLN", "Đất trồng cây lâu năm"
    RSX = "RSX", "Đất rừng sản xuất"
    NTS = "NTS", "Đất nuôi trồng thủy sản"
    ONT = "ONT", "Đất ở tại nông thôn"
    ODT = "ODT", "Đất ở tại đô thị"
    SKC = "SKC", "Đất cơ sở sản xuất phi nông nghiệp"
    DGT = "DGT", "Đất giao thông"
    DTL = "DTL", "Đất thủy lợi"
    NTD = "NTD", "Đất nghĩa trang"
    BCS = "BCS", "Đất bằng chưa sử dụng"


class ClearanceParcel(SpatialRecord):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Chưa thực hiện"
        INVENTORIED = "inventoried", "Đã kiểm đếm"
        PLAN_APPROVED = "plan_approved", "Đã phê duyệt phương án"
        COMPENSATED = "compensated", "Đã chi trả bồi thường"
        HANDED_OVER = "handed_over", "Đã bàn giao mặt bằng"

    # Fields that identify people: never published through WMS/WFS/API to anyone without the right.
    PERSONAL_FIELDS = ("holder_name", "holder_id_number", "households")

    area = models.ForeignKey(
        IndustrialArea,
        verbose_name="khu, cụm công nghiệp",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parcels",
    )
    map_sheet = models.CharField("tờ bản đồ số", max_length=20)
    parcel_no = models.CharField("thửa đất số", max_length=20)
    boundary = models.MultiPolygonField("ranh thửa", srid=4326)
    area_m2 = models.FloatField("diện tích đo (m²)", editable=False, default=0)
    land_use = models.CharField("loại đất", max_length=3, choices=LandUse.choices)
    households = models.PositiveSmallIntegerField("số hộ bị ảnh hưởng", default=0)
    holder_name = models.CharField("người sử dụng đất", max_length=200, blank=True)
    holder_id_number = models.CharField("số CCCD người sử dụng đất", max_length=20, blank=True)
    status = models.CharField(
        "tình trạng GPMB", max_length=14, choices=Status.choices, default=Status.NOT_STARTED
    )
    compensation_planned_mn_vnd = models.DecimalField(
        "bồi thường theo phương án (triệu đồng)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    compensation_paid_mn_vnd = models.DecimalField(
        "đã chi trả (triệu đồng)", max_digits=14, decimal_places=2, default=0
    )
    inventoried_on = models.DateField("ngày kiểm đếm", null=True, blank=True)
    plan_approved_on = models.DateField("ngày phê duyệt phương án", null=True, blank=True)
    compensated_on = models.DateField("ngày chi trả", null=True, blank=True)
    handed_over_on = models.DateField("ngày bàn giao", null=True, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name="đơn vị hành chính (khi báo cáo)",
        on_delete=models.PROTECT,
        related_name="parcels",
    )
    is_synthetic = models.BooleanField("dữ liệu minh họa", default=False)
    history = HistoricalRecords(verbose_name="lịch sử thửa đất GPMB")

    class Meta:
        verbose_name = "thửa đất giải phóng mặt bằng"
        verbose_name_plural = "thửa đất giải phóng mặt bằng"
        ordering = ["area", "map_sheet", "parcel_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["admin_unit", "map_sheet", "parcel_no"], name="parcel_cadastral_id_uniq"
            ),
            models.CheckConstraint(
                condition=(
                    Q(compensation_planned_mn_vnd__isnull=True)
                    | Q(compensation_planned_mn_vnd__gte=0)
                )
                & Q(compensation_paid_mn_vnd__gte=0),
                name="parcel_amounts_nonneg",
                violation_error_message="Số tiền bồi thường không được âm.",
            ),
            models.CheckConstraint(
                condition=Q(inventoried_on__isnull=True)
                | Q(plan_approved_on__isnull=True)
                | Q(plan_approved_on__gte=F("inventoried_on")),
                name="parcel_plan_after_inventory",
                violation_error_message="Ngày phê duyệt phương án phải sau ngày kiểm đếm.",
            ),
            models.CheckConstraint(
                condition=Q(plan_approved_on__isnull=True)
                | Q(compensated_on__isnull=True)
                | Q(compensated_on__gte=F("plan_approved_on")),
                name="parcel_paid_after_plan",
                violation_error_message="Ngày chi trả phải sau ngày phê duyệt phương án.",
            ),
            models.CheckConstraint(
                condition=Q(compensated_on__isnull=True)
                | Q(handed_over_on__isnull=True)
                | Q(handed_over_on__gte=F("compensated_on")),
                name="parcel_handover_after_payment",
                violation_error_message="Ngày bàn giao phải sau ngày chi trả.",
            ),
        ]
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self) -> str:
        return f"Thửa {self.parcel_no}, tờ {self.map_sheet}"

    def update_measures(self) -> None:
        self.area_m2 = round(geo.area_ha(self.boundary, self.metric_srid) * 10_000, 2)
