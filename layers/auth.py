"""Who is calling an OGC service (WFS, WMS, WMTS, tiles): HTTP Basic, a token, or the session.

* ``Authorization: Basic <base64 user:password>``: checked with ``django.contrib.auth.authenticate``
  (QGIS, GDAL's ``user:pass@`` URLs and GDAL_HTTP_USERPWD send this);
* ``Authorization: Token <key>`` or ``Authorization: Bearer <key>``: a
  ``rest_framework.authtoken`` token; clients that only speak Basic send user ``token`` with the
  key as password;
* no Authorization header: the session user (or anonymous).

Wrong credentials answer 401 with ``WWW-Authenticate: Basic realm="KCN Planner"``; while the
name or the address is locked after too many failures (django-axes, :mod:`layers.lockout`), 429
with ``Retry-After``. The view is
csrf_exempt for QGIS's POSTs, so a *session* may only write (Transaction) with a valid CSRF
token; Basic and token requests carry their own credentials and need none.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from layers import lockout
from layers.errors import AccessDenied, AuthenticationRequired, TooManyAttempts

BASIC, TOKEN, SESSION, ANONYMOUS = "basic", "token", "session", "anonymous"
TOKEN_USERNAME = "token"

# Basic credentials are checked once per CACHE_SECONDS: password hashing on every page of a paged
# GetFeature would cost more than the page. An entry is only trusted while the user's password
# hash and active flag are unchanged.
CACHE_SECONDS = 300
_CACHE_MAX = 256
_cache: dict[str, tuple[int, str, float]] = {}
_cache_lock = threading.Lock()


@dataclass
class Caller:
    user: object
    method: str

    @property
    def is_authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))


def _cached_basic(header: str):
    key = hashlib.sha256(header.encode("utf-8")).hexdigest()
    with _cache_lock:
        entry = _cache.get(key)
    if entry is None:
        return key, None
    user_id, password_hash, expires = entry
    if expires < time.monotonic():
        return key, None
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None or user.password != password_hash:
        return key, None
    return key, user


def _remember(key: str, user) -> None:
    with _cache_lock:
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[key] = (user.pk, user.password, time.monotonic() + CACHE_SECONDS)


def _basic(request, credentials: str, header: str):
    key, user = _cached_basic(header)
    if user is not None:
        return user
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise AuthenticationRequired(gettext("malformed Basic credentials")) from None
    username, sep, password = decoded.partition(":")
    if not sep:
        raise AuthenticationRequired(gettext("malformed Basic credentials"))
    if username == TOKEN_USERNAME:
        # Clients that only speak Basic (QGIS 3.22's authentication configurations) carry a token
        # as the password of the pseudo-user "token".
        return _token(password)  # remembered briefly, as a token header (see _token)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        # django-axes refused the check (a lock), or this failure locked the name or the address.
        if getattr(request, "axes_locked_out", False):
            credentials = getattr(request, "axes_credentials", None) or {"username": username}
            wait = max(1, lockout.retry_after(request, credentials))
            raise TooManyAttempts(lockout.locked_message(wait), retry_after=wait)
        raise AuthenticationRequired(gettext("wrong user name or password"))
    _remember(key, user)
    return user


# A token's user is remembered for TOKEN_CACHE_SECONDS in each process: a map asks for dozens of
# vector tiles a second, and the lookup was a second database round trip per tile (the tile
# itself is one statement). ASSUMPTION (setting KCN_TOKEN_CACHE_SECONDS, 0 = off): 5 s. A token
# deleted (revoked) or a user saved (deactivated, password or rights changed) is forgotten at once
# in the process that did it (signals below) and at the latest TOKEN_CACHE_SECONDS later in the
# others (the other gunicorn workers). Only what the token row says is cached: roles are still
# read for every request (planning.access.principal).
TOKEN_CACHE_SECONDS = float(getattr(settings, "KCN_TOKEN_CACHE_SECONDS", 5))
_tokens: dict[str, tuple[object, float]] = {}


def _token_key(key: str) -> str:
    return hashlib.sha256(key.strip().encode("utf-8")).hexdigest()


def _token(key: str):
    cache_key = _token_key(key)
    entry = _tokens.get(cache_key)
    if entry is not None and entry[1] > time.monotonic():
        return copy.copy(entry[0])  # each request its own object: nothing leaks between them
    token = Token.objects.select_related("user").filter(key=key.strip()).first()
    if token is None or not token.user.is_active:
        _tokens.pop(cache_key, None)
        raise AuthenticationRequired(gettext("invalid token"))
    if TOKEN_CACHE_SECONDS > 0:
        with _cache_lock:
            if len(_tokens) >= _CACHE_MAX:
                _tokens.clear()
            _tokens[cache_key] = (copy.copy(token.user), time.monotonic() + TOKEN_CACHE_SECONDS)
    return token.user


def forget_tokens(user_id=None) -> None:
    """Drop remembered tokens: ``user_id``'s, or all."""
    with _cache_lock:
        for k, (user, _expires) in list(_tokens.items()):
            if user_id is None or user.pk == user_id:
                del _tokens[k]


@receiver(post_delete, sender=Token, dispatch_uid="layers.auth.token_deleted")
def _token_deleted(sender, instance, **kwargs):
    with _cache_lock:
        _tokens.pop(_token_key(instance.key), None)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="layers.auth.user_saved")
def _user_saved(sender, instance, **kwargs):
    forget_tokens(instance.pk)


def identify(request) -> Caller:
    """The caller of ``request``; sets ``request.user`` so history records name them."""
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    if header:
        scheme, _, credentials = header.partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            user, method = _basic(request, credentials, header), BASIC
        elif scheme in ("token", "bearer"):
            user, method = _token(credentials), TOKEN
        else:
            raise AuthenticationRequired(
                gettext("unsupported authorization scheme %(scheme)r; use Basic, Token or Bearer")
                % {"scheme": scheme}
            )
        request.user = user
        return Caller(user, method)
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return Caller(user, SESSION)
    return Caller(user, ANONYMOUS)


class _CSRFCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def require_writer(request, caller: Caller) -> None:
    """A Transaction needs a signed-in caller; a session caller also needs a valid CSRF token."""
    if not caller.is_authenticated:
        raise AuthenticationRequired(
            gettext("Transaction needs a signed-in user (HTTP Basic or a token)")
        )
    if caller.method == SESSION:
        check = _CSRFCheck(lambda req: None)
        check.process_request(request)
        reason = check.process_view(request, None, (), {})
        if reason:
            raise AccessDenied(
                gettext("CSRF check failed for a session request: %(reason)s") % {"reason": reason}
            )
