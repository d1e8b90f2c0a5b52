"""Crash safety (issue 16 item 4): ``kill -9`` of PostgreSQL, of a web worker and of a task worker
under writes by several users, with PostgreSQL's production durability (``fsync``,
``synchronous_commit``, ``full_page_writes`` on).

One throwaway cluster, gunicorn under the production settings, a task worker. Three users write
through WFS-T (inserts of several proposals in one transaction, updates) and the REST API
(creation, then submission) the whole time (:mod:`tests.faults.writes`), while the test

1. kills the task worker running a job (``kill -9``); its replacement's sweep fails the job;
2. kills the gunicorn worker whose database connection is inside a transaction that has written
   (found in ``pg_stat_activity``, matched to the worker by its socket);
3. kills the postmaster; its children leave; the cluster is started again and recovers from its
   write-ahead log.

Afterwards: every write that got a 2xx saying it was done is stored, no transaction is stored in
part, every stored proposal has its creation in the edit history, the killed job is failed (not
"running"), and the same gunicorn master answers without a restart. PostGIS run only.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from tests.faults.cluster import ThrowawayCluster
from tests.faults.server import REPO, Gunicorn, manage, prepare_database, server_env
from tests.faults.writes import BATCH, USERS_SCRIPT, WriteLoad

ENGINE = settings.DATABASES["default"]["ENGINE"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not ENGINE.endswith("postgis"), reason="PostgreSQL crash: runs in the PostGIS run"
    ),
]

ENQUEUE_SCRIPT = """
from planning import models as m
from tests.jobs.tasks import slow_job
run = m.AnalysisRun.objects.create(kind="efficiency", status="queued", language="en",
                                   progress_message="waiting")
result = slow_job.enqueue(run.pk, 600, "{log}")
m.AnalysisRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
print(run.pk)
"""
LOST = "the worker running this job stopped (killed or crashed); start it again"


def _sql(cluster: ThrowawayCluster, query: str, *params):
    import psycopg

    with psycopg.connect(cluster.url("kcn_fault"), autocommit=True, connect_timeout=5) as conn:
        return conn.execute(query, params).fetchall()


def _socket_owner(pids: set[int], local_port: int, remote_port: int) -> int | None:
    """Which of ``pids`` holds the loopback TCP socket ``local_port`` → ``remote_port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            local, remote = cols[1].rsplit(":", 1)[1], cols[2].rsplit(":", 1)[1]
            if int(local, 16) == local_port and int(remote, 16) == remote_port:
                inodes.add(f"socket:[{cols[9]}]")
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in inodes:
                    return pid
            except OSError:
                continue
    return None


def _kill_a_worker_inside_a_transaction(cluster, server, timeout: float = 60) -> tuple[int, str]:
    """``kill -9`` the gunicorn worker whose connection is in a transaction that has written;
    returns the worker's id and what its backend was running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = server.workers()
        for port, query in _sql(
            cluster,
            "select client_port, query from pg_stat_activity where datname = 'kcn_fault'"
            " and backend_xid is not null and client_port is not null and pid <> pg_backend_pid()",
        ):
            owner = _socket_owner(workers, port, cluster.port)
            if owner is not None:
                os.kill(owner, signal.SIGKILL)
                return owner, query
        time.sleep(0.005)
    raise AssertionError("no web worker was seen inside a writing transaction")


class TaskWorker:
    def __init__(self, env: dict[str, str], log: Path):
        self._log = open(log, "ab")  # noqa: SIM115
        self.log_path = log
        self.proc = subprocess.Popen(
            [sys.executable if not (REPO / ".venv/bin/python").exists()
             else str(REPO / ".venv/bin/python"), "manage.py", "run_worker",
             "--queue-name", "analyses", "--interval", "0.2", "--beat", "0.5",
             "--no-startup-delay"],
            cwd=REPO, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self._log.close()


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_of_postgres_a_web_worker_and_a_task_worker_loses_no_acknowledged_write(tmp_path):
    cluster = ThrowawayCluster(durable=True)
    server = load = None
    task_workers: list[TaskWorker] = []
    threads = []
    try:
        settings_now = dict(
            _sql(
                cluster,
                "select name, setting from pg_settings where name in"
                " ('fsync', 'synchronous_commit', 'full_page_writes')",
            )
        )
        assert settings_now == {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
        env = server_env(cluster.database_url, tmp_path / "var", KCN_DB_CONNECT_TIMEOUT="3")
        prepare_database(env)
        manage(env, "shell", "-c", USERS_SCRIPT)
        server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2, threads=4)
        master = server.proc.pid
        task_workers.append(TaskWorker(env, tmp_path / "worker.log"))
        run_id = int(
            manage(env, "shell", "-c", ENQUEUE_SCRIPT.format(log=tmp_path / "job.txt")).split()[-1]
        )
        load = WriteLoad(server.url, per_user=2)
        threads = load.start()
        load.wait_for(10, since=0)
        events = []

        # 1. The task worker, mid-job.
        _wait(
            lambda: _sql(
                cluster,
                "select 1 from planning_analysisrun where id = %s and status = 'running'"
                " and progress > 0",
                run_id,
            ),
            60,
            "the job to run",
        )
        os.kill(task_workers[0].proc.pid, signal.SIGKILL)
        task_workers[0].proc.wait(timeout=10)
        assert _sql(cluster, "select status from planning_analysisrun where id = %s", run_id) == [
            ("running",)
        ]
        task_workers.append(TaskWorker(env, tmp_path / "worker.log"))  # as systemd restarts it
        events.append("task worker killed mid-job")

        # 2. A web worker inside a transaction that has written.
        t = time.monotonic()
        killed, query = _kill_a_worker_inside_a_transaction(cluster, server)
        _wait(lambda: killed not in server.workers() and len(server.workers()) == 2, 30,
              "gunicorn to replace its worker")  # fmt: skip
        load.wait_for(10, since=time.monotonic())
        events.append(f"web worker {killed} killed inside a transaction ({query[:60]}…)")
        worker_kill = (t, time.monotonic())

        # 3. The postmaster.
        t = time.monotonic()
        n = cluster.crash()
        time.sleep(1)  # down for a moment, under the writes
        cluster.start()
        pg_crash = (t, time.monotonic())
        events.append(f"postmaster killed ({n} server processes), started again")
        load.wait_for(10, since=time.monotonic())

        load.stop.set()
        for th in threads:
            th.join(timeout=load.timeout + 5)

        # The killed job: failed by the new worker's sweep, with its message.
        status, error = _wait(
            lambda: [
                row
                for row in _sql(
                    cluster, "select status, error from planning_analysisrun where id = %s", run_id
                )
                if row[0] != "running"
            ],
            60,
            "the lost job to be failed",
        )[0]
        assert (status, error) == ("failed", LOST)
        # The task worker that replaced the killed one outlived the database's crash.
        assert task_workers[1].proc.poll() is None, task_workers[1].log_path.read_text()[-3000:]

        # The service recovered without a restart: the same master, serving every kind again.
        assert server.proc.poll() is None and server.proc.pid == master
        after = load.cycles(2)
        kinds = ["wfs-insert", "wfs-update", "api-create", "api-submit"]
        assert [(o.kind, o.acknowledged) for o in after] == [(k, True) for k in kinds * 2], [
            (o.kind, o.status, o.error[:200]) for o in after
        ]

        # Every acknowledged write is stored; nothing is stored in part.
        rows = {
            name: (pid, st, rationale)
            for pid, name, st, rationale in _sql(
                cluster, "select id, name, status, rationale from planning_proposal"
            )
        }
        created = {
            pid
            for (pid,) in _sql(
                cluster, "select id from planning_historicalproposal where history_type = '+'"
            )
        }
        problems = load.check_stored(rows, created)
        assert not problems, "\n".join(problems[:20])

        # Every answer: 2xx with the body asked for; a proper 503 while the database was down;
        # or no answer at all from the worker killed with its connections.
        wrong = [o for o in load.outcomes if o.wrong_body]
        assert not wrong, [(o.kind, o.wrong_body) for o in wrong[:5]]
        bad = []
        for o in load.outcomes:
            if o.status is not None and 200 <= o.status < 300:
                continue
            end = o.started + o.seconds
            near_worker_kill = worker_kill[0] - 0.5 <= end and o.started <= worker_kill[1]
            near_crash = pg_crash[0] - 0.5 <= end and o.started <= pg_crash[1] + 5
            if o.status is None and near_worker_kill:
                continue
            if o.status == 503 and o.retry_after and near_crash:
                continue
            bad.append(f"{o.kind} {o.status} at {end - pg_crash[0]:+.1f} s: {o.error[:300]}")
        assert not bad, "\n".join(bad[:10]) + "\n" + server.log()[-3000:]
        cut = [o for o in load.outcomes if o.status is None]
        assert cut, "the killed web worker was serving no request"

        assert "automatic recovery in progress" in cluster.log()

        kinds = Counter((o.kind, o.status) for o in load.outcomes)
        print(
            f"\n{len(load.outcomes)} writes: "
            + ", ".join(f"{k} {s}: {c}" for (k, s), c in sorted(kinds.items(), key=str))
            + f"\nacknowledged and stored: {len(load.inserted)} proposals in "
            f"{len(load.inserted) // BATCH} WFS-T inserts ({len(load.batches)} tried), "
            f"{sum(1 for a in load.updates.values() for _, ok in a if ok)} WFS-T updates, "
            f"{len(load.created)} API creations, {len(load.submitted)} submissions"
            + "\n"
            + "\n".join(events)
        )
    finally:
        if load is not None:
            load.stop.set()
        for w in task_workers:
            w.stop()
        if server is not None:
            server.stop()
        cluster.destroy()
