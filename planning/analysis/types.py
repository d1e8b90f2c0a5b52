"""Frozen dataclasses shared by the analyses: input records, criteria and results.

Conventions
-----------
* Every geometry is a shapely geometry in **one projected, metric CRS** (a VN-2000 TM-3 zone such
  as EPSG:9217 for Bình Định or EPSG:9209 for Sóc Trăng); distances are metres, areas hectares
  unless a name says otherwise (``_m2``).
* Money is in billions of VND (``_bn_vnd``, tỷ đồng); shares are fractions in [0, 1], not %.
* Criteria are keyword-only frozen dataclasses whose defaults come from ``DOMAIN.md``; a default
  marked ASSUMPTION or NOT CONFIRMED there is a parameter here, never a constant in the code.
* Results have ``to_dict()`` returning JSON-ready data (geometries as GeoJSON mappings, dates as
  ISO strings, NaN as ``None``).

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

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from shapely.geometry import mapping as _geojson
from shapely.geometry.base import BaseGeometry

from planning.analysis.errors import CriteriaError, RecordError

# --------------------------------------------------------------------------------------------
# Vocabularies (same values as the model choices in planning/models; repeated here so that the
# analyses never import Django).
# --------------------------------------------------------------------------------------------
KINDS = ("KCN", "CCN")
AREA_STATUSES = ("planned", "established", "clearing", "building", "operating", "revoked")
#: Statuses that count as "established" (đã thành lập): Decree 35 abolished the separate
#: establishment procedure for KCN; we count every status from ``established`` on (DOMAIN §1.1).
ESTABLISHED_STATUSES = ("established", "clearing", "building", "operating")
ROAD_STATUSES = ("planned", "under_construction", "invested")
PROJECT_STATUSES = ("registered", "building", "operating", "stalled", "revoked")
DEVELOPER_KINDS = ("state", "enterprise", "cooperative")

#: Rice land (2+ crops) above which conversion must be phased, by region (DOMAIN §1.4, Decree
#: 35/2022 Art. 9). ``other`` (100 ha) is NOT CONFIRMED: the excerpt was truncated.
RICE_PHASING_THRESHOLDS_HA: Mapping[str, float] = {
    "mekong": 200.0,
    "red_river": 200.0,
    "central_coast": 150.0,
    "north_central": 150.0,
    "southeast": 150.0,
    "other": 100.0,
}


# --------------------------------------------------------------------------------------------
# JSON helpers
# --------------------------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    # Fast paths for the common leaves (a report has tens of thousands of them).
    if value is None or type(value) is str:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else None
    if type(value) is int or type(value) is bool:
        return value
    if type(value) is dict:
        return {str(k): _leaf(v) for k, v in value.items()}
    if type(value) is list:
        return [_leaf(v) for v in value]
    if hasattr(type(value), "__dataclass_fields__") and not isinstance(value, type):
        return {name: _leaf(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, BaseGeometry):
        return None if value.is_empty else _jsonable(_geojson(value))
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


_PLAIN = frozenset((str, int, bool, type(None)))


def _leaf(value: Any) -> Any:
    """:func:`_jsonable` with the plain leaves answered here (one call fewer for most values)."""
    t = type(value)
    if t in _PLAIN:
        return value
    if t is float:
        return value if math.isfinite(value) else None
    return _jsonable(value)


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


class Serializable:
    """Mixin: ``to_dict()`` turns a (nested) dataclass into JSON-ready data."""

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(self)


def _positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    ok = value >= 0 if allow_zero else value > 0
    if not (
        isinstance(value, (int, float, np.integer, np.floating)) and math.isfinite(value) and ok
    ):
        raise CriteriaError(f"{name} must be {'>=' if allow_zero else '>'} 0 (got {value!r})")


def _as_float(obj: Any, name: str) -> float:
    """Coerce a numeric field (int, Decimal, numpy scalar) of a frozen record to float."""
    value = getattr(obj, name)
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise RecordError(f"{type(obj).__name__}.{name} must be a number (got {value!r})") from None
    object.__setattr__(obj, name, value)
    return value


def _share(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and 0 <= value <= 1):
        raise CriteriaError(f"{name} must be a share in [0, 1] (got {value!r})")


# --------------------------------------------------------------------------------------------
# Shared criteria
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class AreaLimits(Serializable):
    """Legal size range of a new area, hectares.

    CCN 10–75 ha, 5–75 ha in mountainous districts and for craft-village clusters (DOMAIN §2.2,
    confirmed; the minimum is treated as inclusive and flagged for legal review). KCN 100–500 ha
    is an ASSUMPTION: 500 ha is the Decree 35 Art. 9 phase limit (larger parks are phased), the
    100 ha minimum is the rule of thumb of DOMAIN §3.1, not law.

    Examples
    --------
    >>> AreaLimits().range_for("CCN", is_craft_village=True)
    (5.0, 75.0)
    """

    ccn_min_ha: float = 10.0
    ccn_max_ha: float = 75.0
    ccn_special_min_ha: float = 5.0
    kcn_min_ha: float = 100.0
    kcn_max_ha: float = 500.0

    def __post_init__(self) -> None:
        for name in ("ccn_min_ha", "ccn_max_ha", "ccn_special_min_ha", "kcn_min_ha", "kcn_max_ha"):
            _positive(name, getattr(self, name))
        if not (self.ccn_special_min_ha <= self.ccn_min_ha < self.ccn_max_ha):
            raise CriteriaError("need ccn_special_min_ha <= ccn_min_ha < ccn_max_ha")
        if not self.kcn_min_ha < self.kcn_max_ha:
            raise CriteriaError("need kcn_min_ha < kcn_max_ha")

    def range_for(
        self, kind: str, *, is_mountainous: bool = False, is_craft_village: bool = False
    ) -> tuple[float, float]:
        """(min, max) hectares for ``kind`` ("KCN" or "CCN")."""
        if kind == "CCN":
            low = (
                self.ccn_special_min_ha if (is_mountainous or is_craft_village) else self.ccn_min_ha
            )
            return float(low), float(self.ccn_max_ha)
        if kind == "KCN":
            return float(self.kcn_min_ha), float(self.kcn_max_ha)
        raise CriteriaError(f"kind must be one of {KINDS} (got {kind!r})")


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
    names_vi: tuple[tuple[int, str], ...] = (
        (0, "không dữ liệu"),
        (1, "đất lúa 2 vụ"),
        (2, "cây hằng năm khác"),
        (3, "rừng"),
        (4, "mặt nước"),
        (5, "đất xây dựng, khu dân cư"),
        (6, "đất trống, chưa sử dụng"),
        (7, "cây lâu năm"),
    )

    def __post_init__(self) -> None:
        for code, score in self.conversion_scores:
            if not (0 <= int(code) <= 255):
                raise CriteriaError(f"land-cover codes are uint8 (got {code})")
            _share(f"conversion score of code {code}", score)
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
            _positive(name, getattr(self, name), allow_zero=True)
        if sum(getattr(self, n) for n in self.names()) <= 0:
            raise CriteriaError("at least one weight must be > 0")

    @staticmethod
    def names() -> tuple[str, ...]:
        return ("road", "infrastructure", "slope", "conversion", "population", "flood")

    def normalised(self) -> dict[str, float]:
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
    """

    kind: str = "CCN"
    is_mountainous: bool = False
    is_craft_village: bool = False
    area_limits: AreaLimits = field(default_factory=AreaLimits)
    target_area_ha: float | None = None
    corridor_m: float = 2000.0
    road_statuses: tuple[str, ...] = ("invested", "under_construction")
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
            _positive(name, getattr(self, name))
        for name in (
            "setback_m",
            "proposal_setback_m",
            "builtup_buffer_m",
            "flood_depth_max_m",
            "min_spacing_m",
            "compactness",
            "frontage_buffer_m",
        ):
            _positive(name, getattr(self, name), allow_zero=True)
        _share("infra_existing_share", self.infra_existing_share)
        if self.preferred_slope_pct >= self.max_slope_pct:
            raise CriteriaError("preferred_slope_pct must be < max_slope_pct")
        if self.road_full_m >= self.road_zero_m or self.infra_full_m >= self.infra_zero_m:
            raise CriteriaError("full-score distances must be < zero-score distances")
        bad = set(self.road_statuses) - set(ROAD_STATUSES)
        if bad or not self.road_statuses:
            raise CriteriaError(f"road_statuses must be a non-empty subset of {ROAD_STATUSES}")
        if self.region not in RICE_PHASING_THRESHOLDS_HA:
            raise CriteriaError(
                f"region must be one of {sorted(RICE_PHASING_THRESHOLDS_HA)} (got {self.region!r})"
            )
        if not (isinstance(self.max_count, int) and self.max_count >= 1):
            raise CriteriaError(f"max_count must be an integer >= 1 (got {self.max_count!r})")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise CriteriaError("max_attempts must be >= 1")
        if self.simplify_tolerance_m is not None:
            _positive("simplify_tolerance_m", self.simplify_tolerance_m, allow_zero=True)
        low, high = self.area_range_ha()
        if self.target_area_ha is not None and not (low <= self.target_area_ha <= high):
            raise CriteriaError(
                f"target_area_ha must lie in the legal range {low:g}–{high:g} ha (got {self.target_area_ha!r})"
            )

    def area_range_ha(self) -> tuple[float, float]:
        return self.area_limits.range_for(
            self.kind, is_mountainous=self.is_mountainous, is_craft_village=self.is_craft_village
        )

    def resolved_target_ha(self) -> float:
        if self.target_area_ha is not None:
            return float(self.target_area_ha)
        low, high = self.area_range_ha()
        return (low + high) / 2

    def rice_threshold_ha(self) -> float:
        return float(RICE_PHASING_THRESHOLDS_HA[self.region])


# --------------------------------------------------------------------------------------------
# Input records (plain data the services build from the ORM)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoadRecord(Serializable):
    """A road centreline in the metric CRS with its investment status and display name."""

    geometry: BaseGeometry
    status: str = "invested"
    name: str = ""

    def __post_init__(self) -> None:
        if self.status not in ROAD_STATUSES:
            raise RecordError(f"road status must be one of {ROAD_STATUSES} (got {self.status!r})")


@dataclass(frozen=True)
class NetworkFeature(Serializable):
    """A piece of infrastructure outside the fence: a road, power line/substation, water main/plant.

    ``network`` is ``"road"``, ``"power"`` or ``"water"``; ``kind`` the finer type
    (``power_hv``, ``substation``, ``water_plant`` …) used in messages.
    """

    geometry: BaseGeometry
    network: str
    status: str = "invested"
    name: str = ""
    kind: str = ""

    def __post_init__(self) -> None:
        if self.network not in ("road", "power", "water"):
            raise RecordError(f"network must be road, power or water (got {self.network!r})")
        if self.status not in ROAD_STATUSES:
            raise RecordError(f"status must be one of {ROAD_STATUSES} (got {self.status!r})")


@dataclass(frozen=True, kw_only=True)
class AreaRecord(Serializable):
    """One KCN or CCN as the analyses see it (hectares, shares 0–1, money in bn VND).

    ``units`` maps an aggregation level to the unit key the area was reported under, e.g.
    ``{"commune": "21907", "district": "540", "province": "52"}`` (DOMAIN §5: the level used for
    the Decree 32 "district" conditions is configurable).
    """

    id: Hashable
    kind: str
    status: str = "operating"
    planned_ha: float = 0.0
    leasable_ha: float = 0.0
    leased_ha: float = 0.0
    green_ha: float = 0.0
    shared_infra_ha: float = 0.0
    name: str = ""
    province: str = ""
    units: Mapping[str, Hashable] = field(default_factory=dict)
    developer_id: Hashable | None = None
    developer_kind: str | None = None
    transferred: bool = False
    total_investment_bn_vnd: float | None = None
    is_mountainous: bool = False
    is_craft_village: bool = False
    isolation_strip_m: float | None = None
    wwtp_operating: bool = False
    symbiosis_links: int | None = None
    power_done_pct: float | None = None
    water_done_pct: float | None = None
    wastewater_done_pct: float | None = None
    roads_done_pct: float | None = None
    enterprise_shares: Mapping[str, float] = field(default_factory=dict)
    geometry: BaseGeometry | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise RecordError(f"area {self.id!r}: kind must be one of {KINDS} (got {self.kind!r})")
        if self.status not in AREA_STATUSES:
            raise RecordError(
                f"area {self.id!r}: status must be one of {AREA_STATUSES} (got {self.status!r})"
            )
        for name in ("planned_ha", "leasable_ha", "leased_ha", "green_ha", "shared_infra_ha"):
            value = _as_float(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise RecordError(
                    f"area {self.id!r}: {name} must be a finite number >= 0 (got {value!r})"
                )
        if self.developer_kind is not None and self.developer_kind not in DEVELOPER_KINDS:
            raise RecordError(f"area {self.id!r}: developer_kind must be one of {DEVELOPER_KINDS}")
        for name in (
            "total_investment_bn_vnd",
            "isolation_strip_m",
            "power_done_pct",
            "water_done_pct",
            "wastewater_done_pct",
            "roads_done_pct",
        ):
            if getattr(self, name) is not None:
                _as_float(self, name)


@dataclass(frozen=True, kw_only=True)
class ParcelRecord(Serializable):
    """A clearance parcel (GPMB): hectares and status (``handed_over`` = cleared)."""

    id: Hashable
    area_id: Hashable
    area_ha: float
    status: str = "not_started"
    land_use: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(_as_float(self, "area_ha")) and self.area_ha >= 0):
            raise RecordError(f"parcel {self.id!r}: area_ha must be >= 0")


@dataclass(frozen=True, kw_only=True)
class ProjectRecord(Serializable):
    """A secondary project (dự án thứ cấp) leasing land in an area."""

    id: Hashable
    area_id: Hashable
    leased_ha: float
    registered_capital_bn_vnd: float = 0.0
    disbursed_capital_bn_vnd: float = 0.0
    planned_jobs: int = 0
    actual_jobs: int = 0
    annual_tax_bn_vnd: float | None = None
    status: str = "registered"
    name: str = ""
    registered_on: dt.date | None = None
    operation_planned: dt.date | None = None
    operation_actual: dt.date | None = None

    def __post_init__(self) -> None:
        if self.status not in PROJECT_STATUSES:
            raise RecordError(f"project {self.id!r}: status must be one of {PROJECT_STATUSES}")
        for name in (
            "leased_ha",
            "registered_capital_bn_vnd",
            "disbursed_capital_bn_vnd",
            "planned_jobs",
            "actual_jobs",
        ):
            value = _as_float(self, name) if not name.endswith("jobs") else getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise RecordError(f"project {self.id!r}: {name} must be >= 0 (got {value!r})")
        if self.annual_tax_bn_vnd is not None and not _as_float(self, "annual_tax_bn_vnd") >= 0:
            raise RecordError(f"project {self.id!r}: annual_tax_bn_vnd must be >= 0")


@dataclass(frozen=True, kw_only=True)
class DeveloperRecord(Serializable):
    """An infrastructure developer (chủ đầu tư hạ tầng) with its audited own capital."""

    id: Hashable
    kind: str
    name: str = ""
    own_capital_bn_vnd: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in DEVELOPER_KINDS:
            raise RecordError(f"developer {self.id!r}: kind must be one of {DEVELOPER_KINDS}")
        if self.own_capital_bn_vnd is not None:
            _as_float(self, "own_capital_bn_vnd")


@dataclass(frozen=True)
class TargetRecord(Serializable):
    """A yearly target assigned by the province: (area, year, indicator, value)."""

    area_id: Hashable
    year: int
    indicator: str
    value: float


@dataclass(frozen=True)
class ActualRecord(Serializable):
    """The reported actual of one indicator for one area and year."""

    area_id: Hashable
    year: int
    indicator: str
    value: float


# --------------------------------------------------------------------------------------------
# Shared results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class RuleResult(Serializable):
    """The outcome of one rule check, in Vietnamese and English, with its legal basis.

    ``passed`` is ``None`` when the rule could not be evaluated (missing data); the messages
    say what is missing. ``measured`` and ``limit`` are in ``unit``.
    """

    rule: str
    passed: bool | None
    message_vi: str
    message_en: str
    citation: str
    measured: float | None = None
    limit: float | None = None
    unit: str = ""


@dataclass(frozen=True, kw_only=True)
class CriterionScore(Serializable):
    """One criterion of a candidate: mean normalised value (0–1) and weighted contribution."""

    name: str
    label_vi: str
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
    reasons: str
    crs_epsg: int | None = None
    kind: str = "CCN"


# Land-use efficiency ------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class EfficiencyCriteria(Serializable):
    """Thresholds of the Decree 32/2024 conditions (DOMAIN §2.3, confirmed) and what is counted.

    ``counted_statuses``: areas that count as "existing" in a unit (established onwards).
    ``occupancy_average``: ``"area_weighted"`` (Σ leased ÷ Σ leasable, default) or ``"simple"``
    (mean of the areas' occupancies) — the decree says "bình quân" without saying which.
    """

    new_ccn_min_occupancy: float = 0.5  # strictly greater than
    new_ccn_max_unleased_ha: float = 100.0  # at most
    expansion_min_occupancy: float = 0.6  # at least
    expansion_max_ha: float = 75.0
    counted_statuses: tuple[str, ...] = ESTABLISHED_STATUSES
    occupancy_average: str = "area_weighted"

    def __post_init__(self) -> None:
        _share("new_ccn_min_occupancy", self.new_ccn_min_occupancy)
        _share("expansion_min_occupancy", self.expansion_min_occupancy)
        _positive("new_ccn_max_unleased_ha", self.new_ccn_max_unleased_ha, allow_zero=True)
        _positive("expansion_max_ha", self.expansion_max_ha)
        if self.occupancy_average not in ("area_weighted", "simple"):
            raise CriteriaError("occupancy_average must be 'area_weighted' or 'simple'")
        if set(self.counted_statuses) - set(AREA_STATUSES):
            raise CriteriaError(f"counted_statuses must be a subset of {AREA_STATUSES}")


@dataclass(frozen=True, kw_only=True)
class AreaEfficiency(Serializable):
    """Land-use efficiency of one area (ratios in [0, 1]; ``None`` when the denominator is 0)."""

    area_id: Hashable
    name: str
    kind: str
    status: str
    units: Mapping[str, Hashable]
    planned_ha: float
    leasable_ha: float
    leased_ha: float
    unleased_ha: float
    occupancy: float | None
    leasable_share: float | None
    clearance_parcel_ha: float
    clearance_handed_over_ha: float
    clearance_progress: float | None
    idle_cleared_ha: float | None
    n_projects: int
    n_operating: int
    build_out: float | None
    registered_capital_per_ha: float | None
    disbursed_capital_per_ha: float | None
    disbursement_ratio: float | None
    jobs_per_ha: float | None
    planned_jobs_per_ha: float | None
    tax_per_ha: float | None
    expansion: RuleResult
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class UnitEfficiency(Serializable):
    """Areas of one kind aggregated over one administrative unit."""

    level: str
    unit: Hashable
    kind: str
    area_ids: tuple[Hashable, ...]
    n_counted: int
    planned_ha: float
    leasable_ha: float
    leased_ha: float
    unleased_ha: float
    occupancy: float | None  # area-weighted
    mean_occupancy: float | None  # simple mean over counted areas with leasable land
    new_area_rule: RuleResult


# Targets -------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class TargetMiss(Serializable):
    year: int
    indicator: str
    target: float
    actual: float | None  # None: no actual reported


@dataclass(frozen=True, kw_only=True)
class WatchEntry(Serializable):
    """An area that missed assigned targets in ``consecutive_years`` consecutive years."""

    area_id: Hashable
    area_name: str
    developer_id: Hashable | None
    years: tuple[int, ...]
    misses: tuple[TargetMiss, ...]
    message_vi: str
    citation: str


@dataclass(frozen=True, kw_only=True)
class CapacityItem(Serializable):
    area_id: Hashable
    land_ha: float
    total_investment_bn_vnd: float | None
    min_share: float
    required_bn_vnd: float | None


@dataclass(frozen=True, kw_only=True)
class CapacityCheck(Serializable):
    """Own capital of a developer against the minimum share of its areas' total investment."""

    developer_id: Hashable
    developer_name: str
    own_capital_bn_vnd: float | None
    required_bn_vnd: float
    passed: bool | None
    items: tuple[CapacityItem, ...]
    message_vi: str
    citation: str


@dataclass(frozen=True, kw_only=True)
class TransferCandidate(Serializable):
    """A state-developed cluster not yet transferred to an enterprise."""

    area_id: Hashable
    area_name: str
    developer_id: Hashable | None
    status: str
    occupancy: float | None
    unleased_ha: float
    message_vi: str
    citation: str


@dataclass(frozen=True, kw_only=True)
class LaggingProject(Serializable):
    """A secondary project behind schedule or stalled, with the land it holds."""

    project_id: Hashable
    area_id: Hashable
    name: str
    status: str
    reason: str  # "stalled" | "late"
    operation_planned: dt.date | None
    months_late: int | None
    land_to_recover_ha: float
    message_vi: str
    citation: str


# Eco-industrial readiness ---------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class EcoCriteria(Serializable):
    """Eco-industrial-park readiness thresholds (DOMAIN §1.3, §3.3).

    ``min_green_shared_share`` 25 % and the enterprise shares are NOT CONFIRMED for Decree 35
    (they are the Decree 82/2018 wording) — parameters. The 10 m isolation strip is QCVN 01:2019.
    """

    min_green_shared_share: float = 0.25
    min_isolation_strip_m: float = 10.0
    require_wwtp: bool = True
    min_symbiosis_links: int = 1
    min_service_pct: float = 100.0
    services: tuple[str, ...] = ("power", "water", "wastewater")
    min_recp_aware_share: float = 0.90
    min_recp_applying_share: float = 0.20
    min_symbiosis_participation_share: float = 0.10

    def __post_init__(self) -> None:
        for name in (
            "min_green_shared_share",
            "min_recp_aware_share",
            "min_recp_applying_share",
            "min_symbiosis_participation_share",
        ):
            _share(name, getattr(self, name))
        _positive("min_isolation_strip_m", self.min_isolation_strip_m, allow_zero=True)
        if not 0 <= self.min_service_pct <= 100:
            raise CriteriaError("min_service_pct must be in [0, 100]")
        if set(self.services) - {"power", "water", "wastewater", "roads"}:
            raise CriteriaError("services must be among power, water, wastewater, roads")


@dataclass(frozen=True, kw_only=True)
class EcoCriterionResult(Serializable):
    key: str
    label_vi: str
    label_en: str
    met: bool | None  # None: no data
    measured: float | None
    required: float | None
    missing_vi: str
    missing_en: str
    citation: str


@dataclass(frozen=True, kw_only=True)
class EcoReadiness(Serializable):
    area_id: Hashable
    area_name: str
    criteria: tuple[EcoCriterionResult, ...]
    n_met: int
    n_unknown: int
    n_total: int
    ready: bool
    summary_vi: str
    summary_en: str


# Infrastructure to the fence ------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class FenceCriteria(Serializable):
    """Which features count, and when an area counts as connected (ASSUMPTION defaults)."""

    statuses: tuple[str, ...] = ("invested",)
    connected_within_m: float = 50.0
    networks: tuple[str, ...] = ("road", "power", "water")

    def __post_init__(self) -> None:
        _positive("connected_within_m", self.connected_within_m, allow_zero=True)
        if set(self.statuses) - set(ROAD_STATUSES) or not self.statuses:
            raise CriteriaError(f"statuses must be a non-empty subset of {ROAD_STATUSES}")
        if set(self.networks) - {"road", "power", "water"} or not self.networks:
            raise CriteriaError("networks must be a non-empty subset of road, power, water")


@dataclass(frozen=True, kw_only=True)
class FenceLink(Serializable):
    network: str
    feature_name: str | None
    feature_kind: str | None
    distance_m: float | None  # None: no suitable feature at all
    connector: BaseGeometry | None  # shortest line boundary → feature (metric CRS)
    connected: bool


@dataclass(frozen=True, kw_only=True)
class FenceReport(Serializable):
    area_id: Hashable
    area_name: str
    links: tuple[FenceLink, ...]
    gaps_vi: tuple[str, ...]
    gaps_en: tuple[str, ...]


# Labour ---------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class LabourRing(Serializable):
    distance_m: float
    population: int  # residents, whole people
    coverage: float  # share of the buffer's area that lies on the population grid
    workers_share: float | None  # workers needed ÷ population


@dataclass(frozen=True, kw_only=True)
class LabourCatchment(Serializable):
    area_id: Hashable
    area_name: str
    workers_needed: int
    rings: tuple[LabourRing, ...]


@dataclass(frozen=True, kw_only=True)
class LabourSummary(Serializable):
    total_population: int  # residents, whole people
    workers_needed: int
    workers_share: float | None
    union_rings: tuple[LabourRing, ...]  # population within d of any area, counted once
    areas: tuple[LabourCatchment, ...]


# Plan vs actual -------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class PlanRow(Serializable):
    province: str
    kind: str
    planned_count: int
    planned_ha: float
    established_count: int
    established_ha: float
    operating_count: int
    operating_ha: float
    established_share_count: float | None
    established_share_ha: float | None
    by_status: Mapping[str, tuple[int, float]]
    summary_vi: str = ""


# Proposal checks ------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ProposalCriteria(Serializable):
    """Parameters of :func:`planning.analysis.proposal_checks.check_proposal`.

    ``road_access_m`` (ASSUMPTION 1000 m) is how far the proposal may lie from a road whose status
    is in ``road_statuses``. Tolerances absorb digitising noise: overlaps and exclusion
    intersections smaller than ``overlap_tolerance_m2`` pass, and up to ``outside_unit_share`` of
    the proposal may fall outside its unit.
    """

    area_limits: AreaLimits = field(default_factory=AreaLimits)
    road_statuses: tuple[str, ...] = ("invested", "under_construction")
    road_access_m: float = 1000.0
    overlap_tolerance_m2: float = 100.0
    outside_unit_share: float = 0.001
    efficiency: EfficiencyCriteria = field(default_factory=EfficiencyCriteria)

    def __post_init__(self) -> None:
        _positive("road_access_m", self.road_access_m, allow_zero=True)
        _positive("overlap_tolerance_m2", self.overlap_tolerance_m2, allow_zero=True)
        _share("outside_unit_share", self.outside_unit_share)
        if set(self.road_statuses) - set(ROAD_STATUSES) or not self.road_statuses:
            raise CriteriaError(f"road_statuses must be a non-empty subset of {ROAD_STATUSES}")


@dataclass(frozen=True, kw_only=True)
class EfficiencyReport(Serializable):
    """Per-area efficiency and its aggregation per unit level."""

    areas: tuple[AreaEfficiency, ...]
    units: tuple[UnitEfficiency, ...]


@dataclass(frozen=True, kw_only=True)
class TargetRule(Serializable):
    """When an area "misses" a year (the default is documented in :mod:`planning.analysis.targets`).

    ``main_indicators``: only these indicators count (None = every assigned indicator).
    ``mode``: ``"any"`` — a year is missed if any counted indicator's actual < target (default);
    ``"all"`` — only if every counted indicator is missed.
    ``missing_actual_is_miss``: an assigned target with no reported actual counts as missed.
    ``tolerance``: relative shortfall accepted (0.0 = actual must reach the target).
    """

    consecutive_years: int = 2
    main_indicators: tuple[str, ...] | None = None
    mode: str = "any"
    missing_actual_is_miss: bool = True
    tolerance: float = 0.0

    def __post_init__(self) -> None:
        if not (isinstance(self.consecutive_years, int) and self.consecutive_years >= 1):
            raise CriteriaError("consecutive_years must be an integer >= 1")
        if self.mode not in ("any", "all"):
            raise CriteriaError("mode must be 'any' or 'all'")
        _share("tolerance", self.tolerance)


# --------------------------------------------------------------------------------------------
# Normalisers for loosely typed inputs
# --------------------------------------------------------------------------------------------
def as_roads(roads) -> list[RoadRecord]:
    """RoadRecords from RoadRecords, bare geometries or ``(geometry, status[, name])`` tuples, or
    from parallel arrays given as a mapping ``{"geometry": [...], "status": [...], "name": [...]}``.

    >>> from shapely import LineString
    >>> [r.status for r in as_roads([(LineString([(0, 0), (1, 0)]), "planned"), LineString([(0, 1), (1, 1)])])]
    ['planned', 'invested']
    >>> [r.name for r in as_roads({"geometry": [LineString([(0, 0), (1, 0)])], "status": ["invested"],
    ...                            "name": ["QL1"]})]
    ['QL1']
    """
    if isinstance(roads, Mapping):
        geoms = list(roads["geometry"])
        statuses = list(roads.get("status", ["invested"] * len(geoms)))
        names = list(roads.get("name", [""] * len(geoms)))
        if not len(geoms) == len(statuses) == len(names):
            raise RecordError("road arrays geometry, status and name must have the same length")
        return [RoadRecord(g, s, n) for g, s, n in zip(geoms, statuses, names)]
    out = []
    for r in roads:
        if isinstance(r, RoadRecord):
            out.append(r)
        elif isinstance(r, BaseGeometry):
            out.append(RoadRecord(r))
        elif isinstance(r, (tuple, list)) and 1 <= len(r) <= 3:
            out.append(RoadRecord(*r))
        else:
            raise RecordError(f"a road must be a RoadRecord or (geometry, status, name), got {r!r}")
    return out


def as_named_geometries(items) -> list[tuple[Hashable, BaseGeometry, str]]:
    """``(id, geometry, name)`` from AreaRecords (with geometry), ``(id, geometry[, name])`` tuples
    or bare geometries (id = position)."""
    out = []
    for i, a in enumerate(items):
        if isinstance(a, AreaRecord):
            if a.geometry is None:
                raise RecordError(f"area {a.id!r} has no geometry")
            out.append((a.id, a.geometry, a.name or str(a.id)))
        elif isinstance(a, BaseGeometry):
            out.append((i, a, str(i)))
        elif isinstance(a, (tuple, list)) and len(a) in (2, 3) and isinstance(a[1], BaseGeometry):
            out.append((a[0], a[1], a[2] if len(a) == 3 else str(a[0])))
        else:
            raise RecordError(
                f"expected an AreaRecord, a geometry or (id, geometry[, name]), got {a!r}"
            )
    return out
