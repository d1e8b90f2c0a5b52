"""Production: every secret from the environment; refuses to start without one.

Meant to run under gunicorn behind a reverse proxy (nginx, Apache, Caddy) that terminates TLS
and serves ``/static/`` from ``STATIC_ROOT`` — see README "Production". ``manage.py check
--deploy`` is clean with these settings (tests/test_production_settings.py).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env_bool, env_list

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set in production (50+ random characters)"
    )
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:  # noqa: F405
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too short or too simple: use 50+ random characters"
    )
DEBUG = False

# HTTPS: the proxy terminates TLS and says so in X-Forwarded-Proto; Django redirects plain HTTP
# and marks cookies secure. DJANGO_SSL_REDIRECT=false only if the proxy already redirects.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# The public origin(s), e.g. https://kcn.binhdinh.gov.vn, for CSRF checks behind the proxy.
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
USE_X_FORWARDED_HOST = env_bool("DJANGO_USE_X_FORWARDED_HOST", False)
# Sign-in limits count the client from X-Forwarded-For (the proxy's last entry).
KCN_BEHIND_PROXY = env_bool("KCN_BEHIND_PROXY", True)
