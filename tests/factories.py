"""factory_boy factories for the planning models (tests only)."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.gis.geos import MultiPolygon, Polygon

from planning import models as m


def square(lon: float, lat: float, size_deg: float = 0.01) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((lon, lat, lon + size_deg, lat + size_deg)), srid=4326)


class DeveloperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Developer
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Công ty Hạ tầng {n}")
    kind = m.Developer.Kind.ENTERPRISE
    own_capital_bn_vnd = Decimal("500")


class IndustrialAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.IndustrialArea

    code = factory.Sequence(lambda n: f"CCN-T{n:03d}")
    name = factory.Sequence(lambda n: f"CCN Thử nghiệm {n}")
    kind = m.AreaKind.CCN
    boundary = factory.LazyFunction(lambda: square(109.0, 14.0))
    planned_area_ha = Decimal("50")
    industrial_land_ha = Decimal("35")
    leased_land_ha = Decimal("20")
    status = m.IndustrialArea.Status.OPERATING
    developer = factory.SubFactory(DeveloperFactory)
    established_on = dt.date(2020, 1, 1)
