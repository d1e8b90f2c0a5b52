"""Networks near a place (roads, power, water) and the active proposals, as the analyses'
records."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from planning import geo
from planning import models as m
from planning.analysis.records import AccessPoint, NetworkFeature, RoadRecord


# --------------------------------------------------------------------------------------------
# Networks (roads, power, water) near a place, as the analyses' records
# --------------------------------------------------------------------------------------------
def roads_near(envelope) -> QuerySet:
    return m.RoadCorridor.objects.filter(centerline__intersects=envelope).order_by("code")


def road_records(roads: Iterable[m.RoadCorridor], srid: int) -> list[RoadRecord]:
    """The roads as the analyses' records, with their class and, for expressways, their
    interchanges (the only places a factory can reach them)."""
    roads = list(roads)
    shapes = geo.to_shapely(r.centerline for r in roads)
    gates: dict[int, list[AccessPoint]] = {}
    interchanges = list(
        m.RoadInterchange.objects.filter(expressway__in=[r.pk for r in roads]).order_by("code")
    )
    points = geo.to_shapely(i.geom for i in interchanges) if interchanges else []
    for i, g in zip(interchanges, points, strict=True):
        gates.setdefault(i.expressway_id, []).append(
            AccessPoint(geo.transform(g, geo.STORAGE_SRID, srid), i.name, i.status)
        )
    return [
        RoadRecord(
            geo.transform(g, geo.STORAGE_SRID, srid),
            r.status,
            r.route_ref or r.name,
            r.road_class,
            tuple(gates.get(r.pk, ())),
        )
        for r, g in zip(roads, shapes, strict=False)
    ]


def network_features(envelope, srid: int) -> list[NetworkFeature]:
    """Roads, power lines and substations, water mains and plants intersecting ``envelope``."""
    out = []
    for r in roads_near(envelope):
        g = geo.transform(geo.to_shapely([r.centerline])[0], geo.STORAGE_SRID, srid)
        out.append(NetworkFeature(g, "road", r.status, r.route_ref or r.name, r.road_class))
    lines = (
        m.InfrastructureLine.objects.filter(geom__intersects=envelope)
        .exclude(kind=m.InfrastructureLine.Kind.DRAINAGE)
        .order_by("pk")
    )
    for line in lines:
        network = "water" if line.kind == m.InfrastructureLine.Kind.WATER else "power"
        g = geo.transform(geo.to_shapely([line.geom])[0], geo.STORAGE_SRID, srid)
        out.append(NetworkFeature(g, network, line.status, line.name, line.kind))
    points = m.InfrastructurePoint.objects.filter(
        geom__intersects=envelope,
        kind__in=[m.InfrastructurePoint.Kind.SUBSTATION, m.InfrastructurePoint.Kind.WATER_PLANT],
    ).order_by("pk")
    for p in points:
        network = "power" if p.kind == m.InfrastructurePoint.Kind.SUBSTATION else "water"
        g = geo.transform(geo.to_shapely([p.geom])[0], geo.STORAGE_SRID, srid)
        out.append(NetworkFeature(g, network, p.status, p.name, p.kind))
    return out


def power_geometries(envelope, srid: int) -> list:
    """Invested power lines and substations (for the site-suggestion infrastructure criterion)."""
    geoms = [
        ln.geom
        for ln in m.InfrastructureLine.objects.filter(
            geom__intersects=envelope, kind__startswith="power", status="invested"
        ).order_by("pk")
    ]
    geoms += [
        p.geom
        for p in m.InfrastructurePoint.objects.filter(
            geom__intersects=envelope, kind="substation", status="invested"
        ).order_by("pk")
    ]
    return [geo.transform(g, geo.STORAGE_SRID, srid) for g in geo.to_shapely(geoms)]


def active_proposals(envelope=None, *, exclude_pk=None) -> QuerySet:
    qs = m.Proposal.objects.exclude(
        status__in=[m.Proposal.Status.REJECTED, m.Proposal.Status.WITHDRAWN]
    )
    if envelope is not None:
        qs = qs.filter(geom__intersects=envelope)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("pk")
