"""Light GeoJSON of the province for map backgrounds (admin widgets, until the tile services)."""

from __future__ import annotations

import json

from django.db.models import Q

from planning.models import AdminUnit, IndustrialArea, RoadCorridor


def context_features(*, tolerance_deg: float = 0.002) -> dict:
    features = []

    def add(geom, layer, name):
        g = geom.simplify(tolerance_deg, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(g.geojson),
                "properties": {"layer": layer, "name": name},
            }
        )

    units = AdminUnit.objects.filter(
        Q(level=AdminUnit.Level.PROVINCE) | Q(level=AdminUnit.Level.DISTRICT)
    ).only("name", "boundary", "level")
    for u in units:
        add(u.boundary, "unit", u.name)
    for r in RoadCorridor.objects.only("name", "centerline"):
        add(r.centerline, "road", r.name)
    for a in IndustrialArea.objects.only("name", "boundary"):
        add(a.boundary, "area", a.name)
    return {"type": "FeatureCollection", "features": features}
