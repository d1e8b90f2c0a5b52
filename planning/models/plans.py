"""The provincial plan (quy hoạch tỉnh) as data: its decision, amendments and planned KCN/CCN.

A province's plan (e.g. Sóc Trăng 2021–2030, vision 2050) is approved by a decision and changed
by amendments, each with its own decision. The plan lists the parks (KCN) and clusters (CCN) it
provides for — :class:`PlanEntry`: name, kind, planned hectares, phases, KCN type, the economic
zone containing it, an optional indicative boundary — and links each entry to its
``IndustrialArea`` once one exists. Plan versus actual (``planning.analysis.plan_vs_actual``)
counts the entries, not the area records; establishment condition 1 (Decree 32/2024 for CCN,
Decree 35/2022 Art. 9 for KCN) asks whether a proposal is on this list.

Economic zones are a small model of their own (:class:`EconomicZone`) rather than a name on each
entry: several entries share one zone (Nhơn Hội EZ holds Nhơn Hội A/B/C and Becamex), and a zone
has its own figures and decision.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from planning import geo
from planning.models.admin_units import AdminUnit, SpatialRecord
from planning.models.areas import AreaKind, IndustrialArea
from planning.models.enforcement import ConversionPlan


def decision_label(number: str, date, agency: str, *, unknown: bool = False) -> str:
    """'Số …/QĐ-TTg, 2023-08-25, Thủ tướng Chính phủ' (the parts that are known, in that order).

    Stored data (published by WFS/WMS like the other Vietnamese record text), so not translated;
    a decision whose number is not confirmed by a source says so, never a guessed number.
    """
    parts = [number or "số quyết định chưa rõ", date.isoformat() if date else "", agency]
    text = ", ".join(p for p in parts if p)
    return f"{text} (chưa có nguồn xác nhận)" if unknown else text


class EconomicZone(models.Model):
    """Khu kinh tế: a zone (coastal or border-gate) that may contain planned parks."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    province = models.ForeignKey(
        AdminUnit,
        verbose_name=_("province (when approved)"),
        on_delete=models.PROTECT,
        related_name="economic_zones",
    )
    area_ha = models.DecimalField(
        _("area (ha)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision = models.CharField(_("establishing decision"), max_length=200, blank=True)
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    source = models.TextField(_("data source"), blank=True)
    history = HistoricalRecords(verbose_name=_("economic zone history"))

    class Meta:
        verbose_name = _("economic zone")
        verbose_name_plural = _("economic zones")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProvincialPlan(models.Model):
    """Quy hoạch tỉnh: approved by a decision, for a period, for the province of that time."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    province = models.ForeignKey(
        AdminUnit,
        verbose_name=_("province (when approved)"),
        on_delete=models.PROTECT,
        related_name="provincial_plans",
        help_text=_("The province the plan was approved for, e.g. Sóc Trăng before the merger."),
    )
    period_start = models.PositiveSmallIntegerField(_("period from (year)"))
    period_end = models.PositiveSmallIntegerField(_("period to (year)"))
    vision_year = models.PositiveSmallIntegerField(_("vision to (year)"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_agency = models.CharField(_("approving agency"), max_length=200, blank=True)
    decision_unsourced = models.BooleanField(
        _("decision not sourced"),
        default=False,
        help_text=_("The decision's number or date is not confirmed by a source."),
    )
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    source = models.TextField(_("data source"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(verbose_name=_("provincial plan history"))

    class Meta:
        verbose_name = _("provincial plan")
        verbose_name_plural = _("provincial plans")
        ordering = ["province__name", "-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="plan_period_ordered",
                violation_error_message=_("The period must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def decision(self) -> str:
        return decision_label(
            self.decision_number,
            self.decision_date,
            self.decision_agency,
            unknown=self.decision_unsourced,
        )

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Entries carry the decision as a published attribute (WFS, WMS): keep it current.
        PlanEntry.objects.filter(plan=self).exclude(plan_decision=self.decision).update(
            plan_decision=self.decision
        )


class PlanAmendment(models.Model):
    """Điều chỉnh quy hoạch: one amending decision and what it changed."""

    plan = models.ForeignKey(
        ProvincialPlan,
        verbose_name=_("provincial plan"),
        on_delete=models.CASCADE,
        related_name="amendments",
    )
    sequence = models.PositiveSmallIntegerField(
        _("order"), help_text=_("1 for the first amendment, 2 for the next …")
    )
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_agency = models.CharField(_("approving agency"), max_length=200, blank=True)
    decision_unsourced = models.BooleanField(_("decision not sourced"), default=False)
    changes = models.TextField(_("what it changed"))
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    source = models.TextField(_("data source"), blank=True)
    history = HistoricalRecords(verbose_name=_("plan amendment history"))

    class Meta:
        verbose_name = _("plan amendment")
        verbose_name_plural = _("plan amendments")
        ordering = ["plan", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="plan_amendment_sequence"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="plan_amendment_seq_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} — {self.decision}"

    @property
    def decision(self) -> str:
        return decision_label(
            self.decision_number,
            self.decision_date,
            self.decision_agency,
            unknown=self.decision_unsourced,
        )


class KcnType(models.TextChoices):
    """KCN types of Decree 35/2022 (DOMAIN §1.2) and the industrial–urban–service zone."""

    ECOLOGICAL = "ecological", _("Eco-industrial park")
    HIGH_TECH = "high_tech", _("High-tech industrial park")
    SPECIALISED = "specialised", _("Specialised industrial park")
    SUPPORTING = "supporting", _("Supporting-industry park")
    URBAN_SERVICE = "urban_service", _("Industrial–urban–service zone")


class PlanEntry(SpatialRecord):
    """A KCN or CCN on a provincial plan's list, linked to its area record once one exists."""

    plan = models.ForeignKey(
        ProvincialPlan,
        verbose_name=_("provincial plan"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=3, choices=AreaKind.choices)
    kcn_type = models.CharField(
        _("KCN type"), max_length=16, choices=KcnType.choices, blank=True, default=""
    )
    planned_area_ha = models.DecimalField(
        _("planned area (ha)"),
        max_digits=10,
        decimal_places=2,
        help_text=_("As the plan stands after its latest amendment."),
    )
    economic_zone = models.ForeignKey(
        EconomicZone,
        verbose_name=_("economic zone"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_entries",
    )
    expands = models.ForeignKey(
        "self",
        verbose_name=_("expansion of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="expansions",
        help_text=_("An expansion adds hectares to the entry it expands; it is not counted apart."),
    )
    area = models.OneToOneField(
        IndustrialArea,
        verbose_name=_("industrial park / cluster record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_entry",
    )
    added_by = models.ForeignKey(
        PlanAmendment,
        verbose_name=_("added by amendment"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,  # deleted with its plan, never alone while it is cited
        related_name="entries_added",
        help_text=_("Empty: on the plan since its original decision."),
    )
    removed_by = models.ForeignKey(
        PlanAmendment,
        verbose_name=_("removed by amendment"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,  # deleted with its plan, never alone while it is cited
        related_name="entries_removed",
    )
    geometry = models.MultiPolygonField(_("indicative boundary"), srid=4326, null=True, blank=True)
    geometry_area_ha = models.FloatField(
        _("area by indicative boundary (ha)"), editable=False, null=True
    )
    plan_decision = models.CharField(
        _("plan decision"), max_length=300, editable=False, blank=True, default=""
    )
    is_synthetic = models.BooleanField(
        _("illustrative data"),
        default=False,
        help_text=_("The entry or its area is not in a source (a split of the plan's total)."),
    )
    source = models.TextField(_("data source"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(verbose_name=_("plan entry history"))

    class Meta:
        verbose_name = _("plan entry")
        verbose_name_plural = _("plan entries")
        ordering = ["plan", "kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_area_ha__gt=0),
                name="plan_entry_area_pos",
                violation_error_message=_("The planned area must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def resolve_metric_srid(self) -> int:
        province = getattr(self, "plan", None) and self.plan.province
        if province is not None and province.metric_srid:
            return province.metric_srid
        return super().resolve_metric_srid()

    def update_measures(self) -> None:
        self.geometry_area_ha = (
            None
            if self.geometry is None
            else round(geo.area_ha(self.geometry, self.metric_srid), 4)
        )

    def clean(self):
        super().clean()
        errors = {}
        for name in ("added_by", "removed_by"):
            amendment = getattr(self, name)
            if amendment is not None and amendment.plan_id != self.plan_id:
                errors[name] = _("The amendment belongs to another plan.")
        if (
            self.added_by_id
            and self.removed_by_id
            and self.removed_by.sequence <= self.added_by.sequence
        ):
            errors["removed_by"] = _("An entry is removed by a later amendment than added it.")
        if self.area_id and self.area.kind != self.kind:
            errors["area"] = _("The linked park or cluster is of another kind.")
        if self.expands_id:
            if self.expands.plan_id != self.plan_id or self.expands_id == self.pk:
                errors["expands"] = _("An expansion expands another entry of the same plan.")
            elif self.expands.kind != self.kind:
                errors["expands"] = _("An expansion is of the kind of the entry it expands.")
        if self.kcn_type and self.kind != AreaKind.KCN:
            errors["kcn_type"] = _("Only a KCN has a KCN type.")
        removal = self.removal_refusal()
        if removal:
            errors["removed_by"] = removal
        if errors:
            raise ValidationError(errors)

    def removal_refusal(self) -> str | None:
        """Why this entry may not be taken off the plan, or None.

        Decree 66/2020/ND-CP Art. 1 cl. 5 (DOMAIN.md §2.6): a CCN withdrawn from the plan needs
        the conversion plan of its land. An established cluster (an entry linked to its area)
        is taken off the plan only once its conversion plan is recorded; an entry never
        established has no land to convert.
        """
        if self.kind != AreaKind.CCN or not self.removed_by_id or not self.area_id:
            return None
        if ConversionPlan.objects.filter(area_id=self.area_id).exists():
            return None
        return _(
            "%(area)s cannot be taken off the plan without a conversion plan for its land "
            "(Decree 66/2020/ND-CP, Article 1 clause 5): record the conversion plan first."
        ) % {"area": self.area.name}

    def save(self, *args, **kwargs):
        removal = self.removal_refusal()
        if removal:
            raise ValidationError({"removed_by": removal})
        self.plan_decision = self.plan.decision
        super().save(*args, **kwargs)


class PlanEntryPhase(models.Model):
    """A phase of a planned entry: its year and hectares (Decree 35: KCN phases ≤ 500 ha)."""

    entry = models.ForeignKey(
        PlanEntry, verbose_name=_("plan entry"), on_delete=models.CASCADE, related_name="phases"
    )
    sequence = models.PositiveSmallIntegerField(_("phase"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    area_ha = models.DecimalField(_("area (ha)"), max_digits=10, decimal_places=2)
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("plan entry phase")
        verbose_name_plural = _("plan entry phases")
        ordering = ["entry", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "sequence"], name="plan_phase_sequence"),
            models.CheckConstraint(condition=Q(area_ha__gt=0), name="plan_phase_area_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} — {self.sequence}"


class PlanEntryChange(models.Model):
    """An amendment's change of an entry's planned area (before → after)."""

    entry = models.ForeignKey(
        PlanEntry, verbose_name=_("plan entry"), on_delete=models.CASCADE, related_name="changes"
    )
    amendment = models.ForeignKey(
        PlanAmendment,
        verbose_name=_("amendment"),
        on_delete=models.CASCADE,
        related_name="entry_changes",
    )
    planned_area_ha_before = models.DecimalField(
        _("planned area before (ha)"), max_digits=10, decimal_places=2
    )
    planned_area_ha_after = models.DecimalField(
        _("planned area after (ha)"), max_digits=10, decimal_places=2
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("plan entry change")
        verbose_name_plural = _("plan entry changes")
        ordering = ["entry", "amendment__sequence"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "amendment"], name="plan_change_once"),
        ]

    def __str__(self) -> str:
        return f"{self.entry}: {self.planned_area_ha_before} → {self.planned_area_ha_after} ha"

    def clean(self):
        super().clean()
        if self.amendment_id and self.entry_id and self.amendment.plan_id != self.entry.plan_id:
            raise ValidationError({"amendment": _("The amendment belongs to another plan.")})


__all__ = [
    "EconomicZone",
    "KcnType",
    "PlanAmendment",
    "PlanEntry",
    "PlanEntryChange",
    "PlanEntryPhase",
    "PlannedSite",
    "ProvincialPlan",
    "decision_label",
    "ESTABLISHED_AREA_STATUSES",
]

#: IndustrialArea statuses that count as established (the analyses' ESTABLISHED_STATUSES).
ESTABLISHED_AREA_STATUSES = (
    IndustrialArea.Status.ESTABLISHED,
    IndustrialArea.Status.CLEARING,
    IndustrialArea.Status.BUILDING,
    IndustrialArea.Status.OPERATING,
)


class PlannedSiteManager(models.Manager):
    """Entries still on their plan, with an indicative boundary, and no established area."""

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(geometry__isnull=False, removed_by__isnull=True)
            .filter(
                Q(area__isnull=True)
                | Q(area__status__in=(IndustrialArea.Status.PLANNED, IndustrialArea.Status.REVOKED))
            )
        )


class PlannedSite(PlanEntry):
    """The published view of the plan (layer ``plan_entries``): planned parks and clusters not
    yet established, drawn dashed on the map. The same rows as :class:`PlanEntry`; the WMS
    style's ``where`` is the same filter in SQL (``layers.wms.styles``)."""

    objects = PlannedSiteManager()

    class Meta:
        proxy = True
        verbose_name = _("planned park / cluster (not yet established)")
        verbose_name_plural = _("planned parks and clusters (not yet established)")
