"""Provincial plans (quy hoạch tỉnh): read endpoints (issue 13 plan).

``/api/v1/plans/`` lists the plans with their decision, period and amendments;
``/api/v1/plans/<code>/`` adds the planned entries (kind, planned hectares, phases, KCN type,
economic zone, the amendment that added / removed them, the linked area record). Plans are
public, like the parks they list; writes go through the admin.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.response import Response

from planning import models as m
from planning.api.base import BaseApi, extend_schema


class AmendmentOutSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    decision = serializers.CharField(help_text="number, date, agency (or 'not sourced')")
    decision_number = serializers.CharField()
    decision_date = serializers.DateField(allow_null=True)
    decision_agency = serializers.CharField()
    decision_unsourced = serializers.BooleanField()
    changes = serializers.CharField()
    is_synthetic = serializers.BooleanField()


class PhaseOutSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    year = serializers.IntegerField(allow_null=True)
    area_ha = serializers.FloatField()
    is_synthetic = serializers.BooleanField()


class EntryOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["KCN", "CCN"])
    kcn_type = serializers.CharField()
    planned_area_ha = serializers.FloatField()
    economic_zone = serializers.CharField(allow_null=True)
    expands = serializers.CharField(allow_null=True)
    added_by = serializers.IntegerField(allow_null=True, help_text="amendment order")
    removed_by = serializers.IntegerField(allow_null=True, help_text="amendment order")
    area = serializers.DictField(allow_null=True, help_text="the area record: code, status")
    phases = PhaseOutSerializer(many=True)
    is_synthetic = serializers.BooleanField()
    source = serializers.CharField()


class PlanOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    province = serializers.DictField(help_text="the province it was approved for")
    period = serializers.ListField(child=serializers.IntegerField())
    vision_year = serializers.IntegerField(allow_null=True)
    decision = serializers.CharField()
    decision_unsourced = serializers.BooleanField()
    source = serializers.CharField()
    amendments = AmendmentOutSerializer(many=True)
    entries = EntryOutSerializer(many=True, required=False)


def _amendment(a: m.PlanAmendment) -> dict:
    return {
        "sequence": a.sequence,
        "decision": a.decision,
        "decision_number": a.decision_number,
        "decision_date": a.decision_date,
        "decision_agency": a.decision_agency,
        "decision_unsourced": a.decision_unsourced,
        "changes": a.changes,
        "is_synthetic": a.is_synthetic,
    }


def _entry(e: m.PlanEntry) -> dict:
    return {
        "code": e.code,
        "name": e.name,
        "kind": e.kind,
        "kcn_type": e.kcn_type,
        "planned_area_ha": float(e.planned_area_ha),
        "economic_zone": e.economic_zone.name if e.economic_zone_id else None,
        "expands": e.expands.code if e.expands_id else None,
        "added_by": e.added_by.sequence if e.added_by_id else None,
        "removed_by": e.removed_by.sequence if e.removed_by_id else None,
        "area": None if e.area_id is None else {"code": e.area.code, "status": e.area.status},
        "phases": [
            {
                "sequence": p.sequence,
                "year": p.year,
                "area_ha": float(p.area_ha),
                "is_synthetic": p.is_synthetic,
            }
            for p in e.phases.all()
        ],
        "is_synthetic": e.is_synthetic,
        "source": e.source,
    }


def plan_json(plan: m.ProvincialPlan, *, entries: bool = False) -> dict:
    out = {
        "code": plan.code,
        "name": plan.name,
        "province": {"code": plan.province.code, "name": plan.province.name},
        "period": [plan.period_start, plan.period_end],
        "vision_year": plan.vision_year,
        "decision": plan.decision,
        "decision_unsourced": plan.decision_unsourced,
        "source": plan.source,
        "amendments": [_amendment(a) for a in plan.amendments.order_by("sequence")],
    }
    if entries:
        qs = (
            plan.entries.select_related(
                "economic_zone", "expands", "added_by", "removed_by", "area"
            )
            .prefetch_related("phases")
            .order_by("kind", "code")
        )
        out["entries"] = [_entry(e) for e in qs]
    return out


class PlanListApi(BaseApi):
    """The provincial plans, their decisions and amendments."""

    @extend_schema(summary="Provincial plans", responses=PlanOutSerializer(many=True))
    def get(self, request):
        plans = m.ProvincialPlan.objects.select_related("province").order_by("code")
        return Response([plan_json(p) for p in plans])


class PlanDetailApi(BaseApi):
    """One provincial plan with its planned parks and clusters."""

    @extend_schema(summary="A provincial plan with its entries", responses=PlanOutSerializer)
    def get(self, request, code: str):
        plan = get_object_or_404(m.ProvincialPlan.objects.select_related("province"), code=code)
        return Response(plan_json(plan, entries=True))
