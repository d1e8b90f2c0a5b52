"""Eco- and smart-park conversion as a plan: the criteria catalogue, roadmaps and their evidence.

The Bình Định conclusion notice of 11 April 2025 (``../shared/sources/000_…``) asks that every
park and cluster convert to the eco-industrial model (criteria "cộng sinh công nghiệp, sử dụng
năng lượng xanh, tái chế, tuần hoàn, …") and that old parks (Phú Tài, Hòa Hội) convert
gradually to "eco and smart" parks, with measures against those that do not. Decree 35/2022/ND-CP
Art. 37 lists the developer's criteria (confirmed, text truncated); the enterprise-level numbers
are NOT CONFIRMED (DOMAIN.md §1.3). No official Vietnamese smart-park criteria are known
(DOMAIN.md): the smart checklist is the province's working list, an ASSUMPTION.

* :class:`ConversionCriterion`: the catalogue, data the Department extends (seeded by migration
  ``0015_eco_conversion_roadmaps``), each criterion with its basis and whether it is confirmed.
* :class:`ConversionRoadmap`: per area and programme (eco, smart): target year, deadline,
  responsible developer, the decision or commitment document. ``overdue`` = deadline passed and
  not achieved (eco: the area is certified; smart: every applicable checklist item met).
* :class:`CriterionProgress`: the status of one criterion on a roadmap, with its evidence. A
  criterion counts as met only with evidence (a document or description, and a date).

``IndustrialArea.is_smart`` is derived from the smart checklist once an area has one (every
door: admin, WFS-T, imports, the demo loader go through :func:`smart_sync` or the ``pre_save``
rule below); an area without a checklist keeps the value it was declared with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from planning.models.areas import AreaKind, Developer, IndustrialArea


class ConversionProgramme(models.TextChoices):
    ECO = "eco", _("Eco-industrial park")
    SMART = "smart", _("Smart industrial park")


class ConversionCriterion(models.Model):
    """One criterion of the eco or smart catalogue (data: the Department may add criteria)."""

    class Basis(models.TextChoices):
        NOTICE = "notice", _("Provincial conclusion notice of 11 April 2025")
        DECREE_35 = "decree35", _("Decree 35/2022/ND-CP")
        PROVINCE = "province", _("Province's working list")

    class Confirmation(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed in the source")
        NOT_CONFIRMED = "not_confirmed", _("NOT CONFIRMED")
        ASSUMPTION = "assumption", _("ASSUMPTION")

    programme = models.CharField(_("programme"), max_length=5, choices=ConversionProgramme.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    threshold = models.CharField(
        _("threshold"),
        max_length=200,
        blank=True,
        help_text=_("A figure the criterion asks for, e.g. '≥ 20 % of enterprises'."),
    )
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    confirmation = models.CharField(_("confirmation"), max_length=14, choices=Confirmation.choices)
    citation = models.TextField(_("citation"))
    applies_to = models.CharField(
        _("applies to"),
        max_length=3,
        choices=AreaKind.choices,
        blank=True,
        help_text=_("Empty: parks and clusters."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("conversion criterion")
        verbose_name_plural = _("conversion criteria")
        ordering = ["programme", "order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Vietnamese unless English is active)."""
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi

    def applies(self, kind: str) -> bool:
        return self.is_active and self.applies_to in ("", kind)


def criteria_for(programme: str, kind: str) -> list[ConversionCriterion]:
    """The active criteria of ``programme`` that apply to an area of ``kind``, in order."""
    return [
        c
        for c in ConversionCriterion.objects.filter(programme=programme, is_active=True)
        if c.applies(kind)
    ]


def conversion_achieved(programme: str, eco_status: str, statuses: Iterable[str]) -> bool:
    """The one rule: eco is achieved when the area is certified; smart when every applicable
    checklist item is met (an empty checklist is not complete)."""
    if programme == ConversionProgramme.ECO:
        return eco_status == IndustrialArea.EcoStatus.CERTIFIED
    statuses = list(statuses)
    return bool(statuses) and all(s == CriterionProgress.Status.MET for s in statuses)


class ConversionRoadmap(models.Model):
    """The plan of one area to become an eco (or smart) park, with its deadline."""

    area = models.ForeignKey(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="conversion_roadmaps",
        verbose_name=_("industrial park / cluster"),
    )
    programme = models.CharField(_("programme"), max_length=5, choices=ConversionProgramme.choices)
    target_year = models.PositiveSmallIntegerField(_("target year"))
    deadline = models.DateField(_("conversion deadline"))
    developer = models.ForeignKey(
        Developer,
        verbose_name=_("responsible developer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversion_roadmaps",
        help_text=_("Empty: the area's infrastructure developer."),
    )
    document = models.CharField(
        _("decision or commitment document"),
        max_length=200,
        blank=True,
        help_text=_("Number and title, e.g. 'Commitment 12/CK-PT'."),
    )
    document_date = models.DateField(_("document date"), null=True, blank=True)
    document_agency = models.CharField(_("issued by"), max_length=200, blank=True)
    document_file = models.FileField(
        _("document file"), upload_to="conversion/%Y/", max_length=255, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    history = HistoricalRecords(verbose_name=_("conversion roadmap history"))

    class Meta:
        verbose_name = _("conversion roadmap")
        verbose_name_plural = _("conversion roadmaps")
        ordering = ["area__name", "programme"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "programme"],
                name="roadmap_one_per_area_programme",
                violation_error_message=_(
                    "This park or cluster already has a roadmap for this programme."
                ),
            ),
            models.CheckConstraint(
                condition=Q(target_year__gte=2000) & Q(target_year__lte=2100),
                name="roadmap_target_year_range",
                violation_error_message=_("The target year must be between 2000 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} — {self.get_programme_display()}"

    @property
    def responsible_developer(self) -> Developer | None:
        return self.developer if self.developer_id else self.area.developer

    def criteria_rows(self) -> list[tuple[ConversionCriterion, CriterionProgress | None]]:
        """Every applicable criterion with its progress row (None: not started)."""
        rows = {p.criterion_id: p for p in self.criteria.all()}
        return [(c, rows.get(c.pk)) for c in criteria_for(self.programme, self.area.kind)]

    def counts(self) -> dict[str, int]:
        """Criteria met, in progress, not started and in total (applicable, active ones)."""
        out = {"met": 0, "in_progress": 0, "not_started": 0}
        for _c, p in self.criteria_rows():
            out[p.status if p else CriterionProgress.Status.NOT_STARTED] += 1
        out["total"] = sum(out.values())
        return out

    @property
    def achieved(self) -> bool:
        """Eco: the area is certified. Smart: every applicable checklist item is met."""
        statuses = [p.status if p else "not_started" for _c, p in self.criteria_rows()]
        return conversion_achieved(self.programme, self.area.eco_status, statuses)

    def is_overdue(self, today: dt.date) -> bool:
        """The deadline has passed (``today`` is after it) and the conversion is not achieved."""
        return today > self.deadline and not self.achieved

    def clean(self):
        super().clean()
        if self.target_year and self.deadline and self.deadline.year > self.target_year:
            # A deadline after the target year would make the target year meaningless.
            raise ValidationError(
                {
                    "deadline": _(
                        "The deadline (%(deadline)s) falls after the target year %(year)s."
                    )
                    % {"deadline": self.deadline.isoformat(), "year": self.target_year}
                }
            )

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)
        if self.programme == ConversionProgramme.SMART:
            smart_sync(self.area)


class CriterionProgress(models.Model):
    """The status of one criterion on a roadmap, and the evidence for it."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        MET = "met", _("Met")

    roadmap = models.ForeignKey(
        ConversionRoadmap,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("conversion roadmap"),
    )
    criterion = models.ForeignKey(
        ConversionCriterion,
        on_delete=models.PROTECT,
        related_name="progress",
        verbose_name=_("criterion"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    evidence_document = models.CharField(_("evidence document"), max_length=200, blank=True)
    evidence_description = models.TextField(_("evidence description"), blank=True)
    evidence_date = models.DateField(_("evidence date"), null=True, blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to="conversion/evidence/%Y/", max_length=255, blank=True
    )
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    history = HistoricalRecords(verbose_name=_("criterion progress history"))

    class Meta:
        verbose_name = _("criterion progress")
        verbose_name_plural = _("criteria progress")
        ordering = ["roadmap", "criterion__order", "criterion__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["roadmap", "criterion"],
                name="progress_one_per_criterion",
                violation_error_message=_("This criterion is already on the roadmap."),
            ),
            # A criterion counts as met only with its evidence: every door, bulk writes too.
            models.CheckConstraint(
                condition=~Q(status="met")
                | (
                    Q(evidence_date__isnull=False)
                    & (~Q(evidence_document="") | ~Q(evidence_description=""))
                ),
                name="progress_met_has_evidence",
                violation_error_message=_(
                    "A criterion is met only with evidence: a document or a description, and "
                    "its date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roadmap}: {self.criterion}"

    def clean(self):
        super().clean()
        if (
            self.roadmap_id
            and self.criterion_id
            and self.criterion.programme != self.roadmap.programme
        ):
            raise ValidationError(
                {
                    "criterion": _(
                        "This criterion belongs to the %(criterion)s programme, not to the "
                        "roadmap's (%(roadmap)s)."
                    )
                    % {
                        "criterion": self.criterion.get_programme_display(),
                        "roadmap": self.roadmap.get_programme_display(),
                    }
                }
            )

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)
        if self.roadmap.programme == ConversionProgramme.SMART:
            smart_sync(self.roadmap.area)

    def delete(self, *args, **kwargs):
        roadmap = self.roadmap
        out = super().delete(*args, **kwargs)
        if roadmap.programme == ConversionProgramme.SMART:
            smart_sync(roadmap.area)
        return out


def smart_value(area: IndustrialArea) -> bool | None:
    """``is_smart`` as the area's smart checklist says, or None when it has no checklist."""
    if not area.pk:
        return None
    roadmap = (
        ConversionRoadmap.objects.filter(area=area, programme=ConversionProgramme.SMART)
        .select_related("area")
        .first()
    )
    return None if roadmap is None else roadmap.achieved


def smart_sync(area: IndustrialArea) -> None:
    """Write ``area.is_smart`` from its smart checklist (through ``save``: history is kept)."""
    value = smart_value(area)
    area.refresh_from_db(fields=["is_smart"])
    if value is not None and area.is_smart != value:
        area.is_smart = value
        area.save(update_fields=["is_smart"])


@receiver(pre_save, sender=IndustrialArea, dispatch_uid="planning_is_smart_from_checklist")
def _is_smart_from_checklist(sender, instance: IndustrialArea, raw=False, **kwargs):
    """Any door writing an area (admin, WFS-T, import) keeps ``is_smart`` = its checklist."""
    if raw:
        return
    value = smart_value(instance)
    if value is not None:
        instance.is_smart = value
