"""The sign-in lockout (django-axes, layers/lockout.py) beyond tests/test_security_settings.py and
tests/test_api_language.py: expiry, Retry-After from the last failure, the address rules, the
name's spelling, what a success clears, the API schema, and concurrent attempts (both databases).
"""

from __future__ import annotations

import base64
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F, Sum
from django.test import Client

from layers import lockout

PAGE = "/accounts/login/"
WFS = "/ows/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities"
PASSWORD = "mat-khau-dung-1"


@pytest.fixture
def limits(settings):
    settings.KCN_LOGIN_MAX_FAILURES = 3
    settings.KCN_LOGIN_MAX_FAILURES_PER_IP = 8
    settings.KCN_LOGIN_WINDOW_SECONDS = 600
    return settings


@pytest.fixture
def planner(db):
    return get_user_model().objects.create_user("can_bo_xa", password=PASSWORD)


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _fail(client, name="can_bo_xa", times=1):
    for _ in range(times):
        r = client.post(PAGE, {"username": name, "password": "sai"})
    return r


def _age(seconds):
    """Every recorded failure happened ``seconds`` earlier."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=seconds))


def test_the_lock_ends_a_window_after_the_last_failure(client, planner, limits):
    assert _fail(client, times=3).status_code == 429
    _age(300)
    r = client.post(PAGE, {"username": "can_bo_xa", "password": PASSWORD})
    assert r.status_code == 429 and 295 <= int(r["Retry-After"]) <= 300
    assert "5 phút" in r.content.decode()
    # Refused attempts are not counted: the lock does not grow while the client keeps trying.
    assert AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))["n"] == 3
    _age(301)
    r = client.post(PAGE, {"username": "can_bo_xa", "password": PASSWORD})
    assert r.status_code == 302 and "_auth_user_id" in client.session


def test_retry_after_counts_from_the_last_failure_not_the_first(client, planner, limits):
    _fail(client, times=2)
    _age(500)
    r = _fail(client)  # the third, 500 s after the first two
    assert r.status_code == 429 and 595 <= int(r["Retry-After"]) <= 600


def test_the_address_lock_frees_when_enough_old_failures_leave_the_window(client, limits, db):
    for i in range(4):
        _fail(client, name=f"khach{i}")
    _age(400)
    for i in range(4, 8):
        r = _fail(client, name=f"khach{i}")
    # Locked until the oldest four leave the window: 200 s, not the newest failure's 600.
    assert r.status_code == 429 and 195 <= int(r["Retry-After"]) <= 200
    _age(201)  # the first four have left the window, the address has four failures left
    assert _fail(client, name="khach9").status_code == 200


def test_another_address_is_not_locked(planner, limits):
    first, second = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    assert _fail(first, times=3).status_code == 429
    r = second.post(PAGE, {"username": "can_bo_xa", "password": PASSWORD})
    assert r.status_code == 302


def test_one_name_however_it_is_spelt(client, planner, limits):
    for name in ("can_bo_xa", "CAN_BO_XA", " Can_Bo_Xa "):
        r = _fail(client, name=name)
    assert r.status_code == 429
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["can_bo_xa"]


def test_a_success_clears_its_name_only_not_the_address(client, planner, limits):
    _fail(client, times=2)
    for i in range(5):
        _fail(client, name=f"khach{i}")  # seven failures from this address
    r = client.post(PAGE, {"username": "can_bo_xa", "password": PASSWORD})
    assert r.status_code == 302
    client.logout()
    assert not AccessAttempt.objects.filter(username="can_bo_xa").exists()
    # The other names' five remain: three more lock the address.
    assert _fail(client, name="khach5", times=2).status_code == 200
    assert _fail(client, name="khach6").status_code == 429


def test_behind_the_proxy_the_forwarded_address_counts(planner, limits):
    limits.KCN_BEHIND_PROXY = True
    proxy = "10.9.9.9"
    one = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.1")
    other = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert _fail(one, times=3).status_code == 429
    assert other.post(PAGE, {"username": "can_bo_xa", "password": PASSWORD}).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}
    # Not an address (a misconfigured proxy): counted without one, never stored as text.
    odd = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="unknown")
    assert _fail(odd, name="khach").status_code == 200
    assert AccessAttempt.objects.filter(username="khach", ip_address=None).exists()


def test_client_address_is_an_address_or_none(rf, settings):
    settings.KCN_BEHIND_PROXY = False
    assert lockout.client_address(rf.get("/", REMOTE_ADDR="2001:db8::1")) == "2001:db8::1"
    request = rf.get("/")
    request.META.pop("REMOTE_ADDR")
    assert lockout.client_address(request) is None


def test_the_api_schema_answers_429_too(client, planner, limits):
    wrong = _basic("can_bo_xa", "sai")
    for _ in range(2):
        assert client.get("/api/schema/", HTTP_AUTHORIZATION=wrong).status_code == 401
    r = client.get("/api/schema/", HTTP_AUTHORIZATION=wrong, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 429 and 0 < int(r["Retry-After"]) <= 600
    assert "Too many failed sign-in attempts. Try again in 10 minutes." in r.content.decode()


def test_the_lockout_is_written_in_the_request_language(client, planner, limits):
    """The plain answer, for a path that shows no form (the admin's and the page's show theirs:
    tests/test_api_language.py)."""
    from django.test import RequestFactory
    from django.utils import translation

    _fail(client, times=3)
    request = RequestFactory().post(PAGE, {"username": "can_bo_xa"}, REMOTE_ADDR="127.0.0.1")
    for lang, text in (("en", "Try again in 10 minutes"), ("vi", "Vui lòng thử lại sau 10 phút")):
        with translation.override(lang):
            r = lockout.lockout_response(request, None, {"username": "can_bo_xa"})
        assert r.status_code == 429 and text in r.content.decode() and int(r["Retry-After"]) > 0


# --- concurrent attempts --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_are_all_counted(live_server, settings, monkeypatch):
    """Many clients at once, each trying again as soon as it is answered: every checked password
    is counted exactly once (an atomic increment, no get-then-set), so no more passwords are
    checked than the limit plus the attempts already in flight when it was reached."""
    settings.KCN_LOGIN_MAX_FAILURES = 5
    settings.KCN_LOGIN_MAX_FAILURES_PER_IP = 10_000
    settings.KCN_LOGIN_WINDOW_SECONDS = 600
    get_user_model().objects.create_user("can_bo_xa", password=PASSWORD)
    threads, tries = 8, 6
    checked = []
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        checked.append(username)  # list.append is atomic
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    start = threading.Barrier(threads)
    statuses, errors = [], []

    def attacker():
        request = urllib.request.Request(
            live_server.url + WFS, headers={"Authorization": _basic("can_bo_xa", "sai")}
        )
        start.wait()
        for _ in range(tries):
            try:
                with urllib.request.urlopen(request, timeout=60) as r:
                    statuses.append(r.status)
            except urllib.error.HTTPError as e:
                statuses.append(e.code)
            except Exception as e:  # reported below
                errors.append(repr(e))

    workers = [threading.Thread(target=attacker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors and len(statuses) == threads * tries
    assert set(statuses) <= {401, 429}, statuses
    counted = AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))["n"]
    assert counted == len(checked)
    assert 5 <= len(checked) <= 5 + threads - 1, len(checked)
    assert statuses.count(401) <= 4 + threads - 1
    # And the name stays locked.
    r = Client().get(WFS, HTTP_AUTHORIZATION=_basic("can_bo_xa", PASSWORD))
    assert r.status_code == 429
