"""Administrative units, old and new: Vietnam merged provinces and abolished districts on 1 July
2025.

Also the base of the records located in a unit (:class:`SpatialRecord`), measured in its zone.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from planning.models.base import GeometryRecord

REFORM_DATE = dt.date(2025, 7, 1)


class AdminUnit(GeometryRecord):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Province / centrally-run city")
        DISTRICT = "district", _("District / town / provincial city")
        COMMUNE = "commune", _("Commune / ward / township")

    code = models.CharField(_("administrative unit code"), max_length=20)
    # Two official numberings of the 2025 provinces (DESIGN.md "Administrative units"): the
    # statistics office's and the Ministry of Home Affairs'. Neither is guessed: a code the
    # reference data does not give stays empty (None).
    gso_code = models.CharField(
        _("statistics office code"),
        max_length=10,
        null=True,
        blank=True,
        help_text=_(
            "The unit's code in the General Statistics Office list of administrative units "
            "(mã đơn vị hành chính, Tổng cục Thống kê); empty when not known."
        ),
    )
    moha_code = models.CharField(
        _("Ministry of Home Affairs code"),
        max_length=10,
        null=True,
        blank=True,
        help_text=_(
            "The province's number in the Ministry of Home Affairs list of the 34 provincial "
            "units of 1 July 2025 (mã tỉnh BNV); empty when not known."
        ),
    )
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    boundary = models.MultiPolygonField(_("boundary"), srid=4326)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The last day the unit is valid; leave empty while it is valid."),
    )
    successors = models.ManyToManyField(
        "self",
        through="AdminUnitSuccession",
        symmetrical=False,
        related_name="predecessors",
        verbose_name=_("successor unit"),
        blank=True,
    )
    is_mountainous = models.BooleanField(_("mountainous area"), default=False)
    is_synthetic = models.BooleanField(
        _("synthetic boundary"),
        default=False,
        help_text=_("Boundary rebuilt for illustration, not the legal boundary."),
    )
    metadata = models.JSONField(_("metadata (source, licence)"), default=dict, blank=True)
    zone_srid = models.PositiveIntegerField(
        _("VN-2000 TM-3 zone (EPSG)"),
        help_text=_("The unit's survey projection zone (Bình Định 9217, Sóc Trăng 9209...)."),
    )

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"], name="adminunit_code_valid_from_uniq"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="adminunit_valid_dates_in_order",
                violation_error_message=_("The end of validity must come after its start."),
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
            else _("from %(year)s") % {"year": f"{self.valid_from:%Y}"}
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
        AdminUnit,
        on_delete=models.CASCADE,
        related_name="succession_out",
        verbose_name=_("former unit"),
    )
    successor = models.ForeignKey(
        AdminUnit,
        on_delete=models.CASCADE,
        related_name="succession_in",
        verbose_name=_("new unit"),
    )
    effective_on = models.DateField(_("effective on"), default=REFORM_DATE)
    area_share = models.FloatField(
        _("share of area transferred"),
        help_text=_("Share of the former unit's area that lies in the new unit (0–1)."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    is_synthetic = models.BooleanField(
        _("illustrative data"),
        default=False,
        help_text=_("The link or its share comes from illustrative boundaries."),
    )

    class Meta:
        verbose_name = _("administrative unit succession")
        verbose_name_plural = _("administrative unit successions")
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
