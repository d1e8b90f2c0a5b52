"""Django admin with offline map widgets; history (who, when, before/after) where it is kept."""

from django import forms
from django.contrib import admin
from django.contrib.gis import admin as gis_admin
from django.contrib.gis.admin.options import GeoModelAdminMixin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from planning import models as m
from planning.errors import PlanningError
from planning.models.proposals import EDITABLE_STATUSES, WORKFLOW_FIELDS
from planning.services import proposals as workflow
from planning.services.analysis_runs import run_resubmit
from planning.widgets import PlanningMapWidget


class MapAdmin(gis_admin.GISModelAdmin):
    gis_widget = PlanningMapWidget
    list_per_page = 50


class HistoryMapAdmin(SimpleHistoryAdmin, MapAdmin):
    pass


class SuccessionInline(admin.TabularInline):
    model = m.AdminUnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]


@admin.register(m.AdminUnit)
class AdminUnitAdmin(MapAdmin):
    list_display = [
        "name",
        "code",
        "level",
        "parent",
        "valid_from",
        "valid_to",
        "zone_srid",
        "is_synthetic",
        "gso_code",
        "moha_code",
    ]
    list_filter = ["level", "is_synthetic", "zone_srid", "valid_to"]
    search_fields = ["name", "code", "gso_code", "moha_code"]
    autocomplete_fields = ["parent"]
    inlines = [SuccessionInline]
    readonly_fields = ["metric_srid"]


@admin.register(m.Developer)
class DeveloperAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "charter_capital_bn_vnd",
        "own_capital_bn_vnd",
        "is_synthetic",
        "capital_is_synthetic",
    ]
    list_filter = ["kind", "is_synthetic", "capital_is_synthetic"]
    search_fields = ["name", "tax_code"]


class ObstacleInline(admin.TabularInline):
    model = m.Obstacle
    extra = 0


class TargetInline(admin.TabularInline):
    model = m.DevelopmentTarget
    extra = 0


class ReportInline(admin.TabularInline):
    model = m.AnnualReport
    extra = 0
    autocomplete_fields = ["admin_unit"]


class TransferInline(admin.TabularInline):
    model = m.DeveloperTransfer
    extra = 0


@admin.register(m.IndustrialArea)
class IndustrialAreaAdmin(HistoryMapAdmin):
    list_display = [
        "name",
        "code",
        "kind",
        "status",
        "planned_area_ha",
        "boundary_area_ha",
        "industrial_land_ha",
        "leased_land_ha",
        "developer",
        "admin_unit",
        "eco_status",
    ]
    list_filter = [
        "kind",
        "status",
        "eco_status",
        "is_smart",
        "province_name_reported",
        "is_synthetic_boundary",
    ]
    search_fields = ["name", "code", "developer__name"]
    autocomplete_fields = ["developer", "admin_unit"]
    readonly_fields = ["boundary_area_ha", "metric_srid"]
    inlines = [ObstacleInline, TargetInline, ReportInline, TransferInline]


@admin.register(m.ClearanceParcel)
class ClearanceParcelAdmin(HistoryMapAdmin):
    list_display = [
        "__str__",
        "area",
        "land_use",
        "status",
        "area_m2",
        "households",
        "compensation_paid_mn_vnd",
    ]
    list_filter = ["status", "land_use", "area"]
    search_fields = ["parcel_no", "map_sheet", "area__name"]
    autocomplete_fields = ["area", "admin_unit"]
    readonly_fields = ["area_m2", "metric_srid"]


@admin.register(m.RoadCorridor)
class RoadCorridorAdmin(MapAdmin):
    list_display = [
        "name",
        "route_ref",
        "road_class",
        "status",
        "length_m",
        "investment_year",
        "is_synthetic",
    ]
    list_filter = ["road_class", "status", "is_synthetic"]
    search_fields = ["name", "route_ref", "code"]
    readonly_fields = ["length_m", "metric_srid"]


@admin.register(m.InfrastructureLine)
class InfrastructureLineAdmin(MapAdmin):
    list_display = ["name", "kind", "status", "capacity", "length_m"]
    list_filter = ["kind", "status"]
    search_fields = ["name"]
    readonly_fields = ["length_m", "metric_srid"]


@admin.register(m.InfrastructurePoint)
class InfrastructurePointAdmin(MapAdmin):
    list_display = ["name", "kind", "status", "capacity"]
    list_filter = ["kind", "status"]
    search_fields = ["name"]


class MilestoneInline(admin.TabularInline):
    model = m.ProjectMilestone
    extra = 0


@admin.register(m.SecondaryProject)
class SecondaryProjectAdmin(HistoryMapAdmin):
    list_display = [
        "name",
        "area",
        "investor",
        "investor_country",
        "sector",
        "leased_area_ha",
        "status",
    ]
    list_filter = ["status", "area", "investor_country"]
    search_fields = ["name", "investor", "code"]
    autocomplete_fields = ["area"]
    readonly_fields = ["plot_area_ha", "metric_srid"]
    inlines = [MilestoneInline]


@admin.register(m.Obstacle)
class ObstacleAdmin(admin.ModelAdmin):
    list_display = ["area", "category", "responsible_agency", "deadline", "status"]
    list_filter = ["category", "status"]
    search_fields = ["description", "area__name"]


@admin.register(m.DevelopmentTarget)
class DevelopmentTargetAdmin(admin.ModelAdmin):
    list_display = ["area", "year", "indicator", "target_value"]
    list_filter = ["year", "indicator"]
    search_fields = ["area__name"]


@admin.register(m.AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = [
        "area",
        "year",
        "clearance_ha",
        "infrastructure_pct",
        "leased_ha",
        "new_projects",
        "workers",
    ]
    list_filter = ["year"]
    search_fields = ["area__name"]


class ProposalEventInline(admin.TabularInline):
    """The timeline, read only: the review workflow writes it."""

    model = m.ProposalEvent
    extra = 0
    fields = readonly_fields = ["created_at", "action", "actor", "comment"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProposalPhaseInline(GeoModelAdminMixin, admin.StackedInline):
    """Issue 13 rules: the investment phases, edited with their proposal while it is a draft (or
    sent back for changes); the model refuses other writes (``ProposalPhase.check_workflow``)."""

    model = m.ProposalPhase
    gis_widget = PlanningMapWidget
    extra = 0
    fields = ["number", "year", "area_ha", "geom"]

    def _editable(self, obj) -> bool:
        return obj is None or obj.status in EDITABLE_STATUSES

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class ProposalAdminForm(forms.ModelForm):
    """The admin is one more door: the proposal workflow's rules apply here as everywhere
    (``planning.services.proposals``; the model refuses workflow fields outside the workflow)."""

    class Meta:
        model = m.Proposal
        fields = "__all__"

    def _post_clean(self):
        super()._post_clean()  # the form's values on the instance, and the model's own checks
        if self._errors:
            return
        user = getattr(self, "request_user", None)
        try:
            if self.instance._state.adding:
                workflow.prepare_new(user, self.instance)
            else:
                workflow.check_can_edit(user, m.Proposal.objects.get(pk=self.instance.pk))
        except PlanningError as exc:
            self.add_error(None, exc.message)


@admin.register(m.Proposal)
class ProposalAdmin(HistoryMapAdmin):
    """Drafts are edited here like anywhere else; the status changes only through the workflow
    (the proposal's page or the API), so the workflow fields are read only and a proposal past
    its draft is shown, not edited."""

    form = ProposalAdminForm
    list_display = [
        "name",
        "code",
        "kind",
        "status",
        "area_ha",
        "admin_unit",
        "proposed_by",
        "updated_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["admin_unit"]
    readonly_fields = ["area_ha", "metric_srid", *WORKFLOW_FIELDS]
    inlines = [ProposalEventInline, ProposalPhaseInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status not in EDITABLE_STATUSES:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != m.Proposal.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # "Delete selected" would delete submitted and decided proposals: only drafts, one by one.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)
        workflow.record_write(request.user, obj, created=not change, comment="admin")

    def delete_model(self, request, obj):
        workflow.proposal_delete(request.user, obj)


@admin.register(m.RasterLayer)
class RasterLayerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "srid", "resolution_m", "is_synthetic"]


@admin.register(m.DatasetLoad)
class DatasetLoadAdmin(admin.ModelAdmin):
    list_display = ["name", "loaded_at", "checksum"]
    readonly_fields = ["name", "checksum", "loaded_at", "counts", "notes"]


@admin.register(m.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "admin_unit", "area_kind"]
    list_filter = ["role", "area_kind"]
    search_fields = ["user__username", "admin_unit__name"]
    autocomplete_fields = ["admin_unit"]


# --- Analysis runs and their published results (issue 4) -------------------------------------
class SuggestedSiteInline(admin.TabularInline):
    model = m.SuggestedSite
    extra = 0
    can_delete = False
    fields = [
        "rank",
        "kind",
        "area_ha",
        "score",
        "nearest_road_name",
        "rice_land_ha",
        "admin_unit",
        "reasons",
    ]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "status",
        "progress",
        "admin_unit",
        "started_by",
        "created_at",
        "duration_s",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["admin_unit__name", "started_by__username", "error"]
    readonly_fields = [f.name for f in m.AnalysisRun._meta.fields]
    inlines = [SuggestedSiteInline]
    actions = ["rerun"]

    def has_add_permission(self, request):
        return False  # runs are started by commands, the API or the "rerun" action

    def get_inlines(self, request, obj):
        return (
            self.inlines
            if obj is not None and obj.kind == m.AnalysisRun.Kind.SITE_SUGGESTION
            else []
        )

    @admin.action(description="Chạy lại với cùng tham số")
    def rerun(self, request, queryset):
        runs = [run_resubmit(run, user=request.user) for run in queryset]
        self.message_user(request, "Đã xếp hàng: " + ", ".join(f"#{r.pk}" for r in runs))


@admin.register(m.SuggestedSite)
class SuggestedSiteAdmin(MapAdmin):
    list_display = [
        "__str__",
        "run",
        "kind",
        "area_ha",
        "score",
        "nearest_road_name",
        "rice_phasing_required",
        "admin_unit",
        "is_current",
    ]
    list_filter = ["kind", "is_current", "rice_phasing_required", "province_name"]
    search_fields = ["reasons", "nearest_road_name", "admin_unit__name"]
    readonly_fields = [
        "run",
        "rank",
        "kind",
        "area_ha",
        "score",
        "breakdown",
        "rice_land_ha",
        "rice_phasing_required",
        "road_frontage_m",
        "nearest_road_name",
        "nearest_road_status",
        "nearest_road_distance_m",
        "mean_slope_pct",
        "max_flood_depth_m",
        "population_in_reach",
        "reasons",
        "admin_unit",
        "province_name",
        "metric_srid",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(m.InfrastructureConnector)
class InfrastructureConnectorAdmin(MapAdmin):
    list_display = [
        "area_name",
        "network",
        "feature_name",
        "distance_m",
        "connected",
        "run",
        "is_current",
    ]
    list_filter = ["network", "connected", "is_current"]
    search_fields = ["area_name", "feature_name"]
    readonly_fields = [
        "run",
        "area",
        "area_code",
        "area_name",
        "network",
        "feature_name",
        "feature_kind",
        "distance_m",
        "connected",
        "metric_srid",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(m.ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports started from the web, read-only: who, which file into which layer, and the
    outcome."""

    list_display = [
        "id",
        "layer",
        "original_name",
        "mode",
        "status",
        "progress",
        "created_count",
        "updated_count",
        "started_by",
        "created_at",
        "duration_s",
    ]
    list_filter = ["status", "layer", "mode"]
    search_fields = ["original_name", "layer", "started_by__username", "error"]
    readonly_fields = [f.name for f in m.ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False  # jobs are started from the map page or the API

    def has_change_permission(self, request, obj=None):
        return False


# issue 13 eco: eco and smart conversion roadmaps ----------------------------------------------
@admin.register(m.ConversionCriterion)
class ConversionCriterionAdmin(admin.ModelAdmin):
    """The criteria catalogue: data the Department extends (basis and confirmation shown)."""

    list_display = [
        "code",
        "name_vi",
        "programme",
        "basis",
        "confirmation",
        "threshold",
        "applies_to",
        "order",
        "is_active",
    ]
    list_filter = ["programme", "basis", "confirmation", "is_active"]
    search_fields = ["code", "name_vi", "name_en", "citation"]
    ordering = ["programme", "order", "code"]


class CriterionProgressInline(admin.TabularInline):
    model = m.CriterionProgress
    extra = 0
    fields = [
        "criterion",
        "status",
        "evidence_document",
        "evidence_description",
        "evidence_date",
        "evidence_file",
        "is_synthetic",
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the criteria of the roadmap's programme (the model refuses the others too).
        if db_field.name == "criterion":
            programme = getattr(request, "_kcn_roadmap_programme", None)
            qs = m.ConversionCriterion.objects.filter(is_active=True)
            kwargs["queryset"] = qs.filter(programme=programme) if programme else qs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(m.ConversionRoadmap)
class ConversionRoadmapAdmin(SimpleHistoryAdmin):
    """A roadmap with its criteria and evidence; counts and overdue come from the model."""

    list_display = [
        "area",
        "programme",
        "target_year",
        "deadline",
        "criteria_met",
        "overdue",
        "responsible",
        "is_synthetic",
    ]
    list_filter = ["programme", "target_year", "is_synthetic"]
    search_fields = ["area__name", "area__code", "document"]
    autocomplete_fields = ["area", "developer"]
    readonly_fields = ["criteria_met", "overdue", "responsible"]
    inlines = [CriterionProgressInline]
    list_select_related = ["area", "area__developer", "developer"]

    def get_form(self, request, obj=None, **kwargs):
        request._kcn_roadmap_programme = obj.programme if obj else None
        return super().get_form(request, obj, **kwargs)

    @admin.display(description=_("criteria met"))
    def criteria_met(self, obj):
        if not obj.pk:
            return "—"
        c = obj.counts()
        return f"{c['met']}/{c['total']}"

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue(timezone.localdate()) if obj.pk else None

    @admin.display(description=_("responsible developer"))
    def responsible(self, obj):
        dev = obj.responsible_developer if obj.area_id else None
        return dev.name if dev else "—"


class ConversionRoadmapInline(admin.TabularInline):
    """The area's roadmaps; criteria and evidence are edited on the roadmap's own page."""

    model = m.ConversionRoadmap
    extra = 0
    fields = [
        "programme",
        "target_year",
        "deadline",
        "developer",
        "document",
        "document_date",
        "criteria_met",
        "overdue",
    ]
    readonly_fields = ["criteria_met", "overdue"]
    autocomplete_fields = ["developer"]
    show_change_link = True

    @admin.display(description=_("criteria met"))
    def criteria_met(self, obj):
        return ConversionRoadmapAdmin.criteria_met(None, obj)

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return ConversionRoadmapAdmin.overdue(None, obj)


# The smart flag follows the checklist once an area has one (planning.models.eco).
IndustrialAreaAdmin.inlines = [*IndustrialAreaAdmin.inlines, ConversionRoadmapInline]
IndustrialAreaAdmin.readonly_fields = [*IndustrialAreaAdmin.readonly_fields, "is_smart"]


# issue 13 roads — expressway interchanges (where a factory can reach an expressway)
@admin.register(m.RoadInterchange)
class RoadInterchangeAdmin(MapAdmin):
    list_display = ["name", "code", "expressway", "crossing_road", "status", "is_synthetic"]
    list_filter = ["status", "is_synthetic", "expressway"]
    search_fields = ["name", "code", "expressway__name", "crossing_road__name"]
    autocomplete_fields = ["expressway", "crossing_road", "admin_unit"]
    readonly_fields = ["metric_srid"]


# --- issue 13 enforce: reports received, enforcement actions, conversion plans, transfers -----
from planning.services import enforcement as enforcement_service  # noqa: E402


class _EnforcementForm(forms.ModelForm):
    """The admin is one more door: only the provincial office of the area's kind writes, and an
    outcome must be one the area can take (a CCN revoked needs its conversion plan)."""

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return
        area = getattr(self.instance, "area", None) if self.instance.area_id else None
        if area is None:
            return
        try:
            enforcement_service.check_can_enforce(self.request_user, area)
        except PlanningError as exc:
            self.add_error(None, exc.message)
            return
        reason = enforcement_service.outcome_refusal(self.instance)
        if reason:
            self.add_error("outcome" if "outcome" in self.fields else None, reason)


class _EnforcementAdminBase(SimpleHistoryAdmin):
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})


class EnforcementActionForm(_EnforcementForm):
    class Meta:
        model = m.EnforcementAction
        fields = "__all__"


@admin.register(m.EnforcementAction)
class EnforcementActionAdmin(_EnforcementAdminBase):
    form = EnforcementActionForm
    list_display = ["area", "kind", "document_no", "issued_on", "agency", "outcome", "developer"]
    list_filter = ["kind", "outcome", "is_synthetic"]
    search_fields = ["area__name", "document_no", "agency", "developer__name"]
    autocomplete_fields = ["area", "developer", "new_developer"]
    date_hierarchy = "issued_on"

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)
        # A revoke decided revokes the area; an investor replaced records the transfer (the
        # admin's change view runs in one transaction: a refusal here undoes the save).
        enforcement_service.enforcement_action_saved(user=request.user, action=obj)


class ConversionPlanForm(_EnforcementForm):
    class Meta:
        model = m.ConversionPlan
        fields = "__all__"


@admin.register(m.ConversionPlan)
class ConversionPlanAdmin(_EnforcementAdminBase):
    form = ConversionPlanForm
    list_display = ["area", "land_becomes", "decision", "decided_on", "agency", "is_synthetic"]
    list_filter = ["land_becomes", "is_synthetic"]
    search_fields = ["area__name", "decision"]
    autocomplete_fields = ["area"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.area.status == m.IndustrialArea.Status.REVOKED:
            return False  # a revoked cluster keeps its conversion plan
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class TransferCaseForm(_EnforcementForm):
    class Meta:
        model = m.TransferCase
        fields = "__all__"


@admin.register(m.TransferCase)
class TransferCaseAdmin(_EnforcementAdminBase):
    """Stages up to the decision are edited here; "transferred" is reached through the service
    (REST API ``…/transfer-cases/<id>/advance/``), which records the developer transfer and
    changes the area's developer — the form refuses it without a recorded transfer."""

    form = TransferCaseForm
    list_display = [
        "area",
        "stage",
        "stage_on",
        "from_developer",
        "interested_developer",
        "is_synthetic",
    ]
    list_filter = ["stage", "is_synthetic"]
    search_fields = ["area__name", "decision"]
    autocomplete_fields = ["area", "from_developer", "interested_developer"]
    readonly_fields = ["transfer"]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)


@admin.register(m.ReportSubmission)
class ReportSubmissionAdmin(SimpleHistoryAdmin):
    list_display = ["area", "year", "kind", "submitted_on", "developer", "document_no"]
    list_filter = ["year", "kind", "is_synthetic"]
    search_fields = ["area__name", "document_no", "developer__name"]
    autocomplete_fields = ["area", "developer"]


# --- issue 13 plan: provincial plans --------------------------------------------------------------
@admin.register(m.EconomicZone)
class EconomicZoneAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "province", "area_ha", "is_synthetic"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["province"]


class PlanAmendmentInline(admin.TabularInline):
    model = m.PlanAmendment
    extra = 0
    fields = [
        "sequence",
        "decision_number",
        "decision_date",
        "decision_agency",
        "decision_unsourced",
        "changes",
        "is_synthetic",
    ]


@admin.register(m.ProvincialPlan)
class ProvincialPlanAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "code",
        "province",
        "period_start",
        "period_end",
        "decision_number",
        "decision_date",
        "decision_unsourced",
    ]
    list_filter = ["decision_unsourced", "is_synthetic"]
    search_fields = ["name", "code", "decision_number"]
    autocomplete_fields = ["province"]
    inlines = [PlanAmendmentInline]


@admin.register(m.PlanAmendment)
class PlanAmendmentAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "sequence", "decision_number", "decision_date", "is_synthetic"]
    list_filter = ["plan", "is_synthetic"]
    search_fields = ["decision_number", "changes"]


class PlanEntryPhaseInline(admin.TabularInline):
    model = m.PlanEntryPhase
    extra = 0


class PlanEntryChangeInline(admin.TabularInline):
    model = m.PlanEntryChange
    extra = 0


@admin.register(m.PlanEntry)
class PlanEntryAdmin(HistoryMapAdmin):
    list_display = [
        "name",
        "code",
        "plan",
        "kind",
        "kcn_type",
        "planned_area_ha",
        "area",
        "economic_zone",
        "added_by",
        "removed_by",
        "is_synthetic",
    ]
    list_filter = ["plan", "kind", "kcn_type", "is_synthetic", "economic_zone"]
    search_fields = ["name", "code", "area__code", "area__name"]
    autocomplete_fields = ["area", "expands", "economic_zone"]
    readonly_fields = ["plan_decision", "geometry_area_ha", "metric_srid"]
    inlines = [PlanEntryPhaseInline, PlanEntryChangeInline]
