"""Yearly targets assigned by the province and the actuals reported: basis of the two-year rule."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from planning.models.admin_units import AdminUnit
from planning.models.areas import IndustrialArea


class Indicator(models.TextChoices):
    CLEARANCE_HA = "clearance_ha", _("Clearance handed over in the year (ha)")
    INFRASTRUCTURE_PCT = "infrastructure_pct", _("Cumulative infrastructure completed (%)")
    LEASED_HA = "leased_ha", _("New land leased in the year (ha)")
    NEW_PROJECTS = "new_projects", _("New secondary projects attracted")
    DISBURSED_BN_VND = (
        "disbursed_bn_vnd",
        _("Infrastructure capital disbursed in the year (bn VND)"),
    )


class DevelopmentTarget(models.Model):
    area = models.ForeignKey(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("industrial park / cluster"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.CharField(_("indicator"), max_length=20, choices=Indicator.choices)
    target_value = models.DecimalField(_("assigned target"), max_digits=12, decimal_places=2)
    decision = models.CharField(_("target assignment decision"), max_length=200, blank=True)
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)

    class Meta:
        verbose_name = _("investment and development target")
        verbose_name_plural = _("investment and development targets")
        ordering = ["area", "year", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "indicator"], name="target_uniq"),
            models.CheckConstraint(condition=Q(target_value__gte=0), name="target_nonneg"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="target_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year}: {self.get_indicator_display()} = {self.target_value}"


class AnnualReport(models.Model):
    """Actuals for one area and year, with the unit the report was filed under."""

    area = models.ForeignKey(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("industrial park / cluster"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    admin_unit = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        related_name="annual_reports",
        verbose_name=_("administrative unit (when reported)"),
    )
    clearance_ha = models.DecimalField(
        _("clearance handed over in the year (ha)"), max_digits=10, decimal_places=2, default=0
    )
    infrastructure_pct = models.DecimalField(
        _("cumulative infrastructure completed (%)"), max_digits=5, decimal_places=1, default=0
    )
    leased_ha = models.DecimalField(
        _("new land leased in the year (ha)"), max_digits=10, decimal_places=2, default=0
    )
    new_projects = models.PositiveIntegerField(_("new secondary projects"), default=0)
    disbursed_bn_vnd = models.DecimalField(
        _("infrastructure capital disbursed (bn VND)"), max_digits=14, decimal_places=2, default=0
    )
    workers = models.PositiveIntegerField(_("workers at year end"), default=0)
    revenue_bn_vnd = models.DecimalField(
        _("revenue (bn VND)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    tax_bn_vnd = models.DecimalField(
        _("state budget contribution (bn VND)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    export_musd = models.DecimalField(
        _("exports (mn USD)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    submitted_on = models.DateField(_("reported on"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["area", "year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="report_area_year_uniq"),
            models.CheckConstraint(
                condition=Q(clearance_ha__gte=0)
                & Q(leased_ha__gte=0)
                & Q(disbursed_bn_vnd__gte=0)
                & Q(infrastructure_pct__gte=0)
                & Q(infrastructure_pct__lte=100),
                name="report_values_in_range",
                violation_error_message=_(
                    "Reported figures cannot be negative; infrastructure completion is at most "
                    "100%."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(revenue_bn_vnd__isnull=True) | Q(revenue_bn_vnd__gte=0))
                & (Q(tax_bn_vnd__isnull=True) | Q(tax_bn_vnd__gte=0)),
                name="report_money_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} — {self.year}"

    def actual(self, indicator: str):
        return getattr(self, indicator)
