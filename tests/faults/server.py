"""Helpers of the fault tests: a migrated database of their own, gunicorn on it, client threads.

Nothing here touches the suite's own database: each fault test builds a throwaway database (a
SQLite file, or a PostgreSQL 15 cluster in a temporary directory), migrates it with
``manage.py migrate`` in a subprocess and serves it with gunicorn under the production settings.
"""

from __future__ import annotations

import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
PYTHON = str(REPO / ".venv/bin/python") if (REPO / ".venv/bin/python").exists() else sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
STAFF, STAFF_PASSWORD = "canbo_fault", "pw-canbo-fault-1"
COMMUNE_CODE = "21907"

# A province and one commune (synthetic, as tests/conftest.py's binh_dinh) and a commune staff user.
SETUP_SCRIPT = f"""
import datetime as dt
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Polygon
from planning.models import AdminUnit, Membership

def box(*b):
    return MultiPolygon(Polygon.from_bbox(b), srid=4326)

province = AdminUnit.objects.create(code="52", name="Bình Định", level="province",
    boundary=box(108.6, 13.5, 109.4, 14.7), valid_from=dt.date(1976, 1, 1), zone_srid=9217)
commune = AdminUnit.objects.create(code="{COMMUNE_CODE}", name="Xã Cát Hanh", level="commune",
    parent=province, boundary=box(108.95, 13.95, 109.1, 14.1), valid_from=dt.date(1976, 1, 1),
    zone_srid=9217, is_synthetic=True)
user = get_user_model().objects.create_user("{STAFF}", password="{STAFF_PASSWORD}")
Membership.objects.create(user=user, role="commune_staff", admin_unit=commune)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The production settings on loopback: no HTTPS redirect, no secure cookies (no TLS proxy
    here)."""
    env = dict(os.environ)
    for key in ("DJANGO_SETTINGS_MODULE", "KCN_EXPECT_BACKEND", "PYTEST_CURRENT_TEST"):
        env.pop(key, None)
    env.update(
        DATABASE_URL=database_url,
        KCN_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="gis_service.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        KCN_BEHIND_PROXY="false",
        DJANGO_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 600) -> str:
    r = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if r.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args[:1])} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        )
    return r.stdout


def prepare_database(env: dict[str, str]) -> None:
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "shell", "-c", SETUP_SCRIPT)


class Gunicorn:
    """gunicorn serving the project on a free loopback port; its log is kept for the assertions."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        workers: int = 2,
        threads: int = 4,
        *,
        args: list[str] | None = None,
        health_path: str = "/api/v1/layers/",
    ):
        """``args``: gunicorn's own arguments instead of the defaults (``-b`` is replaced by a
        free loopback port), e.g. a command line of README "Production"."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")
        if args is None:
            args = ["gis_service.wsgi", "-b", "", "-w", str(workers), "--threads", str(threads)]
            args += ["--timeout", "60", "--graceful-timeout", "5"]
        args = list(args)
        args[args.index("-b") + 1] = f"127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [GUNICORN, *args, "--log-level", "warning"],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                # As behind a TLS proxy (production settings redirect plain HTTP).
                https = {"X-Forwarded-Proto": "https"}
                if requests.get(self.url + health_path, headers=https, timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start:\n{self.log()[-3000:]}")
            time.sleep(0.3)

    def workers(self) -> set[int]:
        """The worker processes' ids (a worker that died and was replaced shows up as a new id)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return {int(p) for p in children.read_text().split()} if children.exists() else set()

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


def basic_auth() -> str:
    return "Basic " + base64.b64encode(f"{STAFF}:{STAFF_PASSWORD}".encode()).decode()


def proposal_body(name: str, k: int) -> dict:
    """A small cluster proposal inside the commune; ``k`` shifts it so no two overlap exactly."""
    x0, y0 = 108.96 + (k % 100) * 0.0013, 13.96 + (k // 100) * 0.0013
    ring = [[x0, y0], [x0 + 0.001, y0], [x0 + 0.001, y0 + 0.001], [x0, y0 + 0.001], [x0, y0]]
    return {
        "name": name,
        "kind": "CCN",
        "admin_unit": COMMUNE_CODE,
        "rationale": "kiểm thử sự cố",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


@dataclass
class Outcome:
    kind: str  # "write", "read-api", "read-wfs"
    started: float  # time.monotonic()
    seconds: float
    status: int | None  # None: no HTTP answer (connection error, timeout)
    error: str = ""  # the exception, or the message of a 503
    name: str = ""  # the proposal's name, for writes
    retry_after: str | None = None


@dataclass
class Traffic:
    """Client threads writing proposals and reading the API and WFS until ``stop`` is set."""

    base_url: str
    writers: int = 3
    readers: int = 2
    timeout: float = 30.0
    outcomes: list[Outcome] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0

    def _next(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def _record(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def request(self, session: requests.Session, kind: str) -> Outcome:
        n = self._next()
        name = f"Đề xuất sự cố {n:05d} {secrets.token_hex(3)}" if kind == "write" else ""
        t0 = time.monotonic()
        try:
            if kind == "write":
                r = session.post(
                    self.base_url + "/api/v1/proposals/",
                    json=proposal_body(name, n),
                    timeout=self.timeout,
                )
            elif kind == "read-api":
                r = session.get(
                    self.base_url + "/api/v1/layers/proposals/",
                    params={"limit": 5},
                    timeout=self.timeout,
                )
            else:
                r = session.get(
                    self.base_url + "/ows/wfs",
                    timeout=self.timeout,
                    params={
                        "SERVICE": "WFS",
                        "VERSION": "2.0.0",
                        "REQUEST": "GetFeature",
                        "TYPENAMES": "proposals",
                        "COUNT": "5",
                        "OUTPUTFORMAT": "application/json",
                    },
                )
        except requests.RequestException as exc:
            return Outcome(
                kind, t0, time.monotonic() - t0, None, f"{type(exc).__name__}: {exc}", name
            )
        message = ""
        if r.status_code == 503:
            message = r.text
        elif r.status_code >= 300:
            message = r.text[:500]
        return Outcome(
            kind,
            t0,
            time.monotonic() - t0,
            r.status_code,
            message,
            name,
            r.headers.get("Retry-After"),
        )

    def _loop(self, kinds: list[str]) -> None:
        session = requests.Session()
        session.headers["Authorization"] = basic_auth()
        i = 0
        while not self.stop.is_set():
            outcome = self.request(session, kinds[i % len(kinds)])
            self._record(outcome)
            i += 1
            if outcome.status != 201 and outcome.status != 200:
                time.sleep(0.1)  # a client backing off a little, as Retry-After asks

    def start(self) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self._loop, args=(["write"],), daemon=True)
            for _ in range(self.writers)
        ]
        threads += [
            threading.Thread(target=self._loop, args=(["read-api", "read-wfs"],), daemon=True)
            for _ in range(self.readers)
        ]
        for t in threads:
            t.start()
        return threads

    def wait_for_writes(self, n: int, since: float, timeout: float = 90) -> None:
        """Let the clients run until ``n`` writes started after ``since`` were accepted."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                done = sum(1 for o in self.outcomes if o.status == 201 and o.started >= since)
            if done >= n:
                return
            time.sleep(0.2)
        raise AssertionError(f"fewer than {n} writes accepted in {timeout} s: {self.summary()}")

    def summary(self) -> str:
        c = Counter((o.kind, o.status) for o in self.outcomes)
        return ", ".join(f"{k}:{s}={n}" for (k, s), n in sorted(c.items(), key=str))


def check_unavailable_answer(o: Outcome) -> str | None:
    """None if ``o`` is a proper "database unavailable" answer, else what is wrong with it."""
    if o.status != 503:
        return f"{o.kind} got {o.status}: {o.error[:300]}"
    if not o.retry_after:
        return f"{o.kind} 503 without Retry-After"
    if o.kind == "read-wfs":
        if (
            "ExceptionReport" not in o.error
            or "database" not in o.error.lower()
            and "dữ liệu" not in o.error
        ):
            return (
                f"{o.kind} 503 is not an OGC exception report about the database: {o.error[:300]}"
            )
    elif '"database_unavailable"' not in o.error or "message" not in o.error:
        return f"{o.kind} 503 is not the JSON error about the database: {o.error[:300]}"
    return None
