"""Background jobs on Django's task queue: enqueue, progress, finish, and lost workers.

A job is a row of a :class:`~planning.models.Job` model (an analysis run, a layer import) that
pages poll; a task on the queue (``django_tasks``, database backend) executes it. Submitting a
job stores the row (``queued``) and enqueues its task in one transaction (:func:`job_enqueue`),
keeping the task's result id on the row (``task_id``). A worker (``manage.py run_worker``, see
:mod:`planning.services.worker`) claims the task — one worker per task, on any machine sharing
the database — and the task runs the job: :func:`job_begin` (``queued`` → ``running``, once),
progress through :func:`job_progress_writer`, then :func:`job_finish`.

The queue knows nothing of progress, and nothing of a worker killed mid-task: its result would
stay ``RUNNING`` for ever. So every worker writes a heartbeat (:class:`~planning.models.WorkerBeat`)
and its id names its host and process (``host:pid:random``). :func:`jobs_sweep` (run by each
worker when it starts and at each heartbeat) and :func:`job_refresh` (run when a page reads a
job) judge a running task's worker lost when, on this host, its process is gone, or, on another
host, its heartbeat is older than ``PLANNING_WORKER_LOST_SECONDS``; the task and its job are then
marked failed with a message saying so. A job whose task ended without finishing it (a worker
stopped by a second signal) is marked failed the same way. "This host" is the host name: processes
that share one must share the process table (containers have host names of their own).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.db import OperationalError, connections
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from planning import models as m

log = logging.getLogger(__name__)

UNFINISHED = (m.JobStatus.QUEUED, m.JobStatus.RUNNING)
TASK_FINISHED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


class WorkerLost(RuntimeError):
    """The worker running a task stopped (killed, crashed, or its machine went down)."""


def job_models() -> list[type[m.Job]]:
    """Every concrete job model (subclasses of :class:`~planning.models.Job`)."""
    return [model for model in apps.get_models() if issubclass(model, m.Job)]


# --------------------------------------------------------------------------------------------
# The language a job writes its messages in
# --------------------------------------------------------------------------------------------
def request_language() -> str:
    """The active language as one of settings.LANGUAGES (stored on a job when it is submitted)."""
    try:
        return translation.get_supported_language_variant(
            translation.get_language() or settings.LANGUAGE_CODE
        )
    except LookupError:
        return settings.LANGUAGE_CODE


def job_language(job: m.Job) -> str:
    return job.language or settings.LANGUAGE_CODE


# --------------------------------------------------------------------------------------------
# Submitting
# --------------------------------------------------------------------------------------------
def job_enqueue(job: m.Job, task) -> m.Job:
    """Enqueue ``task(job.pk)`` and keep its result id on the job; return the job, re-read.

    The job's row is stored first, so a worker always finds it (in a caller's transaction, the
    database backend's task row commits with it). A backend that runs tasks at once (tests) has
    finished the job on return.
    """
    result = task.enqueue(job.pk)
    type(job).objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


# --------------------------------------------------------------------------------------------
# Running: begin, progress, finish
# --------------------------------------------------------------------------------------------
def job_begin(job: m.Job, message: str, **fields) -> bool:
    """Mark a queued job running (once: False if another worker took it or it is finished)."""
    now = timezone.now()
    values = {
        "status": m.JobStatus.RUNNING,
        "started_at": now,
        "updated_at": now,
        "progress": 0,
        "progress_message": message[:200],
        **fields,
    }
    updated = type(job).objects.filter(pk=job.pk, status=m.JobStatus.QUEUED).update(**values)
    if updated:
        for name, value in values.items():
            setattr(job, name, value)
    return bool(updated)


def _locked(exc: OperationalError) -> bool:
    return bool(exc.args) and is_locked_database_exception(exc)


def job_progress_writer(
    job: m.Job,
    *,
    every: float = 0.5,
    side: Callable[[int, str], None] | None = None,
    outside_transactions_only: bool = False,
):
    """A ``progress(pct, message, force=False)`` that writes the job's progress, throttled.

    A change of less than 5 points within ``every`` seconds is skipped (100 never is). ``side``
    is called first (e.g. a file read while the row's update would sit in an uncommitted
    transaction); with ``outside_transactions_only`` the row is not updated inside one. On
    SQLite a write that finds the database locked is skipped: the next one says more.
    """
    last = {"pct": -1, "t": 0.0}
    model = type(job)

    def write(pct: int, message: str, *, force: bool = False) -> None:
        pct = max(0, min(100, int(pct)))
        now = time.monotonic()
        if not force and (
            pct == last["pct"] or (now - last["t"] < every and pct - last["pct"] < 5 and pct < 100)
        ):
            return
        last.update(pct=pct, t=now)
        message = str(message)[:200]
        if side is not None:
            side(pct, message)
        job.progress, job.progress_message = pct, message
        in_transaction = connections[model.objects.db].in_atomic_block
        if outside_transactions_only and in_transaction:
            return
        try:
            model.objects.filter(pk=job.pk).update(
                progress=pct, progress_message=message, updated_at=timezone.now()
            )
        except OperationalError as exc:
            if in_transaction or not _locked(exc):
                raise

    return write


def job_finish(job: m.Job, *, t0: float | None = None, **fields) -> m.Job:
    """Store the end of a job: ``fields`` (status, counts, error …), its end time and duration.

    The duration runs from ``t0`` (``time.perf_counter()``) if given, else from ``started_at``.
    """
    now = timezone.now()
    if t0 is not None:
        duration = round(time.perf_counter() - t0, 3)
    elif job.started_at is not None:
        duration = round((now - job.started_at).total_seconds(), 3)
    else:
        duration = None
    values = {"finished_at": now, "duration_s": duration, "updated_at": now, **fields}
    type(job).objects.filter(pk=job.pk).update(**values)
    for name, value in values.items():
        setattr(job, name, value)
    return job


def job_fail(job: m.Job, exc: BaseException | str, *, t0: float | None = None, **fields) -> m.Job:
    """Store a failed job with the error (``Type: message`` for an exception)."""
    error = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return job_finish(job, t0=t0, status=m.JobStatus.FAILED, error=error[:10_000], **fields)


# --------------------------------------------------------------------------------------------
# Workers: ids, heartbeats, liveness
# --------------------------------------------------------------------------------------------
def this_host() -> str:
    return socket.gethostname()[:40] or "localhost"


def worker_id_new() -> str:
    """A worker id naming its host and process: ``host:pid:random`` (at most 64 characters)."""
    return f"{this_host()}:{os.getpid()}:{get_random_string(8)}"


def worker_id_parse(worker_id: str) -> tuple[str, int] | None:
    """``(host, pid)`` of an id made by :func:`worker_id_new`; None for another worker's id."""
    parts = (worker_id or "").rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (a zombie — killed, not reaped — does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return True


def worker_beat(worker_id: str, *, queues: str = "", started_at: dt.datetime | None = None):
    """Write ``worker_id``'s heartbeat (one short UPDATE; the first one inserts the row).

    A locked SQLite database is tolerated: the next beat writes it.
    """
    now = timezone.now()
    try:
        if not m.WorkerBeat.objects.filter(pk=worker_id).update(beat_at=now):
            host_pid = worker_id_parse(worker_id) or (this_host(), os.getpid())
            m.WorkerBeat.objects.create(
                worker_id=worker_id,
                host=host_pid[0],
                pid=host_pid[1],
                queues=queues[:200],
                started_at=started_at or now,
                beat_at=now,
            )
    except OperationalError as exc:
        if not _locked(exc):
            raise
        log.info("worker %s: database locked, heartbeat skipped", worker_id)


def worker_gone(worker_id: str) -> None:
    """Remove a worker's heartbeat (it stopped cleanly)."""
    try:
        m.WorkerBeat.objects.filter(pk=worker_id).delete()
    except OperationalError as exc:
        if not _locked(exc):
            raise


def _lost_seconds() -> float:
    return float(getattr(settings, "PLANNING_WORKER_LOST_SECONDS", 30))


def worker_lost(
    worker_id: str, *, beat: m.WorkerBeat | None, since: dt.datetime | None, now: dt.datetime
) -> bool:
    """Whether the worker ``worker_id`` that took a task at ``since`` has stopped.

    On this host: its process is gone. On another: its heartbeat is older than
    ``PLANNING_WORKER_LOST_SECONDS`` (or it never wrote one and took the task longer ago). An id
    not made by :func:`worker_id_new` (another kind of worker) is never judged.
    """
    parsed = worker_id_parse(worker_id)
    if parsed is None:
        return False
    host, pid = parsed
    if host == this_host():
        return not pid_alive(pid)
    limit = dt.timedelta(seconds=_lost_seconds())
    last = beat.beat_at if beat is not None else since
    return last is not None and now - last > limit


def _task_lost(result: DBTaskResult, now: dt.datetime) -> bool:
    """Mark a running task whose worker stopped failed (once); True if this call did."""
    return bool(
        DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=f"WorkerLost: worker {(result.worker_ids or ['?'])[-1]} stopped",
        )
    )


def _task_uuid(task_id: str) -> uuid.UUID | None:
    """The queue result id of a job (None: none, or a backend's that stores no results)."""
    try:
        return uuid.UUID(task_id)
    except (TypeError, ValueError):
        return None


def job_lost(job: m.Job) -> bool:
    """Mark an unfinished job failed because its worker stopped; True if this call did."""
    with translation.override(job_language(job)):
        message = _("the worker running this job stopped (killed or crashed); start it again")
        extra = job.lost_fields(message)
    now = timezone.now()
    duration = round((now - job.started_at).total_seconds(), 3) if job.started_at else None
    updated = (
        type(job)
        .objects.filter(pk=job.pk, status__in=UNFINISHED)
        .update(
            status=m.JobStatus.FAILED,
            error=message,
            finished_at=now,
            updated_at=now,
            duration_s=duration,
            **extra,
        )
    )
    if updated:
        log.warning("%s #%s: its worker stopped; marked failed", type(job).__name__, job.pk)
    return bool(updated)


def _running_tasks_lost(now: dt.datetime, results) -> None:
    beats = {b.worker_id: b for b in m.WorkerBeat.objects.all()}
    for result in results:
        worker_id = (result.worker_ids or [""])[-1]
        if worker_lost(worker_id, beat=beats.get(worker_id), since=result.started_at, now=now):
            if _task_lost(result, now):
                log.warning("task %s: worker %s stopped; marked failed", result.pk, worker_id)


def jobs_sweep() -> list[m.Job]:
    """Fail the running tasks whose worker stopped, and the jobs their tasks left unfinished.

    Returns the jobs marked failed. Every step is a conditional update, so any number of
    workers and pages may sweep at once.
    """
    now = timezone.now()
    _running_tasks_lost(
        now,
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "id", "worker_ids", "started_at"
        ),
    )
    lost = []
    for model in job_models():
        unfinished = {
            key: job
            for job in model.objects.filter(status__in=UNFINISHED).exclude(task_id="")
            if (key := _task_uuid(job.task_id)) is not None
        }
        if not unfinished:
            continue
        ended = set(
            DBTaskResult.objects.filter(
                id__in=list(unfinished), status__in=TASK_FINISHED
            ).values_list("id", flat=True)
        )
        lost += [job for key, job in unfinished.items() if key in ended and job_lost(job)]
    # Heartbeats of workers gone for a day (stopped without a word) are forgotten. (Read first:
    # a sweep writes nothing when there is nothing to do, so it never makes the web wait.)
    old = m.WorkerBeat.objects.filter(beat_at__lt=now - dt.timedelta(days=1))
    if old.exists():
        old.delete()
    return lost


def job_refresh(job: m.Job) -> m.Job:
    """``job`` re-read if its worker stopped (then it is failed); as it is otherwise.

    What a page polling a job sees: a job whose worker was killed reads ``failed`` with a
    message, never ``running`` for ever.
    """
    key = _task_uuid(job.task_id)
    if job.is_finished or key is None:
        return job
    result = DBTaskResult.objects.filter(id=key).only("id", "status", "worker_ids", "started_at")
    result = result.first()
    if result is None:
        return job
    if result.status == TaskResultStatus.RUNNING:
        _running_tasks_lost(timezone.now(), [result])
        result.refresh_from_db(fields=["status"])
    if result.status in TASK_FINISHED:
        job.refresh_from_db()
        if not job.is_finished and job_lost(job):
            job.refresh_from_db()
    return job
