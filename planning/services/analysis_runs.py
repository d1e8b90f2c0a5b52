"""Running analyses: stored runs with progress, the background runner.

An analysis is one :class:`~planning.services.analyses.registry.AnalysisSpec` (the package
:mod:`planning.services.analyses`, one module per analysis). Every caller's keyword arguments
are checked and converted against its declared parameters (:func:`analysis_prepare`) — unknown
names, missing or conflicting parameters, wrong types, unknown codes raise an
``InvalidParameter`` naming the parameter *before* anything is stored or computed; its
``prepare`` builds the criteria (out of range raise here, still before anything is stored) and
the JSON parameters that fully describe the run; its ``body`` computes the ``Outcome``.
A run's ``kind`` is the analysis' name.

Three ways to run one:

* :func:`analysis_run`: synchronously. The run is stored (``running``, then ``done`` or
  ``failed`` with the error); results and published rows are written in one transaction.
* :func:`analysis_submit`: asynchronously. A ``queued`` run is stored and :func:`analysis_task`
  is enqueued on the task queue's ``analyses`` queue (:mod:`planning.services.jobs`); a worker
  (``manage.py run_worker``, one job at a time per worker — a 10 m province run takes about a
  gigabyte) executes it. Progress (0–100, a message) is written as it runs; a run whose worker
  was killed is marked failed (:func:`run_refresh_stale`).
* :func:`analysis_compute`: computed and returned, nothing stored (the API's GET reports).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from planning import models as m
from planning import reads
from planning.errors import InvalidParameter
from planning.services import jobs
from planning.services.analyses import analysis_spec
from planning.services.analyses.registry import AnalysisSpec, Outcome, Progress, no_progress
from planning.services.analysis_params import params_validate

log = logging.getLogger(__name__)


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _progress_writer(run: m.AnalysisRun) -> Progress:
    write = jobs.job_progress_writer(run, every=0.5)

    def progress(pct: int, message: str) -> None:
        write(pct, message)

    return progress


def _begin(
    spec: AnalysisSpec, params: dict, scope, user, run: m.AnalysisRun | None
) -> m.AnalysisRun:
    now = timezone.now()
    if run is None:
        run = m.AnalysisRun.objects.create(
            kind=spec.name,
            params=params,
            admin_unit=scope,
            started_by=_user(user),
            status=m.AnalysisRun.Status.RUNNING,
            started_at=now,
            progress_message=_("starting"),
            language=jobs.request_language(),
        )
    return run


def _fail(run: m.AnalysisRun, exc: BaseException) -> None:
    jobs.job_fail(run, exc)


def _execute(
    spec: AnalysisSpec, params: dict, scope, user, run: m.AnalysisRun | None = None
) -> m.AnalysisRun:
    run = _begin(spec, params, scope, user, run)
    t0 = time.perf_counter()
    progress = _progress_writer(run)
    try:
        with reads.stale_ok(f"analysis {spec.name}"):  # its inputs may come from a replica
            outcome = spec.body(params, progress)
        progress(95, _("saving the results"))
        with transaction.atomic():
            t_store = time.perf_counter()
            if outcome.write is not None:
                outcome.write(run)
            now = timezone.now()
            run.results = outcome.results
            run.input_versions = outcome.input_versions
            run.timings = {**outcome.timings, "store": round(time.perf_counter() - t_store, 3)}
            run.status, run.progress, run.progress_message = (
                m.AnalysisRun.Status.DONE,
                100,
                _("finished"),
            )
            run.finished_at = now
            run.duration_s = round(time.perf_counter() - t0, 3)
            run.error = ""
            run.save()
    except Exception as exc:
        log.exception("analysis run %s (%s) failed", run.pk, spec.name)
        _fail(run, exc)
        raise
    return run


def analysis_prepare(spec: AnalysisSpec, kwargs: Mapping) -> tuple[dict, m.AdminUnit | None]:
    """The one check of a caller's parameters (:func:`params_validate` against the spec's
    declaration), then the analysis' own ``prepare``: ``(params, scope)``."""
    return spec.prepare(**params_validate(spec, kwargs))


def _merged(given: Mapping | None, kwargs: dict) -> dict:
    if given is not None and not isinstance(given, Mapping):
        raise InvalidParameter(_("The parameters must be an object {name: value}"))
    return {**(given or {}), **kwargs}


# The parameters come as keywords, or as one mapping (positional: a caller's JSON object, whose
# names — "name", "user" included — are all checked as parameters and cannot collide).
def analysis_run(
    name: str, given: Mapping | None = None, /, *, user=None, **kwargs
) -> m.AnalysisRun:
    """Run analysis ``name`` now and store it (parameters, inputs, results, timings, user)."""
    spec = analysis_spec(name)
    params, scope = analysis_prepare(spec, _merged(given, kwargs))
    return _execute(spec, params, scope, user)


def analysis_compute(name: str, given: Mapping | None = None, /, **kwargs) -> Outcome:
    """Compute analysis ``name`` without storing anything (reports served on GET)."""
    spec = analysis_spec(name)
    params, _scope = analysis_prepare(spec, _merged(given, kwargs))
    with reads.stale_ok(f"analysis {spec.name}"):
        outcome = spec.body(params, no_progress)
    outcome.results = {**outcome.results, "params": params}
    return outcome


# ---- in the background: the task queue ----------------------------------------------------------
@task(queue_name="analyses")
def analysis_task(run_id: int) -> str:
    """The queue's task: execute stored run ``run_id``; its status (the run holds the rest)."""
    return run_execute(run_id).status


def _queued(kind: str, params: dict, scope, user) -> m.AnalysisRun:
    run = m.AnalysisRun.objects.create(
        kind=kind,
        params=params,
        admin_unit=scope,
        started_by=_user(user),
        status=m.AnalysisRun.Status.QUEUED,
        progress_message=_("waiting"),
        language=jobs.request_language(),
    )
    return jobs.job_enqueue(run, analysis_task)


def analysis_submit(
    name: str, given: Mapping | None = None, /, *, user=None, **kwargs
) -> m.AnalysisRun:
    """Validate, store a queued run and enqueue its task; return the run at once."""
    spec = analysis_spec(name)
    params, scope = analysis_prepare(spec, _merged(given, kwargs))
    return _queued(spec.name, params, scope, user)


def run_resubmit(run: m.AnalysisRun, *, user=None) -> m.AnalysisRun:
    """Queue a new run with the same analysis, parameters and scope as ``run``."""
    return _queued(run.kind, run.params, run.admin_unit, user)


def run_execute(run_id: int) -> m.AnalysisRun:
    """Execute a stored, queued run (the task's body), in the language it was submitted in."""
    run = m.AnalysisRun.objects.select_related("admin_unit", "started_by").get(pk=run_id)
    with translation.override(jobs.job_language(run)):
        if not jobs.job_begin(run, _("starting")):
            run.refresh_from_db()
            return run  # taken by another worker, or already finished
        spec = analysis_spec(run.kind)
        return _execute(spec, run.params, run.admin_unit, run.started_by, run=run)


def run_refresh_stale(run: m.AnalysisRun) -> m.AnalysisRun:
    """``run``, marked failed if the worker running it stopped (killed, crashed)."""
    return jobs.job_refresh(run)
