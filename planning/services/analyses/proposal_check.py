"""Proposal checks (``proposal-check``): a proposed boundary against the rules (size, overlaps,
unit, road access, exclusions, occupancy), with citations."""

from __future__ import annotations

from collections.abc import Mapping

import rasterio
import rasterio.errors
import rasterio.windows
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from planning import geo
from planning import models as m
from planning.analysis.efficiency import unit_efficiency
from planning.analysis.landcover import exclusion_polygons
from planning.analysis.messages import N_, Message
from planning.analysis.proposal_checks import ProposalCriteria, check_proposal, unit_shares
from planning.analysis.proposal_checks import summary as proposal_summary
from planning.analysis.records import KINDS
from planning.analysis.site_suggestion import LandcoverClasses
from planning.analysis.summaries import rule_counts
from planning.models.base import normalise_geometry
from planning.selectors.admin_units import (
    UnitLocator,
    expanded_envelope,
    unit_at_level,
    unit_is_mountainous,
    units_like,
)
from planning.selectors.analysis_inputs.areas import area_rows, metric_shapes
from planning.selectors.analysis_inputs.networks import active_proposals, road_records, roads_near
from planning.selectors.input_versions import input_versions
from planning.selectors.plans import plans_in
from planning.selectors.rasters import raster_layers_available, raster_layers_for, raster_path
from planning.services.analyses.common import (
    P_LEVEL,
    criteria_param,
    parse_level,
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
from planning.services.analysis_params import (
    InvalidGeometryParameter,
    Param,
    criteria_build,
    param_error,
)

NAME = "proposal-check"


def _landcover_exclusions(geom_metric, srid: int) -> tuple[dict, list[dict]]:
    """Water, forest and flood (> 0.5 m) polygons from the rasters around a proposal (metric
    CRS), and notes saying where they come from."""
    geom4326 = geo.to_geos(
        geo.transform(geom_metric, srid, geo.STORAGE_SRID), srid=geo.STORAGE_SRID
    )
    candidates = m.AdminUnit.objects.filter(
        level="province", boundary__intersects=geom4326
    ).order_by("code")
    province = next((p for p in candidates if raster_layers_available(p)), None)
    if province is None:
        return {}, [
            Message(
                N_(
                    "no land-cover/flood raster for this area: water, forest and flooding were "
                    "not checked"
                )
            ).to_dict()
        ]
    layers = raster_layers_for(province, None, kinds=("landcover", "flood"))
    rsrid = layers["landcover"].srid
    geom_r = geo.transform(geom_metric, srid, rsrid) if rsrid != srid else geom_metric
    with (
        rasterio.open(raster_path(layers["landcover"])) as lds,
        rasterio.open(raster_path(layers["flood"])) as fds,
    ):
        x0, y0, x1, y1 = geom_r.bounds
        pad = 2 * lds.res[0]
        window = lds.window(x0 - pad, y0 - pad, x1 + pad, y1 + pad).round_offsets().round_lengths()
        try:
            window = window.intersection(rasterio.windows.Window(0, 0, lds.width, lds.height))
        except rasterio.errors.WindowError:
            return {}, [
                Message(
                    N_("the proposal lies outside the raster %(layer)s"),
                    {"layer": layers["landcover"].name},
                ).to_dict()
            ]
        codes = lds.read(1, window=window)
        flood = fds.read(1, window=window)
        transform = lds.window_transform(window)
    out = exclusion_polygons(codes, flood, transform, LandcoverClasses())
    if rsrid != srid:
        out = {k: [geo.transform(g, rsrid, srid) for g in v] for k, v in out.items()}
    notes = [
        Message(
            N_(
                "water, forest and flooding > 0.5 m taken from the rasters %(landcover)s, %(flood)s"
            ),
            {"landcover": layers["landcover"].name, "flood": layers["flood"].name},
        ).to_dict()
    ]
    return out, notes


def _prepare(
    *,
    geometry=None,
    crs=None,
    kind="CCN",
    admin_unit=None,
    is_craft_village=False,
    expands=None,
    proposal=None,
    unit: str | None = None,
    criteria: Mapping | None = None,
    plan_entry=None,
    needs_plan_amendment=False,
):
    """Checked parameters (``analysis_params``): a proposal, or a geometry (already a valid
    EPSG:4326 multipolygon; ``crs`` was applied to it) with the unit that proposes it."""
    if proposal is not None:
        try:
            geometry = normalise_geometry(proposal.geom, "MULTIPOLYGON")
        except Exception as exc:  # a stored row predating the geometry rules
            raise param_error(
                "proposal",
                _("the boundary of proposal %(code)s cannot be used: %(error)s")
                % {"code": proposal.code, "error": exc},
                cls=InvalidGeometryParameter,
            ) from None
        kind, admin_unit = proposal.kind, proposal.admin_unit
        plan_entry, needs_plan_amendment = proposal.plan_entry, proposal.needs_plan_amendment
    kind = str(kind or "CCN").upper()
    geom = geometry
    crit = criteria_build(ProposalCriteria, criteria)
    return {
        "geometry": geom.hex.decode() if isinstance(geom.hex, bytes) else geom.hex,
        "kind": kind,
        "admin_unit": unit_ref(admin_unit),
        "is_craft_village": bool(is_craft_village),
        "expands": expands.code if expands is not None else None,
        "proposal": None if proposal is None else {"id": proposal.pk, "code": proposal.code},
        "unit": parse_level(unit),
        "overrides": dict(criteria or {}),
        # issue 13 plan: establishment condition 1
        "plan": {
            "entry": plan_entry.code if plan_entry is not None else None,
            "needs_amendment": bool(needs_plan_amendment),
        },
        "criteria": crit.to_dict(),
    }, admin_unit


def _body(params: dict, progress: Progress) -> Outcome:
    timer = Timer()
    unit = unit_from_ref(params["admin_unit"])
    crit = criteria_build(ProposalCriteria, params["criteria"])
    geom = GEOSGeometry(params["geometry"], srid=geo.STORAGE_SRID)
    srid = unit.zone_srid or settings.PLANNING_DEFAULT_METRIC_SRID
    shp = geo.to_shapely([geom])[0]
    metric = geo.transform(shp, geo.STORAGE_SRID, srid)
    level = params["unit"]
    exclude_pk = params["proposal"]["id"] if params["proposal"] else None
    with timer("inputs"):
        env = expanded_envelope(geom, 0.1)
        near = list(
            m.IndustrialArea.objects.filter(boundary__intersects=env)
            .exclude(status=m.IndustrialArea.Status.REVOKED)
            .order_by("code")
        )
        expands = None
        if params["expands"]:
            near = [a for a in near if a.code != params["expands"]]
        existing = [
            (a.code, g, a.name)
            for a, g in zip(near, metric_shapes([a.boundary for a in near], srid), strict=True)
        ]
        props = list(active_proposals(env, exclude_pk=exclude_pk))
        others = [
            (p.code, g, p.name)
            for p, g in zip(props, metric_shapes([p.geom for p in props], srid), strict=True)
        ]
        # The rules judge the unit the proposal names: its boundary, its mountainous flag, its
        # occupancy. Where the geometry lies is reported (units_around), never substituted.
        unit_geom = metric_shapes([unit.boundary], srid)[0]
        around = list(units_like(unit, geom))
        around_named = [
            (u.code, g, u.name)
            for u, g in zip(around, metric_shapes([u.boundary for u in around], srid), strict=True)
        ]
        roads = road_records(roads_near(env), srid)
        exclusions, notes = _landcover_exclusions(metric, srid)
        locator = UnitLocator.load(m.AdminUnit.objects.filter(boundary__intersects=env))
        mountainous = unit_is_mountainous(unit)
        target = unit_at_level(unit, level, within=geom)
        unit_occ = None
        if target is not None:
            scope = m.AdminUnit.objects.get(pk=target.id)
            scope_areas = list(
                m.IndustrialArea.objects.filter(boundary__intersects=scope.boundary).select_related(
                    "developer", "admin_unit"
                )
            )
            rows = area_rows(
                scope_areas,
                locator=UnitLocator.load(
                    m.AdminUnit.objects.filter(boundary__intersects=scope.boundary)
                ),
            )
            match = [
                u
                for u in unit_efficiency(
                    [r.record for r in rows], level=level, criteria=crit.efficiency
                )
                if u.unit == target.code and u.kind == params["kind"]
            ]
            unit_occ = (
                match[0] if match else {"n_counted": 0, "occupancy": None, "unleased_ha": 0.0}
            )
        if params["expands"]:
            area = m.IndustrialArea.objects.select_related("developer", "admin_unit").get(
                code=params["expands"]
            )
            expands = area_rows([area], locator=locator)[0].record
    with timer("analysis"):
        rules = check_proposal(
            geometry=metric,
            kind=params["kind"],
            unit=unit.name,
            occupancy_unit=target.name if target else None,
            is_mountainous=mountainous,
            is_craft_village=params["is_craft_village"],
            existing_areas=existing,
            other_proposals=others,
            unit_geometry=unit_geom,
            units_around=around_named,
            roads=roads,
            exclusions=exclusions,
            unit_occupancy=unit_occ,
            expands=expands,
            criteria=crit,
            plan=plan_condition(unit, params.get("plan")),  # issue 13 plan
        )
        lies_in = [
            {"code": code, "name": name, "level": unit.level, "share": round(share, 6)}
            for code, name, share in unit_shares(metric, around_named)
        ]
    n_failed, n_unknown = rule_counts(r.passed for r in rules)
    results = {
        "passed": not n_failed,
        "complete": not n_unknown,
        "n_failed": n_failed,
        "n_unknown": n_unknown,
        "area_ha": round(float(metric.area) / 10_000, 4),
        "kind": params["kind"],
        "admin_unit": unit.name,
        "admin_unit_code": unit.code,
        "lies_in": lies_in,
        "occupancy_level": level,
        "occupancy_unit": target.name if target else None,
        "is_mountainous": mountainous,
        "rules": [r.to_dict() for r in rules],
        "notes": notes,
        "summary": proposal_summary(rules).to_dict(),
    }
    versions = input_versions([m.IndustrialArea, m.Proposal, m.RoadCorridor, m.AdminUnit])
    return Outcome(results, versions, timer.steps)


def plan_condition(unit: m.AdminUnit, given: Mapping | None) -> dict:
    """What establishment condition 1 reads (``check_proposal``'s ``plan``): whether a plan is
    recorded for the proposing unit's province, the linked entry, the amendment flag."""
    given = given or {}
    entry = None
    if given.get("entry"):
        e = m.PlanEntry.objects.select_related("plan").filter(code=given["entry"]).first()
        if e is not None:
            entry = {
                "name": e.name,
                "kind": e.kind,
                "plan": e.plan.decision,
                "removed": e.removed_by_id is not None,
            }
    province = unit.province if unit is not None else None
    return {
        "plan_recorded": bool(plans_in(province)) if province is not None else False,
        "needs_amendment": bool(given.get("needs_amendment")),
        "entry": entry,
    }


SPEC = register_analysis(
    AnalysisSpec(
        NAME,
        pgettext_lazy("analysis title", "Proposal rule checks"),
        _prepare,
        _body,
        input_layers=("industrial_areas", "proposals"),
        parameters=(
            Param(
                "proposal",
                "proposal",
                pgettext_lazy(
                    "parameter help",
                    "id or code of a stored proposal, instead of geometry, kind and admin_unit",
                ),
            ),
            Param(
                "crs",
                "crs",
                pgettext_lazy(
                    "parameter help",
                    "CRS of the geometry (EPSG code); default its GeoJSON crs member, else 4326",
                ),
                excludes=("proposal",),
            ),
            Param(
                "geometry",
                "geometry",
                pgettext_lazy(
                    "parameter help",
                    "proposed boundary: GeoJSON Polygon/MultiPolygon (or Feature), WKT or EWKT",
                ),
                excludes=("proposal",),
            ),
            Param(
                "kind",
                "choice",
                pgettext_lazy("parameter help", "CCN (cluster) or KCN (park)"),
                choices=KINDS,
                default="CCN",
                excludes=("proposal",),
            ),
            Param(
                "admin_unit",
                "admin_unit",
                pgettext_lazy(
                    "parameter help",
                    "code of the proposing unit (commune; district before 1 July 2025)",
                ),
                excludes=("proposal",),
            ),
            Param(
                "is_craft_village",
                "boolean",
                pgettext_lazy("parameter help", "a craft-village cluster"),
                default=False,
            ),
            Param(
                "expands", "area", pgettext_lazy("parameter help", "code of the area it expands")
            ),
            P_LEVEL,
            criteria_param("ProposalCriteria"),
            # issue 13 plan: establishment condition 1
            Param(
                "plan_entry",
                "plan_entry",
                pgettext_lazy("parameter help", "code of the provincial plan entry it carries out"),
            ),
            Param(
                "needs_plan_amendment",
                "boolean",
                pgettext_lazy("parameter help", "not on the provincial plan: needs an amendment"),
                default=False,
            ),
        ),
        required=(("geometry", "admin_unit"), ("proposal",)),
    )
)
