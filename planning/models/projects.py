"""Secondary projects (dự án thứ cấp) that lease land inside a park or cluster."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from planning import geo
from planning.models.admin_units import SpatialRecord
from planning.models.areas import IndustrialArea


class SecondaryProject(SpatialRecord):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("Investment registered")
        BUILDING = "building", _("Building")
        OPERATING = "operating", _("Operating")
        STALLED = "stalled", _("Stalled / halted")
        REVOKED = "revoked", _("Revoked")

    area = models.ForeignKey(
        IndustrialArea,
        verbose_name=_("industrial park / cluster"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    code = models.CharField(
        _("project code / investment certificate no."), max_length=40, unique=True
    )
    name = models.CharField(_("project name"), max_length=250)
    investor = models.CharField(_("investor"), max_length=250)
    investor_country = models.CharField(_("investor country"), max_length=60, default="Việt Nam")
    sector = models.CharField(_("sector"), max_length=120)
    plot = models.MultiPolygonField(_("leased plot"), srid=4326, null=True, blank=True)
    plot_area_ha = models.FloatField(_("plot area by map (ha)"), editable=False, default=0)
    leased_area_ha = models.DecimalField(
        _("leased area by contract (ha)"), max_digits=10, decimal_places=3
    )
    registered_capital_bn_vnd = models.DecimalField(
        _("registered capital (bn VND)"), max_digits=14, decimal_places=2
    )
    disbursed_capital_bn_vnd = models.DecimalField(
        _("disbursed capital (bn VND)"), max_digits=14, decimal_places=2, default=0
    )
    planned_jobs = models.PositiveIntegerField(_("planned jobs"), default=0)
    actual_jobs = models.PositiveIntegerField(_("actual jobs"), default=0)
    annual_tax_bn_vnd = models.DecimalField(
        _("state budget contribution, latest year (bn VND)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    registered_on = models.DateField(_("investment certificate date"))
    construction_start_planned = models.DateField(
        _("scheduled construction start"), null=True, blank=True
    )
    operation_planned = models.DateField(_("scheduled start of operation"), null=True, blank=True)
    operation_actual = models.DateField(_("actual start of operation"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    history = HistoricalRecords(verbose_name=_("secondary project history"))

    class Meta:
        verbose_name = _("secondary project")
        verbose_name_plural = _("secondary projects")
        ordering = ["area", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(leased_area_ha__gt=0)
                & Q(registered_capital_bn_vnd__gte=0)
                & Q(disbursed_capital_bn_vnd__gte=0),
                name="project_amounts_nonneg",
                violation_error_message=_(
                    "The leased area must be positive and capital cannot be negative."
                ),
            ),
            models.CheckConstraint(
                condition=Q(construction_start_planned__isnull=True)
                | Q(construction_start_planned__gte=F("registered_on")),
                name="project_start_after_registration",
                violation_error_message=_(
                    "Construction must start after the investment registration."
                ),
            ),
            models.CheckConstraint(
                condition=Q(operation_planned__isnull=True)
                | Q(construction_start_planned__isnull=True)
                | Q(operation_planned__gte=F("construction_start_planned")),
                name="project_operation_after_start",
                violation_error_message=_("Operation must start after construction starts."),
            ),
            models.CheckConstraint(
                condition=Q(operation_actual__isnull=True)
                | Q(operation_actual__gte=F("registered_on")),
                name="project_actual_after_registration",
                violation_error_message=_(
                    "Actual operation must start after the investment registration."
                ),
            ),
        ]
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self) -> str:
        return self.name

    def resolve_metric_srid(self) -> int:
        if self.area_id and self.area.metric_srid:
            return self.area.metric_srid
        return super().resolve_metric_srid()

    def update_measures(self) -> None:
        self.plot_area_ha = round(geo.area_ha(self.plot, self.metric_srid), 4) if self.plot else 0


class ProjectMilestone(models.Model):
    """A step of a secondary project's investment schedule, planned and actual."""

    class Step(models.TextChoices):
        LAND_LEASE = "land_lease", _("Land lease contract signed")
        CONSTRUCTION_PERMIT = "construction_permit", _("Building permit issued")
        CONSTRUCTION_START = "construction_start", _("Construction started")
        CONSTRUCTION_END = "construction_end", _("Construction completed")
        OPERATION = "operation", _("In operation")

    project = models.ForeignKey(
        SecondaryProject,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("project"),
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    planned_on = models.DateField(_("scheduled date"))
    actual_on = models.DateField(_("actual date"), null=True, blank=True)

    class Meta:
        verbose_name = _("project milestone")
        verbose_name_plural = _("project milestones")
        ordering = ["project", "planned_on"]
        constraints = [
            models.UniqueConstraint(fields=["project", "step"], name="milestone_step_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_step_display()}"
