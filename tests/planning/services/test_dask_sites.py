"""Site suggestion and labour catchment on Dask through every door (issue 15, item 3), on the
demo province: the same sites and scores (and the same residents per ring) as in one process,
on a ``LocalCluster`` (the service's default cluster, through the API and the job queue) and on
a real ``dask scheduler`` with two ``dask worker`` processes started from the command line
(through ``manage.py suggest_sites --dask`` and ``labour_catchment --dask``)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from planning import models as m
from planning.errors import MissingInputs
from planning.services.analysis_runs import analysis_run
from tests.faults.server import free_port
from tests.planning.services.demo_case import DemoTestCase

REPO = Path(__file__).resolve().parents[3]
DASK = str(Path(sys.executable).with_name("dask"))


def _sites(run) -> list[tuple]:
    return [
        (s.rank, s.area_ha, s.score, s.nearest_road_name, s.geom.wkt)
        for s in run.sites.order_by("rank")
    ]


class DaskSiteSuggestionTests(DemoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.serial = analysis_run("site-suggestion", province="52", kind="CCN")
        cls.expected = _sites(cls.serial)

    def test_the_service_cluster_gives_the_same_sites_through_the_api_and_the_queue(self):
        self.assertGreater(len(self.expected), 0)
        api = APIClient()
        api.force_authenticate(self.planner)
        with override_settings(KCN_DASK_SCHEDULER="local", KCN_DASK_LOCAL_WORKERS=2):
            r = api.post(
                "/api/v1/analyses/site-suggestion/",
                {"province": "52", "kind": "CCN", "dask": True},
                format="json",
            )
        self.assertEqual(r.status_code, 202, r.content[:500])  # a job of the queue
        run = m.AnalysisRun.objects.get(pk=r.json()["id"])
        self.assertEqual(run.status, "done", run.error)
        self.assertEqual(run.results["dask"], {"scheduler": "local", "workers": 2})
        self.assertEqual(_sites(run), self.expected)
        self.assertEqual(run.results["count"], self.serial.results["count"])

    def test_labour_catchment_on_the_service_cluster_counts_the_same_residents(self):
        serial = analysis_run("labour-catchment", province="52")
        api = APIClient()
        api.force_authenticate(self.planner)
        with override_settings(KCN_DASK_SCHEDULER="local", KCN_DASK_LOCAL_WORKERS=2):
            r = api.post(
                "/api/v1/analyses/labour-catchment/",
                {"province": "52", "dask": True},
                format="json",
            )
        self.assertEqual(r.status_code, 202, r.content[:500])
        run = m.AnalysisRun.objects.get(pk=r.json()["id"])
        self.assertEqual(run.status, "done", run.error)
        self.assertEqual(run.results["dask"], {"scheduler": "local", "workers": 2})
        self.assertEqual(run.results["provinces"], serial.results["provinces"])
        areas = serial.results["provinces"][0]["areas"]
        self.assertGreater(len(areas), 3)
        self.assertGreater(areas[0]["rings"][0]["population"], 0)

    def test_a_web_user_cannot_name_a_host(self):
        api = APIClient()
        api.force_authenticate(self.planner)
        r = api.post(
            "/api/v1/analyses/site-suggestion/",
            {"province": "52", "dask": "tcp://10.0.0.9:8786"},
            format="json",
        )
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["error"]["details"]["parameter"], "dask")

    def test_a_scheduler_and_two_workers_from_the_command_line(self):
        port = free_port()
        address = f"tcp://127.0.0.1:{port}"
        procs = [_dask("scheduler", "--host", "127.0.0.1", "--port", str(port))]
        try:
            for _ in range(2):
                procs.append(
                    _dask(
                        "worker",
                        address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--memory-limit",
                        "1GiB",
                    )  # fmt: skip
                )
            _wait_for_workers(address, 2)
            out = io.StringIO()
            call_command("suggest_sites", province="52", kind="CCN", dask=address, stdout=out)
            run = m.AnalysisRun.objects.filter(kind="site-suggestion").latest("pk")
            self.assertEqual(run.status, "done", run.error)
            self.assertEqual(run.results["dask"], {"scheduler": address, "workers": 2})
            self.assertEqual(_sites(run), self.expected)
            serial = analysis_run("labour-catchment", province="52")
            call_command("labour_catchment", province="52", dask=address, stdout=out)
            run = m.AnalysisRun.objects.filter(kind="labour-catchment").latest("pk")
            self.assertEqual(run.status, "done", run.error)
            self.assertEqual(run.results["dask"], {"scheduler": address, "workers": 2})
            self.assertEqual(run.results["provinces"], serial.results["provinces"])
        finally:
            for p in reversed(procs):
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()

    def test_a_scheduler_that_does_not_answer_fails_the_run_with_its_address(self):
        address = f"tcp://127.0.0.1:{free_port()}"
        with (
            override_settings(KCN_DASK_SCHEDULER=address, KCN_DASK_TIMEOUT=2),
            self.assertRaises(MissingInputs),
        ):
            analysis_run("site-suggestion", province="52", kind="CCN", dask=True)
        run = m.AnalysisRun.objects.filter(kind="site-suggestion").latest("pk")
        self.assertEqual(run.status, "failed")
        self.assertIn(address, run.error)


def _dask(*args: str) -> subprocess.Popen:
    """``dask scheduler|worker …`` from the command line, as an operator starts them."""
    return subprocess.Popen(
        [DASK, *args, "--no-dashboard"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for_workers(address: str, n: int) -> None:
    from distributed import Client

    deadline = time.monotonic() + 60
    with Client(address, timeout=30) as client:
        while len(client.scheduler_info()["workers"]) < n:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{n} Dask workers did not join {address}")
            time.sleep(0.2)
