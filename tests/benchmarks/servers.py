"""The service as the benchmarks run it: gunicorn with the production settings on loopback.

One definition for the OGC API bench and the load bench (``bench_ogcapi.start_ours``,
``bench_load.main``), so both measure the same server."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[2]


def start_gunicorn(
    port: int, log: IO[bytes], *, workers: str, threads: str, timeout: int
) -> subprocess.Popen:
    """gunicorn ``-w workers --threads threads`` on 127.0.0.1:``port``, its output in ``log``."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="gis_service.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        KCN_BEHIND_PROXY="false",
        DJANGO_LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "gis_service.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            workers,
            "--threads",
            threads,
            "--timeout",
            str(timeout),
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
