"""Suggest sites for new industrial clusters (CCN) or parks (KCN) along invested roads.

Pure analysis (NumPy, shapely, rasterio; no Django). Inputs are rasters on **one metric grid**
(VN-2000 TM-3, 10–30 m cells) and shapely geometries in the **same CRS** (metres).

Land-cover codes (:class:`~planning.analysis.site_suggestion.LandcoverClasses`, configurable)
-----------------------------------------------------------------------------------
====  ==================================  ==================  ======================
code  class                               treatment           conversion score (0–1)
====  ==================================  ==================  ======================
0     no data / outside the province      excluded            —
1     rice, 2+ crops (LUC)                allowed, flagged    0.2 (``exclude_rice``)
2     other annual crops (HNK, LUK)       allowed             0.7
3     forest, protected / special-use     excluded            —
4     water bodies, rivers, canals        excluded            —
5     built-up, residential               excluded + buffer   —
6     bare, unused, other (BCS)           allowed             1.0
7     perennial crops, plantations (CLN)  allowed             0.5
====  ==================================  ==================  ======================

Method (defaults from DOMAIN.md §7.2, all in :class:`SiteCriteria`)
-------------------------------------------------------------------
1. **Corridor.** Cells whose centre lies within ``corridor_m`` (2 km) of a road whose status is
   in ``road_statuses`` (invested, under construction) and whose class is in ``road_classes`` —
   exact vector buffer, rasterised. By default the *local* roads the Bình Định notice names
   (provincial ĐT, district ĐH and urban roads); national roads, expressways and commune roads
   are options. An expressway (``road_access_controlled``) is reached only at its interchanges:
   it enters as its interchanges (points), so the corridor and the road score measure the
   distance to an interchange.
2. **Hard exclusions.** Existing KCN/CCN buffered by ``setback_m`` (500 m), other proposals by
   ``proposal_setback_m`` (500 m) and any ``exclusion_zones`` (all rasterised *all-touched*, so a
   kept cell never overlaps them); water, forest and no-data land cover; built-up cells and every
   cell whose centre is within ``builtup_buffer_m`` (200 m) of one; slope > ``max_slope_pct``
   (15 %) or unknown; flood depth > ``flood_depth_max_m`` (0.5 m); rice if ``exclude_rice``.
3. **Criteria, normalised 0–1** (weights renormalised to sum 1):

   * road (0.30): 1 within ``road_full_m`` (1 km) of a considered road, linear to 0 at
     ``road_zero_m`` (5 km);
   * infrastructure (0.15): the same ramp (1 km → 10 km) for distance to existing KCN/CCN and to
     power lines/substations, averaged (shared infrastructure: closer is better);
   * slope (0.15): 1 up to ``preferred_slope_pct`` (5 %), linear to 0 at ``max_slope_pct``;
   * conversion cost (0.15): by land cover (table above);
   * population (0.15): residents within ``population_reach_m`` (5 km, disc focal sum by FFT),
     ``min(1, residents / population_saturation)`` with saturation 50,000;
   * flood (0.10): 1 when dry, linear to 0 at ``flood_depth_max_m``.

   Road, infrastructure and population vary over kilometres, so they are computed on a coarse
   grid of ``factor_cell_m`` (100 m; distances by an exact capped distance transform) and
   resampled bilinearly; slope, land cover and flood are used at full resolution.
4. **Regions.** Seeds are taken in decreasing order of *potential* — the sum of scores of eligible
   cells in a box of the target area's side around each coarse cell — and, inside a seed's coarse
   cell, at the best available cell (ties: lowest cell index). A region grows best-first (priority
   queue) over 4-connected available cells with priority
   ``score − compactness × distance_from_seed / target_radius`` until it reaches the target area
   (default the middle of the legal range) or runs out of neighbours; growth is confined to a
   window of radius ``2 √max_area`` around the seed. Regions below the legal minimum are dropped
   (their cells are not tried again). Kept regions are vectorised (``rasterio.features.shapes``),
   simplified by half a cell and made valid (the exact cell outline is kept if simplification
   would leave the legal range). After a region is kept, every cell within
   ``min_spacing_m`` + the simplification tolerance of it is blocked, so candidates are at least
   ``min_spacing_m`` apart; at most ``max_count`` are kept, then ranked by total score.
5. **Report.** Per candidate: polygon, hectares, total score, per-criterion mean and weighted
   contribution, rice land and the Decree 35 Art. 9 phasing flag for ``region``, road frontage
   (length of considered roads within ``frontage_buffer_m`` (50 m) of the polygon), nearest
   considered road (name, status, distance), and one sentence of reasons (a message).

Deterministic: no randomness, ties broken by cell index; translating the grid and every
geometry by the same vector translates the result.

Memory and speed
----------------
The grid is processed in row stripes (``block_rows``, default ≈ 2 M cells per stripe) with a halo
for slope and the built-up buffer. Besides the inputs, the run keeps a bool ``available`` mask
(1 byte/cell) and a float32 score (4 bytes/cell): 300 MB for 60 M cells, plus stripe temporaries
(~60 bytes × stripe cells ≈ 120 MB) and the coarse grids (100× smaller at 10 m). In-memory inputs
add 13 bytes/cell (float32 DEM, flood, population; uint8 land cover), i.e. 780 MB for 60 M cells;
:func:`suggest_sites_windowed` reads them from a ``read_window`` callable instead (e.g.
:func:`planning.analysis.rasters.dataset_reader` over open rasterio datasets), so they never need
to be in memory at once; GDAL's block cache (default 5 % of RAM) then comes on top — cap it with
``rasterio.Env(GDAL_CACHEMAX=...)``. Region growing touches only windows around seeds
(``2 √max_area`` around each), and runs a Python priority queue over at most the target number
of cells per region.

Measured with ``tests/benchmarks/bench_analyses.py`` (``make bench``; synthetic province,
6,000 × 10,000 cells at 10 m, one core of a 2-vCPU machine): 8–12 s for a CCN, 11–12 s for a
KCN, peak RSS 1.3 GB of which 0.74 GB are the in-memory inputs; reading tiled GeoTIFFs window by
window (GDAL_CACHEMAX 256 MB) 10–13 s and 0.85 GB. About 90 % of the time is the suitability
pass (rasterising, the 41-pass built-up buffer, slope, scores).

Examples
--------
>>> import numpy as np
>>> from shapely import LineString
>>> from planning.analysis.rasters import Grid
>>> from planning.analysis.records import RoadRecord
>>> from planning.analysis.site_suggestion import SiteCriteria
>>> grid = Grid.from_origin(600_000, 1_560_000, cell_size=25, rows=120, cols=160, crs_epsg=9217)
>>> flat = np.zeros(grid.shape, np.float32)
>>> landcover = np.full(grid.shape, 2, np.uint8)          # annual crops everywhere
>>> road = RoadRecord(LineString([(600_000, 1_558_500), (604_000, 1_558_500)]), "invested", "ĐT639")
>>> sites = suggest_sites(
...     grid=grid, dem=flat, landcover=landcover, flood=flat, population=flat + 2.0,
...     roads=[road], criteria=SiteCriteria(max_count=2, population_saturation=20_000))
>>> [(s.rank, round(s.area_ha, 1), s.nearest_road_name) for s in sites]
[(1, 42.5, 'ĐT639'), (2, 42.5, 'ĐT639')]
>>> print(sites[0].reasons)  # doctest: +NORMALIZE_WHITESPACE
225 m from road ĐT639 (invested); mean slope 0.0 %; no rice land; no flooding;
38,400 residents within 5 km.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import rasterio.features
import shapely
from rasterio.windows import Window
from shapely.geometry import shape as _shape
from shapely.geometry.base import BaseGeometry

from planning.analysis.base import Serializable, require_positive, require_share
from planning.analysis.errors import CriteriaError, GridError
from planning.analysis.messages import N_, Message, distance, join, number
from planning.analysis.rasters import (
    Grid,
    array_reader,
    block_sum,
    box_sum,
    capped_sq_distance,
    focal_sum_disc,
    iter_blocks,
    ramp_down,
    rasterize_mask,
    slope_percent,
    upsample_bilinear,
    within_distance,
)
from planning.analysis.records import (
    KINDS,
    RICE_PHASING_THRESHOLDS_HA,
    ROAD_CLASSES,
    ROAD_STATUS_NAMES,
    ROAD_STATUSES,
    AreaLimits,
    RoadRecord,
    as_named_geometries,
    as_roads,
)

__all__ = [
    "suggest_sites",
    "suggest_sites_windowed",
    "site_suitability",
    "site_suitability_windowed",
    "Suitability",
    "FACTOR_LABELS",
    "EXCLUSION_REASONS",
    "LandcoverClasses",
    "SiteWeights",
    "SiteCriteria",
    "CriterionScore",
    "SiteCandidate",
    "considered_roads",
]


@dataclass(frozen=True, kw_only=True)
class LandcoverClasses(Serializable):
    """Meaning of the land-cover raster codes for site suggestion.

    Default table (ASSUMPTION, DOMAIN §7.2 "unused > annual crops > perennial > rice"):

    ====  ==================================  ==================  ==========
    code  class                               treatment           conversion
    ====  ==================================  ==================  ==========
    0     no data / outside the province      excluded            —
    1     rice, 2+ crops (LUC)                allowed + flagged   0.2
    2     other annual crops (HNK, LUK)       allowed             0.7
    3     forest, protected / special-use     excluded            —
    4     water bodies, rivers, canals        excluded            —
    5     built-up, residential               excluded + buffer   —
    6     bare, unused, other (BCS)           allowed             1.0
    7     perennial crops, plantations (CLN)  allowed             0.5
    ====  ==================================  ==================  ==========

    Codes absent from ``conversion_scores`` and from the excluded lists are treated as no data.
    ``conversion`` is the 0–1 score of the land-conversion-cost criterion (1 = cheapest).
    """

    nodata: tuple[int, ...] = (0,)
    rice: tuple[int, ...] = (1,)
    forest: tuple[int, ...] = (3,)
    water: tuple[int, ...] = (4,)
    built_up: tuple[int, ...] = (5,)
    conversion_scores: tuple[tuple[int, float], ...] = ((1, 0.2), (2, 0.7), (6, 1.0), (7, 0.5))
    names: tuple[tuple[int, str], ...] = (  # msgids (planning.analysis.messages)
        (0, N_("no data")),
        (1, N_("2-crop rice land")),
        (2, N_("other annual crops")),
        (3, N_("forest")),
        (4, N_("water bodies")),
        (5, N_("built-up land, residential areas")),
        (6, N_("bare, unused land")),
        (7, N_("perennial crops")),
    )

    def __post_init__(self) -> None:
        for code, score in self.conversion_scores:
            if not (0 <= int(code) <= 255):
                raise CriteriaError(f"land-cover codes are uint8 (got {code})")
            require_share(f"conversion score of code {code}", score)
        excluded = set(self.nodata) | set(self.forest) | set(self.water) | set(self.built_up)
        overlap = excluded & {c for c, _ in self.conversion_scores}
        if overlap:
            raise CriteriaError(f"codes {sorted(overlap)} are both excluded and scored")
        if not set(self.rice) <= {c for c, _ in self.conversion_scores}:
            raise CriteriaError(
                "rice codes need a conversion score (they are allowed unless excluded)"
            )

    def conversion_lut(self) -> np.ndarray:
        """Length-256 float32 lookup table code → conversion score (NaN = not convertible)."""
        lut = np.full(256, np.nan, dtype=np.float32)
        for code, score in self.conversion_scores:
            lut[int(code)] = score
        return lut


@dataclass(frozen=True, kw_only=True)
class SiteWeights(Serializable):
    """Weights of the site-suggestion criteria (DOMAIN §7.2 defaults; renormalised to sum 1)."""

    road: float = 0.30
    infrastructure: float = 0.15  # existing KCN/CCN and power
    slope: float = 0.15
    conversion: float = 0.15  # land-conversion cost by land cover
    population: float = 0.15  # labour within reach
    flood: float = 0.10

    def __post_init__(self) -> None:
        for name in self.names():
            require_positive(name, getattr(self, name), allow_zero=True)
        if sum(getattr(self, n) for n in self.names()) <= 0:
            raise CriteriaError("at least one weight must be > 0")

    @staticmethod
    def names() -> tuple[str, ...]:
        """The criteria, in order."""
        return ("road", "infrastructure", "slope", "conversion", "population", "flood")

    def normalised(self) -> dict[str, float]:
        """The weights divided by their sum (they add up to 1)."""
        total = sum(getattr(self, n) for n in self.names())
        return {n: getattr(self, n) / total for n in self.names()}


@dataclass(frozen=True, kw_only=True)
class SiteCriteria(Serializable):
    """Every parameter of :func:`planning.analysis.site_suggestion.suggest_sites`.

    Defaults are DOMAIN §7.2 (ASSUMPTION: editable by planners, stored with the run).

    Parameters
    ----------
    kind, is_mountainous, is_craft_village
        Which legal size range applies (:class:`AreaLimits`).
    target_area_ha
        Area regions grow to; default the midpoint of the legal range (42.5 ha for a CCN).
    corridor_m
        Candidates lie within this distance of a road whose status is in ``road_statuses``.
    road_classes, road_access_controlled
        Road classes considered (default provincial and district / urban roads: the "local
        roads" of the Bình Định notice; a road of unknown class is always considered), and the
        classes reached only at their interchanges (expressways), which enter as their
        interchanges whose status is in ``road_statuses``.
    setback_m, proposal_setback_m
        Exclusion buffers around existing KCN/CCN and around other proposals.
    builtup_buffer_m
        Exclusion buffer around built-up land-cover cells (cell centre to cell centre).
    max_slope_pct, preferred_slope_pct
        Slope above ``max`` is excluded; the slope score is 1 up to ``preferred`` then falls
        linearly to 0 at ``max``.
    flood_depth_max_m
        Flood depth above this is excluded; the flood score falls linearly from 1 (dry) to 0 here.
    road_full_m, road_zero_m
        Road score 1 within ``road_full_m`` of a road, falling linearly to 0 at ``road_zero_m``.
    infra_full_m, infra_zero_m, infra_existing_share
        The same curve for distance to existing KCN/CCN and to power; the infrastructure score
        is ``share × existing + (1 − share) × power``.
    population_reach_m, population_saturation
        Residents within ``reach`` of a cell (disc focal sum); the score is
        ``min(1, residents / saturation)``.
    exclude_rice, region
        Exclude 2-crop rice land, or allow it and flag candidates whose rice land exceeds the
        regional phasing threshold (``RICE_PHASING_THRESHOLDS_HA[region]``).
    max_count, min_spacing_m
        At most ``max_count`` candidates, at least ``min_spacing_m`` apart (polygon to polygon).
    compactness
        Region-growing penalty per target radius of distance from the seed (score units).
    factor_cell_m
        Cell size of the coarse grid on which the smooth criteria (road, infrastructure,
        population distances) are computed before bilinear resampling; ≥ the grid cell.
    frontage_buffer_m
        Road frontage = length of considered roads within this distance of the candidate.
    simplify_tolerance_m
        Douglas–Peucker tolerance of the vectorised polygons (default half a cell).
    max_attempts
        Seeds tried before giving up (default ``20 × max_count``).

    Examples
    --------
    >>> c = SiteCriteria(kind="CCN", is_mountainous=True)
    >>> c.area_range_ha(), c.resolved_target_ha(), c.rice_threshold_ha()
    ((5.0, 75.0), 40.0, 150.0)
    >>> round(sum(c.weights.normalised().values()), 9)
    1.0
    >>> SiteCriteria(corridor_m=-1)
    Traceback (most recent call last):
    ...
    planning.analysis.errors.CriteriaError: corridor_m must be > 0 (got -1)
    """

    kind: str = "CCN"
    is_mountainous: bool = False
    is_craft_village: bool = False
    area_limits: AreaLimits = field(default_factory=AreaLimits)
    target_area_ha: float | None = None
    corridor_m: float = 2000.0
    road_statuses: tuple[str, ...] = ("invested", "under_construction")
    road_classes: tuple[str, ...] = ("provincial", "district")
    road_access_controlled: tuple[str, ...] = ("expressway",)
    setback_m: float = 500.0
    proposal_setback_m: float = 500.0
    builtup_buffer_m: float = 200.0
    max_slope_pct: float = 15.0
    preferred_slope_pct: float = 5.0
    flood_depth_max_m: float = 0.5
    weights: SiteWeights = field(default_factory=SiteWeights)
    road_full_m: float = 1000.0
    road_zero_m: float = 5000.0
    infra_full_m: float = 1000.0
    infra_zero_m: float = 10000.0
    infra_existing_share: float = 0.5
    population_reach_m: float = 5000.0
    population_saturation: float = 50000.0
    exclude_rice: bool = False
    region: str = "central_coast"
    max_count: int = 10
    min_spacing_m: float = 1000.0
    compactness: float = 1.0
    factor_cell_m: float = 100.0
    frontage_buffer_m: float = 50.0
    simplify_tolerance_m: float | None = None
    max_attempts: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise CriteriaError(f"kind must be one of {KINDS} (got {self.kind!r})")
        for name in (
            "corridor_m",
            "max_slope_pct",
            "preferred_slope_pct",
            "road_full_m",
            "road_zero_m",
            "infra_full_m",
            "infra_zero_m",
            "population_reach_m",
            "population_saturation",
            "factor_cell_m",
        ):
            require_positive(name, getattr(self, name))
        for name in (
            "setback_m",
            "proposal_setback_m",
            "builtup_buffer_m",
            "flood_depth_max_m",
            "min_spacing_m",
            "compactness",
            "frontage_buffer_m",
        ):
            require_positive(name, getattr(self, name), allow_zero=True)
        require_share("infra_existing_share", self.infra_existing_share)
        if self.preferred_slope_pct >= self.max_slope_pct:
            raise CriteriaError("preferred_slope_pct must be < max_slope_pct")
        if self.road_full_m >= self.road_zero_m or self.infra_full_m >= self.infra_zero_m:
            raise CriteriaError("full-score distances must be < zero-score distances")
        bad = set(self.road_statuses) - set(ROAD_STATUSES)
        if bad or not self.road_statuses:
            raise CriteriaError(f"road_statuses must be a non-empty subset of {ROAD_STATUSES}")
        if set(self.road_classes) - set(ROAD_CLASSES) or not self.road_classes:
            raise CriteriaError(f"road_classes must be a non-empty subset of {ROAD_CLASSES}")
        if set(self.road_access_controlled) - set(ROAD_CLASSES):
            raise CriteriaError(f"road_access_controlled must be a subset of {ROAD_CLASSES}")
        if self.region not in RICE_PHASING_THRESHOLDS_HA:
            raise CriteriaError(
                f"region must be one of {sorted(RICE_PHASING_THRESHOLDS_HA)} (got {self.region!r})"
            )
        if not (isinstance(self.max_count, int) and self.max_count >= 1):
            raise CriteriaError(f"max_count must be an integer >= 1 (got {self.max_count!r})")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise CriteriaError("max_attempts must be >= 1")
        if self.simplify_tolerance_m is not None:
            require_positive("simplify_tolerance_m", self.simplify_tolerance_m, allow_zero=True)
        low, high = self.area_range_ha()
        if self.target_area_ha is not None and not (low <= self.target_area_ha <= high):
            raise CriteriaError(
                f"target_area_ha must lie in the legal range {low:g}–{high:g} ha "
                f"(got {self.target_area_ha!r})"
            )

    def area_range_ha(self) -> tuple[float, float]:
        """The legal (min, max) hectares of ``kind`` here (:class:`AreaLimits`)."""
        return self.area_limits.range_for(
            self.kind, is_mountainous=self.is_mountainous, is_craft_village=self.is_craft_village
        )

    def resolved_target_ha(self) -> float:
        """``target_area_ha``, or the midpoint of the legal range."""
        if self.target_area_ha is not None:
            return float(self.target_area_ha)
        low, high = self.area_range_ha()
        return (low + high) / 2

    def rice_threshold_ha(self) -> float:
        """Rice land above which conversion must be phased in ``region``."""
        return float(RICE_PHASING_THRESHOLDS_HA[self.region])


@dataclass(frozen=True, kw_only=True)
class CriterionScore(Serializable):
    """One criterion of a candidate: mean normalised value (0–1) and weighted contribution."""

    name: str
    label: Message
    weight: float
    mean_value: float
    contribution: float


@dataclass(frozen=True, kw_only=True)
class SiteCandidate(Serializable):
    """A suggested site (polygon in the grid's metric CRS) with its score and the reasons."""

    rank: int
    geometry: BaseGeometry
    area_ha: float
    score: float
    breakdown: tuple[CriterionScore, ...]
    rice_land_ha: float
    rice_threshold_ha: float
    rice_phasing_required: bool
    road_frontage_m: float
    nearest_road_name: str | None
    nearest_road_status: str | None
    nearest_road_distance_m: float | None
    mean_slope_pct: float
    max_flood_depth_m: float
    population_in_reach: int  # residents, whole people
    reasons: Message
    crs_epsg: int | None = None
    kind: str = "CCN"


#: The criteria as the score breakdown names them (msgids).
FACTOR_LABELS = {
    "road": N_("Near roads invested or under construction"),
    "infrastructure": N_("Near existing parks and clusters and the power grid"),
    "slope": N_("Slope"),
    "conversion": N_("Land conversion cost"),
    "population": N_("Population and labour within reach"),
    "flood": N_("Flood risk"),
}
#: Reasons counted in :attr:`Suitability.excluded_ha` (a cell may count under several).
EXCLUSION_REASONS = (
    "existing_areas",
    "proposals",
    "exclusion_zones",
    "water",
    "forest",
    "no_data",
    "built_up",
    "slope",
    "flood",
    "rice",
)
_LAYERS = ("dem", "landcover", "flood", "population")


@dataclass(frozen=True)
class Suitability:
    """Eligibility and total score on the full grid, with hectares excluded by each reason.

    ``eligible`` is a bool array, ``score`` a float32 array (0 outside eligible cells);
    ``excluded_ha`` counts corridor cells excluded by each reason (overlapping reasons count in
    each).
    """

    grid: Grid
    eligible: np.ndarray
    score: np.ndarray
    corridor_ha: float
    eligible_ha: float
    excluded_ha: Mapping[str, float]
    coarse_factor: int

    def summary(self) -> dict:
        """The hectares of the corridor, eligible and excluded by reason, as JSON-ready data."""
        return {
            "corridor_ha": self.corridor_ha,
            "eligible_ha": self.eligible_ha,
            "excluded_ha": dict(self.excluded_ha),
            "coarse_cell_m": self.grid.cell_size * self.coarse_factor,
        }


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def _grid_reader(grid, **arrays):
    """A window reader over in-memory arrays, after checking they all match the grid."""
    for name, a in arrays.items():
        if np.shape(a) != grid.shape:
            raise GridError(f"{name} has shape {np.shape(a)}, the grid is {grid.shape}")
    return array_reader(**arrays)


def suggest_sites(
    *,
    grid: Grid,
    dem: np.ndarray,
    landcover: np.ndarray,
    flood: np.ndarray,
    population: np.ndarray,
    roads: Iterable,
    existing_areas: Iterable[BaseGeometry] = (),
    power_lines: Iterable[BaseGeometry] = (),
    proposals: Iterable[BaseGeometry] = (),
    exclusion_zones: Iterable[BaseGeometry] = (),
    criteria: SiteCriteria = SiteCriteria(),
    landcover_classes: LandcoverClasses = LandcoverClasses(),
    block_rows: int | None = None,
) -> list[SiteCandidate]:
    """Rank compact candidate sites of legal size along invested roads.

    Parameters
    ----------
    grid : Grid
        The raster grid: north-up, square cells (10–30 m), projected metric CRS.
    dem : 2-D float array
        Elevation, metres (NaN = no data → excluded).
    landcover : 2-D integer array
        Land-cover codes (module table; ``landcover_classes`` to change it).
    flood : 2-D float array
        Flood depth, metres (NaN = not flooded).
    population : 2-D float array
        Residents per cell (NaN = 0).
    roads : iterable of RoadRecord or (geometry, status[, name]) tuples, or mapping of arrays
        Road centrelines in the grid CRS; status in ``planned``, ``under_construction``,
        ``invested``. Only ``criteria.road_statuses`` and ``road_classes`` are used
        (:func:`considered_roads`). Parallel arrays are accepted as
        ``{"geometry": [...], "status": [...], "name": [...]}``.
    existing_areas, power_lines, proposals, exclusion_zones : iterables of shapely geometries
        Existing KCN/CCN footprints, power lines or substations, other proposals, and extra hard
        exclusions (protected zones, river corridors …), grid CRS.
    criteria : SiteCriteria
    landcover_classes : LandcoverClasses
    block_rows : int, optional
        Rows per processing stripe (memory knob).

    Returns
    -------
    list of SiteCandidate
        Ranked best first (at most ``criteria.max_count``); polygons in the grid CRS.

    See the module docstring for the method, the land-cover table and an example.
    """
    return suggest_sites_windowed(
        grid=grid,
        read_window=_grid_reader(
            grid, dem=dem, landcover=landcover, flood=flood, population=population
        ),
        roads=roads,
        existing_areas=existing_areas,
        power_lines=power_lines,
        proposals=proposals,
        exclusion_zones=exclusion_zones,
        criteria=criteria,
        landcover_classes=landcover_classes,
        block_rows=block_rows,
    )


def suggest_sites_windowed(
    *,
    grid: Grid,
    read_window,
    roads: Iterable,
    existing_areas: Iterable[BaseGeometry] = (),
    power_lines: Iterable[BaseGeometry] = (),
    proposals: Iterable[BaseGeometry] = (),
    exclusion_zones: Iterable[BaseGeometry] = (),
    criteria: SiteCriteria = SiteCriteria(),
    landcover_classes: LandcoverClasses = LandcoverClasses(),
    block_rows: int | None = None,
    map_stripes: MapStripes | None = None,
) -> list[SiteCandidate]:
    """:func:`suggest_sites` reading the rasters window by window.

    ``read_window(window)`` returns a mapping with ``dem``, ``landcover``, ``flood`` and
    ``population`` arrays for a :class:`rasterio.windows.Window` of ``grid`` (see
    :func:`planning.analysis.rasters.dataset_reader` and ``array_reader``). Population is read
    once (first pass), the other layers once more stripe by stripe, and again only in small
    windows around the kept regions.

    ``map_stripes`` runs the stripes of steps 1–3 elsewhere (see :meth:`_Context.suitability`;
    ``read_window`` must then be picklable, e.g. :class:`~planning.analysis.rasters.PathReader`);
    the sites are the same wherever they ran. Region growing (step 4) runs here, over the whole
    grid: a site may cross any stripe's edge.
    """
    ctx = _Context.build(
        grid=grid,
        read_window=read_window,
        roads=roads,
        existing_areas=existing_areas,
        power_lines=power_lines,
        proposals=proposals,
        exclusion_zones=exclusion_zones,
        criteria=criteria,
        landcover_classes=landcover_classes,
        block_rows=block_rows,
    )
    suit = ctx.suitability(map_stripes)
    return ctx.grow_sites(suit)


def site_suitability(
    *,
    grid: Grid,
    dem: np.ndarray,
    landcover: np.ndarray,
    flood: np.ndarray,
    population: np.ndarray,
    roads: Iterable,
    existing_areas: Iterable[BaseGeometry] = (),
    power_lines: Iterable[BaseGeometry] = (),
    proposals: Iterable[BaseGeometry] = (),
    exclusion_zones: Iterable[BaseGeometry] = (),
    criteria: SiteCriteria = SiteCriteria(),
    landcover_classes: LandcoverClasses = LandcoverClasses(),
    block_rows: int | None = None,
) -> Suitability:
    """Steps 1–3 of :func:`suggest_sites` only: the eligible mask and the score surface.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import LineString
    >>> from planning.analysis.rasters import Grid
    >>> g = Grid.from_origin(0, 1000, cell_size=10, rows=100, cols=100)
    >>> z = np.zeros(g.shape, np.float32)
    >>> lc = np.full(g.shape, 6, np.uint8); lc[:, :10] = 4                  # a river on the west
    >>> s = site_suitability(grid=g, dem=z, landcover=lc, flood=z, population=z,
    ...     roads=[(LineString([(0, 500), (1000, 500)]), "invested")],
    ...     criteria=SiteCriteria(corridor_m=195))
    >>> s.corridor_ha, s.eligible_ha, s.excluded_ha["water"]
    (40.0, 36.0, 4.0)
    """
    return site_suitability_windowed(
        grid=grid,
        read_window=_grid_reader(
            grid, dem=dem, landcover=landcover, flood=flood, population=population
        ),
        roads=roads,
        existing_areas=existing_areas,
        power_lines=power_lines,
        proposals=proposals,
        exclusion_zones=exclusion_zones,
        criteria=criteria,
        landcover_classes=landcover_classes,
        block_rows=block_rows,
    )


def site_suitability_windowed(*, grid: Grid, read_window, roads: Iterable, **kwargs) -> Suitability:
    """:func:`site_suitability` reading the rasters window by window.

    See :func:`suggest_sites_windowed`.
    """
    return _Context.build(grid=grid, read_window=read_window, roads=roads, **kwargs).suitability()


# --------------------------------------------------------------------------------------------
# Implementation
# --------------------------------------------------------------------------------------------
def _geoms(items: Iterable) -> list[BaseGeometry]:
    """Non-empty geometries from geometries, AreaRecords or (id, geometry[, name]) tuples."""
    return [
        g for _, g, _ in as_named_geometries(x for x in items if x is not None) if not g.is_empty
    ]


def _as_codes(a: np.ndarray) -> np.ndarray:
    """Land-cover codes as uint8; codes outside 0–255 become 0 (no data)."""
    a = np.asarray(a)
    if a.dtype == np.uint8:
        return a
    if not np.issubdtype(a.dtype, np.integer):
        raise GridError(f"landcover must hold integer codes (got {a.dtype})")
    return np.where((a >= 0) & (a <= 255), a, 0).astype(np.uint8)


def _read(read_window, window: Window, names: Sequence[str]) -> Mapping[str, np.ndarray]:
    data = read_window(window)
    missing = [n for n in names if n not in data]
    if missing:
        raise GridError(f"read_window did not return {missing}")
    shape = (int(window.height), int(window.width))
    for n in names:
        if np.shape(data[n]) != shape:
            raise GridError(
                f"read_window returned {n} of shape {np.shape(data[n])} for a {shape} window"
            )
    return data


def stripe_layout(
    grid: Grid, criteria: SiteCriteria, block_rows: int | None = None
) -> tuple[int, int, int]:
    """``(coarse factor, rows per stripe, halo rows)`` of a run on ``grid``.

    A stripe holds ``block_rows`` rows (default ≈ 2 M cells), a whole number of coarse cells;
    the halo is what the built-up buffer and the slope read beyond it.
    """
    cs = grid.cell_size
    k = max(1, int(math.floor(criteria.factor_cell_m / cs + 1e-9)))
    if block_rows is None:
        block_rows = max(k, 2_000_000 // grid.cols)
    block_rows = max(k, -(-int(block_rows) // k) * k)
    return k, block_rows, max(1, int(math.floor(criteria.builtup_buffer_m / cs)))


def stripe_windows(
    grid: Grid, criteria: SiteCriteria, block_rows: int | None = None
) -> list[tuple[Window, Window, slice]]:
    """The stripes steps 1–3 of a run on ``grid`` read: ``(outer, inner, inner rows in outer)``."""
    k, rows, halo = stripe_layout(grid, criteria, block_rows)
    return list(iter_blocks(grid.shape, block_rows=rows, halo=halo, multiple_of=k))


def considered_roads(roads: Iterable, criteria: SiteCriteria) -> list[RoadRecord]:
    """The roads site suggestion follows, expressways replaced by their interchanges.

    Status in ``road_statuses``, class in ``road_classes`` (unknown class: kept); a road of an
    ``road_access_controlled`` class enters as its interchanges of a considered status.

    >>> from shapely import LineString, Point
    >>> from planning.analysis.records import AccessPoint
    >>> ct = RoadRecord(LineString([(0, 0), (9000, 0)]), "invested", "CT.34", "expressway",
    ...                 (AccessPoint(Point(3000, 0), "Nút giao QL1"),))
    >>> ql = RoadRecord(LineString([(0, 500), (9000, 500)]), "invested", "QL1", "national")
    >>> dt = RoadRecord(LineString([(0, 900), (9000, 900)]), "invested", "ĐT940", "provincial")
    >>> [r.name for r in considered_roads([ct, ql, dt], SiteCriteria())]
    ['ĐT940']
    >>> crit = SiteCriteria(road_classes=("expressway", "national"))
    >>> [(r.name, r.geometry.geom_type) for r in considered_roads([ct, ql, dt], crit)]
    [('CT.34 – Nút giao QL1', 'Point'), ('QL1', 'LineString')]
    """
    out = []
    for r in as_roads(roads):
        if r.status not in criteria.road_statuses or r.geometry.is_empty:
            continue
        if r.road_class and r.road_class not in criteria.road_classes:
            continue
        if r.road_class and r.road_class in criteria.road_access_controlled:
            for p in r.access_points:
                if p.status in criteria.road_statuses and not p.geometry.is_empty:
                    name = f"{r.name} – {p.name}" if r.name and p.name else (p.name or r.name)
                    out.append(RoadRecord(p.geometry, p.status, name, r.road_class))
            continue
        out.append(r)
    return out


@dataclass(frozen=True)
class _Stripe:
    """What a stripe of steps 1–3 gives back.

    Its first row, eligible cells, scores, the corridor cells each exclusion removed, and its
    corridor cells.
    """

    row: int
    ok: np.ndarray
    score: np.ndarray
    counts: Mapping[str, int]
    corridor_cells: int


MapStripes = Callable[[Callable, Sequence[tuple]], Iterable]


def call_method(context, method: str, args: tuple):
    """``context.method(*args)``: a task a worker runs.

    Importable without Django: a worker unpickles the task by this module's name.
    """
    return getattr(context, method)(*args)


def serial_map(fn: Callable, items: Sequence[tuple]) -> Iterator:
    """``map_stripes`` in this process, one stripe after the other."""
    for item in items:
        yield fn(*item)


@dataclass
class _Context:
    grid: Grid
    read_window: object
    crit: SiteCriteria
    lc: LandcoverClasses
    weights: dict[str, float]
    roads: list[RoadRecord]
    road_geoms: list[BaseGeometry]
    corridor_geoms: list[BaseGeometry]
    exclusions: dict[str, list[BaseGeometry]]
    k: int
    coarse: Grid
    road_score: np.ndarray
    infra_score: np.ndarray
    pop_focal: np.ndarray
    pop_score: np.ndarray
    block_rows: int
    halo: int

    # ---- preparation -----------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        *,
        grid,
        read_window,
        roads,
        existing_areas=(),
        power_lines=(),
        proposals=(),
        exclusion_zones=(),
        criteria=SiteCriteria(),
        landcover_classes=LandcoverClasses(),
        block_rows=None,
    ) -> _Context:
        if not isinstance(grid, Grid):
            raise GridError("grid must be a planning.analysis.rasters.Grid")
        crit = criteria
        records = considered_roads(roads, crit)
        road_geoms = [r.geometry for r in records]
        existing = _geoms(existing_areas)
        props = _geoms(proposals)
        power = _geoms(power_lines)
        k, block_rows, halo = stripe_layout(grid, crit, block_rows)
        coarse = grid.coarsen(k)
        ccs = coarse.cell_size

        def coarse_ramp(geoms, full, zero):
            if not geoms:
                return np.zeros(coarse.shape, np.float32)
            mask = rasterize_mask(geoms, coarse, all_touched=True)
            d = np.sqrt(capped_sq_distance(mask, zero / ccs)) * np.float32(ccs)
            return ramp_down(d, full, zero)

        road_score = coarse_ramp(road_geoms, crit.road_full_m, crit.road_zero_m)
        share = crit.infra_existing_share
        infra_score = np.float32(share) * coarse_ramp(
            existing, crit.infra_full_m, crit.infra_zero_m
        ) + np.float32(1 - share) * coarse_ramp(power, crit.infra_full_m, crit.infra_zero_m)
        # population: first pass over the rasters, block sums onto the coarse grid
        pop_coarse = np.zeros(coarse.shape, np.float64)
        for _, inner, _rows in iter_blocks(grid.shape, block_rows=block_rows, multiple_of=k):
            pop = _read(read_window, inner, ("population",))["population"]
            r0 = int(inner.row_off) // k
            part = block_sum(pop, k)
            pop_coarse[r0 : r0 + part.shape[0]] = part
        pop_focal = focal_sum_disc(pop_coarse, crit.population_reach_m / ccs)
        pop_score = np.minimum(pop_focal / crit.population_saturation, 1.0).astype(np.float32)

        def buf(geoms: list[BaseGeometry], distance: float) -> list[BaseGeometry]:
            if not geoms or distance <= 0:
                return list(geoms)
            return list(shapely.buffer(np.asarray(geoms, dtype=object), distance))

        return cls(
            grid=grid,
            read_window=read_window,
            crit=crit,
            lc=landcover_classes,
            weights=crit.weights.normalised(),
            roads=records,
            road_geoms=road_geoms,
            corridor_geoms=buf(road_geoms, crit.corridor_m),
            exclusions={
                "existing_areas": buf(existing, crit.setback_m),
                "proposals": buf(props, crit.proposal_setback_m),
                "exclusion_zones": _geoms(exclusion_zones),
            },
            k=k,
            coarse=coarse,
            road_score=road_score,
            infra_score=infra_score,
            pop_focal=pop_focal,
            pop_score=pop_score,
            block_rows=block_rows,
            halo=halo,
        )

    # ---- per-window factors ------------------------------------------------------------------
    def _local_factors(self, outer: Window, rows: slice, data: Mapping[str, np.ndarray]) -> dict:
        """Land cover, slope and flood of the inner rows of a window read with a halo."""
        lc = _as_codes(data["landcover"])
        slope = slope_percent(
            np.asarray(data["dem"], dtype=np.float32), self.grid.cell_size, rows=rows
        )
        flood = np.nan_to_num(np.asarray(data["flood"][rows], dtype=np.float32), nan=0.0)
        return {"lc_outer": lc, "lc": lc[rows], "slope": slope, "flood": flood}

    def _scores(
        self, slope: np.ndarray, lc: np.ndarray, flood: np.ndarray
    ) -> dict[str, np.ndarray]:
        crit = self.crit
        slope_s = ramp_down(
            np.nan_to_num(slope, nan=np.inf), crit.preferred_slope_pct, crit.max_slope_pct
        )
        if crit.flood_depth_max_m > 0:
            flood_s = ramp_down(flood, 0.0, crit.flood_depth_max_m)
        else:
            flood_s = (flood <= 0).astype(np.float32)
        conv = self.lc.conversion_lut()[lc]
        return {"slope": slope_s, "conversion": np.nan_to_num(conv, nan=0.0), "flood": flood_s}

    def _coarse_at(self, arr: np.ndarray, window: Window) -> np.ndarray:
        return upsample_bilinear(
            arr,
            self.k,
            row_start=int(window.row_off),
            nrows=int(window.height),
            col_start=int(window.col_off),
            ncols=int(window.width),
        )

    # ---- step 1–3: eligibility and score -----------------------------------------------------
    def stripes(self) -> list[tuple[Window, Window, slice]]:
        """The row stripes steps 1–3 work in: ``(outer, inner, inner rows in outer)``."""
        return list(
            iter_blocks(
                self.grid.shape, block_rows=self.block_rows, halo=self.halo, multiple_of=self.k
            )
        )

    def stripe(self, outer: Window, inner: Window, rows: slice) -> _Stripe | None:
        """Eligibility, score and exclusion counts of one stripe (None: no corridor in it).

        Reads only the stripe and its halo: a task's memory is its stripe, whichever process or
        machine runs it (``map_stripes`` of :meth:`suitability`).
        """
        grid, crit, lc_cls, w = self.grid, self.crit, self.lc, self.weights
        corridor = rasterize_mask(self.corridor_geoms, grid, window=inner)
        n_corr = int(np.count_nonzero(corridor))
        if n_corr == 0:
            return None
        lut = lc_cls.conversion_lut()
        data = _read(self.read_window, outer, ("dem", "landcover", "flood"))
        f = self._local_factors(outer, rows, data)
        lc = f["lc"]
        ex = {}
        for name, geoms in self.exclusions.items():
            ex[name] = rasterize_mask(geoms, grid, window=inner, all_touched=True)
        ex["water"] = np.isin(lc, lc_cls.water)
        ex["forest"] = np.isin(lc, lc_cls.forest)
        built = np.isin(f["lc_outer"], lc_cls.built_up)
        if crit.builtup_buffer_m > 0:
            ex["built_up"] = within_distance(
                built, cell_size=grid.cell_size, distance=crit.builtup_buffer_m, rows=rows
            )
        else:
            ex["built_up"] = built[rows]
        ex["no_data"] = np.isnan(lut[lc]) & ~ex["water"] & ~ex["forest"] & ~built[rows]
        ex["slope"] = ~(f["slope"] <= crit.max_slope_pct)  # NaN (no DEM) is excluded too
        ex["flood"] = f["flood"] > crit.flood_depth_max_m
        ex["rice"] = np.isin(lc, lc_cls.rice) if crit.exclude_rice else np.zeros_like(corridor)
        ok = corridor.copy()
        counts = dict.fromkeys(EXCLUSION_REASONS, 0)
        for name, m in ex.items():
            counts[name] += int(np.count_nonzero(m & corridor))
            ok &= ~m
        s = self._scores(f["slope"], lc, f["flood"])
        total = self._coarse_at(self.static_score(), inner)
        for name in ("slope", "conversion", "flood"):
            total += np.float32(w[name]) * s[name]
        total[~ok] = 0
        return _Stripe(int(inner.row_off), ok, total, counts, n_corr)

    def static_score(self) -> np.ndarray:
        """The weighted factors on the coarse grid that need no raster read, kept once computed.

        Road, infrastructure and population.
        """
        static = getattr(self, "_static", None)
        if static is None:
            w = self.weights
            static = self._static = (
                np.float32(w["road"]) * self.road_score
                + np.float32(w["infrastructure"]) * self.infra_score
                + np.float32(w["population"]) * self.pop_score
            )
        return static

    def suitability(self, map_stripes: MapStripes | None = None) -> Suitability:
        """Steps 1–3 over every stripe.

        ``map_stripes(fn, stripes)`` runs ``fn(*stripe)`` for each stripe and yields the results
        in any order (default: one after the other here; a Dask cluster:
        ``planning.services.analyses.distributed``). The result does not depend on where or in
        which order the stripes ran.
        """
        grid, k = self.grid, self.k
        eligible = np.zeros(grid.shape, dtype=bool)
        score = np.zeros(grid.shape, dtype=np.float32)
        counts = dict.fromkeys(EXCLUSION_REASONS, 0)
        corridor_cells = 0
        if not self.corridor_geoms:
            return Suitability(
                grid, eligible, score, 0.0, 0.0, {r: 0.0 for r in EXCLUSION_REASONS}, k
            )
        self.static_score()
        for part in (map_stripes or serial_map)(self.stripe, self.stripes()):
            if part is None:
                continue
            r1 = part.row + part.ok.shape[0]
            eligible[part.row : r1] = part.ok
            score[part.row : r1] = part.score
            corridor_cells += part.corridor_cells
            for name, n in part.counts.items():
                counts[name] += n
        ha = grid.cell_area_m2 / 10_000
        return Suitability(
            grid=grid,
            eligible=eligible,
            score=score,
            corridor_ha=round(corridor_cells * ha, 6),
            eligible_ha=round(int(np.count_nonzero(eligible)) * ha, 6),
            excluded_ha={r: round(c * ha, 6) for r, c in counts.items()},
            coarse_factor=k,
        )

    # ---- step 4: regions ---------------------------------------------------------------------
    def grow_sites(self, suit: Suitability) -> list[SiteCandidate]:
        grid, crit, k = self.grid, self.crit, self.k
        cs, cell_m2 = grid.cell_size, grid.cell_area_m2
        low_ha, high_ha = crit.area_range_ha()
        target_m2 = crit.resolved_target_ha() * 10_000
        target_cells = max(1, int(math.floor(target_m2 / cell_m2 + 1e-9)))
        min_cells = int(math.ceil(low_ha * 10_000 / cell_m2 - 1e-9))
        tol = cs / 2 if crit.simplify_tolerance_m is None else crit.simplify_tolerance_m
        radius = int(math.ceil(2 * math.sqrt(high_ha * 10_000) / cs))
        r_target = max(1.0, math.sqrt(target_cells / math.pi))
        available = suit.eligible  # consumed in place (suit is private to this run)
        score = suit.score
        seed_sum = block_sum(score, k)
        half = max(0, int(round(math.sqrt(target_m2) / (cs * k) / 2)))
        potential = box_sum(seed_sum, half).ravel()
        idx = np.flatnonzero(potential > 0)
        order = idx[np.lexsort((idx, -potential[idx]))]
        max_attempts = crit.max_attempts or 20 * crit.max_count
        kept: list[tuple[BaseGeometry, Window, np.ndarray, int]] = []
        attempts = 0
        wc = self.coarse.cols
        for ci in order.tolist():
            if len(kept) >= crit.max_count or attempts >= max_attempts:
                break
            cy, cx = divmod(ci, wc)
            br, bc = cy * k, cx * k
            blk_av = available[br : br + k, bc : bc + k]
            if not blk_av.any():
                continue
            blk = np.where(blk_av, score[br : br + k, bc : bc + k], -np.inf)
            sr, sc_ = divmod(int(np.argmax(blk)), blk.shape[1])
            seed = (br + sr, bc + sc_)
            attempts += 1
            win, cells = _grow(
                available, score, seed, radius, target_cells, crit.compactness / r_target
            )
            if len(cells) < min_cells:
                _mark(available, win, cells)
                continue
            poly = _vectorise(cells, win, grid, tol, low_ha, high_ha)
            _mark(available, win, cells)
            if poly is None:
                continue
            kept.append((poly, win, cells, attempts))
            if crit.min_spacing_m > 0 or tol > 0:
                zone = shapely.buffer(poly, crit.min_spacing_m + tol)
                zw = grid.window_for_bounds(zone.bounds, pad_cells=1)
                if zw is not None:
                    m = rasterize_mask([zone], grid, window=zw, all_touched=True)
                    r0, c0 = int(zw.row_off), int(zw.col_off)
                    available[r0 : r0 + m.shape[0], c0 : c0 + m.shape[1]] &= ~m
        return self._report(kept)

    # ---- step 5: report ---------------------------------------------------------------------
    def _report(self, kept) -> list[SiteCandidate]:
        grid, crit, w = self.grid, self.crit, self.weights
        cell_ha = grid.cell_area_m2 / 10_000
        tree = shapely.STRtree(self.road_geoms) if self.road_geoms else None
        road_union = shapely.union_all(self.road_geoms) if self.road_geoms else None
        threshold = crit.rice_threshold_ha()
        out = []
        for poly, win, cells, order in kept:
            rr, cc = np.divmod(cells, int(win.width))
            r0, c0 = int(rr.min()), int(cc.min())
            sub = Window(
                int(win.col_off) + c0,
                int(win.row_off) + r0,
                int(cc.max()) - c0 + 1,
                int(rr.max()) - r0 + 1,
            )
            outer = Window(
                sub.col_off,
                max(0, sub.row_off - 1),
                sub.width,
                min(grid.rows, sub.row_off + sub.height + 1) - max(0, sub.row_off - 1),
            )
            rows = slice(sub.row_off - outer.row_off, sub.row_off - outer.row_off + sub.height)
            f = self._local_factors(
                outer, rows, _read(self.read_window, outer, ("dem", "landcover", "flood"))
            )
            s = self._scores(f["slope"], f["lc"], f["flood"])
            s["road"] = self._coarse_at(self.road_score, sub)
            s["infrastructure"] = self._coarse_at(self.infra_score, sub)
            s["population"] = self._coarse_at(self.pop_score, sub)
            sel = (rr - r0, cc - c0)
            breakdown = []
            for name in crit.weights.names():
                mean = float(np.mean(s[name][sel], dtype=np.float64))
                breakdown.append(
                    CriterionScore(
                        name=name,
                        label=Message(FACTOR_LABELS[name]),
                        weight=round(w[name], 6),
                        mean_value=round(mean, 6),
                        contribution=round(w[name] * mean, 6),
                    )
                )
            total = round(sum(b.contribution for b in breakdown), 6)
            rice_ha = round(int(np.count_nonzero(np.isin(f["lc"][sel], self.lc.rice))) * cell_ha, 4)
            mean_slope = float(np.mean(f["slope"][sel], dtype=np.float64))
            max_flood = float(np.max(f["flood"][sel]))
            pop = self._population_at(poly)
            name = status = dist = None
            frontage = 0.0
            if tree is not None:
                idx, dists = tree.query_nearest(poly, return_distance=True, all_matches=True)
                j = int(np.min(idx))
                rec = self.roads[j]
                name, status, dist = rec.name, rec.status, round(float(np.min(dists)), 2)
                frontage = round(
                    float(
                        shapely.length(
                            shapely.intersection(
                                road_union, shapely.buffer(poly, crit.frontage_buffer_m)
                            )
                        )
                    ),
                    2,
                )
            phasing = rice_ha > threshold
            out.append(
                (
                    total,
                    order,
                    SiteCandidate(
                        rank=0,
                        geometry=poly,
                        area_ha=round(poly.area / 10_000, 4),
                        score=total,
                        breakdown=tuple(breakdown),
                        rice_land_ha=rice_ha,
                        rice_threshold_ha=threshold,
                        rice_phasing_required=phasing,
                        road_frontage_m=frontage,
                        nearest_road_name=name,
                        nearest_road_status=status,
                        nearest_road_distance_m=dist,
                        mean_slope_pct=round(mean_slope, 3),
                        max_flood_depth_m=round(max_flood, 3),
                        population_in_reach=round(pop),  # whole people
                        reasons=_reasons(
                            name,
                            status,
                            dist,
                            mean_slope,
                            rice_ha,
                            phasing,
                            threshold,
                            max_flood,
                            pop,
                            crit.population_reach_m,
                        ),
                        crs_epsg=grid.crs_epsg,
                        kind=crit.kind,
                    ),
                )
            )
        out.sort(key=lambda t: (-t[0], t[1]))
        return [_with_rank(c, i + 1) for i, (_, _, c) in enumerate(out)]

    def _population_at(self, poly: BaseGeometry) -> float:
        p = poly.centroid if poly.contains(poly.centroid) else poly.representative_point()
        t = self.coarse.transform
        col = int(math.floor((p.x - t.c) / t.a))
        row = int(math.floor((p.y - t.f) / t.e))
        row = min(max(row, 0), self.coarse.rows - 1)
        col = min(max(col, 0), self.coarse.cols - 1)
        return float(self.pop_focal[row, col])


def _with_rank(c: SiteCandidate, rank: int) -> SiteCandidate:
    from dataclasses import replace

    return replace(c, rank=rank)


def _grow(available, score, seed, radius, target_cells, penalty):
    """Best-first region growing around ``seed``; returns (window, flat cell indices in window).

    Priority of a cell = score − penalty × distance from the seed (cells); ties → lowest index.
    """
    rows, cols = available.shape
    sr, sc = seed
    r0, r1 = max(0, sr - radius), min(rows, sr + radius + 1)
    c0, c1 = max(0, sc - radius), min(cols, sc + radius + 1)
    win = Window(c0, r0, c1 - c0, r1 - r0)
    h, wdt = r1 - r0, c1 - c0
    av = bytearray(np.ascontiguousarray(available[r0:r1, c0:c1]).tobytes())
    yy = (np.arange(r0, r1) - sr).astype(np.float64)[:, None]
    xx = (np.arange(c0, c1) - sc).astype(np.float64)[None, :]
    pri = (
        (score[r0:r1, c0:c1].astype(np.float64) - penalty * np.sqrt(yy * yy + xx * xx))
        .ravel()
        .tolist()
    )
    s = (sr - r0) * wdt + (sc - c0)
    queued = bytearray(h * wdt)
    queued[s] = 1
    heap = [(-pri[s], s)]
    taken = []
    push, pop = heapq.heappush, heapq.heappop
    while heap and len(taken) < target_cells:
        _, f = pop(heap)
        taken.append(f)
        r, c = divmod(f, wdt)
        if c > 0:
            n = f - 1
            if av[n] and not queued[n]:
                queued[n] = 1
                push(heap, (-pri[n], n))
        if c < wdt - 1:
            n = f + 1
            if av[n] and not queued[n]:
                queued[n] = 1
                push(heap, (-pri[n], n))
        if r > 0:
            n = f - wdt
            if av[n] and not queued[n]:
                queued[n] = 1
                push(heap, (-pri[n], n))
        if r < h - 1:
            n = f + wdt
            if av[n] and not queued[n]:
                queued[n] = 1
                push(heap, (-pri[n], n))
    return win, np.array(sorted(taken), dtype=np.int64)


def _mark(available, win: Window, cells: np.ndarray) -> None:
    r0, c0, w = int(win.row_off), int(win.col_off), int(win.width)
    rr, cc = np.divmod(cells, w)
    available[rr + r0, cc + c0] = False


def _vectorise(cells, win: Window, grid: Grid, tol: float, low_ha: float, high_ha: float):
    """Polygon of the region's cells (simplified, valid), or None if outside the legal range."""
    w = int(win.width)
    rr, cc = np.divmod(cells, w)
    r0, c0 = int(rr.min()), int(cc.min())
    mask = np.zeros((int(rr.max()) - r0 + 1, int(cc.max()) - c0 + 1), dtype=np.uint8)
    mask[rr - r0, cc - c0] = 1
    sub = Window(int(win.col_off) + c0, int(win.row_off) + r0, mask.shape[1], mask.shape[0])
    parts = [
        _shape(g)
        for g, _ in rasterio.features.shapes(
            mask, mask=mask.astype(bool), connectivity=4, transform=grid.window_transform(sub)
        )
    ]
    exact = shapely.union_all(parts) if len(parts) > 1 else parts[0]
    exact = shapely.make_valid(exact)

    def legal(g) -> bool:
        return (
            g.geom_type in ("Polygon", "MultiPolygon")
            and low_ha - 1e-9 <= g.area / 10_000 <= high_ha + 1e-9
        )

    if tol > 0:
        simple = shapely.make_valid(shapely.simplify(exact, tol, preserve_topology=True))
        if legal(simple):
            return simple
    return exact if legal(exact) else None


def _reasons(
    name, status, dist, mean_slope, rice_ha, phasing, threshold, max_flood, pop, reach_m
) -> Message:
    parts: list[Message] = []
    if status is not None:
        params = {
            "road": name,
            "status": Message(ROAD_STATUS_NAMES[status]) if status in ROAD_STATUS_NAMES else status,
            "distance": distance(dist),
        }
        if dist < 1:
            msgid = (
                N_("Adjoins road %(road)s (%(status)s)")
                if name
                else N_("Adjoins an unnamed road (%(status)s)")
            )
        else:
            msgid = (
                N_("%(distance)s from road %(road)s (%(status)s)")
                if name
                else N_("%(distance)s from an unnamed road (%(status)s)")
            )
        parts.append(Message(msgid, params))
    else:
        parts.append(Message(N_("No road considered")))
    parts.append(Message(N_("mean slope %(slope)s %%"), {"slope": number(mean_slope, 1)}))
    if rice_ha > 0:
        rice = {"rice": number(rice_ha, 1), "threshold": number(threshold)}
        if phasing:
            parts.append(
                Message(N_("%(rice)s ha of rice land (over %(threshold)s ha, to be phased)"), rice)
            )
        else:
            parts.append(Message(N_("%(rice)s ha of rice land"), rice))
    else:
        parts.append(Message(N_("no rice land")))
    if max_flood <= 0:
        parts.append(Message(N_("no flooding")))
    else:
        parts.append(Message(N_("flood depth up to %(depth)s m"), {"depth": number(max_flood, 1)}))
    parts.append(
        Message(
            N_("%(people)s residents within %(reach)s km"),
            {
                "people": number(round(pop, -2)),
                "reach": number(reach_m / 1000, 0 if reach_m % 1000 == 0 else 1),
            },
        )
    )
    return Message("%(reasons)s.", {"reasons": join(parts)})
