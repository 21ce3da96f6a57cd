"""Qingyi settings: one module, read from the environment with strict parsers.

Every value has a safe development default except the secrets, which production
(DEBUG off) must provide. A bad value stops start-up with a message naming the
variable. Secrets may also come from ``NAME_FILE`` (a path whose content is the value).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the content of the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    value = (env(name, default) or "").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false, 1/0, yes/no, on/off)")


def envint(name: str, default: str) -> int:
    value = env(name, default) or ""
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None


def envfloat(name: str, default: str) -> float:
    value = env(name, default) or ""
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number") from None
    if not number >= 0:  # also refuses nan
        raise ImproperlyConfigured(f"{name}={value!r} must be zero or more")
    return number


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = envbool("DEBUG", "false")
# Under pytest the test defaults apply (fast hashing, no HTTPS redirect, immediate tasks).
TESTING = envbool("QINGYI_TESTING", "true" if "pytest" in sys.modules else "false")
DATA_DIR = Path(env("DATA_DIR", str(PROJECT_DIR / "data")) or "data")

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (or set DEBUG=true for development)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_htmx",
    "simple_history",
    "treebeard",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "csp",  # django-csp: the Content-Security-Policy header (see CONTENT_SECURITY_POLICY)
    "ninja",  # serves the API docs' Swagger UI from our own static files, not a CDN
    "qingyi.core",
    "qingyi.accounts",
    "qingyi.organizations",
    "qingyi.people",
    "qingyi.activities",
    "qingyi.volunteering",
    "qingyi.escorts",
    "qingyi.callups",
    "qingyi.growth",
    "qingyi.api",
    "qingyi.demo",  # the demo hospital stands above every domain
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qingyi.core.dbrouter.ReplicaPinMiddleware",  # outside the session: its save is a write
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qingyi.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qingyi.core.middleware.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Organisation data queried during a request without the scoping helpers raises ScopeError
# (true; tests) or logs a warning with the stack (false; the default outside tests).
QINGYI_SCOPES_STRICT = envbool("QINGYI_SCOPES_STRICT", "true" if TESTING else "false")

ROOT_URLCONF = "qingyi.urls"
WSGI_APPLICATION = "qingyi.wsgi.application"
ASGI_APPLICATION = "qingyi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qingyi.core.context_processors.navigation",
                "qingyi.core.context_processors.notifications",
            ],
        },
    }
]

# Database: embedded SQLite by default (WAL, IMMEDIATE transactions, busy timeout), so the
# platform runs after one command; PostgreSQL (psycopg 3) when DATABASE_URL says so.
DATABASE_URL = env("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "qingyi.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-20000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env("SQLITE_TEST_NAME", "") or None}

# A read replica (docs/scale.md): a PostgreSQL hot standby streaming from the primary. Figures,
# reports and exports read from it when it is at most REPLICA_MAX_LAG_SECONDS behind; every
# write, every read in a transaction and every read after a write go to the primary
# (qingyi.core.dbrouter). Off by default. Tests: a mirror of the default database.
REPLICA_DATABASE_URL = env("REPLICA_DATABASE_URL", "")
if REPLICA_DATABASE_URL:
    try:
        DATABASES["replica"] = dj_database_url.parse(
            REPLICA_DATABASE_URL, conn_max_age=60, conn_health_checks=True
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"REPLICA_DATABASE_URL is not a database URL: {exc}") from exc
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["qingyi.core.dbrouter.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = envfloat("REPLICA_MAX_LAG_SECONDS", "5")
# How often each process measures the lag (two small queries); and how long a browser that
# wrote reads from the primary afterwards.
REPLICA_LAG_CHECK_SECONDS = envfloat("REPLICA_LAG_CHECK_SECONDS", "2")
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", "10")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "qingyi.accounts.backends.EmployeeNumberOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed logins are throttled (django-axes): after AXES_FAILURE_LIMIT failures for the
# same account from the same address, that pair is locked out for AXES_COOLOFF_MINUTES.
# An account counts once whichever of its names is typed (employee number or phone):
# AXES_USERNAME_CALLABLE turns either into the account's username.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "qingyi.accounts.backends.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", "true")
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For
# (nginx: one). Rate limits and the login throttle count per client address (core/clientip.py).
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", "0")
AXES_CLIENT_IP_CALLABLE = "qingyi.core.clientip.client_ip"
# Requests per minute one API token may make (then 429 until the minute is over).
API_TOKEN_RATE_PER_MINUTE = envint("API_TOKEN_RATE_PER_MINUTE", "600")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # vendored front-end assets and the project's own
STATIC_ROOT = Path(env("STATIC_ROOT", str(PROJECT_DIR / "staticfiles")) or "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")) or "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# Redis, when REDIS_URL is set, holds the cache, the sessions and the task queue (RQ through
# django-tasks-rq; the worker is `manage.py rqworker --job-class django_tasks_rq.Job
# --worker-class qingyi.ops.rq.DurableWorker default`),
# so every gunicorn process and server shares them. Without it: a per-process memory cache,
# sessions in the database, and the database task queue with its worker (`db_worker`).
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    _redis_options = {"socket_connect_timeout": 2, "socket_timeout": 5}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": _redis_options,
        },
        "sessions": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "session",
            "OPTIONS": _redis_options,
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    SESSION_CACHE_ALIAS = "sessions"
    # DurableQueue: a job whose worker died is retried (qingyi/ops/rq.py; the worker runs with
    # --worker-class qingyi.ops.rq.DurableWorker so that happens within about a minute).
    RQ_QUEUES = {
        "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600, "QUEUE_CLASS": "qingyi.ops.rq.DurableQueue"}
    }
    _tasks_backend_default = "django_tasks_rq.RQBackend"
    # The RQ apps (worker command, queue pages) only where there is a Redis to talk to.
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _tasks_backend_default = "django_tasks_db.DatabaseBackend"
INSTALLED_APPS += ["django_prometheus", "qingyi.ops"]

# Background work through the tasks API (django-tasks, Django 6's django.tasks backport).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else env("TASKS_BACKEND", _tasks_backend_default)
        )
    }
}

# Operations (qingyi.ops): /health/ and /ready/ for the load balancer and /metrics for
# Prometheus are answered first, before the host check and the HTTPS redirect; django-prometheus
# counts and times every request. /metrics answers a bearer METRICS_TOKEN, or a scraper on
# loopback reaching the app server directly (no X-Forwarded-For) unless METRICS_ALLOW_LOOPBACK=false.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "qingyi.ops.middleware.OpsEndpointsMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
METRICS_TOKEN = env("METRICS_TOKEN", "") or ""
METRICS_ALLOW_LOOPBACK = envbool("METRICS_ALLOW_LOOPBACK", "true")

# Security: safe production defaults; `manage.py check --deploy` is clean when DEBUG is off.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG or TESTING else "true")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "false" if DEBUG or TESTING else "true")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 3600))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG or TESTING else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", "false") else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp) on every response: scripts and styles only from the
# project's own static files, never inline (no 'unsafe-inline', no nonces: the templates hold
# no <script> block, on*= handler, style= attribute or <style> element; tests/core/test_csp.py
# checks every page). Data for scripts travels in data-* attributes or json_script, which
# the browser does not execute. QR codes are inline SVG; data: images are allowed for the
# libraries that draw with them. The Swagger UI at /api/v1/docs runs under the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if not DEBUG and not TESTING:
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "qingyi@localhost")

# Notifications (core/notifications.py): the channels besides the platform's own bell, as
# comma-separated dotted paths of Channel subclasses. Default: e-mail, and the console
# channel standing in for SMS or WeChat. QINGYI_SITE_URL makes links in messages absolute.
QINGYI_NOTIFICATION_CHANNELS = envlist(
    "QINGYI_NOTIFICATION_CHANNELS",
    "qingyi.core.notifications.EmailChannel,qingyi.core.notifications.ConsoleChannel",
)
for _channel_path in QINGYI_NOTIFICATION_CHANNELS:
    if not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+", _channel_path):
        raise ImproperlyConfigured(
            f"QINGYI_NOTIFICATION_CHANNELS: {_channel_path!r} is not a dotted path (package.module.Class)"
        )
QINGYI_SITE_URL = (env("QINGYI_SITE_URL", "") or "").rstrip("/")
if QINGYI_SITE_URL and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", QINGYI_SITE_URL):
    raise ImproperlyConfigured(f"QINGYI_SITE_URL={QINGYI_SITE_URL!r} is not an http(s) URL")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
QINGYI_IMPORT_MAX_ROWS = envint("QINGYI_IMPORT_MAX_ROWS", "20000")
QINGYI_IMPORT_MAX_BYTES = envint("QINGYI_IMPORT_MAX_BYTES", str(10 * 1024 * 1024))
# Cells of the first sheet (each row counted up to its last cell) and shared strings of an
# imported workbook, counted from its XML before it is opened: a small file can hold millions.
QINGYI_IMPORT_MAX_CELLS = envint("QINGYI_IMPORT_MAX_CELLS", "600000")
QINGYI_IMPORT_MAX_STRINGS = envint("QINGYI_IMPORT_MAX_STRINGS", "400000")
# The time an import may spend reading and checking a file (then it is refused, nothing written);
# under gunicorn's worker timeout (60 s in docs/deploy.md).
QINGYI_IMPORT_SECONDS = envint("QINGYI_IMPORT_SECONDS", "45")
# Issues (errors, warnings) and planned changes kept with a roster import; the totals are kept in full.
QINGYI_IMPORT_STORED_ISSUES = envint("QINGYI_IMPORT_STORED_ISSUES", "1000")
# Roster imports (with their file) are deleted this many days after upload.
QINGYI_IMPORT_RETENTION_DAYS = envint("QINGYI_IMPORT_RETENTION_DAYS", "30")

QINGYI_SITE_NAME = _("Qingyi")
