"""Background jobs in tests: the task queue run at once, by a worker thread, or by the test.

The test settings keep the production backend (tasks wait in the database). Three ways a test
gets its jobs executed, as the in-process runners' "sync", "thread" and "queue" modes did:

* ``tasks_at_once`` (fixture) or ``override_settings(TASKS=TASKS_AT_ONCE)``: every task runs in
  the caller when it is enqueued (its result row is stored and claimed as a worker would);
* ``task_worker`` (fixture, transactional tests) or ``worker_thread()``: a real
  :class:`~planning.services.worker.JobWorker` (heartbeat included) runs in a thread;
* nothing: jobs stay queued; ``tasks_run_ready()`` runs them when the test says.
"""

from __future__ import annotations

import contextlib
import threading

import pytest
from django_tasks_db import DatabaseBackend

from planning.services.worker import JobWorker, task_run_now, tasks_run_ready

QUEUES = ["analyses", "imports"]


class AtOnceDatabaseBackend(DatabaseBackend):
    """The database backend, which also runs the tasks of ``OPTIONS["at_once"]`` when enqueued."""

    def enqueue(self, task, args, kwargs):
        result = super().enqueue(task, args, kwargs)
        if task.queue_name in self.options.get("at_once", QUEUES):
            task_run_now(result.id, backend_name=self.alias)
        return result


def tasks_at_once_settings(*queues: str) -> dict:
    return {
        "default": {
            "BACKEND": "tests.jobs_support.AtOnceDatabaseBackend",
            "QUEUES": QUEUES,
            "OPTIONS": {"at_once": list(queues or QUEUES)},
        }
    }


TASKS_AT_ONCE = tasks_at_once_settings()


@pytest.fixture
def tasks_at_once(settings):
    settings.TASKS = TASKS_AT_ONCE


@contextlib.contextmanager
def worker_thread(queues: str = "analyses,imports", *, interval: float = 0.1):
    """A job worker running in a thread of this process until the block ends."""
    worker = JobWorker(
        queue_names=queues.split(","),
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        excluded_queue_names=[],
        beat_seconds=0.5,
    )
    thread = threading.Thread(target=worker.run, name="test job worker", daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.running = False
        thread.join(timeout=120)


@pytest.fixture
def task_worker(transactional_db):
    with worker_thread() as worker:
        yield worker


__all__ = ["tasks_run_ready"]


# The test settings' own: tasks wait in the database for a worker.
TASKS_QUEUED = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES},
}


def dead_pid() -> int:
    """The id of a process of this host that has ended (and was reaped)."""
    import subprocess

    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def run_queued_jobs(model=None) -> list:
    """Run every ready task here, as a worker would; the jobs of ``model`` that were queued."""
    from planning import models as m

    model = model or m.ImportJob
    pks = list(model.objects.filter(status="queued").values_list("pk", flat=True))
    tasks_run_ready()
    return list(model.objects.filter(pk__in=pks).order_by("created_at", "pk"))
