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
* :func:`analysis_submit`: asynchronously. A ``queued`` run is stored and executed by the runner
  chosen by ``settings.PLANNING_ANALYSIS_RUNNER``: ``"thread"`` (default: a small in-process pool
  of ``PLANNING_ANALYSIS_WORKERS`` threads, one by default — a 10 m province run takes about a
  gigabyte), ``"sync"`` (at once, in the caller), or ``"queue"`` (left in the database for
  ``manage.py run_analysis --queued``). Progress (0–100, a message) is written as it runs.
* :func:`analysis_compute`: computed and returned, nothing stored (the API's GET reports).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from planning import models as m
from planning.errors import InvalidParameter
from planning.services.analyses import analysis_spec
from planning.services.analyses.registry import AnalysisSpec, Outcome, Progress, no_progress
from planning.services.analysis_params import params_validate

log = logging.getLogger(__name__)


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _progress_writer(run: m.AnalysisRun) -> Progress:
    last = {"pct": -1, "t": 0.0}

    def write(pct: int, message: str) -> None:
        pct = max(0, min(100, int(pct)))
        now = time.monotonic()
        if pct == last["pct"] or (now - last["t"] < 0.5 and pct - last["pct"] < 5 and pct < 100):
            return
        last.update(pct=pct, t=now)
        m.AnalysisRun.objects.filter(pk=run.pk).update(
            progress=pct, progress_message=message[:200], updated_at=timezone.now()
        )
        run.progress, run.progress_message = pct, message[:200]

    return write


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
            progress_message=_("started"),
        )
    else:
        run.status, run.started_at, run.progress, run.progress_message = (
            m.AnalysisRun.Status.RUNNING,
            now,
            0,
            _("started"),
        )
        run.save(
            update_fields=["status", "started_at", "progress", "progress_message", "updated_at"]
        )
    return run


def _fail(run: m.AnalysisRun, exc: BaseException) -> None:
    now = timezone.now()
    run.status, run.finished_at = m.AnalysisRun.Status.FAILED, now
    run.duration_s = round((now - run.started_at).total_seconds(), 3) if run.started_at else None
    run.error = f"{type(exc).__name__}: {exc}"[:10_000]
    m.AnalysisRun.objects.filter(pk=run.pk).update(
        status=run.status,
        finished_at=now,
        duration_s=run.duration_s,
        error=run.error,
        updated_at=now,
    )


def _execute(
    spec: AnalysisSpec, params: dict, scope, user, run: m.AnalysisRun | None = None
) -> m.AnalysisRun:
    run = _begin(spec, params, scope, user, run)
    t0 = time.perf_counter()
    progress = _progress_writer(run)
    try:
        outcome = spec.body(params, progress)
        progress(95, _("storing the results"))
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
    outcome = spec.body(params, no_progress)
    outcome.results = {**outcome.results, "params": params}
    return outcome


# ---- the asynchronous runner -------------------------------------------------------------------
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_inflight: set[int] = set()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=int(getattr(settings, "PLANNING_ANALYSIS_WORKERS", 1)),
                thread_name_prefix="kcn-analysis",
            )
        return _executor


def _thread_main(run_id: int) -> None:
    close_old_connections()
    try:
        run_execute(run_id)
    except Exception:  # already stored as failed, and logged
        pass
    finally:
        _inflight.discard(run_id)
        connections.close_all()


def analysis_submit(
    name: str, given: Mapping | None = None, /, *, user=None, **kwargs
) -> m.AnalysisRun:
    """Validate, store a queued run and hand it to the runner; return the run at once."""
    spec = analysis_spec(name)
    params, scope = analysis_prepare(spec, _merged(given, kwargs))
    run = m.AnalysisRun.objects.create(
        kind=spec.name,
        params=params,
        admin_unit=scope,
        started_by=_user(user),
        status=m.AnalysisRun.Status.QUEUED,
        progress_message=_("waiting"),
    )
    return _dispatch(run)


def _dispatch(run: m.AnalysisRun) -> m.AnalysisRun:
    mode = getattr(settings, "PLANNING_ANALYSIS_RUNNER", "thread")
    if mode == "sync":
        with contextlib.suppress(Exception):
            run_execute(run.pk)
        run.refresh_from_db()
    elif mode == "thread":
        _inflight.add(run.pk)
        transaction.on_commit(lambda pk=run.pk: _pool().submit(_thread_main, pk))
    return run


def run_resubmit(run: m.AnalysisRun, *, user=None) -> m.AnalysisRun:
    """Queue a new run with the same analysis, parameters and scope as ``run``."""
    new = m.AnalysisRun.objects.create(
        kind=run.kind,
        params=run.params,
        admin_unit=run.admin_unit,
        started_by=_user(user),
        status=m.AnalysisRun.Status.QUEUED,
        progress_message=_("waiting"),
    )
    return _dispatch(new)


def run_execute(run_id: int) -> m.AnalysisRun:
    """Execute a stored, queued run (the worker's entry point)."""
    updated = m.AnalysisRun.objects.filter(pk=run_id, status=m.AnalysisRun.Status.QUEUED).update(
        status=m.AnalysisRun.Status.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    )
    run = m.AnalysisRun.objects.get(pk=run_id)
    if not updated:
        return run  # taken by another worker, or already finished
    spec = analysis_spec(run.kind)
    return _execute(spec, run.params, run.admin_unit, run.started_by, run=run)


def runs_process_queued(*, limit: int | None = None) -> list[m.AnalysisRun]:
    """Execute queued runs in creation order (``manage.py run_analysis --queued``)."""
    done = []
    for pk in (
        m.AnalysisRun.objects.filter(status=m.AnalysisRun.Status.QUEUED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    ):
        with contextlib.suppress(Exception):
            done.append(run_execute(pk))
    return done


def run_refresh_stale(run: m.AnalysisRun) -> m.AnalysisRun:
    """Mark a run failed when it stopped reporting (its process ended): not ours and silent too
    long."""
    if run.is_finished or run.pk in _inflight:
        return run
    if (
        getattr(settings, "PLANNING_ANALYSIS_RUNNER", "thread") == "queue"
        and run.status == m.AnalysisRun.Status.QUEUED
    ):
        return run
    limit = dt.timedelta(seconds=int(getattr(settings, "PLANNING_ANALYSIS_STALE_SECONDS", 1800)))
    if timezone.now() - run.updated_at > limit:
        _fail(
            run,
            RuntimeError("the run stopped reporting progress (server restarted?); start it again"),
        )
        run.refresh_from_db()
    return run
