"""Django's Redis cache (``KCN_CACHE_URL``: several web nodes share the read-your-writes pins and
the token cache) made so that a Redis outage cannot fail a request: a read misses, a write is
dropped, and a warning is logged at most every 10 s. Everything kept there can be rebuilt (pins
fall back to the browser's cookie, lookups are made again)."""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)
_warned = {"at": 0.0}


def _warn(exc: Exception) -> None:
    now = time.monotonic()
    if now - _warned["at"] >= 10:
        _warned["at"] = now
        log.warning("Django's cache (Redis) unavailable: %s; going on without it", exc)


def _forgiving(name: str, fallback):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        import redis

        try:
            return method(self, *args, **kwargs)
        except (redis.RedisError, OSError) as exc:
            _warn(exc)
            return fallback(*args, **kwargs)

    return call


def _default(key, default=None, *args, **kwargs):
    return default


class ForgivingRedisCache(RedisCache):
    get = _forgiving("get", _default)
    get_many = _forgiving("get_many", lambda *a, **k: {})
    has_key = _forgiving("has_key", lambda *a, **k: False)
    add = _forgiving("add", lambda *a, **k: False)
    set = _forgiving("set", lambda *a, **k: None)
    set_many = _forgiving("set_many", lambda keys, *a, **k: list(keys))
    touch = _forgiving("touch", lambda *a, **k: False)
    delete = _forgiving("delete", lambda *a, **k: False)
    delete_many = _forgiving("delete_many", lambda *a, **k: None)
    clear = _forgiving("clear", lambda *a, **k: False)
