"""Waymark settings. Every value an operator may change comes from the environment
(see `.env.example`); nobody should have to edit Python to run Waymark."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- core -------------------------------------------------------------------
DEVELOPMENT_SECRET_KEY = "waymark-development-only-secret-key-do-not-use-in-production"
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG=False "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The address people use to reach Waymark; links in emails are built from it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not DEBUG and not SITE_URL:
    raise ImproperlyConfigured("SITE_URL must be set when DEBUG=False, e.g. SITE_URL=https://roadmap.example.com")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "template_partials",
    "axes",
    "simple_history",
    "strategy",
    "releases",
    "feedback",
    "roadmap",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # gzip for the responses no compression side channel (BREACH) can read (roadmap/compression.py).
    "roadmap.compression.SelectiveGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication (its refusal pages show who is signed in), before any view or
    # the CSRF check reads the body.
    "strategy.middleware.InputGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "roadmap.headers.PermissionsPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees the outcome of authentication (django-axes requirement).
    "axes.middleware.AxesMiddleware",
]

# Request bodies larger than this are refused with 413 (uploaded files do not count), and
# JSON nested deeper than this with 400, before anything parses them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("REQUEST_BODY_MAX_BYTES", default=2_621_440)
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=32)
# Paths whose view checks the nesting of what it keeps (usage events: each event's properties).
JSON_DEPTH_CHECKED_BY_VIEW = ("/api/v1/events",)

ROOT_URLCONF = "roadmap.urls"
WSGI_APPLICATION = "roadmap.wsgi.application"
ASGI_APPLICATION = "roadmap.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "strategy.context_processors.navigation",
                "releases.context_processors.inbox",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/waymark"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis and caching ------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "waymark",
    }
}

# --- auth -------------------------------------------------------------------
AUTH_USER_MODEL = "strategy.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "strategy:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_MAX_AGE = timedelta(days=env.int("INVITATION_MAX_AGE_DAYS", default=7))

# Throttle failed sign-ins per (email, IP) pair so one attacker cannot lock out everyone.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The sign-in form's field is "username" even though accounts are keyed by email.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "strategy.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# How many reverse proxies (TLS terminator, load balancer) stand in front of Waymark; the
# client's address is then read from X-Forwarded-For (see strategy.auth.client_ip).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "strategy.auth.client_ip"

# --- email ------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Waymark <waymark@localhost>")

# --- security ---------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Announcing preload is harmless on its own; a site is preloaded only once submitted to the list.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health check is probed over plain HTTP by containers and load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Content-Security-Policy and Permissions-Policy -------------------------
# Scripts and style sheets come only from Waymark's own static files: no inline <script>,
# no inline event handlers, no inline <style> (htmx's indicator style is switched off in
# base.html; waymark.css carries it). Style *attributes* stay allowed: pages and the
# server-drawn timelines set positions, widths and colours per element with them. They cannot
# run script, and whatever a style attribute could load is limited by img-src/font-src to
# Waymark itself. `data:` images are the CSS-drawn icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features Waymark never uses, switched off (roadmap.headers.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {feature: [] for feature in (
    "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "geolocation", "gyroscope",
    "hid", "magnetometer", "microphone", "midi", "payment", "serial", "usb", "xr-spatial-tracking")}

# --- i18n and static files --------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "strategy.api.authentication.PersonalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "strategy.api.scoping.WorkspaceScope",
    ],
    "DEFAULT_PAGINATION_CLASS": "roadmap.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "roadmap.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Waymark API",
    "DESCRIPTION": "Read and change Waymark's workspaces, members, products, product strategy "
    "(vision, personas, competitors, goals with key results and check-ins, initiatives), delivery "
    "plans (workflow statuses, releases, milestones, features, requirements, dependencies, comments) and "
    "feedback (customers, contacts, ideas, votes, feedback notes). "
    "Authenticate with a personal token: `Authorization: Bearer <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Three choice fields are named `kind` (products', saved views', the search's): name their enums apart.
    "ENUM_NAME_OVERRIDES": {
        "ProductKindEnum": "strategy.models.Product.Kind",
        "SavedViewKindEnum": "strategy.models.SavedView.Kind",
        "SearchKindEnum": "roadmap.selectors.search.KIND_NAMES",
    },
    "PREPROCESSING_HOOKS": ["strategy.api.scoping.schema_without_unscoped"],
    # Tags and operation ids from the path after the workspace: /api/v1/w/{ws}/features/ -> features.
    "SCHEMA_PATH_PREFIX": r"/api/v1(/w/\{ws\})?",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "roadmap.api.document_error_responses",
        "strategy.api.scoping.document_workspace_parameter",
    ],
}

# --- usage events -----------------------------------------------------------
# Raw usage events older than this many days are dropped, a whole month partition at a time,
# once the month has passed entirely (so an event is kept at least this long, at most a month
# longer). Events older than this are refused at ingestion.
USAGE_EVENT_RETENTION_DAYS = env.int("USAGE_EVENT_RETENTION_DAYS", default=400)
# One POST /api/v1/events: at most this many events (more: 413) and this many bytes of body
# (more: 413; the site-wide REQUEST_BODY_MAX_BYTES still applies first).
USAGE_INGEST_MAX_EVENTS = env.int("USAGE_INGEST_MAX_EVENTS", default=1000)
USAGE_INGEST_MAX_BYTES = env.int("USAGE_INGEST_MAX_BYTES", default=2_097_152)
# Events ingested within this many seconds of each other cause one rollup, queued this long
# after the first of them.
USAGE_ROLLUP_DEBOUNCE_SECONDS = env.int("USAGE_ROLLUP_DEBOUNCE_SECONDS", default=30)
# PostgreSQL's work_mem inside a rollup's transaction (its sorts and hash tables; a full rollup
# of 5 million events uses a few hundred MB of it in the database server, never in Python).
USAGE_ROLLUP_WORK_MEM = env.str("USAGE_ROLLUP_WORK_MEM", default="256MB")
# How many usage events `seed_demo` writes, as a share of its ~150,000 (tests seed a sliver).
DEMO_USAGE_SCALE = env.float("DEMO_USAGE_SCALE", default=1.0)
# A rotated ingest key keeps working this many hours after its successor is made.
USAGE_INGEST_KEY_ROTATION_GRACE_HOURS = env.int("USAGE_INGEST_KEY_ROTATION_GRACE_HOURS", default=24)

# --- webhooks and workspace exports ------------------------------------------
# Webhooks may point at private, loopback, link-local or reserved addresses only when this is
# on (a Waymark on an internal network calling internal tools); off, such URLs are refused when
# saved and again at each delivery.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
# One delivery attempt waits this long for the receiver's answer.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# A failed delivery is tried this many times in all, waiting RETRY_BASE seconds after the first
# failure and doubling each time, never more than RETRY_MAX seconds (defaults: 30 s, 1 min,
# 2 min, ... over about 10 hours).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=10)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=4 * 60 * 60)

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=14 * 60)
CELERY_RESULT_EXPIRES = timedelta(days=1)
# Queueing happens in requests (after commit): with the broker down, give up within about a
# second and let the caller log it, rather than hold the page up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# A task taken by a worker that then dies (killed, machine lost) goes back to the queue after
# this many seconds. It must outlast the longest task (the hard time limit) and the longest
# retry countdown (Celery caps backoff at 10 minutes), or a slow task would run twice.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 5 * 60)
if max(CELERY_TASK_TIME_LIMIT, 10 * 60) >= CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT and than 600 seconds "
        "(the longest retry delay), or a running task would be handed to a second worker."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT, "socket_connect_timeout": 2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A worker is reported unhealthy when its heartbeat is older than this.
WORKER_HEARTBEAT_STALE_AFTER = timedelta(minutes=3)

# --- importing a file in the browser (docs/importing.md) ----------------------
# Past this many rows, a confirmed import is written by a Celery task and the page shows its progress.
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=500)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=10_000)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10_000_000)

# --- logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django adds a console handler of its own in DEBUG; stop records reaching the root twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # axes logs its configuration at INFO on every start; keep command output readable.
        "axes": {"level": "WARNING"},
    },
}
