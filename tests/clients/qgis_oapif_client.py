"""Load every collection of /ogc/ through QGIS's OAPIF provider (Debian's python3-qgis 3.22).

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_oapif_client.py BASE_URL ID [ID ...]

Prints one JSON object: per collection, whether the layer is valid, the features QGIS reads
(iterated, every page) and, for industrial_areas, those an expression ``kind = 'CCN'`` keeps
and those a subset string ``kind = 'CCN' AND admin_unit = '21910'`` keeps.
Layers are deleted before exitQgis() (QGIS 3.22 segfaults at exit otherwise).
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsFeatureRequest, QgsVectorLayer  # noqa: E402


def main(base, ids):
    app = QgsApplication([], False)
    app.initQgis()
    out, layers = {}, []
    for name in ids:
        layer = QgsVectorLayer(f"url='{base}/ogc' typename='{name}'", name, "OAPIF")
        layers.append(layer)
        seen = {"valid": layer.isValid()}
        if layer.isValid():
            seen["count"] = sum(1 for _ in layer.getFeatures())
            seen["fields"] = [f.name() for f in layer.fields()]
            if name == "industrial_areas":
                request = QgsFeatureRequest().setFilterExpression("kind = 'CCN'")
                seen["ccn"] = sorted(f["code"] for f in layer.getFeatures(request))
                # A subset string (the layer's own filter, as in "Filter..." of the layer
                # properties): QGIS translates what it can into query parameters.
                seen["subset_ok"] = layer.setSubsetString("kind = 'CCN' AND admin_unit = '21910'")
                seen["subset"] = sorted(f["code"] for f in layer.getFeatures())
                seen["subset_count"] = layer.featureCount()
                layer.setSubsetString("")
        out[name] = seen
    print(json.dumps(out, ensure_ascii=False))
    sys.stdout.flush()
    del layers
    app.exitQgis()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
