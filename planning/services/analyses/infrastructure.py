"""Infrastructure to the fence (``infrastructure-gaps``): which networks reach each area, the
connectors published as the ``infrastructure_connectors`` layer."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import pgettext_lazy

from planning import geo
from planning import models as m
from planning.analysis.infrastructure import FenceCriteria, infrastructure_to_fence
from planning.analysis.summaries import gaps_by_network
from planning.selectors.admin_units import UnitLocator, expanded_envelope
from planning.selectors.analysis_inputs.areas import area_rows, areas_extent, areas_in
from planning.selectors.analysis_inputs.networks import network_features
from planning.selectors.input_versions import input_versions
from planning.services.analyses.common import (
    P_PROVINCE,
    criteria_param,
    province_optional,
    scope_name,
    unit_from_ref,
    unit_ref,
)
from planning.services.analyses.registry import (
    AnalysisSpec,
    Outcome,
    Progress,
    Timer,
    register_analysis,
)
from planning.services.analysis_params import criteria_build
from planning.signals import analysis_results_written

NAME = "infrastructure-gaps"


def _prepare(*, province=None, criteria: Mapping | None = None):
    province = province_optional(province)
    crit = criteria_build(FenceCriteria, criteria)
    return {
        "province": unit_ref(province),
        "overrides": dict(criteria or {}),
        "criteria": crit.to_dict(),
    }, province


def _body(params: dict, progress: Progress) -> Outcome:
    timer = Timer()
    province = unit_from_ref(params["province"])
    crit = criteria_build(FenceCriteria, params["criteria"])
    areas = list(areas_in(province, include_revoked=False))
    by_zone: dict[int, list[m.IndustrialArea]] = {}
    for a in areas:
        by_zone.setdefault(a.metric_srid or settings.PLANNING_DEFAULT_METRIC_SRID, []).append(a)
    reports, connectors = [], []
    by_code = {a.code: a for a in areas}
    for srid, members in sorted(by_zone.items()):
        with timer("inputs"):
            env = expanded_envelope(areas_extent(members), 0.2)
            rows = area_rows(
                members,
                locator=UnitLocator.load(m.AdminUnit.objects.filter(boundary__intersects=env)),
                metric_srid=srid,
                with_geometry=True,
            )
            networks = network_features(env, srid)
        with timer("analysis"):
            out = infrastructure_to_fence([r.record for r in rows], networks, criteria=crit)
        for r in out:
            d = r.to_dict()
            area = by_code[r.area_id]
            d.update(kind=area.kind, status=area.status, crs=f"EPSG:{srid}")
            for link in d["links"]:
                link.pop("connector", None)
            reports.append(d)
            for link in r.links:
                if (
                    link.connector is not None
                    and not link.connector.is_empty
                    and (link.distance_m or 0) > 0.5
                ):
                    connectors.append(
                        dict(
                            area=area,
                            area_code=area.code,
                            area_name=area.name,
                            network=link.network,
                            feature_name=(link.feature_name or "")[:200],
                            feature_kind=(link.feature_kind or "")[:20],
                            distance_m=round(link.distance_m, 2),
                            connected=link.connected,
                            geom=geo.to_geos(
                                geo.transform(link.connector, srid, geo.STORAGE_SRID),
                                srid=geo.STORAGE_SRID,
                            ),
                        )
                    )
    reports.sort(key=lambda d: str(d["area_id"]))

    def write(run: m.AnalysisRun) -> None:
        current = m.InfrastructureConnector.objects.filter(is_current=True).exclude(run=run)
        if province is not None:
            current = current.filter(area__in=areas)
        current.update(is_current=False)
        objs = []
        for values in connectors:
            obj = m.InfrastructureConnector(run=run, is_current=True, **values)
            obj.normalise_geometries()
            objs.append(obj)
        m.InfrastructureConnector.objects.bulk_create(objs)
        # bulk writes send no model signals: say which layer changed (its tiles are dropped)
        analysis_results_written.send(sender=NAME, run=run, layers=("infrastructure_connectors",))

    results = {
        "scope": scope_name(province),
        "n_areas": len(reports),
        "n_with_gaps": sum(1 for r in reports if r["gaps"]),
        "gaps_by_network": gaps_by_network(reports, crit.networks),
        "n_connectors": len(connectors),
        "areas": reports,
    }
    versions = input_versions(
        [m.IndustrialArea, m.RoadCorridor, m.InfrastructureLine, m.InfrastructurePoint]
    )
    return Outcome(results, versions, timer.steps, write)


SPEC = register_analysis(
    AnalysisSpec(
        NAME,
        pgettext_lazy("analysis title", "Infrastructure to the fence"),
        _prepare,
        _body,
        input_layers=(
            "industrial_areas",
            "road_corridors",
            "infrastructure_lines",
            "infrastructure_points",
            "infrastructure_connectors",
        ),
        parameters=(P_PROVINCE, criteria_param("FenceCriteria")),
    )
)
