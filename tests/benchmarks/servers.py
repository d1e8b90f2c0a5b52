"""The service as the benchmarks run it: gunicorn with the production settings on loopback.

One definition for the OGC API bench and the load bench (``bench_ogcapi.start_ours``,
``bench_load.main``), so both measure the same server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[2]


def start_gunicorn(
    port: int, log: IO[bytes], *, workers: str, threads: str, timeout: int
) -> subprocess.Popen:
    """gunicorn ``-w workers --threads threads`` on 127.0.0.1:``port``, its output in ``log``:
    the production settings on loopback as the fault tests run them
    (``tests.faults.server.server_env``), on ``DATABASE_URL`` and ``KCN_VAR_DIR``."""
    from tests.faults.server import server_env

    var_dir = Path(os.environ.get("KCN_VAR_DIR", REPO / "var"))
    env = server_env(os.environ["DATABASE_URL"], var_dir)
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
