"""WFS-T is one more door of the conversion-plan rule (issue 13, Decree 66/2020 Art. 1 cl. 5):
a CCN updated to ``revoked`` without a conversion plan is refused and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest

from planning import models as m
from tests.layers.test_wfs_support import basic, users, wfs_post, world, xml  # noqa: F401

pytestmark = pytest.mark.django_db


def _revoke(pk: int) -> str:
    return f"""<Transaction xmlns="http://www.opengis.net/wfs" service="WFS" version="1.0.0"
 xmlns:ogc="http://www.opengis.net/ogc">
 <Update typeName="industrial_areas" xmlns="http://www.opengis.net/wfs">
  <Property><Name>status</Name><Value>revoked</Value></Property>
  <Filter xmlns="http://www.opengis.net/ogc"><FeatureId fid="industrial_areas.{pk}"/></Filter>
 </Update>
</Transaction>"""


def test_wfs_t_revoke_without_conversion_plan_is_refused(client, users, world):  # noqa: F811
    area = world["areas"]["CCN-BTX"]
    r = wfs_post(client, _revoke(area.pk), HTTP_AUTHORIZATION=basic("thamdinh"))
    assert r.status_code == 400, r.content
    assert "66/2020" in r.content.decode()
    area.refresh_from_db()
    assert area.status != "revoked"
    m.ConversionPlan.objects.create(
        area=area, land_becomes="agriculture", decision="QĐ 3/QĐ-UBND", decided_on=dt.date.today()
    )
    r = wfs_post(client, _revoke(area.pk), HTTP_AUTHORIZATION=basic("thamdinh"))
    assert r.status_code == 200, r.content
    assert xml(r).find(".//{*}SUCCESS") is not None or b"totalUpdated" in r.content
    area.refresh_from_db()
    assert area.status == "revoked"
