"""The analysis registry: what an analysis is (:class:`AnalysisSpec`) and the registered ones.

Each module of :mod:`planning.services.analyses` registers its spec on import
(:func:`register_analysis`); the package imports them all, so importing it (or anything in it)
fills the registry. A spec's ``name`` is the analysis' one name: the commands
(``manage.py run_analysis NAME``), the API (``/api/v1/analyses/NAME/``), the Jobs tab and
``AnalysisRun.kind`` of its stored runs all use it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import translation

from planning import models as m
from planning.services.analysis_params import Param

Progress = Callable[[int, str], None]


def no_progress(pct: int, message: str) -> None:
    return None


@dataclass
class Outcome:
    """What an analysis' ``body`` returns: the JSON results, the versions of the inputs read,
    step timings and, where results are published as a layer, ``write(run)`` storing them."""

    results: dict
    input_versions: dict
    timings: dict = field(default_factory=dict)
    write: Callable[[m.AnalysisRun], None] | None = None


class Timer:
    """Step timings: ``with timer("inputs"): …`` adds the seconds spent to ``steps["inputs"]``."""

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
    """One analysis.

    * ``name``: its one name (an ``AnalysisRun.Kind`` value: the kind of its stored runs);
    * ``parameters`` and ``required``: its parameters, declared once
      (:class:`~planning.services.analysis_params.Param`) and checked for every caller
      (:func:`~planning.services.analysis_params.params_validate`);
    * ``prepare(**kwargs) -> (params, scope)``: the JSON parameters that fully describe the run
      (a stored run can be executed again from them) and the unit it covers;
    * ``body(params, progress) -> Outcome``: reads the inputs, runs the pure analysis.
    """

    name: str
    #: Lazy gettext title (English msgid, context "analysis title"), like the layer catalogue's;
    #: ``title_vi``/``title_en`` give it in one language whatever the active one.
    title: str
    prepare: Callable[..., tuple[dict, m.AdminUnit | None]]
    body: Callable[[dict, Progress], Outcome]
    slow: bool = False
    input_layers: tuple[str, ...] = ("industrial_areas",)
    #: The parameters ``prepare`` takes (the names of its keyword arguments).
    parameters: tuple[Param, ...] = ()
    #: Alternatives of what must be given, e.g. ``(("proposal",), ("geometry", "admin_unit"))``;
    #: empty: nothing is required.
    required: tuple[tuple[str, ...], ...] = ()

    @property
    def title_vi(self) -> str:
        """The title in Vietnamese, whatever the active language."""
        with translation.override("vi"):
            return str(self.title)

    @property
    def title_en(self) -> str:
        """The title in English, whatever the active language."""
        with translation.override("en"):
            return str(self.title)


#: The registered analyses by name, filled as the package imports its modules.
SPECS: dict[str, AnalysisSpec] = {}


def register_analysis(spec: AnalysisSpec) -> AnalysisSpec:
    """Add ``spec``; its name must be one of ``AnalysisRun.Kind`` (the stored runs' names)."""
    if spec.name not in m.AnalysisRun.Kind.values:
        raise ValueError(f"analysis {spec.name!r} is not an AnalysisRun.Kind value")
    if spec.name in SPECS:
        raise ValueError(f"analysis {spec.name!r} is registered twice")
    SPECS[spec.name] = spec
    return spec
