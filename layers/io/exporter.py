"""layer_export: a catalogue layer's published fields to GeoPackage, GeoJSON or (zipped) Shapefile.

Only the catalogue's ``fields`` are written (plus the primary key as ``id``): importable-only
fields such as clearance parcels' household details never leave through here.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyogrio import errors as ogr_errors
from pyproj import CRS
from pyproj.exceptions import CRSError

from layers.catalogue import UnknownLayer, get_layer
from layers.io.errors import LayerExportError
from layers.io.importer import unknown_layer_message
from layers.io.shapefile_names import shapefile_names
from planning import geo
from planning.numbers import number

# format name -> (GDAL driver, file suffixes that imply it)
FORMATS = {
    "gpkg": ("GPKG", (".gpkg",)),
    "geojson": ("GeoJSON", (".geojson", ".json")),
    "shp": ("ESRI Shapefile", (".zip", ".shp")),
    # KML is WGS 84 by definition (OGC KML 2.2): for Google Earth and phones in the field.
    "kml": ("KML", (".kml",)),
}
_OGR_GEOMETRY_TYPES = {
    "POINT": "Point",
    "MULTIPOINT": "MultiPoint",
    "LINESTRING": "LineString",
    "MULTILINESTRING": "MultiLineString",
    "POLYGON": "Polygon",
    "MULTIPOLYGON": "MultiPolygon",
}
# GDAL's time-zone flag for UTC (RFC 56: 100 + offset in quarter hours).
_UTC_FLAG = 100
# dBASE text fields hold at most 254 bytes.
SHAPEFILE_TEXT_BYTES = 254


@dataclass
class ExportResult:
    layer: str
    path: Path
    format: str
    srid: int
    count: int
    field_names: dict[str, str]  # model field -> name in the file
    warnings: list[str] = field(default_factory=list)
    field_table: Path | None = None  # a Shapefile's table of short field names, as written

    def summary(self) -> str:
        """One sentence in the active language."""
        return ngettext(
            "Exported %(n)s feature of %(layer)s to %(path)s (%(driver)s, %(crs)s).",
            "Exported %(n)s features of %(layer)s to %(path)s (%(driver)s, %(crs)s).",
            self.count,
        ) % {
            "n": number(self.count),
            "layer": self.layer,
            "path": self.path,
            "driver": FORMATS[self.format][0],
            "crs": f"EPSG:{self.srid}",
        }


def format_for(path: Path, fmt: str | None) -> str:
    """The export format: ``fmt`` if given (and consistent with the suffix), else from the
    suffix."""
    suffix = path.suffix.lower()
    implied = next((name for name, (_driver, sfx) in FORMATS.items() if suffix in sfx), None)
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise LayerExportError(
                _("unknown format %(format)s; choose one of %(formats)s")
                % {"format": repr(fmt), "formats": ", ".join(FORMATS)}
            )
        if implied and implied != fmt:
            raise LayerExportError(
                _("%(option)s does not match the output name %(name)s")
                % {"option": f"--format {fmt}", "name": path.name}
            )
        if fmt == "shp" and suffix not in (".zip", ".shp"):
            raise LayerExportError(
                _("a Shapefile export needs an output name ending in .zip or .shp")
            )
        return fmt
    if implied is None:
        raise LayerExportError(
            _(
                "cannot tell the format from %(name)s; use .gpkg, .geojson/.json, .zip (zipped "
                "Shapefile) or .kml, or pass %(option)s"
            )
            % {"name": repr(path.name), "option": "--format"}
        )
    return implied


def layer_export(
    *,
    layer: str,
    path: str | Path,
    format: str | None = None,
    srs: int | str = geo.STORAGE_SRID,
    overwrite: bool = False,
) -> ExportResult:
    """Write every row of ``layer`` to ``path``, geometry reprojected to EPSG:``srs``."""
    try:
        spec = get_layer(layer)
    except UnknownLayer:
        raise LayerExportError(unknown_layer_message(layer)) from None
    path = Path(path).expanduser().resolve()
    fmt = format_for(path, format)
    srid = _parse_srid(srs)
    if fmt == "kml" and srid != geo.STORAGE_SRID:
        raise LayerExportError(
            _("KML is always WGS 84 (EPSG:4326); %(crs)s cannot be written to KML")
            % {"crs": f"EPSG:{srid}"}
        )
    if path.exists() and not overwrite:
        raise LayerExportError(
            _("%(path)s exists; pass %(option)s to replace it")
            % {"path": path, "option": "--overwrite"}
        )
    if not path.parent.is_dir():
        raise LayerExportError(_("no such directory: %(path)s") % {"path": path.parent})

    model = spec.model
    personal = set(getattr(model, "PERSONAL_FIELDS", ()))
    leaked = personal.intersection(spec.fields)
    if leaked:
        # The catalogue is the guard; refuse rather than quietly publish people's details.
        raise LayerExportError(
            _("layer %(layer)s publishes personal fields %(fields)s; fix layers/catalogue.py")
            % {"layer": repr(spec.name), "fields": sorted(leaked)}
        )
    gfield = model._meta.get_field(spec.geometry_field)
    model_fields, paths = [], []
    for name in spec.fields:
        f = model._meta.get_field(name)
        if f.many_to_one and name in spec.foreign_keys:
            # A relation goes out as the value the importer looks it up by (a code, a name).
            lookup = spec.foreign_keys[name][1]
            model_fields.append(f.related_model._meta.get_field(lookup))
            paths.append(f"{name}__{lookup}")
        else:
            model_fields.append(f)
            paths.append(f.attname)
    pk_name = model._meta.pk.attname
    rows = list(model.objects.order_by("pk").values_list(pk_name, *paths, gfield.attname))

    warnings: list[str] = []
    names = ["id", *spec.fields]
    written = shapefile_names(names) if fmt == "shp" else {n: n for n in names}
    columns = [_column(models.BigIntegerField(), [r[0] for r in rows])]
    for j, f in enumerate(model_fields, start=1):
        values = [r[j] for r in rows]
        if fmt == "shp" and isinstance(f, (models.CharField, models.TextField)):
            values, cut = _fit_dbase_text(values)
            if cut:
                warnings.append(
                    _("%(n)s value(s) of %(field)s cut to %(bytes)s bytes (the Shapefile limit)")
                    % {"n": number(cut), "field": names[j], "bytes": number(SHAPEFILE_TEXT_BYTES)}
                )
        # dBASE and KML have no date-time type: ISO 8601 text with the offset instead.
        columns.append(_column(f, values, text_datetimes=fmt in ("shp", "kml")))
    field_data = [c[0] for c in columns]
    field_mask = [c[1] for c in columns]
    tz_offsets = {
        written[name]: np.full(len(rows), _UTC_FLAG, dtype=np.int32)
        for name, f in zip(spec.fields, model_fields, strict=False)
        if isinstance(f, models.DateTimeField) and fmt not in ("shp", "kml")
    }

    geoms = np.array(
        [None if r[-1] is None else shapely.from_wkb(bytes(r[-1].wkb)) for r in rows], dtype=object
    )
    if srid != geo.STORAGE_SRID and len(geoms):
        try:
            geoms = geo.transform(geoms, geo.STORAGE_SRID, srid)
        except Exception as exc:  # pyproj raises several types
            raise LayerExportError(
                _("cannot reproject to %(crs)s: %(error)s") % {"crs": f"EPSG:{srid}", "error": exc}
            ) from exc
        coords = shapely.get_coordinates(geoms[~shapely.is_missing(geoms)])
        if len(coords) and not np.isfinite(coords).all():
            raise LayerExportError(
                _("%(crs)s cannot represent this layer (outside its area of use)")
                % {"crs": f"EPSG:{srid}"}
            )
    wkb = np.array([None if g is None else shapely.to_wkb(g) for g in geoms], dtype=object)

    driver = FORMATS[fmt][0]
    field_table = None
    with tempfile.TemporaryDirectory(prefix="kcn-export-") as tmp:
        tmp = Path(tmp)
        if fmt == "shp":
            target = tmp / f"{spec.name}.shp"
        else:
            target = tmp / f"{spec.name}{path.suffix.lower()}"
        try:
            pyogrio.raw.write(
                str(target),
                wkb,
                field_data,
                [written[n] for n in names],
                field_mask=field_mask,
                layer=spec.name,
                driver=driver,
                geometry_type=_OGR_GEOMETRY_TYPES.get(gfield.geom_type.upper(), "Unknown"),
                crs=f"EPSG:{srid}",
                encoding="UTF-8" if fmt == "shp" else None,
                promote_to_multi=False,
                gdal_tz_offsets=tz_offsets,
            )
        except (
            ogr_errors.DataSourceError,
            ogr_errors.DataLayerError,
            ogr_errors.FieldError,
            ogr_errors.GeometryError,
            ogr_errors.CRSError,
            RuntimeError,
            OSError,
        ) as exc:
            raise LayerExportError(
                _("GDAL could not write %(name)s: %(error)s") % {"name": path.name, "error": exc}
            ) from exc
        if fmt == "shp":
            _write_field_table(tmp / f"{spec.name}_fields.txt", spec, written)
            members = sorted(
                p for p in tmp.iterdir() if p.stem in (spec.name, f"{spec.name}_fields")
            )
            if path.suffix.lower() == ".zip":
                staged = tmp / "out.zip"
                with zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as zf:
                    for member in members:
                        zf.write(member, member.name)
                _move_into_place(staged, path)
                field_table = Path(f"{spec.name}_fields.txt")  # inside the zip
            else:
                # A plain .shp: the set of files goes beside it, named after the output.
                for member in members:
                    suffix = member.name[len(spec.name) :]
                    _move_into_place(member, path.with_name(path.stem + suffix))
                field_table = path.with_name(f"{path.stem}_fields.txt")
        else:
            _move_into_place(target, path)

    shortened = {k: v for k, v in written.items() if k != v}
    return ExportResult(
        layer=spec.name,
        path=path,
        format=fmt,
        srid=srid,
        count=len(rows),
        field_names=shortened if fmt == "shp" else dict(written),
        warnings=warnings,
        field_table=field_table,
    )


def _parse_srid(srs) -> int:
    text = str(srs).strip().upper().removeprefix("EPSG:")
    try:
        code = int(text)
        CRS.from_epsg(code)
    except (ValueError, CRSError):
        raise LayerExportError(_("unknown EPSG code %(srs)s") % {"srs": repr(srs)}) from None
    return code


def _move_into_place(src: Path, dst: Path) -> None:
    # Written in a temporary directory first, so a failed export leaves no half file behind.
    if dst.exists():
        dst.unlink()
    shutil.move(str(src), str(dst))


def _fit_dbase_text(values):
    out, cut = [], 0
    for v in values:
        if v is not None and len(v.encode("utf-8")) > SHAPEFILE_TEXT_BYTES:
            # Cut on a character boundary: GDAL would cut inside a UTF-8 sequence (Vietnamese
            # letters are 2-3 bytes).
            v = v.encode("utf-8")[:SHAPEFILE_TEXT_BYTES].decode("utf-8", errors="ignore")
            cut += 1
        out.append(v)
    return out, cut


def _column(f: models.Field, values: list, *, text_datetimes: bool = False):
    """(array, null mask or None) for one field; the array dtype sets the OGR field type."""
    nulls = np.array([v is None for v in values], dtype=bool)
    mask = nulls if nulls.any() else None
    if isinstance(f, models.BooleanField):
        return np.array([bool(v) for v in values], dtype=bool), mask
    if isinstance(f, (models.IntegerField, models.AutoField)):
        return np.array([0 if v is None else int(v) for v in values], dtype=np.int64), mask
    if isinstance(f, (models.FloatField, models.DecimalField)):
        # Decimals as doubles: every target format has them, none has a decimal type.
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64), None
    if isinstance(f, models.DateTimeField):
        # Stored aware; written as UTC wall time flagged as UTC (see _UTC_FLAG). dBASE has no
        # date-time type, so Shapefiles get ISO 8601 text with the offset instead.
        if text_datetimes:
            return np.array(
                [None if v is None else v.astimezone(dt.UTC).isoformat() for v in values],
                dtype=object,
            ), None
        return np.array(
            [
                np.datetime64("NaT")
                if v is None
                else np.datetime64(v.astimezone(dt.UTC).replace(tzinfo=None), "ms")
                for v in values
            ],
            dtype="datetime64[ms]",
        ), None
    if isinstance(f, models.DateField):
        return np.array(
            [np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in values],
            dtype="datetime64[D]",
        ), None
    return np.array([None if v is None else str(v) for v in values], dtype=object), None


def _write_field_table(path: Path, spec, written: dict[str, str]) -> None:
    """Document Shapefile field names (10 characters at most) against the full names."""
    model = spec.model
    lines = [f"# {spec.name}: Shapefile field -> full field name -> meaning", ""]
    for full, short in written.items():
        if full == "id":
            title = _("primary key")
        else:
            title = str(model._meta.get_field(full).verbose_name)
        lines.append(f"{short}\t{full}\t{title}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
