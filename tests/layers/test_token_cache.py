"""A token's user is remembered briefly (``layers.auth.TOKEN_CACHE_SECONDS``, 5 s): no token query
per tile, yet a revoked token or a deactivated user stops working at once in this process and
within the stated time everywhere."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from layers import auth
from tests.layers.test_wfs_support import make_user

pytestmark = pytest.mark.django_db

URL = "/ogc/collections/clearance_parcels"  # a staff layer: 404 for anonymous, 401 bad token


class Clock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(auth.time, "monotonic", fake.monotonic)
    auth.forget_tokens()
    yield fake
    auth.forget_tokens()


def _get(client, key):
    return client.get(URL, HTTP_AUTHORIZATION=f"Token {key}")


def _token_queries(client, key) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = _get(client, key).status_code
    return status, sum("authtoken_token" in q["sql"] for q in queries.captured_queries)


def test_second_request_needs_no_token_query(client, clock):
    token = Token.objects.create(user=make_user("tok-admin", superuser=True))
    assert _token_queries(client, token.key) == (200, 1)
    assert _token_queries(client, token.key) == (200, 0)
    assert client.get(URL).status_code == 404  # anonymous: the staff layer does not exist


def test_revoked_token_refused_at_once(client, clock):
    token = Token.objects.create(user=make_user("tok-revoked", superuser=True))
    assert _get(client, token.key).status_code == 200
    token.delete()  # the admin's "delete token", the API's logout
    assert _get(client, token.key).status_code == 401


def test_deactivated_user_refused_at_once(client, clock):
    user = make_user("tok-inactive", superuser=True)
    token = Token.objects.create(user=user)
    assert _get(client, token.key).status_code == 200
    user.is_active = False
    user.save()
    assert _get(client, token.key).status_code == 401


def test_a_change_without_signals_shows_within_the_stated_time(client, clock):
    """Another process's revocation (no signal here; as a bulk update) stops the token within
    TOKEN_CACHE_SECONDS: 5 s."""
    token = Token.objects.create(user=make_user("tok-other", superuser=True))
    assert _get(client, token.key).status_code == 200
    Token.objects.filter(pk=token.pk).update(key="x" * 40)  # the old key no longer exists
    clock.now += auth.TOKEN_CACHE_SECONDS - 0.1
    assert _get(client, token.key).status_code == 200  # still remembered
    clock.now += 0.2
    assert _get(client, token.key).status_code == 401
    assert auth.TOKEN_CACHE_SECONDS == 5


def test_token_as_basic_password_is_remembered_the_same_way(client, clock):
    import base64

    token = Token.objects.create(user=make_user("tok-basic", superuser=True))
    basic = "Basic " + base64.b64encode(f"token:{token.key}".encode()).decode()
    assert client.get(URL, HTTP_AUTHORIZATION=basic).status_code == 200
    token.delete()
    assert client.get(URL, HTTP_AUTHORIZATION=basic).status_code == 401
