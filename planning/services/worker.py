"""The task worker: django-tasks-db's database worker, with a heartbeat and a sweep of lost jobs.

``manage.py run_worker`` runs :class:`JobWorker`: it claims one ready task at a time from its
queues (PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED``; SQLite: an exclusive transaction), so
any number of workers, on any number of machines sharing the database, never run a task twice.
Besides the library's worker it

* takes an id naming its host and process (:func:`~planning.services.jobs.worker_id_new`);
* writes a heartbeat every ``PLANNING_WORKER_BEAT_SECONDS`` from a thread of its own, and sweeps
  (:func:`~planning.services.jobs.jobs_sweep`) when it starts and at each beat, so the job of a
  worker killed mid-task (``kill -9``, a crash, a machine gone) is marked failed, not left
  running;
* on SIGTERM or Ctrl+C finishes the task it runs, then stops (a second signal stops it at once:
  the task is marked failed, and so is its job by the next sweep);
* outlives the database going away (a restart, a crash): it logs a warning once, tries again
  every second, and a task whose failure could not be stored meanwhile is marked failed when the
  database is back.

:func:`tasks_run_ready` and :func:`task_run_now` run tasks in the calling process and transaction
(tests, one-off use).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    connections,
)
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from planning.services import jobs

log = logging.getLogger(__name__)


#: What a database that is away for a moment (restarted, crashed, unreachable) raises.
DATABASE_AWAY = (OperationalError, InterfaceError)
#: Seconds between tries while the database is away.
RETRY_SECONDS = 1.0


class JobWorker(Worker):
    """A database task worker with a heartbeat and a sweep of lost jobs."""

    def __init__(self, *, beat_seconds: float | None = None, **kwargs):
        kwargs.setdefault("worker_id", jobs.worker_id_new())
        super().__init__(**kwargs)
        self.beat_seconds = float(
            beat_seconds
            if beat_seconds is not None
            else getattr(settings, "PLANNING_WORKER_BEAT_SECONDS", 2)
        )
        self._stopped = threading.Event()
        self._away = False  # the database unavailable (logged once per outage)
        self._last_beat = float("-inf")
        self._beat_thread: threading.Thread | None = None

    # ---- the heartbeat ------------------------------------------------------------------------
    def _beat_once(self, started_at) -> None:
        now = time.monotonic()
        # On SQLite every worker is on this host, judged by its process id: the heartbeat row
        # (a write, which the web's writes would wait for) is needed only now and then.
        every = self.beat_seconds if connection.vendor != "sqlite" else max(self.beat_seconds, 15)
        if now - self._last_beat >= every:
            jobs.worker_beat(
                self.worker_id, queues=",".join(self.queue_names), started_at=started_at
            )
            self._last_beat = now
        try:
            jobs.jobs_sweep()
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise

    def _beat_main(self, started_at) -> None:
        try:
            while not self._stopped.wait(self.beat_seconds):
                try:
                    self._beat_once(started_at)
                except Exception:  # a database away for a moment: the next beat tries again
                    log.exception("worker %s: heartbeat failed", self.worker_id)
        finally:
            connections.close_all()  # this thread's connections

    def start_beating(self) -> None:
        from django.utils import timezone

        started_at = timezone.now()
        self._beat_once(started_at)  # before the first claim: the worker is known at once
        self._beat_thread = threading.Thread(
            target=self._beat_main,
            args=(started_at,),
            name=f"heartbeat {self.worker_id}",
            daemon=True,
        )
        self._beat_thread.start()

    def stop_beating(self) -> None:
        self._stopped.set()
        if self._beat_thread is not None:
            self._beat_thread.join(timeout=10)
        try:
            # A task stopped by a second signal is failed on the queue; say so on its job too.
            jobs.jobs_sweep()
        finally:
            jobs.worker_gone(self.worker_id)

    # ---- claiming and running -----------------------------------------------------------------
    def claim_next(self) -> tuple[DBTaskResult | None, bool]:
        """Claim the next ready task of this worker's queues: ``(task, whether asked)``.

        ``whether asked`` is False when the database was locked (SQLite): try again later.
        """
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            # A plain read first: an idle worker takes no lock (SQLite's exclusive transaction
            # would make the web's writes wait, or fail, several times a second).
            if not tasks.exists():
                return None, True
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None, False
            raise
        return task_result, True

    # ---- the database away for a moment --------------------------------------------------------
    def _database_away(self, exc: BaseException, doing: str) -> None:
        """Log (once per outage), drop this thread's connection, wait before the next try."""
        if not self._away:
            log.warning(
                "worker %s: the database is unavailable (%s: %s); trying again every %.0f s",
                self.worker_id, doing, str(exc).strip().splitlines()[0] if str(exc) else "",
                RETRY_SECONDS,
            )  # fmt: skip
        self._away = True
        try:
            connection.close()
        except DATABASE_AWAY:
            pass
        time.sleep(RETRY_SECONDS)

    def _database_back(self) -> None:
        if self._away:
            log.warning("worker %s: the database answers again", self.worker_id)
        self._away = False

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """The library's run, and if the database went away while the task ran so that not even
        its failure could be stored: store the failure once the database is back, rather than
        leave the task "running" under a worker that is alive (no sweep would ever end it)."""
        try:
            super().run_task(db_task_result)
        except DATABASE_AWAY as exc:
            while True:
                self._database_away(exc, f"task {db_task_result.pk}")
                try:
                    db_task_result.set_failed(exc)
                except DATABASE_AWAY:
                    continue
                self._database_back()
                log.warning("worker %s: task %s failed, the database away", self.worker_id,
                            db_task_result.pk)  # fmt: skip
                return

    def run(self) -> None:
        log.info("worker %s: queues %s", self.worker_id, ",".join(self.queue_names))
        while True:  # the first beat (and sweep) needs the database: wait for it
            try:
                self.start_beating()
                break
            except DATABASE_AWAY as exc:
                if not self.running:
                    return
                self._database_away(exc, "starting")
        self._database_back()
        try:
            if self.startup_delay and self.interval:
                time.sleep(min(self.interval, 1.0) * 0.5)  # workers started together spread out
            while self.running:
                try:
                    close_old_connections()
                    task_result, asked = self.claim_next()
                except DATABASE_AWAY as exc:
                    # A worker outlives a database restart: no process supervisor needed for that.
                    self._database_away(exc, "claiming")
                    continue
                self._database_back()
                if task_result is not None:
                    self.run_task(task_result)
                if self.batch and asked and task_result is None:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                close_old_connections()
                if self.running and task_result is None:
                    time.sleep(self.interval)
        finally:
            self.stop_beating()

    def run_ready(self, limit: int | None = None) -> int:
        """Run the ready tasks here, in this process and transaction; how many ran."""
        ran = 0
        while limit is None or ran < limit:
            task_result, asked = self.claim_next()
            if task_result is None:
                if asked:
                    break
                time.sleep(0.05)
                continue
            self.run_task(task_result)
            ran += 1
        return ran


def _here(queues: str = "*", backend_name: str = "default") -> JobWorker:
    return JobWorker(
        queue_names=queues.split(","),
        interval=0,
        batch=True,
        backend_name=backend_name,
        startup_delay=False,
        max_tasks=None,
        excluded_queue_names=[],
        worker_id=jobs.worker_id_new(),
    )


def tasks_run_ready(queues: str = "*", *, limit: int | None = None) -> int:
    """Run the ready tasks of ``queues`` (comma-separated, ``*``: all) here, now; how many ran.

    For tests and one-off use: no heartbeat, the caller's process and transaction.
    """
    return _here(queues).run_ready(limit)


def task_run_now(result_id, *, backend_name: str = "default") -> bool:
    """Run the ready task ``result_id`` here, now (False if it is not ready: taken, or done)."""
    worker = _here(backend_name=backend_name)
    tasks = DBTaskResult.objects.ready().filter(pk=result_id)
    with exclusive_transaction(tasks.db):
        task_result = tasks.get_locked()
        if task_result is not None:
            task_result.claim(worker.worker_id)
    if task_result is None:
        return False
    worker.run_task(task_result)
    return True
