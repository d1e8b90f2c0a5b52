"""Running analyses: parameters, the registry, stored runs with progress, the background runner.

An analysis is one :class:`AnalysisSpec` (registered by ``planning.services.analyses``) with

* ``parameters`` and ``required``: its parameters, declared once
  (:class:`~planning.services.analysis_params.Param`); every caller's keyword arguments are
  checked and converted against them (:func:`analysis_prepare`) — unknown names, missing or
  conflicting parameters, wrong types, unknown codes raise an ``InvalidParameter`` naming the
  parameter *before* anything is stored or computed;
* ``prepare(**kwargs) -> (params, scope)``: builds the analysis' criteria from the checked
  arguments (criteria out of range raise here, still before anything is stored) and returns the
  JSON parameters that fully describe the run (a stored run can be executed again from them);
* ``body(params, progress) -> Outcome``: reads the inputs, runs the pure analysis and returns
  the JSON results, the versions of the inputs, step timings and, where results are published
  as a layer, a ``write(run)`` callback that stores them.

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
import dataclasses
import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from planning import models as m
from planning.analysis.errors import UnknownAnalysis
from planning.analysis.site_suggestion import SiteWeights
from planning.selectors import analyses as sel
from planning.services.analysis_params import TYPES, Param, param_error, params_validate
from planning.services.errors import InvalidParameter  # noqa: F401  (re-exported)

log = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


def no_progress(pct: int, message: str) -> None:
    return None


# --------------------------------------------------------------------------------------------
# Parameters: criteria overrides, weights
# --------------------------------------------------------------------------------------------
def _tuples(value):
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def criteria_build(cls, overrides: Mapping | None = None, *, param: str = "criteria", **base):
    """A frozen criteria dataclass from ``base`` values updated by JSON-like ``overrides``.

    Nested criteria (``weights``, ``area_limits`` …) accept a mapping of their own fields; lists
    become tuples. Unknown names raise :class:`InvalidParameter` naming the parameter ``param``
    the overrides came in and listing the known names; values out of range raise the analysis'
    own ``CriteriaError``.
    """
    if overrides is not None and not isinstance(overrides, Mapping):
        raise param_error(
            param,
            f"phải là đối tượng {{tên: giá trị}} của {cls.__name__}",
            f"{cls.__name__} overrides must be an object of name: value",
        )
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = dict(base)
    values.update(overrides or {})
    unknown = sorted(set(values) - set(fields), key=str)
    if unknown:
        listed, known = ", ".join(map(str, unknown)), ", ".join(sorted(fields))
        raise param_error(
            param,
            f"{cls.__name__} không có {listed}; các tên: {known}",
            f"unknown {cls.__name__} parameter(s) {listed}; known: {known}",
            unknown=[str(u) for u in unknown],
            known=sorted(fields),
            accepted=sorted(fields),
        )
    kwargs = {}
    for name, value in values.items():
        f = fields[name]
        if isinstance(value, Mapping) and f.default_factory is not dataclasses.MISSING:
            nested = f.default_factory()
            if dataclasses.is_dataclass(nested):
                value = criteria_build(type(nested), value, param=f"{param}.{name}")
        kwargs[name] = _tuples(value)
    try:
        return cls(**kwargs)
    except (TypeError, AttributeError) as exc:  # a wrong type compared or used in __post_init__
        raise param_error(
            param,
            f"giá trị không hợp lệ cho {cls.__name__}: {exc}",
            f"invalid {cls.__name__} parameters: {exc}",
        ) from None


def parse_weights(text: str | Mapping | None, *, param: str = "weights") -> dict[str, float]:
    """``"road=0.3,slope=0.2"`` (or a mapping) → ``{"road": 0.3, "slope": 0.2}``, names checked;
    refusals name the parameter ``param``."""
    if text is None or text == "":
        return {}
    known = SiteWeights.names()
    if isinstance(text, Mapping):
        items = list(text.items())
    else:
        items = []
        for part in str(text).split(","):
            name, sep, value = part.partition("=")
            if not sep:
                got = part.strip()
                raise param_error(
                    param,
                    f"phải có dạng road=0.3,slope=0.2 (nhận được {got!r})",
                    f"weights must look like road=0.3,slope=0.2 (got {got!r})",
                )
            items.append((name.strip(), value.strip()))
    out = {}
    for name, value in items:
        if name not in known:
            listed = ", ".join(known)
            raise param_error(
                param,
                f"không có trọng số {name!r}; các trọng số: {listed}",
                f"unknown weight {name!r}; known weights: {listed}",
                known=list(known),
                accepted=list(known),
            )
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            raise param_error(
                param,
                f"trọng số {name} phải là số (nhận được {value!r})",
                f"weight {name} must be a number (got {value!r})",
            ) from None
        if not math.isfinite(number) or number < 0:
            raise param_error(
                param,
                f"trọng số {name} phải là số hữu hạn ≥ 0 (nhận {value!r})",
                f"weight {name} must be a finite number >= 0 (got {value!r})",
            )
        out[name] = number
    return out


def unit_ref(unit: m.AdminUnit | None) -> dict | None:
    return None if unit is None else {"id": unit.pk, "code": unit.code, "name": unit.name}


def unit_from_ref(ref: dict | None) -> m.AdminUnit | None:
    return None if not ref else m.AdminUnit.objects.get(pk=ref["id"])


def province_optional(province) -> m.AdminUnit | None:
    return None if province in (None, "") else sel.province_resolve(province)


def parse_year(value, name="year") -> int | None:
    if value in (None, ""):
        return None
    return TYPES["year"].parse(Param(name, "year"), value, {})


def parse_level(value, name="unit") -> str:
    """The aggregation level: ``value`` or ``settings.PLANNING_AGGREGATION_LEVEL``."""
    level = value or getattr(settings, "PLANNING_AGGREGATION_LEVEL", "district")
    if level not in sel.AREA_LEVELS:
        levels = ", ".join(sel.AREA_LEVELS)
        raise param_error(
            name,
            f"không nhận giá trị {level!r}; chỉ nhận: {levels}",
            f"unknown value {level!r}; accepted: {levels}",
            accepted=list(sel.AREA_LEVELS),
        )
    return level


def rounded(x, n=4):
    return None if x is None else round(float(x), n)


# --------------------------------------------------------------------------------------------
# Running and storing
# --------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    results: dict
    input_versions: dict
    timings: dict = field(default_factory=dict)
    write: Callable[[m.AnalysisRun], None] | None = None


class Timer:
    def __init__(self):
        self.steps: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, name: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.steps[name] = round(self.steps.get(name, 0.0) + time.perf_counter() - t0, 3)


@dataclass(frozen=True)
class AnalysisSpec:
    name: str
    kind: str
    title_vi: str
    title_en: str
    prepare: Callable[..., tuple[dict, m.AdminUnit | None]]
    body: Callable[[dict, Progress], Outcome]
    slow: bool = False
    input_layers: tuple[str, ...] = ("industrial_areas",)
    #: The parameters ``prepare`` takes (the names of its keyword arguments), checked by
    #: :func:`analysis_prepare` for every caller.
    parameters: tuple[Param, ...] = ()
    #: Alternatives of what must be given, e.g. ``(("proposal",), ("geometry", "admin_unit"))``;
    #: empty: nothing is required.
    required: tuple[tuple[str, ...], ...] = ()


ANALYSES: dict[str, AnalysisSpec] = {}


def register_analysis(spec: AnalysisSpec) -> AnalysisSpec:
    ANALYSES[spec.name] = spec
    return spec


def _registry() -> dict[str, AnalysisSpec]:
    import planning.services.analyses  # noqa: F401  (registers the analyses on import)

    return ANALYSES


def analysis_spec(name: str) -> AnalysisSpec:
    try:
        return _registry()[name]
    except KeyError:
        raise UnknownAnalysis(name, list(ANALYSES)) from None


def analysis_spec_for_kind(kind: str) -> AnalysisSpec:
    for spec in _registry().values():
        if spec.kind == kind:
            return spec
    raise UnknownAnalysis(kind, [s.kind for s in ANALYSES.values()])


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
            kind=spec.kind,
            params=params,
            admin_unit=scope,
            started_by=_user(user),
            status=m.AnalysisRun.Status.RUNNING,
            started_at=now,
            progress_message="bắt đầu",
        )
    else:
        run.status, run.started_at, run.progress, run.progress_message = (
            m.AnalysisRun.Status.RUNNING,
            now,
            0,
            "bắt đầu",
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
        progress(95, "lưu kết quả")
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
                "hoàn thành",
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
        raise InvalidParameter(
            "Tham số phải là một đối tượng {tên: giá trị} / "
            "The parameters must be an object {name: value}"
        )
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
        kind=spec.kind,
        params=params,
        admin_unit=scope,
        started_by=_user(user),
        status=m.AnalysisRun.Status.QUEUED,
        progress_message="đang chờ",
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
        progress_message="đang chờ",
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
    spec = analysis_spec_for_kind(run.kind)
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
    """Mark a run failed when it stopped reporting (its process ended): not ours and silent too long."""
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
