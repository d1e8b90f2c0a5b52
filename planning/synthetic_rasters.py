"""Reproducible synthetic rasters for a demo province, consistent with its vector data.

No open DEM, land cover, flood or population rasters are at hand offline, so the demo builds
them (seeded) from what the province's vectors say: rivers and low land flood, towns are built-up
and populated, existing parks and clusters are built-up, high land is forest. Every file is
labelled synthetic. Pure NumPy/shapely/rasterio: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import rasterio
import shapely
from rasterio import features
from rasterio.io import MemoryFile
from rasterio.shutil import copy as rio_copy
from rasterio.transform import from_origin
from rasterio.warp import Resampling, reproject

# Land-cover codes: the table of planning.analysis.site_suggestion.LandcoverClasses.
NODATA, RICE, CROPS, FOREST, WATER, BUILT, BARE, PERENNIAL = 0, 1, 2, 3, 4, 5, 6, 7


@dataclass(frozen=True)
class ProvinceScene:
    """Vector inputs in one metric CRS (metres)."""

    outline: object  # shapely (Multi)Polygon
    towns: list[tuple[float, float, float]]  # (x, y, population)
    rivers: list[object]  # shapely LineStrings
    areas: list[object]  # existing KCN/CCN polygons
    relief: str  # "coastal_mountains" (Bình Định) or "delta" (Sóc Trăng)
    coast_side: str = "east"  # where the sea is, for relief gradients


@dataclass(frozen=True)
class Grid:
    transform: object
    width: int
    height: int
    cell: float


def grid_for(outline, cell: float, margin: float = 500.0) -> Grid:
    x0, y0, x1, y1 = outline.bounds
    x0, y0 = np.floor((x0 - margin) / cell) * cell, np.floor((y0 - margin) / cell) * cell
    x1, y1 = np.ceil((x1 + margin) / cell) * cell, np.ceil((y1 + margin) / cell) * cell
    width, height = int(round((x1 - x0) / cell)), int(round((y1 - y0) / cell))
    return Grid(from_origin(x0, y1, cell, cell), width, height, cell)


def smooth_noise(rng: np.random.Generator, grid: Grid, scale_m: float) -> np.ndarray:
    """Smooth random field in [-1, 1]: coarse white noise upsampled with cubic resampling."""
    coarse_cell = max(scale_m, grid.cell * 4)
    cw = max(4, int(np.ceil(grid.width * grid.cell / coarse_cell)) + 3)
    ch = max(4, int(np.ceil(grid.height * grid.cell / coarse_cell)) + 3)
    coarse = rng.uniform(-1, 1, (ch, cw)).astype(np.float32)
    x0, y1 = grid.transform.c - coarse_cell, grid.transform.f + coarse_cell
    src_transform = from_origin(x0, y1, coarse_cell, coarse_cell)
    out = np.zeros((grid.height, grid.width), np.float32)
    reproject(
        coarse,
        out,
        src_transform=src_transform,
        src_crs="EPSG:3857",
        dst_transform=grid.transform,
        dst_crs="EPSG:3857",
        resampling=Resampling.cubic,
    )
    return np.clip(out, -1, 1)


def _distance_to(geoms, grid: Grid, max_m: float) -> np.ndarray:
    """Approximate distance (m) to geometries, in rings of one coarse step up to ``max_m``."""
    out = np.full((grid.height, grid.width), max_m, np.float32)
    if not geoms:
        return out
    steps = np.linspace(0, max_m, 25)[1:]
    for d in steps[::-1]:
        zone = shapely.union_all([g.buffer(d) for g in geoms])
        mask = features.geometry_mask(
            [zone], (grid.height, grid.width), grid.transform, invert=True
        )
        out[mask] = d
    inside = features.geometry_mask(
        list(geoms), (grid.height, grid.width), grid.transform, invert=True, all_touched=True
    )
    out[inside] = 0
    return out


def synthesise(scene: ProvinceScene, grid: Grid, seed: int) -> dict[str, np.ndarray]:
    """Return ``dem`` (m), ``landcover`` (codes), ``flood`` (depth m), ``population``
    (people/cell)."""
    rng = np.random.default_rng(seed)
    shape = (grid.height, grid.width)
    inside = features.geometry_mask([scene.outline], shape, grid.transform, invert=True)
    rows, cols = np.indices(shape, dtype=np.float32)
    xs = grid.transform.c + (cols + 0.5) * grid.cell
    ys = grid.transform.f - (rows + 0.5) * grid.cell
    del rows, cols
    d_river = _distance_to(scene.rivers, grid, 3000.0)
    noise_big = smooth_noise(rng, grid, 12_000)
    noise_small = smooth_noise(rng, grid, 2_500)

    if scene.relief == "coastal_mountains":
        # Elevation rises inland (west) from the coast; valleys along the rivers.
        x0, _, x1, _ = scene.outline.bounds
        inland = (x1 - xs) / max(1.0, (x1 - x0))  # 0 at the coast .. 1 far west
        dem = (
            5
            + 650 * np.clip(inland - 0.25, 0, None) ** 1.6
            + 220 * np.clip(noise_big, 0, None) * inland
        )
        dem += 25 * noise_small
        # Flat valley floors: the river's base level is low near the coast and rises inland.
        base = 2 + 40 * inland**2
        dem = np.where(d_river < 2500, base + (dem - base) * (d_river / 2500) ** 2, dem)
        dem = np.clip(dem, 0.5, None)
    else:
        # Delta: 0.3–3 m, lowest by the rivers and the sea.
        dem = 1.6 + 0.9 * noise_big + 0.3 * noise_small
        dem = np.where(d_river < 1500, dem - 0.8 * (1 - d_river / 1500), dem)
        dem = np.clip(dem, 0.2, 4.0)
    dem = dem.astype(np.float32)
    del ys

    # Flood depth: a design flood level above the river, fading away from it.
    if scene.relief == "delta":
        flood_level = np.where(d_river < 3000, 3.0 - d_river / 1500, 0.8)
    else:
        flood_level = np.where(d_river < 3000, base + 5.0 - d_river / 250, 0.0)
    flood = np.clip(flood_level - dem, 0, 4).astype(np.float32)
    flood[flood < 0.05] = 0

    del xs
    # Land cover.
    landcover = np.full(shape, CROPS, np.uint8)
    slope_proxy = dem
    if scene.relief == "coastal_mountains":
        landcover[(dem < 25) & (noise_small > -0.4)] = RICE
        landcover[(dem >= 25) & (dem < 120) & (noise_small > 0.3)] = PERENNIAL
        landcover[(dem >= 150) | ((dem >= 90) & (noise_big > 0.3))] = FOREST
        landcover[(dem >= 60) & (dem < 150) & (noise_small < -0.55)] = BARE
    else:
        landcover[(noise_big > -0.5)] = RICE
        landcover[(noise_small > 0.45)] = PERENNIAL
        landcover[(noise_small < -0.6)] = BARE
    del slope_proxy
    landcover[d_river < 60] = WATER
    # Towns and existing areas are built-up.
    town_geoms = [
        shapely.Point(x, y).buffer(400 + 450 * np.log10(max(pop, 10) / 1000 + 1))
        for x, y, pop in scene.towns
    ]
    if town_geoms:
        built = features.geometry_mask(town_geoms, shape, grid.transform, invert=True)
        landcover[built] = BUILT
    if scene.areas:
        built = features.geometry_mask(
            list(scene.areas), shape, grid.transform, invert=True, all_touched=True
        )
        landcover[built] = BUILT
        flood[built] = 0
    landcover[~inside] = NODATA

    # Population: towns (Gaussian kernels) plus a rural base on farmland; people per cell.
    pop = np.zeros(shape, np.float32)
    rural = np.isin(landcover, (RICE, CROPS, PERENNIAL)).astype(np.float32)
    pop += rural * (grid.cell**2) * 250e-6 * (1 + 0.5 * noise_small)  # ~250 people/km² of farmland
    for x, y, people in scene.towns:
        sigma = 900 + 300 * np.log10(max(people, 1000) / 1000)
        c0 = int((x - grid.transform.c) / grid.cell)
        r0 = int((grid.transform.f - y) / grid.cell)
        radius = int(3 * sigma / grid.cell)
        rs, re = max(0, r0 - radius), min(grid.height, r0 + radius + 1)
        cs, ce = max(0, c0 - radius), min(grid.width, c0 + radius + 1)
        if rs >= re or cs >= ce:
            continue
        yy, xx = np.mgrid[rs:re, cs:ce]
        d2 = ((xx - c0) ** 2 + (yy - r0) ** 2) * grid.cell**2
        kernel = np.exp(-d2 / (2 * sigma**2)).astype(np.float32)
        pop[rs:re, cs:ce] += people * kernel / kernel.sum()
    pop[(landcover == WATER) | (landcover == FOREST) | ~inside] = 0
    return {"dem": dem, "landcover": landcover, "flood": flood, "population": pop}


def write_cog(
    path, array: np.ndarray, grid: Grid, crs: str, *, nodata=None, description: str = ""
) -> None:
    """Write a Cloud-Optimised GeoTIFF (tiled, overviews, deflate)."""
    profile = dict(
        driver="GTiff",
        width=grid.width,
        height=grid.height,
        count=1,
        dtype=array.dtype.name,
        crs=crs,
        transform=grid.transform,
        nodata=nodata,
        tiled=True,
        blockxsize=512,
        blockysize=512,
        compress="deflate",
    )
    with MemoryFile() as mem:
        with mem.open(**profile) as tmp:
            tmp.write(array, 1)
            tmp.update_tags(SYNTHETIC="yes", DESCRIPTION=description)
            resampling = "nearest" if array.dtype == np.uint8 else "average"
            tmp.build_overviews([2, 4, 8, 16], getattr(rasterio.enums.Resampling, resampling))
        with mem.open() as src:
            rio_copy(
                src,
                str(path),
                driver="COG",
                compress="deflate",
                overview_resampling=resampling,
                blocksize=512,
            )
