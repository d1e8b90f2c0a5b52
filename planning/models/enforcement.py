"""The enforcement trail: periodic reports received, actions taken on the watch list, the
conversion plan of a cluster taken off the plan, and the transfer of state-developed clusters.

* :class:`ReportSubmission`: a half-year or annual report received (Circular 14/2024/TT-BCT,
  amended by 38/2025; periods and deadlines in :mod:`planning.analysis.reporting`).
* :class:`EnforcementAction`: what the province did about a developer and an area on the
  two-years watch list (Bình Định conclusion notice of 11 April 2025): a reminder, a request
  for explanation, a decision to revoke or to adjust the investor — document, date, agency,
  outcome. Written by :mod:`planning.services.enforcement` (a revoke's outcome changes the
  area's status there, one rule for every door).
* :class:`ConversionPlan`: what the land of a CCN taken off the plan becomes (Decree 66/2020
  Art. 1 cl. 5, DOMAIN.md §2.6). **Rule, in the model**: a CCN cannot be revoked without one
  (:func:`revocation_refusal`, checked by ``IndustrialArea.clean()`` and ``.save()``).
* :class:`TransferCase`: one state-developed cluster on its way to an enterprise, stage by stage
  (candidate → investor interest → dossier → decision → transferred); the transferred end is a
  :class:`~planning.models.areas.DeveloperTransfer`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from planning.models.areas import AREA_WRITE_CHECKS, Developer, DeveloperTransfer, IndustrialArea


class ReportKind(models.TextChoices):
    HALF_YEAR = "half_year", _("Half-year report")
    ANNUAL = "annual", _("Annual report")


class ReportSubmission(models.Model):
    """A periodic report received from an area's infrastructure investor.

    An :class:`~planning.models.targets.AnnualReport` with its ``submitted_on`` also counts as
    the annual report of its year (the figures are there); this table records the half-year
    reports and any annual report received without figures typed in.
    """

    area = models.ForeignKey(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="report_submissions",
        verbose_name=_("industrial park / cluster"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("report"), max_length=10, choices=ReportKind.choices)
    developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_submissions",
        verbose_name=_("reported by (developer)"),
    )
    submitted_on = models.DateField(_("received on"))
    document_no = models.CharField(_("document number"), max_length=100, blank=True)
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(verbose_name=_("periodic report history"))

    class Meta:
        verbose_name = _("periodic report received")
        verbose_name_plural = _("periodic reports received")
        ordering = ["area", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "kind"], name="report_submission_uniq"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="report_submission_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} — {self.get_kind_display()} {self.year}"


class EnforcementAction(models.Model):
    """An action of the province about an area and its developer (the watch list's sequel)."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        EXPLANATION = "explanation", _("Request for explanation")
        REVOKE = "revoke", _("Decision to revoke")
        ADJUST_INVESTOR = "adjust_investor", _("Decision to adjust the investor")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        COMPLIED = "complied", _("Complied")
        EXPLAINED = "explained", _("Explanation received")
        REVOKED = "revoked", _("Revoked")
        INVESTOR_REPLACED = "investor_replaced", _("Investor replaced")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    #: Outcomes each kind of action can have (a reminder is not "revoked").
    OUTCOMES_BY_KIND = {
        "reminder": ("pending", "complied", "explained", "withdrawn"),
        "explanation": ("pending", "complied", "explained", "withdrawn"),
        "revoke": ("pending", "revoked", "withdrawn"),
        "adjust_investor": ("pending", "investor_replaced", "withdrawn"),
    }

    area = models.ForeignKey(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="enforcement_actions",
        verbose_name=_("industrial park / cluster"),
    )
    developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enforcement_actions",
        verbose_name=_("developer concerned"),
    )
    kind = models.CharField(_("action"), max_length=16, choices=Kind.choices)
    document_no = models.CharField(_("document number"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    agency = models.CharField(_("issuing agency"), max_length=200)
    watch_years = models.CharField(
        _("years missed"),
        max_length=60,
        blank=True,
        help_text=_("The years of missed targets the action is about, e.g. 2023, 2024."),
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    new_developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enforcement_takeovers",
        verbose_name=_("new developer"),
        help_text=_("For a decision to adjust the investor: who takes over."),
    )
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(verbose_name=_("enforcement action history"))

    class Meta:
        verbose_name = _("enforcement action")
        verbose_name_plural = _("enforcement actions")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "kind", "document_no"], name="enforcement_action_uniq"
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending") | Q(outcome_on__isnull=False),
                name="enforcement_outcome_dated",
                violation_error_message=_("An outcome other than pending needs its date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_kind_display()} {self.document_no}"

    def clean(self):
        super().clean()
        allowed = self.OUTCOMES_BY_KIND.get(self.kind, ())
        if self.kind and self.outcome and self.outcome not in allowed:
            raise ValidationError(
                {
                    "outcome": _gettext(
                        "Outcome “%(outcome)s” does not fit a %(kind)s; possible: %(allowed)s."
                    )
                    % {
                        "outcome": self.get_outcome_display(),
                        "kind": self.get_kind_display(),
                        "allowed": ", ".join(str(self.Outcome(o).label) for o in allowed),
                    }
                }
            )
        if self.outcome_on and self.issued_on and self.outcome_on < self.issued_on:
            raise ValidationError(
                {"outcome_on": _gettext("The outcome cannot precede the action.")}
            )
        if self.outcome == self.Outcome.INVESTOR_REPLACED and self.new_developer_id is None:
            raise ValidationError({"new_developer": _gettext("Name the developer who takes over.")})


class ConversionPlan(models.Model):
    """What the land of a CCN taken off the plan becomes (phương án chuyển đổi)."""

    class LandBecomes(models.TextChoices):
        AGRICULTURE = "agriculture", _("Agricultural land")
        URBAN = "urban", _("Urban or residential land")
        SERVICES = "services", _("Trade and services land")
        OTHER_INDUSTRIAL = "industrial", _("Other production or business land")
        PUBLIC = "public", _("Public-use land")
        OTHER = "other", _("Other")

    area = models.OneToOneField(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="conversion_plan",
        verbose_name=_("industrial cluster"),
    )
    land_becomes = models.CharField(_("land becomes"), max_length=12, choices=LandBecomes.choices)
    details = models.TextField(_("conversion plan"), blank=True)
    decision = models.CharField(_("decision"), max_length=200)
    decided_on = models.DateField(_("decided on"))
    agency = models.CharField(_("issuing agency"), max_length=200, blank=True)
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    history = HistoricalRecords(verbose_name=_("conversion plan history"))

    class Meta:
        verbose_name = _("conversion plan of a cluster taken off the plan")
        verbose_name_plural = _("conversion plans of clusters taken off the plan")
        ordering = ["-decided_on"]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_land_becomes_display()} ({self.decision})"

    def delete(self, *args, **kwargs):
        if (
            self.area.kind == "CCN"
            and IndustrialArea.objects.filter(pk=self.area_id, status="revoked").exists()
        ):
            raise ValidationError(
                _gettext(
                    "%(area)s is revoked: its conversion plan is required and cannot be deleted."
                )
                % {"area": self.area}
            )
        return super().delete(*args, **kwargs)


def revocation_refusal(area: IndustrialArea) -> str | None:
    """Why ``area`` may not be stored as revoked, or None.

    Decree 66/2020/ND-CP Art. 1 cl. 5 (DOMAIN.md §2.6): when a CCN is withdrawn from the plan,
    the conversion plan of that CCN must be specified. The service ties "withdrawn from the plan"
    to the status ``revoked``; a provincial plan entry removed from the plan calls
    :func:`planning.services.enforcement.area_revoke`, which stores that status here.
    """
    if area.kind != "CCN" or area.status != IndustrialArea.Status.REVOKED:
        return None
    if area.pk is not None:
        stored = IndustrialArea.objects.filter(pk=area.pk).values_list("status", flat=True).first()
        if stored == IndustrialArea.Status.REVOKED:
            return None  # already revoked: the rule is about the step, not about old records
        if ConversionPlan.objects.filter(area_id=area.pk).exists():
            return None
    return _gettext(
        "%(area)s cannot be revoked or taken off the plan without a conversion plan for its land "
        "(Decree 66/2020/ND-CP, Article 1 clause 5): record the conversion plan first."
    ) % {"area": area.name or area.code}


def _check_revocation(area: IndustrialArea) -> None:
    reason = revocation_refusal(area)
    if reason:
        raise ValidationError({"status": reason})


AREA_WRITE_CHECKS.append(_check_revocation)


class TransferCase(models.Model):
    """A state-developed cluster on its way to an enterprise (Bình Định notice of 11 April 2025,
    DOMAIN.md §2.4: "từng bước thực hiện chuyển giao các cụm công nghiệp do Nhà nước làm chủ
    đầu tư sang doanh nghiệp"; the procedure itself is NOT CONFIRMED in law, so the stages are
    the notice's own words: investors interested, dossier, decision)."""

    class Stage(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate for transfer")
        INTEREST = "interest", _("Investor interested")
        DOSSIER = "dossier", _("Dossier being prepared")
        DECISION = "decision", _("Transfer decided")
        TRANSFERRED = "transferred", _("Transferred")
        DROPPED = "dropped", _("Dropped")

    STAGE_ORDER = ("candidate", "interest", "dossier", "decision", "transferred")

    area = models.OneToOneField(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="transfer_case",
        verbose_name=_("industrial cluster"),
    )
    from_developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        related_name="transfer_cases_out",
        verbose_name=_("state developer"),
    )
    interested_developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer_cases_in",
        verbose_name=_("interested enterprise"),
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.CANDIDATE
    )
    stage_on = models.DateField(_("stage reached on"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=200, blank=True)
    transfer = models.OneToOneField(
        DeveloperTransfer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
        verbose_name=_("transfer recorded"),
    )
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(verbose_name=_("transfer case history"))

    class Meta:
        verbose_name = _("transfer of a state-developed cluster")
        verbose_name_plural = _("transfers of state-developed clusters")
        ordering = ["area"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="transferred") | Q(transfer__isnull=False),
                name="transfer_case_transferred_has_transfer",
                violation_error_message=_(
                    "A transferred cluster needs the developer transfer that records it."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=["interest", "dossier", "decision"])
                | Q(interested_developer__isnull=False),
                name="transfer_case_interest_named",
                violation_error_message=_(
                    "From investor interest on, name the interested enterprise."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_stage_display()}"
