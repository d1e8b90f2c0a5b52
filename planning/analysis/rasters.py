"""Small raster helpers over NumPy and rasterio: grids, windows, rasterising, distances, slope.

Pure: NumPy, shapely and rasterio only (no Django, no SciPy). Every grid is north-up with square
cells in a projected CRS whose unit is the metre (a VN-2000 TM-3 zone, e.g. EPSG:9217).

Memory and speed are written for province-sized grids (6,000 × 10,000 cells at 10 m):

* :func:`iter_blocks` / :func:`read_windows` walk a grid in row stripes, with halo rows for
  neighbourhood operations, so no full-size temporary is ever needed;
* :func:`capped_sq_distance` is an exact Euclidean distance transform *up to a cap* (cells
  farther than the cap get ``inf``) in ``2 × cap + 1`` vectorised passes — cheap for the 200 m
  built-up buffer at 10 m (41 passes) and for kilometre distances on a coarse grid; it replaces
  ``scipy.ndimage.distance_transform_edt``, whose int32 feature transform alone would need
  ~1 GB for 60 M cells;
* :func:`focal_sum_disc` is a disc focal sum by FFT in overlap-save tiles (bounded memory);
* :func:`box_sum` is an integral-image box filter.

Examples
--------
>>> import numpy as np
>>> g = Grid.from_origin(500_000, 1_600_000, cell_size=25, rows=4, cols=6, crs_epsg=9217)
>>> g.bounds, g.cell_area_m2
((500000.0, 1599900.0, 500150.0, 1600000.0), 625.0)
>>> mask = np.zeros((1, 7), bool); mask[0, 0] = True
>>> distance_to_mask(mask, cell_size=10, max_distance=40).tolist()
[[0.0, 10.0, 20.0, 30.0, 40.0, inf, inf]]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import rasterio.features
import shapely
from affine import Affine
from rasterio.windows import Window

from planning.analysis.errors import GridError

__all__ = [
    "Grid",
    "check_metric_crs",
    "check_metric_geometry",
    "iter_blocks",
    "read_windows",
    "array_reader",
    "dataset_reader",
    "rasterize_mask",
    "capped_sq_distance",
    "distance_to_mask",
    "within_distance",
    "slope_percent",
    "block_sum",
    "focal_sum_disc",
    "box_sum",
    "upsample_bilinear",
    "ramp_down",
]


# --------------------------------------------------------------------------------------------
# Grid
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Grid:
    """A north-up raster grid with square cells in a metric CRS.

    Parameters
    ----------
    transform : affine.Affine
        Pixel → map transform (``Affine(cell, 0, west, 0, -cell, north)``), metres.
    shape : (int, int)
        (rows, columns).
    crs_epsg : int, optional
        EPSG code of the projected CRS; checked to be projected with metre units when given.

    Examples
    --------
    >>> g = Grid.from_origin(0, 100, cell_size=10, rows=10, cols=20)
    >>> g.cell_size, g.shape, g.coarsen(3).shape, g.coarsen(3).cell_size
    (10.0, (10, 20), (4, 7), 30.0)
    >>> Grid(Affine(10, 0, 0, 0, -5, 0), (2, 2))
    Traceback (most recent call last):
    ...
    planning.analysis.errors.GridError: cells must be square (10 × 5 m)
    """

    transform: Affine
    shape: tuple[int, int]
    crs_epsg: int | None = None

    def __post_init__(self) -> None:
        t = self.transform
        if t.b != 0 or t.d != 0 or t.a <= 0 or t.e >= 0:
            raise GridError(f"the grid must be north-up without rotation (got {tuple(t)[:6]})")
        if not math.isclose(t.a, -t.e, rel_tol=1e-9):
            raise GridError(f"cells must be square ({t.a:g} × {-t.e:g} m)")
        rows, cols = self.shape
        if int(rows) != rows or int(cols) != cols or rows < 1 or cols < 1:
            raise GridError(f"shape must be two positive integers (got {self.shape})")
        object.__setattr__(self, "shape", (int(rows), int(cols)))
        if self.crs_epsg is not None:
            check_metric_crs(self.crs_epsg)

    @classmethod
    def from_origin(
        cls,
        west: float,
        north: float,
        *,
        cell_size: float,
        rows: int,
        cols: int,
        crs_epsg: int | None = None,
    ) -> Grid:
        """The grid whose north-west corner is (``west``, ``north``), square cells."""
        return cls(Affine(cell_size, 0, west, 0, -cell_size, north), (rows, cols), crs_epsg)

    @property
    def cell_size(self) -> float:
        """Cell side, metres."""
        return float(self.transform.a)

    @property
    def cell_area_m2(self) -> float:
        """Cell area, square metres."""
        return self.cell_size * self.cell_size

    @property
    def rows(self) -> int:
        """Number of rows."""
        return self.shape[0]

    @property
    def cols(self) -> int:
        """Number of columns."""
        return self.shape[1]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in metres."""
        t = self.transform
        return (t.c, t.f + t.e * self.rows, t.c + t.a * self.cols, t.f)

    def window_transform(self, window: Window) -> Affine:
        """The affine transform of ``window``'s top-left cell."""
        return self.transform @ Affine.translation(window.col_off, window.row_off)

    def subgrid(self, window: Window) -> Grid:
        """The grid of the cells in ``window``."""
        return Grid(
            self.window_transform(window), (int(window.height), int(window.width)), self.crs_epsg
        )

    def translate(self, dx: float, dy: float) -> Grid:
        """The same grid shifted by (``dx``, ``dy``) metres."""
        t = self.transform
        return Grid(Affine(t.a, 0, t.c + dx, 0, t.e, t.f + dy), self.shape, self.crs_epsg)

    def coarsen(self, factor: int) -> Grid:
        """The grid of ``factor × factor`` blocks (last row/column of blocks may be partial)."""
        t = self.transform
        return Grid(
            Affine(t.a * factor, 0, t.c, 0, t.e * factor, t.f),
            (-(-self.rows // factor), -(-self.cols // factor)),
            self.crs_epsg,
        )

    def window_for_bounds(
        self, bounds: tuple[float, float, float, float], pad_cells: int = 0
    ) -> Window | None:
        """Smallest window covering ``bounds`` (+ padding), clipped to the grid; None if outside."""
        west, north = self.transform.c, self.transform.f
        cs = self.cell_size
        c0 = math.floor((bounds[0] - west) / cs) - pad_cells
        c1 = math.ceil((bounds[2] - west) / cs) + pad_cells
        r0 = math.floor((north - bounds[3]) / cs) - pad_cells
        r1 = math.ceil((north - bounds[1]) / cs) + pad_cells
        c0, r0 = max(c0, 0), max(r0, 0)
        c1, r1 = min(c1, self.cols), min(r1, self.rows)
        if c1 <= c0 or r1 <= r0:
            return None
        return Window(c0, r0, c1 - c0, r1 - r0)


def check_metric_crs(epsg: int) -> None:
    """Raise :class:`GridError` unless ``epsg`` is a projected CRS in metres.

    >>> check_metric_crs(9209)
    >>> check_metric_crs(4326)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    planning.analysis.errors.GridError: EPSG:4326 is not a projected CRS in metres; reproject to
    the unit's VN-2000 TM-3 zone first
    """
    from rasterio.crs import CRS

    try:
        crs = CRS.from_epsg(int(epsg))
        ok = crs.is_projected and crs.linear_units_factor[1] == 1.0
    except Exception:  # rasterio.errors.CRSError and friends
        ok = False
    if not ok:
        raise GridError(
            f"EPSG:{epsg} is not a projected CRS in metres; "
            "reproject to the unit's VN-2000 TM-3 zone first"
        )


def check_metric_geometry(geom, *, what: str = "geometry") -> None:
    """Refuse a geometry that looks like longitude/latitude degrees instead of projected metres.

    Shapely geometries carry no CRS; a polygon within ±180 × ±90 whose area is below 1 "m²" is
    almost certainly in degrees (a 10 ha cluster is ≈ 8e-6 square degrees).

    >>> from shapely import box
    >>> check_metric_geometry(box(600_000, 1_500_000, 600_400, 1_500_400))
    >>> check_metric_geometry(box(109.1, 13.9, 109.103, 13.903), what="proposal")
    ... # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    planning.analysis.errors.GridError: proposal looks like longitude/latitude degrees (bounds
    109.1, 13.9, 109.103, 13.903); give it in the unit's metric VN-2000 TM-3 zone
    """
    if geom is None or geom.is_empty:
        return
    x0, y0, x1, y1 = shapely.bounds(geom)
    if -180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90 and (x1 - x0) < 5 and (y1 - y0) < 5:
        if (
            geom.geom_type.endswith("Polygon")
            and geom.area < 1.0
            or geom.geom_type.endswith("LineString")
            and geom.length < 1.0
        ):
            raise GridError(
                f"{what} looks like longitude/latitude degrees "
                f"(bounds {x0:g}, {y0:g}, {x1:g}, {y1:g}); "
                "give it in the unit's metric VN-2000 TM-3 zone"
            )


# --------------------------------------------------------------------------------------------
# Windows
# --------------------------------------------------------------------------------------------
def iter_blocks(
    shape: tuple[int, int], *, block_rows: int, halo: int = 0, multiple_of: int = 1
) -> Iterator[tuple[Window, Window, slice]]:
    """Row stripes over ``shape``: ``(outer, inner, inner_rows_in_outer)``.

    ``inner`` stripes tile the grid; ``outer`` adds up to ``halo`` rows above and below (clipped
    at the grid edge); ``inner_rows_in_outer`` selects the inner rows from an outer-window array.
    ``block_rows`` is rounded up to a multiple of ``multiple_of`` (to align with coarse blocks).

    >>> blocks = iter_blocks((5, 3), block_rows=2, halo=1)
    >>> [(o.row_off, o.height, i.row_off, i.height, s) for o, i, s in blocks]
    ... # doctest: +NORMALIZE_WHITESPACE
    [(0, 3, 0, 2, slice(0, 2, None)), (1, 4, 2, 2, slice(1, 3, None)),
     (3, 2, 4, 1, slice(1, 2, None))]
    """
    rows, cols = shape
    step = max(1, -(-int(block_rows) // multiple_of) * multiple_of)
    for r0 in range(0, rows, step):
        r1 = min(rows, r0 + step)
        o0, o1 = max(0, r0 - halo), min(rows, r1 + halo)
        yield (Window(0, o0, cols, o1 - o0), Window(0, r0, cols, r1 - r0), slice(r0 - o0, r1 - o0))


ReadWindow = Callable[[Window], Mapping[str, np.ndarray]]


def array_reader(**arrays: np.ndarray) -> ReadWindow:
    """A ``read_window`` callable over in-memory arrays of one shape (returns views, no copies).

    >>> read = array_reader(dem=np.arange(12.0).reshape(3, 4))
    >>> read(Window(1, 1, 2, 2))["dem"].tolist()
    [[5.0, 6.0], [9.0, 10.0]]
    """
    shapes = {a.shape for a in arrays.values()}
    if len(shapes) != 1:
        raise GridError(f"arrays must share one shape (got {sorted(shapes)})")

    def read(window: Window) -> dict[str, np.ndarray]:
        r0, c0 = int(window.row_off), int(window.col_off)
        sl = (slice(r0, r0 + int(window.height)), slice(c0, c0 + int(window.width)))
        return {name: a[sl] for name, a in arrays.items()}

    return read


def dataset_reader(**datasets) -> ReadWindow:
    """A ``read_window`` callable over open rasterio datasets on one grid (band 1 of each).

    Float bands get their nodata replaced by NaN; integer bands are returned as stored.
    """
    _check_aligned(datasets)

    def read(window: Window) -> dict[str, np.ndarray]:
        out = {}
        for name, ds in datasets.items():
            a = ds.read(1, window=window)
            if ds.nodata is not None and np.issubdtype(a.dtype, np.floating):
                a = np.where(a == ds.nodata, np.nan, a).astype(a.dtype, copy=False)
            out[name] = a
        return out

    return read


class PathReader:
    """A ``read_window`` over raster files by path, picklable: what a task sends to a worker.

    The rasters lie on a path every worker sees. Each process opens the files at its first read
    and keeps them open; reads as :func:`dataset_reader`.

    ``gdal_cache_mb`` bounds GDAL's block cache in the worker, so a worker's memory is its
    window, not the raster. ``offset`` ``(row, col)``: the grid read is a part of the files'
    (a province's window of the national rasters), windows are shifted by it.
    """

    def __init__(self, gdal_cache_mb: int = 128, offset: tuple[int, int] = (0, 0), **paths: str):
        self.paths = {name: str(path) for name, path in paths.items()}
        self.gdal_cache_mb = int(gdal_cache_mb)
        self.offset = (int(offset[0]), int(offset[1]))
        self._read: ReadWindow | None = None

    def __getstate__(self) -> dict:
        return {"paths": self.paths, "gdal_cache_mb": self.gdal_cache_mb, "offset": self.offset}

    def __setstate__(self, state: dict) -> None:
        self.paths, self.gdal_cache_mb, self._read = state["paths"], state["gdal_cache_mb"], None
        self.offset = tuple(state.get("offset", (0, 0)))

    def __call__(self, window: Window) -> Mapping[str, np.ndarray]:
        if self._read is None:
            import rasterio
            from rasterio.env import set_gdal_config

            set_gdal_config("GDAL_CACHEMAX", self.gdal_cache_mb * 2**20)
            datasets = {name: rasterio.open(path) for name, path in self.paths.items()}
            self._read = dataset_reader(**datasets)
        if self.offset != (0, 0):
            window = Window(
                window.col_off + self.offset[1],
                window.row_off + self.offset[0],
                window.width,
                window.height,
            )
        return self._read(window)


def _check_aligned(datasets: Mapping) -> None:
    items = list(datasets.items())
    if not items:
        raise GridError("no dataset given")
    name0, ds0 = items[0]
    for name, ds in items[1:]:
        if (
            ds.shape != ds0.shape
            or not ds.transform.almost_equals(ds0.transform)
            or ds.crs != ds0.crs
        ):
            raise GridError(
                f"rasters {name0!r} and {name!r} are not on one grid (shape, transform, CRS)"
            )


def read_windows(
    datasets: Mapping, *, block_rows: int = 512, halo: int = 0
) -> Iterator[tuple[Window, Window, slice, dict[str, np.ndarray]]]:
    """Read aligned rasterio datasets stripe by stripe: ``(outer, inner, inner_rows, arrays)``.

    The arrays cover ``outer`` (the stripe plus ``halo`` rows); use ``inner_rows`` to keep the
    stripe's own rows. Peak memory is one stripe per dataset.
    """
    _check_aligned(datasets)
    read = dataset_reader(**datasets)
    shape = next(iter(datasets.values())).shape
    for outer, inner, rows in iter_blocks(shape, block_rows=block_rows, halo=halo):
        yield outer, inner, rows, read(outer)


# --------------------------------------------------------------------------------------------
# Rasterising
# --------------------------------------------------------------------------------------------
def rasterize_mask(
    geometries: Iterable, grid: Grid, *, window: Window | None = None, all_touched: bool = False
) -> np.ndarray:
    """Boolean mask of cells covered by ``geometries`` (cell centre inside, or any touch).

    Parameters
    ----------
    geometries : iterable of shapely geometries
        In the grid's CRS (metres). ``None`` and empty geometries are skipped.
    grid : Grid
    window : rasterio.windows.Window, optional
        Rasterise only this window of the grid.
    all_touched : bool
        False: cells whose centre is inside (GDAL default). True: every cell the geometry
        touches — used for exclusions, so that a kept cell never overlaps an excluded geometry.

    Examples
    --------
    >>> from shapely import box
    >>> g = Grid.from_origin(0, 30, cell_size=10, rows=3, cols=3)
    >>> rasterize_mask([box(0, 0, 14, 14)], g).astype(int).tolist()
    [[0, 0, 0], [0, 0, 0], [1, 0, 0]]
    >>> rasterize_mask([box(0, 0, 14, 14)], g, all_touched=True).astype(int).tolist()
    [[0, 0, 0], [1, 1, 0], [1, 1, 0]]
    """
    if window is None:
        window = Window(0, 0, grid.cols, grid.rows)
    shape = (int(window.height), int(window.width))
    geoms = [g for g in geometries if g is not None and not g.is_empty]
    if not geoms or shape[0] == 0 or shape[1] == 0:
        return np.zeros(shape, dtype=bool)
    out = rasterio.features.rasterize(
        ((g, 1) for g in geoms),
        out_shape=shape,
        transform=grid.window_transform(window),
        fill=0,
        all_touched=all_touched,
        dtype="uint8",
    )
    return out.view(bool)


# --------------------------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------------------------
def _row_sq_distance(mask: np.ndarray, cap: int) -> np.ndarray:
    """Squared horizontal distance (cells²) to the nearest True in the same row, capped."""
    nrows, ncols = mask.shape
    cols = np.arange(ncols, dtype=np.int64 if ncols > 2**29 else np.int32)
    big = cols.dtype.type(2**29 if cols.dtype == np.int32 else 2**60)
    left = np.where(mask, cols, -big)
    np.maximum.accumulate(left, axis=1, out=left)
    right = np.where(mask, cols, big)
    right = np.minimum.accumulate(right[:, ::-1], axis=1)[:, ::-1]
    h = np.minimum(cols - left, right - cols)
    np.minimum(h, cap + 1, out=h)
    h = h.astype(np.float32)
    return np.multiply(h, h, out=h)


def capped_sq_distance(
    mask: np.ndarray, cap_cells: float, *, rows: slice | None = None
) -> np.ndarray:
    """Exact squared Euclidean distance, in cells², to the nearest True cell — up to a cap.

    Cells farther than ``cap_cells`` get ``inf``. Distances are cell centre to cell centre.
    Cost: ``2 × floor(cap) + 1`` vectorised passes over the output rows.

    Parameters
    ----------
    mask : 2-D bool array
    cap_cells : float
        Largest distance of interest, in cells.
    rows : slice, optional
        Output rows (the others serve as halo: they must include ``cap`` rows either side to be
        exact; the grid edge needs none).

    Examples
    --------
    >>> m = np.zeros((3, 4), bool); m[1, 1] = True
    >>> capped_sq_distance(m, 2).tolist()
    [[2.0, 1.0, 2.0, inf], [1.0, 0.0, 1.0, 4.0], [2.0, 1.0, 2.0, inf]]
    """
    mask = np.asarray(mask, dtype=bool)
    if rows is None:
        rows = slice(0, mask.shape[0])
    r0, r1 = rows.indices(mask.shape[0])[:2]
    cap = int(math.floor(cap_cells))
    out = np.full((r1 - r0, mask.shape[1]), np.inf, dtype=np.float32)
    if cap < 0 or out.size == 0:
        return out
    h0, h1 = max(0, r0 - cap), min(mask.shape[0], r1 + cap)
    sub = mask[h0:h1]
    if not sub.any():
        return out
    h2 = _row_sq_distance(sub, cap)
    tmp = np.empty_like(out)
    for dy in range(-cap, cap + 1):
        # output row r reads source row r + dy (both in mask coordinates)
        s0, s1 = max(r0 + dy, h0), min(r1 + dy, h1)
        if s1 <= s0:
            continue
        o0, o1 = s0 - dy - r0, s1 - dy - r0
        t = tmp[o0:o1]
        np.add(h2[s0 - h0 : s1 - h0], np.float32(dy * dy), out=t)
        np.minimum(out[o0:o1], t, out=out[o0:o1])
    out[out > np.float32(cap_cells * cap_cells)] = np.inf
    return out


def distance_to_mask(mask: np.ndarray, *, cell_size: float, max_distance: float) -> np.ndarray:
    """Distance in metres from each cell centre to the nearest True cell centre (float32).

    Exact up to ``max_distance``; farther cells get ``inf``. See :func:`capped_sq_distance`.
    """
    d2 = capped_sq_distance(mask, max_distance / cell_size)
    return np.sqrt(d2, out=d2) * np.float32(cell_size)


def within_distance(
    mask: np.ndarray, *, cell_size: float, distance: float, rows: slice | None = None
) -> np.ndarray:
    """Cells whose centre lies within ``distance`` metres of a True cell centre.

    >>> m = np.zeros((1, 5), bool); m[0, 2] = True
    >>> within_distance(m, cell_size=10, distance=10).astype(int).tolist()
    [[0, 1, 1, 1, 0]]
    """
    cap = distance / cell_size
    return capped_sq_distance(mask, cap, rows=rows) <= np.float32(cap * cap)


# --------------------------------------------------------------------------------------------
# Terrain
# --------------------------------------------------------------------------------------------
def slope_percent(dem: np.ndarray, cell_size: float, *, rows: slice | None = None) -> np.ndarray:
    """Slope in percent (100 × rise / run) from a DEM in metres, float32.

    Central differences inside, one-sided at the array edges (``numpy.gradient``); NaN in the DEM
    gives NaN slope around it. With ``rows``, the other rows serve as a 1-row halo so stripes
    computed separately match the whole-array result.

    >>> dem = np.tile(np.arange(4.0) * 2.0, (3, 1))   # rises 2 m per 25 m cell eastwards
    >>> slope_percent(dem, 25.0)[1].tolist()
    [8.0, 8.0, 8.0, 8.0]
    """
    dem = np.asarray(dem, dtype=np.float32)
    if rows is None:
        rows = slice(0, dem.shape[0])
    r0, r1 = rows.indices(dem.shape[0])[:2]
    h0, h1 = max(0, r0 - 1), min(dem.shape[0], r1 + 1)
    sub = dem[h0:h1]
    if sub.shape[0] >= 2:
        gy = np.gradient(sub, axis=0)
    else:
        gy = np.zeros_like(sub)
    gx = np.gradient(sub, axis=1) if sub.shape[1] >= 2 else np.zeros_like(sub)
    gy = gy[r0 - h0 : r1 - h0]
    gx = gx[r0 - h0 : r1 - h0]
    out = np.hypot(gx, gy).astype(np.float32, copy=False)
    out *= np.float32(100.0 / cell_size)
    return out


# --------------------------------------------------------------------------------------------
# Neighbourhoods and resampling
# --------------------------------------------------------------------------------------------
def block_sum(arr: np.ndarray, factor: int) -> np.ndarray:
    """Sum over ``factor × factor`` blocks (NaN counts as 0; partial edge blocks allowed), float64.

    >>> block_sum(np.ones((3, 5)), 2).tolist()
    [[4.0, 4.0, 2.0], [2.0, 2.0, 1.0]]
    """
    a = np.asarray(arr)
    rows, cols = a.shape
    out = np.zeros((-(-rows // factor), -(-cols // factor)), dtype=np.float64)
    starts = np.arange(0, cols, factor)
    for i, r0 in enumerate(range(0, rows, factor)):
        stripe = a[r0 : r0 + factor].astype(np.float64)
        np.nan_to_num(stripe, copy=False)
        out[i] = np.add.reduceat(stripe.sum(axis=0), starts)
    return out


def _fast_len(n: int) -> int:
    """Smallest 2^a 3^b 5^c ≥ n (cheap FFT length)."""
    best = 1 << max(0, (n - 1).bit_length())
    f5 = 1
    while f5 < best:
        f35 = f5
        while f35 < best:
            m = f35
            while m < n:
                m *= 2
            best = min(best, m)
            f35 *= 3
        f5 *= 5
    return best


def disc_kernel(radius_cells: float) -> np.ndarray:
    """0/1 disc of cell offsets with ``dx² + dy² ≤ radius²`` (float64)."""
    r = int(math.floor(radius_cells))
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    return ((x * x + y * y) <= radius_cells * radius_cells).astype(np.float64)


def focal_sum_disc(arr: np.ndarray, radius_cells: float, *, tile: int = 256) -> np.ndarray:
    """Sum of ``arr`` over a disc of ``radius_cells`` around each cell (outside = 0), float64.

    FFT convolution in overlap-save tiles, so memory is bounded by the tile size. NaN counts as 0.

    >>> a = np.zeros((5, 5)); a[2, 2] = 10.0
    >>> np.round(focal_sum_disc(a, 1.0), 6).tolist()[1]
    [0.0, 0.0, 10.0, 0.0, 0.0]
    >>> float(np.round(focal_sum_disc(np.ones((5, 5)), 1.5)[2, 2], 6))
    9.0
    """
    a = np.nan_to_num(np.asarray(arr, dtype=np.float64))
    kernel = disc_kernel(radius_cells)
    r = kernel.shape[0] // 2
    rows, cols = a.shape
    if r == 0:
        return a.copy()
    t = max(tile, 2 * kernel.shape[0])
    n = _fast_len(t + 2 * r)
    t = n - 2 * r
    kf = np.fft.rfft2(kernel, s=(n, n))
    padded = np.zeros((rows + 2 * r + t, cols + 2 * r + t))
    padded[r : r + rows, r : r + cols] = a
    out = np.empty((rows, cols))
    for y0 in range(0, rows, t):
        for x0 in range(0, cols, t):
            region = padded[y0 : y0 + n, x0 : x0 + n]
            conv = np.fft.irfft2(np.fft.rfft2(region, s=(n, n)) * kf, s=(n, n))
            h, w = min(t, rows - y0), min(t, cols - x0)
            out[y0 : y0 + h, x0 : x0 + w] = conv[2 * r : 2 * r + h, 2 * r : 2 * r + w]
    np.maximum(out, 0, out=out)  # FFT round-off around zero
    return out


def box_sum(arr: np.ndarray, half: int) -> np.ndarray:
    """Sum over the ``(2 half + 1)²`` box around each cell (clipped at edges), by integral image.

    >>> box_sum(np.ones((3, 3)), 1).tolist()
    [[4.0, 6.0, 4.0], [6.0, 9.0, 6.0], [4.0, 6.0, 4.0]]
    """
    a = np.nan_to_num(np.asarray(arr, dtype=np.float64))
    rows, cols = a.shape
    s = np.zeros((rows + 1, cols + 1))
    np.cumsum(np.cumsum(a, axis=0), axis=1, out=s[1:, 1:])
    r = np.arange(rows)
    c = np.arange(cols)
    r0, r1 = np.clip(r - half, 0, rows), np.clip(r + half + 1, 0, rows)
    c0, c1 = np.clip(c - half, 0, cols), np.clip(c + half + 1, 0, cols)
    return s[np.ix_(r1, c1)] - s[np.ix_(r0, c1)] - s[np.ix_(r1, c0)] + s[np.ix_(r0, c0)]


def upsample_bilinear(
    coarse: np.ndarray, factor: int, *, row_start: int, nrows: int, ncols: int, col_start: int = 0
) -> np.ndarray:
    """Bilinear values of a coarse grid (``factor`` fine cells per coarse cell) at fine cells.

    Returns rows ``row_start … row_start + nrows`` and columns ``col_start … col_start + ncols``
    of the fine grid, float32. Coarse values sit at coarse cell centres; beyond the outermost
    centres the edge value is held.

    >>> upsample_bilinear(np.array([[0.0, 4.0]]), 2, row_start=0, nrows=1, ncols=4).tolist()
    [[0.0, 1.0, 3.0, 4.0]]
    """
    hc, wc = coarse.shape

    def axis(n0: int, n: int, size: int):
        u = (np.arange(n0, n0 + n) + 0.5) / factor - 0.5
        u = np.clip(u, 0, size - 1)
        i0 = np.floor(u).astype(np.intp)
        i1 = np.minimum(i0 + 1, size - 1)
        return i0, i1, (u - i0).astype(np.float32)

    y0, y1, wy = axis(row_start, nrows, hc)
    x0, x1, wx = axis(col_start, ncols, wc)
    lo, hi = int(y0.min()), int(y1.max()) + 1
    sub = coarse[lo:hi].astype(np.float32)
    cols = sub[:, x0] * (1 - wx) + sub[:, x1] * wx
    out = cols[y0 - lo] * (1 - wy)[:, None]
    out += cols[y1 - lo] * wy[:, None]
    return out


def ramp_down(values: np.ndarray, full: float, zero: float) -> np.ndarray:
    """1 at or below ``full``, 0 at or above ``zero``, linear between (float32; inf → 0).

    >>> ramp_down(np.array([0.0, 1000, 3000, 5000, np.inf]), 1000, 5000).tolist()
    [1.0, 1.0, 0.5, 0.0, 0.0]
    """
    v = np.asarray(values, dtype=np.float32)
    out = (np.float32(zero) - v) / np.float32(zero - full)
    return np.clip(out, 0, 1, out=out)


def geometry_window(geometry, grid: Grid, *, pad_m: float = 0.0) -> Window | None:
    """Window of ``grid`` covering ``geometry`` buffered by ``pad_m`` (None if off the grid)."""
    if geometry is None or geometry.is_empty:
        return None
    x0, y0, x1, y1 = shapely.bounds(geometry)
    return grid.window_for_bounds((x0 - pad_m, y0 - pad_m, x1 + pad_m, y1 + pad_m), pad_cells=1)
