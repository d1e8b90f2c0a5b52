"""Concurrent drafts of one commune get distinct codes (found by the restart test under load).

Before the fix, two requests creating a proposal for the same commune at the same moment both read
the same highest number in ``new_code`` and one failed: 400 "code already exists" or a 500 from the
unique index. PostgreSQL only: SQLite has a single writer, concurrent writers wait for its lock.
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from planning import models as m
from planning.services import proposals as svc
from tests.conftest import box4326

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers: PostgreSQL only (SQLite has one writer at a time)",
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_drafts_of_one_unit_get_distinct_codes(binh_dinh):
    _province, commune = binh_dinh
    user = get_user_model().objects.create_user("canbo", password="pw-canbo-1")
    m.Membership.objects.create(user=user, role="commune_staff", admin_unit=commune)
    start = threading.Barrier(6)
    errors, codes = [], []

    def create(k: int) -> None:
        try:
            start.wait(timeout=30)
            for i in range(4):
                x = 108.96 + k * 0.01 + i * 0.002
                p = svc.proposal_create(
                    user,
                    name=f"CCN song song {k}-{i}",
                    kind="CCN",
                    admin_unit=commune,
                    geometry=box4326(x, 13.96, x + 0.001, 13.961),
                )
                codes.append(p.code)
        except Exception as exc:  # noqa: BLE001  (collected and asserted below)
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert len(codes) == 24 and len(set(codes)) == 24
    assert m.Proposal.objects.count() == 24
