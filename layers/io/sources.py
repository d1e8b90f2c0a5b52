"""Opening a vector source safely: size and zip checks before GDAL sees the file, then pyogrio.

Only local paths are accepted (no ``/vsicurl/`` and friends): the size and zip checks must be
able to look at the real bytes before any parser does.
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pyogrio
import pyogrio.raw
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pyogrio import errors as ogr_errors

from layers.io.doors import COMMAND, Door
from layers.io.errors import LayerImportError
from layers.xml import _DECLARATION
from planning.numbers import number

# A zip may expand to at most this many times the upload limit, and by at most this ratio:
# ordinary Shapefiles compress 3-10x; a ratio in the hundreds is a decompression bomb.
ZIP_MAX_EXPANSION = 20
ZIP_MAX_RATIO = 100

# Shapefile sidecars count towards the size limit: the .dbf is often larger than the .shp.
SHAPEFILE_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd")

# Entries of a .zip that GDAL can open as a vector dataset.
VECTOR_SUFFIXES = (
    ".shp",
    ".gpkg",
    ".geojson",
    ".json",
    ".kml",
    ".csv",
    ".gml",
    ".fgb",
    ".tab",
    ".mif",
)

# CSV: a WKT column or X/Y columns hold the geometry; the geometry columns are not attributes.
CSV_OPEN_OPTIONS = {
    "GEOM_POSSIBLE_NAMES": "WKT,wkt,geometry,geom,the_geom,shape",
    "X_POSSIBLE_NAMES": "x,lon,long,lng,longitude,easting",
    "Y_POSSIBLE_NAMES": "y,lat,latitude,northing",
    "KEEP_GEOM_COLUMNS": "NO",
}

# What pyogrio raises for files GDAL cannot read (DataSourceError, DataLayerError, ...), plus the
# plain errors of a damaged file.
_READ_ERRORS = (
    ogr_errors.DataSourceError,
    ogr_errors.DataLayerError,
    ogr_errors.CRSError,
    ogr_errors.FeatureError,
    ogr_errors.FieldError,
    ogr_errors.GeometryError,
    RuntimeError,
    OSError,
    UnicodeDecodeError,
)


@dataclass
class Source:
    """An opened, checked source layer: what GDAL opens, and with which options."""

    path: Path  # the user's file
    gdal_path: str  # what GDAL opens (a /vsizip/ path for .zip files)
    layer: str | None  # layer inside the dataset
    driver: str
    open_options: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        inner = self.gdal_path.rsplit("/", 1)[-1] if self.gdal_path.startswith("/vsizip/") else ""
        return f"{self.path.name}{'!' + inner if inner else ''}"

    def read(self, *, encoding: str | None = None):
        """All features: (meta, geometry WKB array, field arrays). Dates come back as ISO text."""
        try:
            meta, _fids, geometry, field_data = pyogrio.raw.read(
                self.gdal_path,
                layer=self.layer,
                encoding=encoding,
                datetime_as_string=True,
                **self.open_options,
            )
        except _READ_ERRORS as exc:
            raise LayerImportError(
                _("cannot read %(source)s: %(error)s")
                % {"source": self.label, "error": _gdal_message(exc, self.path)}
            ) from exc
        if self.driver == "LIBKML":
            meta, field_data = _kml_data_fields(meta, field_data)
        return meta, geometry, field_data


# Columns GDAL's LIBKML driver makes from KML's own structure (the Placemark's id, its <name> and
# <description>, time span, drawing options), not from the placemark's data.
_KML_STRUCTURE = (
    "id",
    "Name",
    "description",
    "timestamp",
    "begin",
    "end",
    "altitudeMode",
    "tessellate",
    "extrude",
    "visibility",
    "drawOrder",
    "icon",
    "snippet",
)


def _kml_data_fields(meta: dict, field_data: list):
    """A KML file's data fields: structural columns that hold nothing dropped, the placemark's
    ``<name>`` kept as ``name``, and a data field named ``id`` (LIBKML reads it as ``id2``, the
    placemark's own id taking ``id``) given its name back."""
    names = [str(n) for n in meta["fields"]]
    keep_names, keep_data = [], []
    data_id = "id2" in names
    for name, values in zip(names, field_data, strict=False):
        empty = all(
            v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)
            for v in values
        )
        if name == "id" and data_id:
            continue  # the placemark's id; the data's own id follows
        if name == "id2" and data_id:
            name = "id"
        elif name == "Name":
            if empty:
                continue
            name = "name"
        elif name in _KML_STRUCTURE and (empty or name != "description"):
            continue
        keep_names.append(name)
        keep_data.append(values)
    meta = {**meta, "fields": np.array(keep_names, dtype=object)}
    return meta, keep_data


def _gdal_message(exc: Exception, path: Path | None = None) -> str:
    """GDAL's message, without the server's directories (the user knows the file by its name)."""
    text = str(exc).strip().replace("\n", " ") or type(exc).__name__
    if path is not None:
        text = text.replace(f"{path.parent}/", "").replace(str(path.parent), "")
    return text


# Files parsed as XML by GDAL: refused when they declare a DOCTYPE or entities (XXE, "billion
# laughs"); no KML or GML needs one. Declarations come before the root element, so the head of the
# file is enough.
XML_SUFFIXES = (".kml", ".gml", ".xml")
XML_HEAD_BYTES = 1 << 20

# What a file named .zip may really be, by its first bytes (for a clearer refusal).
# (The labels are translated when shown.)
_MAGIC = (
    (b"\x89PNG", gettext_noop("a PNG image")),
    (b"\xff\xd8\xff", gettext_noop("a JPEG image")),
    (b"%PDF", gettext_noop("a PDF document")),
    (b"\x1f\x8b", gettext_noop("a gzip file")),
    (b"Rar!", gettext_noop("a RAR archive")),
    (b"7z\xbc\xaf", gettext_noop("a 7-Zip archive")),
    (b"SQLite format 3", gettext_noop("a GeoPackage/SQLite database")),
)


def check_xml_head(head: bytes, name: str) -> None:
    if _DECLARATION.search(head) or _DECLARATION.search(head.replace(b"\x00", b"")):
        raise LayerImportError(
            _(
                "%(name)s is refused: it declares a DOCTYPE or ENTITY; external entities and "
                "entity expansion are not allowed in uploaded files (remove the <!DOCTYPE …> block)"
            )
            % {"name": name}
        )


def _not_a_zip(path: Path) -> LayerImportError:
    with path.open("rb") as fh:
        head = fh.read(16)
    what = next((label for magic, label in _MAGIC if head.startswith(magic)), None)
    if what:
        return LayerImportError(
            _(
                "%(name)s is named .zip but is not a zip archive (it looks like %(what)s); upload "
                "a zipped Shapefile, or the file itself with its own extension"
            )
            % {"name": path.name, "what": _(what)}
        )
    return LayerImportError(
        _(
            "%(name)s is named .zip but is not a zip archive; upload a zipped Shapefile, or the "
            "file itself with its own extension"
        )
        % {"name": path.name}
    )


def source_size(path: Path) -> int:
    """Bytes the import would read: the file, a Shapefile with its sidecars, or a directory."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    if path.suffix.lower() == ".shp":
        return sum(
            p.stat().st_size
            for p in path.parent.glob(path.stem + ".*")
            if p.suffix.lower() in SHAPEFILE_SIDECARS and p.is_file()
        )
    return path.stat().st_size


def source_checksum(path: Path) -> str:
    """SHA-256 over the bytes read (for a Shapefile, its sidecars in name order)."""
    digest = hashlib.sha256()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file())
    elif path.suffix.lower() == ".shp":
        files = sorted(
            p for p in path.parent.glob(path.stem + ".*") if p.suffix.lower() in SHAPEFILE_SIDECARS
        )
    else:
        files = [path]
    for f in files:
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def check_size(path: Path) -> int:
    limit = settings.PLANNING_MAX_UPLOAD_BYTES
    size = source_size(path)
    if size > limit:
        raise LayerImportError(
            _(
                "%(name)s is %(size)s, larger than the import limit of %(limit)s "
                "(PLANNING_MAX_UPLOAD_BYTES); split the file or raise the limit"
            )
            % {"name": path.name, "size": describe_size(size), "limit": describe_size(limit)}
        )
    return size


def describe_size(n: int) -> str:
    """A size in the active language: ``1.5 MB`` / ``1,5 MB``, ``2,048 bytes`` / ``2.048 byte``.

    MB of 1024 × 1024 bytes, as the limit is set (``PLANNING_MAX_UPLOAD_BYTES`` = 200 × 1024 ×
    1024 reads "200 MB" here and in the API's refusal alike)."""
    if n >= 100 * 1024:
        return _("%(n)s MB") % {"n": number(n / (1024 * 1024), 1)}
    return _("%(n)s bytes") % {"n": number(n)}


def check_zip(path: Path) -> list[zipfile.ZipInfo]:
    """Refuse path traversal, links and decompression bombs, from the zip directory alone.

    The sizes checked are the ones the archive declares; GDAL's /vsizip/ reads lazily, so a
    lying archive fails while being read, inside the import transaction, and nothing is stored.
    """
    limit = settings.PLANNING_MAX_UPLOAD_BYTES
    try:
        with zipfile.ZipFile(path) as zf:
            entries = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise LayerImportError(
            _("cannot open %(name)s as a zip archive: %(error)s")
            % {"name": path.name, "error": exc}
        ) from exc
    for entry in entries:
        name = entry.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if (
            name.startswith(("/", "\\"))
            or (len(name) > 1 and name[1] == ":")
            or ".." in parts
            or "\x00" in name
        ):
            raise LayerImportError(
                _(
                    "%(name)s is refused: entry %(entry)s points outside the archive "
                    "(absolute path or '..')"
                )
                % {"name": path.name, "entry": repr(name)}
            )
        if stat.S_ISLNK(entry.external_attr >> 16):
            raise LayerImportError(
                _("%(name)s is refused: entry %(entry)s is a symbolic link")
                % {"name": path.name, "entry": repr(name)}
            )
    total = sum(e.file_size for e in entries)
    packed = max(path.stat().st_size, 1)
    if total > ZIP_MAX_EXPANSION * limit:
        raise LayerImportError(
            _(
                "%(name)s is refused: it expands to %(size)s, more than %(times)s × the import "
                "limit (%(limit)s)"
            )
            % {
                "name": path.name,
                "size": describe_size(total),
                "times": number(ZIP_MAX_EXPANSION),
                "limit": describe_size(limit),
            }
        )
    if total / packed > ZIP_MAX_RATIO:
        raise LayerImportError(
            _(
                "%(name)s is refused: it expands %(ratio)s times (limit %(max)s); it looks like a "
                "decompression bomb"
            )
            % {"name": path.name, "ratio": number(total / packed), "max": number(ZIP_MAX_RATIO)}
        )
    return entries


def _zip_member(
    path: Path, entries: list[zipfile.ZipInfo], layer_name: str | None, door: Door = COMMAND
) -> tuple[str, bool]:
    """The dataset inside a .zip to open, and whether ``layer_name`` chose it (then it is used
    up)."""
    candidates = [
        e.filename
        for e in entries
        if not e.is_dir()
        and PurePosixPath(e.filename).suffix.lower() in VECTOR_SUFFIXES
        and not e.filename.startswith("__MACOSX/")
    ]
    if not candidates:
        raise LayerImportError(
            _("%(name)s holds no vector dataset (looked for %(suffixes)s)")
            % {"name": path.name, "suffixes": ", ".join(VECTOR_SUFFIXES)}
        )
    if layer_name:
        chosen = [c for c in candidates if PurePosixPath(c).stem.lower() == layer_name.lower()]
        if len(chosen) == 1:
            return chosen[0], True
    if len(candidates) == 1:
        return candidates[0], False
    values = {"name": path.name, "names": ", ".join(sorted(candidates))}
    if door.has("layer_name"):
        raise LayerImportError(
            _("%(name)s holds several datasets (%(names)s); choose one with %(option)s")
            % {**values, "option": door.option("layer_name")}
        )
    raise LayerImportError(
        _(
            "%(name)s holds several datasets (%(names)s); upload a zip holding "
            "only the one to import"
        )
        % values
    )


def open_source(
    path: str | Path,
    *,
    layer_name: str | None = None,
    target: str = "",
    geometry_name: str = "",
    door: Door = COMMAND,
) -> Source:
    """Check ``path`` and open it with pyogrio; choose the source layer.

    ``layer_name`` names the layer inside the dataset (or the dataset inside a .zip); without it a
    single-layer source needs no choice, and a layer named like the ``target`` catalogue layer wins.
    Messages name options the way ``door`` does.
    """
    raw = str(path)
    if raw.startswith("/vsi"):
        raise LayerImportError(
            _("%(path)s: give a local file path, not a GDAL virtual path") % {"path": raw}
        )
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise LayerImportError(_("no such file: %(path)s") % {"path": raw})
    check_size(path)
    gdal_path = str(path)
    if path.is_file() and path.suffix.lower() == ".zip" and not zipfile.is_zipfile(path):
        raise _not_a_zip(path)
    if path.is_file() and path.suffix.lower() in XML_SUFFIXES:
        with path.open("rb") as fh:
            check_xml_head(fh.read(XML_HEAD_BYTES), path.name)
    if path.is_file() and zipfile.is_zipfile(path):
        # Also for .kmz, .xlsx and .ods, which are zips too: a bomb is a bomb whatever its name.
        entries = check_zip(path)
        if path.suffix.lower() == ".zip":
            member, used = _zip_member(path, entries, layer_name, door)
            if PurePosixPath(member).suffix.lower() in XML_SUFFIXES:
                with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
                    check_xml_head(fh.read(XML_HEAD_BYTES), f"{path.name}!{member}")
            gdal_path = f"/vsizip/{path}/{member}"
            if used:
                layer_name = None
    try:
        first = pyogrio.read_info(gdal_path, layer=0)  # only for the driver name
    except _READ_ERRORS as exc:
        raise LayerImportError(
            _("cannot open %(name)s as a vector dataset: %(error)s")
            % {"name": path.name, "error": _gdal_message(exc, path)}
        ) from exc
    driver = first.get("driver") or ""
    open_options = {}
    if driver == "CSV":
        open_options = dict(CSV_OPEN_OPTIONS)
        if geometry_name:  # a WKT column named like the model's field ("boundary")
            open_options["GEOM_POSSIBLE_NAMES"] += f",{geometry_name}"
    layer = _choose_layer(path, gdal_path, driver, layer_name, target, door)
    try:
        info = pyogrio.read_info(gdal_path, layer=layer, **open_options)
    except _READ_ERRORS as exc:
        raise LayerImportError(
            _("cannot read %(source)s: %(error)s")
            % {"source": path.name, "error": _gdal_message(exc, path)}
        ) from exc
    return Source(
        path=path,
        gdal_path=gdal_path,
        layer=layer,
        driver=driver,
        open_options=open_options,
        info=info,
    )


def _choose_layer(
    path: Path,
    gdal_path: str,
    driver: str,
    layer_name: str | None,
    target: str,
    door: Door = COMMAND,
) -> str | None:
    if driver == "CSV":
        # One table per file; its geometry only appears with the open options, so list_layers
        # (which takes none) would call it non-spatial.
        return None
    try:
        layers = pyogrio.list_layers(gdal_path)
    except _READ_ERRORS as exc:
        raise LayerImportError(
            _("cannot list the layers of %(name)s: %(error)s")
            % {"name": path.name, "error": _gdal_message(exc, path)}
        ) from exc
    names = [str(name) for name, _gtype in layers]
    spatial = [str(name) for name, gtype in layers if gtype is not None]
    if layer_name:
        for name in names:
            if name == layer_name or name.lower() == layer_name.lower():
                return name
        raise LayerImportError(
            _("%(name)s has no layer %(layer)s; its layers: %(layers)s")
            % {
                "name": path.name,
                "layer": repr(layer_name),
                "layers": ", ".join(names) or _("none"),
            }
        )
    if len(spatial) == 1:
        return spatial[0]
    if not spatial:
        raise LayerImportError(_("%(name)s has no layer with geometries") % {"name": path.name})
    for name in spatial:
        if name.lower() == target.lower():
            return name
    values = {"name": path.name, "layers": ", ".join(spatial)}
    if door.has("layer_name"):
        raise LayerImportError(
            _("%(name)s has several layers (%(layers)s); choose one with %(option)s")
            % {**values, "option": door.option("layer_name")}
        )
    raise LayerImportError(
        _(
            "%(name)s has several layers (%(layers)s); upload a file holding only "
            "the layer to import"
        )
        % values
    )
