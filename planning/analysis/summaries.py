"""Summaries of analysis results: totals by kind, gaps by network, site and rule counts.

Pure functions over the analyses' records and results (moved out of the services, which only
read inputs and store runs).

Examples
--------
>>> from planning.analysis.records import AreaRecord
>>> areas = [AreaRecord(id=1, kind="CCN", status="operating", planned_ha=50, leasable_ha=40,
...                     leased_ha=30),
...          AreaRecord(id=2, kind="CCN", status="planned", planned_ha=60, leasable_ha=45)]
>>> [t["leased_ha"] for t in kind_totals(areas, counted_statuses=("operating",), kinds=("CCN",))]
[30.0]
>>> site_totals([{"area_ha": 10.0, "score": 0.5, "rice_phasing_required": True},
...              {"area_ha": 20.0, "score": 0.7, "rice_phasing_required": False}])
{'count': 2, 'total_ha': 30.0, 'mean_score': 0.6, 'rice_phasing_count': 1}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from planning.analysis.records import AreaRecord

__all__ = ["gaps_by_network", "kind_totals", "rule_counts", "site_totals"]


def _rounded(x, n: int = 4):
    return None if x is None else round(float(x), n)


def kind_totals(
    areas: Iterable[AreaRecord], *, counted_statuses: Sequence[str], kinds: Sequence[str]
) -> list[dict]:
    """Planned, leasable, leased and unleased hectares and the occupancy of each kind.

    Parameters
    ----------
    areas
        The areas of the report.
    counted_statuses
        The statuses that count (``EfficiencyCriteria.counted_statuses``).
    kinds
        The kinds to total, in output order.

    Returns
    -------
    list of dict
        One per kind: ``kind``, ``n_counted``, ``planned_ha``, ``leasable_ha``, ``leased_ha``
        (capped at the leasable land of each area), ``unleased_ha`` and ``occupancy`` (None
        without leasable land).
    """
    areas = list(areas)
    out = []
    for kind in kinds:
        rows = [a for a in areas if a.kind == kind and a.status in counted_statuses]
        leasable = sum(a.leasable_ha for a in rows)
        leased = sum(min(a.leased_ha, a.leasable_ha) for a in rows)
        out.append(
            {
                "kind": kind,
                "n_counted": len(rows),
                "planned_ha": round(sum(a.planned_ha for a in rows), 4),
                "leasable_ha": round(leasable, 4),
                "leased_ha": round(leased, 4),
                "unleased_ha": round(max(0.0, leasable - leased), 4),
                "occupancy": _rounded(leased / leasable, 6) if leasable else None,
            }
        )
    return out


def gaps_by_network(reports: Iterable[Mapping], networks: Sequence[str]) -> dict[str, int]:
    """The number of links not connected, per network, over the areas' fence reports.

    Parameters
    ----------
    reports
        ``FenceReport.to_dict()`` of each area (``links`` with ``network`` and ``connected``).
    networks
        The networks counted (``FenceCriteria.networks``).
    """
    reports = list(reports)
    return {
        n: sum(
            1
            for r in reports
            for link in r["links"]
            if link["network"] == n and not link["connected"]
        )
        for n in networks
    }


def site_totals(sites: Sequence[Mapping]) -> dict:
    """Count, total hectares, mean score and sites needing rice-land phasing.

    Parameters
    ----------
    sites
        Mappings with ``area_ha``, ``score`` and ``rice_phasing_required``.
    """
    return {
        "count": len(sites),
        "total_ha": round(sum(s["area_ha"] for s in sites), 2),
        "mean_score": _rounded(np.mean([s["score"] for s in sites]) if sites else None),
        "rice_phasing_count": sum(1 for s in sites if s["rice_phasing_required"]),
    }


def rule_counts(passed: Iterable[bool | None]) -> tuple[int, int]:
    """The number of rules failed (``False``) and not checkable (``None``)."""
    passed = list(passed)
    return sum(1 for p in passed if p is False), sum(1 for p in passed if p is None)
