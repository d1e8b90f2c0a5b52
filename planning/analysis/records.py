"""Input records and vocabularies every analysis shares (the plain data services build).

Conventions
-----------
* Every geometry is a shapely geometry in **one projected, metric CRS** (a VN-2000 TM-3 zone such
  as EPSG:9217 for Bình Định or EPSG:9209 for Sóc Trăng); distances are metres, areas hectares
  unless a name says otherwise (``_m2``).
* Money is in billions of VND (``_bn_vnd``, tỷ đồng); shares are fractions in [0, 1], not %.
* Criteria are keyword-only frozen dataclasses whose defaults come from ``DOMAIN.md``; a default
  marked ASSUMPTION or NOT CONFIRMED there is a parameter, never a constant in the code. Each
  analysis's own criteria and results live beside its function (``SiteCriteria`` in
  :mod:`planning.analysis.site_suggestion`, ``EfficiencyCriteria`` in
  :mod:`planning.analysis.efficiency` …); this module holds what several analyses read.

Examples
--------
>>> AreaLimits().range_for("CCN", is_mountainous=True)
(5.0, 75.0)
>>> AreaRecord(id=1, kind="KCN", planned_ha="12.5").planned_ha
12.5
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

from planning.analysis.base import Serializable, coerce_float, require_positive
from planning.analysis.errors import CriteriaError, RecordError
from planning.analysis.messages import N_, Message

__all__ = [
    "KINDS",
    "AREA_STATUSES",
    "ESTABLISHED_STATUSES",
    "ROAD_STATUSES",
    "ROAD_STATUS_NAMES",
    "ROAD_CLASSES",
    "ROAD_CLASS_NAMES",
    "AccessPoint",
    "PROJECT_STATUSES",
    "DEVELOPER_KINDS",
    "RICE_PHASING_THRESHOLDS_HA",
    "AreaLimits",
    "RuleResult",
    "RoadRecord",
    "NetworkFeature",
    "AreaRecord",
    "ParcelRecord",
    "ProjectRecord",
    "DeveloperRecord",
    "TargetRecord",
    "ActualRecord",
    "as_roads",
    "as_named_geometries",
]

# Vocabularies (same values as the model choices in planning/models; repeated here so that the
# analyses never import Django).
KINDS = ("KCN", "CCN")

AREA_STATUSES = ("planned", "established", "clearing", "building", "operating", "revoked")

#: Statuses that count as "established" (đã thành lập): Decree 35 abolished the separate
#: establishment procedure for KCN; we count every status from ``established`` on (DOMAIN §1.1).
ESTABLISHED_STATUSES = ("established", "clearing", "building", "operating")

ROAD_STATUSES = ("planned", "under_construction", "invested")
#: Road statuses as messages name them (msgids, :mod:`planning.analysis.messages`).
ROAD_STATUS_NAMES = {
    "invested": N_("invested"),
    "under_construction": N_("under construction"),
    "planned": N_("planned"),
}

#: Road classes (same values as ``RoadCorridor.RoadClass``): expressway (cao tốc), national
#: (quốc lộ), provincial (đường tỉnh, ĐT), district (đường huyện ĐH and urban roads), local.
ROAD_CLASSES = ("expressway", "national", "provincial", "district", "local")
#: Road classes as messages name them (msgids).
ROAD_CLASS_NAMES = {
    "expressway": N_("expressway"),
    "national": N_("national road"),
    "provincial": N_("provincial road"),
    "district": N_("district / urban road"),
    "local": N_("local road"),
}

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
    # issue 13 rules: old Gia Lai (Central Highlands) falls under "other regions" — NOT CONFIRMED.
    "central_highlands": 100.0,
}


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
            require_positive(name, getattr(self, name))
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
class RuleResult(Serializable):
    """The outcome of one rule check with its legal basis (both translatable messages).

    ``passed`` is ``None`` when the rule could not be evaluated (missing data); the message
    says what is missing. ``measured`` and ``limit`` are in ``unit``.
    """

    rule: str
    passed: bool | None
    message: Message
    citation: Message
    measured: float | None = None
    limit: float | None = None
    unit: str = ""


@dataclass(frozen=True)
class AccessPoint(Serializable):
    """Where vehicles may enter or leave an access-controlled road (an expressway interchange)."""

    geometry: BaseGeometry
    name: str = ""
    status: str = "invested"

    def __post_init__(self) -> None:
        if self.status not in ROAD_STATUSES:
            raise RecordError(
                f"access point status must be one of {ROAD_STATUSES} (got {self.status!r})"
            )


@dataclass(frozen=True)
class RoadRecord(Serializable):
    """A road centreline in the metric CRS with its investment status and display name.

    ``road_class`` is one of :data:`ROAD_CLASSES` (``""``: not known, counted as any road);
    ``access_points`` are the interchanges of an access-controlled road (an expressway), the
    only places a factory can reach it.
    """

    geometry: BaseGeometry
    status: str = "invested"
    name: str = ""
    road_class: str = ""
    access_points: tuple[AccessPoint, ...] = ()

    def __post_init__(self) -> None:
        if self.status not in ROAD_STATUSES:
            raise RecordError(f"road status must be one of {ROAD_STATUSES} (got {self.status!r})")
        if self.road_class and self.road_class not in ROAD_CLASSES:
            raise RecordError(f"road class must be one of {ROAD_CLASSES} (got {self.road_class!r})")


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
            value = coerce_float(self, name)
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
                coerce_float(self, name)


@dataclass(frozen=True, kw_only=True)
class ParcelRecord(Serializable):
    """A clearance parcel (GPMB): hectares and status (``handed_over`` = cleared)."""

    id: Hashable
    area_id: Hashable
    area_ha: float
    status: str = "not_started"
    land_use: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(coerce_float(self, "area_ha")) and self.area_ha >= 0):
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
            value = coerce_float(self, name) if not name.endswith("jobs") else getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise RecordError(f"project {self.id!r}: {name} must be >= 0 (got {value!r})")
        if self.annual_tax_bn_vnd is not None and not coerce_float(self, "annual_tax_bn_vnd") >= 0:
            raise RecordError(f"project {self.id!r}: annual_tax_bn_vnd must be >= 0")


@dataclass(frozen=True, kw_only=True)
class DeveloperRecord(Serializable):
    """An infrastructure developer (chủ đầu tư hạ tầng) with its audited own capital."""

    id: Hashable
    kind: str
    name: str = ""
    own_capital_bn_vnd: float | None = None
    capital_is_synthetic: bool = False  # invented for the demonstration (issue 13 §6)

    def __post_init__(self) -> None:
        if self.kind not in DEVELOPER_KINDS:
            raise RecordError(f"developer {self.id!r}: kind must be one of {DEVELOPER_KINDS}")
        if self.own_capital_bn_vnd is not None:
            coerce_float(self, "own_capital_bn_vnd")


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


def as_roads(roads) -> list[RoadRecord]:
    """RoadRecords from RoadRecords, bare geometries, tuples or parallel arrays.

    Tuples are ``(geometry, status[, name[, road_class[, access_points]]])``; parallel arrays a
    mapping ``{"geometry": [...], "status": [...], "name": [...]}``.

    >>> from shapely import LineString
    >>> a, b = LineString([(0, 0), (1, 0)]), LineString([(0, 1), (1, 1)])
    >>> [r.status for r in as_roads([(a, "planned"), b])]
    ['planned', 'invested']
    >>> [r.name for r in as_roads({"geometry": [a], "status": ["invested"], "name": ["QL1"]})]
    ['QL1']
    """
    if isinstance(roads, Mapping):
        geoms = list(roads["geometry"])
        statuses = list(roads.get("status", ["invested"] * len(geoms)))
        names = list(roads.get("name", [""] * len(geoms)))
        if not len(geoms) == len(statuses) == len(names):
            raise RecordError("road arrays geometry, status and name must have the same length")
        return [RoadRecord(g, s, n) for g, s, n in zip(geoms, statuses, names, strict=True)]
    out = []
    for r in roads:
        if isinstance(r, RoadRecord):
            out.append(r)
        elif isinstance(r, BaseGeometry):
            out.append(RoadRecord(r))
        elif isinstance(r, (tuple, list)) and 1 <= len(r) <= 5:
            out.append(RoadRecord(*r))
        else:
            raise RecordError(f"a road must be a RoadRecord or (geometry, status, name), got {r!r}")
    return out


def as_named_geometries(items) -> list[tuple[Hashable, BaseGeometry, str]]:
    """``(id, geometry, name)`` of areas given in any of the accepted forms.

    AreaRecords (with geometry), ``(id, geometry[, name])`` tuples or bare geometries (id =
    position).
    """
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
