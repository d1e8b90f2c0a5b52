"""Proposals for new KCN / CCN from local staff, reviewed by the province."""
from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from planning import geo
from planning.models.admin_units import AdminUnit
from planning.models.areas import AreaKind, IndustrialArea
from planning.models.base import SpatialRecord


class Proposal(SpatialRecord):
    class Status(models.TextChoices):
        DRAFT = "draft", "Bản nháp"
        SUBMITTED = "submitted", "Đã gửi"
        UNDER_REVIEW = "under_review", "Đang thẩm định"
        CHANGES_REQUESTED = "changes_requested", "Yêu cầu chỉnh sửa"
        APPROVED = "approved", "Đã phê duyệt"
        REJECTED = "rejected", "Không phê duyệt"
        WITHDRAWN = "withdrawn", "Đã rút"

    code = models.CharField("mã đề xuất", max_length=30, unique=True)
    name = models.CharField("tên đề xuất", max_length=200)
    kind = models.CharField("loại", max_length=3, choices=AreaKind.choices, default=AreaKind.CCN)
    geom = models.MultiPolygonField("ranh giới đề xuất", srid=4326)
    area_ha = models.FloatField("diện tích (ha)", editable=False, default=0)
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name="đơn vị đề xuất", on_delete=models.PROTECT, related_name="proposals"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người đề xuất", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="proposals",
    )
    rationale = models.TextField("thuyết minh", blank=True)
    status = models.CharField("trạng thái", max_length=18, choices=Status.choices, default=Status.DRAFT)
    validation = models.JSONField("kết quả kiểm tra", default=dict, blank=True)
    submitted_at = models.DateTimeField("ngày gửi", null=True, blank=True)
    decided_at = models.DateTimeField("ngày quyết định", null=True, blank=True)
    resulting_area = models.OneToOneField(
        IndustrialArea, verbose_name="khu, cụm được lập", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="proposal",
    )
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật", auto_now=True)
    history = HistoricalRecords(verbose_name="lịch sử đề xuất")

    class Meta:
        verbose_name = "đề xuất khu, cụm công nghiệp"
        verbose_name_plural = "đề xuất khu, cụm công nghiệp"
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(decided_at__isnull=True)
                | Q(decided_at__gte=models.F("submitted_at")),
                name="proposal_decided_after_submitted",
                violation_error_message="Ngày quyết định phải sau ngày gửi.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def update_measures(self) -> None:
        self.area_ha = round(geo.area_ha(self.geom, self.metric_srid), 4)


class ProposalEvent(models.Model):
    """One step of the review workflow: who did what, when, with what comment."""

    class Action(models.TextChoices):
        CREATED = "created", "Tạo"
        EDITED = "edited", "Chỉnh sửa"
        SUBMITTED = "submitted", "Gửi thẩm định"
        REVIEW_STARTED = "review_started", "Bắt đầu thẩm định"
        COMMENTED = "commented", "Góp ý"
        CHANGES_REQUESTED = "changes_requested", "Yêu cầu chỉnh sửa"
        APPROVED = "approved", "Phê duyệt"
        REJECTED = "rejected", "Không phê duyệt"
        WITHDRAWN = "withdrawn", "Rút đề xuất"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events", verbose_name="đề xuất")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="người thực hiện"
    )
    action = models.CharField("thao tác", max_length=18, choices=Action.choices)
    comment = models.TextField("ý kiến", blank=True)
    created_at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "bước xử lý đề xuất"
        verbose_name_plural = "bước xử lý đề xuất"
        ordering = ["proposal", "created_at"]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.get_action_display()}"
