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
from planning.analysis.proposal_checks import (
    LandUse,
    PhaseRecord,
    ProposalCriteria,
    RiceLand,
    check_proposal,
    rice_land_ha,
    unit_shares,
)
from planning.analysis.proposal_checks import summary as proposal_summary
from planning.analysis.records import KINDS
from planning.analysis.site_suggestion import LandcoverClasses
from planning.analysis.summaries import rule_counts
from planning.models.base import normalise_geometry
from planning.selectors.admin_units import (
    UnitLocator,
    expanded_envelope,
    province_region,
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
    phase_areas=None,
    land_use=None,
    demand_stated=False,
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
        # issue 13 rules: what the proposal itself says (every door stores it on the proposal)
        is_craft_village = proposal.is_craft_village
        expands = proposal.expands
        stated = _stated(proposal)
        plan_entry, needs_plan_amendment = proposal.plan_entry, proposal.needs_plan_amendment
    else:
        # An ad-hoc check (the form's live check): stated phase areas and breakdown; a demand
        # stated here is not confirmed (only a stored proposal's reviewer confirms it).
        stated = {
            "phases": [
                {"number": i, "year": None, "area_ha": float(ha), "geometry": None}
                for i, ha in enumerate(phase_areas or [], start=1)
            ],
            "land_use": _land_use_param(land_use),
            "demand_stated": bool(demand_stated),
            "demand_confirmed": False,
        }
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
        **stated,
    }, admin_unit


LAND_USE_KEYS = (
    "industrial_ha",
    "services_ha",
    "green_ha",
    "infrastructure_ha",
    "isolation_strip_m",
)


def _land_use_param(value) -> dict | None:
    if not value:
        return None
    unknown = sorted(set(value) - set(LAND_USE_KEYS))
    if unknown:
        raise param_error(
            "land_use",
            _("unknown keys %(keys)s; the keys are: %(known)s")
            % {"keys": ", ".join(unknown), "known": ", ".join(LAND_USE_KEYS)},
        )
    out = {}
    for key in LAND_USE_KEYS:
        v = value.get(key)
        if v in (None, ""):
            out[key] = None
            continue
        try:
            out[key] = float(v)
        except (TypeError, ValueError):
            out[key] = -1.0
        if not out[key] >= 0:
            raise param_error(
                "land_use",
                _("%(key)s must be a number ≥ 0 (got %(value)r)") % {"key": key, "value": v},
            )
    return out


def _stated(proposal) -> dict:
    """The phases, land-use breakdown and stated demand of a stored proposal (JSON-ready)."""
    phases = [
        {
            "number": ph.number,
            "year": ph.year,
            "area_ha": ph.area_ha,
            "geometry": None if ph.geom is None else _hex(ph.geom),
        }
        for ph in proposal.phases.order_by("number")
    ]
    figures = {
        "industrial_ha": proposal.industrial_land_ha,
        "services_ha": proposal.services_land_ha,
        "green_ha": proposal.green_land_ha,
        "infrastructure_ha": proposal.infrastructure_land_ha,
        "isolation_strip_m": proposal.isolation_strip_m,
    }
    return {
        "phases": phases,
        "land_use": figures if any(v is not None for v in figures.values()) else None,
        "demand_stated": bool(proposal.demand_exceeds_existing),
        "demand_confirmed": proposal.demand_confirmed_at is not None,
    }


def _hex(geom) -> str:
    return geom.hex.decode() if isinstance(geom.hex, bytes) else geom.hex


def _rice_region(geom4326, unit) -> tuple[str, str]:
    """The Decree 35 Art. 9 region where the proposal lies: the legacy province (before 1 July
    2025) holding most of it — new Gia Lai is Central Coast in old Bình Định and Central
    Highlands in old Gia Lai — else the proposing unit's province. (region key, province name)"""
    legacy = m.AdminUnit.objects.filter(
        level=m.AdminUnit.Level.PROVINCE, valid_to__isnull=False, boundary__intersects=geom4326
    ).order_by("code")
    best, best_area = None, 0.0
    for p in legacy:
        area = p.boundary.intersection(geom4326).area
        if area > best_area:
            best, best_area = p, area
    province = best or unit.province
    return province_region(province), province.name


def _rice_land(geom_metric, srid: int, phases: list, unit) -> tuple[RiceLand | None, list[dict]]:
    """2-crop rice land inside the proposal and each phase boundary, from the land-cover raster
    of the (legacy) province it lies in, with the Art. 9 region; (None, note) without a raster."""
    geom4326 = geo.to_geos(
        geo.transform(geom_metric, srid, geo.STORAGE_SRID), srid=geo.STORAGE_SRID
    )
    candidates = m.AdminUnit.objects.filter(
        level="province", boundary__intersects=geom4326
    ).order_by("code")
    province = next((p for p in candidates if raster_layers_available(p)), None)
    if province is None:
        return None, []
    layer = raster_layers_for(province, None, kinds=("landcover",))["landcover"]
    rsrid = layer.srid
    to_r = (lambda g: geo.transform(g, srid, rsrid)) if rsrid != srid else (lambda g: g)
    geom_r = to_r(geom_metric)
    with rasterio.open(raster_path(layer)) as lds:
        x0, y0, x1, y1 = geom_r.bounds
        for p in phases:
            if p.geometry is not None:
                b = to_r(p.geometry).bounds
                x0, y0, x1, y1 = min(x0, b[0]), min(y0, b[1]), max(x1, b[2]), max(y1, b[3])
        pad = 2 * lds.res[0]
        window = lds.window(x0 - pad, y0 - pad, x1 + pad, y1 + pad).round_offsets().round_lengths()
        try:
            window = window.intersection(rasterio.windows.Window(0, 0, lds.width, lds.height))
        except rasterio.errors.WindowError:
            return None, []
        codes = lds.read(1, window=window)
        transform = lds.window_transform(window)
    geoms = [geom_r] + [None if p.geometry is None else to_r(p.geometry) for p in phases]
    measured = rice_land_ha(geoms, codes, transform, LandcoverClasses().rice)
    region, where = _rice_region(geom4326, unit)
    rice = RiceLand(
        total_ha=measured[0],
        region=region,
        phase_ha={p.number: ha for p, ha in zip(phases, measured[1:], strict=True)},
        source=layer.name,
    )
    note = Message(
        N_("2-crop rice land measured on the raster %(layer)s; region from %(province)s"),
        {"layer": layer.name, "province": where},
    ).to_dict()
    return rice, [note]


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
        phases = [
            PhaseRecord(
                number=ph["number"],
                year=ph["year"],
                area_ha=ph["area_ha"],
                geometry=None
                if ph["geometry"] is None
                else geo.transform(
                    geo.to_shapely([GEOSGeometry(ph["geometry"], srid=geo.STORAGE_SRID)])[0],
                    geo.STORAGE_SRID,
                    srid,
                ),
            )
            for ph in params.get("phases") or []
        ]
        rice, rice_notes = _rice_land(metric, srid, phases, unit)
        notes += rice_notes
        land_use = LandUse(**params["land_use"]) if params.get("land_use") else None
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
            phases=phases,
            rice=rice,
            land_use=land_use,
            demand_stated=bool(params.get("demand_stated")),
            demand_confirmed=bool(params.get("demand_confirmed")),
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
    versions = input_versions(
        [
            m.IndustrialArea,
            m.Proposal,
            m.ProposalPhase,
            m.RoadCorridor,
            m.RoadInterchange,
            m.AdminUnit,
        ]
    )
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
            Param(
                "phase_areas",
                "numbers",
                pgettext_lazy(
                    "parameter help", "areas of the investment phases (ha), e.g. [437, 403.5]"
                ),
                minimum=0,
                excludes=("proposal",),
            ),
            Param(
                "land_use",
                "object",
                pgettext_lazy(
                    "parameter help",
                    "land-use breakdown: industrial_ha, services_ha, green_ha, infrastructure_ha, "
                    "isolation_strip_m",
                ),
                excludes=("proposal",),
            ),
            Param(
                "demand_stated",
                "boolean",
                pgettext_lazy(
                    "parameter help",
                    "expansion: the demand for land exceeds the existing industrial land "
                    "(unconfirmed until a reviewer confirms it on the stored proposal)",
                ),
                default=False,
                excludes=("proposal",),
            ),
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
        # issue 13 rules: what the form states before the proposal is stored
        required=(("geometry", "admin_unit"), ("proposal",)),
    )
)
