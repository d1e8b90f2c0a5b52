"""Who may do what where: a user's role and the administrative unit it covers."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from planning.models.admin_units import AdminUnit
from planning.models.areas import AreaKind


class Role(models.TextChoices):
    COMMUNE_STAFF = "commune_staff", "Cán bộ UBND xã / phường"
    DISTRICT_STAFF = "district_staff", "Cán bộ UBND huyện (trước 1/7/2025)"
    INDUSTRY_REVIEWER = "industry_reviewer", "Sở Công Thương (thẩm định CCN)"
    EZONE_REVIEWER = "ezone_reviewer", "Ban Quản lý Khu kinh tế (thẩm định KCN)"
    ADMIN = "admin", "Quản trị hệ thống"


class Membership(models.Model):
    """A role held by a user within an administrative unit (its scope, children included)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="người dùng",
    )
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    admin_unit = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name="phạm vi (đơn vị hành chính)",
        null=True,
        blank=True,
        help_text="Để trống với quản trị hệ thống (toàn bộ).",
    )
    area_kind = models.CharField(
        "loại khu được thẩm định",
        max_length=3,
        choices=AreaKind.choices,
        blank=True,
        help_text="Với người thẩm định: CCN (Sở Công Thương) hoặc KCN (Ban Quản lý KKT).",
    )

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "admin_unit"], name="membership_uniq"),
            models.CheckConstraint(
                condition=models.Q(role="admin") | models.Q(admin_unit__isnull=False),
                name="membership_scoped_unless_admin",
                violation_error_message="Vai trò này cần một đơn vị hành chính.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.admin_unit or 'toàn bộ'}"
