"""Background jobs: the fields every job shares (:class:`Job`), layer imports, worker heartbeats.

A job is a row of ours that a page can poll — status, progress (0–100 and a message), timings,
the error, who started it and in which language — executed by a task on Django's task queue
(``django_tasks``, database backend: ``task_id`` is its result's id). Analysis runs
(:class:`~planning.models.analyses.AnalysisRun`) and layer imports (:class:`ImportJob`) are jobs.

An import job records who asked, which layer, the uploaded file (kept under
``MEDIA_ROOT/imports/``), the mode and CRS override. When it ends it holds the counts or the
errors (row and reason); a failed import leaves nothing behind (one transaction). Though it runs
in the background, its messages are in the language of the request that started it
(``language``).

A :class:`WorkerBeat` is written every few seconds by each running worker
(``manage.py run_worker``), so a job whose worker was killed is seen as lost — on this machine by
its process id, on another by a heartbeat gone silent — and marked failed, never left "running".
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
from django.utils.translation import gettext, pgettext_lazy


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job status", "Queued")
    RUNNING = "running", pgettext_lazy("job status", "Running")
    DONE = "done", pgettext_lazy("job status", "Done")
    FAILED = "failed", pgettext_lazy("job status", "Failed")


class Job(models.Model):
    """What every background job has: status, progress, timings, error, owner, language, task."""

    Status = JobStatus

    status = models.CharField(
        pgettext_lazy("job", "status"),
        max_length=8,
        choices=JobStatus.choices,
        default=JobStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField(pgettext_lazy("job", "progress (%)"), default=0)
    progress_message = models.CharField(
        pgettext_lazy("job", "doing now"), max_length=200, blank=True
    )
    error = models.TextField(pgettext_lazy("job", "error"), blank=True)
    created_at = models.DateTimeField(pgettext_lazy("job", "created at"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("job", "updated at"), auto_now=True)
    started_at = models.DateTimeField(pgettext_lazy("job", "started at"), null=True, blank=True)
    finished_at = models.DateTimeField(pgettext_lazy("job", "finished at"), null=True, blank=True)
    duration_s = models.FloatField(pgettext_lazy("job", "run time (s)"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("job", "started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(class)s_jobs",
    )
    language = models.CharField(
        pgettext_lazy("job", "language"),
        max_length=8,
        blank=True,
        default="",
        help_text=pgettext_lazy(
            "job",
            "Language of the request that started the job (vi, en): its errors, warnings and "
            "progress are written in it. Empty: the default language.",
        ),
    )
    task_id = models.CharField(
        pgettext_lazy("job", "task"),
        max_length=64,
        blank=True,
        default="",
        db_index=True,
        help_text=pgettext_lazy("job", "Id of the task queue's result that runs this job."),
    )

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="%(class)s_progress_le_100"
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(finished_at__gte=models.F("started_at")),
                name="%(class)s_finished_after_started",
            ),
        ]

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def lost_fields(self, message: str) -> dict:
        """Fields to store besides status and error when the job's worker was lost."""
        return {"progress_message": message[:200]}


class WorkerBeat(models.Model):
    """A task worker's heartbeat: written every few seconds while ``manage.py run_worker`` runs."""

    worker_id = models.CharField(pgettext_lazy("job", "worker"), max_length=64, primary_key=True)
    host = models.CharField(pgettext_lazy("job", "host"), max_length=255)
    pid = models.PositiveIntegerField(pgettext_lazy("job", "process id"))
    queues = models.CharField(pgettext_lazy("job", "queues"), max_length=200, blank=True)
    started_at = models.DateTimeField(pgettext_lazy("job", "started at"))
    beat_at = models.DateTimeField(pgettext_lazy("job", "last heartbeat"), db_index=True)

    class Meta:
        verbose_name = pgettext_lazy("job", "task worker")
        verbose_name_plural = pgettext_lazy("job", "task workers")
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return self.worker_id


class ImportJob(Job):
    """A layer import started from the web (the file, the options, and the counts or errors)."""

    class Mode(models.TextChoices):
        APPEND = "append", pgettext_lazy("job", "Append")
        REPLACE = "replace", pgettext_lazy("job", "Replace the whole layer")
        UPSERT = "upsert", pgettext_lazy("job", "Update by code")

    layer = models.CharField(pgettext_lazy("job", "layer"), max_length=64)
    file = models.FileField(
        pgettext_lazy("job", "uploaded file"), upload_to="imports/%Y/%m/", max_length=255
    )
    original_name = models.CharField(
        pgettext_lazy("job", "original file name"), max_length=255, blank=True
    )
    size_bytes = models.BigIntegerField(pgettext_lazy("job", "size (bytes)"), default=0)
    mode = models.CharField(
        pgettext_lazy("job", "import mode"), max_length=8, choices=Mode.choices, default=Mode.APPEND
    )
    srs = models.CharField(
        pgettext_lazy("job", "source coordinate system"),
        max_length=64,
        blank=True,
        help_text=pgettext_lazy(
            "job",
            "Empty: the file's own (VN-2000 is taken by province when the file does not say).",
        ),
    )
    features = models.PositiveIntegerField(pgettext_lazy("job", "features in the file"), default=0)
    created_count = models.PositiveIntegerField(pgettext_lazy("job", "records created"), default=0)
    updated_count = models.PositiveIntegerField(pgettext_lazy("job", "records updated"), default=0)
    deleted_count = models.PositiveIntegerField(pgettext_lazy("job", "records deleted"), default=0)
    source_crs = models.CharField(
        pgettext_lazy("job", "coordinate system used"), max_length=120, blank=True
    )
    warnings = models.JSONField(pgettext_lazy("job", "warnings"), default=list, blank=True)
    errors = models.JSONField(
        pgettext_lazy("job", "errors by row"),
        default=list,
        blank=True,
        help_text=pgettext_lazy(
            "job", "A list of {row, reason}; row 0 or empty: an error of the whole file."
        ),
    )

    class Meta(Job.Meta):
        verbose_name = pgettext_lazy("job", "data import")
        verbose_name_plural = pgettext_lazy("job", "data imports")
        indexes = [
            models.Index(fields=["started_by", "created_at"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        name = self.original_name or self.file.name
        return f"#{self.pk} {name} → {self.layer} ({self.get_status_display()})"

    def lost_fields(self, message: str) -> dict:
        return {
            "progress_message": str(gettext("failed, nothing was imported")),
            "errors": [{"row": None, "reason": message}],
        }
