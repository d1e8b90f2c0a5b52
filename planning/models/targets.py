"""Yearly targets assigned by the province and the actuals reported: basis of the two-year rule."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from planning.models.admin_units import AdminUnit
from planning.models.areas import IndustrialArea


class Indicator(models.TextChoices):
    CLEARANCE_HA = "clearance_ha", "Diện tích GPMB bàn giao trong năm (ha)"
    INFRASTRUCTURE_PCT = "infrastructure_pct", "Khối lượng hạ tầng hoàn thành lũy kế (%)"
    LEASED_HA = "leased_ha", "Diện tích cho thuê mới trong năm (ha)"
    NEW_PROJECTS = "new_projects", "Số dự án thứ cấp thu hút mới"
    DISBURSED_BN_VND = "disbursed_bn_vnd", "Vốn đầu tư hạ tầng giải ngân trong năm (tỷ đồng)"


class DevelopmentTarget(models.Model):
    area = models.ForeignKey(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name="khu, cụm công nghiệp",
    )
    year = models.PositiveSmallIntegerField("năm")
    indicator = models.CharField("chỉ tiêu", max_length=20, choices=Indicator.choices)
    target_value = models.DecimalField("chỉ tiêu được giao", max_digits=12, decimal_places=2)
    decision = models.CharField("quyết định giao chỉ tiêu", max_length=200, blank=True)

    class Meta:
        verbose_name = "chỉ tiêu đầu tư, phát triển"
        verbose_name_plural = "chỉ tiêu đầu tư, phát triển"
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
        verbose_name="khu, cụm công nghiệp",
    )
    year = models.PositiveSmallIntegerField("năm")
    admin_unit = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        related_name="annual_reports",
        verbose_name="đơn vị hành chính (khi báo cáo)",
    )
    clearance_ha = models.DecimalField(
        "GPMB bàn giao trong năm (ha)", max_digits=10, decimal_places=2, default=0
    )
    infrastructure_pct = models.DecimalField(
        "hạ tầng hoàn thành lũy kế (%)", max_digits=5, decimal_places=1, default=0
    )
    leased_ha = models.DecimalField(
        "cho thuê mới trong năm (ha)", max_digits=10, decimal_places=2, default=0
    )
    new_projects = models.PositiveIntegerField("dự án thứ cấp mới", default=0)
    disbursed_bn_vnd = models.DecimalField(
        "vốn hạ tầng giải ngân (tỷ đồng)", max_digits=14, decimal_places=2, default=0
    )
    workers = models.PositiveIntegerField("lao động cuối năm", default=0)
    revenue_bn_vnd = models.DecimalField(
        "doanh thu (tỷ đồng)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    tax_bn_vnd = models.DecimalField(
        "nộp ngân sách (tỷ đồng)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    export_musd = models.DecimalField(
        "xuất khẩu (triệu USD)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    submitted_on = models.DateField("ngày báo cáo", null=True, blank=True)

    class Meta:
        verbose_name = "báo cáo năm"
        verbose_name_plural = "báo cáo năm"
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
                violation_error_message="Số liệu báo cáo không được âm; tỷ lệ hạ tầng tối đa 100%.",
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
