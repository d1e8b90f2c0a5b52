"""Proposals over the API: the same workflow as the pages and WFS-T
(``planning.services.proposals``).

* ``GET /api/v1/proposals/`` — the proposals you may see (staff: your unit's; reviewers: those of
  your kind in your province, drafts excluded); ``?status=submitted,under_review``, ``?kind=CCN``,
  ``?queue=1`` (only those you review).
* ``POST /api/v1/proposals/`` — a new draft: JSON with a GeoJSON ``geometry`` (any CRS, given as
  ``crs``, e.g. ``EPSG:9217`` for VN-2000 Bình Định), or multipart with a ``file`` (GeoJSON, KML,
  zipped Shapefile, GeoPackage; one polygon, at most 10 MB) and the same fields.
* ``GET|PATCH|DELETE /api/v1/proposals/<id>/`` — detail with the rule checks and the timeline;
  change or delete a draft.
* ``POST /api/v1/proposals/<id>/<action>/`` — ``submit``, ``withdraw``, ``review``, ``comment``,
  ``request-changes``, ``approve``, ``reject``, with ``comment``.
* ``POST /api/v1/proposals/read-file/`` — the polygon of a file, in EPSG:4326 (nothing stored).
"""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from planning import access
from planning.api.analyses import geometry_from_geojson, parse_srid
from planning.api.base import BaseApi, extend_schema
from planning.api.proposal_files import geometry_from_file
from planning.services import proposals as svc
from planning.texts import translate


class ProposalRole(BasePermission):
    """Signed in as commune/district staff, a reviewer or an administrator."""

    message = gettext_lazy(
        "the proposal workflow needs a signed-in account of commune or district staff, "
        "a reviewer (industry_reviewer, ezone_reviewer) or an administrator"
    )

    def has_permission(self, request, view):
        return access.has_proposal_role(request.user)


# --- output --------------------------------------------------------------------------------------


def _user(u) -> dict | None:
    if u is None:
        return None
    return {"username": u.get_username(), "name": u.get_full_name() or u.get_username()}


def proposal_json(p, user, *, detail: bool = False) -> dict:
    out = {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "kind": p.kind,
        "status": p.status,
        "status_label": svc.status_label(p.status),
        "area_ha": round(p.area_ha, 2),
        "admin_unit": {"id": p.admin_unit_id, "code": p.admin_unit.code, "name": p.admin_unit.name},
        "proposed_by": _user(p.proposed_by),
        "rationale": p.rationale,
        "plan_entry": None
        if p.plan_entry_id is None
        else {"code": p.plan_entry.code, "name": p.plan_entry.name, "kind": p.plan_entry.kind},
        "needs_plan_amendment": p.needs_plan_amendment,
        "submitted_at": p.submitted_at,
        "decided_at": p.decided_at,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "resulting_area": None
        if p.resulting_area_id is None
        else {
            "id": p.resulting_area_id,
            "code": p.resulting_area.code,
            "status": p.resulting_area.status,
        },
        "actions": svc.allowed_actions(user, p),
        "url": reverse("api:proposal-detail", args=[p.pk]),
        "page": reverse("web:proposal-detail", args=[p.pk]),
        "geometry": json.loads(p.geom.geojson),
        # issue 13 rules: the figures the rules read, and the phases
        **{name: _detail(p, name) for name in svc.DETAIL_FIELDS},
        "demand_confirmed_at": p.demand_confirmed_at,
        "phases": [
            {
                "number": ph.number,
                "year": ph.year,
                "area_ha": None if ph.area_ha is None else round(ph.area_ha, 4),
                "geometry": None if ph.geom is None else json.loads(ph.geom.geojson),
            }
            for ph in p.phases.all()  # ordered by number (Meta); prefetched in lists
        ],
    }
    if detail:
        out["validation"] = translate(p.validation) if p.validation else None
        out["events"] = [
            {
                "action": e.action,
                "action_label": e.get_action_display(),
                "actor": _user(e.actor),
                "comment": e.comment,
                "at": e.created_at,
            }
            for e in p.events.select_related("actor").order_by("created_at", "pk")
        ]
    return out


def _detail(p, name):
    if name == "expands":
        return None if p.expands_id is None else p.expands.code
    return getattr(p, name)


class UnitOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class EventOutSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[a for a, _ in svc.Action.choices])
    action_label = serializers.CharField()
    actor = serializers.DictField(allow_null=True)
    comment = serializers.CharField()
    at = serializers.DateTimeField()


class ProposalOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="DX-<unit code>-<year>-<n>")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["CCN", "KCN"])
    status = serializers.ChoiceField(choices=svc.Status.values)
    status_label = serializers.CharField()
    area_ha = serializers.FloatField(help_text="measured in the unit's VN-2000 TM-3 zone")
    admin_unit = UnitOutSerializer()
    proposed_by = serializers.DictField(allow_null=True)
    rationale = serializers.CharField()
    plan_entry = serializers.DictField(
        allow_null=True, help_text="the provincial plan entry it carries out (code, name, kind)"
    )
    needs_plan_amendment = serializers.BooleanField(
        help_text="not on the provincial plan's list: needs a plan amendment"
    )
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    resulting_area = serializers.DictField(
        allow_null=True, help_text="the planned area an approval created"
    )
    actions = serializers.ListField(
        child=serializers.CharField(), help_text="steps you may take now"
    )
    geometry = serializers.JSONField(help_text="GeoJSON MultiPolygon, EPSG:4326")
    validation = serializers.JSONField(
        required=False, allow_null=True, help_text="stored rule checks"
    )
    events = EventOutSerializer(many=True, required=False, help_text="the timeline")
    # issue 13 rules
    is_craft_village = serializers.BooleanField()
    expands = serializers.CharField(allow_null=True, help_text="code of the area it expands")
    demand_exceeds_existing = serializers.BooleanField()
    demand_statement = serializers.CharField()
    demand_confirmed_at = serializers.DateTimeField(allow_null=True)
    industrial_land_ha = serializers.FloatField(allow_null=True)
    services_land_ha = serializers.FloatField(allow_null=True)
    green_land_ha = serializers.FloatField(allow_null=True)
    infrastructure_land_ha = serializers.FloatField(allow_null=True)
    isolation_strip_m = serializers.FloatField(allow_null=True)
    phases = serializers.ListField(child=serializers.DictField())


class ProposalListOutSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ProposalOutSerializer(many=True)


# --- input ---------------------------------------------------------------------------------------


class PhaseInputSerializer(serializers.Serializer):
    number = serializers.IntegerField(required=False, min_value=1)
    year = serializers.IntegerField(required=False, allow_null=True, min_value=1900)
    area_ha = serializers.FloatField(required=False, allow_null=True, min_value=0)
    geometry = serializers.JSONField(
        required=False, allow_null=True, help_text="GeoJSON Polygon/MultiPolygon, in ``crs``"
    )


def _details_of(d) -> dict:
    """The rule figures given in a request (issue 13 rules)."""
    return {name: d[name] for name in svc.DETAIL_FIELDS if name in d}


def _phases_of(d, srid) -> list | None:
    if "phases" not in d:
        return None
    return [
        {
            **{k: v for k, v in ph.items() if k != "geometry"},
            "geometry": None
            if ph.get("geometry") in (None, "")
            else geometry_from_geojson(ph["geometry"], srid),
        }
        for ph in d["phases"]
    ]


class ProposalInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=["CCN", "KCN"])
    admin_unit = serializers.CharField(
        help_text="code of the proposing unit (commune, or district before 1/7/2025)"
    )
    rationale = serializers.CharField(required=False, allow_blank=True, default="")
    plan_entry = serializers.CharField(
        required=False, allow_blank=True, help_text="code of the provincial plan entry"
    )
    needs_plan_amendment = serializers.BooleanField(required=False, default=False)
    geometry = serializers.JSONField(
        required=False, help_text="GeoJSON Polygon/MultiPolygon (or Feature)"
    )
    crs = serializers.CharField(
        required=False, help_text="EPSG code of the geometry, default 4326 (e.g. 9217)"
    )
    file = serializers.FileField(
        required=False, help_text="GeoJSON, KML, zipped Shapefile or GeoPackage"
    )
    srs = serializers.CharField(required=False, help_text="CRS of a file that declares none")
    # issue 13 rules: the figures the rules read, and the phases (nested; replace the stored ones)
    is_craft_village = serializers.BooleanField(required=False)
    expands = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="code of the area it expands"
    )
    demand_exceeds_existing = serializers.BooleanField(required=False)
    demand_statement = serializers.CharField(required=False, allow_blank=True)
    industrial_land_ha = serializers.FloatField(required=False, allow_null=True, min_value=0)
    services_land_ha = serializers.FloatField(required=False, allow_null=True, min_value=0)
    green_land_ha = serializers.FloatField(required=False, allow_null=True, min_value=0)
    infrastructure_land_ha = serializers.FloatField(required=False, allow_null=True, min_value=0)
    isolation_strip_m = serializers.FloatField(required=False, allow_null=True, min_value=0)
    phases = PhaseInputSerializer(many=True, required=False)


class ProposalPatchSerializer(ProposalInputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=["CCN", "KCN"], required=False)
    admin_unit = serializers.CharField(required=False)
    rationale = serializers.CharField(required=False, allow_blank=True)
    needs_plan_amendment = serializers.BooleanField(required=False, default=None, allow_null=True)


class ActionInputSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="required for comment, request-changes and reject",
    )


class FileInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    srs = serializers.CharField(required=False)


class FileOutSerializer(serializers.Serializer):
    geometry = serializers.JSONField()
    notes = serializers.ListField(child=serializers.CharField())


def _geometry_of(data, files) -> tuple[object, int | None]:
    """The geometry given as JSON (``geometry`` + ``crs``) or as a ``file``; (None, None) if
    neither."""
    upload = files.get("file") if files else None
    if upload is not None:
        geom, _notes = geometry_from_file(upload, srs=data.get("srs") or None)
        return geom, None
    raw = data.get("geometry")
    if raw in (None, ""):
        return None, None
    geom = geometry_from_geojson(raw, parse_srid(data.get("crs")))
    return geom, geom.srid


class _Base(BaseApi):
    permission_classes = [ProposalRole]
    parser_classes = [JSONParser, MultiPartParser, FormParser]


class ProposalListApi(_Base):
    """The proposals you may see; create a draft."""

    @extend_schema(
        summary="List proposals",
        responses=ProposalListOutSerializer,
        parameters=[
            OpenApiParameter("status", str, description="comma-separated statuses"),
            OpenApiParameter("kind", str, enum=["CCN", "KCN"]),
            OpenApiParameter("queue", bool, description="only the proposals you review"),
        ],
    )
    def get(self, request):
        queue = request.query_params.get("queue", "") in ("1", "true", "yes")
        qs = svc.visible_proposals(
            request.user,
            status=request.query_params.get("status"),
            kind=request.query_params.get("kind"),
            queue=queue,
        )
        rows = list(qs[:500])
        return Response(
            {"count": len(rows), "results": [proposal_json(p, request.user) for p in rows]}
        )

    @extend_schema(
        summary="Create a draft proposal",
        request={
            "application/json": ProposalInputSerializer,
            "multipart/form-data": ProposalInputSerializer,
        },
        responses={201: ProposalOutSerializer},
    )
    def post(self, request):
        svc.refuse_workflow_fields(request.data, creating=True)
        ser = ProposalInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        geom, srid = _geometry_of(request.data, request.FILES)
        if geom is None:
            raise svc.ProposalInvalid(_("geometry: give a GeoJSON geometry or upload a file"))
        p = svc.proposal_create(
            request.user,
            name=d["name"],
            kind=d["kind"],
            admin_unit=d["admin_unit"],
            geometry=geom,
            rationale=d.get("rationale", ""),
            srid=srid,
            details=_details_of(d),
            phases=_phases_of(d, parse_srid(request.data.get("crs"))),
            plan_entry=d.get("plan_entry") or None,
            needs_plan_amendment=d.get("needs_plan_amendment", False),
        )
        p = svc.get_visible(request.user, p.pk)
        return Response(
            proposal_json(p, request.user, detail=True),
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:proposal-detail", args=[p.pk])},
        )


class ProposalDetailApi(_Base):
    """One proposal with its rule checks and timeline; change or delete a draft."""

    @extend_schema(summary="A proposal", responses=ProposalOutSerializer)
    def get(self, request, pk: int):
        return Response(proposal_json(svc.get_visible(request.user, pk), request.user, detail=True))

    @extend_schema(
        summary="Change a draft",
        request={
            "application/json": ProposalPatchSerializer,
            "multipart/form-data": ProposalPatchSerializer,
        },
        responses=ProposalOutSerializer,
    )
    def patch(self, request, pk: int):
        p = svc.get_visible(request.user, pk)
        svc.refuse_workflow_fields(request.data)
        ser = ProposalPatchSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        geom, srid = _geometry_of(request.data, request.FILES)
        svc.proposal_update(
            request.user,
            p,
            name=d.get("name"),
            kind=d.get("kind"),
            admin_unit=d.get("admin_unit"),
            rationale=d.get("rationale"),
            geometry=geom,
            srid=srid,
            details=_details_of(d),
            phases=_phases_of(d, parse_srid(request.data.get("crs"))),
            plan_entry=d.get("plan_entry"),
            needs_plan_amendment=d.get("needs_plan_amendment"),
        )
        return Response(proposal_json(svc.get_visible(request.user, pk), request.user, detail=True))

    @extend_schema(summary="Delete a draft", request=None, responses={204: None})
    def delete(self, request, pk: int):
        svc.proposal_delete(request.user, svc.get_visible(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProposalActionApi(_Base):
    """A workflow step: submit, withdraw, review, comment, request-changes, approve, reject."""

    @extend_schema(
        summary="Take a workflow step",
        request=ActionInputSerializer,
        responses=ProposalOutSerializer,
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(svc.ACTIONS))],
    )
    def post(self, request, pk: int, action: str):
        p = svc.get_visible(request.user, pk)
        if action not in svc.ACTIONS:
            raise svc.ProposalNotFound(
                _("unknown step %(action)r; the steps are: %(steps)s")
                % {"action": action, "steps": ", ".join(svc.ACTIONS)}
            )
        ser = ActionInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        svc.proposal_act(request.user, p, action, ser.validated_data.get("comment", ""))
        return Response(proposal_json(svc.get_visible(request.user, pk), request.user, detail=True))


class ProposalFileApi(_Base):
    """Read the polygon of a boundary file (for the map before saving); nothing is stored."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Read a boundary file",
        request={"multipart/form-data": FileInputSerializer},
        responses=FileOutSerializer,
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise svc.ProposalInvalid(
                _("file: upload a GeoJSON, KML, zipped Shapefile or GeoPackage file")
            )
        geom, notes = geometry_from_file(upload, srs=request.data.get("srs") or None)
        return Response({"geometry": json.loads(geom.geojson), "notes": notes})
