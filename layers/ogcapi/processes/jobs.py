"""The jobs of /ogc/jobs: analysis runs (the Jobs tab's) and echo tasks, as OGC status documents.

A job of an analysis is its :class:`~planning.models.AnalysisRun` — the row the Jobs tab, the REST
API and ``manage.py run_worker`` share; its id is the run's id. A job of ``echo`` is the task
queue's result row (``echo-<uuid>``). Who sees a job: whoever started it, and administrators —
the Jobs tab lists a user's own runs (``/api/v1/jobs/``), imports answer administrators all of
them. A run's worker killed mid-run is judged as the Jobs tab judges it
(``analysis_runs.run_refresh_stale``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from planning import access
from planning import models as m
from planning.services import analysis_runs

ACCEPTED, RUNNING, SUCCESSFUL, FAILED, DISMISSED = (
    "accepted",
    "running",
    "successful",
    "failed",
    "dismissed",
)
STATUSES = (ACCEPTED, RUNNING, SUCCESSFUL, FAILED, DISMISSED)

_RUN_STATUS = {
    m.JobStatus.QUEUED: ACCEPTED,
    m.JobStatus.RUNNING: RUNNING,
    m.JobStatus.DONE: SUCCESSFUL,
    m.JobStatus.FAILED: FAILED,
}
_TASK_STATUS = {
    TaskResultStatus.READY: ACCEPTED,
    TaskResultStatus.RUNNING: RUNNING,
    TaskResultStatus.SUCCESSFUL: SUCCESSFUL,
    TaskResultStatus.FAILED: FAILED,
}
ECHO_TASK = "layers.ogcapi.processes.echo.echo_task"
ECHO_PREFIX = "echo-"


@dataclass
class JobView:
    """One job as OGC API – Processes shows it (``run`` or ``task`` holds the row)."""

    id: str
    process_id: str
    status: str
    message: str
    created: dt.datetime | None
    started: dt.datetime | None
    finished: dt.datetime | None
    updated: dt.datetime | None
    progress: int
    owner_id: int | None
    error: str = ""
    run: m.AnalysisRun | None = None
    task: DBTaskResult | None = None

    @property
    def duration_s(self) -> float | None:
        if self.started is None:
            return None
        return ((self.finished or dt.datetime.now(dt.UTC)) - self.started).total_seconds()


def run_view(run: m.AnalysisRun) -> JobView:
    return JobView(
        id=str(run.pk),
        process_id=run.kind,
        status=_RUN_STATUS[run.status],
        message=run.error if run.status == m.JobStatus.FAILED else run.progress_message,
        created=run.created_at,
        started=run.started_at,
        finished=run.finished_at,
        updated=run.updated_at,
        progress=run.progress,
        owner_id=run.started_by_id,
        error=run.error,
        run=run,
    )


def _task_owner(result: DBTaskResult) -> int | None:
    args = (result.args_kwargs or {}).get("args") or [None, None]
    return args[1] if len(args) > 1 else None


def task_view(result: DBTaskResult) -> JobView:
    status = _TASK_STATUS.get(result.status, FAILED)
    error = ""
    if status == FAILED:
        last = (result.traceback or "").strip().splitlines()
        error = last[-1] if last else result.exception_class_path
    finished = result.finished_at
    return JobView(
        id=f"{ECHO_PREFIX}{result.pk}",
        process_id="echo",
        status=status,
        message=error or {ACCEPTED: "waiting", RUNNING: "running"}.get(status, "finished"),
        created=result.enqueued_at,
        started=result.started_at,
        finished=finished,
        updated=finished or result.started_at or result.enqueued_at,
        progress=100 if status in (SUCCESSFUL, FAILED) else 0,
        owner_id=_task_owner(result),
        error=error,
        task=result,
    )


def may_see(user, job: JobView) -> bool:
    """The job's owner and administrators."""
    if not getattr(user, "is_authenticated", False):
        return False
    return job.owner_id == user.pk or access.principal(user).is_admin


def job_get(job_id: str, user) -> JobView | None:
    """Job ``job_id`` if ``user`` may see it (None: unknown or not theirs, both a 404)."""
    if job_id.startswith(ECHO_PREFIX):
        try:
            key = uuid.UUID(job_id[len(ECHO_PREFIX) :])
        except ValueError:
            return None
        result = DBTaskResult.objects.filter(pk=key, task_path=ECHO_TASK).first()
        job = task_view(result) if result is not None else None
    elif job_id.isdigit():
        run = m.AnalysisRun.objects.select_related("started_by").filter(pk=int(job_id)).first()
        job = run_view(analysis_runs.run_refresh_stale(run)) if run is not None else None
    else:
        return None
    return job if job is not None and may_see(user, job) else None


def jobs_for(
    user, *, process_ids=None, statuses=None, since=None, until=None, cap: int | None = None
) -> list[JobView]:
    """The jobs ``user`` may see, newest first, filtered (``statuses``: OGC status codes);
    ``cap``: at most that many (the newest) of each kind are read."""
    if not getattr(user, "is_authenticated", False):
        return []
    admin = access.principal(user).is_admin
    runs = m.AnalysisRun.objects.select_related("started_by").order_by("-created_at", "-pk")
    tasks = DBTaskResult.objects.filter(task_path=ECHO_TASK).order_by("-enqueued_at")
    if not admin:
        runs = runs.filter(started_by=user)
    if process_ids is not None:
        runs = runs.filter(kind__in=process_ids)
        if "echo" not in process_ids:
            tasks = tasks.none()
    if statuses is not None:
        run_statuses = [k for k, v in _RUN_STATUS.items() if v in statuses]
        task_statuses = [k for k, v in _TASK_STATUS.items() if v in statuses]
        runs = runs.filter(status__in=run_statuses)
        tasks = tasks.filter(status__in=task_statuses)
    if since is not None:
        runs, tasks = runs.filter(created_at__gte=since), tasks.filter(enqueued_at__gte=since)
    if until is not None:
        runs, tasks = runs.filter(created_at__lte=until), tasks.filter(enqueued_at__lte=until)
    if not admin:  # the owner is an argument of the task: read in Python, few rows (tests)
        tasks = [t for t in tasks if _task_owner(t) == user.pk]
    views = [run_view(analysis_runs.run_refresh_stale(r)) for r in runs[:cap]]
    views += [task_view(t) for t in list(tasks)[:cap]]
    if statuses is not None:  # a run just judged lost has changed status
        views = [v for v in views if v.status in statuses]
    views.sort(key=lambda v: v.created or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
    return views


TASK_ENDED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


class JobRunning(Exception):
    """A running job cannot be stopped half-way: it is dismissed when it has ended."""


class JobPublished(Exception):
    """A finished run whose rows are the current published layer (suggested sites, connectors):
    deleting it would empty the province's layer until the next run, so it stays until a newer
    run replaces its rows."""


def job_dismiss(job: JobView) -> None:
    """Remove a job and its results: a queued one never runs; a finished one is deleted (an
    analysis run with the rows it published). A running job raises :class:`JobRunning`; a run
    whose rows are the current published layer raises :class:`JobPublished`."""
    with transaction.atomic():
        if job.task is not None:
            # A ready or finished task is deleted; one a worker holds is left to finish (the
            # queue writes its end with save(update_fields=…), which fails on a deleted row).
            deleted, _ = DBTaskResult.objects.filter(
                pk=job.task.pk, status__in=[TaskResultStatus.READY, *TASK_ENDED]
            ).delete()
            if not deleted:
                raise JobRunning
            return
        run = job.run
        if run.status == m.JobStatus.RUNNING:
            raise JobRunning
        if (
            m.SuggestedSite.objects.filter(run=run, is_current=True).exists()
            or m.InfrastructureConnector.objects.filter(run=run, is_current=True).exists()
        ):
            raise JobPublished
        if run.status == m.JobStatus.QUEUED and run.task_id:
            # Only while no worker has claimed it: the conditional delete decides the race.
            claimed = not DBTaskResult.objects.filter(
                pk=run.task_id, status=TaskResultStatus.READY
            ).delete()[0]
            run.refresh_from_db(fields=["status"])
            if claimed and run.status != m.JobStatus.QUEUED:
                raise JobRunning
        m.AnalysisRun.objects.filter(pk=run.pk).delete()
