"""Infrastructure to the fence (hạ tầng đến chân hàng rào): the nearest usable network per area.

How far each area is from a usable road, power line or substation, and water main, with an
indicative connector line.

Pure shapely. Areas and network features are in one projected metric CRS (metres). The Bình
Định notice (11 April 2025) asks the Department of Finance to review "đầu tư hạ tầng kỹ thuật đến
chân hàng rào các Khu, cụm công nghiệp"; this analysis lists the gaps.

For each area and each network in ``criteria.networks`` the nearest feature whose status is in
``criteria.statuses`` (default: invested only) is found with an ``STRtree``; the distance is
measured from the area polygon (0 when the feature touches or crosses it), the connector is
``shapely.shortest_line(area, feature)`` (from the area's boundary to the feature), and the area
counts as connected when the distance is at most ``connected_within_m`` (50 m). Equally near
features: the first in input order.

Examples
--------
>>> from shapely import LineString, Point, box
>>> from planning.analysis.messages import render
>>> from planning.analysis.records import NetworkFeature
>>> area = ("CCN-1", box(0, 0, 500, 500), "CCN Gò Bằng")
>>> nets = [NetworkFeature(LineString([(-100, -20), (900, -20)]), "road", name="QL19"),
...         NetworkFeature(Point(500, 1500), "power", name="TBA 110 kV Phù Cát", kind="substation"),
...         NetworkFeature(LineString([(3700, 0), (3700, 900)]), "water", name="Ống D400",
...                        kind="water")]
>>> r = infrastructure_to_fence([area], nets)[0]
>>> [(l.network, l.distance_m, l.connected) for l in r.links]
[('road', 20.0, True), ('power', 1000.0, False), ('water', 3200.0, False)]
>>> for gap in r.gaps:
...     print(render(gap, lang="en"))
no power supply: nearest substation (TBA 110 kV Phù Cát) is 1.0 km away
no water supply: nearest water main (Ống D400) is 3.2 km away
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from planning.analysis.base import Serializable, require_positive
from planning.analysis.errors import CriteriaError
from planning.analysis.messages import N_, Message, distance
from planning.analysis.rasters import check_metric_geometry
from planning.analysis.records import ROAD_STATUSES, NetworkFeature, as_named_geometries

__all__ = ["infrastructure_to_fence", "FenceCriteria", "FenceLink", "FenceReport"]


@dataclass(frozen=True, kw_only=True)
class FenceCriteria(Serializable):
    """Which features count, and when an area counts as connected (ASSUMPTION defaults)."""

    statuses: tuple[str, ...] = ("invested",)
    connected_within_m: float = 50.0
    networks: tuple[str, ...] = ("road", "power", "water")

    def __post_init__(self) -> None:
        require_positive("connected_within_m", self.connected_within_m, allow_zero=True)
        if set(self.statuses) - set(ROAD_STATUSES) or not self.statuses:
            raise CriteriaError(f"statuses must be a non-empty subset of {ROAD_STATUSES}")
        if set(self.networks) - {"road", "power", "water"} or not self.networks:
            raise CriteriaError("networks must be a non-empty subset of road, power, water")


@dataclass(frozen=True, kw_only=True)
class FenceLink(Serializable):
    """One network of one area: the nearest usable feature, its distance and a connector line."""

    network: str
    feature_name: str | None
    feature_kind: str | None
    distance_m: float | None  # None: no suitable feature at all
    connector: BaseGeometry | None  # shortest line boundary → feature (metric CRS)
    connected: bool


@dataclass(frozen=True, kw_only=True)
class FenceReport(Serializable):
    """The networks of one area and what is missing (one message per network not connected)."""

    area_id: Hashable
    area_name: str
    links: tuple[FenceLink, ...]
    gaps: tuple[Message, ...]  # one per network that is not connected


_NEED = {
    "road": N_("no road access"),
    "power": N_("no power supply"),
    "water": N_("no water supply"),
}
_FEATURE = {
    "road": N_("road"),
    "power": N_("power line"),
    "water": N_("water main"),
    "substation": N_("substation"),
    "water_plant": N_("water plant"),
    "power_hv": N_("HV line"),
    "power_mv": N_("MV line"),
}


def infrastructure_to_fence(
    areas: Iterable,
    networks: Iterable[NetworkFeature],
    *,
    criteria: FenceCriteria = FenceCriteria(),
) -> list[FenceReport]:
    """Nearest usable road, power and water feature of each area, with connector lines and gaps.

    Parameters
    ----------
    areas : iterable of AreaRecord (with geometry) or (id, geometry[, name]) tuples
        Area polygons, metric CRS.
    networks : iterable of NetworkFeature
        Roads, power lines and substations, water mains and plants (lines or points), metric CRS.
    criteria : FenceCriteria
        Statuses that count, the "connected" distance and which networks to report.

    Returns
    -------
    list of FenceReport
        In input order; ``links`` in the order of ``criteria.networks``; ``gaps`` one message
        per network that is not connected, e.g. "no water supply: nearest water main is 3.2 km
        away" (Vietnamese: "thiếu cấp nước: tuyến ống gần nhất cách 3,2 km").
    """
    items = as_named_geometries(areas)
    for area_id, geom, _ in items:
        check_metric_geometry(geom, what=f"area {area_id!r}")
    feats = list(networks)
    geoms = np.array([g for _, g, _ in items], dtype=object)
    links: dict[str, list[FenceLink]] = {}
    for net in criteria.networks:
        usable = [
            f
            for f in feats
            if f.network == net and f.status in criteria.statuses and not f.geometry.is_empty
        ]
        per_area: list[FenceLink] = []
        if not usable or not len(geoms):
            links[net] = [
                FenceLink(
                    network=net,
                    feature_name=None,
                    feature_kind=None,
                    distance_m=None,
                    connector=None,
                    connected=False,
                )
                for _ in items
            ]
            continue
        tree = shapely.STRtree([f.geometry for f in usable])
        (src, dst), dist = tree.query_nearest(geoms, return_distance=True, all_matches=True)
        best: dict[int, tuple[int, float]] = {}
        for i, j, d in zip(src.tolist(), dst.tolist(), dist.tolist(), strict=True):
            if i not in best or j < best[i][0]:
                best[i] = (j, d)
        for i, (_, geom, _) in enumerate(items):
            j, d = best[i]
            f = usable[j]
            per_area.append(
                FenceLink(
                    network=net,
                    feature_name=f.name or None,
                    feature_kind=f.kind or net,
                    distance_m=round(float(d), 2),
                    connector=shapely.shortest_line(geom, f.geometry),
                    connected=d <= criteria.connected_within_m,
                )
            )
        links[net] = per_area
    out = []
    for i, (area_id, _, name) in enumerate(items):
        area_links = tuple(links[n][i] for n in criteria.networks)
        gaps = []
        for link in area_links:
            if link.connected:
                continue
            net = link.network
            if link.distance_m is None:
                gaps.append(
                    Message(
                        N_("%(need)s: no usable %(feature)s in the data"),
                        {"need": Message(_NEED[net]), "feature": Message(_FEATURE[net])},
                    )
                )
                continue
            kind = _FEATURE.get(link.feature_kind, _FEATURE[net])
            gaps.append(
                Message(
                    N_("%(need)s: nearest %(feature)s%(name)s is %(distance)s away"),
                    {
                        "need": Message(_NEED[net]),
                        "feature": Message(kind),
                        "name": f" ({link.feature_name})" if link.feature_name else "",
                        "distance": distance(link.distance_m),
                    },
                )
            )
        out.append(FenceReport(area_id=area_id, area_name=name, links=area_links, gaps=tuple(gaps)))
    return out
