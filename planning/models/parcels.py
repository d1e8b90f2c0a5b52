"""Clearance parcels (bồi thường, giải phóng mặt bằng). Household details are personal data."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from planning import geo
from planning.models.admin_units import AdminUnit, SpatialRecord
from planning.models.areas import IndustrialArea


class LandUse(models.TextChoices):
    """Land-use codes of the cadastral maps (Thông tư 08/2024/TT-BTNMT style)."""

    LUC = "LUC", _("Rice land (two crops or more)")
    LUK = "LUK", _("Other rice land")
    HNK = "HNK", _("Other annual crops")
    CLN = "CLN", _("Perennial crops")
    RSX = "RSX", _("Production forest")
    NTS = "NTS", _("Aquaculture")
    ONT = "ONT", _("Rural residential")
    ODT = "ODT", _("Urban residential")
    SKC = "SKC", _("Non-agricultural production")
    DGT = "DGT", _("Transport land")
    DTL = "DTL", _("Irrigation")
    NTD = "NTD", _("Cemetery")
    BCS = "BCS", _("Unused flat land")


class ClearanceParcel(SpatialRecord):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        INVENTORIED = "inventoried", _("Inventoried")
        PLAN_APPROVED = "plan_approved", _("Plan approved")
        COMPENSATED = "compensated", _("Compensated")
        HANDED_OVER = "handed_over", _("Handed over")

    # Fields that identify people: never published through WMS/WFS/API to anyone without the right.
    PERSONAL_FIELDS = ("holder_name", "holder_id_number", "households")

    area = models.ForeignKey(
        IndustrialArea,
        verbose_name=_("industrial park / cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parcels",
    )
    map_sheet = models.CharField(_("map sheet no."), max_length=20)
    parcel_no = models.CharField(_("parcel no."), max_length=20)
    boundary = models.MultiPolygonField(_("parcel boundary"), srid=4326)
    area_m2 = models.FloatField(_("measured area (m²)"), editable=False, default=0)
    land_use = models.CharField(_("land use"), max_length=3, choices=LandUse.choices)
    households = models.PositiveSmallIntegerField(_("affected households"), default=0)
    holder_name = models.CharField(_("land user"), max_length=200, blank=True)
    holder_id_number = models.CharField(
        _("land user's citizen ID number"), max_length=20, blank=True
    )
    status = models.CharField(
        _("clearance status"), max_length=14, choices=Status.choices, default=Status.NOT_STARTED
    )
    compensation_planned_mn_vnd = models.DecimalField(
        _("compensation planned (mn VND)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    compensation_paid_mn_vnd = models.DecimalField(
        _("compensation paid (mn VND)"), max_digits=14, decimal_places=2, default=0
    )
    inventoried_on = models.DateField(_("inventoried on"), null=True, blank=True)
    plan_approved_on = models.DateField(_("plan approved on"), null=True, blank=True)
    compensated_on = models.DateField(_("compensated on"), null=True, blank=True)
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("administrative unit (when reported)"),
        on_delete=models.PROTECT,
        related_name="parcels",
    )
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    history = HistoricalRecords(verbose_name=_("clearance parcel history"))

    class Meta:
        verbose_name = _("clearance parcel")
        verbose_name_plural = _("clearance parcels")
        ordering = ["area", "map_sheet", "parcel_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["admin_unit", "map_sheet", "parcel_no"], name="parcel_cadastral_id_uniq"
            ),
            models.CheckConstraint(
                condition=(
                    Q(compensation_planned_mn_vnd__isnull=True)
                    | Q(compensation_planned_mn_vnd__gte=0)
                )
                & Q(compensation_paid_mn_vnd__gte=0),
                name="parcel_amounts_nonneg",
                violation_error_message=_("Compensation amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(inventoried_on__isnull=True)
                | Q(plan_approved_on__isnull=True)
                | Q(plan_approved_on__gte=F("inventoried_on")),
                name="parcel_plan_after_inventory",
                violation_error_message=_("The plan approval must come after the inventory."),
            ),
            models.CheckConstraint(
                condition=Q(plan_approved_on__isnull=True)
                | Q(compensated_on__isnull=True)
                | Q(compensated_on__gte=F("plan_approved_on")),
                name="parcel_paid_after_plan",
                violation_error_message=_("The payment must come after the plan approval."),
            ),
            models.CheckConstraint(
                condition=Q(compensated_on__isnull=True)
                | Q(handed_over_on__isnull=True)
                | Q(handed_over_on__gte=F("compensated_on")),
                name="parcel_handover_after_payment",
                violation_error_message=_("The handover must come after the payment."),
            ),
        ]
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self) -> str:
        return _("Parcel %(parcel)s, sheet %(sheet)s") % {
            "parcel": self.parcel_no,
            "sheet": self.map_sheet,
        }

    def update_measures(self) -> None:
        self.area_m2 = round(geo.area_ha(self.boundary, self.metric_srid) * 10_000, 2)

    @classmethod
    def bulk_measures(cls, shapes, metric_srids, ok) -> dict:
        """:meth:`update_measures` over arrays (bulk imports, ``layers.io.bulk``): shapely
        geometries in EPSG:4326, each row's survey zone, and which rows to measure."""
        return {"area_m2": geo.bulk_areas_m2(shapes, metric_srids, ok)}
