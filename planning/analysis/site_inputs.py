"""Preparing the site suggestion's inputs: road reserves, raster stripes, the lowland minimum.

Pure helpers of :mod:`planning.analysis.site_suggestion` used by the service that reads the
data (moved out of it).

Examples
--------
>>> block_rows, stripes = stripe_plan(rows=5000, cols=4000, cell_size=10.0, factor_cell_m=100.0)
>>> block_rows, stripes
(500, 10)
>>> import shapely
>>> reserve = road_reserves([shapely.LineString([(0, 0), (100, 0)])], [40.0], minimum_m=15.0)[0]
>>> round(reserve.bounds[1])
-20
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import shapely

__all__ = ["below_lowland_minimum", "road_reserves", "stripe_plan"]


def road_reserves(
    roads: Sequence[shapely.Geometry], rights_of_way_m: Sequence[float | None], *, minimum_m: float
) -> list[shapely.Geometry]:
    """The road reserve of each road: half its right of way, at least ``minimum_m``.

    Sites may front a road but never straddle it, planned alignments included.

    Parameters
    ----------
    roads
        Road centrelines in a metric CRS.
    rights_of_way_m
        Each road's right of way in metres (None or 0: unknown).
    minimum_m
        The smallest half-width (``PLANNING_ROAD_RESERVE_MIN_M``).
    """
    return [
        shapely.buffer(road, max(minimum_m, (row or 0) / 2))
        for road, row in zip(roads, rights_of_way_m, strict=True)
    ]


def stripe_plan(
    *, rows: int, cols: int, cell_size: float, factor_cell_m: float, cells: int = 2_000_000
) -> tuple[int, int]:
    """Rows per stripe and number of stripes for reading a raster by windows.

    A stripe holds about ``cells`` cells and a whole number of factor cells
    (``factor_cell_m / cell_size`` rows each).

    Returns
    -------
    tuple of int
        ``(block_rows, stripes)``.
    """
    k = max(1, int(math.floor(factor_cell_m / cell_size + 1e-9)))
    block_rows = max(k, cells // cols)
    block_rows = -(-block_rows // k) * k
    return block_rows, -(-rows // block_rows)


def below_lowland_minimum(
    area_ha: float,
    *,
    kind: str,
    minimum_ha: float,
    mountainous_units: bool,
    craft_village: bool,
    in_mountainous_unit: bool,
) -> bool:
    """Whether a cluster site is dropped (too small outside the mountainous units).

    A site is dropped when it is smaller than the ordinary minimum outside the mountainous
    units, where only the mountainous minimum (5 ha) let it grow.

    Only CCN runs in a province with mountainous units (``mountainous_units``) grew regions
    below the ordinary minimum; craft-village clusters keep their own limits.
    """
    return (
        kind == "CCN"
        and mountainous_units
        and not craft_village
        and area_ha < minimum_ha
        and not in_mountainous_unit
    )
