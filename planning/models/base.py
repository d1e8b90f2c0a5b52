"""Behaviour shared by every record with a geometry: normalisation and validation on write.

Nothing here knows administrative units (``planning.models.admin_units`` builds on this module).
"""

from __future__ import annotations

import shapely
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning import geo
from planning.analysis.geometry import GeometryRejected, check_extent, repair_geometry

_FAMILY = {
    "POINT": "point",
    "MULTIPOINT": "point",
    "LINESTRING": "line",
    "MULTILINESTRING": "line",
    "POLYGON": "polygon",
    "MULTIPOLYGON": "polygon",
}


def rejection_message(exc: GeometryRejected) -> str:
    """The refusal of the pure geometry checks, in the active language (English msgids)."""
    p = dict(exc.params)
    if "reason" in p:
        p["reason"] = _(p["reason"].strip())  # GEOS's own words: Self-intersection, ...
    where = _(" at (%(at)s)") % p if p.get("at") else ""
    texts = {
        "empty": lambda: _("empty geometry"),
        "non_finite": lambda: _("geometry has non-finite coordinates"),
        "outside_extent": lambda: (
            _("coordinates (%(xy)s) lie outside the service extent for %(crs)s (%(extent)s)") % p
        ),
        "outside_extent_metres": lambda: (
            _(
                "coordinates (%(xy)s) lie outside the service extent for %(crs)s (%(extent)s); "
                "they look like projected metres (VN-2000 TM-3?) — give the source CRS"
            )
            % p
        ),
        "invalid": lambda: _("invalid geometry: %(reason)s") % p + where,
        "invalid_not_repaired": lambda: (
            _("invalid geometry: %(reason)s") % p
            + where
            + _(
                "; repair would change its area by more than %(limit)s %% (from %(before)s to "
                "%(after)s), so it was not stored"
            )
            % p
        ),
    }
    return texts[exc.code]() if exc.code in texts else str(exc)


def normalise_geometry(value, geom_type: str, *, srid: int | None = None) -> GEOSGeometry:
    """Return ``value`` as a valid EPSG:4326 GEOS geometry of ``geom_type`` or raise
    GeometryRejected.

    ``value`` may be GEOS (its SRID is used; none means EPSG:4326), shapely (``srid`` gives its
    CRS) or WKT/GeoJSON text. Single parts are promoted to multi types and back where the field
    needs it; an invalid polygon is repaired only within PLANNING_REPAIR_MAX_AREA_CHANGE.
    """
    if isinstance(value, GEOSGeometry):
        src = value.srid or srid or geo.STORAGE_SRID
        shp = shapely.from_wkb(bytes(value.wkb))
    elif isinstance(value, (str, bytes, memoryview)):
        try:
            g = GEOSGeometry(value)
        except (ValueError, TypeError) as exc:
            raise GeometryRejected(_("unreadable geometry: %(reason)s") % {"reason": exc}) from exc
        src = g.srid or srid or geo.STORAGE_SRID
        shp = shapely.from_wkb(bytes(g.wkb))
    else:
        shp, src = value, srid or geo.STORAGE_SRID
    if shp is None or shp.is_empty:
        raise GeometryRejected(_("empty geometry"), code="empty")
    if shapely.has_z(shp):
        shp = shapely.force_2d(shp)
    if src != geo.STORAGE_SRID:
        try:
            shp = geo.transform(shp, src, geo.STORAGE_SRID)
        except Exception as exc:  # pyproj raises several types for unknown CRSs
            raise GeometryRejected(
                _("cannot reproject from EPSG:%(srid)s: %(reason)s") % {"srid": src, "reason": exc}
            ) from exc
    try:
        check_extent(shp, settings.PLANNING_EXTENT, crs_label=f"EPSG:{geo.STORAGE_SRID}")
    except GeometryRejected as exc:
        raise GeometryRejected(rejection_message(exc), code=exc.code, params=exc.params) from None
    family = _FAMILY.get(geom_type.upper())
    if shp.geom_type == "GeometryCollection":
        # KML MultiGeometry and some GML writers wrap plain parts in a collection: unwrap it when
        # every part belongs to the field's family.
        parts = shapely.get_parts(shp)
        if all(_FAMILY.get(p.geom_type.upper()) == family for p in parts):
            shp = (
                shapely.multipolygons(parts)
                if family == "polygon"
                else shapely.multilinestrings(parts)
                if family == "line"
                else shapely.multipoints(parts)
            )
    try:
        result = repair_geometry(
            shp, max_area_change=settings.PLANNING_REPAIR_MAX_AREA_CHANGE, kind=family
        )
    except GeometryRejected as exc:
        # The pure check words it in English; the user reads it in the active language.
        raise GeometryRejected(rejection_message(exc), code=exc.code, params=exc.params) from None
    shp = result.geometry
    want = geom_type.upper()
    got = shp.geom_type.upper()
    if want.startswith("MULTI") and got == want[5:]:
        shp = getattr(
            shapely,
            {
                "MULTIPOLYGON": "MultiPolygon",
                "MULTILINESTRING": "MultiLineString",
                "MULTIPOINT": "MultiPoint",
            }[want],
        )([shp])
    elif not want.startswith("MULTI") and got == "MULTI" + want and len(shp.geoms) == 1:
        shp = shp.geoms[0]
    if want != "GEOMETRY" and shp.geom_type.upper() != want:
        raise GeometryRejected(
            _("expected a %(want)s, got a %(got)s")
            % {"want": geom_type.title(), "got": shp.geom_type}
        )
    return geo.to_geos(shp, srid=geo.STORAGE_SRID)


class GeometryRecord(models.Model):
    """Abstract base: every geometry is validated, repaired or rejected on each save.

    ``metric_srid`` is the VN-2000 TM-3 zone in which the record's areas and lengths are
    measured; :meth:`resolve_metric_srid` says which (administrative units: their own zone;
    records located in a unit: ``planning.models.admin_units.SpatialRecord``).
    """

    metric_srid = models.PositiveIntegerField(
        gettext_lazy("survey CRS (EPSG)"),
        editable=False,
        default=0,
        help_text=gettext_lazy("The VN-2000 TM-3 zone used to compute areas and lengths."),
    )

    class Meta:
        abstract = True

    def geometry_fields(self):
        return [f for f in self._meta.concrete_fields if isinstance(f, GeometryField)]

    def normalise_geometries(self) -> None:
        errors = {}
        for field in self.geometry_fields():
            # Read the raw value: the GeoDjango proxy would refuse a Polygon given as text for a
            # MultiPolygon field before we had a chance to promote it.
            value = self.__dict__.get(field.attname)
            if value is None:
                continue
            try:
                setattr(self, field.attname, normalise_geometry(value, field.geom_type))
            except GeometryRejected as exc:
                errors[field.name] = str(exc)
        if errors:
            raise ValidationError(errors)
        self.metric_srid = self.resolve_metric_srid()
        self.update_measures()

    def primary_geometry(self):
        fields = self.geometry_fields()
        return getattr(self, fields[0].attname) if fields else None

    def resolve_metric_srid(self) -> int:
        """The zone to measure in; subclasses say where it comes from."""
        return settings.PLANNING_DEFAULT_METRIC_SRID

    def update_measures(self) -> None:
        """Recompute stored measures (areas, lengths) from the geometry; subclasses override."""

    def clean(self):
        super().clean()
        self.normalise_geometries()

    def save(self, *args, **kwargs):
        self.normalise_geometries()
        super().save(*args, **kwargs)
