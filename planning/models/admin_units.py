"""Administrative units, old and new: Vietnam merged provinces and abolished districts on 1 July
2025.

Also the base of the records located in a unit (:class:`SpatialRecord`), measured in its zone.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q

from planning.models.base import GeometryRecord

REFORM_DATE = dt.date(2025, 7, 1)


class AdminUnit(GeometryRecord):
    class Level(models.TextChoices):
        PROVINCE = "province", "Tỉnh / thành phố trực thuộc TW"
        DISTRICT = "district", "Huyện / thị xã / thành phố thuộc tỉnh"
        COMMUNE = "commune", "Xã / phường / thị trấn"

    code = models.CharField("mã đơn vị hành chính", max_length=20)
    name = models.CharField("tên", max_length=120)
    level = models.CharField("cấp", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    boundary = models.MultiPolygonField("ranh giới", srid=4326)
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField(
        "hiệu lực đến",
        null=True,
        blank=True,
        help_text="Ngày cuối cùng đơn vị còn hiệu lực; để trống nếu đang hiệu lực.",
    )
    successors = models.ManyToManyField(
        "self",
        through="AdminUnitSuccession",
        symmetrical=False,
        related_name="predecessors",
        verbose_name="đơn vị kế thừa",
        blank=True,
    )
    is_mountainous = models.BooleanField("miền núi", default=False)
    is_synthetic = models.BooleanField(
        "ranh giới tổng hợp",
        default=False,
        help_text="Ranh giới dựng lại để minh họa, không phải ranh giới pháp lý.",
    )
    metadata = models.JSONField("siêu dữ liệu (nguồn, giấy phép)", default=dict, blank=True)
    zone_srid = models.PositiveIntegerField(
        "múi chiếu VN-2000 TM-3 (EPSG)",
        help_text="Múi chiếu đo đạc của đơn vị (Bình Định 9217, Sóc Trăng 9209...).",
    )

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"], name="adminunit_code_valid_from_uniq"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="adminunit_valid_dates_in_order",
                violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            ),
            models.CheckConstraint(
                condition=Q(zone_srid__gt=0),
                name="adminunit_zone_srid_set",
            ),
        ]
        indexes = [models.Index(fields=["level", "valid_to"])]

    def __str__(self) -> str:
        period = (
            f"{self.valid_from:%Y}–{self.valid_to:%Y}"
            if self.valid_to
            else f"từ {self.valid_from:%Y}"
        )
        return f"{self.name} ({period})"

    def resolve_metric_srid(self) -> int:
        return self.zone_srid

    def is_valid_on(self, date: dt.date) -> bool:
        return self.valid_from <= date and (self.valid_to is None or date <= self.valid_to)

    @property
    def province(self) -> AdminUnit:
        unit = self
        while unit.parent_id is not None:
            unit = unit.parent
        return unit

    @classmethod
    def metric_srid_at(cls, point) -> int:
        """The TM-3 zone of the most specific unit (any period) that contains ``point``.

        One spatial query; :class:`SpatialRecord` asks it on the save of a record without a unit.
        """
        order = {cls.Level.COMMUNE: 0, cls.Level.DISTRICT: 1, cls.Level.PROVINCE: 2}
        units = list(cls.objects.filter(boundary__intersects=point).only("level", "zone_srid"))
        if not units:
            return settings.PLANNING_DEFAULT_METRIC_SRID
        return min(units, key=lambda u: order.get(u.level, 3)).zone_srid

    @classmethod
    def valid_on(cls, date: dt.date):
        return cls.objects.filter(valid_from__lte=date).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=date)
        )


class SpatialRecord(GeometryRecord):
    """Abstract base of the records located in an administrative unit (areas, parcels, roads, ...).

    They are measured in the zone of their ``admin_unit`` or, without one, in the zone of the most
    specific unit containing their geometry (:meth:`AdminUnit.metric_srid_at`: one spatial query
    on each such save).
    """

    class Meta:
        abstract = True

    def resolve_metric_srid(self) -> int:
        unit = getattr(self, "admin_unit", None)
        if unit is not None and unit.metric_srid:
            return unit.metric_srid
        geom = self.primary_geometry()
        if geom is not None:
            return AdminUnit.metric_srid_at(geom.point_on_surface)
        return settings.PLANNING_DEFAULT_METRIC_SRID


class AdminUnitSuccession(models.Model):
    """Old unit → new unit, with the share of the old unit's area that went to the new one."""

    predecessor = models.ForeignKey(
        AdminUnit, on_delete=models.CASCADE, related_name="succession_out", verbose_name="đơn vị cũ"
    )
    successor = models.ForeignKey(
        AdminUnit, on_delete=models.CASCADE, related_name="succession_in", verbose_name="đơn vị mới"
    )
    effective_on = models.DateField("ngày hiệu lực", default=REFORM_DATE)
    area_share = models.FloatField(
        "tỷ lệ diện tích chuyển sang",
        help_text="Phần diện tích đơn vị cũ nằm trong đơn vị mới (0–1).",
    )
    legal_basis = models.CharField("căn cứ pháp lý", max_length=200, blank=True)

    class Meta:
        verbose_name = "kế thừa đơn vị hành chính"
        verbose_name_plural = "kế thừa đơn vị hành chính"
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_pair_uniq"
            ),
            models.CheckConstraint(
                condition=Q(area_share__gte=0) & Q(area_share__lte=1.0001),
                name="succession_share_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor.name} → {self.successor.name} ({self.area_share:.0%})"
