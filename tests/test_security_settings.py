"""Production settings and sign-in limits (issue: hardening)."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

REPO = Path(__file__).resolve().parents[1]


def _run_check(tmp_path, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environ.update(
        DJANGO_SETTINGS_MODULE="gis_service.settings.production", KCN_VAR_DIR=str(tmp_path), **env
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    proc = _run_check(
        tmp_path,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="kcn.example.gov.vn",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


@pytest.mark.parametrize("key, message", [("", "must be set"), ("short", "too short")])
def test_production_refuses_to_start_without_a_real_secret(tmp_path, key, message):
    proc = _run_check(tmp_path, DJANGO_SECRET_KEY=key)
    assert proc.returncode != 0 and message in proc.stderr


@pytest.fixture
def strict_limits(settings):
    settings.KCN_LOGIN_MAX_FAILURES = 3
    settings.KCN_LOGIN_MAX_FAILURES_PER_IP = 8
    settings.KCN_LOGIN_WINDOW_SECONDS = 600
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def planner(db):
    return get_user_model().objects.create_user("can_bo_xa", password="mat-khau-dung-1")


def test_sign_in_page_locks_a_name_after_repeated_failures(client, planner, strict_limits):
    for _ in range(2):
        r = client.post("/accounts/login/", {"username": "can_bo_xa", "password": "sai"})
        assert r.status_code == 200
    r = client.post("/accounts/login/", {"username": "can_bo_xa", "password": "sai"})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert "Đăng nhập sai quá nhiều lần" in r.content.decode()
    # Even the right password is refused while locked, without being checked.
    r = client.post("/accounts/login/", {"username": "can_bo_xa", "password": "mat-khau-dung-1"})
    assert r.status_code == 429 and "_auth_user_id" not in client.session
    # Another name from the same address is still allowed (until the per-address limit).
    other = get_user_model().objects.create_user("can_bo_huyen", password="mat-khau-dung-2")
    r = client.post("/accounts/login/", {"username": other.username, "password": "mat-khau-dung-2"})
    assert r.status_code == 302


def test_one_address_trying_many_names_is_locked(client, planner, strict_limits):
    for i in range(8):
        client.post("/accounts/login/", {"username": f"khach{i}", "password": "x"})
    r = client.post("/accounts/login/", {"username": "can_bo_xa", "password": "mat-khau-dung-1"})
    assert r.status_code == 429


def test_a_successful_sign_in_clears_the_count(client, planner, strict_limits):
    for _ in range(2):
        client.post("/accounts/login/", {"username": "can_bo_xa", "password": "sai"})
    assert (
        client.post(
            "/accounts/login/", {"username": "can_bo_xa", "password": "mat-khau-dung-1"}
        ).status_code
        == 302
    )
    client.logout()
    for _ in range(2):
        assert (
            client.post(
                "/accounts/login/", {"username": "can_bo_xa", "password": "sai"}
            ).status_code
            == 200
        )


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_basic_auth_on_the_services_is_limited_too(client, planner, strict_limits):
    wrong = _basic("can_bo_xa", "sai")
    wfs = "/ows/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities"
    assert client.get(wfs, HTTP_AUTHORIZATION=wrong).status_code == 401
    assert client.get(wfs, HTTP_AUTHORIZATION=wrong).status_code == 401
    r = client.get(wfs, HTTP_AUTHORIZATION=wrong)
    assert (
        r.status_code == 429
        and r["Retry-After"]
        and "Đăng nhập sai quá nhiều lần" in r.content.decode()
    )
    right = _basic("can_bo_xa", "mat-khau-dung-1")
    assert client.get(wfs, HTTP_AUTHORIZATION=right).status_code == 429
    r = client.get("/ows/wms?SERVICE=WMS&REQUEST=GetCapabilities", HTTP_AUTHORIZATION=right)
    assert r.status_code == 429 and r["Retry-After"]
    r = client.get("/api/v1/layers/", HTTP_AUTHORIZATION=right)
    assert r.status_code == 429 and "Đăng nhập sai quá nhiều lần" in r.content.decode()


def test_admin_sign_in_is_limited(client, strict_limits, db):
    get_user_model().objects.create_superuser("quan_tri", password="mat-khau-quan-tri")
    for _ in range(3):
        client.post("/admin/login/", {"username": "quan_tri", "password": "sai"})
    r = client.post("/admin/login/", {"username": "quan_tri", "password": "mat-khau-quan-tri"})
    assert (
        "Đăng nhập sai quá nhiều lần" in r.content.decode()
        and "_auth_user_id" not in client.session
    )
