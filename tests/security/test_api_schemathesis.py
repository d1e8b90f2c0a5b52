"""Schemathesis against the REST API's own OpenAPI document (``/api/schema/``), in-process.

Every operation of the schema is called through the real Django WSGI application against the
test database holding a small province (a commune, an industrial area, a clearance parcel with
personal data, a draft proposal), as three callers: anonymous, commune staff (``Token``) and an
administrator (``Token``). Cases come from the schema (valid data) and from its negation (invalid
data); each one runs in a savepoint that is rolled back, so a ``DELETE`` does not starve the
next example.

Checks on every response: no 5xx (``not_a_server_error``), a documented 2xx body matches its
schema (``response_schema_conformance``), and every 4xx is the API's error envelope
``{"error": {"status", "code", "message"}}`` with a non-empty message. Failures of all operations
are collected and reported together. Bounded: ``MAX_EXAMPLES`` per operation and caller,
derandomized, no shrinking; the number of requests sent is printed.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from planning import models as m
from tests.factories import square
from tests.jobs_support import tasks_at_once_settings

MAX_EXAMPLES = {"anonymous": 8, "staff": 20, "admin": 20}
CALLERS = list(MAX_EXAMPLES)


@pytest.fixture
def world(binh_dinh, settings, tmp_path):
    """The data every operation finds, and a token per caller."""
    from tests.factories import IndustrialAreaFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KCN_RASTER_DIR = tmp_path / "rasters"
    # Analyses are stored, not run (bounded time); imports run inside the request: more code
    # reached.
    settings.TASKS = tasks_at_once_settings("imports")
    settings.PLANNING_MAX_UPLOAD_BYTES = 256 * 1024
    _, commune = binh_dinh
    area = IndustrialAreaFactory(
        code="CCN-CH", name="CCN Cát Hanh", admin_unit=commune, boundary=square(109.0, 14.0)
    )
    m.ClearanceParcel.objects.create(
        area=area,
        map_sheet="12",
        parcel_no="345",
        boundary=square(109.001, 14.001, 0.002),
        land_use="LUC",
        admin_unit=commune,
        holder_name="Nguyễn Văn Bí Mật",
        holder_id_number="052000000001",
        households=3,
    )
    users = get_user_model().objects
    staff = users.create_user("canbo", password="pw-canbo-1")
    m.Membership.objects.create(user=staff, role="commune_staff", admin_unit=commune)
    admin = users.create_superuser("quantri", password="pw-admin-1", email="qt@example.com")
    from planning.services import proposals as psvc

    psvc.proposal_create(
        staff,
        name="Đề xuất CCN thử",
        kind="CCN",
        admin_unit=commune.code,
        geometry=square(109.02, 14.02, 0.01),
    )
    return {
        "anonymous": {},
        "staff": {"Authorization": f"Token {Token.objects.create(user=staff).key}"},
        "admin": {"Authorization": f"Token {Token.objects.create(user=admin).key}"},
    }


def _is_error_envelope(response) -> str | None:
    """None when a 4xx body is the API's error envelope with a message, else what is wrong."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"4xx body is not JSON: {response.content[:200]!r}"
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict) or not str(err.get("message", "")).strip():
        return f"4xx body has no error.message: {str(body)[:200]}"
    if err.get("status") != response.status_code:
        return f"error.status {err.get('status')} != HTTP {response.status_code}"
    return None


def _strategy(operation):
    modes = [operation.as_strategy(GenerationMode.POSITIVE)]
    try:
        modes.append(operation.as_strategy(GenerationMode.NEGATIVE))
    except Exception:  # an operation with nothing to negate
        pass
    return st.one_of(*modes)


def _fuzz(operation, headers: dict, max_examples: int, stats: Counter, failures: list) -> None:
    seen: set[str] = set()

    @hsettings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation))
    def run(case):
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        stats["requests"] += 1
        stats[f"{response.status_code // 100}xx"] += 1
        problems = []
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance], headers=headers
            )
        except FailureGroup as group:
            problems += [
                f"{type(f).__name__}: {f.title} {getattr(f, 'message', '')}"[:400]
                for f in group.exceptions
            ]
        except AssertionError as exc:
            problems.append(str(exc)[:400])
        if 400 <= response.status_code < 500 and response.status_code != 405:
            bad = _is_error_envelope(response)
            if bad:
                problems.append(bad)
        for problem in problems:
            key = f"{operation.label} {response.status_code} {problem.splitlines()[0][:120]}"
            if key not in seen:
                seen.add(key)
                failures.append(
                    f"{key}\n    reproduce: {case.as_curl_command(headers=headers)[:600]}"
                )

    run()


@pytest.fixture
def wsgi_app():
    """Django's real WSGI handler; like the test client, it must not close the test's connection."""
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.parametrize("caller", CALLERS)
def test_every_operation_answers_without_server_errors(world, wsgi_app, caller, capsys):
    app = wsgi_app
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    stats: Counter = Counter()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40, "the schema lost operations"
    for operation in operations:
        _fuzz(operation, world[caller], MAX_EXAMPLES[caller], stats, failures)
    with capsys.disabled():
        print(
            f"\nschemathesis [{caller}]: {len(operations)} operations, "
            f"{stats['requests']} requests "
            f"({', '.join(f'{k}: {v}' for k, v in sorted(stats.items()) if k != 'requests')}), "
            f"{len(failures)} distinct failures"
        )
    assert stats["5xx"] == 0 and not failures, "\n".join(failures[:40])


@pytest.mark.parametrize(
    "url",
    [
        # found by schemathesis on PostGIS (500)
        "/api/v1/layers/clearance_parcels/?parcel_no=1%002",
        "/api/v1/layers/industrial_areas/?admin_unit=%00",
        "/api/v1/proposals/?status=%00",
        "/api/v1/analyses/runs/?kind=%00",
    ],
)
def test_nul_in_a_query_parameter_is_a_400_naming_it(world, url):
    """PostgreSQL refuses NUL in text: the API must say so (400) instead of failing (500)."""
    from django.test import Client

    response = Client().get(url, HTTP_AUTHORIZATION=world["admin"]["Authorization"])
    assert response.status_code == 400, response.content[:300]
    assert "NUL" in response.json()["error"]["message"]
