"""Exclusion polygons from land-cover and flood rasters (water, forest, deep flood).

Pure: NumPy arrays of a raster window in, shapely polygons out (moved out of the proposal
check service, which reads the windows).

Examples
--------
>>> import numpy as np
>>> from affine import Affine
>>> from planning.analysis.site_suggestion import LandcoverClasses
>>> codes = np.array([[4, 4], [2, 2]], dtype=np.uint8)
>>> flood = np.zeros((2, 2), dtype=np.float32)
>>> out = exclusion_polygons(codes, flood, Affine(10, 0, 0, 0, -10, 20), LandcoverClasses())
>>> out["water"][0].area, out["forest"], out["flood"]
(200.0, [], [])
"""

from __future__ import annotations

import numpy as np
import rasterio.features
import shapely
import shapely.geometry

from planning.analysis.site_suggestion import LandcoverClasses

__all__ = ["exclusion_polygons"]


def exclusion_polygons(
    codes: np.ndarray,
    flood: np.ndarray,
    transform,
    classes: LandcoverClasses,
    *,
    flood_depth_m: float = 0.5,
) -> dict[str, list]:
    """Water, forest and flood (deeper than ``flood_depth_m``) as merged polygons.

    Parameters
    ----------
    codes
        Land-cover codes of the window.
    flood
        Flood depths (m) of the same window; NaN counts as dry.
    transform
        The window's affine transform (the polygons are in the raster's CRS).
    classes
        Which codes are water and forest.

    Returns
    -------
    dict
        ``{"water": [...], "forest": [...], "flood": [...]}``: one merged polygon each, or an
        empty list where the window has none.
    """
    masks = {
        "water": np.isin(codes, classes.water),
        "forest": np.isin(codes, classes.forest),
        "flood": np.nan_to_num(flood, nan=0.0) > flood_depth_m,
    }
    out: dict[str, list] = {}
    for name, mask in masks.items():
        if not mask.any():
            out[name] = []
            continue
        polys = [
            shapely.geometry.shape(g)
            for g, _ in rasterio.features.shapes(
                mask.astype(np.uint8), mask=mask, connectivity=4, transform=transform
            )
        ]
        out[name] = [shapely.union_all(polys)]
    return out
