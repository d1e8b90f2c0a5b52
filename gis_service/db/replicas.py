"""Read replicas: PostgreSQL streaming replicas answer the reads that may be a second stale
(issue 15, item 4).

Configured by ``DATABASE_REPLICA_URLS`` (comma-separated URLs of hot standbys of
``DATABASE_URL``, e.g. made with ``pg_basebackup -R``): the aliases ``replica1``, ``replica2``…
(``gis_service/settings/base.py``). Without it nothing here runs.

* **Which reads.** GET and HEAD requests of the OGC services (``/ows/``: WFS features,
  capabilities), the OGC API (``/ogc/``: items), the dashboards and the report APIs
  (``KCN_REPLICA_READ_PREFIXES``), and an analysis' computation (``planning.reads.stale_ok``).
  Everything else — the pages and API a user edits through, sign-in, the admin, every write —
  uses the primary. So does a read inside a transaction (it must see its own writes).
* **Not the tiles** (``KCN_REPLICA_PRIMARY_PATHS``: raster and vector tiles; MapServer's own
  connection stays on the primary too). A tile is kept in the cache until the next edit of its
  layer: made from a replica a few milliseconds behind the edit that refreshed it, it would
  show the old rows until the edit after, not for a second. The caches take the tiles' load off
  the database anyway; only a tile not yet cached reads it.
* **Read your writes.** A request that may write (POST, PUT, PATCH, DELETE) pins its client to
  the primary for ``KCN_REPLICA_PIN_SECONDS``: the client is known by its credentials (the
  ``Authorization`` header, or the session cookie), kept in the cache (shared by a machine's
  workers), and a browser also gets a cookie (so another machine behind the proxy pins it
  too). A planner who saves a feature in QGIS and reloads the layer sees it.
* **A replica down.** Before a request's first read from a replica, its connection is checked
  (Django's health check, then a connection if there is none); if that fails, the replica is
  left out for ``KCN_REPLICA_RETRY_SECONDS`` with a warning in the log, and the reads go to the
  next replica or the primary: the user gets an answer, not an error.
* **A replica late.** Every half second a process compares a replica's replayed WAL position
  with the primary's position of ``KCN_REPLICA_MAX_LAG_SECONDS`` ago; a replica that has not
  replayed it (replay stuck, paused, or far behind) is left out, with a warning, until it has.
* **Who may do what** (accounts, sessions, tokens, the sign-in lockout, memberships) is always
  read from the primary: a revoked right or a lockout holds at once.
* **Work for a client that writes stays on the primary**: a request that may write, or from a
  pinned client, marks its work ``reads.primary``, so an analysis it runs (a proposal's checks
  on submission) reads the primary too.
* **One replica per request** (chosen in turn among the usable ones), so a page's reads agree.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import threading
import time
from collections import deque

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from planning import reads

log = logging.getLogger(__name__)
PIN_COOKIE = "kcn_primary"
SAFE = frozenset(("GET", "HEAD", "OPTIONS"))


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def _lsn(text: str | None) -> int | None:
    """A WAL position ``'16/B374D848'`` as a number."""
    if not text:
        return None
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


class _Health:
    """Which replicas are left out, until when, and how far behind each is (shared by the
    threads of a process)."""

    CHECK_EVERY = 0.5  # seconds between two lag checks of a replica

    def __init__(self):
        self.down_until: dict[str, float] = {}
        self.lock = threading.Lock()
        self.turn = itertools.count()
        self.samples: deque[tuple[float, int]] = deque()  # (when, the primary's WAL position)
        self.checked_at: dict[str, float] = {}
        self.behind: dict[str, bool] = {}

    def usable(self, alias: str) -> bool:
        now = time.monotonic()
        if self.down_until.get(alias, 0.0) > now:
            return False
        connection = connections[alias]
        try:
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except Exception as exc:  # noqa: BLE001 - any failure to connect leaves it out
            retry = float(getattr(settings, "KCN_REPLICA_RETRY_SECONDS", 5))
            with self.lock:
                self.down_until[alias] = now + retry
            log.warning(
                "read replica %s unavailable (%s); reading from the primary for %.0f s",
                alias,
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                retry,
            )
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - already broken
                pass
            return False
        if alias in self.down_until:
            with self.lock:
                if self.down_until.pop(alias, None) is not None:
                    log.warning("read replica %s answers again", alias)
        return not self._behind(alias, now)

    def _behind(self, alias: str, now: float) -> bool:
        """Has ``alias`` not yet replayed what the primary had written ``KCN_REPLICA_MAX_LAG_
        SECONDS`` ago? (Checked every ``CHECK_EVERY`` s: the primary's WAL position is sampled
        and the replica's replayed position compared with the sample of that age. An idle
        primary leaves nothing to replay, so a quiet replica is never called late; a replica
        whose replay is stuck or paused is, once the lag passes the limit.)"""
        if now - self.checked_at.get(alias, float("-inf")) < self.CHECK_EVERY:
            return self.behind.get(alias, False)
        if not self.lock.acquire(blocking=False):
            return self.behind.get(alias, False)  # another thread is checking
        try:
            self.checked_at[alias] = now
            limit = float(getattr(settings, "KCN_REPLICA_MAX_LAG_SECONDS", 2))
            try:
                with connections["default"].cursor() as cur:
                    cur.execute("SELECT pg_current_wal_lsn()::text")
                    primary = _lsn(cur.fetchone()[0])
                with connections[alias].cursor() as cur:
                    cur.execute("SELECT pg_last_wal_replay_lsn()::text")
                    replayed = _lsn(cur.fetchone()[0])
            except Exception as exc:  # noqa: BLE001 - the lag is unknown: keep the last verdict
                log.debug("lag of read replica %s not checked: %s", alias, exc)
                return self.behind.get(alias, False)
            self.samples.append((now, primary))
            while self.samples and self.samples[0][0] < now - 4 * limit - 1:
                self.samples.popleft()
            due = [lsn for when, lsn in self.samples if when <= now - limit]
            late = replayed is not None and bool(due) and replayed < due[-1]
            if late != self.behind.get(alias, False):
                if late:
                    log.warning(
                        "read replica %s is more than %g s behind the primary; reading from "
                        "the primary",
                        alias,
                        limit,
                    )
                else:
                    log.warning("read replica %s has caught up with the primary", alias)
            self.behind[alias] = late
            return late
        finally:
            self.lock.release()


HEALTH = _Health()


def choose_replica(scope: reads.StaleReads) -> str | None:
    """The replica this stretch of work reads (the same for all its reads), or None."""
    if scope.replica is None:
        aliases = replica_aliases()
        scope.replica = ""
        if aliases:
            start = next(HEALTH.turn) % len(aliases)
            for alias in aliases[start:] + aliases[:start]:
                if HEALTH.usable(alias):
                    scope.replica = alias
                    break
    return scope.replica or None


#: Who may do what is read from the primary even in a stale-tolerant request: a password check
#: and its lockout count, a token or a membership just revoked must hold at once.
PRIMARY_APPS = frozenset(("auth", "sessions", "axes", "authtoken", "admin"))
PRIMARY_MODELS = frozenset(("planning.membership", "planning.role"))


class ReplicaRouter:
    """Stale-tolerant reads to a replica (see the module); everything else to ``default``."""

    def db_for_read(self, model, **hints):
        scope = reads.current()
        if scope is None or connections["default"].in_atomic_block:
            return None
        if model._meta.app_label in PRIMARY_APPS or model._meta.label_lower in PRIMARY_MODELS:
            return None
        instance = hints.get("instance")
        if instance is not None and instance._state.db == "default":
            return "default"  # related rows of a row read from the primary
        return choose_replica(scope)

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def _client_key(request) -> str | None:
    """Who is asking, by the credentials they send (no database read): None for anonymous."""
    credential = request.META.get("HTTP_AUTHORIZATION", "") or request.COOKIES.get(
        settings.SESSION_COOKIE_NAME, ""
    )
    if not credential:
        return None
    return hashlib.sha256(credential.encode()).hexdigest()[:32]


def _pinned(request, key: str | None) -> bool:
    try:
        if float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time():
            return True
    except ValueError:
        pass
    return key is not None and cache.get(f"kcn-pin:{key}") is not None


_PRIMARY_PATHS: dict[str, re.Pattern] = {}


def stale_tolerant(path: str) -> bool:
    if not path.startswith(tuple(settings.KCN_REPLICA_READ_PREFIXES)):
        return False
    pattern = settings.KCN_REPLICA_PRIMARY_PATHS
    compiled = _PRIMARY_PATHS.get(pattern) or _PRIMARY_PATHS.setdefault(
        pattern, re.compile(pattern)
    )
    return compiled.search(path) is None


class ReplicaReadsMiddleware:
    """Marks the requests whose reads may come from a replica; pins a writing client to the
    primary for a few seconds (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = bool(replica_aliases())

    def __call__(self, request):
        if not self.enabled:
            return self.get_response(request)
        key = _client_key(request)
        if request.method not in SAFE:
            with reads.primary("a request that may write"):
                response = self.get_response(request)
            seconds = int(getattr(settings, "KCN_REPLICA_PIN_SECONDS", 5))
            if key is not None:
                cache.set(f"kcn-pin:{key}", 1, timeout=seconds)
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
        if stale_tolerant(request.path_info) and not _pinned(request, key):
            with reads.stale_ok(request.path_info):
                return self.get_response(request)
        with reads.primary("a client that just wrote, or a page people edit with"):
            return self.get_response(request)
