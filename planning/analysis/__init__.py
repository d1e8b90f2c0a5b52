"""Pure analyses: standard library, NumPy, shapely, pyproj and rasterio only — no Django.

Services in ``planning.services`` read data through the ORM, convert it with
``planning.geo`` and call these functions.

:data:`ANALYSES` maps a stable name to the analysis callable; :func:`get_analysis` looks one up
and raises :class:`~planning.analysis.errors.UnknownAnalysis` (a ``KeyError``) listing the known
names. The registry is built on first access, so importing ``planning.analysis.geometry`` (done
by the models at start-up) does not load rasterio and the other analyses.

Examples
--------
>>> from planning.analysis import ANALYSES, get_analysis
>>> sorted(ANALYSES)[:3]
['developer-capacity', 'eco-readiness', 'infrastructure-to-fence']
>>> get_analysis("site-suggestion").__name__
'suggest_sites'
>>> get_analysis("suggest")
Traceback (most recent call last):
...
planning.analysis.errors.UnknownAnalysis: unknown analysis 'suggest'; known analyses: developer-capacity, eco-readiness, infrastructure-to-fence, labour-catchment, lagging-projects, land-use-efficiency, plan-vs-actual, proposal-check, site-suggestion, site-suitability, state-cluster-transfer, target-watch-list
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

__all__ = ["ANALYSES", "get_analysis"]

_REGISTRY: MappingProxyType | None = None


def _build() -> MappingProxyType:
    from planning.analysis import (
        eco,
        efficiency,
        infrastructure,
        labour,
        plan_vs_actual,
        proposal_checks,
        site_suggestion,
        targets,
    )

    return MappingProxyType(
        {
            "site-suggestion": site_suggestion.suggest_sites,
            "site-suitability": site_suggestion.site_suitability,
            "land-use-efficiency": efficiency.land_use_efficiency,
            "target-watch-list": targets.target_watch_list,
            "developer-capacity": targets.developer_capacity,
            "state-cluster-transfer": targets.transfer_candidates,
            "lagging-projects": targets.lagging_projects,
            "eco-readiness": eco.eco_readiness_all,
            "infrastructure-to-fence": infrastructure.infrastructure_to_fence,
            "labour-catchment": labour.labour_catchment,
            "plan-vs-actual": plan_vs_actual.plan_vs_actual,
            "proposal-check": proposal_checks.check_proposal,
        }
    )


def __getattr__(name: str):
    global _REGISTRY
    if name == "ANALYSES":
        if _REGISTRY is None:
            _REGISTRY = _build()
        return _REGISTRY
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_analysis(name: str) -> Callable:
    """The analysis registered under ``name``; :class:`UnknownAnalysis` lists the known names."""
    from planning.analysis.errors import UnknownAnalysis

    registry = __getattr__("ANALYSES")
    try:
        return registry[name]
    except KeyError:
        raise UnknownAnalysis(name, list(registry)) from None
