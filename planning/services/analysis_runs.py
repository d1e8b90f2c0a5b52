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
* :func:`analysis_submit`: asynchronously. A ``queued`` run is stored and :func:`analysis_task`
  is enqueued on the task queue's ``analyses`` queue (:mod:`planning.services.jobs`); a worker
  (``manage.py run_worker``, one job at a time per worker — a 10 m province run takes about a
  gigabyte) executes it. Progress (0–100, a message) is written as it runs; a run whose worker
  was killed is marked failed (:func:`run_refresh_stale`).
* :func:`analysis_compute`: computed and returned, nothing stored (the API's GET reports).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from planning import models as m
from planning.analysis.errors import UnknownAnalysis
from planning.analysis.types import SiteWeights
from planning.selectors import analyses as sel
from planning.services import jobs
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
            kind=spec.kind,
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
    return _queued(spec.kind, params, scope, user)


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
        spec = analysis_spec_for_kind(run.kind)
        return _execute(spec, run.params, run.admin_unit, run.started_by, run=run)


def run_refresh_stale(run: m.AnalysisRun) -> m.AnalysisRun:
    """``run``, marked failed if the worker running it stopped (killed, crashed)."""
    return jobs.job_refresh(run)
