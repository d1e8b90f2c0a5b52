"""The enforcement trail over REST (issue 13): reports not received by the deadline, actions on
the watch list, conversion plans, the transfer pipeline. Thin: the rules are in
:mod:`planning.services.enforcement` and the models.

* ``GET /api/v1/reporting/late/?province=<id>&on=YYYY-MM-DD&format=json|csv|xlsx``
* ``GET|POST /api/v1/enforcement-actions/`` (``?area=<code>``), ``GET|PATCH …/<id>/``
* ``GET|POST /api/v1/conversion-plans/``
* ``GET /api/v1/transfer-cases/``, ``POST …/<id>/advance/``

Reading needs a planning role; writing, the provincial office of the area's kind.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from planning import models as m
from planning import tables
from planning.analysis.reporting import late_by_developer
from planning.api.auth import StaffRole
from planning.api.base import (
    FILE_TYPES,
    BaseApi,
    DownloadApi,
    download_responses,
    extend_schema,
    file_response,
)
from planning.selectors import enforcement as reads
from planning.selectors.analysis_inputs.areas import areas_in
from planning.services import enforcement as svc
from planning.texts import translate


def _area_field(**kw):
    return serializers.SlugRelatedField(
        slug_field="code", queryset=m.IndustrialArea.objects.all(), **kw
    )


def _developer_field(**kw):
    return serializers.SlugRelatedField(
        slug_field="name", queryset=m.Developer.objects.all(), allow_null=True, **kw
    )


class ActionSerializer(serializers.ModelSerializer):
    area = _area_field()
    developer = _developer_field(required=False)
    new_developer = _developer_field(required=False)

    class Meta:
        model = m.EnforcementAction
        fields = ["id", "area", *svc.ACTION_FIELDS]  # the fields the service writes
        read_only_fields = ["id"]
        validators = []  # the model's own checks run in the service (full_clean)


class ConversionPlanSerializer(serializers.ModelSerializer):
    area = _area_field()

    class Meta:
        model = m.ConversionPlan
        fields = [
            "id",
            "area",
            "land_becomes",
            "details",
            "decision",
            "decided_on",
            "agency",
            "is_synthetic",
        ]
        read_only_fields = ["id"]
        validators = []


class TransferCaseSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    from_developer = serializers.SlugRelatedField(slug_field="name", read_only=True)
    interested_developer = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = m.TransferCase
        fields = [
            "id",
            "area",
            "stage",
            "stage_on",
            "from_developer",
            "interested_developer",
            "decision",
            "transfer",
            "is_synthetic",
            "notes",
        ]
        read_only_fields = fields


class AdvanceSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=m.TransferCase.Stage.choices)
    on = serializers.DateField(required=False)
    interested_developer = _developer_field(required=False)
    decision = serializers.CharField(required=False, allow_blank=True, default="")


def _list_of(name: str, item) -> serializers.Serializer:
    """The ``{"count", "results"}`` answer of a list, for the schema."""
    return inline_serializer(
        name=name, fields={"count": serializers.IntegerField(), "results": item(many=True)}
    )


class LateRowSerializer(serializers.Serializer):
    area_code = serializers.CharField()
    area_name = serializers.CharField()
    kind = serializers.CharField()
    developer = serializers.CharField()
    period = serializers.CharField(help_text="2026-H1 (half-year) or 2026-Y (annual)")
    deadline = serializers.DateField()
    state = serializers.ChoiceField(choices=["missing", "late"])
    submitted_on = serializers.DateField(allow_null=True)
    days_late = serializers.IntegerField()
    message = serializers.CharField()
    citation = serializers.CharField()


class LateDeveloperSerializer(serializers.Serializer):
    developer_id = serializers.IntegerField(allow_null=True)
    developer_name = serializers.CharField()
    areas = serializers.ListField(child=serializers.CharField())
    missing = serializers.IntegerField()
    late = serializers.IntegerField()
    latest_period = serializers.CharField()
    message = serializers.CharField()


class LateReportsOutSerializer(serializers.Serializer):
    on = serializers.DateField()
    kinds = serializers.ListField(child=serializers.CharField())
    count = serializers.IntegerField()
    reports = LateRowSerializer(many=True)
    developers = LateDeveloperSerializer(many=True)


class _Base(BaseApi):
    permission_classes = [StaffRole]


class ActionListApi(_Base):
    """Actions on the watch list (newest first); record one."""

    @extend_schema(
        summary="List enforcement actions",
        responses=_list_of("EnforcementActionList", ActionSerializer),
        parameters=[OpenApiParameter("area", str, description="area code")],
    )
    def get(self, request):
        qs = m.EnforcementAction.objects.select_related("area", "developer", "new_developer")
        if request.query_params.get("area"):
            qs = qs.filter(area__code=request.query_params["area"])
        rows = ActionSerializer(qs[:1000], many=True).data
        return Response({"count": len(rows), "results": rows})

    @extend_schema(
        summary="Record an enforcement action",
        request=ActionSerializer,
        responses={201: ActionSerializer},
    )
    def post(self, request):
        ser = ActionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        values = dict(ser.validated_data)
        area = values.pop("area")
        action = svc.enforcement_action_record(user=request.user, area=area, **values)
        return Response(
            ActionSerializer(action).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:enforcement-action-detail", args=[action.pk])},
        )


class ActionDetailApi(_Base):
    """One action; change it (its outcome, typically)."""

    @extend_schema(summary="An enforcement action", responses=ActionSerializer)
    def get(self, request, pk: int):
        return Response(ActionSerializer(get_object_or_404(m.EnforcementAction, pk=pk)).data)

    @extend_schema(
        summary="Change an enforcement action",
        request=ActionSerializer,
        responses=ActionSerializer,
    )
    def patch(self, request, pk: int):
        action = get_object_or_404(m.EnforcementAction, pk=pk)
        ser = ActionSerializer(action, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        values = dict(ser.validated_data)
        if "area" in values and values.pop("area") != action.area:
            raise ValidationError({"area": _("an action stays with its area")})
        action = svc.enforcement_action_update(user=request.user, action=action, **values)
        return Response(ActionSerializer(action).data)


class ConversionPlanListApi(_Base):
    """Conversion plans of clusters taken off the plan; record (or replace) one."""

    @extend_schema(
        summary="List conversion plans",
        responses=_list_of("ConversionPlanList", ConversionPlanSerializer),
    )
    def get(self, request):
        rows = ConversionPlanSerializer(
            m.ConversionPlan.objects.select_related("area"), many=True
        ).data
        return Response({"count": len(rows), "results": rows})

    @extend_schema(
        summary="Record a conversion plan",
        request=ConversionPlanSerializer,
        responses={201: ConversionPlanSerializer},
    )
    def post(self, request):
        ser = ConversionPlanSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        values = dict(ser.validated_data)
        area = values.pop("area")
        plan = svc.conversion_plan_record(user=request.user, area=area, **values)
        return Response(ConversionPlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class TransferCaseListApi(_Base):
    """The pipeline of state-developed clusters to transfer, by stage."""

    @extend_schema(
        summary="List transfer cases",
        responses=_list_of("TransferCaseList", TransferCaseSerializer),
    )
    def get(self, request):
        cases = reads.transfer_pipeline(m.IndustrialArea.objects.all())
        rows = TransferCaseSerializer(cases, many=True).data
        return Response({"count": len(rows), "results": rows})


class TransferCaseAdvanceApi(_Base):
    """Move a case to a stage; "transferred" records the developer transfer."""

    @extend_schema(
        summary="Advance a transfer case",
        request=AdvanceSerializer,
        responses=TransferCaseSerializer,
    )
    def post(self, request, pk: int):
        case = get_object_or_404(m.TransferCase.objects.select_related("area"), pk=pk)
        ser = AdvanceSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        case = svc.transfer_case_advance(
            user=request.user,
            case=case,
            stage=d["stage"],
            on=d.get("on"),
            interested_developer=d.get("interested_developer"),
            decision=d.get("decision", ""),
        )
        return Response(TransferCaseSerializer(case).data)


LATE_COLUMNS = [
    tables.Column("area_code", "area_code", tables.TEXT),
    tables.Column("area_name", "area_name", tables.TEXT),
    tables.Column("kind", "kind", tables.TEXT),
    tables.Column("developer", "developer", tables.TEXT),
    tables.Column("period", "period", tables.TEXT),
    tables.Column("deadline", "deadline", tables.TEXT),
    tables.Column("state", "state", tables.TEXT),
    tables.Column("submitted_on", "submitted_on", tables.TEXT),
    tables.Column("days_late", "days_late", 0),
    tables.Column("message", "message", tables.TEXT),
]


class LateReportsApi(DownloadApi, _Base):
    """Reports not received by their deadline (Circular 14/2024/TT-BCT), per area and per
    developer, on a day (default today)."""

    formats = ("json", "csv", "xlsx")

    @extend_schema(
        summary="Periodic reports not received by the deadline",
        parameters=[
            OpenApiParameter("province", int, description="province id (default: all)"),
            OpenApiParameter("on", str, description="day of the check, YYYY-MM-DD (default today)"),
            OpenApiParameter("format", str, enum=list(formats)),
        ],
        responses=download_responses(formats, json_schema=LateReportsOutSerializer),
    )
    def get(self, request):
        fmt = self.download_format(request)
        on = request.query_params.get("on")
        try:
            day = dt.date.fromisoformat(on) if on else timezone.localdate()
        except ValueError:
            raise ValidationError({"on": _("not a date (YYYY-MM-DD): %(v)s") % {"v": on}}) from None
        province = None
        if request.query_params.get("province"):
            try:
                province = m.AdminUnit.objects.get(
                    pk=int(request.query_params["province"]), level="province"
                )
            except (ValueError, m.AdminUnit.DoesNotExist):
                raise ValidationError({"province": _("unknown province")}) from None
        areas = list(areas_in(province))
        codes = {a.pk: a.code for a in areas}
        late = reads.late_reporters(areas, on=day)
        rows = []
        for r in late:
            d = translate(r.to_dict())
            rows.append(
                {
                    "area_code": codes[r.area_id],
                    "area_name": r.area_name,
                    "kind": r.kind,
                    "developer": r.developer_name,
                    "period": r.period.key,
                    "deadline": r.period.deadline.isoformat(),
                    "state": r.state,
                    "submitted_on": r.submitted_on.isoformat() if r.submitted_on else None,
                    "days_late": r.days_late,
                    "message": d["message"],
                    "citation": d["citation"],
                }
            )
        if fmt == "json":
            developers = [translate(x.to_dict()) for x in late_by_developer(late)]
            return Response(
                {
                    "on": day.isoformat(),
                    "kinds": list(reads.reporting_kinds()),
                    "count": len(rows),
                    "reports": rows,
                    "developers": developers,
                }
            )
        headers = [c.key for c in LATE_COLUMNS]
        values = [[row[k] for k in headers] for row in rows]
        name = f"late_reports_{day.isoformat()}"
        if fmt == "csv":
            return file_response(
                tables.write_csv(headers, values), FILE_TYPES["csv"], name + ".csv"
            )
        sheet = tables.Sheet(_("Late reports"), values, LATE_COLUMNS, column_widths=True)
        return file_response(tables.write_xlsx([sheet]), FILE_TYPES["xlsx"], name + ".xlsx")
