"""The layer catalogue: which models are published, under which names, with which fields, to whom.

One entry per layer feeds the importer/exporter now, and WMS, WFS and the REST API later.
Adding a layer is one entry. Personal data (household details) is never in ``fields``.

A layer's ``title`` is a lazy gettext string (English msgid, context "layer title"): shown in
the active language (``str(spec.title)``), or in a fixed one (``title_vi``, ``title_en``) where
a document gives both or is written once per process in the service's language (the WFS
capabilities, the MapServer mapfile).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.utils import translation
from django.utils.translation import pgettext_lazy

from planning.services.write_rules import WriteRules, write_rules_for


@dataclass(frozen=True)
class LayerSpec:
    name: str  # machine name (WFS typeName, WMS layer, import --layer)
    model_label: str  # "planning.IndustrialArea"
    geometry_field: str
    title: str  # lazy: English msgid, context "layer title"
    fields: tuple[str, ...]  # published attributes (never personal data)
    key_field: str | None = None  # natural key for upsert; several fields comma-separated;
    # "id" (the exported primary key) where the layer has no natural key
    importable_fields: tuple[str, ...] = ()  # extra fields accepted on import (e.g. personal data)
    foreign_keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    # field -> (model label, lookup field) to resolve a value from a file into a relation
    read_roles: tuple[str, ...] = ("anonymous",)
    edit_roles: tuple[str, ...] = ()
    default_style: str = ""
    # Rows written by analysis runs only (each belongs to a run): never imported, by any door.
    written_by_analyses: bool = False

    @property
    def title_vi(self) -> str:
        """The title in Vietnamese, whatever the active language."""
        with translation.override("vi"):
            return str(self.title)

    @property
    def title_en(self) -> str:
        """The title in English, whatever the active language."""
        with translation.override("en"):
            return str(self.title)

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def key_fields(self) -> tuple[str, ...]:
        """The natural key's fields (``key_field`` may name several, comma-separated)."""
        return split_key(self.key_field)

    @property
    def hooks(self) -> WriteRules:
        """The domain's rules for writes into this layer's model (every door calls them)."""
        return write_rules_for(self.model_label)


def split_key(key: str | None) -> tuple[str, ...]:
    """``"admin_unit, map_sheet,parcel_no"`` → ``("admin_unit", "map_sheet", "parcel_no")``."""
    return tuple(k.strip() for k in (key or "").split(",") if k.strip())


CATALOGUE: dict[str, LayerSpec] = {}


def register(spec: LayerSpec) -> LayerSpec:
    if spec.name in CATALOGUE:
        raise ValueError(f"layer {spec.name!r} is registered twice")
    CATALOGUE[spec.name] = spec
    return spec


class UnknownLayer(KeyError):
    def __str__(self) -> str:
        return f"unknown layer {self.args[0]!r}; known layers: {', '.join(sorted(CATALOGUE))}"


def get_layer(name: str) -> LayerSpec:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise UnknownLayer(name) from None


_UNIT = ("planning.AdminUnit", "code")
_AREA = ("planning.IndustrialArea", "code")

register(
    LayerSpec(
        name="admin_units",
        model_label="planning.AdminUnit",
        geometry_field="boundary",
        title=pgettext_lazy("layer title", "Administrative units"),
        fields=(
            "code",
            "name",
            "level",
            "parent",
            "valid_from",
            "valid_to",
            "zone_srid",
            "is_mountainous",
            "is_synthetic",
        ),
        key_field="code,valid_from",
        foreign_keys={"parent": _UNIT},
        default_style="admin_units",
    )
)
register(
    LayerSpec(
        name="industrial_areas",
        model_label="planning.IndustrialArea",
        geometry_field="boundary",
        title=pgettext_lazy("layer title", "Industrial parks and clusters"),
        fields=(
            "code",
            "name",
            "kind",
            "status",
            "planned_area_ha",
            "boundary_area_ha",
            "industrial_land_ha",
            "leased_land_ha",
            "green_land_ha",
            "shared_infra_land_ha",
            "established_on",
            "planning_decision",
            "total_investment_bn_vnd",
            "lease_price_usd_m2",
            "roads_done_pct",
            "power_done_pct",
            "water_done_pct",
            "wastewater_done_pct",
            "wwtp_operating",
            "eco_status",
            "is_smart",
            "is_mountainous",
            "is_craft_village",
            "province_name_reported",
            "is_synthetic_boundary",
            "developer",
            "admin_unit",
        ),
        key_field="code",
        foreign_keys={"admin_unit": _UNIT, "developer": ("planning.Developer", "name")},
        edit_roles=("admin", "ezone_reviewer", "industry_reviewer"),
        default_style="industrial_areas",
    )
)
register(
    LayerSpec(
        name="clearance_parcels",
        model_label="planning.ClearanceParcel",
        geometry_field="boundary",
        title=pgettext_lazy("layer title", "Clearance parcels"),
        fields=(
            "map_sheet",
            "parcel_no",
            "area_m2",
            "land_use",
            "status",
            "compensation_planned_mn_vnd",
            "compensation_paid_mn_vnd",
            "inventoried_on",
            "plan_approved_on",
            "compensated_on",
            "handed_over_on",
            "is_synthetic",
            "area",
            "admin_unit",
        ),
        key_field="admin_unit,map_sheet,parcel_no",
        importable_fields=("households", "holder_name", "holder_id_number"),
        foreign_keys={"area": _AREA, "admin_unit": _UNIT},
        read_roles=("staff",),
        edit_roles=("admin",),
        default_style="clearance_parcels",
    )
)
register(
    LayerSpec(
        name="road_corridors",
        model_label="planning.RoadCorridor",
        geometry_field="centerline",
        title=pgettext_lazy("layer title", "Road corridors"),
        fields=(
            "code",
            "name",
            "route_ref",
            "road_class",
            "length_m",
            "right_of_way_m",
            "lanes",
            "status",
            "investment_year",
            "completion_year",
            "investment_bn_vnd",
            "is_synthetic",
            "admin_unit",
        ),
        key_field="code",
        foreign_keys={"admin_unit": _UNIT},
        edit_roles=("admin",),
        default_style="road_corridors",
    )
)
register(
    LayerSpec(
        name="infrastructure_lines",
        model_label="planning.InfrastructureLine",
        geometry_field="geom",
        title=pgettext_lazy("layer title", "Infrastructure lines"),
        fields=("name", "kind", "status", "capacity", "length_m", "is_synthetic"),
        key_field="id",
        foreign_keys={"admin_unit": _UNIT},
        edit_roles=("admin",),
        default_style="infrastructure_lines",
    )
)
register(
    LayerSpec(
        name="infrastructure_points",
        model_label="planning.InfrastructurePoint",
        geometry_field="geom",
        title=pgettext_lazy("layer title", "Infrastructure facilities"),
        fields=("name", "kind", "status", "capacity", "is_synthetic"),
        key_field="id",
        foreign_keys={"admin_unit": _UNIT},
        edit_roles=("admin",),
        default_style="infrastructure_points",
    )
)
register(
    LayerSpec(
        name="secondary_projects",
        model_label="planning.SecondaryProject",
        geometry_field="plot",
        title=pgettext_lazy("layer title", "Secondary projects"),
        fields=(
            "code",
            "name",
            "investor",
            "investor_country",
            "sector",
            "leased_area_ha",
            "plot_area_ha",
            "registered_capital_bn_vnd",
            "disbursed_capital_bn_vnd",
            "planned_jobs",
            "actual_jobs",
            "registered_on",
            "operation_planned",
            "operation_actual",
            "status",
            "is_synthetic",
            "area",
        ),
        key_field="code",
        foreign_keys={"area": _AREA},
        edit_roles=("admin", "ezone_reviewer", "industry_reviewer"),
        default_style="secondary_projects",
    )
)
register(
    LayerSpec(
        name="proposals",
        model_label="planning.Proposal",
        geometry_field="geom",
        title=pgettext_lazy("layer title", "Proposed parks and clusters"),
        fields=(
            "code",
            "name",
            "kind",
            "area_ha",
            "status",
            "rationale",
            "plan_entry",  # issue 13 plan: establishment condition 1
            "needs_plan_amendment",
            "submitted_at",
            "decided_at",
            "admin_unit",
            # issue 13 rules: the figures the proposal rules read (phases: API, admin, pages)
            "is_craft_village",
            "expands",
            "demand_exceeds_existing",
            "industrial_land_ha",
            "services_land_ha",
            "green_land_ha",
            "infrastructure_land_ha",
            "isolation_strip_m",
        ),
        key_field="code",
        foreign_keys={
            "admin_unit": _UNIT,
            "expands": _AREA,
            "plan_entry": ("planning.PlanEntry", "code"),
        },
        read_roles=("staff",),
        edit_roles=("commune_staff", "district_staff", "admin"),
        default_style="proposals",
    )
)
# Published analysis results (issue 4): planners' layers, read by staff only. Suggested sites are
# candidate land for new clusters (publishing them could feed land speculation); connectors are
# indicative lines for the province's review of infrastructure up to the fence.
register(
    LayerSpec(
        name="suggested_sites",
        model_label="planning.SuggestedSite",
        geometry_field="geom",
        title=pgettext_lazy("layer title", "Suggested cluster sites"),
        fields=(
            "rank",
            "kind",
            "area_ha",
            "score",
            "reasons",
            "rice_land_ha",
            "rice_phasing_required",
            "road_frontage_m",
            "nearest_road_name",
            "nearest_road_distance_m",
            "mean_slope_pct",
            "max_flood_depth_m",
            "population_in_reach",
            "province_name",
            "is_current",
            "run",
            "admin_unit",
        ),
        foreign_keys={"run": ("planning.AnalysisRun", "id"), "admin_unit": _UNIT},
        read_roles=("staff",),
        default_style="suggested_sites",
        written_by_analyses=True,
    )
)
register(
    LayerSpec(
        name="infrastructure_connectors",
        model_label="planning.InfrastructureConnector",
        geometry_field="geom",
        title=pgettext_lazy("layer title", "Infrastructure connectors to the fence"),
        fields=(
            "area_code",
            "area_name",
            "network",
            "feature_name",
            "feature_kind",
            "distance_m",
            "connected",
            "is_current",
            "run",
            "area",
        ),
        foreign_keys={"run": ("planning.AnalysisRun", "id"), "area": _AREA},
        read_roles=("staff",),
        default_style="infrastructure_connectors",
        written_by_analyses=True,
    )
)
# issue 13 roads — expressway interchanges: the only places a factory can reach an expressway
register(
    LayerSpec(
        name="road_interchanges",
        model_label="planning.RoadInterchange",
        geometry_field="geom",
        title=pgettext_lazy("layer title", "Expressway interchanges"),
        fields=("code", "name", "expressway", "crossing_road", "status", "is_synthetic"),
        key_field="code",
        foreign_keys={
            "expressway": ("planning.RoadCorridor", "code"),
            "crossing_road": ("planning.RoadCorridor", "code"),
            "admin_unit": _UNIT,
        },
        edit_roles=("admin",),
        default_style="road_interchanges",
    )
)

# issue 13 plan: the provincial plans' parks and clusters not yet established (indicative
# boundaries, dashed on the map); public like the plan they come from.
register(
    LayerSpec(
        name="plan_entries",
        model_label="planning.PlannedSite",
        geometry_field="geometry",
        title=pgettext_lazy(
            "layer title", "Provincial plan: parks and clusters not yet established"
        ),
        fields=(
            "code",
            "name",
            "kind",
            "kcn_type",
            "planned_area_ha",
            "geometry_area_ha",
            "plan_decision",
            "is_synthetic",
            "plan",
            "area",
        ),
        key_field="code",
        foreign_keys={"plan": ("planning.ProvincialPlan", "code"), "area": _AREA},
        edit_roles=("admin",),
        default_style="plan_entries",
    )
)
