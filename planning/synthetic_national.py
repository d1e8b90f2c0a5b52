"""A national synthetic dataset, reproducible from a seed (issue 15, item 1): the whole country
as a Ministry would hold it, built from the real outlines and roads of ``../shared/data/vn``.

Real: the 63 pre-2025 province outlines (Open Development Mekong, CC BY-SA 4.0), the 34
provinces they became on 1 July 2025 (``provinces_2025_merges.csv``: the outlines dissolved),
the national road network (CTU-SematX/LegoCity, CC BY-SA 4.0). Synthetic, and flagged so in
every row: codes of the units, districts (pre-2025) and communes (from 1 July 2025) as Voronoi
cells of random seats clipped to their province, ~450 KCN and ~1,300 CCN placed beside national
and provincial roads, their developers, clearance parcels, secondary projects, targets and
annual reports.

Sizes follow DOMAIN.md: a KCN is usually 50–1,000 ha (FDI parks 200–500 ha), median ≈ 250 ha
here; a CCN 10–75 ha (Decree 32/2024). Parcels are rural plots of ≈ 500–3,000 m² laid out as a
jittered grid inside the parks and clusters, as many as asked for, shared out by area.

Pure NumPy/shapely/pyproj (no Django): :func:`build` returns :class:`Table`\\ s whose columns
are the database's columns, ids from 1, foreign keys as ids; parcels come in chunks (bounded
memory for any count).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

SOURCE_FILES = (
    "vn_provinces_odm_pre2025.geojson",
    "provinces_2025_merges.csv",
    "vn_roads_rail_national_network.geojson",
)
ATTRIBUTION = (
    "Tổng hợp (synthetic) từ ranh giới tỉnh Open Development Mekong (CC BY-SA 4.0, gộp theo "
    "Nghị quyết 202/2025/QH15) và mạng đường CTU-SematX/LegoCity (CC BY-SA 4.0)"
)
PRE_2025_FROM = dt.date(2008, 8, 1)  # ASSUMPTION: the 63 provinces since Hà Tây joined Hà Nội
REFORM = dt.date(2025, 7, 1)
PRE_2025_TO = REFORM - dt.timedelta(days=1)
# VN-2000 TM-3 zones (DOMAIN.md §4.1): EPSG code -> central meridian. ASSUMPTION: a synthetic
# unit measures in the zone whose meridian is nearest its centre (the legal list names zones
# for some provinces only).
ZONES = {
    5896: 102.0, 9205: 103.0, 9206: 104.0, 9207: 104.5, 9208: 104.75, 5897: 105.0,
    9209: 105.5, 9210: 105.75, 9211: 106.0, 9212: 106.25, 9213: 106.5, 9214: 107.0,
    9215: 107.25, 9216: 107.5, 5899: 107.75, 5898: 108.0, 9217: 108.25, 9218: 108.5,
}  # fmt: skip
KM2_PER_COMMUNE = 100.0  # 331,000 km² / ~3,300 communes and wards since 1 July 2025
KM2_PER_DISTRICT = 470.0  # ~705 districts before
M_PER_DEG_LAT = 110_574.0
LAND_USES = np.array(["LUC", "LUK", "HNK", "CLN", "RSX", "NTS", "ONT", "BCS", "DTL", "NTD"])
LAND_USE_P = np.array([0.22, 0.08, 0.2, 0.18, 0.08, 0.08, 0.1, 0.03, 0.02, 0.01])
PARCEL_STATUSES = np.array(
    ["not_started", "inventoried", "plan_approved", "compensated", "handed_over"]
)
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
GIVEN = ["Văn An", "Thị Bình", "Văn Cường", "Thị Dung", "Minh Đức", "Thị Hoa", "Quốc Hùng",
         "Thị Lan", "Văn Long", "Thị Mai", "Thanh Nam", "Thị Oanh", "Văn Phúc"]  # fmt: skip
SECTORS = ["Dệt may", "Da giày", "Điện tử", "Chế biến nông sản", "Cơ khí", "Vật liệu xây dựng",
           "Chế biến gỗ", "Thực phẩm", "Hóa chất", "Logistics", "Bao bì", "Dược phẩm"]  # fmt: skip
COUNTRIES = ["Việt Nam", "Hàn Quốc", "Nhật Bản", "Trung Quốc", "Đài Loan", "Singapore", "Hoa Kỳ"]
PLACE_WORDS = ["Tân", "Phú", "Hòa", "An", "Bình", "Long", "Thạnh", "Mỹ", "Đông", "Tây", "Nam",
               "Bắc", "Phước", "Hưng", "Thuận", "Xuân", "Quang", "Đại", "Vĩnh", "Hiệp"]  # fmt: skip


@dataclass
class Table:
    """Rows of one database table: ``columns`` by database column name (``id`` first)."""

    table: str  # the database table, also the GeoPackage layer's name
    columns: dict[str, np.ndarray]
    geometry: np.ndarray | None = None  # shapely, EPSG:4326
    geometry_column: str | None = None
    geometry_type: str | None = None  # "MultiPolygon", "MultiLineString"

    def __len__(self) -> int:
        return len(self.columns["id"])


@dataclass
class Source:
    provinces_pre: list[tuple[str, object]]  # (name, MultiPolygon)
    merges: list[tuple[str, str, list[str]]]  # (2025 name, level, pre-2025 names)
    roads: list[tuple[str, str, str, object]]  # (code, name, class, MultiLineString)

    @classmethod
    def read(cls, folder: Path) -> Source:
        pre = json.loads((folder / SOURCE_FILES[0]).read_text(encoding="utf-8"))
        provinces = sorted(
            (f["properties"]["ten_tinh"], _multi(shapely.make_valid(shape(f["geometry"]))))
            for f in pre["features"]
        )
        with (folder / SOURCE_FILES[1]).open(encoding="utf-8") as fh:
            merges = [
                (r["province_2025"], r["level_2025"], r["merged_from_pre2025"].split(";"))
                for r in csv.DictReader(fh)
            ]
        net = json.loads((folder / SOURCE_FILES[2]).read_text(encoding="utf-8"))
        classes = {"Đường chính": "national", "Đường thứ cấp": "provincial"}
        kept = [
            f for f in net["features"] if f["properties"]["loai_duong"] in classes and f["geometry"]
        ]
        roads = [
            (
                f"NR-{k:04d}",
                f["properties"]["ten"]
                or f["properties"]["ma"]
                or f"Đường {f['properties']['gid']}",
                classes[f["properties"]["loai_duong"]],
                _multi(shape(f["geometry"])),
            )
            for k, f in enumerate(kept, start=1)
        ]
        return cls(provinces, merges, roads)


@dataclass
class Dataset:
    tables: list[Table]
    parcels: Iterator[Table]
    parcel_count: int
    summary: dict = field(default_factory=dict)


def _multi(geom):
    geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts)
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    if geom.geom_type == "LineString":
        return shapely.MultiLineString([geom])
    return geom


def zone_for(lon: float) -> int:
    return min(ZONES, key=lambda code: (abs(ZONES[code] - lon), code))


def _to_metric(zone: int) -> Transformer:
    return Transformer.from_crs(4326, zone, always_xy=True)


def _measured(geoms: np.ndarray, zones: np.ndarray, measure) -> np.ndarray:
    """``measure`` (shapely.area or shapely.length) of each geometry in its VN-2000 TM-3 zone, as
    the service measures on save: one reprojection per zone."""
    out = np.zeros(len(geoms))
    for zone in np.unique(zones):
        rows = np.flatnonzero(zones == zone)
        out[rows] = measure(
            shapely.transform(geoms[rows], _transform(int(zone)), interleaved=False)
        )
    return out


def _areas_m2(geoms: np.ndarray, zones: np.ndarray) -> np.ndarray:
    return _measured(geoms, zones, shapely.area)


def _lengths_m(geoms: np.ndarray, zones: np.ndarray) -> np.ndarray:
    return _measured(geoms, zones, shapely.length)


_TRANSFORMS: dict[int, object] = {}


def _transform(zone: int):
    fn = _TRANSFORMS.get(zone)
    if fn is None:
        t = _to_metric(zone)
        fn = _TRANSFORMS[zone] = lambda x, y: t.transform(x, y)
    return fn


def _seeds(rng, polygon, n: int) -> np.ndarray:
    """``n`` random points inside ``polygon`` (rejection sampling in its bounding box)."""
    x0, y0, x1, y1 = polygon.bounds
    shapely.prepare(polygon)
    found: list[np.ndarray] = []
    have = 0
    while have < n:
        xy = rng.uniform((x0, y0), (x1, y1), size=(max(4 * n, 64), 2))
        inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(inside)
        have += len(inside)
    return np.concatenate(found)[:n]


def _cells(rng, polygon, n: int) -> list:
    """``n`` synthetic units covering ``polygon``: Voronoi cells of random seats, clipped."""
    if n <= 1:
        return [polygon]
    pts = shapely.MultiPoint(_seeds(rng, polygon, n))
    cells = shapely.voronoi_polygons(pts, extend_to=shapely.box(*polygon.bounds).buffer(0.1))
    out = []
    for cell in cells.geoms:
        piece = shapely.intersection(cell, polygon)
        if not piece.is_empty and piece.area > 0:
            out.append(_multi(piece))
    return out


def _col(values, dtype=object) -> np.ndarray:
    arr = np.empty(len(values), dtype=dtype)
    arr[:] = values
    return arr


def _km2(geom) -> float:
    lat = geom.centroid.y
    return geom.area * M_PER_DEG_LAT * M_PER_DEG_LAT * math.cos(math.radians(lat)) / 1e6


# --- administrative units -------------------------------------------------------------------------


def _units(rng, source: Source, extent):
    """Old provinces, districts, new provinces, communes; plus the successions old -> new.

    The outlines are cut to the service's extent (``PLANNING_EXTENT``): the far islands of the
    outlines (Trường Sa, east of 112° E) lie outside what the service accepts, and no park or
    cluster is planned there."""
    frame = shapely.box(*extent)
    source = Source(
        [(name, _multi(shapely.intersection(geom, frame))) for name, geom in source.provinces_pre],
        source.merges,
        source.roads,
    )
    by_name = dict(source.provinces_pre)
    rows = []  # dicts of the admin unit table, id = index + 1

    def add(**kw):
        geom = kw["boundary"]
        zone = zone_for(geom.centroid.x)
        rows.append(
            {
                **kw,
                "zone_srid": zone,
                "metric_srid": zone,
                "is_synthetic": kw.get("is_synthetic", True),
            }
        )
        return len(rows)

    old_ids = {}
    for i, (name, geom) in enumerate(source.provinces_pre, start=1):
        old_ids[name] = add(
            code=f"NT{i:02d}",
            name=name,
            level="province",
            parent_id=None,
            boundary=geom,
            valid_from=PRE_2025_FROM,
            valid_to=PRE_2025_TO,
            is_synthetic=False,
            metadata={"source": "Open Development Mekong, Địa phận tỉnh", "synthetic_code": True},
        )
    for name, geom in source.provinces_pre:
        count = max(1, round(_km2(geom) / KM2_PER_DISTRICT))
        for k, cell in enumerate(_cells(rng, geom, count), start=1):
            add(
                code=f"{rows[old_ids[name] - 1]['code']}-H{k:02d}",
                name=f"Huyện {rng.choice(PLACE_WORDS)} {rng.choice(PLACE_WORDS)} ({k})",
                level="district",
                parent_id=old_ids[name],
                boundary=cell,
                valid_from=PRE_2025_FROM,
                valid_to=PRE_2025_TO,
                metadata={"note": "Ranh giới tổng hợp (Voronoi), không dùng cho mục đích pháp lý"},
            )
    new_ids, successions = {}, []
    for j, (name, level, olds) in enumerate(source.merges, start=1):
        parts = [by_name[o] for o in olds if o in by_name]
        merged = _multi(shapely.union_all(parts))
        new_ids[name] = add(
            code=f"NP{j:02d}",
            name=name,
            level="province",
            parent_id=None,
            boundary=merged,
            valid_from=REFORM,
            valid_to=None,
            is_synthetic=False,
            metadata={
                "source": "ODM outlines dissolved per Resolution 202/2025/QH15",
                "kind": level,
                "synthetic_code": True,
            },  # fmt: skip
        )
        total = merged.area
        for o in olds:
            if o in by_name:
                successions.append((old_ids[o], new_ids[name], by_name[o].area / total))
    communes = []
    for name, _level, _olds in source.merges:
        pid = new_ids[name]
        geom = rows[pid - 1]["boundary"]
        count = max(2, round(_km2(geom) / KM2_PER_COMMUNE))
        for k, cell in enumerate(_cells(rng, geom, count), start=1):
            word = "Phường" if rng.random() < 0.2 else "Xã"
            communes.append(
                add(
                    code=f"{rows[pid - 1]['code']}-X{k:03d}",
                    name=f"{word} {rng.choice(PLACE_WORDS)} {rng.choice(PLACE_WORDS)} ({k})",
                    level="commune",
                    parent_id=pid,
                    boundary=cell,
                    valid_from=REFORM,
                    valid_to=None,
                    metadata={
                        "note": "Ranh giới tổng hợp (Voronoi), không dùng cho mục đích pháp lý"
                    },
                )
            )
    return rows, successions, np.array(communes)


def _unit_table(rows) -> Table:
    n = len(rows)
    cols = {"id": np.arange(1, n + 1)}
    for key in ("metric_srid", "code", "name", "level", "parent_id", "valid_from", "valid_to",
                "is_synthetic", "zone_srid"):  # fmt: skip
        cols[key] = _col([r[key] for r in rows])
    cols["gso_code"] = _col([""] * n)
    cols["moha_code"] = _col([""] * n)
    cols["is_mountainous"] = np.zeros(n, dtype=bool)
    cols["metadata"] = _col([json.dumps(r["metadata"], ensure_ascii=False) for r in rows])
    return Table(
        "planning_adminunit",
        cols,
        _col([r["boundary"] for r in rows]),
        "boundary",
        "MultiPolygon",
    )


# --- roads, parks and clusters --------------------------------------------------------------------


def _road_table(source: Source, commune_of) -> Table:
    geoms = _col([r[3] for r in source.roads])
    mids = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
    units = commune_of(shapely.get_x(mids), shapely.get_y(mids))
    zones = np.array([zone_for(p.x) for p in mids])
    n = len(geoms)
    status = np.where(np.arange(n) % 7 == 0, "under_construction", "invested")
    return Table(
        "planning_roadcorridor",
        {
            "id": np.arange(1, n + 1),
            "metric_srid": zones,
            "code": _col([r[0] for r in source.roads]),
            "name": _col([r[1] for r in source.roads]),
            "route_ref": _col([""] * n),
            "road_class": _col([r[2] for r in source.roads]),
            "length_m": np.round(_lengths_m(geoms, zones), 2),
            "right_of_way_m": np.where(
                _col([r[2] for r in source.roads]) == "national", 32.0, 20.0
            ),
            "status": _col(status),
            "admin_unit_id": _col([u if u > 0 else None for u in units.tolist()]),
            "is_synthetic": np.zeros(n, dtype=bool),
            "source": _col([ATTRIBUTION] * n),
        },
        geoms,
        "centerline",
        "MultiLineString",
    )


def _rectangle(cx, cy, width_m, height_m, angle, lat):
    """A rectangle in lon/lat: ``width_m`` along ``angle`` (radians from east)."""
    kx = 1.0 / (M_PER_DEG_LAT * math.cos(math.radians(lat)))
    ky = 1.0 / M_PER_DEG_LAT
    c, s = math.cos(angle), math.sin(angle)
    corners = []
    for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        x, y = dx * width_m / 2, dy * height_m / 2
        corners.append((cx + (x * c - y * s) * kx, cy + (x * s + y * c) * ky))
    return shapely.Polygon(corners)


def _place_areas(rng, source: Source, land, n_kcn: int, n_ccn: int):
    """Parks beside national roads, clusters beside any road; no two overlap, all on land."""
    lines = [(r[2], line) for r in source.roads for line in r[3].geoms]
    lengths = np.array([line.length for _c, line in lines])
    national = np.array([c == "national" for c, _l in lines])
    shapely.prepare(land)
    placed, kinds = [], []
    index = shapely.STRtree([])
    pending: list = []

    def overlaps(poly) -> bool:
        if len(pending) > 0 and shapely.intersects(np.array(pending), poly.buffer(0.002)).any():
            return True
        return len(index.query(poly.buffer(0.002), predicate="intersects")) > 0

    for kind, wanted in (("KCN", n_kcn), ("CCN", n_ccn)):
        weights = lengths * (national if kind == "KCN" else 1.0)
        weights = weights / weights.sum()
        got, tries = 0, 0
        while got < wanted and tries < wanted * 40:
            tries += 1
            k = rng.choice(len(lines), p=weights)
            line = lines[k][1]
            t = rng.random()
            p0 = line.interpolate(max(0.0, t - 0.001), normalized=True)
            p1 = line.interpolate(min(1.0, t + 0.001), normalized=True)
            angle = math.atan2(p1.y - p0.y, (p1.x - p0.x) * math.cos(math.radians(p0.y)))
            if kind == "KCN":
                ha = float(np.clip(rng.lognormal(math.log(250), 0.6), 50, 1200))
            else:
                ha = float(rng.uniform(10, 74))  # ≤ 75 ha once measured in its TM-3 zone
            aspect = rng.uniform(1.0, 2.0)
            width = math.sqrt(ha * 10_000 * aspect)
            height = ha * 10_000 / width
            side = 1 if rng.random() < 0.5 else -1
            offset = height / 2 + rng.uniform(60, 400)
            cx = p0.x + side * (-math.sin(angle)) * offset / (
                M_PER_DEG_LAT * math.cos(math.radians(p0.y))
            )
            cy = p0.y + side * math.cos(angle) * offset / M_PER_DEG_LAT
            poly = _rectangle(cx, cy, width, height, angle, cy)
            if not land.contains(poly) or overlaps(poly):
                continue
            pending.append(poly)
            if len(pending) >= 64:
                placed.extend(pending)
                index = shapely.STRtree(placed)
                pending = []
            kinds.append(kind)
            got += 1
    placed.extend(pending)
    return placed, kinds


def _area_tables(rng, areas, kinds, units_of, provinces_new) -> tuple[Table, Table]:
    n = len(areas)
    geoms = _col([_multi(a) for a in areas])
    pts = shapely.point_on_surface(geoms)
    unit_ids, zones = units_of(shapely.get_x(pts), shapely.get_y(pts))
    area_ha = _areas_m2(geoms, zones) / 10_000
    kinds = np.array(kinds)
    statuses = np.array(["planned", "established", "clearing", "building", "operating"])
    status = statuses[rng.choice(5, size=n, p=[0.08, 0.1, 0.12, 0.2, 0.5])]
    industrial = np.round(area_ha * rng.uniform(0.62, 0.72, n), 2)
    fill = np.where(status == "operating", rng.uniform(0.4, 1.0, n), rng.uniform(0.0, 0.3, n))
    fill = np.where(status == "planned", 0.0, fill)
    leased = np.round(industrial * fill, 2)
    infra = np.where(status == "operating", 100, rng.integers(0, 90, n))
    founded = np.array([dt.date(int(y), int(m), 1) for y, m in zip(
        rng.integers(1995, 2025, n), rng.integers(1, 13, n), strict=True)])  # fmt: skip
    province_names = _col([provinces_new.get(int(u), "") for u in unit_ids])
    codes = _col([f"N{k}-{i + 1:04d}" for i, k in enumerate(kinds)])
    names = _col(
        [
            f"{k} {rng.choice(PLACE_WORDS)} {rng.choice(PLACE_WORDS)} {i + 1}"
            for i, k in enumerate(kinds)
        ]
    )
    dev_names = _col([f"Công ty Phát triển hạ tầng {name} (tổng hợp)" for name in names])
    developers = Table(
        "planning_developer",
        {
            "id": np.arange(1, n + 1),
            "name": dev_names,
            "kind": _col(
                np.where(kinds == "KCN", "enterprise", rng.choice(["state", "enterprise"], n))
            ),
            "tax_code": _col([f"{9000000000 + i}" for i in range(n)]),
            "charter_capital_bn_vnd": np.round(area_ha * rng.uniform(0.5, 3.0, n), 2),
            "own_capital_bn_vnd": np.round(area_ha * rng.uniform(0.3, 2.0, n), 2),
            "is_synthetic": np.ones(n, dtype=bool),
            "capital_is_synthetic": np.ones(n, dtype=bool),
            "notes": _col(["Dữ liệu tổng hợp (synthetic)"] * n),
        },
    )
    synthetic_fields = json.dumps(
        ["planned_area_ha", "industrial_land_ha", "leased_land_ha", "status", "established_on"]
    )
    table = Table(
        "planning_industrialarea",
        {
            "id": np.arange(1, n + 1),
            "metric_srid": zones,
            "code": codes,
            "name": names,
            "kind": _col(kinds),
            "boundary_area_ha": np.round(area_ha, 4),
            "planned_area_ha": np.round(area_ha, 2),
            "industrial_land_ha": industrial,
            "leased_land_ha": leased,
            "green_land_ha": np.round(area_ha * 0.1, 2),
            "shared_infra_land_ha": np.round(area_ha * 0.15, 2),
            "status": _col(status),
            "established_on": _col(np.where(status == "planned", None, founded)),
            "planning_decision": _col(["Quyết định thành lập (tổng hợp)"] * n),
            "developer_id": np.arange(1, n + 1),
            "total_investment_bn_vnd": np.round(area_ha * rng.uniform(1.5, 4.0, n), 2),
            "lease_price_usd_m2": np.round(rng.uniform(30, 180, n), 2),
            "roads_done_pct": infra,
            "power_done_pct": infra,
            "water_done_pct": infra,
            "wastewater_done_pct": np.where(status == "operating", rng.integers(60, 101, n), 0),
            "wwtp_operating": (status == "operating") & (kinds == "KCN"),
            "wwtp_capacity_m3_day": np.where(kinds == "KCN", np.round(area_ha * 10), 0).astype(int),
            "isolation_strip_m": np.where(kinds == "KCN", 50.0, 15.0),
            "eco_status": _col(["none"] * n),
            "eco_criteria_met": _col(["{}"] * n),
            "admin_unit_id": unit_ids,
            "province_name_reported": province_names,
            "is_synthetic_boundary": np.ones(n, dtype=bool),
            "source": _col([ATTRIBUTION] * n),
            "synthetic_fields": _col([synthetic_fields] * n),
        },
        geoms,
        "boundary",
        "MultiPolygon",
    )
    return developers, table


def _projects(rng, areas: Table) -> Table:
    """Secondary projects in operating and building parks: one per ~8 ha leased."""
    rows = []
    for i in range(len(areas)):
        leased = float(areas.columns["leased_land_ha"][i])
        count = int(leased // 8)
        if count == 0:
            continue
        geom = areas.geometry[i]
        pts = _seeds(rng, geom, count)
        side = math.sqrt(leased / count * 10_000) * 0.8
        for k, (x, y) in enumerate(pts):
            rows.append((i + 1, k, x, y, side, leased / count))
    n = len(rows)
    area_ids = np.array([r[0] for r in rows], dtype=np.int64)
    plots = _col([_multi(_rectangle(r[2], r[3], r[4], r[4], 0.0, r[3])) for r in rows])
    zones = areas.columns["metric_srid"][area_ids - 1]
    registered = np.array(
        [
            dt.date(int(y), int(m), 15)
            for y, m in zip(rng.integers(2005, 2026, n), rng.integers(1, 13, n), strict=True)
        ]  # noqa: E501
    )
    operating = rng.random(n) < 0.6
    jobs = rng.integers(50, 3000, n)
    return Table(
        "planning_secondaryproject",
        {
            "id": np.arange(1, n + 1),
            "metric_srid": zones,
            "area_id": area_ids,
            "code": _col([f"NDA-{i + 1:06d}" for i in range(n)]),
            "name": _col([f"Nhà máy {rng.choice(SECTORS).lower()} {i + 1}" for i in range(n)]),
            "investor": _col(
                [f"Công ty TNHH {rng.choice(PLACE_WORDS)} {i + 1} (tổng hợp)" for i in range(n)]
            ),
            "investor_country": _col(
                rng.choice(COUNTRIES, n, p=[0.5, 0.15, 0.1, 0.1, 0.07, 0.05, 0.03])
            ),
            "sector": _col(rng.choice(SECTORS, n)),
            "plot_area_ha": np.round(_areas_m2(plots, zones) / 10_000, 4),
            "leased_area_ha": np.round(np.array([r[5] for r in rows]), 2),
            "registered_capital_bn_vnd": np.round(rng.uniform(20, 3000, n), 2),
            "disbursed_capital_bn_vnd": np.round(rng.uniform(0, 20, n), 2),
            "planned_jobs": jobs,
            "actual_jobs": np.where(operating, (jobs * rng.uniform(0.5, 1.1, n)).astype(int), 0),
            "annual_tax_bn_vnd": np.round(np.where(operating, rng.uniform(0.5, 60, n), 0.0), 2),
            "registered_on": registered,
            "status": _col(np.where(operating, "operating", "building")),
            "is_synthetic": np.ones(n, dtype=bool),
        },
        plots,
        "plot",
        "MultiPolygon",
    )


def _targets_and_reports(rng, areas: Table) -> tuple[Table, Table]:
    indicators = [
        "clearance_ha",
        "infrastructure_pct",
        "leased_ha",
        "new_projects",
        "disbursed_bn_vnd",
    ]
    years = [2023, 2024, 2025, 2026]
    n = len(areas)
    ha = areas.columns["planned_area_ha"].astype(float)
    t_area, t_year, t_ind, t_val = [], [], [], []
    r = {k: [] for k in ("area_id", "year", "admin_unit_id", "clearance_ha", "infrastructure_pct",
                         "leased_ha", "new_projects", "disbursed_bn_vnd", "workers",
                         "submitted_on")}  # fmt: skip
    scale = {"clearance_ha": 0.1, "infrastructure_pct": 20, "leased_ha": 0.05, "new_projects": 3,
             "disbursed_bn_vnd": 0.4}  # fmt: skip
    for i in range(n):
        if areas.columns["status"][i] == "planned":
            continue
        # A fifth of the developers fall short two years running: the revocation watch list.
        short = rng.random() < 0.2
        for year in years:
            for ind in indicators:
                base = scale[ind] * (1 if ind in ("infrastructure_pct", "new_projects") else ha[i])
                value = (
                    min(100.0, base * (1 + (year - 2023) * 0.3))
                    if ind == "infrastructure_pct"
                    else base
                )
                (
                    t_area.append(i + 1),
                    t_year.append(year),
                    t_ind.append(ind),
                    t_val.append(round(value, 2)),
                )
            if year <= 2025:
                got = rng.uniform(0.3, 0.7) if short else rng.uniform(0.8, 1.3)
                r["area_id"].append(i + 1)
                r["year"].append(year)
                r["admin_unit_id"].append(int(areas.columns["admin_unit_id"][i]))
                r["clearance_ha"].append(round(scale["clearance_ha"] * ha[i] * got, 2))
                r["infrastructure_pct"].append(
                    round(min(100.0, 20 * (1 + (year - 2023) * 0.3) * got), 2)
                )
                r["leased_ha"].append(round(scale["leased_ha"] * ha[i] * got, 2))
                r["new_projects"].append(int(round(3 * got)))
                r["disbursed_bn_vnd"].append(round(scale["disbursed_bn_vnd"] * ha[i] * got, 2))
                r["workers"].append(int(ha[i] * 40 * got))
                r["submitted_on"].append(dt.date(year + 1, 1, 20))
    m = len(t_area)
    targets = Table(
        "planning_developmenttarget",
        {
            "id": np.arange(1, m + 1),
            "area_id": np.array(t_area),
            "year": np.array(t_year),
            "indicator": _col(t_ind),
            "target_value": np.array(t_val),
            "decision": _col(["Giao chỉ tiêu (tổng hợp)"] * m),
            "is_synthetic": np.ones(m, dtype=bool),
        },
    )
    k = len(r["area_id"])
    reports = Table(
        "planning_annualreport",
        {
            "id": np.arange(1, k + 1),
            **{key: _col(v) for key, v in r.items()},
            "is_synthetic": np.ones(k, dtype=bool),
        },  # fmt: skip
    )
    return targets, reports


# --- clearance parcels ----------------------------------------------------------------------------


def _parcel_chunks(seed: int, areas: Table, total: int, chunk: int, units_of) -> Iterator[Table]:
    """``total`` parcels shared out over the parks and clusters by area, in chunks of about
    ``chunk`` rows: a jittered grid of plots inside each boundary. Each area's plots come from
    its own random stream (seed, area), so a chunk's content does not depend on the chunk size."""
    ha = areas.columns["planned_area_ha"].astype(float)
    share = ha / ha.sum() * total
    counts = np.floor(share).astype(int)
    counts[np.argsort(share - counts)[::-1][: total - counts.sum()]] += 1
    next_id = 1
    buffered: list[tuple] = []
    held = 0
    per_unit: dict[int, int] = {}
    for i in range(len(areas)):
        if counts[i] == 0:
            continue
        buffered.append(_area_parcels(seed, i, areas, int(counts[i])))
        held += counts[i]
        if held >= chunk or i == len(areas) - 1:
            table = _parcel_table(buffered, next_id, units_of, per_unit)
            next_id += len(table)
            buffered, held = [], 0
            yield table
    if buffered:
        yield _parcel_table(buffered, next_id, units_of, per_unit)


def _area_parcels(seed: int, i: int, areas: Table, count: int):
    rng = np.random.default_rng([seed, 1_000_003, i])
    geom = areas.geometry[i]
    lat = geom.centroid.y
    kx = 1.0 / (M_PER_DEG_LAT * math.cos(math.radians(lat)))
    area_m2 = float(areas.columns["boundary_area_ha"][i]) * 10_000
    cell = math.sqrt(area_m2 / (count * 1.15))  # metres; some spare for the edges
    shapely.prepare(geom)
    x0, y0, x1, y1 = geom.bounds
    while True:
        xs = np.arange(x0, x1, cell * kx)
        ys = np.arange(y0, y1, cell / M_PER_DEG_LAT)
        gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
        # Whole cells only: all four corners inside (a plot is 94 % of its cell, jittered 2 %).
        w, h = cell * kx, cell / M_PER_DEG_LAT
        keep = np.ones(len(gx), dtype=bool)
        for dx, dy in ((0, 0), (1, 0), (1, 1), (0, 1)):
            keep &= shapely.contains_xy(geom, gx + dx * w, gy + dy * h)
        gx, gy = gx[keep], gy[keep]
        if len(gx) >= count:
            break
        cell *= 0.9  # not enough whole cells inside: a finer grid
    pick = np.sort(rng.choice(len(gx), size=count, replace=False))
    gx, gy = gx[pick], gy[pick]
    # Plots a little smaller than their cell (paths between them), corners jittered.
    w, h = cell * kx * 0.94, cell / M_PER_DEG_LAT * 0.94
    gx, gy = gx + cell * kx * 0.03, gy + cell / M_PER_DEG_LAT * 0.03  # centred in the cell
    jitter = rng.uniform(-0.02, 0.02, size=(count, 4, 2)) * np.array([w, h])
    base = np.stack(
        [
            np.stack([gx, gy], 1),
            np.stack([gx + w, gy], 1),
            np.stack([gx + w, gy + h], 1),
            np.stack([gx, gy + h], 1),
        ],
        1,
    )
    ring = base + jitter
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    polys = shapely.polygons(ring)
    # Every attribute from the area's own stream: a parcel does not depend on the chunking.
    return {
        "area": np.full(count, i + 1),
        "polys": polys,
        "status": rng.choice(5, size=count, p=[0.15, 0.15, 0.2, 0.15, 0.35]),
        "land_use": rng.choice(len(LAND_USES), size=count, p=LAND_USE_P),
        "households": rng.integers(0, 4, count),
        "holder": rng.integers(0, len(SURNAMES) * len(GIVEN), count),
        "price": rng.uniform(0.15, 0.6, count),
        "day0": rng.integers(0, 1500, count),
        "steps": rng.integers(0, 60, size=(4, count)),
    }


def _parcel_table(buffered, first_id: int, units_of, per_unit: dict[int, int]) -> Table:
    b = {key: np.concatenate([p[key] for p in buffered], axis=-1) for key in buffered[0]}
    polys, area_ids, status_k = b["polys"], b["area"], b["status"]
    n = len(polys)
    geoms = shapely.multipolygons(polys, indices=np.arange(n))
    pts = shapely.centroid(polys)
    unit_ids, zones = units_of(shapely.get_x(pts), shapely.get_y(pts))
    area_m2 = np.round(_areas_m2(geoms, zones), 2)
    # Cadastral numbers: sheet and parcel, unique within the commune (the database's rule).
    sheet, number = np.empty(n, dtype=object), np.empty(n, dtype=object)
    for k, unit in enumerate(unit_ids.tolist()):
        c = per_unit.get(unit, 0)
        per_unit[unit] = c + 1
        sheet[k] = str(c // 400 + 1)
        number[k] = str(c % 400 + 1)
    land_use = LAND_USES[b["land_use"]]
    households = b["households"]
    planned = np.round(area_m2 * b["price"] / 1000, 2)  # million VND
    day0 = np.datetime64("2019-01-01") + b["day0"].astype("timedelta64[D]")
    steps = [day0 + (k * 120 + b["steps"][k]).astype("timedelta64[D]") for k in range(4)]
    dates = [np.where(status_k >= k + 1, s, np.datetime64("NaT")) for k, s in enumerate(steps)]
    holders = np.array([f"{s} {g}" for s in SURNAMES for g in GIVEN], dtype=object)
    return Table(
        "planning_clearanceparcel",
        {
            "id": np.arange(first_id, first_id + n),
            "metric_srid": zones,
            "area_id": area_ids,
            "map_sheet": sheet,
            "parcel_no": number,
            "area_m2": area_m2,
            "land_use": land_use.astype(object),
            "households": households,
            "holder_name": holders[b["holder"]],
            "holder_id_number": _col([""] * n),
            "status": PARCEL_STATUSES[status_k].astype(object),
            "compensation_planned_mn_vnd": np.where(status_k >= 2, planned, 0.0),
            "compensation_paid_mn_vnd": np.where(status_k >= 3, planned, 0.0),
            "inventoried_on": dates[0],
            "plan_approved_on": dates[1],
            "compensated_on": dates[2],
            "handed_over_on": dates[3],
            "admin_unit_id": unit_ids,
            "is_synthetic": np.ones(n, dtype=bool),
        },
        geoms,
        "boundary",
        "MultiPolygon",
    )


# --- the whole dataset ----------------------------------------------------------------------------


def build(
    source: Source,
    *,
    seed: int = 2025,
    parcels: int = 5_000_000,
    kcn: int = 450,
    ccn: int = 1300,
    chunk: int = 250_000,
    extent: tuple[float, float, float, float] = (100.0, 6.0, 112.0, 24.5),
) -> Dataset:
    """The dataset; ``extent`` (lon/lat) is the service's ``PLANNING_EXTENT``."""
    rng = np.random.default_rng(seed)
    rows, successions, commune_ids = _units(rng, source, extent)
    units = _unit_table(rows)
    commune_geoms = units.geometry[commune_ids - 1]
    tree = shapely.STRtree(commune_geoms)
    commune_zone = units.columns["zone_srid"][commune_ids - 1]

    def commune_of(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The commune (since 1 July 2025) containing each point; 0 where none does."""
        pts = shapely.points(x, y)
        found = tree.query(pts, predicate="intersects")
        out = np.zeros(len(pts), dtype=np.int64)
        out[found[0][::-1]] = commune_ids[found[1][::-1]]  # the first commune where two touch
        return out

    def units_of(x, y):
        ids = commune_of(x, y)
        missing = ids == 0
        if missing.any():  # on a border gap of the coarse outlines: the nearest commune
            near = tree.nearest(shapely.points(x[missing], y[missing]))
            ids[missing] = commune_ids[near]
        zones = commune_zone[np.searchsorted(commune_ids, ids)]
        return ids, zones

    provinces_new = {}
    parent = units.columns["parent_id"]
    names = units.columns["name"]
    for cid in commune_ids.tolist():
        provinces_new[cid] = names[parent[cid - 1] - 1]
    land = shapely.union_all(units.geometry[units.columns["valid_to"] == None])  # noqa: E711
    roads = _road_table(source, commune_of)
    placed, kinds = _place_areas(rng, source, land, kcn, ccn)
    developers, areas = _area_tables(rng, placed, kinds, units_of, provinces_new)
    projects = _projects(rng, areas)
    targets, reports = _targets_and_reports(rng, areas)
    succession = Table(
        "planning_adminunitsuccession",
        {
            "id": np.arange(1, len(successions) + 1),
            "predecessor_id": np.array([s[0] for s in successions]),
            "successor_id": np.array([s[1] for s in successions]),
            "effective_on": _col([REFORM] * len(successions)),
            "area_share": np.array([round(s[2], 4) for s in successions]),
            "legal_basis": _col(["Nghị quyết 202/2025/QH15"] * len(successions)),
            "is_synthetic": np.zeros(len(successions), dtype=bool),
        },
    )
    tables = [units, succession, roads, developers, areas, projects, targets, reports]
    summary = {
        "provinces_pre_2025": len(source.provinces_pre),
        "provinces_2025": len(source.merges),
        "districts": int((units.columns["level"] == "district").sum()),
        "communes": len(commune_ids),
        "kcn": int((areas.columns["kind"] == "KCN").sum()),
        "ccn": int((areas.columns["kind"] == "CCN").sum()),
        "roads": len(roads),
        "projects": len(projects),
        "targets": len(targets),
        "reports": len(reports),
        "parcels": parcels,
    }
    return Dataset(
        tables,
        _parcel_chunks(seed, areas, parcels, chunk, units_of),
        parcels,
        summary,
    )
