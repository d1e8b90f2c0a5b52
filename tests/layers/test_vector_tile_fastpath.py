"""The vector tiles' short door (``layers/vectortiles/fastpath.py``) answers exactly as the full
Django stack, and leaves to it every request it should not answer (both databases).

Each case sends the same request to the full WSGI application and to the short door in front
of it (``TileFastPath(spy)``: the spy records when the full stack is asked) and compares status,
body and every header. The demo's KCN An Nghiệp tile at z=12 is x=3253, y=1937
(``test_vector_tiles.py``); clearance parcels are a staff layer.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import InterfaceError, close_old_connections
from django.test import TestCase, override_settings
from rest_framework.authtoken.models import Token

from layers.vectortiles import cache
from layers.vectortiles.fastpath import TileFastPath, build_chain, wrap
from layers.vectortiles.tilemath import tile_for
from planning import models as m

Z = 12
X, Y = tile_for(105.935, 9.632, Z)
ROADS = f"/ogc/collections/road_corridors/tiles/WebMercatorQuad/{Z}/{Y}/{X}"
PX, PY = tile_for(105.935, 9.632, 15)
PARCELS = f"/ogc/collections/clearance_parcels/tiles/WebMercatorQuad/15/{PY}/{PX}"


class Spy:
    """The full stack, counting the requests it answers."""

    def __init__(self):
        self.app = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


def call(app, path, query="", method="GET", **headers):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    environ.update(headers)
    got = {}

    def start_response(status, response_headers, exc_info=None):
        got["status"], got["headers"] = status, response_headers

    # As Django's test client: the test's transaction keeps its connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = app(environ, start_response)
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return got["status"], sorted(got["headers"]), body


@override_settings(ALLOWED_HOSTS=["testserver"])
class TileFastPathTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from planning.services.demo import demo_load

        demo_load()
        cls.staff = get_user_model().objects.create_user("fp-staff", password="pw-fp-staff-1")
        m.Membership.objects.create(
            user=cls.staff,
            role="admin",
            admin_unit=m.AdminUnit.objects.get(code="94", level="province"),
        )
        cls.token = Token.objects.create(user=cls.staff).key

    def setUp(self):
        shutil.rmtree(cache.cache_root(), ignore_errors=True)
        self.spy = Spy()
        self.fast = TileFastPath(self.spy)

    def same(self, path, short_door: bool, query="", method="GET", **headers):
        """Ask the full stack (twice: the tile cached), then the short door; the same answers."""
        call(self.spy.app, path, query, method, **headers)
        full = call(self.spy.app, path, query, method, **headers)
        before = self.spy.calls
        fast = call(self.fast, path, query, method, **headers)
        self.assertEqual(fast, full)
        self.assertEqual(self.spy.calls - before, 0 if short_door else 1)
        return fast

    def test_public_tile_anonymous_same_answer_by_the_short_door(self):
        status, headers, body = self.same(ROADS, short_door=True)
        self.assertEqual(status, "200 OK")
        names = dict(headers)
        self.assertEqual(names["Content-Type"], "application/vnd.mapbox-vector-tile")
        self.assertEqual(names["Cache-Control"], "public, no-cache")
        self.assertEqual(names["X-Frame-Options"], "DENY")  # the project's middleware ran
        self.assertEqual(names["Content-Length"], str(len(body)))

    def test_a_miss_made_by_the_short_door_is_the_tile_the_full_stack_serves(self):
        before = self.spy.calls
        status, headers, body = call(self.fast, ROADS)
        self.assertEqual((status, self.spy.calls - before), ("200 OK", 0))
        self.assertEqual(dict(headers)["X-KCN-Tile-Cache"], "miss")
        status, headers2, body2 = call(self.spy.app, ROADS)
        self.assertEqual(dict(headers2)["X-KCN-Tile-Cache"], "hit")
        self.assertEqual((body2, dict(headers2)["ETag"]), (body, dict(headers)["ETag"]))

    def test_staff_tile_with_a_token(self):
        auth = {"HTTP_AUTHORIZATION": f"Token {self.token}"}
        status, headers, _body = self.same(PARCELS, short_door=True, **auth)
        self.assertIn(status, ("200 OK", "204 No Content"))
        names = dict(headers)
        self.assertEqual(names["Cache-Control"], "private, no-cache")
        self.assertIn("Authorization", names["Vary"])
        self.same(PARCELS, short_door=True, HTTP_AUTHORIZATION=f"Bearer {self.token}")

    def test_not_modified_by_the_short_door(self):
        etag = dict(call(self.spy.app, ROADS)[1])["ETag"]
        status, _headers, body = self.same(ROADS, short_door=True, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual((status, body), ("304 Not Modified", b""))

    def test_refusals_and_errors_are_the_full_stacks(self):
        # A staff layer without rights: 404, in the language asked for.
        status, _h, body = self.same(PARCELS, short_door=False, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(status, "404 Not Found")
        self.assertIn(b"no collection", body)
        status, _h, _b = self.same(PARCELS, short_door=False, HTTP_AUTHORIZATION="Token wrong")
        self.assertEqual(status, "401 Unauthorized")
        status, _h, _b = self.same(
            "/ogc/collections/nothing_here/tiles/WebMercatorQuad/1/0/0", short_door=False
        )
        self.assertEqual(status, "404 Not Found")
        status, _h, _b = self.same(
            "/ogc/collections/road_corridors/tiles/WebMercatorQuad/25/0/0", short_door=False
        )
        self.assertEqual(status, "400 Bad Request")
        status, _h, _b = self.same(
            "/ogc/collections/road_corridors/tiles/WebMercatorQuad/3/9/0", short_door=False
        )
        self.assertEqual(status, "400 Bad Request")

    def test_the_database_down_is_answered_503_by_the_full_stack(self):
        down = InterfaceError("connection already closed")
        with mock.patch("layers.vectortiles.views.tile_mvt", side_effect=down):
            before = self.spy.calls
            status, headers, _body = call(self.fast, ROADS)
        self.assertEqual(self.spy.calls - before, 1)
        self.assertEqual(status, "503 Service Unavailable")
        self.assertIn("Retry-After", dict(headers))

    def test_a_fault_of_the_short_door_alone_is_logged_and_the_tile_still_served(self):
        broken = TileFastPath(self.spy, chain=mock.Mock(side_effect=RuntimeError("short door")))
        with self.assertLogs("layers.vectortiles.fastpath", "WARNING") as logs:
            status, _h, body = call(broken, ROADS)
        self.assertEqual(status, "200 OK")
        self.assertIn("short door", logs.output[0])

    def test_requests_the_short_door_leaves_alone(self):
        self.same(ROADS, short_door=False, query="f=mvt")
        self.same(ROADS, short_door=False, method="HEAD")
        self.same(ROADS, short_door=False, HTTP_COOKIE="sessionid=abc; django_language=en")
        basic = "Basic ZnAtc3RhZmY6cHctZnAtc3RhZmYtMQ=="  # fp-staff:pw-fp-staff-1
        self.same(PARCELS, short_door=False, HTTP_AUTHORIZATION=basic)
        self.same("/ogc/collections/road_corridors/tiles", short_door=False)

    def test_a_signed_in_browser_reads_staff_tiles_through_the_full_stack(self):
        self.client.force_login(self.staff)
        session = self.client.cookies["sessionid"].value
        status, _h, _b = self.same(PARCELS, short_door=False, HTTP_COOKIE=f"sessionid={session}")
        self.assertIn(status, ("200 OK", "204 No Content"))

    def test_a_middleware_with_view_hooks_is_refused(self):
        with override_settings(
            MIDDLEWARE=[
                "django.middleware.security.SecurityMiddleware",
                "django.middleware.locale.LocaleMiddleware",  # process_response only: accepted
                "django.contrib.admindocs.middleware.XViewMiddleware",  # process_view
            ]
        ):
            with self.assertRaisesMessage(ImproperlyConfigured, "XViewMiddleware has process_view"):
                build_chain()

    def test_the_deployed_application_has_the_short_door_and_the_setting_removes_it(self):
        # In a process of its own: the WSGI module freezes the collector's view of its objects.
        code = "from gis_service.wsgi import application; print(type(application).__name__)"
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        self.assertEqual(out.stdout.strip().splitlines()[-1:], ["TileFastPath"], out.stderr[-2000:])
        inner = WSGIHandler()
        with override_settings(KCN_TILE_FAST_PATH=False):
            self.assertIs(wrap(inner), inner)
