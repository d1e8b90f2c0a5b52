"""Who may do what where: a user's role and the administrative unit it covers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from planning.models.admin_units import AdminUnit
from planning.models.areas import AreaKind


class Role(models.TextChoices):
    COMMUNE_STAFF = "commune_staff", _("Commune / ward People's Committee staff")
    DISTRICT_STAFF = "district_staff", _("District People's Committee staff (before 1 July 2025)")
    INDUSTRY_REVIEWER = "industry_reviewer", _("Department of Industry and Trade (reviews CCN)")
    EZONE_REVIEWER = "ezone_reviewer", _("Economic Zone Management Board (reviews KCN)")
    ADMIN = "admin", _("System administrator")


class Membership(models.Model):
    """A role held by a user within an administrative unit (its scope, children included)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    admin_unit = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("scope (administrative unit)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for system administrators (everything)."),
    )
    area_kind = models.CharField(
        _("kind of area reviewed"),
        max_length=3,
        choices=AreaKind.choices,
        blank=True,
        help_text=_(
            "For reviewers: CCN (Department of Industry and Trade) or KCN (Economic Zone "
            "Management Board)."
        ),
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "admin_unit"], name="membership_uniq"),
            models.CheckConstraint(
                condition=models.Q(role="admin") | models.Q(admin_unit__isnull=False),
                name="membership_scoped_unless_admin",
                violation_error_message=_("This role needs an administrative unit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.admin_unit or _('everywhere')}"
