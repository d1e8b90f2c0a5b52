"""Road corridors and infrastructure networks (for clusters along invested roads, and to the
fence)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from planning import geo
from planning.models.admin_units import AdminUnit, SpatialRecord


class InvestmentStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("investment status", "Planned")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    INVESTED = "invested", _("Built")


class RoadCorridor(SpatialRecord):
    class RoadClass(models.TextChoices):
        EXPRESSWAY = "expressway", _("Expressway")
        NATIONAL = "national", _("National road")
        PROVINCIAL = "provincial", _("Provincial road")
        DISTRICT = "district", _("District / urban road")
        LOCAL = "local", _("Local road")

    code = models.CharField(_("route code"), max_length=40, unique=True)
    name = models.CharField(_("route name"), max_length=200)
    route_ref = models.CharField(
        _("route number"), max_length=20, blank=True, help_text=_("QL19, ĐT639...")
    )
    road_class = models.CharField(_("road class"), max_length=12, choices=RoadClass.choices)
    centerline = models.MultiLineStringField(_("centreline"), srid=4326)
    length_m = models.FloatField(_("length (m)"), editable=False, default=0)
    right_of_way_m = models.FloatField(_("right of way (m)"), default=0)
    lanes = models.PositiveSmallIntegerField(_("lanes"), null=True, blank=True)
    status = models.CharField(
        _("investment status"), max_length=20, choices=InvestmentStatus.choices
    )
    investment_year = models.PositiveSmallIntegerField(
        _("investment start year"), null=True, blank=True
    )
    completion_year = models.PositiveSmallIntegerField(_("completion year"), null=True, blank=True)
    investment_bn_vnd = models.DecimalField(
        _("total investment (bn VND)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("managing province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roads",
    )
    is_synthetic = models.BooleanField(_("illustrative route"), default=False)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("road corridor")
        verbose_name_plural = _("road corridors")
        ordering = ["road_class", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(right_of_way_m__gte=0), name="road_row_nonneg"),
            models.CheckConstraint(
                condition=Q(investment_year__isnull=True)
                | Q(completion_year__isnull=True)
                | Q(completion_year__gte=models.F("investment_year")),
                name="road_years_in_order",
                violation_error_message=_("The completion year must come after the start year."),
            ),
            models.CheckConstraint(
                condition=Q(investment_bn_vnd__isnull=True) | Q(investment_bn_vnd__gte=0),
                name="road_investment_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def update_measures(self) -> None:
        self.length_m = round(geo.length_m(self.centerline, self.metric_srid), 2)


class InfrastructureLine(SpatialRecord):
    class Kind(models.TextChoices):
        POWER_HV = "power_hv", _("High-voltage line (110–220 kV)")
        POWER_MV = "power_mv", _("Medium-voltage line (22–35 kV)")
        WATER = "water", _("Water supply main")
        DRAINAGE = "drainage", _("Drainage line")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    geom = models.MultiLineStringField(_("line"), srid=4326)
    length_m = models.FloatField(_("length (m)"), editable=False, default=0)
    status = models.CharField(_("status"), max_length=20, choices=InvestmentStatus.choices)
    capacity = models.CharField(_("capacity / voltage / diameter"), max_length=60, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("administrative unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="infrastructure_lines",
    )
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)

    class Meta:
        verbose_name = _("infrastructure line")
        verbose_name_plural = _("infrastructure lines")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def update_measures(self) -> None:
        self.length_m = round(geo.length_m(self.geom, self.metric_srid), 2)


class InfrastructurePoint(SpatialRecord):
    class Kind(models.TextChoices):
        SUBSTATION = "substation", _("Substation")
        WATER_PLANT = "water_plant", _("Water plant")
        WWTP = "wwtp", _("Wastewater treatment plant")
        PORT = "port", _("Port")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    geom = models.PointField(_("location"), srid=4326)
    status = models.CharField(_("status"), max_length=20, choices=InvestmentStatus.choices)
    capacity = models.CharField(_("capacity"), max_length=60, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("administrative unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="infrastructure_points",
    )
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)

    class Meta:
        verbose_name = _("infrastructure facility")
        verbose_name_plural = _("infrastructure facilities")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class RoadInterchange(SpatialRecord):
    """Where vehicles enter or leave an expressway (nút giao).

    An expressway is access-controlled: vehicles enter and leave it only at designated points
    (Law on Road Traffic 2008, Art. 3; see ``planning.analysis.citations.EXPRESSWAY_ACCESS``), so
    a factory can reach it only through an interchange. The proposal rule ``road_access`` and
    site suggestion count an expressway only near one of its interchanges.
    """

    code = models.CharField(_("interchange code"), max_length=40, unique=True)
    name = models.CharField(_("interchange name"), max_length=200)
    expressway = models.ForeignKey(
        RoadCorridor,
        verbose_name=_("expressway"),
        on_delete=models.CASCADE,
        related_name="interchanges",
        limit_choices_to={"road_class": RoadCorridor.RoadClass.EXPRESSWAY},
    )
    crossing_road = models.ForeignKey(
        RoadCorridor,
        verbose_name=_("crossing road"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interchanges_crossing",
        help_text=_("The road the interchange connects the expressway to, where known."),
    )
    geom = models.PointField(_("location"), srid=4326)
    status = models.CharField(
        _("investment status"), max_length=20, choices=InvestmentStatus.choices
    )
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("administrative unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="road_interchanges",
    )
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("expressway interchange")
        verbose_name_plural = _("expressway interchanges")
        ordering = ["expressway", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.expressway_id and self.expressway.road_class != RoadCorridor.RoadClass.EXPRESSWAY:
            errors["expressway"] = _(
                "%(road)s is not an expressway: only expressways have interchanges."
            ) % {"road": self.expressway}
        if self.crossing_road_id and self.crossing_road_id == self.expressway_id:
            errors["crossing_road"] = _("The crossing road must be another road.")
        if self.expressway_id and self.geom is not None and "expressway" not in errors:
            # ASSUMPTION: a point further than this from its expressway is mis-digitised.
            limit = float(getattr(settings, "PLANNING_INTERCHANGE_MAX_OFFSET_M", 300.0))
            srid = self.expressway.metric_srid or settings.PLANNING_DEFAULT_METRIC_SRID
            offset = geo.distance_m(self.geom, self.expressway.centerline, srid)
            if offset > limit:
                errors["geom"] = _(
                    "The interchange lies %(offset)s m from %(road)s; it must lie on the "
                    "expressway (within %(limit)s m)."
                ) % {"offset": f"{offset:,.0f}", "road": self.expressway, "limit": f"{limit:g}"}
        if errors:
            raise ValidationError(errors)
