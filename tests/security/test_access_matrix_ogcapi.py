"""The access matrix, writes through OGC API – Features Part 4 (one more door): every role ×
PATCH / PUT / DELETE / POST on proposals, the workflow's invariants checked after each.

Expected verdicts are restated from the workflow and the scope rule (``test_access_matrix.py``):
a workflow field never changes through this door (for anyone, administrators included); a
draft's content changes for the staff of its unit (and of the units above it) and
administrators; a submitted proposal's content changes for no one.
"""

from __future__ import annotations

import json

import pytest

from layers.ogcapi.editing import row_etag
from planning import models as m
from tests.security.conftest import ROLES
from tests.security.test_access_matrix import client_for, fingerprint, p_edit, undone
from tests.security.test_access_matrix_writes import WriteMatrix

pytestmark = pytest.mark.django_db(transaction=True)

GEOJSON = "application/geo+json"
MERGE = "application/merge-patch+json"
RING = [[108.97, 14.05], [108.976, 14.05], [108.976, 14.056], [108.97, 14.056], [108.97, 14.05]]


def _url(p) -> str:
    return f"/ogc/collections/proposals/items/proposals.{p.pk}"


def test_writes_through_ogc_api_follow_the_workflow(matrix_world):
    world = matrix_world
    mx = WriteMatrix("ogc api writes", world)
    props = world["proposals"]
    for role in ROLES:
        c = client_for(world, role)
        for key in ("a_draft", "a_submitted"):
            p = m.Proposal.objects.get(pk=props[key].pk)
            etag = row_etag(p)
            writes = (
                ("PATCH status", "PATCH", MERGE, {"properties": {"status": "approved"}}),
                ("PATCH decided_at", "PATCH", MERGE, {"properties": {"decided_at": "2026-05-01"}}),
                (
                    "PUT status",
                    "PUT",
                    GEOJSON,
                    {
                        "type": "Feature",
                        "geometry": {"type": "Polygon", "coordinates": [RING]},
                        "properties": {"name": p.name, "kind": p.kind, "status": "approved"},
                    },
                ),
                ("PATCH name", "PATCH", MERGE, {"properties": {"name": "Đổi tên qua OGC API"}}),
                ("DELETE", "DELETE", None, None),
            )
            for label, method, media, body in writes:
                before = fingerprint(m.Proposal)
                content = b"" if body is None else json.dumps(body).encode()
                allowed = (
                    label in ("PATCH name", "DELETE")
                    and key == "a_draft"
                    and role not in ("anonymous", "no_role")
                    and p_edit(role, "commune_a")
                )
                with undone():
                    r = c.generic(
                        method,
                        _url(p),
                        content,
                        content_type=media or "",
                        HTTP_IF_MATCH=etag,
                    )
                    if allowed:
                        ok = r.status_code == 204 and fingerprint(m.Proposal) != before
                    else:
                        # 412: a draft hidden from the caller answers as one that does not
                        # exist (with If-Match, /req/create-replace-delete/put-rid-exception B).
                        ok = (
                            r.status_code in (400, 401, 403, 404, 409, 412)
                            and fingerprint(m.Proposal) == before
                        )
                    mx.check(role, f"ogc {label}", key, "allow" if allowed else "refuse", r, ok)
                    mx.invariants(role, "ogc api", key)
        with undone():
            count = m.Proposal.objects.count()
            r = c.post(
                "/ogc/collections/proposals/items",
                json.dumps(
                    {
                        "type": "Feature",
                        "geometry": {"type": "Polygon", "coordinates": [RING]},
                        "properties": {
                            "name": "Đề xuất đã duyệt sẵn",
                            "kind": "CCN",
                            "admin_unit": world["units"]["commune_a"].code,
                            "status": "approved",
                        },
                    }
                ),
                content_type=GEOJSON,
            )
            ok = r.status_code in (400, 401, 403, 404) and m.Proposal.objects.count() == count
            mx.check(role, "ogc POST approved", "commune_a", "refuse", r, ok)
            mx.invariants(role, "ogc api", "create")
    mx.finish()
