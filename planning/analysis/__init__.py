"""Pure analyses: standard library, NumPy, shapely, pyproj and rasterio only — no Django.

Services in ``planning.services`` read data through the ORM, convert it with
``planning.geo`` and call these functions. The one registry of the analyses, by the one name
each has everywhere (commands, API, Jobs tab, stored runs), is the services' one:
:data:`planning.services.analyses.ANALYSES`. Each of its specs runs one or more of the
functions here (the ``targets`` analysis runs four); importing this package loads none of them,
so importing ``planning.analysis.geometry`` (done by the models at start-up) does not load
rasterio.
"""
