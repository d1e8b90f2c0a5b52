"""Shapefile (dBASE) field names: at most 10 characters, so long names need a stable abbreviation.

GDAL would truncate ``planned_area_ha`` to ``planned_ar`` and make clashes unique with numeric
suffixes whose order depends on the field order; instead every published name has a fixed short
form here, so exports are predictable and an exported Shapefile imports back without ``--map``.
Names not in the table (a field added to the catalogue later) fall back to a deterministic rule,
see :func:`shapefile_names`; ``tests/layers`` checks that every catalogue layer gets unique names.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_LEN = 10

ABBREVIATIONS: dict[str, str] = {
    # industrial_areas
    "planned_area_ha": "plan_ha",
    "boundary_area_ha": "bound_ha",
    "industrial_land_ha": "ind_ha",
    "leased_land_ha": "leased_ha",
    "green_land_ha": "green_ha",
    "shared_infra_land_ha": "infra_ha",
    "established_on": "estab_on",
    "planning_decision": "plan_dec",
    "total_investment_bn_vnd": "invest_bn",
    "lease_price_usd_m2": "price_usd",
    "roads_done_pct": "roads_pct",
    "power_done_pct": "power_pct",
    "water_done_pct": "water_pct",
    "wastewater_done_pct": "wwater_pct",
    "wwtp_operating": "wwtp_oper",
    "is_mountainous": "mountain",
    "is_craft_village": "craft_vill",
    "province_name_reported": "prov_name",
    "is_synthetic_boundary": "synth_bnd",
    "is_synthetic": "synthetic",
    # clearance_parcels
    "compensation_planned_mn_vnd": "comp_plan",
    "compensation_paid_mn_vnd": "comp_paid",
    "inventoried_on": "invent_on",
    "plan_approved_on": "plan_on",
    "compensated_on": "comp_on",
    "handed_over_on": "handed_on",
    "holder_name": "holder",
    "holder_id_number": "holder_id",
    # road_corridors
    "right_of_way_m": "row_m",
    "investment_year": "invest_yr",
    "completion_year": "compl_yr",
    "investment_bn_vnd": "invest_bn",
    # secondary_projects
    "investor_country": "inv_ctry",
    "leased_area_ha": "leased_ha",
    "plot_area_ha": "plot_ha",
    "registered_capital_bn_vnd": "reg_cap_bn",
    "disbursed_capital_bn_vnd": "disb_bn",
    "planned_jobs": "plan_jobs",
    "actual_jobs": "act_jobs",
    "registered_on": "reg_on",
    "operation_planned": "op_planned",
    "operation_actual": "op_actual",
    # proposals
    "submitted_at": "submit_at",
    # road_interchanges (issue 13 roads)
    "crossing_road": "cross_road",
}


def shapefile_names(names: Iterable[str]) -> dict[str, str]:
    """Map each name to a unique Shapefile field name of at most 10 characters.

    Short names stay; table entries are used when free; anything else is cut to 10 characters,
    and a clash is resolved by cutting to 8 and appending a two-digit counter, in input order.

    >>> fields = ["code", "planned_area_ha", "some_very_long_a", "some_very_long_b"]
    >>> shapefile_names(fields)  # doctest: +NORMALIZE_WHITESPACE
    {'code': 'code', 'planned_area_ha': 'plan_ha', 'some_very_long_a': 'some_very_',
     'some_very_long_b': 'some_ver01'}
    """
    names = list(names)
    result: dict[str, str] = {}
    taken = {n.lower() for n in names if len(n) <= MAX_LEN}
    for name in names:
        if len(name) <= MAX_LEN:
            short = name
        else:
            short = ABBREVIATIONS.get(name, name[:MAX_LEN])
            counter = 0
            while short.lower() in taken:
                counter += 1
                short = f"{name[: MAX_LEN - 2]}{counter:02d}"
            taken.add(short.lower())
        result[name] = short
    return result
