"""Conversion roadmaps (eco, smart) of areas: the records of :mod:`planning.analysis.conversion`
and what the doors show beside them (developer, document, each criterion with its evidence)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from planning import models as m
from planning.analysis.conversion import RoadmapRecord
from planning.models.eco import conversion_achieved


@dataclass
class RoadmapRow:
    """One roadmap: the pure record, the model and its criteria as plain data."""

    roadmap: m.ConversionRoadmap
    record: RoadmapRecord
    criteria: list[dict] = field(default_factory=list)

    def details(self) -> dict:
        """JSON-ready fields of the roadmap that the analysis does not compute."""
        r = self.roadmap
        dev = r.responsible_developer
        return {
            "developer": dev.name if dev else "",
            "developer_is_area_developer": not r.developer_id,
            "document": r.document,
            "document_date": r.document_date.isoformat() if r.document_date else None,
            "document_agency": r.document_agency,
            "has_document_file": bool(r.document_file),
            "is_synthetic": r.is_synthetic,
            "criteria": self.criteria,
        }


def criteria_catalogue() -> dict[str, list[m.ConversionCriterion]]:
    """Active criteria by programme, in catalogue order."""
    out: dict[str, list[m.ConversionCriterion]] = {p: [] for p in m.ConversionProgramme.values}
    for c in m.ConversionCriterion.objects.filter(is_active=True).order_by("order", "code"):
        out.setdefault(c.programme, []).append(c)
    return out


def roadmap_rows(areas: Iterable[m.IndustrialArea]) -> dict[int, dict[str, RoadmapRow]]:
    """``{area pk: {programme: RoadmapRow}}`` for the areas that have roadmaps."""
    pks = [a.pk for a in areas]
    catalogue = criteria_catalogue()
    qs = (
        m.ConversionRoadmap.objects.filter(area__in=pks)
        .select_related("area", "area__developer", "developer")
        .prefetch_related("criteria")
        .order_by("area__name", "programme")
    )
    out: dict[int, dict[str, RoadmapRow]] = {}
    for r in qs:
        progress = {p.criterion_id: p for p in r.criteria.all()}
        applicable = [c for c in catalogue.get(r.programme, []) if c.applies(r.area.kind)]
        criteria, statuses = [], []
        for c in applicable:
            p = progress.get(c.pk)
            status = p.status if p else m.CriterionProgress.Status.NOT_STARTED
            statuses.append(str(status))
            criteria.append(
                {
                    "code": c.code,
                    "name_vi": c.name_vi,
                    "name_en": c.name_en,
                    "threshold": c.threshold,
                    "basis": c.basis,
                    "confirmation": c.confirmation,
                    "citation": c.citation,
                    "status": str(status),
                    "evidence_document": p.evidence_document if p else "",
                    "evidence_description": p.evidence_description if p else "",
                    "evidence_date": p.evidence_date.isoformat() if p and p.evidence_date else None,
                    "has_evidence_file": bool(p and p.evidence_file),
                    "is_synthetic": bool(p and p.is_synthetic),
                }
            )
        achieved = conversion_achieved(r.programme, r.area.eco_status, statuses)
        record = RoadmapRecord(
            area_id=r.area.code,
            area_name=r.area.name,
            kind=r.area.kind,
            programme=r.programme,
            target_year=r.target_year,
            deadline=r.deadline,
            achieved=achieved,
            statuses=tuple(statuses),
        )
        out.setdefault(r.area_id, {})[r.programme] = RoadmapRow(r, record, criteria)
    return out
