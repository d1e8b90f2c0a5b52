"""Secondary projects (dự án thứ cấp) that lease land inside a park or cluster."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from planning import geo
from planning.models.admin_units import SpatialRecord
from planning.models.areas import IndustrialArea


class SecondaryProject(SpatialRecord):
    class Status(models.TextChoices):
        REGISTERED = "registered", "Đã đăng ký đầu tư"
        BUILDING = "building", "Đang xây dựng"
        OPERATING = "operating", "Đang hoạt động"
        STALLED = "stalled", "Chậm tiến độ / ngừng triển khai"
        REVOKED = "revoked", "Đã thu hồi"

    area = models.ForeignKey(
        IndustrialArea,
        verbose_name="khu, cụm công nghiệp",
        on_delete=models.PROTECT,
        related_name="projects",
    )
    code = models.CharField("mã dự án / số GCN đăng ký đầu tư", max_length=40, unique=True)
    name = models.CharField("tên dự án", max_length=250)
    investor = models.CharField("nhà đầu tư", max_length=250)
    investor_country = models.CharField("quốc gia nhà đầu tư", max_length=60, default="Việt Nam")
    sector = models.CharField("ngành nghề", max_length=120)
    plot = models.MultiPolygonField("lô đất thuê", srid=4326, null=True, blank=True)
    plot_area_ha = models.FloatField("diện tích lô theo bản đồ (ha)", editable=False, default=0)
    leased_area_ha = models.DecimalField(
        "diện tích thuê theo hợp đồng (ha)", max_digits=10, decimal_places=3
    )
    registered_capital_bn_vnd = models.DecimalField(
        "vốn đăng ký (tỷ đồng)", max_digits=14, decimal_places=2
    )
    disbursed_capital_bn_vnd = models.DecimalField(
        "vốn đã thực hiện (tỷ đồng)", max_digits=14, decimal_places=2, default=0
    )
    planned_jobs = models.PositiveIntegerField("lao động dự kiến", default=0)
    actual_jobs = models.PositiveIntegerField("lao động thực tế", default=0)
    annual_tax_bn_vnd = models.DecimalField(
        "nộp ngân sách năm gần nhất (tỷ đồng)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    registered_on = models.DateField("ngày cấp GCN đăng ký đầu tư")
    construction_start_planned = models.DateField("khởi công theo tiến độ", null=True, blank=True)
    operation_planned = models.DateField("đi vào hoạt động theo tiến độ", null=True, blank=True)
    operation_actual = models.DateField("đi vào hoạt động thực tế", null=True, blank=True)
    status = models.CharField(
        "tình trạng", max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    is_synthetic = models.BooleanField("dữ liệu minh họa", default=False)
    history = HistoricalRecords(verbose_name="lịch sử dự án thứ cấp")

    class Meta:
        verbose_name = "dự án thứ cấp"
        verbose_name_plural = "dự án thứ cấp"
        ordering = ["area", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(leased_area_ha__gt=0)
                & Q(registered_capital_bn_vnd__gte=0)
                & Q(disbursed_capital_bn_vnd__gte=0),
                name="project_amounts_nonneg",
                violation_error_message="Diện tích thuê phải dương và số vốn không được âm.",
            ),
            models.CheckConstraint(
                condition=Q(construction_start_planned__isnull=True)
                | Q(construction_start_planned__gte=F("registered_on")),
                name="project_start_after_registration",
                violation_error_message="Ngày khởi công phải sau ngày đăng ký đầu tư.",
            ),
            models.CheckConstraint(
                condition=Q(operation_planned__isnull=True)
                | Q(construction_start_planned__isnull=True)
                | Q(operation_planned__gte=F("construction_start_planned")),
                name="project_operation_after_start",
                violation_error_message="Ngày đi vào hoạt động phải sau ngày khởi công.",
            ),
            models.CheckConstraint(
                condition=Q(operation_actual__isnull=True)
                | Q(operation_actual__gte=F("registered_on")),
                name="project_actual_after_registration",
                violation_error_message="Ngày hoạt động thực tế phải sau ngày đăng ký đầu tư.",
            ),
        ]
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self) -> str:
        return self.name

    def resolve_metric_srid(self) -> int:
        if self.area_id and self.area.metric_srid:
            return self.area.metric_srid
        return super().resolve_metric_srid()

    def update_measures(self) -> None:
        self.plot_area_ha = round(geo.area_ha(self.plot, self.metric_srid), 4) if self.plot else 0


class ProjectMilestone(models.Model):
    """A step of a secondary project's investment schedule, planned and actual."""

    class Step(models.TextChoices):
        LAND_LEASE = "land_lease", "Ký hợp đồng thuê đất"
        CONSTRUCTION_PERMIT = "construction_permit", "Cấp giấy phép xây dựng"
        CONSTRUCTION_START = "construction_start", "Khởi công"
        CONSTRUCTION_END = "construction_end", "Hoàn thành xây dựng"
        OPERATION = "operation", "Đi vào hoạt động"

    project = models.ForeignKey(
        SecondaryProject, on_delete=models.CASCADE, related_name="milestones", verbose_name="dự án"
    )
    step = models.CharField("bước", max_length=20, choices=Step.choices)
    planned_on = models.DateField("theo tiến độ")
    actual_on = models.DateField("thực tế", null=True, blank=True)

    class Meta:
        verbose_name = "mốc tiến độ dự án"
        verbose_name_plural = "mốc tiến độ dự án"
        ordering = ["project", "planned_on"]
        constraints = [
            models.UniqueConstraint(fields=["project", "step"], name="milestone_step_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_step_display()}"
