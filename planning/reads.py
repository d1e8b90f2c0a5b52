"""Which reads may be answered a second late: from a read replica (issue 15, item 4).

Reads that can be a second stale — the maps and features the OGC services and the OGC API serve,
the dashboards, an analysis' inputs — may come from a PostgreSQL streaming replica; everything
else reads the primary. This module only marks the stretch of work whose reads may be stale;
the database router (``gis_service.db.replicas``) chooses the replica, or the primary when
there is none, it is down, or the reads happen inside a transaction (which must read its own
writes). Writes always go to the primary, whatever the mark.

Nothing here touches a database, so every layer may mark its work: the request middleware marks
the requests, ``planning.services.analysis_runs`` an analysis' computation.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class StaleReads:
    """One stretch of work whose reads may be stale; the router keeps the replica it chose for
    the stretch here, so one request reads one replica."""

    replica: str | None = None  # alias chosen, "" when none was usable (or reads must not)
    why: str = ""
    primary: bool = False  # this work must read the primary (it writes, or its client just did)


_current: ContextVar[StaleReads | None] = ContextVar("kcn_stale_reads", default=None)


@contextmanager
def stale_ok(why: str = "") -> Iterator[StaleReads]:
    """Reads inside may come from a replica (up to about a second behind the primary). Inside a
    stretch already marked — stale-tolerant, or bound to the primary — nothing changes: a
    request's reads stay on one server, and work done for a client that writes stays on the
    primary (an analysis run by a proposal's submission reads what the reviewer just saved)."""
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    scope = StaleReads(why=why)
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


@contextmanager
def primary(why: str = "") -> Iterator[StaleReads]:
    """Every read inside comes from the primary, whatever is marked stale-tolerant within."""
    scope = StaleReads(replica="", why=why, primary=True)
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def current() -> StaleReads | None:
    """The stretch of stale-tolerant reads in progress, or None: read the primary."""
    scope = _current.get()
    return None if scope is None or scope.primary else scope
