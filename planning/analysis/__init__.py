"""Pure analyses: standard library, NumPy, shapely, pyproj and rasterio only — no Django.

Services in ``planning.services`` read data through the ORM, convert it with
``planning.geo`` and call these functions.
"""
