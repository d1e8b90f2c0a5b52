"""Lease prices of industrial land compared within the province and against the region.

Pure Python. The Bình Định notice (11 April 2025, section II.6) asks developers to propose
"giá thuê hạ tầng kỹ thuật phù hợp, hấp dẫn": this puts each park's price (USD per m² for the
lease term) beside the others of its kind — KCN with KCN, CCN with CCN, since their prices are
not comparable — in its province and in its socio-economic region (Central Coast, Mekong Delta).

For each group: the number of prices, the median (the mean of the two middle values for an even
count), the minimum and the maximum. For each park: its rank from the cheapest (1) in the
province, and its difference from the province's and the region's median, as a share.

**Prices are flagged**: ``synthetic`` marks a price of demonstration data (no lease price of a
real park is sourced in DOMAIN.md); the results count them, so no comparison of invented prices
passes for a market study.

Examples
--------
>>> recs = [LeasePrice("A", "KCN A", "KCN", "BD", "central_coast", 40.0),
...         LeasePrice("B", "KCN B", "KCN", "BD", "central_coast", 50.0),
...         LeasePrice("C", "KCN C", "KCN", "QN", "central_coast", 90.0)]
>>> r = compare_lease_prices(recs, province="BD")
>>> g = r.province_groups[0]
>>> g.kind, g.n, g.median, g.minimum, g.maximum      # median of 40 and 50 = 45
('KCN', 2, 45.0, 40.0, 50.0)
>>> r.region_groups[0].median                      # 40, 50, 90 -> 50
50.0
>>> [(p.area_id, p.rank, p.vs_province_median, p.vs_region_median) for p in r.parks]
[('A', 1, -0.1111, -0.2), ('B', 2, 0.1111, 0.0)]
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from planning.analysis.base import Serializable

__all__ = ["LeasePrice", "PriceGroup", "ParkPosition", "LeaseComparison", "compare_lease_prices"]


@dataclass(frozen=True)
class LeasePrice:
    """One park's lease price (USD/m²/term) and where it lies."""

    area_id: Hashable
    area_name: str
    kind: str
    province: Hashable
    region: str
    price: float
    synthetic: bool = False


@dataclass(frozen=True, kw_only=True)
class PriceGroup(Serializable):
    """Prices of one kind in one province or region: count, median, minimum, maximum."""

    scope: str  # "province" or "region"
    key: Hashable  # the province or the region
    kind: str
    n: int
    n_synthetic: int
    n_provinces: int
    median: float
    minimum: float
    maximum: float


@dataclass(frozen=True, kw_only=True)
class ParkPosition(Serializable):
    """One park's price against its kind's medians."""

    area_id: Hashable
    area_name: str
    kind: str
    region: str
    price: float
    synthetic: bool
    rank: int  # 1 = cheapest of its kind in the province
    n_in_province: int
    province_median: float
    region_median: float
    vs_province_median: float | None  # (price − median) ÷ median
    vs_region_median: float | None


@dataclass(frozen=True, kw_only=True)
class LeaseComparison(Serializable):
    """The province's groups, its regions' groups and each priced park."""

    province: Hashable
    n_prices: int
    n_synthetic: int
    province_groups: tuple[PriceGroup, ...]
    region_groups: tuple[PriceGroup, ...]
    parks: tuple[ParkPosition, ...]


def _group(scope: str, key, kind: str, members: list[LeasePrice]) -> PriceGroup:
    prices = [p.price for p in members]
    return PriceGroup(
        scope=scope,
        key=key,
        kind=kind,
        n=len(prices),
        n_synthetic=sum(1 for p in members if p.synthetic),
        n_provinces=len({p.province for p in members}),
        median=round(float(statistics.median(prices)), 2),
        minimum=min(prices),
        maximum=max(prices),
    )


def _vs(price: float, median: float) -> float | None:
    return None if not median else round((price - median) / median, 4)


def compare_lease_prices(records: Iterable[LeasePrice], *, province: Hashable) -> LeaseComparison:
    """Each park of ``province`` against its kind's median in the province and in its region.

    ``records`` holds the prices of every province of the regions wanted (the region's median
    is taken over all of them); parks without a price are left out by the caller.
    """
    recs = [r for r in records if r.price is not None]
    in_prov = [r for r in recs if r.province == province]
    by_prov: dict[str, list[LeasePrice]] = defaultdict(list)
    for r in in_prov:
        by_prov[r.kind].append(r)
    by_region: dict[tuple[str, str], list[LeasePrice]] = defaultdict(list)
    regions = {(r.region, r.kind) for r in in_prov}
    for r in recs:
        if (r.region, r.kind) in regions:
            by_region[(r.region, r.kind)].append(r)
    prov_groups = {k: _group("province", province, k, v) for k, v in sorted(by_prov.items())}
    region_groups = {k: _group("region", k[0], k[1], v) for k, v in sorted(by_region.items())}
    parks = []
    for r in sorted(in_prov, key=lambda r: (r.kind, r.price, str(r.area_name))):
        peers = sorted(p.price for p in by_prov[r.kind])
        pg, rg = prov_groups[r.kind], region_groups[(r.region, r.kind)]
        parks.append(
            ParkPosition(
                area_id=r.area_id,
                area_name=r.area_name,
                kind=r.kind,
                region=r.region,
                price=r.price,
                synthetic=r.synthetic,
                rank=peers.index(r.price) + 1,
                n_in_province=len(peers),
                province_median=pg.median,
                region_median=rg.median,
                vs_province_median=_vs(r.price, pg.median),
                vs_region_median=_vs(r.price, rg.median),
            )
        )
    return LeaseComparison(
        province=province,
        n_prices=len(in_prov),
        n_synthetic=sum(1 for r in in_prov if r.synthetic),
        province_groups=tuple(prov_groups.values()),
        region_groups=tuple(region_groups.values()),
        parks=tuple(parks),
    )
