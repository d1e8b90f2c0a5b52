"""The analysis services: each reads through the selectors, converts with ``planning.geo``, calls
a pure analysis in ``planning.analysis`` and returns what the run stores (see
:mod:`planning.services.analysis_runs` for how runs are executed and stored).

Registered analyses (names used by the commands and the API): ``site-suggestion``,
``efficiency``, ``targets``, ``eco-readiness``, ``infrastructure-gaps``, ``labour-catchment``,
``plan-vs-actual``, ``proposal-check``. The named wrappers (``site_suggestion_run``,
``efficiency_report_run`` …) run and store one; :func:`proposal_validate` is what the proposal
workflow calls (it also keeps the result in ``Proposal.validation``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Mapping

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.utils import timezone

from planning import geo
from planning import models as m
from planning.analysis.eco import EcoCriteria
from planning.analysis.efficiency import EfficiencyCriteria, unit_label
from planning.analysis.infrastructure import FenceCriteria
from planning.analysis.proposal_checks import ProposalCriteria
from planning.analysis.proposal_checks import summary as proposal_summary
from planning.analysis.records import KINDS
from planning.analysis.site_suggestion import SiteCriteria
from planning.analysis.targets import TargetRule
from planning.models.base import normalise_geometry
from planning.selectors import analyses as sel
from planning.selectors.analyses import AREA_LEVELS
from planning.services.analysis_exports import efficiency_export, efficiency_tables  # noqa: F401
from planning.services.analysis_params import InvalidGeometryParameter, Param
from planning.services.analysis_runs import (  # noqa: F401  (re-exported: the services' entry points)
    ANALYSES,
    AnalysisSpec,
    Outcome,
    Progress,
    Timer,
    analysis_compute,
    analysis_prepare,
    analysis_run,
    analysis_spec,
    analysis_spec_for_kind,
    analysis_submit,
    criteria_build,
    no_progress,
    parse_level,
    parse_weights,
    parse_year,
    province_optional,
    register_analysis,
    rounded,
    run_execute,
    run_refresh_stale,
    run_resubmit,
    runs_process_queued,
    unit_from_ref,
    unit_ref,
)
from planning.services.errors import MissingInputs
from planning.texts import stored_text, translate

# --------------------------------------------------------------------------------------------
# Parameters shared by several analyses (see planning.services.analysis_params)
# --------------------------------------------------------------------------------------------
P_PROVINCE = Param(
    "province",
    "province",
    "tên hoặc mã tỉnh, ví dụ 'Bình Định' hoặc '52' (mặc định: tất cả)",
    "province name or code, e.g. 'Bình Định' or '52' (default: all)",
)
P_KIND = Param(
    "kind",
    "choice",
    "loại: CCN (cụm) hoặc KCN (khu)",
    "CCN (cluster) or KCN (park)",
    choices=KINDS,
    default="CCN",
)
P_LEVEL = Param(
    "unit",
    "choice",
    "cấp tổng hợp: xã, huyện (cũ) hoặc tỉnh",
    "aggregation level",
    choices=AREA_LEVELS,
)


def _criteria(cls_name: str, name: str = "criteria") -> Param:
    return Param(
        name,
        "object",
        f'các tham số của {cls_name} cần thay đổi, ví dụ {{"tên": giá trị}}',
        f'{cls_name} values to override, as {{"name": value}}',
    )


# --------------------------------------------------------------------------------------------
# Site suggestion
# --------------------------------------------------------------------------------------------
def _site_prepare(
    *,
    province,
    kind: str = "CCN",
    criteria: Mapping | None = None,
    weights=None,
    resolution_m: float | None = None,
    corridor_m: float | None = None,
    max_count: int | None = None,
) -> tuple[dict, m.AdminUnit]:
    requested = sel.province_resolve(province)
    province, coverage_note = sel.raster_stand_in(requested)
    kind = str(kind or "CCN").upper()
    overrides = dict(criteria or {})
    if corridor_m is not None:
        overrides["corridor_m"] = corridor_m
    if max_count is not None:
        overrides["max_count"] = max_count
    w = parse_weights(weights)
    if w:
        overrides["weights"] = {**dict(overrides.get("weights") or {}), **w}
    base = {"kind": kind, "region": sel.province_region(province)}
    mountainous = (
        kind == "CCN" and "is_mountainous" not in overrides and sel.has_mountainous_units(province)
    )
    if mountainous:
        # The 5 ha minimum applies only in mountainous units (checked per site after the run);
        # regions still grow towards the middle of the ordinary range.
        base["is_mountainous"] = True
        if "target_area_ha" not in overrides:
            limits = criteria_build(
                SiteCriteria, {k: v for k, v in overrides.items() if k == "area_limits"}, kind=kind
            ).area_range_ha()
            base["target_area_ha"] = sum(limits) / 2
    crit = criteria_build(SiteCriteria, overrides, **base)
    layers = sel.raster_layers_for(province, resolution_m)
    return {
        "province": unit_ref(province),
        "kind": kind,
        "resolution_m": layers["dem"].resolution_m,
        "overrides": overrides,
        "mountainous_units": mountainous,
        "criteria": crit.to_dict(),
        **(
            {"requested_province": unit_ref(requested), "notes": [coverage_note]}
            if coverage_note
            else {}
        ),
    }, province


class _CountingReader:
    """Wraps a ``read_window`` callable to report progress from the number of windows read."""

    def __init__(self, read, expected: int, progress: Progress, start: int = 5, end: int = 90):
        self.read, self.expected, self.progress = read, max(1, expected), progress
        self.start, self.end, self.calls = start, end, 0

    def __call__(self, window):
        self.calls += 1
        share = min(1.0, self.calls / self.expected)
        self.progress(
            self.start + int((self.end - self.start) * share),
            f"đọc raster theo cửa sổ ({self.calls}/{self.expected})",
        )
        return self.read(window)


def _site_body(params: dict, progress: Progress) -> Outcome:
    import rasterio

    from planning.analysis.rasters import Grid, dataset_reader
    from planning.analysis.site_suggestion import suggest_sites_windowed

    timer = Timer()
    province = unit_from_ref(params["province"])
    crit = criteria_build(SiteCriteria, params["criteria"])
    layers = sel.raster_layers_for(province, params["resolution_m"])
    srid = layers["dem"].srid
    with timer("vectors"):
        env = sel.expanded_envelope(province.boundary, 0.05)
        road_rows = list(sel.roads_near(env))
        roads = sel.road_records(road_rows, srid)
        # The road reserve (half the right of way, at least PLANNING_ROAD_RESERVE_MIN_M) is not
        # buildable: sites may front a road but never straddle it, planned alignments included.
        reserve_min = float(getattr(settings, "PLANNING_ROAD_RESERVE_MIN_M", 15.0))
        reserves = [
            shapely.buffer(r.geometry, max(reserve_min, (row.right_of_way_m or 0) / 2))
            for r, row in zip(roads, road_rows)
        ]
        existing = sel.metric_shapes(
            [
                a.boundary
                for a in m.IndustrialArea.objects.filter(boundary__intersects=env)
                .exclude(status=m.IndustrialArea.Status.REVOKED)
                .order_by("code")
            ],
            srid,
        )
        power = sel.power_geometries(env, srid)
        proposals = sel.metric_shapes([p.geom for p in sel.active_proposals(env)], srid)
    progress(5, "đã đọc dữ liệu vector")
    cache_mb = int(getattr(settings, "PLANNING_GDAL_CACHEMAX_MB", 256))
    with timer("analysis"), rasterio.Env(GDAL_CACHEMAX=cache_mb), contextlib.ExitStack() as stack:
        datasets = {
            k: stack.enter_context(rasterio.open(sel.raster_path(layer)))
            for k, layer in layers.items()
        }
        ds = datasets["dem"]
        if ds.crs is None or ds.crs.to_epsg() != srid:
            raise MissingInputs(f"{layers['dem'].name} is not in EPSG:{srid} as registered")
        grid = Grid(ds.transform, (ds.height, ds.width), crs_epsg=srid)
        k = max(1, int(math.floor(crit.factor_cell_m / grid.cell_size + 1e-9)))
        block_rows = max(k, 2_000_000 // grid.cols)
        block_rows = -(-block_rows // k) * k
        stripes = -(-grid.rows // block_rows)
        reader = _CountingReader(
            dataset_reader(**datasets), 2 * stripes + 2 * crit.max_count, progress
        )
        candidates = suggest_sites_windowed(
            grid=grid,
            read_window=reader,
            roads=roads,
            existing_areas=existing,
            power_lines=power,
            proposals=proposals,
            exclusion_zones=reserves,
            criteria=crit,
            block_rows=block_rows,
        )
    progress(92, "xác định đơn vị hành chính của các vị trí")
    with timer("report"):
        locator = sel.UnitLocator.load(m.AdminUnit.objects.filter(boundary__intersects=env))
        kept, dropped = [], []
        for c in candidates:
            shp = shapely.make_valid(geo.transform(c.geometry, srid, geo.STORAGE_SRID))
            point = shapely.point_on_surface(shp)
            units = locator.locate(point)
            mountainous = locator.is_mountainous(point)
            if (
                crit.kind == "CCN"
                and params.get("mountainous_units")
                and not crit.is_craft_village
                and c.area_ha < crit.area_limits.ccn_min_ha
                and not mountainous
            ):
                dropped.append(
                    {
                        "area_ha": c.area_ha,
                        "reason": f"< {crit.area_limits.ccn_min_ha:g} ha ngoài địa bàn miền núi",
                    }
                )
                continue
            kept.append((c, shp, units))
    sites = []
    for rank, (c, shp, units) in enumerate(kept, start=1):
        unit = units["commune"] or units["district"] or units["province"]
        sites.append(
            dict(
                rank=rank,
                kind=c.kind,
                geom=normalise_geometry(shp, "MULTIPOLYGON", srid=geo.STORAGE_SRID),
                area_ha=c.area_ha,
                score=c.score,
                breakdown=[b.to_dict() for b in c.breakdown],
                rice_land_ha=c.rice_land_ha,
                rice_phasing_required=c.rice_phasing_required,
                road_frontage_m=c.road_frontage_m,
                nearest_road_name=c.nearest_road_name or "",
                nearest_road_status=c.nearest_road_status or "",
                nearest_road_distance_m=c.nearest_road_distance_m,
                mean_slope_pct=c.mean_slope_pct,
                max_flood_depth_m=c.max_flood_depth_m,
                population_in_reach=c.population_in_reach,
                reasons=stored_text(c.reasons),
                admin_unit_id=unit.id if unit else None,
                province_name=units["province"].name if units["province"] else province.name,
            )
        )

    def write(run: m.AnalysisRun) -> None:
        m.SuggestedSite.objects.filter(
            is_current=True, kind=crit.kind, run__admin_unit=province
        ).exclude(run=run).update(is_current=False)
        objs = []
        for values in sites:
            obj = m.SuggestedSite(run=run, is_current=True, **values)
            obj.normalise_geometries()
            objs.append(obj)
        m.SuggestedSite.objects.bulk_create(objs)
        from layers.signals import refresh_layer_on_commit

        refresh_layer_on_commit("suggested_sites")  # bulk writes send no signals: drop stale tiles

    results = {
        "province": province.name,
        "kind": crit.kind,
        "region": crit.region,
        "resolution_m": params["resolution_m"],
        "grid": {"rows": grid.rows, "cols": grid.cols, "crs": f"EPSG:{srid}"},
        "count": len(sites),
        "total_ha": round(sum(s["area_ha"] for s in sites), 2),
        "mean_score": rounded(np.mean([s["score"] for s in sites]) if sites else None),
        "rice_phasing_count": sum(1 for s in sites if s["rice_phasing_required"]),
        "legal_range_ha": list(crit.area_range_ha()),
        "dropped": dropped,
        "sites": [
            {
                k: s[k]
                for k in (
                    "rank",
                    "area_ha",
                    "score",
                    "nearest_road_name",
                    "nearest_road_distance_m",
                    "rice_land_ha",
                    "rice_phasing_required",
                    "reasons",
                )
            }
            | {"admin_unit": locator.by_id[s["admin_unit_id"]].name if s["admin_unit_id"] else None}
            for s in sites
        ],
        "inputs": {
            "roads": len(roads),
            "existing_areas": len(existing),
            "power": len(power),
            "proposals": len(proposals),
            "road_reserve_min_m": reserve_min,
        },
        "notes": list(params.get("notes", [])),
    }
    if params.get("requested_province"):
        results["requested_province"] = unit_from_ref(params["requested_province"]).name
    versions = sel.input_versions(
        [
            m.RoadCorridor,
            m.IndustrialArea,
            m.InfrastructureLine,
            m.InfrastructurePoint,
            m.Proposal,
            m.AdminUnit,
        ],
        rasters=layers.values(),
    )
    return Outcome(results, versions, timer.steps, write)


register_analysis(
    AnalysisSpec(
        "site-suggestion",
        m.AnalysisRun.Kind.SITE_SUGGESTION,
        "Đề xuất vị trí CCN/KCN mới dọc tuyến đường",
        "Suggested sites for new clusters along invested roads",
        _site_prepare,
        _site_body,
        slow=True,
        input_layers=("suggested_sites",),
        parameters=(
            Param(
                "province",
                "province",
                "tên hoặc mã tỉnh, ví dụ 'Bình Định' hoặc '52'",
                "province name or code, e.g. 'Bình Định' or '52'",
            ),
            P_KIND,
            Param(
                "weights",
                "weights",
                'trọng số, ví dụ {"road": 0.3} hoặc "road=0.3,slope=0.2"',
                'weights, e.g. {"road": 0.3} or "road=0.3,slope=0.2"',
            ),
            Param(
                "corridor_m",
                "number",
                "hành lang dọc tuyến (m), mặc định 2000",
                "road corridor width (m)",
                above=0,
            ),
            Param(
                "max_count",
                "integer",
                "số vị trí tối đa",
                "maximum number of sites",
                minimum=1,
                maximum=100,
            ),
            Param(
                "resolution_m",
                "number",
                "độ phân giải raster (m); mặc định: mịn nhất đã dựng",
                "raster resolution (m); default: the finest built",
                above=0,
            ),
            _criteria("SiteCriteria"),
        ),
        required=(("province",),),
    )
)


def site_suggestion_run(
    *,
    province,
    kind: str = "CCN",
    criteria: Mapping | None = None,
    weights=None,
    resolution_m: float | None = None,
    user=None,
) -> m.AnalysisRun:
    """Suggest sites in ``province`` (name, code or unit) and store the run and its sites."""
    return analysis_run(
        "site-suggestion",
        user=user,
        province=province,
        kind=kind,
        criteria=criteria,
        weights=weights,
        resolution_m=resolution_m,
    )


# --------------------------------------------------------------------------------------------
# Land-use efficiency
# --------------------------------------------------------------------------------------------
def _efficiency_prepare(
    *, province=None, unit: str | None = None, year=None, criteria: Mapping | None = None
) -> tuple[dict, m.AdminUnit | None]:
    province = province_optional(province)
    crit = criteria_build(EfficiencyCriteria, criteria)
    return {
        "province": unit_ref(province),
        "unit": parse_level(unit),
        "year": parse_year(year),
        "overrides": dict(criteria or {}),
        "criteria": crit.to_dict(),
    }, province


def _efficiency_body(params: dict, progress: Progress) -> Outcome:
    from planning.analysis.efficiency import land_use_efficiency

    timer = Timer()
    province = unit_from_ref(params["province"])
    crit = criteria_build(EfficiencyCriteria, params["criteria"])
    level, year = params["unit"], params["year"]
    with timer("inputs"):
        areas, points = sel.areas_with_points(province)  # no boundaries: a point on each is enough
        as_of = dt.date(year, 12, 31) if year else None
        leased = None
        if year:
            kept = [
                i
                for i, a in enumerate(areas)
                if a.established_on is None or a.established_on <= as_of
            ]
            areas, points = [areas[i] for i in kept], points[kept]
            after = sel.leased_after(areas, year)
            leased = {a.pk: max(0.0, float(a.leased_land_ha) - after.get(a.pk, 0.0)) for a in areas}
        locator = sel.UnitLocator.current()
        rows = sel.area_rows(areas, locator=locator, leased_override=leased, points=points)
        # Summed per area by the database: no per-parcel or per-project rows come back.
        counts: dict[
            str, int
        ] = {}  # the parcels' row count from the same scan, for the input versions
        parcel_sums = sel.clearance_totals(
            areas, as_of=as_of, all_areas=province is None, row_count=counts
        )
        project_sums = sel.project_totals(areas, as_of=as_of, all_areas=province is None)
    progress(40, "tính chỉ tiêu hiệu quả")
    with timer("analysis"):
        report = land_use_efficiency(
            [r.record for r in rows],
            parcel_sums=parcel_sums,
            project_sums=project_sums,
            levels=(level,),
            criteria=crit,
        )
    names: dict[str, str] = {}
    area_out = []
    for row, eff in zip(rows, report.areas):
        d = eff.to_dict()
        d.update(
            code=row.area.code,
            province=row.record.province,
            commune=row.units["commune"].name if row.units["commune"] else None,
            district=row.units["district"].name if row.units["district"] else None,
        )
        for lv in sel.AREA_LEVELS:
            if row.units.get(lv):
                names[f"{lv}:{row.units[lv].code}"] = row.units[lv].name
        area_out.append(d)
    unit_out = []
    for u in report.units:
        d = u.to_dict()
        d["unit_name"] = names.get(f"{u.level}:{u.unit}", str(u.unit))
        params = d["new_area_rule"]["message"]["params"]
        if isinstance(params.get("where"), dict):  # name the unit, not its key
            params["where"]["params"]["unit"] = unit_label(u.level, d["unit_name"]).to_dict()
        unit_out.append(d)
    totals = []
    for kind in KINDS:
        sel_rows = [
            r.record
            for r in rows
            if r.record.kind == kind and r.record.status in crit.counted_statuses
        ]
        leasable = sum(a.leasable_ha for a in sel_rows)
        leased_ha = sum(min(a.leased_ha, a.leasable_ha) for a in sel_rows)
        totals.append(
            {
                "kind": kind,
                "n_counted": len(sel_rows),
                "planned_ha": round(sum(a.planned_ha for a in sel_rows), 4),
                "leasable_ha": round(leasable, 4),
                "leased_ha": round(leased_ha, 4),
                "unleased_ha": round(max(0.0, leasable - leased_ha), 4),
                "occupancy": rounded(leased_ha / leasable, 6) if leasable else None,
            }
        )
    results = {
        "scope": province.name if province else "toàn bộ",
        "unit": level,
        "year": year,
        "as_of": as_of.isoformat() if as_of else None,
        "n_areas": len(area_out),
        "totals": totals,
        "areas": area_out,
        "units": unit_out,
        "by_year": sel.annual_totals(areas, all_areas=province is None and not year),
        "notes": (
            [
                f"Số liệu năm {year} dựng lại từ dữ liệu hiện tại: diện tích đã thuê trừ phần cho thuê mới "
                f"báo cáo sau năm {year}; dự án đăng ký sau 31/12/{year} không tính; thửa bàn giao sau ngày "
                "này coi như chưa bàn giao."
            ]
            if year
            else []
        ),
    }
    versions = sel.input_versions(
        [m.IndustrialArea, m.ClearanceParcel, m.SecondaryProject, m.AnnualReport, m.AdminUnit],
        counts=counts,
    )
    return Outcome(results, versions, timer.steps)


register_analysis(
    AnalysisSpec(
        "efficiency",
        m.AnalysisRun.Kind.EFFICIENCY,
        "Hiệu quả sử dụng đất khu, cụm công nghiệp",
        "Land-use efficiency",
        _efficiency_prepare,
        _efficiency_body,
        input_layers=("industrial_areas", "clearance_parcels", "secondary_projects"),
        parameters=(
            P_PROVINCE,
            P_LEVEL,
            Param(
                "year",
                "year",
                "tình hình cuối năm (dựng lại từ báo cáo năm)",
                "situation at the end of year",
            ),
            _criteria("EfficiencyCriteria"),
        ),
    )
)


def efficiency_report_run(
    *, province=None, unit: str | None = None, year=None, criteria=None, user=None
):
    """Efficiency per area and per unit (commune, legacy district or province), stored as a run."""
    return analysis_run(
        "efficiency", user=user, province=province, unit=unit, year=year, criteria=criteria
    )


# --------------------------------------------------------------------------------------------
# Targets: watch list, developer capacity, state clusters to transfer, lagging projects
# --------------------------------------------------------------------------------------------
def _targets_prepare(
    *, province=None, as_of_year=None, as_of=None, grace_months=6, rule: Mapping | None = None
) -> tuple[dict, m.AdminUnit | None]:
    province = province_optional(province)
    today = timezone.localdate()
    if as_of in (None, ""):
        as_of_date = today
    else:
        as_of_date = as_of
    year = parse_year(as_of_year, "as_of_year") or as_of_date.year - 1
    grace = int(grace_months)
    crit = criteria_build(TargetRule, rule, param="rule")
    return {
        "province": unit_ref(province),
        "as_of_year": year,
        "as_of": as_of_date.isoformat(),
        "grace_months": grace,
        "overrides": dict(rule or {}),
        "rule": crit.to_dict(),
    }, province


def _targets_body(params: dict, progress: Progress) -> Outcome:
    from planning.analysis.targets import (
        developer_capacity,
        lagging_projects,
        target_watch_list,
        transfer_candidates,
    )

    timer = Timer()
    province = unit_from_ref(params["province"])
    rule = criteria_build(TargetRule, params["rule"])
    with timer("inputs"):
        areas = list(sel.areas_in(province))
        rows = sel.area_rows(areas, locator=sel.UnitLocator.current())
        records = [r.record for r in rows]
        targets, actuals = sel.target_records(areas)
        developers = sel.developer_records(areas)
        projects = sel.project_records(areas)
    shares = getattr(
        settings, "PLANNING_OWN_CAPITAL_MIN_SHARE", {"below_20_ha": 0.20, "from_20_ha": 0.15}
    )
    with timer("analysis"):
        watch = target_watch_list(
            targets, actuals, areas=records, rule=rule, as_of_year=params["as_of_year"]
        )
        capacity = developer_capacity(
            developers=developers,
            areas=records,
            min_share_below=shares["below_20_ha"],
            min_share_from=shares["from_20_ha"],
        )
        transfers = transfer_candidates(records)
        lagging = lagging_projects(
            projects,
            as_of=dt.date.fromisoformat(params["as_of"]),
            grace_months=params["grace_months"],
        )
    results = {
        "scope": province.name if province else "toàn bộ",
        "as_of_year": params["as_of_year"],
        "as_of": params["as_of"],
        "watch_list": [w.to_dict() for w in watch],
        "developer_capacity": [c.to_dict() for c in capacity],
        "transfer_candidates": [t.to_dict() for t in transfers],
        "lagging_projects": [p.to_dict() for p in lagging],
        "counts": {
            "watch_list": len(watch),
            "capacity_failed": sum(1 for c in capacity if c.passed is False),
            "transfer_candidates": len(transfers),
            "lagging_projects": len(lagging),
            "land_to_recover_ha": round(sum(p.land_to_recover_ha for p in lagging), 4),
        },
        "own_capital_min_share": shares,
    }
    versions = sel.input_versions(
        [
            m.IndustrialArea,
            m.DevelopmentTarget,
            m.AnnualReport,
            m.Developer,
            m.DeveloperTransfer,
            m.SecondaryProject,
        ]
    )
    return Outcome(results, versions, timer.steps)


register_analysis(
    AnalysisSpec(
        "targets",
        m.AnalysisRun.Kind.TARGETS,
        "Theo dõi chỉ tiêu (2 năm liên tiếp), năng lực chủ đầu tư, chuyển giao, dự án chậm tiến độ",
        "Target watch list, developer capacity, transfers and lagging projects",
        _targets_prepare,
        _targets_body,
        input_layers=("industrial_areas", "secondary_projects", "clearance_parcels"),
        parameters=(
            P_PROVINCE,
            Param(
                "as_of_year",
                "year",
                "năm cuối cùng xét chỉ tiêu (mặc định: năm trước)",
                "last year of targets considered (default: last year)",
            ),
            Param(
                "as_of",
                "date",
                "ngày xét tiến độ dự án YYYY-MM-DD (mặc định: hôm nay)",
                "date of the project schedule check (default: today)",
            ),
            Param(
                "grace_months",
                "integer",
                "số tháng ân hạn trước khi coi là chậm tiến độ",
                "months of grace before a project counts as lagging",
                minimum=0,
                default=6,
            ),
            _criteria("TargetRule", "rule"),
        ),
    )
)


def target_watch_run(
    *, province=None, as_of_year=None, as_of=None, grace_months=6, rule=None, user=None
) -> m.AnalysisRun:
    """The two-consecutive-years watch list, developer capacity, transfers and lagging projects."""
    return analysis_run(
        "targets",
        user=user,
        province=province,
        as_of_year=as_of_year,
        as_of=as_of,
        grace_months=grace_months,
        rule=rule,
    )


# --------------------------------------------------------------------------------------------
# Eco-industrial readiness
# --------------------------------------------------------------------------------------------
def _eco_prepare(*, province=None, criteria: Mapping | None = None, include_planned: bool = False):
    province = province_optional(province)
    crit = criteria_build(EcoCriteria, criteria)
    return {
        "province": unit_ref(province),
        "include_planned": bool(include_planned),
        "overrides": dict(criteria or {}),
        "criteria": crit.to_dict(),
    }, province


def _eco_body(params: dict, progress: Progress) -> Outcome:
    from planning.analysis.eco import eco_readiness_all

    timer = Timer()
    province = unit_from_ref(params["province"])
    crit = criteria_build(EcoCriteria, params["criteria"])
    with timer("inputs"):
        areas = [
            a
            for a in sel.areas_in(province, include_revoked=False)
            if params["include_planned"] or a.status != m.IndustrialArea.Status.PLANNED
        ]
        rows = sel.area_rows(areas, locator=sel.UnitLocator.current())
    with timer("analysis"):
        out = eco_readiness_all([r.record for r in rows], criteria=crit)
    items = []
    for row, r in zip(rows, out):
        d = r.to_dict()
        d.update(
            kind=row.area.kind,
            status=row.area.status,
            eco_status=row.area.eco_status,
            province=row.record.province,
        )
        items.append(d)
    results = {
        "scope": province.name if province else "toàn bộ",
        "n_areas": len(items),
        "n_ready": sum(1 for i in items if i["ready"]),
        "areas": items,
    }
    return Outcome(results, sel.input_versions([m.IndustrialArea]), timer.steps)


register_analysis(
    AnalysisSpec(
        "eco-readiness",
        m.AnalysisRun.Kind.ECO_READINESS,
        "Mức sẵn sàng chuyển đổi KCN/CCN sinh thái",
        "Eco-industrial park readiness",
        _eco_prepare,
        _eco_body,
        parameters=(
            P_PROVINCE,
            _criteria("EcoCriteria"),
            Param(
                "include_planned",
                "boolean",
                "tính cả khu, cụm mới trong quy hoạch",
                "include areas that are only planned",
                default=False,
            ),
        ),
    )
)


def eco_readiness_run(
    *, province=None, criteria=None, include_planned: bool = False, user=None
) -> m.AnalysisRun:
    return analysis_run(
        "eco-readiness",
        user=user,
        province=province,
        criteria=criteria,
        include_planned=include_planned,
    )


# --------------------------------------------------------------------------------------------
# Infrastructure to the fence
# --------------------------------------------------------------------------------------------
def _infra_prepare(*, province=None, criteria: Mapping | None = None):
    province = province_optional(province)
    crit = criteria_build(FenceCriteria, criteria)
    return {
        "province": unit_ref(province),
        "overrides": dict(criteria or {}),
        "criteria": crit.to_dict(),
    }, province


def _infra_body(params: dict, progress: Progress) -> Outcome:
    from planning.analysis.infrastructure import infrastructure_to_fence

    timer = Timer()
    province = unit_from_ref(params["province"])
    crit = criteria_build(FenceCriteria, params["criteria"])
    areas = list(sel.areas_in(province, include_revoked=False))
    by_zone: dict[int, list[m.IndustrialArea]] = {}
    for a in areas:
        by_zone.setdefault(a.metric_srid or settings.PLANNING_DEFAULT_METRIC_SRID, []).append(a)
    reports, connectors = [], []
    by_code = {a.code: a for a in areas}
    for srid, members in sorted(by_zone.items()):
        with timer("inputs"):
            env = sel.expanded_envelope(_extent_union(members), 0.2)
            rows = sel.area_rows(
                members,
                locator=sel.UnitLocator.load(m.AdminUnit.objects.filter(boundary__intersects=env)),
                metric_srid=srid,
                with_geometry=True,
            )
            networks = sel.network_features(env, srid)
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
        from layers.signals import refresh_layer_on_commit

        refresh_layer_on_commit("infrastructure_connectors")  # bulk writes send no signals

    gaps = {
        n: sum(
            1
            for r in reports
            for link in r["links"]
            if link["network"] == n and not link["connected"]
        )
        for n in crit.networks
    }
    results = {
        "scope": province.name if province else "toàn bộ",
        "n_areas": len(reports),
        "n_with_gaps": sum(1 for r in reports if r["gaps"]),
        "gaps_by_network": gaps,
        "n_connectors": len(connectors),
        "areas": reports,
    }
    versions = sel.input_versions(
        [m.IndustrialArea, m.RoadCorridor, m.InfrastructureLine, m.InfrastructurePoint]
    )
    return Outcome(results, versions, timer.steps, write)


def _extent_union(areas) -> GEOSGeometry:
    from django.contrib.gis.geos import Polygon

    xs0, ys0, xs1, ys1 = zip(*(a.boundary.extent for a in areas))
    return Polygon.from_bbox((min(xs0), min(ys0), max(xs1), max(ys1)))


register_analysis(
    AnalysisSpec(
        "infrastructure-gaps",
        m.AnalysisRun.Kind.INFRASTRUCTURE,
        "Hạ tầng kỹ thuật đến chân hàng rào",
        "Infrastructure to the fence",
        _infra_prepare,
        _infra_body,
        input_layers=(
            "industrial_areas",
            "road_corridors",
            "infrastructure_lines",
            "infrastructure_points",
            "infrastructure_connectors",
        ),
        parameters=(P_PROVINCE, _criteria("FenceCriteria")),
    )
)


def infrastructure_gaps_run(*, province=None, criteria=None, user=None) -> m.AnalysisRun:
    return analysis_run("infrastructure-gaps", user=user, province=province, criteria=criteria)


# --------------------------------------------------------------------------------------------
# Labour catchment
# --------------------------------------------------------------------------------------------
def _labour_prepare(*, province=None, distances_m=None, resolution_m: float | None = None):
    province = province_optional(province)
    if distances_m in (None, "", []):
        distances = [5000.0, 10000.0, 20000.0]
    else:
        distances = sorted({float(d) for d in distances_m})
    notes = []
    if province:
        stand_in, note = sel.raster_stand_in(province)
        provinces, notes = [stand_in], [note] if note else []
    else:
        provinces = [
            p
            for p in m.AdminUnit.objects.filter(level="province").order_by("code")
            if sel.raster_layers_available(p)
        ]
    if not provinces:
        raise MissingInputs(
            "Chưa có raster dân số nào: quản trị viên chạy `manage.py build_rasters`. / "
            "No population raster is registered; run `manage.py build_rasters` first."
        )
    for p in provinces:
        sel.raster_layers_for(p, resolution_m, kinds=("population",))
    return {
        "province": unit_ref(province),
        "provinces": [unit_ref(p) for p in provinces],
        "distances_m": distances,
        "resolution_m": resolution_m,
        "notes": notes,
    }, province


def _labour_body(params: dict, progress: Progress) -> Outcome:
    import rasterio

    from planning.analysis.labour import labour_catchment
    from planning.analysis.rasters import Grid, dataset_reader

    timer = Timer()
    out, layers_used = [], []
    cache_mb = int(getattr(settings, "PLANNING_GDAL_CACHEMAX_MB", 256))
    provinces = [unit_from_ref(p) for p in params["provinces"]]
    for i, province in enumerate(provinces):
        layer = sel.raster_layers_for(province, params["resolution_m"], kinds=("population",))[
            "population"
        ]
        layers_used.append(layer)
        with timer("inputs"):
            areas = list(sel.areas_in(province, include_revoked=False))
            rows = sel.area_rows(
                areas,
                locator=sel.UnitLocator.load(
                    m.AdminUnit.objects.filter(boundary__intersects=province.boundary)
                ),
                metric_srid=layer.srid,
                with_geometry=True,
            )
            projects = sel.project_records(areas)
        with (
            timer("analysis"),
            rasterio.Env(GDAL_CACHEMAX=cache_mb),
            rasterio.open(sel.raster_path(layer)) as ds,
        ):
            grid = Grid(ds.transform, (ds.height, ds.width), crs_epsg=layer.srid)
            summary = labour_catchment(
                [r.record for r in rows],
                grid=grid,
                population=dataset_reader(population=ds),
                projects=projects,
                distances_m=params["distances_m"],
            )
        d = summary.to_dict()
        d.update(province=province.name, raster=layer.name)
        out.append(d)
        progress(10 + int(85 * (i + 1) / len(provinces)), f"xong {province.name}")
    results = {
        "distances_m": params["distances_m"],
        "provinces": out,
        "notes": list(params.get("notes", [])),
    }
    versions = sel.input_versions([m.IndustrialArea, m.SecondaryProject], rasters=layers_used)
    return Outcome(results, versions, timer.steps)


register_analysis(
    AnalysisSpec(
        "labour-catchment",
        m.AnalysisRun.Kind.LABOUR,
        "Nguồn lao động trong bán kính khu, cụm công nghiệp",
        "Labour catchment",
        _labour_prepare,
        _labour_body,
        slow=True,
        input_layers=("industrial_areas", "secondary_projects"),
        parameters=(
            P_PROVINCE,
            Param(
                "distances_m",
                "numbers",
                "bán kính (m), ví dụ [5000, 10000, 20000]",
                "radii in metres, e.g. [5000, 10000, 20000]",
                above=0,
                maximum=100_000,
            ),
            Param(
                "resolution_m",
                "number",
                "độ phân giải raster dân số (m); mặc định: mịn nhất đã dựng",
                "population raster resolution (m); default: the finest built",
                above=0,
            ),
        ),
    )
)


def labour_catchment_run(
    *, province=None, distances_m=None, resolution_m=None, user=None
) -> m.AnalysisRun:
    return analysis_run(
        "labour-catchment",
        user=user,
        province=province,
        distances_m=distances_m,
        resolution_m=resolution_m,
    )


# --------------------------------------------------------------------------------------------
# Plan versus actual
# --------------------------------------------------------------------------------------------
def _plan_prepare(*, province=None):
    province = province_optional(province)
    return {"province": unit_ref(province)}, province


def _plan_body(params: dict, progress: Progress) -> Outcome:
    from planning.analysis.plan_vs_actual import plan_vs_actual

    timer = Timer()
    province = unit_from_ref(params["province"])
    with timer("inputs"):
        areas = list(sel.areas_in(province))
        rows = sel.area_rows(areas, locator=sel.UnitLocator.current())
    with timer("analysis"):
        table = plan_vs_actual([r.record for r in rows])
    results = {
        "scope": province.name if province else "toàn bộ",
        "rows": [r.to_dict() for r in table],
    }
    return Outcome(results, sel.input_versions([m.IndustrialArea]), timer.steps)


register_analysis(
    AnalysisSpec(
        "plan-vs-actual",
        m.AnalysisRun.Kind.PLAN_VS_ACTUAL,
        "Quy hoạch so với thực hiện",
        "Plan versus actual",
        _plan_prepare,
        _plan_body,
        parameters=(P_PROVINCE,),
    )
)


def plan_vs_actual_run(*, province=None, user=None) -> m.AnalysisRun:
    return analysis_run("plan-vs-actual", user=user, province=province)


# --------------------------------------------------------------------------------------------
# Proposal checks
# --------------------------------------------------------------------------------------------
def _landcover_exclusions(geom_metric, srid: int) -> tuple[dict, list[str]]:
    """Water, forest and flood (> 0.5 m) polygons from the rasters around a proposal (metric CRS)."""
    import rasterio
    import rasterio.errors
    import rasterio.features
    import rasterio.windows

    from planning.analysis.site_suggestion import LandcoverClasses

    notes: list[str] = []
    geom4326 = geo.to_geos(
        geo.transform(geom_metric, srid, geo.STORAGE_SRID), srid=geo.STORAGE_SRID
    )
    candidates = m.AdminUnit.objects.filter(
        level="province", boundary__intersects=geom4326
    ).order_by("code")
    province = next((p for p in candidates if sel.raster_layers_available(p)), None)
    if province is None:
        return {}, ["không có raster lớp phủ/ngập cho vùng này: chưa kiểm tra mặt nước, rừng, ngập"]
    layers = sel.raster_layers_for(province, None, kinds=("landcover", "flood"))
    lc = LandcoverClasses()
    out: dict[str, list] = {}
    rsrid = layers["landcover"].srid
    geom_r = geo.transform(geom_metric, srid, rsrid) if rsrid != srid else geom_metric
    with (
        rasterio.open(sel.raster_path(layers["landcover"])) as lds,
        rasterio.open(sel.raster_path(layers["flood"])) as fds,
    ):
        x0, y0, x1, y1 = geom_r.bounds
        pad = 2 * lds.res[0]
        window = lds.window(x0 - pad, y0 - pad, x1 + pad, y1 + pad).round_offsets().round_lengths()
        try:
            window = window.intersection(rasterio.windows.Window(0, 0, lds.width, lds.height))
        except rasterio.errors.WindowError:
            return {}, [f"đề xuất nằm ngoài raster {layers['landcover'].name}"]
        codes = lds.read(1, window=window)
        flood = fds.read(1, window=window)
        transform = lds.window_transform(window)
    masks = {
        "water": np.isin(codes, lc.water),
        "forest": np.isin(codes, lc.forest),
        "flood": np.nan_to_num(flood, nan=0.0) > 0.5,
    }
    for name, mask in masks.items():
        if not mask.any():
            out[name] = []
            continue
        polys = [
            shapely.geometry.shape(g)
            for g, _ in rasterio.features.shapes(
                mask.astype(np.uint8), mask=mask, connectivity=4, transform=transform
            )
        ]
        merged = shapely.union_all(polys)
        out[name] = [geo.transform(merged, rsrid, srid) if rsrid != srid else merged]
    notes.append(
        f"mặt nước, rừng, ngập > 0,5 m lấy từ raster {layers['landcover'].name}, {layers['flood'].name}"
    )
    return out, notes


def _proposal_prepare(
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
):
    """Checked parameters (``analysis_params``): a proposal, or a geometry (already a valid
    EPSG:4326 multipolygon; ``crs`` was applied to it) with the unit that proposes it."""
    if proposal is not None:
        try:
            geometry = normalise_geometry(proposal.geom, "MULTIPOLYGON")
        except Exception as exc:  # a stored row predating the geometry rules
            raise InvalidGeometryParameter(
                f"Tham số 'proposal': ranh giới của đề xuất {proposal.code} không dùng được / "
                f"Parameter 'proposal': the boundary of proposal {proposal.code} cannot be used: {exc}",
                details={"parameter": "proposal"},
            ) from None
        kind, admin_unit = proposal.kind, proposal.admin_unit
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
        "criteria": crit.to_dict(),
    }, admin_unit


def _proposal_body(params: dict, progress: Progress) -> Outcome:
    from planning.analysis.efficiency import unit_efficiency
    from planning.analysis.proposal_checks import check_proposal, unit_shares

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
        env = sel.expanded_envelope(geom, 0.1)
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
            for a, g in zip(near, sel.metric_shapes([a.boundary for a in near], srid))
        ]
        props = list(sel.active_proposals(env, exclude_pk=exclude_pk))
        others = [
            (p.code, g, p.name)
            for p, g in zip(props, sel.metric_shapes([p.geom for p in props], srid))
        ]
        # The rules judge the unit the proposal names: its boundary, its mountainous flag, its
        # occupancy. Where the geometry lies is reported (units_around), never substituted.
        unit_geom = sel.metric_shapes([unit.boundary], srid)[0]
        around = list(sel.units_like(unit, geom))
        around_named = [
            (u.code, g, u.name)
            for u, g in zip(around, sel.metric_shapes([u.boundary for u in around], srid))
        ]
        roads = sel.road_records(sel.roads_near(env), srid)
        exclusions, notes = _landcover_exclusions(metric, srid)
        locator = sel.UnitLocator.load(m.AdminUnit.objects.filter(boundary__intersects=env))
        mountainous = sel.unit_is_mountainous(unit)
        target = sel.unit_at_level(unit, level, within=geom)
        unit_occ = None
        if target is not None:
            scope = m.AdminUnit.objects.get(pk=target.id)
            scope_areas = list(
                m.IndustrialArea.objects.filter(boundary__intersects=scope.boundary).select_related(
                    "developer", "admin_unit"
                )
            )
            rows = sel.area_rows(
                scope_areas,
                locator=sel.UnitLocator.load(
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
            expands = sel.area_rows([area], locator=locator)[0].record
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
        )
        lies_in = [
            {"code": code, "name": name, "level": unit.level, "share": round(share, 6)}
            for code, name, share in unit_shares(metric, around_named)
        ]
    rule_dicts = [r.to_dict() for r in rules]
    failed = [r for r in rules if r.passed is False]
    unknown = [r for r in rules if r.passed is None]
    results = {
        "passed": not failed,
        "complete": not unknown,
        "n_failed": len(failed),
        "n_unknown": len(unknown),
        "area_ha": round(float(metric.area) / 10_000, 4),
        "kind": params["kind"],
        "admin_unit": unit.name,
        "admin_unit_code": unit.code,
        "lies_in": lies_in,
        "occupancy_level": level,
        "occupancy_unit": target.name if target else None,
        "is_mountainous": mountainous,
        "rules": rule_dicts,
        "notes": notes,
        "summary": proposal_summary(rules).to_dict(),
    }
    versions = sel.input_versions([m.IndustrialArea, m.Proposal, m.RoadCorridor, m.AdminUnit])
    return Outcome(results, versions, timer.steps)


register_analysis(
    AnalysisSpec(
        "proposal-check",
        m.AnalysisRun.Kind.PROPOSAL_CHECK,
        "Kiểm tra đề xuất KCN/CCN theo quy định",
        "Proposal rule checks",
        _proposal_prepare,
        _proposal_body,
        input_layers=("industrial_areas", "proposals"),
        parameters=(
            Param(
                "proposal",
                "proposal",
                "số hiệu (id) hoặc mã đề xuất đã lưu, thay cho geometry, kind, admin_unit",
                "id or code of a stored proposal, instead of geometry, kind and admin_unit",
            ),
            Param(
                "crs",
                "crs",
                "hệ tọa độ của geometry (mã EPSG), mặc định thành phần crs của GeoJSON, hoặc 4326",
                "CRS of the geometry (EPSG code); default its GeoJSON crs member, else 4326",
                excludes=("proposal",),
            ),
            Param(
                "geometry",
                "geometry",
                "ranh giới đề xuất: GeoJSON Polygon/MultiPolygon (hoặc Feature), WKT, EWKT",
                "proposed boundary: GeoJSON Polygon/MultiPolygon (or Feature), WKT or EWKT",
                excludes=("proposal",),
            ),
            Param(
                "kind",
                "choice",
                "loại: CCN (cụm) hoặc KCN (khu)",
                "CCN (cluster) or KCN (park)",
                choices=KINDS,
                default="CCN",
                excludes=("proposal",),
            ),
            Param(
                "admin_unit",
                "admin_unit",
                "mã đơn vị hành chính đề xuất (xã, phường; huyện trước 1/7/2025)",
                "code of the proposing unit (commune; district before 1 July 2025)",
                excludes=("proposal",),
            ),
            Param(
                "is_craft_village",
                "boolean",
                "cụm công nghiệp làng nghề",
                "a craft-village cluster",
                default=False,
            ),
            Param("expands", "area", "mã khu, cụm được mở rộng", "code of the area it expands"),
            P_LEVEL,
            _criteria("ProposalCriteria"),
        ),
        required=(("geometry", "admin_unit"), ("proposal",)),
    )
)


def proposal_validate(proposal: m.Proposal, *, user=None, criteria: Mapping | None = None) -> dict:
    """Check ``proposal`` against the rules, store the result in a run and, while the proposal is
    still open (not approved, rejected or withdrawn), in ``proposal.validation``: a decided
    proposal keeps the checks its decision was taken on.

    Returns the validation mapping: ``passed``, ``complete``, ``rules`` (each with ``rule``,
    ``passed``, ``message`` (also ``message_vi``, ``message_en``), ``citation``, ``measured``,
    ``limit``, ``unit``), ``summary``, ``checked_at`` and ``run_id``, its texts in the active
    language (:func:`~planning.texts.translate`); the stored validation keeps
    the message ids.
    """
    run = analysis_run("proposal-check", user=user, proposal=proposal, criteria=criteria)
    validation = {**run.results, "checked_at": run.finished_at.isoformat(), "run_id": run.pk}
    open_statuses = (
        m.Proposal.Status.DRAFT,
        m.Proposal.Status.SUBMITTED,
        m.Proposal.Status.UNDER_REVIEW,
        m.Proposal.Status.CHANGES_REQUESTED,
    )
    # The stored checks are the workflow's (models/proposals.py): submission and approval store
    # them here before their step; a re-check by staff or the reviewer refreshes an open one.
    with m.workflow_write("validation"):
        stored = m.Proposal.objects.filter(pk=proposal.pk, status__in=open_statuses).update(
            validation=validation
        )
    if stored:
        proposal.validation = validation
    return translate(validation)


def proposal_check(
    given: Mapping | None = None, /, *, user=None, store: bool = True, **params
) -> dict:
    """Check an ad-hoc geometry (no Proposal row): results, stored as a run unless ``store=False``.

    The parameters (keywords, or one mapping such as an API body) are those of the
    ``proposal-check`` analysis — ``geometry``, ``crs``, ``kind``, ``admin_unit``,
    ``is_craft_village``, ``expands``, ``unit``, ``criteria`` — checked by
    :func:`~planning.services.analysis_params.params_validate`."""
    if not store:
        return translate(analysis_compute("proposal-check", given, **params).results)
    run = analysis_run("proposal-check", given, user=user, **params)
    return translate({**run.results, "run_id": run.pk})
