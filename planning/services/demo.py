"""Load the demo province (fixtures/demo/, built by fixtures/build_demo.py) into the database.

Idempotent: every record is upserted by its natural key, in one transaction, and a load whose
fixture checksum is already recorded is skipped (so a second ``make run`` loses no edits).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import models, transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from planning import models as m
from planning.models.base import GeometryRecord
from planning.models.eco import smart_sync
from planning.models.eco_catalogue import criteria_seed
from planning.services.basemap import load_basemap  # issue 14 map

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
DATASET_NAME = "demo_province"
FILES = (
    "admin_units.geojson",
    "admin_succession.json",
    "developers.json",
    "industrial_areas.geojson",
    "parcels.geojson",
    "roads.geojson",
    "infrastructure_lines.geojson",
    "infrastructure_points.geojson",
    "projects.geojson",
    "targets.json",
    "reports.json",
    "obstacles.json",
    "transfers.json",
    "conversion_roadmaps.json",  # issue 13 eco
    "road_interchanges.geojson",  # issue 13 roads
    # issue 13 enforce
    "report_submissions.json",
    "enforcement_actions.json",
    "transfer_cases.json",
    "plans.json",  # issue 13 plan
)


class DemoDataError(ValueError):
    """The fixture files are missing or inconsistent."""


@dataclass
class LoadResult:
    skipped: bool
    checksum: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)


def fixtures_checksum(directory: Path) -> str:
    h = hashlib.sha256()
    for name in FILES:
        path = directory / name
        if not path.exists():
            raise DemoDataError(f"missing fixture file {path}")
        h.update(name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _read(directory: Path, name: str) -> list[dict]:
    data = json.loads((directory / name).read_text(encoding="utf-8"))
    if name.endswith(".geojson"):
        rows = []
        for feat in data["features"]:
            props = dict(feat["properties"])
            props["__geometry"] = (
                GEOSGeometry(json.dumps(feat["geometry"]), srid=4326) if feat["geometry"] else None
            )
            rows.append(props)
        return rows
    return data


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def _convert(model, row: dict, skip: Iterable[str] = ()) -> dict:
    """Keep the keys that are concrete non-relational model fields, converted by the field."""
    out = {}
    for f in model._meta.concrete_fields:
        if f.name in skip or f.is_relation or not f.editable:
            continue
        if f.name in row:
            value = row[f.name]
            if isinstance(f, models.DateField) and isinstance(value, str):
                value = _date(value)
            elif isinstance(f, models.DecimalField) and value is not None:
                value = Decimal(str(value))
            out[f.name] = value
    return out


class _Upserter:
    def __init__(self, result: LoadResult):
        self.result = result

    def run(self, model, rows: list[dict], key: Callable[[Any], tuple], *, label: str) -> dict:
        """Upsert ``rows`` (dicts of field values) by ``key``; return {key: instance}."""
        existing = {key(obj): obj for obj in model.objects.all()}
        to_create, to_update, out = [], [], {}
        fields_set: set[str] = set()
        history = hasattr(model, "history")
        for values in rows:
            obj = model(**values)
            k = key(obj)
            if k in out:
                raise DemoDataError(f"{label}: duplicate key {k}")
            if k in existing:
                current = existing[k]
                for name, value in values.items():
                    setattr(current, name, value)
                fields_set.update(values)
                obj = current
                to_update.append(obj)
            else:
                to_create.append(obj)
            if isinstance(obj, GeometryRecord):
                obj.normalise_geometries()
            out[k] = obj
        if to_create:
            if history:
                bulk_create_with_history(
                    to_create, model, batch_size=500, default_change_reason="load_demo"
                )
            else:
                model.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            update_fields = sorted(fields_set | self._computed(model))
            if history:
                bulk_update_with_history(
                    to_update,
                    model,
                    update_fields,
                    batch_size=500,
                    default_change_reason="load_demo",
                )
            else:
                model.objects.bulk_update(to_update, update_fields, batch_size=500)
        if to_create and any(o.pk is None for o in to_create):
            # SpatiaLite's bulk_create does not return primary keys on every version: re-read.
            fresh = {key(o): o for o in model.objects.all()}
            out = {k: fresh[k] for k in out}
        self.result.created[label] = len(to_create)
        self.result.updated[label] = len(to_update)
        return out

    @staticmethod
    def _computed(model) -> set[str]:
        return {
            f.name
            for f in model._meta.concrete_fields
            if not f.editable
            and not f.primary_key
            and not f.auto_created
            and not isinstance(f, (models.DateTimeField,))
        }


def demo_load(*, directory: Path = DEMO_DIR, force: bool = False) -> LoadResult:
    load_basemap()  # issue 14 map: the national base map under the demo (its own checksum)
    checksum = fixtures_checksum(directory)
    if not force and m.DatasetLoad.objects.filter(name=DATASET_NAME, checksum=checksum).exists():
        return LoadResult(skipped=True, checksum=checksum, totals=_totals())
    result = LoadResult(skipped=False, checksum=checksum)
    up = _Upserter(result)
    with transaction.atomic():
        units = _load_units(up, directory)
        _load_successions(up, directory, units)
        developers = up.run(
            m.Developer,
            [_convert(m.Developer, r) for r in _read(directory, "developers.json")],
            key=lambda o: o.name,
            label="developers",
        )

        def unit(ref):
            if ref is None:
                return None
            try:
                return units[(ref[0], _date(ref[1]))]
            except KeyError:
                raise DemoDataError(f"unknown administrative unit {ref}") from None

        area_rows = []
        for r in _read(directory, "industrial_areas.geojson"):
            v = _convert(m.IndustrialArea, r)
            v.update(
                boundary=r["__geometry"],
                admin_unit=unit(r["admin_unit"]),
                developer=developers[r["developer"]] if r.get("developer") else None,
            )
            area_rows.append(v)
        areas = up.run(m.IndustrialArea, area_rows, key=lambda o: o.code, label="industrial_areas")

        def area(code):
            if code is None:
                return None
            try:
                return areas[code]
            except KeyError:
                raise DemoDataError(f"unknown industrial area {code}") from None

        parcel_rows = []
        for r in _read(directory, "parcels.geojson"):
            v = _convert(m.ClearanceParcel, r)
            v.update(
                boundary=r["__geometry"], area=area(r.get("area")), admin_unit=unit(r["admin_unit"])
            )
            parcel_rows.append(v)
        up.run(
            m.ClearanceParcel,
            parcel_rows,
            key=lambda o: (o.admin_unit.code, o.admin_unit.valid_from, o.map_sheet, o.parcel_no),
            label="clearance_parcels",
        )

        road_rows = []
        for r in _read(directory, "roads.geojson"):
            v = _convert(m.RoadCorridor, r)
            v.update(centerline=r["__geometry"], admin_unit=unit(r.get("admin_unit")))
            road_rows.append(v)
        up.run(m.RoadCorridor, road_rows, key=lambda o: o.code, label="road_corridors")

        # issue 13 roads: expressway interchanges, linked to their roads by code
        roads_by_code = m.RoadCorridor.objects.in_bulk(field_name="code")

        def road(code):
            if code is None:
                return None
            try:
                return roads_by_code[code]
            except KeyError:
                raise DemoDataError(f"unknown road corridor {code}") from None

        interchange_rows = []
        for r in _read(directory, "road_interchanges.geojson"):
            v = _convert(m.RoadInterchange, r)
            v.update(
                geom=r["__geometry"],
                expressway=road(r["expressway"]),
                crossing_road=road(r.get("crossing_road")),
                admin_unit=unit(r.get("admin_unit")),
            )
            interchange_rows.append(v)
        up.run(m.RoadInterchange, interchange_rows, key=lambda o: o.code, label="road_interchanges")

        for model, name, label in (
            (m.InfrastructureLine, "infrastructure_lines.geojson", "infrastructure_lines"),
            (m.InfrastructurePoint, "infrastructure_points.geojson", "infrastructure_points"),
        ):
            rows = []
            for r in _read(directory, name):
                v = _convert(model, r)
                v.update(geom=r["__geometry"], admin_unit=unit(r.get("admin_unit")))
                rows.append(v)
            up.run(model, rows, key=lambda o: (o.name, o.kind), label=label)

        project_rows, milestone_src = [], {}
        for r in _read(directory, "projects.geojson"):
            v = _convert(m.SecondaryProject, r)
            v.update(plot=r["__geometry"], area=area(r["area"]))
            project_rows.append(v)
            milestone_src[r["code"]] = r.get("milestones") or []
        projects = up.run(
            m.SecondaryProject, project_rows, key=lambda o: o.code, label="secondary_projects"
        )
        milestone_rows = [
            dict(
                project=projects[code],
                step=ms["step"],
                planned_on=_date(ms["planned_on"]),
                actual_on=_date(ms.get("actual_on")),
            )
            for code, items in milestone_src.items()
            for ms in items
        ]
        up.run(
            m.ProjectMilestone,
            milestone_rows,
            key=lambda o: (o.project_id, o.step),
            label="milestones",
        )

        up.run(
            m.DevelopmentTarget,
            [
                dict(_convert(m.DevelopmentTarget, r), area=area(r["area"]))
                for r in _read(directory, "targets.json")
            ],
            key=lambda o: (o.area_id, o.year, o.indicator),
            label="targets",
        )
        up.run(
            m.AnnualReport,
            [
                dict(
                    _convert(m.AnnualReport, r),
                    area=area(r["area"]),
                    admin_unit=unit(r["admin_unit"]),
                )
                for r in _read(directory, "reports.json")
            ],
            key=lambda o: (o.area_id, o.year),
            label="annual_reports",
        )
        up.run(
            m.Obstacle,
            [
                dict(_convert(m.Obstacle, r), area=area(r["area"]))
                for r in _read(directory, "obstacles.json")
            ],
            key=lambda o: (o.area_id, o.category, o.description),
            label="obstacles",
        )
        up.run(
            m.DeveloperTransfer,
            [
                dict(
                    _convert(m.DeveloperTransfer, r),
                    area=area(r["area"]),
                    from_developer=developers[r["from_developer"]],
                    to_developer=developers[r["to_developer"]],
                )
                for r in _read(directory, "transfers.json")
            ],
            key=lambda o: (o.area_id, o.from_developer_id, o.to_developer_id),
            label="transfers",
        )
        _load_conversion(up, directory, area)  # issue 13 eco
        _load_enforcement(up, directory, area, developers)

        _load_plans(up, directory, unit, area)  # issue 13 plan

        result.totals = _totals()
        m.DatasetLoad.objects.create(
            name=DATASET_NAME,
            checksum=checksum,
            counts=result.totals,
            notes="fixtures/demo, built by fixtures/build_demo.py",
        )
    return result


def _load_enforcement(up: _Upserter, directory: Path, area, developers) -> None:
    """Issue 13: half-year reports received, enforcement actions, the transfer pipeline."""

    def dev(name):
        return developers[name] if name else None

    up.run(
        m.ReportSubmission,
        [
            dict(
                _convert(m.ReportSubmission, r), area=area(r["area"]), developer=dev(r["developer"])
            )
            for r in _read(directory, "report_submissions.json")
        ],
        key=lambda o: (o.area_id, o.year, o.kind),
        label="report_submissions",
    )
    up.run(
        m.EnforcementAction,
        [
            dict(
                _convert(m.EnforcementAction, r),
                area=area(r["area"]),
                developer=dev(r["developer"]),
            )
            for r in _read(directory, "enforcement_actions.json")
        ],
        key=lambda o: (o.area_id, o.kind, o.document_no),
        label="enforcement_actions",
    )
    rows = []
    for r in _read(directory, "transfer_cases.json"):
        a = area(r["area"])
        transfer = (
            m.DeveloperTransfer.objects.filter(area=a).order_by("-decided_on", "-pk").first()
            if r["transferred"]
            else None
        )
        rows.append(
            dict(
                _convert(m.TransferCase, r),
                area=a,
                from_developer=dev(r["from_developer"]),
                interested_developer=dev(r["interested_developer"]),
                transfer=transfer,
            )
        )
    up.run(m.TransferCase, rows, key=lambda o: o.area_id, label="transfer_cases")


def _load_units(up: _Upserter, directory: Path) -> dict:
    rows = _read(directory, "admin_units.geojson")
    order = {"province": 0, "district": 1, "commune": 2}
    rows.sort(key=lambda r: order[r["level"]])
    units: dict[tuple, m.AdminUnit] = {}
    for level in ("province", "district", "commune"):
        batch = []
        for r in rows:
            if r["level"] != level:
                continue
            v = _convert(m.AdminUnit, r)
            v["boundary"] = r["__geometry"]
            v["parent"] = _parent(units, r) if r.get("parent_code") else None
            batch.append(v)
        units.update(
            up.run(
                m.AdminUnit,
                batch,
                key=lambda o: (o.code, o.valid_from),
                label=f"admin_units_{level}",
            )
        )
    return units


def _parent(units: dict, row: dict) -> m.AdminUnit:
    start, end = _date(row["valid_from"]), _date(row.get("valid_to"))
    for (code, _), unit in units.items():
        if code != row["parent_code"]:
            continue
        if unit.valid_from <= start and (
            unit.valid_to is None or end is None or end <= unit.valid_to or start <= unit.valid_to
        ):
            return unit
    raise DemoDataError(f"unit {row['code']}: parent {row['parent_code']} not found for its period")


def _load_successions(up: _Upserter, directory: Path, units: dict) -> None:
    rows = []
    for r in _read(directory, "admin_succession.json"):
        pred = units[(r["predecessor"][0], _date(r["predecessor"][1]))]
        succ = units[(r["successor"][0], _date(r["successor"][1]))]
        rows.append(
            dict(
                predecessor=pred,
                successor=succ,
                area_share=min(1.0, float(r["area_share"])),
                legal_basis=r.get("legal_basis", ""),
                effective_on=m.REFORM_DATE,
                is_synthetic=bool(r.get("is_synthetic", False)),
            )
        )
    up.run(
        m.AdminUnitSuccession,
        rows,
        key=lambda o: (o.predecessor_id, o.successor_id),
        label="successions",
    )


# issue 13 plan: provincial plans ------------------------------------------------------------
def _load_plans(up: _Upserter, directory: Path, unit, area) -> None:
    """Economic zones, provincial plans, their amendments, entries, phases and area changes."""
    data = json.loads((directory / "plans.json").read_text(encoding="utf-8"))
    zones = up.run(
        m.EconomicZone,
        [
            dict(_convert(m.EconomicZone, z), province=unit(z["province"]))
            for z in data["economic_zones"]
        ],
        key=lambda o: o.code,
        label="economic_zones",
    )
    plans = up.run(
        m.ProvincialPlan,
        [dict(_convert(m.ProvincialPlan, p), province=unit(p["province"])) for p in data["plans"]],
        key=lambda o: o.code,
        label="provincial_plans",
    )
    amendments = up.run(
        m.PlanAmendment,
        [
            dict(_convert(m.PlanAmendment, a), plan=plans[p["code"]])
            for p in data["plans"]
            for a in p["amendments"]
        ],
        key=lambda o: (o.plan_id, o.sequence),
        label="plan_amendments",
    )

    def entry_values(p: dict, e: dict, entries: dict) -> dict:
        plan = plans[p["code"]]
        geometry = e.get("geometry")
        return dict(
            _convert(m.PlanEntry, e),
            plan=plan,
            plan_decision=plan.decision,
            area=area(e["area"]),
            economic_zone=zones[e["economic_zone"]] if e.get("economic_zone") else None,
            expands=entries[e["expands"]] if e.get("expands") else None,
            added_by=amendments[(plan.pk, e["added_by"])] if e.get("added_by") else None,
            removed_by=amendments[(plan.pk, e["removed_by"])] if e.get("removed_by") else None,
            geometry=GEOSGeometry(json.dumps(geometry), srid=4326) if geometry else None,
        )

    # Entries that expand another come second, once the entry they expand exists.
    items = [(p, e) for p in data["plans"] for e in p["entries"]]
    entries = up.run(
        m.PlanEntry,
        [entry_values(p, e, {}) for p, e in items if not e.get("expands")],
        key=lambda o: o.code,
        label="plan_entries",
    )
    entries.update(
        up.run(
            m.PlanEntry,
            [entry_values(p, e, entries) for p, e in items if e.get("expands")],
            key=lambda o: o.code,
            label="plan_expansions",
        )
    )
    up.run(
        m.PlanEntryPhase,
        [
            dict(_convert(m.PlanEntryPhase, ph), entry=entries[e["code"]])
            for _, e in items
            for ph in e["phases"]
        ],
        key=lambda o: (o.entry_id, o.sequence),
        label="plan_phases",
    )
    up.run(
        m.PlanEntryChange,
        [
            dict(
                entry=entries[e["code"]],
                amendment=amendments[(plans[p["code"]].pk, c["seq"])],
                planned_area_ha_before=Decimal(str(c["before"])),
                planned_area_ha_after=Decimal(str(c["after"])),
                note=c.get("note", ""),
            )
            for p, e in items
            for c in e["changes"]
        ],
        key=lambda o: (o.entry_id, o.amendment_id),
        label="plan_changes",
    )


def _totals() -> dict[str, int]:
    return {
        model._meta.model_name: model.objects.count()
        for model in (
            m.AdminUnit,
            m.AdminUnitSuccession,
            m.Developer,
            m.IndustrialArea,
            m.ClearanceParcel,
            m.RoadCorridor,
            m.InfrastructureLine,
            m.InfrastructurePoint,
            m.SecondaryProject,
            m.ProjectMilestone,
            m.DevelopmentTarget,
            m.AnnualReport,
            m.Obstacle,
            m.DeveloperTransfer,
            m.RoadInterchange,  # issue 13 roads
            m.ReportSubmission,
            m.EnforcementAction,
            m.TransferCase,
        )
    }


# issue 13 eco -------------------------------------------------------------------------------
def _load_conversion(up: _Upserter, directory: Path, area: Callable) -> None:
    """Conversion roadmaps and the status of their criteria (codes of the seeded catalogue);
    then ``is_smart`` of the areas with a smart checklist follows the checklist."""
    criteria_seed(m.ConversionCriterion)  # a flushed database has lost the migration's rows
    catalogue = {c.code: c for c in m.ConversionCriterion.objects.all()}
    rows = _read(directory, "conversion_roadmaps.json")
    roadmaps = up.run(
        m.ConversionRoadmap,
        [dict(_convert(m.ConversionRoadmap, r), area=area(r["area"])) for r in rows],
        key=lambda o: (o.area_id, o.programme),
        label="conversion_roadmaps",
    )
    progress = []
    for r in rows:
        roadmap = roadmaps[(area(r["area"]).pk, r["programme"])]
        for c in r["criteria"]:
            criterion = catalogue.get(c["criterion"])
            if criterion is None or criterion.programme != r["programme"]:
                raise DemoDataError(
                    f"{r['area']} {r['programme']}: unknown criterion {c['criterion']!r}"
                )
            progress.append(
                dict(_convert(m.CriterionProgress, c), roadmap=roadmap, criterion=criterion)
            )
    up.run(
        m.CriterionProgress,
        progress,
        key=lambda o: (o.roadmap_id, o.criterion_id),
        label="criterion_progress",
    )
    for roadmap in roadmaps.values():
        if roadmap.programme == m.ConversionProgramme.SMART:
            smart_sync(roadmap.area)
