"""Test settings: same backends as production, fast hashing."""

from .base import *  # noqa: F401,F403

SECRET_KEY = "test-only-not-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

from .base import DATABASES, VAR_DIR  # noqa: E402

if DATABASES["default"]["ENGINE"].endswith("spatialite"):
    # A file, not memory: MapServer reads the test database from its own process.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_kcn_planner.sqlite3")}

# Per-process cache, and sign-in limits the suite never reaches by accident (many tests send
# wrong passwords on purpose); the sign-in lockout tests (tests/test_security_settings.py,
# tests/test_sign_in_lockout.py) lower them.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
KCN_LOGIN_MAX_FAILURES = 1000
KCN_LOGIN_MAX_FAILURES_PER_IP = 10000
