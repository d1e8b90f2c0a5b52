"""Settings shared by every environment. Everything that varies comes from the environment.

``DATABASE_URL`` picks the backend: ``spatialite:///path/to/file.sqlite3`` (the embedded
default, under ``var/``) or ``postgis://user:pass@host:port/name``.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("KCN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [v.strip() for v in value.split(",") if v.strip()] if value else default


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "rest_framework.authtoken",
    # The schema page /api/schema/ui/: drf-spectacular's template, Swagger UI from the sidecar's
    # static files (no CDN).
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # Sign-in lockout (layers/lockout.py): its AccessAttempt table counts failed sign-ins.
    "axes",
    # The task queue of background jobs (analyses, imports): Django's Tasks API and its
    # database backend; `manage.py run_worker` executes them.
    "django_tasks",
    "django_tasks_db",
    "planning",
    "layers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # With read replicas (DATABASE_REPLICA_URLS): marks the reads that may be a second stale, and
    # pins a client that writes to the primary for a few seconds (gis_service/db/replicas.py).
    "gis_service.db.replicas.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gis_service.middleware.PreferredLanguageMiddleware",
    # Cache-Control, Vary and ETags of every answer by caller (after the language).
    "gis_service.middleware.CallerCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gis_service.middleware.PrincipalMemoMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Answers a locked-out sign-in with 429 (layers.lockout.lockout_response); inside the language
    # middleware, so in the request's language.
    "axes.middleware.AxesMiddleware",
    # Last, so its process_exception runs first: database down or locked -> 503 + Retry-After.
    "gis_service.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "gis_service.urls"
WSGI_APPLICATION = "gis_service.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gis_service" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"spatialite:///{VAR_DIR / 'kcn_planner.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("spatialite"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Seconds a write waits for another writer's lock before "database is locked" (answered 503).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = float(
        os.environ.get("KCN_SQLITE_TIMEOUT", "30")
    )
    # A transaction takes the write lock when it begins (BEGIN IMMEDIATE), waiting for it up to
    # the timeout: one that read first and then wrote (django-axes counting a failed sign-in:
    # get_or_create, then an increment) would otherwise fail at once with "database is locked"
    # when two meet (SQLite's deadlock rule), and the failure would go uncounted.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
else:
    # A persistent connection broken by a database restart is replaced at the start of the next
    # request instead of failing it (gis_service/middleware.py answers 503 while it is down).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.contrib.gis.db.backends.postgis":
        # The same check without a round trip per request (gis_service/db/postgis/base.py).
        DATABASES["default"]["ENGINE"] = "gis_service.db.postgis"
    # Fail fast when the server does not answer, rather than holding a worker thread.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("KCN_DB_CONNECT_TIMEOUT", "5"))
    )
# Read replicas (issue 15; gis_service/db/replicas.py): PostgreSQL hot standbys of DATABASE_URL,
# comma-separated, answering the reads that may be a second stale (maps, features, tiles,
# dashboards, analyses' inputs); aliases replica1, replica2, …
DATABASE_REPLICA_URLS = [
    url.strip() for url in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if url.strip()
]
if DATABASE_REPLICA_URLS and DATABASES["default"]["ENGINE"].endswith("spatialite"):
    raise RuntimeError("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL")
for _n, _url in enumerate(DATABASE_REPLICA_URLS, 1):
    _replica = dj_database_url.parse(_url, conn_max_age=60)
    _replica["ENGINE"] = DATABASES["default"]["ENGINE"]
    _replica["CONN_HEALTH_CHECKS"] = True
    # A replica that does not answer is left out quickly; its reads go to the primary.
    _replica.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("KCN_REPLICA_CONNECT_TIMEOUT", "2"))
    )
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_n}"] = _replica
DATABASE_ROUTERS = ["gis_service.db.replicas.ReplicaRouter"] if DATABASE_REPLICA_URLS else []
# A client that wrote reads the primary for this long (read your writes).
KCN_REPLICA_PIN_SECONDS = int(os.environ.get("KCN_REPLICA_PIN_SECONDS", "5"))
# A replica that has not replayed what the primary had written this long ago is left out.
KCN_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("KCN_REPLICA_MAX_LAG_SECONDS", "2"))
# A replica that failed to answer is left out for this long.
KCN_REPLICA_RETRY_SECONDS = float(os.environ.get("KCN_REPLICA_RETRY_SECONDS", "5"))
# GET/HEAD requests whose reads may be a second stale: the OGC services and API, the dashboards
# and the report APIs.
KCN_REPLICA_READ_PREFIXES = (
    "/ows/",
    "/ogc/",
    "/dashboards/",
    "/api/v1/efficiency/",
    "/api/v1/watch-list/",
    "/api/v1/eco-readiness/",
    "/api/v1/infrastructure-gaps/",
    "/api/v1/labour-catchment/",
    "/api/v1/plan-vs-actual/",
    "/api/v1/infrastructure-costs/",
    "/api/v1/labour-report/",
    "/api/v1/lease-prices/",
)
# …but tiles read the primary: a cached tile made from a replica lagging behind the edit that
# refreshed it would stay stale until the next edit (gis_service/db/replicas.py).
KCN_REPLICA_PRIMARY_PATHS = r"^/ows/(tiles|wmts)/|/tiles/"
SPATIALITE_LIBRARY_PATH = os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in lockout with django-axes (layers/lockout.py): its backend refuses every password check,
# on every path (sign-in page, admin, HTTP Basic on the API and OGC services), while a name at an
# address or an address is locked; Django's ModelBackend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
KCN_LOGIN_MAX_FAILURES = int(os.environ.get("KCN_LOGIN_MAX_FAILURES", "5"))
KCN_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("KCN_LOGIN_MAX_FAILURES_PER_IP", "30"))
KCN_LOGIN_WINDOW_SECONDS = int(os.environ.get("KCN_LOGIN_WINDOW_SECONDS", "900"))
AXES_HANDLER = "layers.lockout.LockoutHandler"  # one limit per rule (axes has one)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = "layers.lockout.failure_limit"  # KCN_LOGIN_MAX_FAILURES, read at each call
AXES_COOLOFF_TIME = "layers.lockout.cool_off"  # KCN_LOGIN_WINDOW_SECONDS after the last failure
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused attempts are not counted
AXES_RESET_ON_SUCCESS = True  # this name at this address only (LockoutHandler)
AXES_USERNAME_CALLABLE = "layers.lockout.username"
AXES_CLIENT_IP_CALLABLE = "layers.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "layers.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not recorded
AXES_VERBOSE = False
# No admin pages for the attempts (axes ships no Vietnamese); unlock with manage.py axes_reset_*.
AXES_ENABLE_ADMIN = False
# Behind a reverse proxy the client address comes from X-Forwarded-For (see production.py).
KCN_BEHIND_PROXY = env_bool("KCN_BEHIND_PROXY", False)
# Vector tiles through a short door of the WSGI application (layers/vectortiles/fastpath.py).
KCN_TILE_FAST_PATH = env_bool("KCN_TILE_FAST_PATH", True)
# Set in the tile pool of the production setup only (README "Production"): a raster tile not yet
# cached is handed back to nginx with X-Accel-Redirect to this internal prefix, which nginx sends
# to the main pool to render, so the tile pool's workers never wait for a render.
KCN_RENDER_REDIRECT = os.environ.get("KCN_RENDER_REDIRECT", "").rstrip("/")
# A long-lived MapServer (FastCGI behind nginx, README "Production") that MapProxy asks for maps,
# e.g. http://127.0.0.1:8003/mapserv; empty: MapServer runs as a CGI process per map.
KCN_MAPSERVER_URL = os.environ.get("KCN_MAPSERVER_URL", "")
# Several web nodes (issue 15, DESIGN.md "Several web nodes"): the raster and vector tile caches
# live in this Redis server (redis://[:password@]host:port/db) instead of this machine's
# var/ folder, so a tile one node made is served by every node and an edit through any node
# refreshes it for all. Empty (the default): the file caches of one machine.
KCN_REDIS_URL = os.environ.get("KCN_REDIS_URL", "")
# Seconds a tile read or write waits for Redis before the tile is served uncached.
KCN_REDIS_TIMEOUT = float(os.environ.get("KCN_REDIS_TIMEOUT", "0.5"))
# Raster analyses on Dask (issue 15; planning/services/analyses/distributed.py): the cluster a
# run with "dask": true uses — "local" (a LocalCluster of KCN_DASK_LOCAL_WORKERS processes on this
# machine, each limited to KCN_DASK_WORKER_MEMORY) or tcp://HOST:8786 (a running dask scheduler
# whose workers see the rasters' path and have the project installed).
KCN_DASK_SCHEDULER = os.environ.get("KCN_DASK_SCHEDULER", "local")
KCN_DASK_LOCAL_WORKERS = int(os.environ.get("KCN_DASK_LOCAL_WORKERS", "2"))
KCN_DASK_WORKER_MEMORY = os.environ.get("KCN_DASK_WORKER_MEMORY", "2GiB")
KCN_DASK_TIMEOUT = float(os.environ.get("KCN_DASK_TIMEOUT", "20"))
# Lifetime of a tile in Redis: tiles can then be evicted (maxmemory-policy volatile-lru).
KCN_REDIS_TILE_TTL = int(os.environ.get("KCN_REDIS_TILE_TTL", str(30 * 86400)))
# A file cache is shared by the workers of one machine (gunicorn -w N), unlike local memory.
# Several machines share Django's cache (read-your-writes pins of QGIS clients, the token
# cache) through KCN_CACHE_URL, a Redis URL (it may be KCN_REDIS_URL's server).
KCN_CACHE_URL = os.environ.get("KCN_CACHE_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "gis_service.cache.ForgivingRedisCache",
            "LOCATION": KCN_CACHE_URL,
            "KEY_PREFIX": "kcn-django",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if KCN_CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django's "vi" formats group no digits; ours add thousands grouping ("5.279 ha", "1.234,5").
FORMAT_MODULE_PATH = ["planning.web.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "gis_service" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

# GDAL 3.6.2 (Debian 12) is older than Django 5.2's supported minimum; it works for what we use.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- Planning -----------------------------------------------------------------------------------
# Geometries are stored in WGS 84 (EPSG:4326). Every area and distance the service reports is
# computed in the VN-2000 TM-3 zone of the record's administrative unit (AdminUnit.metric_srid),
# see DESIGN.md "Coordinates".
PLANNING_STORAGE_SRID = 4326
# VN-2000 TM-3 zone used when a record has no administrative unit yet.
PLANNING_DEFAULT_METRIC_SRID = int(os.environ.get("KCN_DEFAULT_METRIC_SRID", "9217"))
# Stored geometries must fall inside this lon/lat box (Vietnam with a margin); anything outside
# is almost always projected metres passed as degrees.
PLANNING_EXTENT = (100.0, 6.0, 112.0, 24.5)
# An invalid polygon is repaired only when the repair changes its area by at most this share.
PLANNING_REPAIR_MAX_AREA_CHANGE = 0.001
# Largest file accepted by import_layer and uploads, in bytes.
PLANNING_MAX_UPLOAD_BYTES = int(os.environ.get("KCN_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))
# Background jobs: one task queue in the database (no broker), run by `manage.py run_worker` on
# any number of machines sharing the database. Analyses and imports have a queue each, so a
# machine may serve only one of them (`run_worker --queue-name imports`).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["analyses", "imports"],
    }
}
# A worker writes a heartbeat this often (seconds); a job whose worker's heartbeat is older than
# PLANNING_WORKER_LOST_SECONDS (a worker on another machine; on the same machine its process id
# is checked at once) is marked failed: the worker was killed or its machine stopped.
PLANNING_WORKER_BEAT_SECONDS = float(os.environ.get("KCN_WORKER_BEAT_SECONDS", "2"))
PLANNING_WORKER_LOST_SECONDS = float(os.environ.get("KCN_WORKER_LOST_SECONDS", "30"))
# Developer capacity: minimum own-capital share of total investment (Decree 43/2014 Art. 14,
# partially confirmed, see DOMAIN.md §2.4b). Keys are the threshold in hectares.
PLANNING_OWN_CAPITAL_MIN_SHARE = {"below_20_ha": 0.20, "from_20_ha": 0.15}

REST_FRAMEWORK = {
    # The API's own (planning/api/auth.py): HTTP Basic through layers.auth, so a locked sign-in is
    # 429 there too (DRF's BasicAuthentication would say 401), tokens, and the session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "planning.api.auth.HeaderAuthentication",
        "planning.api.auth.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}

SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge fetched from validator.swagger.io: the page asks nothing of outside hosts.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Its deploy check would generate a schema of every DRF view of the project; the API's own
    # schema (/api/schema/, only /api/v1/) is tested in tests/planning/api/test_schema.py.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pyogrio": {"level": "WARNING"},  # "Created N records" on every export
        "mapproxy": {"level": "WARNING"},  # one line per tile and CGI call otherwise
        "axes": {"level": "WARNING"},  # one warning per failed sign-in, not three more lines
    },
}
