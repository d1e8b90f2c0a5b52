"""Reads of the enforcement trail: reports received, late reporters, actions, an area's timeline,
the transfer pipeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from planning import models as m
from planning.analysis.reporting import (
    ANNUAL,
    CIRCULAR_14_EFFECTIVE,
    MissingReport,
    ObligedArea,
    Submission,
    late_reports,
)


def reporting_kinds() -> tuple[str, ...]:
    """Kinds of area whose investors are checked (setting ``PLANNING_REPORTING_KINDS``; default
    CCN only — Circular 14/2024/TT-BCT; KCN have no confirmed periodic form, DOMAIN.md §1.5)."""
    return tuple(getattr(settings, "PLANNING_REPORTING_KINDS", ("CCN",)))


def obliged_areas(areas: Iterable[m.IndustrialArea]) -> list[ObligedArea]:
    return [
        ObligedArea(
            area_id=a.pk,
            name=a.name,
            kind=a.kind,
            status=a.status,
            developer_id=a.developer_id,
            developer_name=a.developer.name if a.developer_id else "",
            established_on=a.established_on,
        )
        for a in areas
    ]


def submissions_of(areas: Iterable[m.IndustrialArea]) -> list[Submission]:
    """Reports received: the periodic-report register, and each annual report's filing date
    (an :class:`~planning.models.AnnualReport` is the annual report of its year)."""
    ids = [a.pk for a in areas]
    out = [
        Submission(area_id=area_id, year=year, kind=kind, submitted_on=on)
        for area_id, year, kind, on in m.ReportSubmission.objects.filter(area__in=ids).values_list(
            "area_id", "year", "kind", "submitted_on"
        )
    ]
    out += [
        Submission(area_id=area_id, year=year, kind=ANNUAL, submitted_on=on)
        for area_id, year, on in m.AnnualReport.objects.filter(
            area__in=ids, submitted_on__isnull=False
        ).values_list("area_id", "year", "submitted_on")
    ]
    return out


def late_reporters(
    areas: Iterable[m.IndustrialArea],
    *,
    on: dt.date,
    since: dt.date = CIRCULAR_14_EFFECTIVE,
    kinds: tuple[str, ...] | None = None,
) -> list[MissingReport]:
    """Reports not received by their deadline on ``on`` (missing, or received late)."""
    areas = list(areas)
    return late_reports(
        obliged_areas(areas),
        submissions_of(areas),
        on=on,
        since=since,
        kinds=kinds or reporting_kinds(),
    )


def latest_actions(area_ids: Iterable[int]) -> dict[int, m.EnforcementAction]:
    """The newest action per area (by date issued, then id)."""
    out: dict[int, m.EnforcementAction] = {}
    qs = (
        m.EnforcementAction.objects.filter(area__in=list(area_ids))
        .select_related("developer")
        .order_by("area_id", "-issued_on", "-pk")
    )
    for a in qs:
        out.setdefault(a.area_id, a)
    return out


@dataclass
class TrailEntry:
    """One line of an area's enforcement timeline."""

    on: dt.date | None
    what: str
    document: str
    agency: str
    outcome: str
    synthetic: bool
    obj: object


def area_trail(area: m.IndustrialArea) -> list[TrailEntry]:
    """The enforcement timeline of ``area``, oldest first: actions and their outcomes, the
    conversion plan, transfer stages and recorded developer transfers."""
    out: list[TrailEntry] = []
    for a in m.EnforcementAction.objects.filter(area=area).order_by("issued_on", "pk"):
        outcome = a.get_outcome_display()
        if a.outcome_on:
            outcome = f"{outcome} ({a.outcome_on:%d/%m/%Y})"
        out.append(
            TrailEntry(
                a.issued_on,
                str(a.get_kind_display()),
                a.document_no,
                a.agency,
                str(outcome),
                a.is_synthetic,
                a,
            )
        )
    plan = m.ConversionPlan.objects.filter(area=area).first()
    if plan is not None:
        out.append(
            TrailEntry(
                plan.decided_on,
                _("Conversion plan: the land becomes %(use)s")
                % {"use": plan.get_land_becomes_display()},
                plan.decision,
                plan.agency,
                "",
                plan.is_synthetic,
                plan,
            )
        )
    case = m.TransferCase.objects.filter(area=area).select_related("interested_developer").first()
    transfers = m.DeveloperTransfer.objects.filter(area=area).select_related(
        "from_developer", "to_developer"
    )
    for t in transfers:
        out.append(
            TrailEntry(
                t.decided_on,
                _("Developer transferred: %(old)s → %(new)s")
                % {"old": t.from_developer.name, "new": t.to_developer.name},
                t.decision,
                "",
                "",
                bool(case and case.is_synthetic),
                t,
            )
        )
    if case is not None and case.stage != m.TransferCase.Stage.TRANSFERRED:
        who = case.interested_developer.name if case.interested_developer_id else ""
        out.append(
            TrailEntry(
                case.stage_on,
                _("Transfer to an enterprise: %(stage)s") % {"stage": case.get_stage_display()}
                + (f" — {who}" if who else ""),
                case.decision,
                "",
                "",
                case.is_synthetic,
                case,
            )
        )
    out.sort(key=lambda e: (e.on or dt.date.max, str(e.what)))
    return out


def transfer_pipeline(areas: Iterable[m.IndustrialArea]) -> list[m.TransferCase]:
    """Transfer cases of ``areas``, by stage order then area name."""
    order = {s: i for i, s in enumerate(m.TransferCase.STAGE_ORDER)}
    cases = list(
        m.TransferCase.objects.filter(area__in=[a.pk for a in areas]).select_related(
            "area", "from_developer", "interested_developer", "transfer"
        )
    )
    cases.sort(key=lambda c: (order.get(c.stage, 99), c.area.name))
    return cases
