"""A throwaway PostgreSQL 15 cluster for the fault tests."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.faults.server import free_port

PGBIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as postgres, as scripts/pg.sh does
        cmd = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


class ThrowawayCluster:
    """A PostgreSQL 15 cluster of its own in a temporary directory, on a free port.

    ``durable``: PostgreSQL's production defaults (``fsync``, ``synchronous_commit`` and
    ``full_page_writes`` on), for the crash test; otherwise ``fsync=off`` (a restart test needs no
    disk flushes: a clean stop writes everything).
    """

    def __init__(self, *, durable: bool = False, standby_of: ThrowawayCluster | None = None):
        """``standby_of``: a hot standby of that cluster (``pg_basebackup -R``: a copy of its
        data that keeps replaying its WAL, read-only), instead of a new cluster."""
        self.durable = durable
        self.dir = Path(tempfile.mkdtemp(prefix="kcn-fault-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        if standby_of is not None:
            try:
                r = _as_postgres(
                    [
                        str(PGBIN / "pg_basebackup"),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        str(standby_of.port),
                        "-U",
                        "postgres",
                        "-D",
                        str(self.data),
                        "-R",  # standby.signal and primary_conninfo: a streaming replica
                        "-X",
                        "stream",
                        "--checkpoint=fast",
                    ],
                    timeout=300,
                )
                assert r.returncode == 0, r.stderr
                self.start()
            except BaseException:
                self.destroy()
                raise
            return
        try:
            r = _as_postgres(
                [
                    str(PGBIN / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
                timeout=120,
            )
            assert r.returncode == 0, r.stderr
            self.start()
            for url, sql in (
                (self.admin_url, "create database kcn_fault"),
                (self.url("kcn_fault"), "create extension postgis"),
            ):
                r = subprocess.run(
                    ["psql", url, "-qc", sql], capture_output=True, text=True, timeout=60
                )
                assert r.returncode == 0, r.stderr
        except BaseException:
            self.destroy()
            raise

    def url(self, db: str, scheme: str = "postgresql") -> str:
        return f"{scheme}://postgres@127.0.0.1:{self.port}/{db}"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    @property
    def database_url(self) -> str:
        return self.url("kcn_fault", "postgis")

    def pg_ctl(self, *args: str) -> None:
        r = _as_postgres([str(PGBIN / "pg_ctl"), "-D", str(self.data), *args], timeout=120)
        log = self.dir / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        assert r.returncode == 0, r.stdout + r.stderr + tail

    @property
    def name(self) -> str:
        """The cluster's name, in its processes' titles (``postgres: NAME: …``)."""
        return f"kcn-fault-{self.port}"

    def start(self) -> None:
        # synchronous_commit stays on: an acknowledged commit must survive the restart.
        durability = (
            "-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
            if self.durable
            else "-c fsync=off"
        )
        self.pg_ctl(
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 {durability}"
            f" -c cluster_name={self.name}",
            "start",
        )

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "stop")

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def processes(self) -> list[int]:
        """The ids of this cluster's server processes still alive (the postmaster's children
        carry the cluster name in their title)."""
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                title = (
                    (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
            except OSError:
                continue
            if title.startswith(f"postgres: {self.name}:"):
                found.append(int(proc.name))
        return found

    def crash(self, timeout: float = 30) -> int:
        """``kill -9`` the postmaster; wait until its orphaned children have left (they notice
        the postmaster's death and exit; the server refuses to start while they hold its shared
        memory). Returns how many server processes there were."""
        children = self.processes()
        postmaster = self.postmaster_pid()
        os.kill(postmaster, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        # The postmaster too must be gone (reaped by its parent, init): the new one reads the old
        # one's id in postmaster.pid and refuses to start while a process has it.
        while self.processes() or Path(f"/proc/{postmaster}").exists():
            if time.monotonic() > deadline:
                raise AssertionError(f"server processes left after the crash: {self.processes()}")
            time.sleep(0.05)
        return len(children) + 1

    def log(self) -> str:
        return (self.dir / "server.log").read_text(errors="replace")

    def destroy(self) -> None:
        _as_postgres(
            [str(PGBIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)
