"""Background jobs started from the web: layer imports (analyses are :class:`AnalysisRun`).

An import job records who asked, which layer, the uploaded file (kept under
``MEDIA_ROOT/imports/``), the mode and CRS override, and, while it runs, its progress (0–100 and
a message) so a web page can poll it and a reload loses nothing. When it ends it holds the counts
or the errors (row and reason); a failed import leaves nothing behind (one transaction). Though it
runs in the background, its messages are in the language of the request that started it (``language``).
"""

from __future__ import annotations

# pyogrio (GDAL with its own SQLite, used by imports and GeoPackage exports) must be loaded before
# the first SpatiaLite connection, for the reason given in planning/models/analyses.py about
# rasterio: loaded later, its GPKG driver runs on SpatiaLite's SQLite symbols and segfaults.
import pyogrio  # noqa: F401
import pyogrio.raw  # noqa: F401
from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q


class ImportJob(models.Model):
    class Mode(models.TextChoices):
        APPEND = "append", "Thêm mới"
        REPLACE = "replace", "Thay thế toàn bộ"
        UPSERT = "upsert", "Cập nhật theo mã"

    class Status(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        RUNNING = "running", "Đang chạy"
        DONE = "done", "Hoàn thành"
        FAILED = "failed", "Lỗi"

    layer = models.CharField("lớp dữ liệu", max_length=64)
    file = models.FileField("tệp tải lên", upload_to="imports/%Y/%m/", max_length=255)
    original_name = models.CharField("tên tệp gốc", max_length=255, blank=True)
    size_bytes = models.BigIntegerField("dung lượng (byte)", default=0)
    mode = models.CharField("cách nhập", max_length=8, choices=Mode.choices, default=Mode.APPEND)
    srs = models.CharField(
        "hệ tọa độ nguồn",
        max_length=64,
        blank=True,
        help_text="Để trống: theo tệp (VN-2000 nhận theo tỉnh nếu tệp không ghi).",
    )
    status = models.CharField(
        "trạng thái", max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    progress_message = models.CharField("đang làm", max_length=200, blank=True)
    features = models.PositiveIntegerField("số đối tượng trong tệp", default=0)
    created_count = models.PositiveIntegerField("số bản ghi tạo mới", default=0)
    updated_count = models.PositiveIntegerField("số bản ghi cập nhật", default=0)
    deleted_count = models.PositiveIntegerField("số bản ghi xóa", default=0)
    source_crs = models.CharField("hệ tọa độ đã dùng", max_length=120, blank=True)
    warnings = models.JSONField("cảnh báo", default=list, blank=True)
    errors = models.JSONField(
        "lỗi theo dòng",
        default=list,
        blank=True,
        help_text="Danh sách {row, reason}; dòng 0 hoặc trống: lỗi của cả tệp.",
    )
    error = models.TextField("lỗi", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật", auto_now=True)
    started_at = models.DateTimeField("bắt đầu", null=True, blank=True)
    finished_at = models.DateTimeField("kết thúc", null=True, blank=True)
    duration_s = models.FloatField("thời gian chạy (giây)", null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhập",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    language = models.CharField(
        "ngôn ngữ",
        max_length=8,
        blank=True,
        default="",
        help_text="Ngôn ngữ của yêu cầu đã bắt đầu lần nhập (vi, en): lỗi, cảnh báo và tiến độ "
        "được ghi bằng ngôn ngữ này. Để trống: ngôn ngữ mặc định.",
    )

    class Meta:
        verbose_name = "lần nhập dữ liệu"
        verbose_name_plural = "lần nhập dữ liệu"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="importjob_progress_le_100"
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(finished_at__gte=models.F("started_at")),
                name="importjob_finished_after_started",
            ),
        ]
        indexes = [
            models.Index(fields=["started_by", "created_at"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name or self.file.name} → {self.layer} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
