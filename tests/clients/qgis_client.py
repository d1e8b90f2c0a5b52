"""Drive QGIS (Debian's python3-qgis, offscreen) against the service, as a planner would.

Run with Debian's /usr/bin/python3 (QGIS's bindings live there), not the project venv:
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_client.py BASE_URL USER PASSWORD OUT_DIR [TOKEN]
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_client.py identify BASE_URL JSON
(the second form: QGIS's Identify tool on WMS layers, JSON = a list of {"layers": [...], "x", "y"
in EPSG:4326, "user"/"password" optional}, one WMS layer each; prints a list of what QGIS saw;
QGIS keeps the first capabilities it reads per URL for the session: list signed-in layers first).
Prints one JSON object with what QGIS saw. Layers are deleted before exitQgis() (QGIS 3.22
segfaults at exit otherwise).
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsGeometry,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsPointXY,
    QgsRaster,
    QgsRasterDataProvider,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402


def identify(base, spec, layers):
    """QGIS's Identify tool at one point of a WMS layer, in each format QGIS offers for it.

    QGIS asks GetFeatureInfo in the format the capabilities name for each kind: features
    (application/vnd.ogc.gml or another GML name), HTML, plain text.
    """
    auth = f"&username={spec['user']}&password={spec['password']}" if spec.get("user") else ""
    names = spec["layers"]
    uri = (
        "contextualWMSLegend=0&crs=EPSG:4326&dpiMode=7&format=image/png&featureCount=10"
        + "".join(f"&layers={n}&styles=" for n in names)
        + auth
        + f"&url={base}/ows/wms"
    )
    wms = QgsRasterLayer(uri, "identify " + ",".join(names), "wms")
    layers.append(wms)
    out = {"valid": wms.isValid()}
    if not wms.isValid():
        out["error"] = wms.error().summary()
        return out
    provider = wms.dataProvider()
    caps = provider.capabilities()
    out["can_identify"] = {
        kind: bool(caps & flag)
        for kind, flag in (
            ("feature", QgsRasterDataProvider.IdentifyFeature),
            ("html", QgsRasterDataProvider.IdentifyHtml),
            ("text", QgsRasterDataProvider.IdentifyText),
        )
    }
    x, y, half = spec["x"], spec["y"], 0.01
    extent = QgsRectangle(x - half, y - half, x + half, y + half)
    point = QgsPointXY(x, y)
    features = provider.identify(point, QgsRaster.IdentifyFormatFeature, extent, 200, 200)
    out["feature_valid"] = features.isValid()
    out["feature_error"] = features.error().summary() if not features.isValid() else ""
    found = []
    for stores in features.results().values():
        for store in stores if isinstance(stores, list) else []:
            for feature in store.features():
                found.append(
                    {
                        "sublayer": store.params().get("sublayer"),
                        "attributes": {
                            f.name(): _plain(feature.attribute(f.name())) for f in feature.fields()
                        },
                    }
                )
    out["features"] = found
    for kind, fmt in (
        ("html", QgsRaster.IdentifyFormatHtml),
        ("text", QgsRaster.IdentifyFormatText),
    ):
        answer = provider.identify(point, fmt, extent, 200, 200)
        out[f"{kind}_valid"] = answer.isValid()
        out[kind] = "\n".join(str(v) for v in answer.results().values())
    return out


def _plain(value):
    """A QVariant attribute as JSON (QGIS gives NULL as a QVariant)."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    return value if isinstance(value, (int, float, bool)) else str(value)


app = QgsApplication([], False)
app.initQgis()
result = {}
layers = []
if sys.argv[1] == "identify":
    try:
        result = [identify(sys.argv[2], spec, layers) for spec in json.loads(sys.argv[3])]
    finally:
        layers.clear()
        print(json.dumps(result or {}, ensure_ascii=False))
        sys.stdout.flush()
        app.exitQgis()
    sys.exit(0)

base, user, password, out_dir = sys.argv[1:5]
token = sys.argv[5] if len(sys.argv) > 5 else None
try:
    wfs_url = f"{base}/ows/wfs"
    # The styled WMS (public layers) and the WFS.
    wms = QgsRasterLayer(
        f"contextualWMSLegend=0&crs=EPSG:3857&dpiMode=7&format=image/png&layers=industrial_areas&styles="
        f"&url={base}/ows/wms",
        "wms",
        "wms",
    )
    layers.append(wms)
    result["wms_valid"] = wms.isValid()
    # One connection with credentials, as a planner sets it up (QGIS caches the capabilities
    # per URL, so an anonymous first layer would hide the staff-only layers for the session).
    areas = QgsVectorLayer(
        f"url='{wfs_url}' typename='industrial_areas' version='2.0.0' pagingEnabled='true' "
        f"username='{user}' password='{password}'",
        "areas",
        "WFS",
    )
    layers.append(areas)
    result["wfs_areas_valid"] = areas.isValid()
    result["wfs_areas_count"] = sum(1 for _ in areas.getFeatures())
    # Signed in: every parcel, through paging.
    parcels = QgsVectorLayer(
        f"url='{wfs_url}' typename='clearance_parcels' version='2.0.0' pagingEnabled='true' "
        f"pageSize='200' username='{user}' password='{password}'",
        "parcels",
        "WFS",
    )
    layers.append(parcels)
    result["wfs_parcels_valid"] = parcels.isValid()
    result["wfs_parcels_count"] = sum(1 for _ in parcels.getFeatures())
    result["wfs_parcels_fields"] = [f.name() for f in parcels.fields()]
    # A filtered read (QGIS turns the expression into an OGC filter).
    parcels.setSubsetString("status = 'handed_over'")
    result["wfs_parcels_handed_over"] = sum(1 for _ in parcels.getFeatures())
    parcels.setSubsetString("")
    # Render the WMS layer to an image.
    if wms.isValid():
        settings = QgsMapSettings()
        settings.setLayers([wms])
        settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
        settings.setExtent(QgsRectangle(12120000, 1540000, 12180000, 1580000))
        settings.setOutputSize(QSize(800, 533))
        settings.setBackgroundColor(QColor(255, 255, 255))
        job = QgsMapRendererParallelJob(settings)
        job.start()
        job.waitForFinished()
        image = job.renderedImage()
        path = os.path.join(out_dir, "qgis_wms.png")
        image.save(path)
        painted = sum(
            1
            for y in range(0, image.height(), 4)
            for x in range(0, image.width(), 4)
            if image.pixelColor(x, y) != QColor(255, 255, 255)
        )
        result["wms_render_painted_samples"] = painted
    # Edit a proposal through WFS-T, signed in with a token (QGIS 3.22 speaks Basic: the
    # pseudo-user "token" carries it). A different URL spelling gets its own capabilities cache.
    edit_user, edit_password = ("token", token) if token else (user, password)
    proposals = QgsVectorLayer(
        f"url='{wfs_url}?' typename='proposals' version='2.0.0' username='{edit_user}' "
        f"password='{edit_password}'",
        "proposals",
        "WFS",
    )
    layers.append(proposals)
    result["wfs_proposals_valid"] = proposals.isValid()
    if proposals.isValid():
        caps = proposals.dataProvider().capabilities()
        result["wfs_proposals_can_add"] = bool(caps & proposals.dataProvider().AddFeatures)
        before = sum(1 for _ in proposals.getFeatures())
        proposals.startEditing()
        feature = QgsFeature(proposals.fields())
        feature.setAttribute("name", "CCN đề xuất từ QGIS")
        feature.setAttribute("kind", "CCN")
        feature.setGeometry(
            QgsGeometry.fromWkt(
                "POLYGON((109.06 14.31, 109.066 14.31, 109.066 14.316, "
                "109.06 14.316, 109.06 14.31))"
            )
        )
        proposals.addFeature(feature)
        result["wfs_proposals_commit"] = proposals.commitChanges()
        result["wfs_proposals_errors"] = proposals.commitErrors()
        # (QGIS keeps its downloaded features for the session: the test checks the database.)
        result["wfs_proposals_before"] = before
finally:
    for layer in layers:
        del layer
    layers.clear()
    print(json.dumps(result, ensure_ascii=False))
    sys.stdout.flush()
    app.exitQgis()
