"""Real worker processes (``manage.py run_worker``) on the test database, on SQLite and PostGIS.

* a worker killed with SIGKILL mid-job leaves its job failed with a message — never "running" —
  once another worker starts (its sweep) or a page reads the job;
* several workers on one queue run each job exactly once;
* SIGTERM lets a worker finish the job it runs; a second signal stops it and fails the job.

The jobs are a test-only task (:func:`tests.jobs.tasks.slow_job`) on analysis runs; the workers
are separate processes reading the test database (a file on SQLite), so the tests are
transactional: their data is committed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from planning import models as m
from tests.jobs.tasks import slow_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

MANAGE = Path(settings.BASE_DIR) / "manage.py"
LOST = "the worker running this job stopped (killed or crashed); start it again"


def database_url() -> str:
    """The test database, as the worker processes must reach it."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(s["USER"] or "")
        if s.get("PASSWORD"):
            auth += ":" + quote(s["PASSWORD"])
        return f"postgis://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"spatialite:///{Path(s['NAME']).resolve()}"


class Workers:
    """Worker processes started by a test, all stopped (SIGKILL) when it ends."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen] = []

    def start(self, *args: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "gis_service.settings.test",
            "DATABASE_URL": database_url(),
            "PYTHONUNBUFFERED": "1",
        }
        log = open(self.tmp_path / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [
                sys.executable,
                str(MANAGE),
                "run_worker",
                "--queue-name",
                "analyses",
                "--interval",
                "0.1",
                "--beat",
                "0.5",
                "--no-startup-delay",
                "-v2",
                *args,
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        proc.log_path = log.name
        self.procs.append(proc)
        return proc

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.args[-1]} pid {p.pid}\n" + Path(p.log_path).read_text(errors="replace")
            for p in self.procs
        )

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=30)


@pytest.fixture
def workers(tmp_path):
    w = Workers(tmp_path)
    yield w
    w.stop_all()


@pytest.fixture
def planner():
    return get_user_model().objects.create_user("planner", password="pw-planner-1")


def submit(user, seconds: float, log_path: Path) -> m.AnalysisRun:
    """A queued run executed by the slow test task (as analysis_submit stores and enqueues)."""
    run = m.AnalysisRun.objects.create(
        kind="efficiency",
        status="queued",
        started_by=user,
        progress_message="waiting",
        language="en",  # the language its messages are stored in
    )
    result = slow_job.enqueue(run.pk, seconds, str(log_path))
    m.AnalysisRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    run.refresh_from_db()
    return run


def wait_for(predicate, timeout: float, what: str, workers: Workers):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}\n{workers.logs()}")


def running_with_progress(run: m.AnalysisRun) -> bool:
    run.refresh_from_db()
    return run.status == "running" and run.progress > 0


def test_a_worker_killed_mid_job_leaves_the_job_failed_not_running(workers, planner, tmp_path):
    log = tmp_path / "executions.txt"
    long = submit(planner, 300, log)
    worker = workers.start()
    wait_for(lambda: running_with_progress(long), 45, "the job to run", workers)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    # What the queue alone would leave for ever:
    assert DBTaskResult.objects.get(pk=long.task_id).status == "RUNNING"
    long.refresh_from_db()
    assert long.status == "running"
    # The next job in the queue, then another worker: its sweep fails the lost job when it
    # starts, and it runs the next job.
    short = submit(planner, 0.3, log)
    second = workers.start("--batch")
    assert second.wait(timeout=45) == 0, workers.logs()
    long.refresh_from_db()
    short.refresh_from_db()
    assert long.status == "failed" and long.error == LOST, workers.logs()
    assert long.finished_at is not None and long.duration_s is not None
    assert DBTaskResult.objects.get(pk=long.task_id).status == "FAILED"
    assert short.status == "done", workers.logs()
    # The Jobs API (the Jobs tab) shows it failed, with the message.
    api = APIClient()
    api.force_authenticate(planner)
    listed = {j["id"]: j for j in api.get("/api/v1/jobs/").json()["jobs"]}
    assert listed[long.pk]["status"] == "failed" and listed[long.pk]["error"] == LOST
    assert listed[short.pk]["status"] == "done"
    # No heartbeat of a worker that is gone is kept (the killed one's by the sweep's judgement
    # of its job; the clean one's removed on exit).
    assert not m.WorkerBeat.objects.filter(pid=second.pid).exists()


def test_a_page_reading_the_job_sees_the_killed_worker(workers, planner, tmp_path):
    run = submit(planner, 300, tmp_path / "executions.txt")
    worker = workers.start()
    wait_for(lambda: running_with_progress(run), 45, "the job to run", workers)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    api = APIClient()
    api.force_authenticate(planner)
    body = api.get(f"/api/v1/analyses/runs/{run.pk}/").json()
    assert body["status"] == "failed", body
    jobs = api.get("/api/v1/jobs/").json()
    assert jobs["active"] == 0 and jobs["jobs"][0]["error"] == LOST


def test_several_workers_run_each_job_exactly_once(workers, planner, tmp_path):
    log = tmp_path / "executions.txt"
    runs = [submit(planner, 0.1, log) for _ in range(30)]
    procs = [workers.start("--batch") for _ in range(3)]
    for p in procs:
        assert p.wait(timeout=60) == 0, workers.logs()
    lines = log.read_text().split()
    executions = Counter(int(run_id) for run_id in lines[0::2])
    assert executions == Counter({run.pk: 1 for run in runs}), workers.logs()
    assert set(m.AnalysisRun.objects.values_list("status", flat=True)) == {"done"}
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    by_worker = Counter(lines[1::2])
    print(f"jobs per worker process: {dict(by_worker)}")


def test_sigterm_lets_the_worker_finish_its_job(workers, planner, tmp_path):
    run = submit(planner, 3, tmp_path / "executions.txt")
    worker = workers.start()
    wait_for(lambda: running_with_progress(run), 45, "the job to run", workers)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0, workers.logs()
    run.refresh_from_db()
    assert run.status == "done" and run.progress == 100, workers.logs()
    assert DBTaskResult.objects.get(pk=run.task_id).status == "SUCCESSFUL"
    assert not m.WorkerBeat.objects.exists()  # it said goodbye


def test_a_second_signal_stops_the_worker_and_fails_the_job(workers, planner, tmp_path):
    run = submit(planner, 300, tmp_path / "executions.txt")
    worker = workers.start()
    wait_for(lambda: running_with_progress(run), 45, "the job to run", workers)
    worker.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=30)
    run.refresh_from_db()
    assert run.status == "failed" and run.error == LOST, workers.logs()
    assert DBTaskResult.objects.get(pk=run.task_id).status == "FAILED"
