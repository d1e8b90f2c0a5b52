"""OGC API – Features on the demo data: every collection a reader sees is complete through the
``next`` links, counts agree with the database under the access policy, and staff see more."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from layers.wfs.schema import feature_type
from planning import access
from tests.layers.test_wfs_support import basic, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.db import connections

    from planning.services.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()
        yield
        call_command("flush", interactive=False, verbosity=0)
        connections.close_all()


def _get(client, url, **extra):
    response = client.get(url.replace("http://testserver", ""), **extra)
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def _walk(client, collection, **extra) -> tuple[int, set]:
    """Follow ``next`` from the first page of 1000; (numberMatched, ids seen)."""
    page = _get(client, f"/ogc/collections/{collection}/items?limit=1000", **extra)
    matched, ids = page["numberMatched"], set()
    while True:
        ids.update(f["id"] for f in page["features"])
        nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if not nxt:
            return matched, ids
        page = _get(client, nxt[0], **extra)


def test_demo_collections_are_complete_for_anonymous(client, demo):
    cols = _get(client, "/ogc/collections")["collections"]
    assert "clearance_parcels" not in {c["id"] for c in cols}
    for c in cols:
        ft = feature_type(c["id"])
        expected = access.readable_rows(None, ft.spec, ft.model._default_manager.all()).count()
        matched, ids = _walk(client, c["id"])
        assert matched == expected == len(ids), c["id"]


def test_demo_staff_see_clearance_parcels(client, demo):
    areas = _get(client, "/ogc/collections/industrial_areas")
    assert areas["extent"]["spatial"]["bbox"][0][0] > 102  # Vietnam, longitude first (CRS84)
    user = make_user("canbo_demo_ogc", role="admin")
    auth = {"HTTP_AUTHORIZATION": basic("canbo_demo_ogc")}
    ft = feature_type("clearance_parcels")
    matched, ids = _walk(client, "clearance_parcels", **auth)
    assert matched == len(ids) == ft.model.objects.count() > 0
    user.delete()
