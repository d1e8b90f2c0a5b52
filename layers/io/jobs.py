"""Layer imports started from the web: stored jobs with progress, run on the task queue.

:func:`import_submit` checks the caller's rights and the upload (size, mode, CRS), stores the
file under ``MEDIA_ROOT/imports/`` and an :class:`~planning.models.ImportJob` (``queued``) and
enqueues :func:`import_task` on the task queue's ``imports`` queue, like
:func:`planning.services.analysis_runs.analysis_submit` (:mod:`planning.services.jobs`); a worker
(``manage.py run_worker``) executes it. A job whose worker was killed is marked failed
(:func:`import_refresh_stale`).

The import itself is :func:`layers.io.importer.layer_import`: one transaction, so a failing row
leaves nothing behind and the job is ``failed`` with the row and the reason. A user who is not
an administrator may only import features whose administrative unit is in their scope
(:func:`planning.access.import_row_refusal`); every refused row is listed.

Progress: the status changes are committed to the job row; while the rows are written (inside
the import's transaction, invisible to other connections until it commits) the progress goes to
a small side file ``MEDIA_ROOT/imports/progress/<id>.json`` that :func:`job_live_progress`
reads, so a page polling the job sees it move on SQLite and PostgreSQL alike.

Language: every message of a job (refusals, its progress, its error and warnings) is in the
language of the request that started it, stored on the job (``language``) and activated while it
runs in the background; it names the options as the API and the Jobs tab's form do (``srs``,
``mode``), not as the command line does (``--srs``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django_tasks import task

from layers.catalogue import CATALOGUE, UnknownLayer, get_layer
from layers.io.doors import API
from layers.io.errors import LayerImportError
from layers.io.importer import (
    MODES,
    layer_import,
    results_layer_refusal,
    unknown_layer_message,
    unknown_mode_message,
)
from layers.io.sources import describe_size
from planning import access
from planning import models as m
from planning.errors import PlanningError
from planning.numbers import number
from planning.services import jobs

log = logging.getLogger(__name__)

# Share of the bar for each phase: reading the file, then the rows, then the commit.
READ_SHARE, ROWS_SHARE = 10, 85


class ImportRefused(PlanningError):
    """The caller may not import into this layer (HTTP 403)."""

    http_status = 403
    code = "permission_denied"


class InvalidUpload(PlanningError):
    """The upload or its options cannot be accepted (HTTP 400)."""

    http_status = 400
    code = "invalid_upload"


class UploadTooLarge(PlanningError):
    """The file is larger than ``PLANNING_MAX_UPLOAD_BYTES`` (HTTP 413)."""

    http_status = 413
    code = "too_large"


def max_upload_bytes() -> int:
    return int(getattr(settings, "PLANNING_MAX_UPLOAD_BYTES", 200 * 1024 * 1024))


def _megabytes(n: int) -> str:
    return describe_size(n)


def upload_size_refusal(size: int | None) -> str | None:
    """The message refusing an upload of ``size`` bytes (in the active language), or None."""
    limit = max_upload_bytes()
    if size is not None and size > limit:
        return _("the file is %(size)s; the largest import accepted is %(limit)s") % {
            "size": _megabytes(size),
            "limit": _megabytes(limit),
        }
    return None


def importable_layers(user) -> list:
    """Catalogue layers ``user`` may import into (edit rights), in catalogue order."""
    return [
        spec
        for spec in CATALOGUE.values()
        if not spec.written_by_analyses and access.can_import_layer(user, spec)
    ]


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


# --------------------------------------------------------------------------------------------
# Submitting
# --------------------------------------------------------------------------------------------
def import_submit(
    *, user, layer: str, upload: UploadedFile, mode: str = "append", srs: str | None = None
) -> m.ImportJob:
    """Check rights and options, store the upload and a queued job, enqueue its task.

    Messages are in the active language (the request's); the job keeps it for its own messages.
    """
    try:
        spec = get_layer(layer)
    except UnknownLayer:
        raise InvalidUpload(unknown_layer_message(layer), details={"field": "layer"}) from None
    if spec.written_by_analyses:
        raise InvalidUpload(results_layer_refusal(spec), details={"field": "layer"})
    mode = mode or "append"
    if mode not in MODES:
        raise InvalidUpload(unknown_mode_message(mode), details={"field": "mode"})
    if not access.can_edit_layer(user, spec):
        raise ImportRefused(
            _("you may not edit layer %(layer)s, so you may not import into it")
            % {"layer": repr(spec.name)}
        )
    if not access.can_import_layer(user, spec, mode=mode):
        raise ImportRefused(
            _(
                "replacing a whole layer deletes rows of every unit; only administrators may; use "
                "%(append)s or %(upsert)s"
            )
            % {"append": API.given("mode", "append"), "upsert": API.given("mode", "upsert")}
        )
    if upload is None:
        raise InvalidUpload(_("no file was uploaded"), details={"field": "file"})
    refusal = upload_size_refusal(upload.size)
    if refusal:
        raise UploadTooLarge(
            refusal, details={"limit_bytes": max_upload_bytes(), "size_bytes": upload.size}
        )
    if not upload.size:
        raise InvalidUpload(_("the uploaded file is empty"), details={"field": "file"})
    srs = (srs or "").strip()
    if len(srs) > 64:
        raise InvalidUpload(
            _("%(field)s is too long; give an EPSG code such as 9217")
            % {"field": API.option("srs")},
            details={"field": "srs"},
        )
    original = os.path.basename(upload.name or "upload")[:255]
    upload.name = get_valid_filename(original) or "upload"
    job = m.ImportJob(
        layer=spec.name,
        original_name=original,
        size_bytes=upload.size,
        mode=mode,
        srs=srs,
        started_by=_user(user),
        status=m.ImportJob.Status.QUEUED,
        progress_message=_("waiting"),
        language=jobs.request_language(),
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    return jobs.job_enqueue(job, import_task)


@task(queue_name="imports")
def import_task(job_id: int) -> str:
    """The queue's task: run stored import job ``job_id``; its status (the job holds the rest)."""
    return import_execute(job_id).status


# --------------------------------------------------------------------------------------------
# Progress: committed on the job row outside the import's transaction, a side file inside it
# --------------------------------------------------------------------------------------------
def _progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{job_id}.json"


def _write_side(job_id: int, pct: int, message: str) -> None:
    path = _progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
    tmp.write_text(
        json.dumps({"progress": pct, "message": message, "at": time.time()}), encoding="utf-8"
    )
    os.replace(tmp, path)


def _drop_side(job_id: int) -> None:
    with contextlib.suppress(FileNotFoundError):
        _progress_path(job_id).unlink()


def job_live_progress(job: m.ImportJob) -> tuple[int, str]:
    """Progress and message of ``job``: the side file's while it runs, else the stored ones."""
    if job.status == m.ImportJob.Status.RUNNING:
        try:
            data = json.loads(_progress_path(job.pk).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        if data and int(data.get("progress", 0)) >= job.progress:
            return int(data["progress"]), str(data.get("message", ""))[:200]
    return job.progress, job.progress_message


def _progress_writer(job: m.ImportJob):
    # Inside the import's transaction the row's update would be invisible (and, on SQLite, wait
    # for the lock): the side file carries the progress there.
    return jobs.job_progress_writer(
        job,
        every=0.3,
        side=lambda pct, message: _write_side(job.pk, pct, message),
        outside_transactions_only=True,
    )


# --------------------------------------------------------------------------------------------
# Executing
# --------------------------------------------------------------------------------------------
def _finish(job: m.ImportJob, t0: float, **fields) -> None:
    jobs.job_finish(job, t0=t0, **fields)
    _drop_side(job.pk)


def import_execute(job_id: int) -> m.ImportJob:
    """Run a stored, queued import job (the worker's entry point); failures are stored on it.

    It runs in the language of the request that started it (the worker has none of its own), so
    its stored messages read as that request's.
    """
    language = m.ImportJob.objects.filter(pk=job_id).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        return _execute(job_id)


def _execute(job_id: int) -> m.ImportJob:
    job = m.ImportJob.objects.select_related("started_by").get(pk=job_id)
    if not jobs.job_begin(job, _("reading the file")):
        job.refresh_from_db()
        return job  # taken by another worker, or already finished
    t0 = time.perf_counter()
    progress = _progress_writer(job)
    progress(1, _("reading the file"), force=True)
    user = job.started_by

    def on_rows(done: int, total: int) -> None:
        pct = READ_SHARE + (ROWS_SHARE * done) // max(total, 1)
        if done:
            message = _("wrote %(done)s of %(total)s features") % {
                "done": number(done),
                "total": number(total),
            }
        else:
            message = _("%(total)s features, writing") % {"total": number(total)}
        progress(pct, message)

    failed = _("failed, nothing was imported")
    try:
        if user is None:
            raise LayerImportError(_("the user who started the import no longer exists"))
        # The rights (the layer, the mode, each row's unit) and the layer's workflow are checked
        # by layer_import for whoever imports, whichever door (this job, the command); its
        # messages name the API's fields.
        result = layer_import(
            path=job.file.path,
            layer=job.layer,
            mode=job.mode,
            srs=job.srs or None,
            on_progress=on_rows,
            user=user,
            door=API,
        )
    except LayerImportError as exc:
        rows = [{"row": row, "reason": reason} for row, reason in exc.rows] or [
            {"row": None, "reason": str(exc)}
        ]
        _finish(
            job,
            t0,
            status=m.ImportJob.Status.FAILED,
            error=str(exc)[:10_000],
            errors=rows[:1000],
            progress_message=failed,
        )
        return job
    except Exception as exc:
        log.exception("import job %s (%s) failed", job.pk, job.layer)
        _finish(
            job,
            t0,
            status=m.ImportJob.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:10_000],
            errors=[
                {
                    "row": None,
                    "reason": _("internal error: %(type)s") % {"type": type(exc).__name__},
                }
            ],
            progress_message=failed,
        )
        raise
    _finish(
        job,
        t0,
        status=m.ImportJob.Status.DONE,
        progress=100,
        progress_message=_("done: %(n)s features") % {"n": number(result.features)},
        features=result.features,
        created_count=result.created,
        updated_count=result.updated,
        deleted_count=result.deleted,
        source_crs=result.source_crs[:120],
        warnings=result.warnings[:200],
        errors=[],
        error="",
    )
    return job


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
def import_jobs_visible(user):
    """Jobs ``user`` may see: their own; administrators see every job."""
    qs = m.ImportJob.objects.select_related("started_by").order_by("-created_at", "-pk")
    if access.principal(user).is_admin:
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(started_by=user)


def import_refresh_stale(job: m.ImportJob) -> m.ImportJob:
    """``job``, marked failed if the worker running it stopped (killed, crashed)."""
    job = jobs.job_refresh(job)
    if job.status == m.ImportJob.Status.FAILED:
        _drop_side(job.pk)
    return job
