"""Load the national base map (issue 14 map) from ``fixtures/basemap/vn_basemap.geojson``
(built by ``fixtures/build_basemap.py`` from the shared Vietnam data).

Idempotent: the file's SHA-256 is recorded as a :class:`~planning.models.DatasetLoad`; the same
file again changes nothing, another file replaces every row. Callers drop the base map's tile
cache afterwards (``planning.signals.analysis_results_written`` with the layer ``basemap``, heard by
``layers.signals``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from planning import models as m
from planning.signals import analysis_results_written

BASEMAP_FILE = Path(settings.BASE_DIR) / "fixtures" / "basemap" / "vn_basemap.geojson"
DATASET_NAME = "basemap"
LAYER = "basemap"  # the name its tile cache is dropped under


@dataclass
class BasemapLoad:
    skipped: bool
    checksum: str
    count: int
    attribution: str


def load_basemap(path: Path = BASEMAP_FILE, *, force: bool = False) -> BasemapLoad:
    raw = path.read_bytes()
    checksum = hashlib.sha256(raw).hexdigest()
    data = json.loads(raw)
    attribution = data.get("attribution", "")
    if not force and m.DatasetLoad.objects.filter(name=DATASET_NAME, checksum=checksum).exists():
        return BasemapLoad(True, checksum, m.BasemapFeature.objects.count(), attribution)
    rows = []
    for f in data["features"]:
        p = f["properties"]
        rows.append(
            m.BasemapFeature(
                kind=p["kind"],
                name=p.get("name", ""),
                road_class=p.get("class", ""),
                country=p.get("country", "VN"),
                attribution=attribution,
                geometry=GEOSGeometry(json.dumps(f["geometry"]), srid=4326),
            )
        )
    with transaction.atomic():
        m.BasemapFeature.objects.all().delete()
        m.BasemapFeature.objects.bulk_create(rows, batch_size=200)
        m.DatasetLoad.objects.create(
            name=DATASET_NAME,
            checksum=checksum,
            counts={"basemap_features": len(rows)},
            notes=f"{path.name}, built by fixtures/build_basemap.py; {attribution}",
        )
        analysis_results_written.send(sender=DATASET_NAME, run=None, layers=(LAYER,))
    return BasemapLoad(False, checksum, len(rows), attribution)


def basemap_attribution() -> str:
    """The attribution of the loaded base map ('' when none is loaded)."""
    row = m.BasemapFeature.objects.values_list("attribution", flat=True).first()
    return row or ""
