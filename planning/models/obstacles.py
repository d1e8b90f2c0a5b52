"""What blocks an area (vướng mắc), who must solve it and by when."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from planning.models.areas import IndustrialArea


class Obstacle(models.Model):
    class Category(models.TextChoices):
        LAND_PROCEDURE = "land_procedure", _("Land procedures")
        SUBDIVISION_PLANNING = "subdivision_planning", _("Subdivision planning")
        ENVIRONMENTAL_PERMIT = "environmental_permit", _("Environmental permit")
        CLEARANCE = "clearance", _("Land clearance")
        LAND_USE_PLAN = "land_use_plan", _("Land-use plan")
        LAND_RECOVERY = "land_recovery", _("Recovering land of stalled projects")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure outside the fence")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Not handled")
        IN_PROGRESS = "in_progress", _("Being handled")
        RESOLVED = "resolved", _("Resolved")

    area = models.ForeignKey(
        IndustrialArea,
        on_delete=models.CASCADE,
        related_name="obstacles",
        verbose_name=_("industrial park / cluster"),
    )
    category = models.CharField(_("obstacle group"), max_length=24, choices=Category.choices)
    description = models.TextField(_("description"))
    responsible_agency = models.CharField(_("lead agency"), max_length=200)
    raised_on = models.DateField(_("arose on"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("illustrative data"), default=False)

    class Meta:
        verbose_name = _("obstacle")
        verbose_name_plural = _("obstacles")
        ordering = ["deadline"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=F("raised_on")),
                name="obstacle_deadline_after_raised",
                violation_error_message=_(
                    "The deadline must come after the day the obstacle arose."
                ),
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("raised_on")),
                name="obstacle_resolved_after_raised",
                violation_error_message=_(
                    "The resolution date must come after the day the obstacle arose."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_on__isnull=False),
                name="obstacle_resolved_has_date",
                violation_error_message=_("A resolved obstacle needs a resolution date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_category_display()}"
