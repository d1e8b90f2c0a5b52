"""Open a .qgz from /ows/project.qgz in QGIS (Debian's python3-qgis 3.22, offscreen).

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_project_client.py PROJECT.qgz [RENDER]

RENDER (optional JSON): ``{"layer": id, "bbox": [x0, y0, x1, y1] in EPSG:3857, "size": n,
"png": path}`` draws that layer alone with the project's style (labels off) to a PNG, to compare
with the WMS's GetMap of the same box.

Prints one JSON object: whether ``QgsProject.read()`` succeeded, the layers QGIS's bad-layer
handler was given, the project CRS, title and default view, the layer tree (groups and their
layers, top first), and per layer: valid, provider, features read (iterated, every page),
renderer type, its rules (label, filter, colours of each symbol layer) and its labels.
Layers are released before exitQgis() (QGIS 3.22 segfaults at exit otherwise).
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsDistanceArea,
    QgsLayerTreeGroup,
    QgsLayerTreeLayer,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsProjectBadLayerHandler,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402


class Recorder(QgsProjectBadLayerHandler):
    def __init__(self):
        super().__init__()
        self.bad = []

    def handleBadLayers(self, layers):  # noqa: N802  (QGIS's name)
        for node in layers:
            self.bad.append(node.firstChildElement("layername").text())


def _colours(symbol) -> list[dict]:
    out = []
    for i in range(symbol.symbolLayerCount()):
        sl = symbol.symbolLayer(i)
        props = sl.properties()
        out.append(
            {
                "class": sl.layerType(),
                "fill": props.get("color"),
                "line": props.get("line_color") or props.get("outline_color"),
                "style": props.get("style") or props.get("line_style"),
                "dash": props.get("customdash") if props.get("use_custom_dash") == "1" else None,
            }
        )
    return out


def _rules(rule, out):
    for child in rule.children():
        entry = {"label": child.label(), "filter": child.filterExpression()}
        if child.symbol() is not None:
            entry["symbols"] = _colours(child.symbol())
        out.append(entry)
        _rules(child, out)
    return out


def _tree(group) -> list:
    out = []
    for node in group.children():
        if isinstance(node, QgsLayerTreeGroup):
            out.append({"group": node.name(), "layers": _tree(node)})
        elif isinstance(node, QgsLayerTreeLayer):
            out.append({"layer": node.layerId(), "checked": node.itemVisibilityChecked()})
    return out


def render(project, spec):
    settings = QgsMapSettings()
    settings.setLayers([project.mapLayer(spec["layer"])])
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    settings.setExtent(QgsRectangle(*spec["bbox"]))
    settings.setOutputSize(QSize(spec["size"], spec["size"]))
    settings.setOutputDpi(90.7)  # OGC's 0.28 mm pixel, as MapServer's WMS
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setFlag(QgsMapSettings.DrawLabeling, False)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage().save(spec["png"])


def main(path, render_spec=None):
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    recorder = Recorder()
    project.setBadLayerHandler(recorder)
    ok = project.read(path)
    view = project.viewSettings().defaultViewExtent()
    out = {
        "read": ok,
        "error": project.error(),
        "bad_layers": recorder.bad,
        "crs": project.crs().authid(),
        "crs_valid": project.crs().isValid(),
        "title": project.title(),
        "view": [view.xMinimum(), view.yMinimum(), view.xMaximum(), view.yMaximum()],
        "view_crs": view.crs().authid(),
        "tree": _tree(project.layerTreeRoot()),
        "layers": {},
    }
    for layer_id, layer in project.mapLayers().items():
        seen = {
            "name": layer.name(),
            "valid": layer.isValid(),
            "provider": layer.providerType(),
            "source": layer.source().split(" password=")[0],
        }
        if isinstance(layer, QgsVectorLayer) and layer.isValid():
            seen["count"] = sum(1 for _ in layer.getFeatures())
            box = layer.extent()
            seen["extent"] = [box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()]
            seen["layer_crs"] = layer.crs().authid()
            seen["geometry_type"] = layer.geometryType()
            if layer.fields().indexOf("boundary_area_ha") >= 0:
                # Measured as QGIS measures with the project's settings: [QGIS, the service's].
                measure = QgsDistanceArea()
                measure.setSourceCrs(layer.crs(), project.transformContext())
                measure.setEllipsoid(project.ellipsoid())
                seen["areas_ha"] = {
                    f["code"]: [measure.measureArea(f.geometry()) / 1e4, f["boundary_area_ha"]]
                    for f in layer.getFeatures()
                }
                seen["ellipsoid"] = project.ellipsoid()
            seen["read_only"] = layer.readOnly()
            seen["aliases"] = {f.name(): f.alias() for f in layer.fields() if f.alias()}
            seen["value_maps"] = {
                f.name(): f.editorWidgetSetup().config().get("map")
                for f in layer.fields()
                if f.editorWidgetSetup().type() == "ValueMap"
            }
            renderer = layer.renderer()
            seen["renderer"] = renderer.type()
            if renderer.type() == "RuleRenderer":
                seen["rules"] = _rules(renderer.rootRule(), [])
            elif renderer.type() == "singleSymbol":
                seen["rules"] = [{"label": "", "symbols": _colours(renderer.symbol())}]
            seen["labels"] = layer.labelsEnabled()
            if layer.labelsEnabled() and layer.labeling() is not None:
                settings = layer.labeling().settings()
                seen["label_field"] = settings.fieldName
                seen["label_is_expression"] = settings.isExpression
                seen["label_min_scale"] = settings.minimumScale
                seen["label_color"] = settings.format().color().name()
            seen["min_scale"] = layer.minimumScale() if layer.hasScaleBasedVisibility() else None
        elif isinstance(layer, QgsRasterLayer):
            seen["raster"] = True
        out["layers"][layer_id] = seen
    if render_spec:
        out["rendered"] = render(project, json.loads(render_spec))
    print(json.dumps(out, ensure_ascii=False))
    sys.stdout.flush()
    project.clear()
    app.exitQgis()


if __name__ == "__main__":
    main(*sys.argv[1:3])
