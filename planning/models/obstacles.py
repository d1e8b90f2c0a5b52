"""What blocks an area (vướng mắc), who must solve it and by when."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from planning.models.areas import IndustrialArea


class Obstacle(models.Model):
    class Category(models.TextChoices):
        LAND_PROCEDURE = "land_procedure", "Thủ tục đất đai"
        SUBDIVISION_PLANNING = "subdivision_planning", "Quy hoạch phân khu"
        ENVIRONMENTAL_PERMIT = "environmental_permit", "Giấy phép môi trường"
        CLEARANCE = "clearance", "Giải phóng mặt bằng"
        LAND_USE_PLAN = "land_use_plan", "Phương án sử dụng đất"
        LAND_RECOVERY = "land_recovery", "Thu hồi đất dự án đã dừng"
        INFRASTRUCTURE = "infrastructure", "Hạ tầng ngoài hàng rào"
        OTHER = "other", "Khác"

    class Status(models.TextChoices):
        OPEN = "open", "Chưa xử lý"
        IN_PROGRESS = "in_progress", "Đang xử lý"
        RESOLVED = "resolved", "Đã giải quyết"

    area = models.ForeignKey(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="obstacles",
        verbose_name="khu, cụm công nghiệp",
    )
    category = models.CharField("nhóm vướng mắc", max_length=24, choices=Category.choices)
    description = models.TextField("nội dung")
    responsible_agency = models.CharField("cơ quan chủ trì", max_length=200)
    raised_on = models.DateField("ngày phát sinh")
    deadline = models.DateField("hạn xử lý", null=True, blank=True)
    status = models.CharField(
        "tình trạng", max_length=12, choices=Status.choices, default=Status.OPEN
    )
    resolved_on = models.DateField("ngày giải quyết", null=True, blank=True)

    class Meta:
        verbose_name = "vướng mắc"
        verbose_name_plural = "vướng mắc"
        ordering = ["deadline"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=F("raised_on")),
                name="obstacle_deadline_after_raised",
                violation_error_message="Hạn xử lý phải sau ngày phát sinh.",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("raised_on")),
                name="obstacle_resolved_after_raised",
                violation_error_message="Ngày giải quyết phải sau ngày phát sinh.",
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_on__isnull=False),
                name="obstacle_resolved_has_date",
                violation_error_message="Vướng mắc đã giải quyết phải có ngày giải quyết.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_category_display()}"
