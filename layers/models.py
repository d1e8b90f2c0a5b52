"""What the publishing layer stores of its own: how an OGC API – Processes execution asked for its
results (issue 14 proc).

The job itself is the domain's (an :class:`~planning.models.AnalysisRun`, on the task queue the
Jobs tab uses) or, for the ``echo`` conformance process, the queue's own task result. What OGC API
– Processes adds is the execute request's choice of outputs and of the response form (``raw`` or
``document``), which ``GET /ogc/jobs/{id}/results`` must honour later.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class ProcessExecution(models.Model):
    """The response form and outputs an execute request chose for its job."""

    class Response(models.TextChoices):
        RAW = "raw", "raw"
        DOCUMENT = "document", "document"

    job_id = models.CharField(pgettext_lazy("process execution", "job"), max_length=64, unique=True)
    process_id = models.CharField(pgettext_lazy("process execution", "process"), max_length=40)
    response = models.CharField(
        pgettext_lazy("process execution", "response form"),
        max_length=8,
        choices=Response.choices,
        default=Response.RAW,
    )
    outputs = models.JSONField(
        pgettext_lazy("process execution", "requested outputs"),
        default=list,
        blank=True,
        help_text=pgettext_lazy(
            "process execution",
            "[{id, transmissionMode}] in the order asked (a list: jsonb keeps no key order); "
            "empty: every output.",
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("process execution", "process execution (OGC API)")
        verbose_name_plural = pgettext_lazy("process execution", "process executions (OGC API)")

    def __str__(self) -> str:
        return f"{self.process_id} {self.job_id} ({self.response})"
