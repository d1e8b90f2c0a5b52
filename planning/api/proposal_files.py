"""A proposal's boundary from an uploaded file, read by the file readers of ``layers.io``.

The API's create and edit requests take a file as well as a drawn geometry: the door reads it
here and hands the geometry to the workflow (``planning.services.proposals``), which knows no
file formats.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import shapely
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from layers.io import LayerIOError
from layers.io.crs import resolve_source_crs
from layers.io.doors import API
from layers.io.sources import open_source
from planning import geo
from planning.analysis.geometry import GeometryRejected
from planning.models.base import normalise_geometry
from planning.numbers import number
from planning.services.proposals import ProposalInvalid

#: Largest boundary file accepted for one proposal.
MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_SUFFIXES = (".geojson", ".json", ".kml", ".zip", ".gpkg")


def geometry_from_file(upload, *, srs=None):
    """The one polygon of an uploaded GeoJSON, KML, zipped Shapefile or GeoPackage, in EPSG:4326.

    The CRS is the file's own (VN-2000 zones included); a file without one is read as lon/lat
    or VN-2000 TM-3 metres by the look of its coordinates (``layers.io.crs``); ``srs`` overrides.
    Returns ``(geometry, notes)``; raises :class:`ProposalInvalid` with the reason otherwise.
    """
    name = Path(getattr(upload, "name", "") or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in FILE_SUFFIXES:
        raise ProposalInvalid(
            _(
                "%(name)s: upload a GeoJSON, KML, zipped Shapefile (.zip) or GeoPackage (.gpkg) "
                "file."
            )
            % {"name": name}
        )
    size = getattr(upload, "size", None) or 0
    if size > MAX_FILE_BYTES:
        raise ProposalInvalid(
            _("%(name)s is too large (%(size)s MB; at most %(max)s MB).")
            % {"name": name, "size": number(size / 1e6, 1), "max": MAX_FILE_BYTES // 1_000_000}
        )
    with tempfile.TemporaryDirectory(prefix="kcn-proposal-") as tmp:
        # The user's own file name (made safe), so that a refusal from the reader names their file.
        safe = get_valid_filename(Path(name).stem)[:100] if Path(name).stem.strip(". ") else ""
        path = Path(tmp) / f"{safe or 'boundary'}{suffix}"
        with open(path, "wb") as out:
            for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
                out.write(chunk)
        try:
            source = open_source(path, door=API)  # its hints name the field srs, not --srs
            meta, wkb, _fields = source.read()
            geoms = shapely.from_wkb(np.asarray(wkb, dtype=object))
            present = geoms[~shapely.is_missing(geoms)]
            if len(present) != 1:
                raise ProposalInvalid(
                    _("%(name)s holds %(n)s features; a proposal needs exactly one polygon.")
                    % {"name": name, "n": len(present)}
                )
            bounds = tuple(shapely.total_bounds(present))
            crs, notes = resolve_source_crs(
                file_crs=meta.get("crs"), srs=srs, bounds=bounds, door=API, geoms=present
            )
        except LayerIOError as exc:
            raise ProposalInvalid(
                _("%(name)s cannot be read: %(reason)s") % {"name": name, "reason": exc}
            ) from None
        except shapely.errors.GEOSException as exc:
            raise ProposalInvalid(
                _("%(name)s cannot be read: %(reason)s") % {"name": name, "reason": exc}
            ) from None
    shp = present[0]
    if shp.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        raise ProposalInvalid(
            _("%(name)s holds a %(type)s; a proposal needs a polygon.")
            % {"name": name, "type": shp.geom_type}
        )
    try:
        try:
            shp = geo.transform(shapely.force_2d(shp), crs.key, geo.STORAGE_SRID)
        except Exception as exc:  # pyproj raises several types
            raise GeometryRejected(
                _("cannot reproject from %(crs)s: %(reason)s") % {"crs": crs.label, "reason": exc}
            ) from exc
        geom = normalise_geometry(shp, "MULTIPOLYGON", srid=geo.STORAGE_SRID)
    except GeometryRejected as exc:
        raise ProposalInvalid(_("%(name)s: %(reason)s") % {"name": name, "reason": exc}) from None
    return geom, [f"{name}: {crs.label}"] + list(notes)
