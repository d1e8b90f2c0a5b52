"""National synthetic rasters (issue 15, item 2): DEM, land cover, flood depth and population for
the whole country at 30 m (≈ 370 M cells on land), and at 10 m for any list of provinces,
consistent with the national synthetic dataset (:mod:`planning.synthetic_national`) of the same
seed, written window by window into tiled Cloud-Optimised GeoTIFFs — never whole in memory.

Every value is a function of the cell's absolute coordinates (and the seed), never of the window
that computes it: noise comes from global coarse lattices (a few MB) sampled with smoothstep
interpolation, towns and parks are looked up per window. So any window size gives the same file,
and the 10 m rasters of a province agree with the national 30 m ones (same relief, rivers, parks).

What the vectors say, the rasters keep: cells outside the land (the provinces' outlines) are no
data; parks and clusters of the dataset (every status but ``planned``) are built-up and dry;
district seats and provincial capitals are towns (built-up, dense population); water and forest
hold nobody. The relief is a sketch of the country's: the northern and north-western mountains,
the Annamite range and the Central Highlands high, the Red River and Mekong deltas within a few
metres of the sea; rivers are the zero lines of a ridged noise field, with flood plains along
them in the low land. Labelled synthetic in every file (tag ``SYNTHETIC=yes``).

CRS: VN-2000 / UTM zone 48N (EPSG:3405), one metric grid for the country. ASSUMPTION: its
published area of use stops at 108° E; east of it (to 109.5° E) the scale error grows to ≈ 0.25 %
(k ≈ 1.0025 at 109.5° E, 12° N), acceptable for synthetic national screening; a province's
legal areas are measured in its own TM-3 zone, never on these rasters.

Pure NumPy/shapely/rasterio (no Django).
"""

from __future__ import annotations

import functools
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rasterio
import shapely
from pyproj import Transformer
from rasterio import features
from rasterio.shutil import copy as rio_copy
from rasterio.transform import from_origin
from rasterio.windows import Window

from planning.analysis.rasters import capped_sq_distance
from planning.synthetic_rasters import BARE, BUILT, CROPS, FOREST, NODATA, PERENNIAL, RICE, WATER

NATIONAL_EPSG = 3405  # VN-2000 / UTM zone 48N
KINDS = ("dem", "landcover", "flood", "population")
DTYPES = {"dem": "float32", "landcover": "uint8", "flood": "float32", "population": "float32"}
NODATA_VALUES = {"dem": -9999.0, "landcover": 0, "flood": None, "population": None}
DESCRIPTIONS = {
    "dem": "Digital elevation model (synthetic, national)",
    "landcover": "Land cover (synthetic, national)",
    "flood": "Design flood depth (synthetic, national)",
    "population": "Population per cell (synthetic, national)",
}
BLOCK = 512  # COG tile size

# Relief: (lon, lat, height m, radius km) of the uplands, and the deltas' low centres.
UPLANDS = [
    (103.8, 22.3, 1400, 90),  # Hoàng Liên Sơn
    (103.4, 21.4, 1100, 110),  # north-west (Sơn La, Điện Biên)
    (105.3, 22.6, 800, 100),  # north (Hà Giang, Cao Bằng)
    (106.5, 22.0, 500, 90),  # north-east (Lạng Sơn)
    (104.9, 19.4, 900, 80),  # western Nghệ An
    (105.8, 18.0, 800, 70),  # Annamites (Hà Tĩnh, Quảng Bình)
    (107.3, 16.2, 900, 70),  # Annamites (Huế, Quảng Nam)
    (108.0, 15.0, 1100, 80),  # Kon Tum
    (108.1, 13.8, 800, 90),  # Gia Lai plateau
    (108.2, 12.6, 700, 90),  # Đắk Lắk plateau
    (108.4, 11.9, 1300, 60),  # Lâm Đồng (Đà Lạt)
    (107.4, 11.9, 600, 60),  # Đắk Nông
]
DELTAS = [(106.1, 20.7, 95), (105.6, 9.9, 210)]  # Red River, Mekong: (lon, lat, radius km)


@dataclass(frozen=True)
class Town:
    x: float
    y: float
    people: float


@dataclass
class NationalScene:
    """The vectors the rasters follow, in EPSG:3405 metres."""

    land: object  # shapely (Multi)Polygon: the provinces' outlines
    parks: list  # shapely polygons of parks and clusters that exist on the ground
    towns: list[Town]
    bounds: tuple[float, float, float, float] = field(init=False)

    def __post_init__(self) -> None:
        self.bounds = tuple(float(v) for v in self.land.bounds)
        shapely.prepare(self.land)
        self._park_tree = shapely.STRtree(self.parks) if self.parks else None
        self._town_xy = np.array([(t.x, t.y) for t in self.towns], dtype=float).reshape(-1, 2)
        self._town_people = np.array([t.people for t in self.towns], dtype=float)

    def parks_in(self, box) -> list:
        if self._park_tree is None:
            return []
        return [self.parks[i] for i in self._park_tree.query(box)]


@functools.cache
def _to_metric() -> Transformer:
    return Transformer.from_crs(4326, NATIONAL_EPSG, always_xy=True)


def metric(geom):
    """``geom`` (EPSG:4326, lon/lat) in EPSG:3405 metres."""
    to_m = _to_metric()
    return shapely.transform(geom, lambda xy: np.column_stack(to_m.transform(*xy.T)))


def scene_from_dataset(dataset, seed: int) -> NationalScene:
    """The scene of a :class:`planning.synthetic_national.Dataset` (the same seed's vectors).

    Towns: every pre-2025 district's seat (its point on surface) with 15,000–120,000 people
    (log-normal, from ``seed``), and every pre-2025 province's capital with 150,000–1,000,000.
    """
    to_m = _to_metric()
    tables = {t.table: t for t in dataset.tables}
    units = tables["planning_adminunit"]
    level, valid_to = units.columns["level"], units.columns["valid_to"]
    current = (level == "province") & np.array([v is None for v in valid_to])
    land = metric(shapely.union_all(units.geometry[current]))
    areas = tables["planning_industrialarea"]
    on_ground = areas.columns["status"] != "planned"
    parks = [metric(g) for g in areas.geometry[on_ground]]
    rng = np.random.default_rng([seed, 30])
    towns = []
    for lvl, low, median, high in (("district", 15e3, 40e3, 120e3), ("province", 150e3, 3e5, 1e6)):
        pick = (level == lvl) & ~current
        seats = shapely.point_on_surface(units.geometry[pick])
        people = np.clip(rng.lognormal(math.log(median), 0.6, len(seats)), low, high)
        for p, n in zip(seats, people, strict=True):
            x, y = to_m.transform(p.x, p.y)
            towns.append(Town(float(x), float(y), float(n)))
    return NationalScene(land=land, parks=parks, towns=towns)


# --- noise ---------------------------------------------------------------------------------------
class Lattice:
    """A random field in [-1, 1]: uniform values on a square lattice of ``spacing`` metres
    covering ``bounds``, sampled by smoothstep-weighted bilinear interpolation (C¹)."""

    def __init__(self, rng: np.random.Generator, bounds, spacing: float):
        x0, y0, x1, y1 = bounds
        self.x0, self.y0, self.spacing = x0 - 2 * spacing, y0 - 2 * spacing, spacing
        nx = int(math.ceil((x1 - self.x0) / spacing)) + 4
        ny = int(math.ceil((y1 - self.y0) / spacing)) + 4
        self.values = rng.uniform(-1, 1, (ny, nx)).astype(np.float32)

    @classmethod
    def of_values(cls, values: np.ndarray, x0: float, y0: float, spacing: float) -> Lattice:
        self = cls.__new__(cls)
        self.values, self.x0, self.y0, self.spacing = values.astype(np.float32), x0, y0, spacing
        return self

    def _axis(self, coords: np.ndarray, origin: float, n: int):
        u = (coords - origin) / self.spacing
        i = np.clip(np.floor(u).astype(np.int64), 0, n - 2)
        t = np.clip(u - i, 0.0, 1.0)
        return i, (t * t * (3 - 2 * t)).astype(np.float32)

    def sample(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Values at the grid of 1-D coordinates ``xs`` (columns) × ``ys`` (rows)."""
        ny, nx = self.values.shape
        ix, tx = self._axis(xs, self.x0, nx)
        iy, ty = self._axis(ys, self.y0, ny)
        v = self.values
        top = v[iy][:, ix] * (1 - tx) + v[iy][:, ix + 1] * tx
        bottom = v[iy + 1][:, ix] * (1 - tx) + v[iy + 1][:, ix + 1] * tx
        return top * (1 - ty)[:, None] + bottom * ty[:, None]


class Fields:
    """The country's coarse fields: relief (2 km lattice) and four noise lattices, from the seed.

    A few tens of MB whatever the resolution of the rasters."""

    RELIEF_SPACING = 2_000.0

    def __init__(self, scene: NationalScene, seed: int):
        rng = np.random.default_rng([seed, 31])
        b = scene.bounds
        self.big = Lattice(rng, b, 24_000.0)
        self.mid = Lattice(rng, b, 6_000.0)
        self.small = Lattice(rng, b, 1_500.0)
        self.fine = Lattice(rng, b, 400.0)
        self.river = Lattice(rng, b, 7_000.0)
        self.river_fine = Lattice(rng, b, 1_800.0)
        self.relief = self._relief(scene, rng)

    def _relief(self, scene: NationalScene, rng) -> Lattice:
        """Base elevation on a 2 km lattice: uplands as Gaussian hills shaped by the big noise,
        deltas pressed down, and the land's edge (coast or border) ramping up over 25 km."""
        s = self.RELIEF_SPACING
        x0, y0, x1, y1 = scene.bounds
        shell = Lattice(rng, scene.bounds, s)  # only its shape: the lattice's frame
        ny, nx = shell.values.shape
        xs = shell.x0 + np.arange(nx) * s
        ys = shell.y0 + np.arange(ny) * s
        gx, gy = np.meshgrid(xs, ys)
        to_m = _to_metric()
        height = np.zeros_like(gx, dtype=np.float64)
        for lon, lat, h, r_km in UPLANDS:
            cx, cy = to_m.transform(lon, lat)
            d2 = (gx - cx) ** 2 + (gy - cy) ** 2
            height = np.maximum(height, h * np.exp(-d2 / (2 * (r_km * 1000) ** 2)))
        shape_noise = self.big.sample(xs, ys) * 0.5 + self.mid.sample(xs, ys) * 0.25
        height = height * (0.75 + shape_noise) + 40 * (1 + shape_noise)
        for lon, lat, r_km in DELTAS:
            cx, cy = to_m.transform(lon, lat)
            d = np.sqrt((gx - cx) ** 2 + (gy - cy) ** 2) / (r_km * 1000)
            height = np.where(d < 1, 1.5 + (height - 1.5) * np.clip(d, 0, 1) ** 4, height)
        # distance to the land's edge, on the lattice (a coarse mask, exact capped distances)
        transform = from_origin(shell.x0 - s / 2, shell.y0 - s / 2, s, -s)
        inside = features.geometry_mask(
            [scene.land], (ny, nx), transform, invert=True, all_touched=False
        )
        cap = 25_000.0 / s
        edge = np.sqrt(capped_sq_distance(~inside, cap)) * s
        ramp = np.clip(np.nan_to_num(edge, posinf=25_000.0) / 25_000.0, 0, 1)
        height = 1.0 + (height - 1.0) * (0.25 + 0.75 * ramp)
        return Lattice.of_values(height.astype(np.float32), shell.x0, shell.y0, s)


# --- one window ----------------------------------------------------------------------------------
def synthesise_window(
    scene: NationalScene, fields: Fields, transform, height: int, width: int
) -> dict[str, np.ndarray] | None:
    """The four rasters of one window (``transform`` of its top-left corner); None if no land.

    Every cell's value depends on its coordinates only, not on the window."""
    cell = transform.a
    x0, y1 = transform.c, transform.f
    box = shapely.box(x0, y1 - height * cell, x0 + width * cell, y1)
    land = shapely.clip_by_rect(scene.land, *box.bounds)
    if land.is_empty:
        return None
    shape = (height, width)
    inside = features.geometry_mask([land], shape, transform, invert=True)
    if not inside.any():
        return None
    xs = x0 + (np.arange(width) + 0.5) * cell
    ys = y1 - (np.arange(height) + 0.5) * cell
    base = fields.relief.sample(xs, ys)
    n_mid = fields.mid.sample(xs, ys)
    n_small = fields.small.sample(xs, ys)
    n_fine = fields.fine.sample(xs, ys)
    river = np.abs(fields.river.sample(xs, ys) + 0.3 * fields.river_fine.sample(xs, ys))

    amplitude = 2.0 + 0.12 * base
    dem = base + amplitude * (0.65 * n_small + 0.35 * n_fine)
    valley = np.clip(1 - river / 0.08, 0, 1)
    dem = dem - np.minimum(dem * 0.35, 60.0) * valley
    dem = np.maximum(dem, 0.3).astype(np.float32)
    del amplitude

    near_river = np.clip(1 - river / 0.05, 0, 1)
    level = 4.0 * near_river + np.where(base < 4.0, 1.0 + 0.4 * n_mid, 0.0)
    flood = np.clip(level - np.maximum(dem - 0.5, 0) * 0.9, 0, 4).astype(np.float32)
    flood[(flood < 0.05) | (dem > 30)] = 0

    lc = np.full(shape, CROPS, np.uint8)
    lc[(dem < 25) & (n_small > -0.4)] = RICE
    lc[(dem >= 25) & (dem < 600) & (n_small > 0.25)] = PERENNIAL
    lc[(dem >= 60) & (dem < 400) & (n_small < -0.6)] = BARE
    lc[(dem >= 450) | ((dem >= 150) & (n_mid > 0.2))] = FOREST
    lc[(river < 0.006) & (dem < 800)] = WATER
    del n_mid, n_fine, river, valley, near_river, level

    # Towns (district seats and capitals): a built-up core and Gaussian population.
    pop = np.zeros(shape, np.float32)
    txy, people = scene._town_xy, scene._town_people
    sigma = 900 + 300 * np.log10(np.maximum(people, 1000) / 1000)
    reach = 3 * sigma
    bx0, by0, bx1, by1 = box.bounds
    near = (
        (txy[:, 0] + reach > bx0)
        & (txy[:, 0] - reach < bx1)
        & (txy[:, 1] + reach > by0)
        & (txy[:, 1] - reach < by1)
    )
    cores = []
    for (tx, ty), n, sg in zip(txy[near], people[near], sigma[near], strict=True):
        c_lo = max(0, int((tx - 3 * sg - x0) / cell))
        c_hi = min(width, int((tx + 3 * sg - x0) / cell) + 1)
        r_lo = max(0, int((y1 - (ty + 3 * sg)) / cell))
        r_hi = min(height, int((y1 - (ty - 3 * sg)) / cell) + 1)
        if c_lo < c_hi and r_lo < r_hi:
            dx = xs[c_lo:c_hi] - tx
            dy = ys[r_lo:r_hi] - ty
            # normalised over the continuous Gaussian: the same people whatever the window
            kern = np.exp(-(dy[:, None] ** 2 + dx[None, :] ** 2) / (2 * sg**2))
            pop[r_lo:r_hi, c_lo:c_hi] += (n * cell * cell / (2 * math.pi * sg**2)) * kern
        cores.append(shapely.Point(tx, ty).buffer(400 + 450 * math.log10(max(n, 10) / 1000 + 1)))
    if cores:
        lc[features.geometry_mask(cores, shape, transform, invert=True)] = BUILT
    parks = scene.parks_in(box)
    if parks:
        built = features.geometry_mask(parks, shape, transform, invert=True, all_touched=True)
        lc[built] = BUILT
        flood[built] = 0
    farmland = np.isin(lc, (RICE, CROPS, PERENNIAL))
    pop += farmland * np.float32(cell * cell * 250e-6) * (1 + 0.5 * n_small)
    pop[(lc == WATER) | (lc == FOREST) | ~inside] = 0
    lc[~inside] = NODATA
    dem[~inside] = NODATA_VALUES["dem"]
    flood[~inside] = 0
    return {"dem": dem, "landcover": lc, "flood": flood, "population": pop.astype(np.float32)}


# --- writing -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RasterGrid:
    """A north-up grid in EPSG:3405: top-left corner, cell size, shape."""

    x0: float
    y1: float
    cell: float
    height: int
    width: int

    @classmethod
    def covering(cls, bounds, cell: float, margin: float = 0.0) -> RasterGrid:
        """The grid of ``cell`` metres aligned on multiples of ``cell`` covering ``bounds``."""
        x0, y0, x1, y1 = bounds
        gx0 = math.floor((x0 - margin) / cell) * cell
        gy0 = math.floor((y0 - margin) / cell) * cell
        gx1 = math.ceil((x1 + margin) / cell) * cell
        gy1 = math.ceil((y1 + margin) / cell) * cell
        return cls(gx0, gy1, cell, int(round((gy1 - gy0) / cell)), int(round((gx1 - gx0) / cell)))

    @property
    def transform(self):
        return from_origin(self.x0, self.y1, self.cell, self.cell)

    @property
    def cells(self) -> int:
        return self.height * self.width


def windows(grid: RasterGrid, size: int) -> Iterator[Window]:
    for r in range(0, grid.height, size):
        for c in range(0, grid.width, size):
            yield Window(c, r, min(size, grid.width - c), min(size, grid.height - r))


@dataclass
class WrittenRasters:
    files: dict[str, Path]
    grid: RasterGrid
    land_cells: int
    windows_total: int
    windows_with_land: int


def write_rasters(
    scene: NationalScene,
    fields: Fields,
    grid: RasterGrid,
    out: dict[str, Path],
    *,
    window: int = 2048,
    clip=None,
    progress: Callable[[int, int], None] | None = None,
    tags: dict | None = None,
    gdal_cache_mb: int = 256,
) -> WrittenRasters:
    """Compute ``grid`` window by window into one COG per kind (paths ``out[kind]``).

    ``clip``: a metric polygon outside which cells are no data (a province for the 10 m
    rasters); default the scene's land. Windows are multiples of the COG's tile, written to a
    tiled, sparse GeoTIFF beside the output, then copied to a COG (GDAL builds the overviews
    from the file, chunk by chunk): memory is a few windows and GDAL's block cache
    (``gdal_cache_mb``), never the grid.
    """
    window = max(BLOCK, (window // BLOCK) * BLOCK)
    if clip is not None:
        scene = NationalScene(
            land=shapely.intersection(scene.land, clip), parks=scene.parks, towns=scene.towns
        )
    folder = Path(next(iter(out.values()))).parent
    folder.mkdir(parents=True, exist_ok=True)
    crs = f"EPSG:{NATIONAL_EPSG}"
    all_windows = list(windows(grid, window))
    land_cells = with_land = 0
    with (
        rasterio.Env(GDAL_CACHEMAX=gdal_cache_mb),
        tempfile.TemporaryDirectory(dir=folder, prefix=".building-") as tmp,
    ):
        staging = {kind: Path(tmp) / f"{kind}.tif" for kind in KINDS}
        datasets = {
            kind: rasterio.open(
                staging[kind],
                "w",
                driver="GTiff",
                width=grid.width,
                height=grid.height,
                count=1,
                dtype=DTYPES[kind],
                crs=crs,
                transform=grid.transform,
                nodata=NODATA_VALUES[kind],
                tiled=True,
                blockxsize=BLOCK,
                blockysize=BLOCK,
                compress="zstd",
                zstd_level=1,
                sparse_ok=True,
                bigtiff="if_safer",
            )
            for kind in KINDS
        }
        try:
            for i, win in enumerate(all_windows, start=1):
                t = rasterio.windows.transform(win, grid.transform)
                arrays = synthesise_window(scene, fields, t, int(win.height), int(win.width))
                if arrays is not None:
                    with_land += 1
                    land_cells += int(np.count_nonzero(arrays["landcover"]))
                    for kind, arr in arrays.items():
                        datasets[kind].write(arr, 1, window=win)
                if progress:
                    progress(i, len(all_windows))
        finally:
            for ds in datasets.values():
                ds.close()
        for kind in KINDS:
            with rasterio.open(staging[kind], "r+") as ds:
                ds.update_tags(SYNTHETIC="yes", DESCRIPTION=DESCRIPTIONS[kind], **(tags or {}))
                ds.set_band_description(1, DESCRIPTIONS[kind])
            resampling = "nearest" if kind == "landcover" else "average"
            partial = Path(out[kind]).with_suffix(".partial.tif")
            with rasterio.open(staging[kind]) as src:
                rio_copy(
                    src,
                    str(partial),
                    driver="COG",
                    compress="deflate",
                    predictor="2" if kind == "landcover" else "3",
                    blocksize=BLOCK,
                    overview_resampling=resampling,
                    bigtiff="if_safer",
                    sparse_ok=True,
                    num_threads=str(os.cpu_count() or 1),
                )
            os.replace(partial, out[kind])
    return WrittenRasters(dict(out), grid, land_cells, len(all_windows), with_land)


def national_grid(scene: NationalScene, cell: float = 30.0) -> RasterGrid:
    return RasterGrid.covering(scene.bounds, cell, margin=cell)


def province_grids(
    provinces: Iterable[tuple[str, object]], cell: float = 10.0
) -> list[tuple[str, object, RasterGrid]]:
    """(name, metric outline, grid) of each province for the 10 m rasters."""
    return [
        (name, outline, RasterGrid.covering(outline.bounds, cell, margin=3 * cell))
        for name, outline in provinces
    ]
