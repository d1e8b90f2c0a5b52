"""The analyses: one module per analysis, each registering its :class:`~.registry.AnalysisSpec`.

Each module reads through the selectors, converts with ``planning.geo``, calls a pure analysis
in ``planning.analysis`` and returns what the run stores (:mod:`planning.services.analysis_runs`
runs and stores them). Importing this package registers them all; look one up with
:func:`analysis_spec`.

The analyses and their one name (commands, API, Jobs tab, ``AnalysisRun.kind``):

==========================  ===================================
``site-suggestion``         :mod:`.site_suggestion`
``efficiency``              :mod:`.efficiency`
``targets``                 :mod:`.targets`
``eco-readiness``           :mod:`.eco_readiness`
``infrastructure-gaps``     :mod:`.infrastructure`
``labour-catchment``        :mod:`.labour`
``plan-vs-actual``          :mod:`.plan_vs_actual`
``proposal-check``          :mod:`.proposal_check`
==========================  ===================================
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from django.core.exceptions import ImproperlyConfigured

from planning import models as m
from planning.analysis.errors import UnknownAnalysis
from planning.services.analyses import (
    eco_readiness,
    efficiency,
    infrastructure,
    labour,
    plan_vs_actual,
    proposal_check,
    site_suggestion,
    targets,
)
from planning.services.analyses.registry import SPECS, AnalysisSpec

__all__ = ["ANALYSES", "analysis_spec"]


def _in_kind_order(*specs: AnalysisSpec) -> Mapping[str, AnalysisSpec]:
    """The registry, every ``AnalysisRun.Kind`` present once, in the order of the kinds."""
    order = list(m.AnalysisRun.Kind.values)
    listed = {s.name for s in specs}
    if set(order) != listed or set(SPECS) != listed:
        raise ImproperlyConfigured(
            f"analyses {sorted(set(order) ^ listed | set(SPECS) ^ listed)} are stored kinds "
            "without a module, or registered but not listed here"
        )
    ordered = {s.name: s for s in sorted(specs, key=lambda s: order.index(s.name))}
    SPECS.clear()
    SPECS.update(ordered)
    return MappingProxyType(SPECS)


#: Every analysis by name, in the order of ``AnalysisRun.Kind`` (read-only).
ANALYSES: Mapping[str, AnalysisSpec] = _in_kind_order(
    site_suggestion.SPEC,
    efficiency.SPEC,
    targets.SPEC,
    eco_readiness.SPEC,
    infrastructure.SPEC,
    labour.SPEC,
    plan_vs_actual.SPEC,
    proposal_check.SPEC,
)


def analysis_spec(name: str) -> AnalysisSpec:
    """The analysis registered as ``name``; :class:`UnknownAnalysis` (a ``KeyError``) lists the
    known names."""
    try:
        return ANALYSES[name]
    except KeyError:
        raise UnknownAnalysis(name, list(ANALYSES)) from None
