"""Clearance parcel files as a province's surveyors deliver them: 50 m squares in VN-2000 TM-3
(Bình Định's zone, EPSG:9217), GeoPackage, one row per parcel with its cadastral numbers,
land use, clearance status, households and amounts. Used by the import benchmark
(``bench_import.py``: 200,000 parcels) and its bounded test (a few thousand).

The squares lie on an 80 m grid around a point of the old Bình Định province (now Gia Lai);
``keep`` (lon/lat arrays → bool mask) drops those outside the service's units, so every parcel
finds its commune."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

SRID = 9217  # VN-2000 / TM-3 zone 108-15 (Bình Định)
CENTRE = (575_000.0, 1_562_000.0)  # easting, northing: inside the old Bình Định
SIDE, PITCH = 50.0, 80.0
LAND_USE = np.array(["LUC", "LUK", "HNK", "CLN", "RSX", "NTS", "ONT", "BCS"])
STATUS = np.array(["not_started", "inventoried", "plan_approved"])


def parcel_squares(
    n: int,
    keep: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    centre: tuple[float, float] = CENTRE,
):
    """The lower-left corners (VN-2000 metres) of ``n`` squares, nearest the centre first."""
    side = int(np.ceil(np.sqrt(n * 2.2)))
    while True:
        i, j = np.meshgrid(np.arange(side) - side // 2, np.arange(side) - side // 2)
        x = centre[0] + i.ravel() * PITCH
        y = centre[1] + j.ravel() * PITCH
        order = np.argsort((x - centre[0]) ** 2 + (y - centre[1]) ** 2, kind="stable")
        x, y = x[order], y[order]
        if keep is not None:
            lon, lat = Transformer.from_crs(SRID, 4326, always_xy=True).transform(
                x + SIDE / 2, y + SIDE / 2
            )
            mask = keep(np.asarray(lon), np.asarray(lat))
            x, y = x[mask], y[mask]
        if len(x) >= n:
            return x[:n], y[:n]
        side = int(side * 1.5)


def write_parcels(
    path: Path,
    n: int,
    *,
    keep: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    seed: int = 20261207,
    centre: tuple[float, float] = CENTRE,
    change: Callable[[dict, np.ndarray], None] | None = None,
) -> Path:
    """Write ``n`` parcels to the GeoPackage ``path`` (replaced if present); ``change(fields,
    geometries)`` may alter the columns (arrays by name) and the VN-2000 shapes first."""
    rng = np.random.default_rng(seed)
    x, y = parcel_squares(n, keep, centre)
    geoms = shapely.box(x, y, x + SIDE, y + SIDE, ccw=False)
    k = np.arange(n)
    inventoried = np.datetime64("2024-01-01") + rng.integers(0, 500, n).astype("timedelta64[D]")
    status = STATUS[rng.integers(0, len(STATUS), n)]
    planned = np.round(rng.uniform(5, 900, n), 2)
    fields = {
        "map_sheet": np.array([f"{s}" for s in 1 + k // 2_000], dtype=object),
        "parcel_no": np.array([f"{p}" for p in 1 + k % 2_000], dtype=object),
        "land_use": LAND_USE[rng.integers(0, len(LAND_USE), n)].astype(object),
        "status": status.astype(object),
        "households": rng.integers(0, 4, n).astype(np.int32),
        "holder_name": np.array([f"Hộ {p}" for p in k], dtype=object),
        "compensation_planned_mn_vnd": planned,
        "inventoried_on": np.where(status == "not_started", "", inventoried.astype(str)).astype(
            object
        ),
        "plan_approved_on": np.where(
            status == "plan_approved", (inventoried + np.timedelta64(45, "D")).astype(str), ""
        ).astype(object),
    }
    if change is not None:
        change(fields, geoms)
    path = Path(path)
    path.unlink(missing_ok=True)
    pyogrio.raw.write(
        str(path),
        geometry=shapely.to_wkb(geoms),
        field_data=list(fields.values()),
        fields=list(fields),
        geometry_type="Polygon",
        crs=f"EPSG:{SRID}",
        driver="GPKG",
        layer="parcels",
        encoding="UTF-8",
    )
    return path
