"""Field and value labels of the published layers, in the page's language (pure data).

Vietnamese labels are the models' own ``verbose_name`` and choice labels, translated by gettext
(English msgids, Vietnamese in ``locale/vi``) in the active language. The English tables below
predate that and repeat what the models' msgids now say (their wording is the map's); a field or
value with no English label falls back to its name made readable ("right_of_way_m" ->
"Right of way m").
"""

from __future__ import annotations

# English label of a published field, by field name (the same name means the same thing in
# every layer; a (layer, field) key overrides where it does not).
FIELD_LABELS_EN: dict[str | tuple[str, str], str] = {
    "code": "Code",
    "name": "Name",
    "kind": "Type",
    "status": "Status",
    "level": "Level",
    "parent": "Parent unit",
    "valid_from": "Valid from",
    "valid_to": "Valid until",
    "zone_srid": "VN-2000 TM-3 zone (EPSG)",
    "is_mountainous": "Mountainous area",
    "is_synthetic": "Illustrative data",
    "planned_area_ha": "Planned area (ha)",
    "boundary_area_ha": "Area by boundary (ha)",
    "industrial_land_ha": "Leasable industrial land (ha)",
    "leased_land_ha": "Leased industrial land (ha)",
    "green_land_ha": "Green land (ha)",
    "shared_infra_land_ha": "Roads and shared infrastructure land (ha)",
    "established_on": "Established on",
    "planning_decision": "Planning / establishment decision",
    "total_investment_bn_vnd": "Total infrastructure investment (bn VND)",
    "lease_price_usd_m2": "Infrastructure lease price (USD/m²/term)",
    "roads_done_pct": "Internal roads completed (%)",
    "power_done_pct": "Power supply completed (%)",
    "water_done_pct": "Water supply completed (%)",
    "wastewater_done_pct": "Wastewater collection completed (%)",
    "wwtp_operating": "Central wastewater plant operating",
    "eco_status": "Eco-industrial park",
    "is_smart": "Smart industrial park",
    "is_craft_village": "Craft-village cluster",
    "province_name_reported": "Province (name when reported)",
    "is_synthetic_boundary": "Illustrative boundary",
    "developer": "Infrastructure developer",
    "admin_unit": "Administrative unit (when reported)",
    "map_sheet": "Map sheet no.",
    "parcel_no": "Parcel no.",
    "area_m2": "Measured area (m²)",
    "land_use": "Land use",
    "compensation_planned_mn_vnd": "Compensation planned (mn VND)",
    "compensation_paid_mn_vnd": "Compensation paid (mn VND)",
    "inventoried_on": "Inventoried on",
    "plan_approved_on": "Plan approved on",
    "compensated_on": "Compensated on",
    "handed_over_on": "Handed over on",
    "area": "Industrial park / cluster",
    "route_ref": "Route number",
    "road_class": "Road class",
    "length_m": "Length (m)",
    "right_of_way_m": "Right of way (m)",
    "lanes": "Lanes",
    "investment_year": "Investment start year",
    "completion_year": "Completion year",
    "investment_bn_vnd": "Total investment (bn VND)",
    ("road_corridors", "admin_unit"): "Managing province",
    ("road_corridors", "status"): "Investment status",
    "capacity": "Capacity",
    ("infrastructure_lines", "capacity"): "Capacity / voltage / diameter",
    "investor": "Investor",
    "investor_country": "Investor country",
    "sector": "Sector",
    "leased_area_ha": "Leased area by contract (ha)",
    "plot_area_ha": "Plot area by map (ha)",
    "registered_capital_bn_vnd": "Registered capital (bn VND)",
    "disbursed_capital_bn_vnd": "Disbursed capital (bn VND)",
    "planned_jobs": "Planned jobs",
    "actual_jobs": "Actual jobs",
    "registered_on": "Investment certificate date",
    "operation_planned": "Planned start of operation",
    "operation_actual": "Actual start of operation",
    "area_ha": "Area (ha)",
    "rationale": "Rationale",
    "submitted_at": "Submitted",
    "decided_at": "Decided",
    ("proposals", "admin_unit"): "Proposing unit",
    ("secondary_projects", "code"): "Project code / investment certificate no.",
    ("secondary_projects", "name"): "Project name",
    ("proposals", "name"): "Proposal name",
    ("road_corridors", "name"): "Route name",
}

# English label of a coded value, by field name; (layer, field) overrides.
CHOICE_LABELS_EN: dict[str | tuple[str, str], dict[str, str]] = {
    "kind": {"KCN": "Industrial park (KCN)", "CCN": "Industrial cluster (CCN)"},
    ("industrial_areas", "status"): {
        "planned": "Planned",
        "established": "Established",
        "clearing": "Land clearance",
        "building": "Building infrastructure",
        "operating": "Operating",
        "revoked": "Revoked",
    },
    "eco_status": {
        "none": "Not converting",
        "planned": "Conversion planned",
        "converting": "Converting",
        "certified": "Certified eco-industrial park",
    },
    "level": {
        "province": "Province",
        "district": "District (before 1 July 2025)",
        "commune": "Commune / ward",
    },
    ("clearance_parcels", "status"): {
        "not_started": "Not started",
        "inventoried": "Inventoried",
        "plan_approved": "Plan approved",
        "compensated": "Compensated",
        "handed_over": "Handed over",
    },
    "land_use": {
        "LUC": "Rice land (two crops or more)",
        "LUK": "Other rice land",
        "HNK": "Other annual crops",
        "CLN": "Perennial crops",
        "RSX": "Production forest",
        "NTS": "Aquaculture",
        "ONT": "Rural residential",
        "ODT": "Urban residential",
        "SKC": "Non-agricultural production",
        "DGT": "Transport",
        "DTL": "Irrigation",
        "NTD": "Cemetery",
        "BCS": "Unused flat land",
    },
    "road_class": {
        "expressway": "Expressway",
        "national": "National road",
        "provincial": "Provincial road",
        "district": "District / urban road",
        "local": "Local road",
    },
    ("road_corridors", "status"): {
        "planned": "Planned",
        "under_construction": "Under construction",
        "invested": "Built",
    },
    ("infrastructure_lines", "kind"): {
        "power_hv": "High-voltage line (110–220 kV)",
        "power_mv": "Medium-voltage line (22–35 kV)",
        "water": "Water supply main",
        "drainage": "Drainage",
    },
    ("infrastructure_points", "kind"): {
        "substation": "Substation",
        "water_plant": "Water plant",
        "wwtp": "Wastewater treatment plant",
        "port": "Port",
    },
    ("infrastructure_lines", "status"): {
        "planned": "Planned",
        "under_construction": "Under construction",
        "invested": "Built",
    },
    ("infrastructure_points", "status"): {
        "planned": "Planned",
        "under_construction": "Under construction",
        "invested": "Built",
    },
    ("secondary_projects", "status"): {
        "registered": "Registered",
        "building": "Building",
        "operating": "Operating",
        "stalled": "Stalled",
        "revoked": "Revoked",
    },
    ("proposals", "status"): {
        "draft": "Draft",
        "submitted": "Submitted",
        "under_review": "Under review",
        "changes_requested": "Changes requested",
        "approved": "Approved",
        "rejected": "Rejected",
        "withdrawn": "Withdrawn",
    },
}


def readable(name: str) -> str:
    """``"right_of_way_m"`` -> ``"Right of way m"``: the fallback for a name with no label."""
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def capitalised(text: str) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def field_label(layer: str, field, *, lang: str) -> str:
    if lang == "vi":
        return capitalised(field.verbose_name)
    return (
        FIELD_LABELS_EN.get((layer, field.name))
        or FIELD_LABELS_EN.get(field.name)
        or readable(field.name)
    )


def choice_labels(layer: str, field, *, lang: str) -> dict[str, str]:
    """Value -> label for a field with choices ({} for a field without)."""
    choices = [
        (str(v), str(label))
        for v, label in (field.choices or [])
        if not isinstance(label, (list, tuple))
    ]
    if not choices:
        return {}
    if lang == "vi":
        return dict(choices)
    english = CHOICE_LABELS_EN.get((layer, field.name)) or CHOICE_LABELS_EN.get(field.name) or {}
    return {value: english.get(value) or readable(value) for value, _ in choices}


def layer_fields(spec, *, lang: str) -> list[dict]:
    """The published fields of a catalogue layer, as popups show them."""
    model = spec.model
    out = []
    for name in spec.fields:
        field = model._meta.get_field(name)
        entry = {"name": name, "label": field_label(spec.name, field, lang=lang)}
        choices = choice_labels(spec.name, field, lang=lang)
        if choices:
            entry["choices"] = choices
        if field.is_relation:
            entry["relation"] = field.related_model._meta.label
        else:
            entry["type"] = field.get_internal_type()
        out.append(entry)
    return out
