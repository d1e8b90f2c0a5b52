"""Industrial parks (KCN) and clusters (CCN), and the developers that build their infrastructure."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from planning import geo
from planning.models.admin_units import AdminUnit, SpatialRecord

#: Rules every write of an IndustrialArea passes (``clean()`` for forms, WFS-T and imports,
#: ``save()`` for services and commands): callables taking the area and raising
#: ``ValidationError``. Registered by the modules that own them (issue 13: a CCN revoked needs a
#: conversion plan, ``planning.models.enforcement``), so this module imports none of them.
AREA_WRITE_CHECKS: list = []


class IndustrialAreaQuerySet(models.QuerySet):
    """``update()`` and ``bulk_update()`` pass the write checks too (e.g. a CCN revoked without a
    conversion plan is refused however it is written): every row whose checked fields change is
    checked as it would be stored."""

    def update(self, **kwargs):
        if AREA_WRITE_CHECKS and kwargs:
            for area in self.iterator():
                for name, value in kwargs.items():
                    if not hasattr(value, "resolve_expression"):
                        setattr(area, name, value)
                for check in AREA_WRITE_CHECKS:
                    check(area)
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        for area in objs:
            for check in AREA_WRITE_CHECKS:
                check(area)
        return super().bulk_update(objs, fields, *args, **kwargs)


class AreaKind(models.TextChoices):
    KCN = "KCN", _("Industrial park (KCN)")
    CCN = "CCN", _("Industrial cluster (CCN)")


class Developer(models.Model):
    """Chủ đầu tư xây dựng hạ tầng kỹ thuật."""

    class Kind(models.TextChoices):
        STATE = "state", _("State unit")
        ENTERPRISE = "enterprise", _("Enterprise")
        COOPERATIVE = "cooperative", _("Cooperative")

    name = models.CharField(_("developer name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    tax_code = models.CharField(_("tax code / unit code"), max_length=20, blank=True)
    charter_capital_bn_vnd = models.DecimalField(
        _("charter capital (bn VND)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    own_capital_bn_vnd = models.DecimalField(
        _("owner's equity (bn VND)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("According to the latest audited financial statements."),
    )
    own_capital_as_of = models.DateField(_("financial statement date"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    capital_is_synthetic = models.BooleanField(
        _("illustrative capital figures"),
        default=False,
        help_text=_(
            "The charter and own capital were invented for the demonstration (also for a real "
            "company), not taken from audited financial statements."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("developer")
        verbose_name_plural = _("developers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(charter_capital_bn_vnd__isnull=True) | Q(charter_capital_bn_vnd__gte=0),
                name="developer_charter_capital_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(own_capital_bn_vnd__isnull=True) | Q(own_capital_bn_vnd__gte=0),
                name="developer_own_capital_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    #: The figures ``capital_is_synthetic`` speaks for.
    CAPITAL_FIELDS = ("charter_capital_bn_vnd", "own_capital_bn_vnd", "own_capital_as_of")

    def save(self, *args, **kwargs):
        # Capital written through a door (admin, API, import) replaces the invented figure: it
        # is no longer marked illustrative — unless the writer sets the mark itself.
        if self.pk and self.capital_is_synthetic:
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .values("capital_is_synthetic", *self.CAPITAL_FIELDS)
                .first()
            )
            if (
                stored
                and stored["capital_is_synthetic"]
                and any(stored[f] != getattr(self, f) for f in self.CAPITAL_FIELDS)
            ):
                self.capital_is_synthetic = False
                _also_save(kwargs, "capital_is_synthetic")
        super().save(*args, **kwargs)


def _also_save(kwargs: dict, name: str) -> None:
    """Add ``name`` to a save's ``update_fields`` when it names some."""
    if kwargs.get("update_fields") is not None:
        kwargs["update_fields"] = {*kwargs["update_fields"], name}


class IndustrialArea(SpatialRecord):
    """A KCN or a CCN: boundary, land budget, status, developer, infrastructure, eco status."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ESTABLISHED = "established", _("Established")
        CLEARING = "clearing", _("Clearing land")
        BUILDING = "building", _("Building infrastructure")
        OPERATING = "operating", _("Operating")
        REVOKED = "revoked", _("Revoked")

    class EcoStatus(models.TextChoices):
        NONE = "none", _("Not converting")
        PLANNED = "planned", _("Conversion planned")
        CONVERTING = "converting", _("Converting")
        CERTIFIED = "certified", _("Certified eco-industrial park")

    objects = IndustrialAreaQuerySet.as_manager()

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=3, choices=AreaKind.choices)
    boundary = models.MultiPolygonField(_("boundary"), srid=4326)
    boundary_area_ha = models.FloatField(
        _("area by boundary (ha)"),
        editable=False,
        default=0,
        help_text=_("Measured in the administrative unit's VN-2000 TM-3 zone."),
    )
    planned_area_ha = models.DecimalField(_("planned area (ha)"), max_digits=10, decimal_places=2)
    industrial_land_ha = models.DecimalField(
        _("leasable industrial land (ha)"),
        max_digits=10,
        decimal_places=2,
        help_text=_("Industrial land that can be leased."),
    )
    leased_land_ha = models.DecimalField(
        _("leased industrial land (ha)"), max_digits=10, decimal_places=2, default=0
    )
    green_land_ha = models.DecimalField(
        _("green land (ha)"), max_digits=10, decimal_places=2, default=0
    )
    shared_infra_land_ha = models.DecimalField(
        _("roads and shared infrastructure land (ha)"),
        max_digits=10,
        decimal_places=2,
        default=0,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    established_on = models.DateField(_("date established"), null=True, blank=True)
    planning_decision = models.CharField(
        _("planning / establishment decision"), max_length=200, blank=True
    )
    developer = models.ForeignKey(
        Developer,
        verbose_name=_("infrastructure developer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="areas",
    )
    total_investment_bn_vnd = models.DecimalField(
        _("total infrastructure investment (bn VND)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    lease_price_usd_m2 = models.DecimalField(
        _("infrastructure lease price (USD/m²/term)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    roads_done_pct = models.PositiveSmallIntegerField(_("internal roads completed (%)"), default=0)
    power_done_pct = models.PositiveSmallIntegerField(_("power supply completed (%)"), default=0)
    water_done_pct = models.PositiveSmallIntegerField(_("water supply completed (%)"), default=0)
    wastewater_done_pct = models.PositiveSmallIntegerField(
        _("wastewater collection completed (%)"), default=0
    )
    wwtp_operating = models.BooleanField(_("central wastewater plant operating"), default=False)
    wwtp_capacity_m3_day = models.PositiveIntegerField(
        _("wastewater treatment capacity (m³/day)"), null=True, blank=True
    )
    isolation_strip_m = models.FloatField(
        _("width of the green buffer strip (m)"),
        null=True,
        blank=True,
        help_text=_("QCVN 01: at least 10 m."),
    )
    eco_status = models.CharField(
        _("eco-industrial park"), max_length=12, choices=EcoStatus.choices, default=EcoStatus.NONE
    )
    eco_criteria_met = models.JSONField(
        _("eco-park criteria met"),
        default=dict,
        blank=True,
        help_text=_('For example {"recp_awareness": true, "symbiosis_links": 2}.'),
    )
    is_smart = models.BooleanField(_("smart industrial park"), default=False)
    is_mountainous = models.BooleanField(_("in a mountainous area"), default=False)
    is_craft_village = models.BooleanField(_("craft-village cluster"), default=False)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("administrative unit (when reported)"),
        on_delete=models.PROTECT,
        related_name="industrial_areas",
    )
    province_name_reported = models.CharField(
        _("province (name when reported)"),
        max_length=60,
        blank=True,
        help_text=_(
            "The province's name in the source document, e.g. Bình Định before the merger."
        ),
    )
    is_synthetic_boundary = models.BooleanField(
        _("illustrative boundary"),
        default=False,
        help_text=_(
            "Boundary rebuilt near the real location, not yet digitised from the 1/2000 plan."
        ),
    )
    source = models.TextField(_("data source"), blank=True)
    synthetic_fields = models.JSONField(
        _("illustrative figures"),
        default=list,
        blank=True,
        help_text=_(
            "The fields whose values were invented for the demonstration, e.g. "
            '["total_investment_bn_vnd", "lease_price_usd_m2"]; the data source says which '
            "figures are sourced."
        ),
    )
    history = HistoricalRecords(verbose_name=_("industrial park / cluster history"))

    class Meta:
        verbose_name = _("industrial park / cluster")
        verbose_name_plural = _("industrial parks and clusters")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(leased_land_ha__lte=F("industrial_land_ha")),
                name="area_leased_le_leasable",
                violation_error_message=_(
                    "The leased area cannot exceed the leasable industrial land."
                ),
            ),
            models.CheckConstraint(
                condition=Q(industrial_land_ha__lte=F("planned_area_ha")),
                name="area_leasable_le_planned",
                violation_error_message=_(
                    "The leasable industrial land cannot exceed the planned area."
                ),
            ),
            models.CheckConstraint(
                condition=Q(planned_area_ha__gt=0)
                & Q(industrial_land_ha__gte=0)
                & Q(leased_land_ha__gte=0)
                & Q(green_land_ha__gte=0)
                & Q(shared_infra_land_ha__gte=0),
                name="area_land_nonneg",
                violation_error_message=_("Areas cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(roads_done_pct__lte=100)
                & Q(power_done_pct__lte=100)
                & Q(water_done_pct__lte=100)
                & Q(wastewater_done_pct__lte=100),
                name="area_infra_pct_le_100",
                violation_error_message=_("Infrastructure completion is at most 100%."),
            ),
            models.CheckConstraint(
                condition=Q(total_investment_bn_vnd__isnull=True)
                | Q(total_investment_bn_vnd__gte=0),
                name="area_investment_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(lease_price_usd_m2__isnull=True) | Q(lease_price_usd_m2__gte=0),
                name="area_lease_price_nonneg",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        for check in AREA_WRITE_CHECKS:
            check(self)

    def update_measures(self) -> None:
        self.boundary_area_ha = round(geo.area_ha(self.boundary, self.metric_srid), 4)

    def save(self, *args, **kwargs):
        for check in AREA_WRITE_CHECKS:
            check(self)
        # A figure written through a door (admin, API, WFS-T, import) replaces the invented one:
        # it leaves ``synthetic_fields`` — unless the writer sets the list itself (load_demo).
        if self.pk and self.synthetic_fields:
            names = {f.name for f in self._meta.concrete_fields}
            listed = [f for f in self.synthetic_fields if f in names]
            stored = (
                type(self).objects.filter(pk=self.pk).values("synthetic_fields", *listed).first()
            )
            if stored and list(stored["synthetic_fields"] or []) == list(self.synthetic_fields):
                kept = [
                    f
                    for f in self.synthetic_fields
                    if f not in names or stored[f] == getattr(self, f)
                ]
                if kept != list(self.synthetic_fields):
                    self.synthetic_fields = kept
                    _also_save(kwargs, "synthetic_fields")
        super().save(*args, **kwargs)

    @property
    def has_synthetic_data(self) -> bool:
        """Its boundary or any of its figures is illustrative."""
        return bool(self.is_synthetic_boundary or self.synthetic_fields)

    @property
    def occupancy(self) -> float | None:
        """Tỷ lệ lấp đầy: leased ÷ leasable industrial land (DOMAIN.md §3.1)."""
        if not self.industrial_land_ha:
            return None
        return float(self.leased_land_ha) / float(self.industrial_land_ha)


class DeveloperTransfer(models.Model):
    """A state-developed cluster passed to an enterprise (or another change of developer)."""

    area = models.ForeignKey(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="developer_transfers",
        verbose_name=_("industrial park / cluster"),
    )
    from_developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("former developer"),
    )
    to_developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("new developer"),
    )
    decided_on = models.DateField(_("decided on"))
    decision = models.CharField(_("decision"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)

    class Meta:
        verbose_name = _("developer transfer")
        verbose_name_plural = _("developer transfers")
        ordering = ["-decided_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_developer=F("to_developer")),
                name="transfer_distinct_developers",
                violation_error_message=_("The new developer must differ from the former one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.from_developer} → {self.to_developer}"
