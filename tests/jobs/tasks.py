"""Test-only tasks for the worker tests: a job that takes its time and says who ran it.

Imported by name by the worker processes the tests start (``tests.jobs.tasks.slow_job``).
"""

from __future__ import annotations

import os
import time

from django_tasks import task

from planning import models as m
from planning.services import jobs


@task(queue_name="analyses")
def slow_job(run_id: int, seconds: float, log_path: str) -> str:
    """Run analysis run ``run_id`` for ``seconds``, reporting progress; one line in ``log_path``
    per execution (``run_id pid``) so a test can count who ran what."""
    run = m.AnalysisRun.objects.get(pk=run_id)
    if not jobs.job_begin(run, "starting"):
        return "skipped"
    with open(log_path, "a", encoding="ascii") as log:
        log.write(f"{run_id} {os.getpid()}\n")
    progress = jobs.job_progress_writer(run, every=0.1)
    t0 = time.monotonic()
    while (elapsed := time.monotonic() - t0) < seconds:
        progress(1 + int(98 * elapsed / seconds), f"working {elapsed:.1f} s")
        time.sleep(min(0.1, seconds))
    jobs.job_finish(run, status=m.JobStatus.DONE, progress=100, progress_message="finished")
    return "done"
