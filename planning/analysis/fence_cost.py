"""Cost of infrastructure to the fence and missing capacity, for the Department of Finance.

Đầu tư hạ tầng kỹ thuật đến chân hàng rào: Bình Định notice of 11 April 2025, item 4. Pure
Python. The connectors come from
:func:`planning.analysis.infrastructure.infrastructure_to_fence` (their lengths in metres,
measured in the area's VN-2000 TM-3 zone); a connector's estimated cost is its length (km) × the
unit cost of its network (bn VND per km).

**The unit costs are ASSUMPTIONS** (:data:`UNIT_COST_SOURCE`): no published Vietnamese unit cost
per km of a connector (e.g. the Ministry of Construction's yearly *suất vốn đầu tư* decision) was
found in the sources consulted; they are settings and parameters, and every output carries them
with that label.

Missing wastewater capacity: the demand of the leased land (leased ha ×
``wastewater_m3_per_ha_day``, an ASSUMPTION) against the central plant's capacity (0 when the
plant does not operate); a shortfall is ``demand − capacity`` when positive. Unknown where the
leased land is unknown.

Examples
--------
>>> crit = FenceCostCriteria(road_bn_vnd_per_km=25.0)
>>> connector_cost(3200.0, "road", crit)   # 3.2 km × 25 bn VND/km = 80 bn VND
80.0
>>> r = fence_costs(
...     [AreaLinks("CCN-1", "CCN Gò Bằng", (("road", 3200.0, False, "QL19"),
...                                         ("water", 20.0, True, "Ống D400")))],
...     {"CCN-1": AreaCapacity(leased_ha=10.0, wwtp_operating=True, wwtp_capacity_m3_day=200)},
...     criteria=crit)[0]
>>> [(c.network, c.length_km, c.cost_bn_vnd) for c in r.connectors]
[('road', 3.2, 80.0), ('water', 0.02, None)]
>>> r.total_cost_bn_vnd, r.wastewater.demand_m3_day, r.wastewater.missing_m3_day
(80.0, 300.0, 100.0)
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from planning.analysis.base import Serializable, require_positive
from planning.analysis.messages import N_

__all__ = [
    "NETWORKS",
    "UNIT_COST_SOURCE",
    "WASTEWATER_SOURCE",
    "FenceCostCriteria",
    "AreaLinks",
    "AreaCapacity",
    "ConnectorCost",
    "CapacityGap",
    "AreaFenceCost",
    "connector_cost",
    "fence_costs",
    "POWER_SOURCE",
    "SubstationLoad",
    "parse_mva",
    "substation_loads",
]

#: The networks a unit cost can be given for (connectors exist today for road, power and water:
#: the service holds no wastewater or telecom network layer).
NETWORKS = ("road", "power", "water", "wastewater", "telecom")

UNIT_COST_SOURCE = N_(
    "ASSUMPTION: indicative unit costs set for the demonstration, not a published figure; no "
    "Ministry of Construction 'suất vốn đầu tư' decision was consulted (NOT CONFIRMED). Replace "
    "them with the province's own unit costs before use."
)
WASTEWATER_SOURCE = N_(
    "ASSUMPTION: wastewater per hectare of leased industrial land, set for the demonstration "
    "(NOT CONFIRMED against TCVN/QCVN)."
)


POWER_SOURCE = N_(
    "ASSUMPTION: power demand per hectare of leasable industrial land at full build-out, set for "
    "the demonstration (NOT CONFIRMED against QCVN 01:2021/BXD); a substation's load counts only "
    "the parks and clusters nearest to it."
)


@dataclass(frozen=True, kw_only=True)
class FenceCostCriteria(Serializable):
    """Unit costs per km of connector by network (bn VND/km) and the wastewater norm.

    Every default is an ASSUMPTION (see :data:`UNIT_COST_SOURCE`).
    """

    road_bn_vnd_per_km: float = 25.0  # a 2-lane local road (ĐH/ĐT class)
    power_bn_vnd_per_km: float = 2.5  # 22 kV overhead line
    water_bn_vnd_per_km: float = 4.0  # D200–D300 main
    wastewater_bn_vnd_per_km: float = 5.0  # pressure main to a plant
    telecom_bn_vnd_per_km: float = 0.5  # fibre cable in duct
    wastewater_m3_per_ha_day: float = 30.0
    power_kva_per_ha: float = 300.0
    #: Also cost the connectors of networks already within the "connected" distance.
    include_connected: bool = False
    source: str = UNIT_COST_SOURCE

    def __post_init__(self) -> None:
        for net in NETWORKS:
            require_positive(f"{net}_bn_vnd_per_km", self.unit_cost(net), allow_zero=True)
        require_positive("wastewater_m3_per_ha_day", self.wastewater_m3_per_ha_day, allow_zero=True)
        require_positive("power_kva_per_ha", self.power_kva_per_ha, allow_zero=True)

    def unit_cost(self, network: str) -> float:
        """Unit cost of ``network`` in bn VND per km."""
        return float(getattr(self, f"{network}_bn_vnd_per_km"))

    def unit_costs(self) -> dict[str, float]:
        """Unit cost of every network, bn VND per km."""
        return {net: self.unit_cost(net) for net in NETWORKS}


@dataclass(frozen=True)
class AreaLinks:
    """One area's connectors: ``(network, length_m or None, connected, feature name)``."""

    area_id: Hashable
    area_name: str
    links: tuple[tuple[str, float | None, bool, str | None], ...]


@dataclass(frozen=True, kw_only=True)
class AreaCapacity:
    """What an area's capacity check needs: leased land and its wastewater plant."""

    leased_ha: float | None = None
    wwtp_operating: bool = False
    wwtp_capacity_m3_day: float | None = None


@dataclass(frozen=True, kw_only=True)
class ConnectorCost(Serializable):
    """One connector: its length, unit cost and estimated cost."""

    network: str
    feature_name: str | None
    length_km: float | None
    connected: bool
    unit_cost_bn_vnd_per_km: float
    cost_bn_vnd: float | None  # None: connected (not costed) or no feature in the data


@dataclass(frozen=True, kw_only=True)
class CapacityGap(Serializable):
    """Demand, capacity and the shortfall (m³/day); ``None`` where unknown."""

    demand_m3_day: float | None
    capacity_m3_day: float | None
    missing_m3_day: float | None


@dataclass(frozen=True, kw_only=True)
class AreaFenceCost(Serializable):
    """One area: its connectors, their total cost and its missing wastewater capacity."""

    area_id: Hashable
    area_name: str
    connectors: tuple[ConnectorCost, ...]
    total_cost_bn_vnd: float
    wastewater: CapacityGap


def connector_cost(length_m: float | None, network: str, criteria: FenceCostCriteria) -> float:
    """Estimated cost (bn VND, 2 decimals) of ``length_m`` metres of ``network``."""
    if length_m is None:
        return None
    return round(float(length_m) / 1000.0 * criteria.unit_cost(network), 2)


def wastewater_gap(capacity: AreaCapacity | None, criteria: FenceCostCriteria) -> CapacityGap:
    """Wastewater demand of the leased land against the operating plant's capacity (m³/day)."""
    if capacity is None or capacity.leased_ha is None:
        return CapacityGap(demand_m3_day=None, capacity_m3_day=None, missing_m3_day=None)
    demand = round(float(capacity.leased_ha) * criteria.wastewater_m3_per_ha_day, 1)
    if capacity.wwtp_operating:
        if capacity.wwtp_capacity_m3_day is None:  # operating, capacity not recorded
            return CapacityGap(demand_m3_day=demand, capacity_m3_day=None, missing_m3_day=None)
        cap = float(capacity.wwtp_capacity_m3_day)
    else:
        cap = 0.0  # no plant in operation treats nothing
    return CapacityGap(
        demand_m3_day=demand, capacity_m3_day=cap, missing_m3_day=round(max(0.0, demand - cap), 1)
    )


def fence_costs(
    areas: Iterable[AreaLinks],
    capacities: Mapping[Hashable, AreaCapacity] | None = None,
    *,
    criteria: FenceCostCriteria = FenceCostCriteria(),
) -> list[AreaFenceCost]:
    """Estimated cost of each area's connectors and its missing wastewater capacity.

    Parameters
    ----------
    areas : iterable of AreaLinks
        Connector lengths in metres (None: no usable feature in the data).
    capacities : mapping area id → AreaCapacity, optional
    criteria : FenceCostCriteria
        Unit costs (bn VND/km, ASSUMPTIONS) and the wastewater norm (m³/ha/day).

    Returns
    -------
    list of AreaFenceCost
        In input order; a connector within the "connected" distance is not costed unless
        ``criteria.include_connected``; ``total_cost_bn_vnd`` sums the costed connectors.
    """
    capacities = capacities or {}
    out = []
    for a in areas:
        items = []
        for network, length_m, connected, feature in a.links:
            costed = length_m is not None and (criteria.include_connected or not connected)
            items.append(
                ConnectorCost(
                    network=network,
                    feature_name=feature,
                    length_km=None if length_m is None else round(float(length_m) / 1000.0, 3),
                    connected=bool(connected),
                    unit_cost_bn_vnd_per_km=criteria.unit_cost(network),
                    cost_bn_vnd=connector_cost(length_m, network, criteria) if costed else None,
                )
            )
        total = round(sum(c.cost_bn_vnd or 0.0 for c in items), 2)
        out.append(
            AreaFenceCost(
                area_id=a.area_id,
                area_name=a.area_name,
                connectors=tuple(items),
                total_cost_bn_vnd=total,
                wastewater=wastewater_gap(capacities.get(a.area_id), criteria),
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Power: the load the parks put on their nearest substation
# --------------------------------------------------------------------------------------------
_MVA = re.compile(r"(?:(\d+)\s*[×xX*]\s*)?(\d+(?:[.,]\d+)?)\s*MVA")


def parse_mva(text: str | None) -> float | None:
    """Transformer capacity in MVA from a capacity text, ``None`` if it names none.

    >>> parse_mva("110/22 kV – 2×63 MVA"), parse_mva("40 MVA"), parse_mva("220 kV")
    (126.0, 40.0, None)
    """
    total, found = 0.0, False
    for count, size in _MVA.findall(text or ""):
        total += int(count or 1) * float(size.replace(",", "."))
        found = True
    return total if found else None


@dataclass(frozen=True, kw_only=True)
class SubstationLoad(Serializable):
    """A substation: its capacity, the demand of the areas nearest to it and the shortfall."""

    name: str
    capacity_mva: float | None
    demand_mva: float
    missing_mva: float | None
    areas: tuple[Hashable, ...]


def substation_loads(
    nearest: Iterable[tuple[Hashable, str, float]],
    capacities: Mapping[str, float | None],
    *,
    criteria: FenceCostCriteria = FenceCostCriteria(),
) -> list[SubstationLoad]:
    """Demand of the areas on their nearest substation against its capacity (MVA).

    ``nearest`` holds ``(area id, substation name, leasable ha)``; demand = leasable ha ×
    ``power_kva_per_ha`` ÷ 1000. In name order.

    >>> loads = substation_loads([("A", "TBA 1", 100.0), ("B", "TBA 1", 50.0)], {"TBA 1": 40.0})
    >>> [(x.demand_mva, x.capacity_mva, x.missing_mva) for x in loads]  # 150 ha × 300 kVA/ha
    [(45.0, 40.0, 5.0)]
    """
    demand: dict[str, float] = {}
    areas: dict[str, list] = {}
    for area_id, name, leasable_ha in nearest:
        demand[name] = demand.get(name, 0.0) + float(leasable_ha) * criteria.power_kva_per_ha / 1000
        areas.setdefault(name, []).append(area_id)
    out = []
    for name in sorted(demand):
        cap = capacities.get(name)
        d = round(demand[name], 2)
        out.append(
            SubstationLoad(
                name=name,
                capacity_mva=cap,
                demand_mva=d,
                missing_mva=None if cap is None else round(max(0.0, d - cap), 2),
                areas=tuple(areas[name]),
            )
        )
    return out
