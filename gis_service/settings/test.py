"""Test settings: same backends as production, fast hashing."""
from .base import *  # noqa: F401,F403

SECRET_KEY = "test-only-not-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

from .base import DATABASES, VAR_DIR  # noqa: E402

if DATABASES["default"]["ENGINE"].endswith("spatialite"):
    # A file, not memory: MapServer reads the test database from its own process.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_kcn_planner.sqlite3")}
