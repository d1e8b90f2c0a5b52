"""A QGIS project (.qgs XML, zipped as .qgz) written on the server, without QGIS.

The project holds grouped vector layers read through the service's own WFS 2.0.0 (QGIS's
``WFS`` provider, ``url='…/ows/wfs' typename='…' version='2.0.0'``) in the project's zone,
styled from the WMS styles (``layers.qgis.symbols``), a raster background from the service's
own XYZ tiles (QGIS's ``wms`` provider, ``type=xyz``), the province's VN-2000 TM-3 zone as
project CRS (planar measures, no ellipsoid) and the province as the initial view. The XML is
the subset QGIS 3.22 writes that it needs to read a project (checked by opening the file with
QGIS 3.22, ``tests/layers/test_qgis_project.py``).

Pure: a :class:`Project` in, bytes out (no database, no request).
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass, field

from lxml import etree
from pyproj import CRS

from layers.qgis import symbols
from layers.wms.styles import LayerStyle
from planning.checks import TOWGS84

E = etree.Element
SUB = etree.SubElement

# QGIS writes its own version here; 3.22 is the oldest release the project is tested with.
QGIS_VERSION = "3.22.0"
WKB = {"POLYGON": "MultiPolygon", "LINE": "MultiLineString", "POINT": "Point"}
GEOMETRY = {"POLYGON": "Polygon", "LINE": "Line", "POINT": "Point"}


@dataclass(frozen=True)
class Field:
    name: str  # as the WFS publishes it
    label: str  # the attribute table's column name (QGIS alias), in the user's language
    choices: tuple[tuple[str, str], ...] = ()  # (value, label): QGIS's ValueMap widget


@dataclass(frozen=True)
class VectorLayer:
    name: str  # the collection id (= WFS typename, WMS layer)
    title: str
    style: LayerStyle
    visible: bool = True
    fields: tuple[Field, ...] = ()
    editable: bool = False  # the caller may edit it (WFS-T); else QGIS opens it read-only


@dataclass(frozen=True)
class RasterLayer:
    name: str
    title: str
    xyz_url: str  # absolute, with {z}/{x}/{y}
    visible: bool = True


@dataclass(frozen=True)
class Group:
    title: str
    layers: tuple[VectorLayer | RasterLayer, ...]


@dataclass(frozen=True)
class Project:
    title: str
    lang: str  # "vi" or "en"
    wfs_url: str  # absolute URL of the service's WFS
    crs_epsg: int  # the project CRS (a VN-2000 TM-3 zone)
    extent: tuple[float, float, float, float]  # in crs_epsg
    groups: tuple[Group, ...]  # top first, as in QGIS's layer panel
    # (user name, password) sent as HTTP Basic by QGIS; None for a public project.
    credentials: tuple[str, str] | None = None
    abstract: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def layer_id(name: str) -> str:
    return f"kcn_{name}"


def _quote(value: str) -> str:
    """A value in QgsDataSourceUri's key='value' form."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def wfs_source(project: Project, name: str) -> str:
    """QGIS's WFS data source string (``QgsWFSDataSourceURI``: url, typename, version, paging;
    user name and password as QgsDataSourceUri keys, sent as HTTP Basic)."""
    parts = [
        f"url={_quote(project.wfs_url)}",
        f"typename={_quote(name)}",
        "version='2.0.0'",
        "pagingEnabled='true'",
        "restrictToRequestBBOX='1'",
        # Features in the project's VN-2000 zone, reprojected by the service (EPSG:6960 path).
        f"srsname='EPSG:{project.crs_epsg}'",
    ]
    if project.credentials:
        user, password = project.credentials
        parts += [f"username={_quote(user)}", f"password={_quote(password)}"]
    return " ".join(parts)


def xyz_source(url: str) -> str:
    # The wms provider reads a URL-encoded query: the braces of the template are encoded.
    encoded = url.replace("{", "%7B").replace("}", "%7D").replace("&", "%26")
    return f"type=xyz&url={encoded}&zmax=19&zmin=0"


def spatialrefsys(epsg: int) -> etree._Element:
    """QGIS's CRS element: the EPSG authority id, WKT and a PROJ string carrying the VN-2000 →
    WGS 84 shift (EPSG:6960, DOMAIN.md §4.2) for a QGIS whose database lacks the code."""
    crs = CRS.from_epsg(epsg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PROJ strings lose the datum name
        proj4 = crs.to_proj4().replace(" +type=crs", "")
    if crs.datum and "Vietnam 2000" in crs.datum.name and "towgs84" not in proj4:
        proj4 = proj4.replace(" +units", f" {TOWGS84} +units")
    el = E("spatialrefsys")
    for tag, value in (
        ("wkt", crs.to_wkt()),
        ("proj4", proj4),
        ("srid", str(epsg)),
        ("authid", f"EPSG:{epsg}"),
        ("description", crs.name),
        ("projectionacronym", "longlat" if crs.is_geographic else "tmerc"),
        ("ellipsoidacronym", "EPSG:7030"),
        ("geographicflag", "true" if crs.is_geographic else "false"),
    ):
        SUB(el, tag).text = value
    return el


def _checked(visible: bool) -> str:
    return "Qt::Checked" if visible else "Qt::Unchecked"


def _vector_layer(project: Project, layer: VectorLayer) -> etree._Element:
    style = layer.style
    attrs = {
        "type": "vector",
        "geometry": GEOMETRY[style.geometry_type],
        "wkbType": WKB[style.geometry_type],
        "readOnly": "0" if layer.editable else "1",
        "labelsEnabled": "1" if style.label_item else "0",
        "styleCategories": "AllStyleCategories",
        "simplifyDrawingHints": "1",
        "simplifyLocal": "1",
        "simplifyDrawingTol": "1",
        "simplifyAlgorithm": "0",
        "simplifyMaxScale": "1",
        # The mapfile's MAXSCALEDENOM / MINSCALEDENOM: QGIS's minScale is the most zoomed-out.
        "hasScaleBasedVisibilityFlag": "1" if (style.max_scale or style.min_scale) else "0",
        "minScale": f"{style.max_scale:g}" if style.max_scale else "100000000",
        "maxScale": f"{style.min_scale:g}" if style.min_scale else "0",
    }
    el = E("maplayer", attrs)
    SUB(el, "id").text = layer_id(layer.name)
    SUB(el, "datasource").text = wfs_source(project, layer.name)
    SUB(el, "layername").text = layer.title
    SUB(el, "srs").append(spatialrefsys(project.crs_epsg))
    SUB(el, "provider", encoding="UTF-8").text = "WFS"
    manager = SUB(el, "map-layer-style-manager", current="default")
    SUB(manager, "map-layer-style", name="default")
    flags = SUB(el, "flags")
    for flag, value in (("Identifiable", 1), ("Removable", 1), ("Searchable", 1), ("Private", 0)):
        SUB(flags, flag).text = str(value)
    _fields(el, layer.fields)
    el.append(symbols.renderer(style, lang=project.lang, key=layer.name))
    labeling = symbols.labeling(style)
    if labeling is not None:
        el.append(labeling)
    SUB(el, "blendMode").text = "0"
    SUB(el, "featureBlendMode").text = "0"
    SUB(el, "layerOpacity").text = "1"
    SUB(el, "previewExpression").text = f'"{style.label_item}"' if style.label_item else ""
    SUB(el, "legend", type="default-vector", showLabelLegend="0")
    return el


def _fields(el, fields: tuple[Field, ...]) -> None:
    """Column names in the user's language, and coded values shown by their labels."""
    configuration = SUB(el, "fieldConfiguration")
    for entry in fields:
        if not entry.choices:
            continue
        widget = SUB(
            SUB(configuration, "field", name=entry.name, configurationFlags="None"),
            "editWidget",
            type="ValueMap",
        )
        options = SUB(SUB(widget, "config"), "Option", type="Map")
        values = SUB(options, "Option", name="map", type="List")
        for value, label in entry.choices:
            SUB(
                SUB(values, "Option", type="Map"), "Option", name=label, value=value, type="QString"
            )
    aliases = SUB(el, "aliases")
    for index, entry in enumerate(fields):
        SUB(aliases, "alias", field=entry.name, index=str(index), name=entry.label)


def _raster_layer(layer: RasterLayer) -> etree._Element:
    el = E(
        "maplayer",
        type="raster",
        styleCategories="AllStyleCategories",
        hasScaleBasedVisibilityFlag="0",
        minScale="1e+08",
        maxScale="0",
    )
    SUB(el, "id").text = layer_id(layer.name)
    SUB(el, "datasource").text = xyz_source(layer.xyz_url)
    SUB(el, "layername").text = layer.title
    SUB(el, "srs").append(spatialrefsys(3857))
    SUB(el, "provider").text = "wms"
    pipe = SUB(el, "pipe")
    renderer = SUB(
        pipe,
        "rasterrenderer",
        type="singlebandcolordata",
        band="1",
        opacity="1",
        alphaBand="-1",
        nodataColor="",
    )
    SUB(renderer, "rasterTransparency")
    SUB(pipe, "brightnesscontrast", brightness="0", contrast="0", gamma="1")
    SUB(pipe, "huesaturation", saturation="0", grayscaleMode="0", colorizeOn="0")
    SUB(pipe, "rasterresampler", maxOversampling="2")
    SUB(el, "blendMode").text = "0"
    return el


def _tree_layer(project: Project, layer: VectorLayer | RasterLayer) -> etree._Element:
    if isinstance(layer, VectorLayer):
        source, provider = wfs_source(project, layer.name), "WFS"
    else:
        source, provider = xyz_source(layer.xyz_url), "wms"
    return E(
        "layer-tree-layer",
        id=layer_id(layer.name),
        name=layer.title,
        source=source,
        providerKey=provider,
        checked=_checked(layer.visible),
        expanded="0",
        legend_exp="",
    )


def _property(parent, tag: str, kind: str, value: str) -> None:
    SUB(parent, tag, type=kind).text = value


def qgs(project: Project) -> bytes:
    """The project as .qgs XML."""
    root = E("qgis", projectname=project.title, version=QGIS_VERSION)
    SUB(root, "homePath", path="")
    SUB(root, "title").text = project.title
    SUB(root, "projectCrs").append(spatialrefsys(project.crs_epsg))

    tree = SUB(root, "layer-tree-group")
    layers: list[VectorLayer | RasterLayer] = []
    for group in project.groups:
        node = SUB(
            tree,
            "layer-tree-group",
            name=group.title,
            checked="Qt::Checked",
            expanded="1",
        )
        for layer in group.layers:
            node.append(_tree_layer(project, layer))
            layers.append(layer)

    xmin, ymin, xmax, ymax = project.extent
    canvas = SUB(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    SUB(canvas, "units").text = "meters"
    extent = SUB(canvas, "extent")
    for tag, value in (("xmin", xmin), ("ymin", ymin), ("xmax", xmax), ("ymax", ymax)):
        SUB(extent, tag).text = f"{value:.3f}"
    SUB(canvas, "rotation").text = "0"
    SUB(canvas, "destinationsrs").append(spatialrefsys(project.crs_epsg))

    maplayers = SUB(root, "projectlayers")
    for layer in layers:
        if isinstance(layer, VectorLayer):
            maplayers.append(_vector_layer(project, layer))
        else:
            maplayers.append(_raster_layer(layer))
    order = SUB(root, "layerorder")
    for layer in layers:
        SUB(order, "layer", id=layer_id(layer.name))

    properties = SUB(root, "properties")
    measurement = SUB(properties, "Measurement")
    _property(measurement, "DistanceUnits", "QString", "meters")
    _property(measurement, "AreaUnits", "QString", "ha")
    # Planar measures in the zone, as the service measures areas (DESIGN.md, "Coordinates"):
    # no ellipsoid, so QGIS's $area of a park is its boundary_area_ha.
    _property(SUB(properties, "Measure"), "Ellipsoid", "QString", "NONE")
    _property(SUB(properties, "SpatialRefSys"), "ProjectionsEnabled", "int", "1")
    _property(SUB(properties, "Paths"), "Absolute", "bool", "false")
    _property(properties, "WMSServiceTitle", "QString", project.title)

    metadata = SUB(root, "projectMetadata")
    SUB(metadata, "identifier").text = "kcn-planner"
    SUB(metadata, "language").text = project.lang
    SUB(metadata, "type").text = "dataset"
    SUB(metadata, "title").text = project.title
    SUB(metadata, "abstract").text = "\n\n".join([project.abstract, *project.notes]).strip()
    SUB(metadata, "links")
    SUB(metadata, "author").text = "KCN Planner"

    view = SUB(root, "ProjectViewSettings", UseProjectScales="0", rotation="0")
    default = SUB(
        view,
        "DefaultViewExtent",
        xmin=f"{xmin:.3f}",
        ymin=f"{ymin:.3f}",
        xmax=f"{xmax:.3f}",
        ymax=f"{ymax:.3f}",
    )
    default.append(spatialrefsys(project.crs_epsg))
    body = etree.tostring(root, encoding="utf-8", pretty_print=True)
    return b"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body


def qgz(project: Project, *, name: str = "kcn_planner") -> bytes:
    """The project zipped as QGIS saves it (.qgz: one ``<name>.qgs`` inside)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.qgs", qgs(project))
    return buffer.getvalue()
