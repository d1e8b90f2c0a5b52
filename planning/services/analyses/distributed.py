"""Raster analyses on a Dask cluster (issue 15, item 3): the stripes of a site suggestion's
steps 1–3, and the rings and stripes of a labour catchment, run as Dask tasks, on a
``LocalCluster`` of processes on this machine (``local``) or on a real ``dask scheduler`` with
``dask worker``\\ s on other machines (``tcp://HOST:8786``).

What goes to the workers is pure (``planning.analysis``: no Django, no database): the analysis'
context (criteria, vectors in the grid's CRS, the coarse factor rasters) is scattered once to
every worker, and each task reads its own stripe of the rasters from their path
(:class:`~planning.analysis.rasters.PathReader`): the rasters must lie on a path every worker
sees (a shared file system), and the project must be installed on the workers (``pip install
-e .`` of this repository, or the same virtual environment). A worker's memory is one stripe
plus the context, whatever the province's size. Region growing and the report run here, after
the stripes, so the sites are the same as in one process (``tests/planning/test_dask_sites.py``).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator

from django.conf import settings
from django.utils.translation import gettext as _

from planning.analysis.site_suggestion import call_method
from planning.errors import InvalidParameter, MissingInputs

log = logging.getLogger(__name__)
ADDRESS = re.compile(r"^(local|tcp://[A-Za-z0-9.\-\[\]:]+:\d{1,5})$")


def scheduler_address(value) -> str:
    """The cluster a run asks for: ``""`` (none, in this process), ``local`` or ``tcp://…``.

    ``True`` (the API's ``"dask": true``) means the service's own cluster,
    ``KCN_DASK_SCHEDULER`` (default ``local``): a web user never names a host to connect to."""
    if value in (None, "", False, "false", "False", "0", 0):
        return ""
    if value in (True, "true", "True", "1", 1):
        return str(getattr(settings, "KCN_DASK_SCHEDULER", "") or "local")
    text = str(value).strip()
    if not ADDRESS.match(text):
        raise InvalidParameter(
            _("dask must be true, false, local or tcp://HOST:PORT (got %(value)s)")
            % {"value": text[:80]},
            details={"parameter": "dask"},
        )
    return text


@contextlib.contextmanager
def dask_client(address: str) -> Iterator:
    """A ``distributed.Client`` of the cluster at ``address`` for the block: ``local`` starts a
    ``LocalCluster`` of processes (``KCN_DASK_LOCAL_WORKERS``, ``KCN_DASK_WORKER_MEMORY``) that
    lives as long as the block; a remote one is only connected to."""
    from distributed import Client, LocalCluster

    cluster = None
    if address == "local":
        cluster = LocalCluster(
            n_workers=int(getattr(settings, "KCN_DASK_LOCAL_WORKERS", 2)),
            threads_per_worker=1,
            processes=True,
            memory_limit=getattr(settings, "KCN_DASK_WORKER_MEMORY", "2GiB"),
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout=float(getattr(settings, "KCN_DASK_TIMEOUT", 20)))
        except OSError as exc:
            raise MissingInputs(
                _("the Dask scheduler %(address)s does not answer: %(error)s")
                % {"address": address, "error": exc}
            ) from exc
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _workers(client, address: str, what: str) -> int:
    workers = len(client.scheduler_info().get("workers", {}))
    log.info("running %s on Dask %s (%d workers)", what, address, workers)
    return workers


@contextlib.contextmanager
def stripe_mapper(
    address: str, on_done: Callable[[int, int], None] | None = None
) -> Iterator[Callable]:
    """A ``map_stripes`` (``planning.analysis.site_suggestion``) running on the Dask cluster at
    ``address``; ``on_done(done, total)`` after each stripe. The cluster of ``local`` lives as
    long as the block; a remote one is only connected to."""
    from distributed import as_completed

    with dask_client(address) as client:

        def run(fn, stripes):
            context, method = fn.__self__, fn.__name__
            shared = client.scatter(context, broadcast=True, hash=False)
            futures = client.map(
                call_method,
                [shared] * len(stripes),
                [method] * len(stripes),
                list(stripes),
                pure=False,
            )
            for done, future in enumerate(as_completed(futures), start=1):
                result = future.result()
                if on_done is not None:
                    on_done(done, len(stripes))
                yield result
            client.cancel(shared)

        run.workers = _workers(client, address, "raster stripes")
        yield run


@contextlib.contextmanager
def task_mapper(
    address: str, on_done: Callable[[int, int], None] | None = None
) -> Iterator[Callable]:
    """A ``map_tasks(fn, items)`` on the Dask cluster at ``address``: ``fn(item)`` for every
    item as a task (``fn`` and the items pickled: a raster reader among them must be a
    :class:`~planning.analysis.rasters.PathReader`), results yielded as they finish."""
    from distributed import as_completed

    with dask_client(address) as client:

        def run(fn, items):
            items = list(items)
            futures = client.map(fn, items, pure=False)
            for done, future in enumerate(as_completed(futures), start=1):
                result = future.result()
                if on_done is not None:
                    on_done(done, len(items))
                yield result

        run.workers = _workers(client, address, "raster tasks")
        yield run
