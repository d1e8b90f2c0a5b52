"""Infrastructure to the fence (hạ tầng đến chân hàng rào): how far each area is from a usable
road, power line or substation, and water main, with an indicative connector line.

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
>>> from planning.analysis.records import NetworkFeature
>>> area = ("CCN-1", box(0, 0, 500, 500), "CCN Gò Bằng")
>>> nets = [NetworkFeature(LineString([(-100, -20), (900, -20)]), "road", name="QL19"),
...         NetworkFeature(Point(500, 1500), "power", name="TBA 110 kV Phù Cát", kind="substation"),
...         NetworkFeature(LineString([(3700, 0), (3700, 900)]), "water", name="Ống D400", kind="water")]
>>> r = infrastructure_to_fence([area], nets)[0]
>>> [(l.network, l.distance_m, l.connected) for l in r.links]
[('road', 20.0, True), ('power', 1000.0, False), ('water', 3200.0, False)]
>>> r.gaps_vi
('thiếu cấp điện: trạm biến áp gần nhất (TBA 110 kV Phù Cát) cách 1,0 km', 'thiếu cấp nước: tuyến ống gần nhất (Ống D400) cách 3,2 km')
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from planning.analysis._text import fmt_distance_en, fmt_distance_vi
from planning.analysis.base import Serializable, require_positive
from planning.analysis.errors import CriteriaError
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


_NEED_VI = {"road": "thiếu đường kết nối", "power": "thiếu cấp điện", "water": "thiếu cấp nước"}
_NEED_EN = {"road": "no road access", "power": "no power supply", "water": "no water supply"}
_FEATURE_VI = {
    "road": "tuyến đường",
    "power": "đường dây điện",
    "water": "tuyến ống",
    "substation": "trạm biến áp",
    "water_plant": "nhà máy nước",
    "power_hv": "đường dây cao thế",
    "power_mv": "đường dây trung thế",
}
_FEATURE_EN = {
    "road": "road",
    "power": "power line",
    "water": "water main",
    "substation": "substation",
    "water_plant": "water plant",
    "power_hv": "HV line",
    "power_mv": "MV line",
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
        In input order; ``links`` in the order of ``criteria.networks``; ``gaps_vi`` / ``gaps_en``
        one sentence per network that is not connected, e.g.
        ``"thiếu cấp nước: tuyến ống gần nhất cách 3,2 km"``.
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
        for i, j, d in zip(src.tolist(), dst.tolist(), dist.tolist()):
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
        gaps_vi, gaps_en = [], []
        for link in area_links:
            if link.connected:
                continue
            net = link.network
            if link.distance_m is None:
                gaps_vi.append(
                    f"{_NEED_VI[net]}: chưa có {_FEATURE_VI[net]} nào đủ điều kiện trong dữ liệu"
                )
                gaps_en.append(f"{_NEED_EN[net]}: no usable {_FEATURE_EN[net]} in the data")
                continue
            kind_vi = _FEATURE_VI.get(link.feature_kind, _FEATURE_VI[net])
            kind_en = _FEATURE_EN.get(link.feature_kind, _FEATURE_EN[net])
            label_vi = f" ({link.feature_name})" if link.feature_name else ""
            gaps_vi.append(
                f"{_NEED_VI[net]}: {kind_vi} gần nhất{label_vi} cách {fmt_distance_vi(link.distance_m)}"
            )
            gaps_en.append(
                f"{_NEED_EN[net]}: nearest {kind_en}{label_vi} is {fmt_distance_en(link.distance_m)} away"
            )
        out.append(
            FenceReport(
                area_id=area_id,
                area_name=name,
                links=area_links,
                gaps_vi=tuple(gaps_vi),
                gaps_en=tuple(gaps_en),
            )
        )
    return out
