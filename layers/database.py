"""The database down, restarting or locked: recognised the same way by every door.

The pages' middleware (``gis_service.middleware.DatabaseUnavailableMiddleware``), the REST API's
exception handler (``planning.api.errors``) and the WFS view (``layers.wfs.views``) each answer
503 with ``Retry-After`` in their own form; what counts as "unavailable", the message, the wait and
the log line are here, once.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext

log = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again (PostgreSQL restarts in a few seconds).
RETRY_AFTER_SECONDS = 5
# PostgreSQL SQLSTATE classes meaning "not now" rather than "wrong request": connection exception
# (08), insufficient resources (53, e.g. too many clients), operator intervention (57: shutdown,
# cannot connect now, statement timeout), transaction rollback (40: serialization, deadlock),
# lock not available (55P03).
_PG_UNAVAILABLE_PREFIXES = ("08", "53", "57", "40", "55P03")
_SQLITE_UNAVAILABLE_WORDS = ("locked", "busy", "unable to open database", "disk i/o error")


def is_database_unavailable(exc: BaseException) -> bool:
    """True if ``exc`` says the database cannot answer now (down, restarting, busy, locked).

    Other ``OperationalError`` s (a missing table, a bad query) are bugs and stay 500s.
    """
    if isinstance(exc, InterfaceError):  # "connection already closed"
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc
    sqlstate = getattr(cause, "sqlstate", None)
    module = type(cause).__module__ or ""
    if module.startswith("psycopg"):
        # No SQLSTATE: the client library could not reach the server (refused, reset, timeout).
        return sqlstate is None or sqlstate.startswith(_PG_UNAVAILABLE_PREFIXES)
    text = str(exc).lower()
    return any(word in text for word in _SQLITE_UNAVAILABLE_WORDS)


def database_unavailable_message() -> str:
    return gettext(
        "The database is unavailable at the moment (restarting or busy). Please try again in a "
        "few seconds."
    )


def log_database_unavailable(request, exc: BaseException) -> None:
    log.warning(
        "database unavailable, answered 503: %s %s: %s: %s",
        request.method,
        request.path,
        type(exc.__cause__ or exc).__name__,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
    )
