"""Django settings for ToolboxAI, read from the environment (and a ``.env`` file when present).

Every variable is documented in ``.env.sentry.example``. Parsing is strict: a bad value stops
startup with one line naming the variable (see ``monitoring.conf``).
"""

import os
import warnings
from pathlib import Path

import environ

from live.layers import channel_layers
from monitoring.conf import (
    DEVELOPMENT,
    DEVELOPMENT_ENVIRONMENTS,
    SentryConfig,
    is_hardened_environment,
    secret_key_is_strong,
)
from monitoring.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_http_url,
    env_int,
    env_list,
    env_rate_limit,
    env_str,
    exit_on_config_error,
)
from monitoring.logs import console_is_readable, logging_config
from monitoring.network import parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent

# A .env file is optional; real environment variables win over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

with exit_on_config_error():
    APP_ENVIRONMENT = env_str(os.environ, "SENTRY_ENVIRONMENT", DEVELOPMENT) or DEVELOPMENT
    # Development defaults only for an explicit list of environments (monitoring.conf); any
    # other name, "staging" or "Production" included, runs with production's safeguards.
    IS_HARDENED = is_hardened_environment(APP_ENVIRONMENT)
    APP_VERSION = env_str(os.environ, "APP_VERSION", "1.0.0") or "1.0.0"
    DEBUG = env_bool(os.environ, "DEBUG", not IS_HARDENED)
    if DEBUG and IS_HARDENED:
        # Refused rather than warned about: DEBUG pages show settings, SQL and local variables
        # (children's data) to anyone who triggers an error. An environment that needs DEBUG is
        # a development one and should be named so.
        raise ConfigError(
            "DEBUG",
            os.environ.get("DEBUG"),
            f"false or unset when SENTRY_ENVIRONMENT={APP_ENVIRONMENT!r} (only "
            f"{', '.join(sorted(DEVELOPMENT_ENVIRONMENTS))} may run with DEBUG)",
        )

    SECRET_KEY = env_str(os.environ, "SECRET_KEY")
    if IS_HARDENED:
        # The development key is public (it is in this file): anything signed with it, an admin
        # JWT included, could be forged.
        if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or not secret_key_is_strong(SECRET_KEY):
            raise ConfigError(
                "SECRET_KEY",
                None if not SECRET_KEY else "<hidden>",
                "a random secret of at least 50 characters (5 or more distinct), not the "
                "development key, when SENTRY_ENVIRONMENT is not a development one",
            )
    elif not SECRET_KEY:
        SECRET_KEY = DEV_SECRET_KEY

    ALLOWED_HOSTS = env_list(
        os.environ,
        "ALLOWED_HOSTS",
        [] if IS_HARDENED else ["localhost", "127.0.0.1", "[::1]", "testserver"],
    )
    if IS_HARDENED and not ALLOWED_HOSTS:
        raise ConfigError(
            "ALLOWED_HOSTS", None, "comma-separated host names outside development environments"
        )

    _database_url = env_str(os.environ, "DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    _bad_database_url = ConfigError(
        "DATABASE_URL", _database_url, "a URL like postgres://user@host:5432/name or sqlite:///path"
    )
    if _database_url.split("://", 1)[0] not in ("postgres", "postgresql", "pgsql", "sqlite"):
        raise _bad_database_url
    try:
        _database = environ.Env.db_url_config(_database_url)
    except Exception:  # django-environ raises several types for a malformed URL
        raise _bad_database_url from None
    # Persistent connections: 60 s in WSGI workers (toolbox.wsgi sets that default; a new
    # connection per request cost more than the lessons list's queries, bench/README.md), 0
    # under ASGI, as Django advises. Each request checks its connection before first use and
    # replaces one that broke (CONN_HEALTH_CHECKS), so a database restart fails no request.
    _database["CONN_MAX_AGE"] = env_int(os.environ, "DATABASE_CONN_MAX_AGE", 0)
    _database["CONN_HEALTH_CHECKS"] = True
    _pool_size = env_int(os.environ, "DATABASE_POOL_MAX_SIZE", 0)
    if _database["ENGINE"] == "django.db.backends.postgresql":
        # Fail fast when the database is down instead of hanging a worker.
        _database.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
        # Pooled connections where they are not persistent (ASGI: toolbox.asgi sets the
        # default). Django closes a connection at the end of each request and each socket's
        # database call; without a pool each of those opened a new one (~4 ms and a server
        # process). The pool checks a connection before lending it (CONN_HEALTH_CHECKS) and
        # makes a request wait, at most 10 s, rather than open more than max_size.
        if _pool_size and not _database["CONN_MAX_AGE"]:
            _database["OPTIONS"]["pool"] = {"min_size": 1, "max_size": _pool_size, "timeout": 10}
    DATABASES = {"default": _database}

    LOG_LEVEL = env_choice(
        os.environ, "LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    )

    LOG_FORMAT = env_choice(os.environ, "LOG_FORMAT", "AUTO", ("AUTO", "JSON", "CONSOLE")).lower()

    LOG_FILE = env_str(os.environ, "LOG_FILE", str(BASE_DIR / "var" / "log" / "toolbox.jsonl"))

    SENTRY = SentryConfig.from_env(os.environ, app_version=APP_VERSION, debug=DEBUG)
    # /sentry/status and /health call delivery degraded after this many failed sends in a row.
    SENTRY_DEGRADED_AFTER_FAILURES = env_int(
        os.environ, "SENTRY_DEGRADED_AFTER_FAILURES", 3, minimum=1
    )

    REDIS_URL = env_str(os.environ, "REDIS_URL")
    if REDIS_URL and REDIS_URL.split("://", 1)[0] not in ("redis", "rediss", "unix"):
        raise ConfigError("REDIS_URL", REDIS_URL, "a URL like redis://127.0.0.1:6379/0")
    # Starts every key we write to Redis (cache, circuit breaker, channel layer, Celery broker),
    # so that deployments (or test runs) sharing one Redis never see each other's keys.
    REDIS_KEY_PREFIX = env_str(os.environ, "REDIS_KEY_PREFIX", "toolbox") or "toolbox"
    if len(REDIS_KEY_PREFIX) > 64 or not all(c.isalnum() or c in "_.:-" for c in REDIS_KEY_PREFIX):
        raise ConfigError("REDIS_KEY_PREFIX", REDIS_KEY_PREFIX, "up to 64 letters, digits, _.:-")

    HEALTH_DISK_MIN_FREE_PERCENT = env_int(os.environ, "HEALTH_DISK_MIN_FREE_PERCENT", 5)
    HEALTH_DISK_CRITICAL_PERCENT = env_int(os.environ, "HEALTH_DISK_CRITICAL_PERCENT", 1)

    MONITORING_TOKEN = env_str(os.environ, "MONITORING_TOKEN")
    if MONITORING_TOKEN and len(MONITORING_TOKEN) < 16:
        raise ConfigError("MONITORING_TOKEN", "<hidden>", "at least 16 characters")

    JWT_ACCESS_TTL = env_int(os.environ, "JWT_ACCESS_TTL_SECONDS", 15 * 60, minimum=30)
    JWT_REFRESH_TTL = env_int(os.environ, "JWT_REFRESH_TTL_SECONDS", 7 * 24 * 3600, minimum=60)
    # Failed logins (accounts.throttling): per account, a lockout that doubles per repeat up to
    # a cap; per client address, a much higher ceiling (a school behind one address).
    LOGIN_FAILURE_LIMIT = env_int(os.environ, "LOGIN_FAILURE_LIMIT", 5, minimum=1)
    LOGIN_FAILURE_WINDOW = env_int(os.environ, "LOGIN_FAILURE_WINDOW_SECONDS", 300, minimum=1)
    LOGIN_LOCKOUT_MAX = env_int(os.environ, "LOGIN_LOCKOUT_MAX_SECONDS", 3600, minimum=1)
    LOGIN_CLIENT_FAILURE_LIMIT = env_int(os.environ, "LOGIN_CLIENT_FAILURE_LIMIT", 100, minimum=1)
    # LMS exports (lms/export): the most bytes one package may hold before it is refused (422).
    LMS_EXPORT_MAX_BYTES = env_int(
        os.environ, "LMS_EXPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=64 * 1024
    )

    # Per-user limits on the endpoints that cost CPU or LLM money (accounts.ratelimit): a fixed
    # window per user and scope, counted in the shared cache; over it, 429 with Retry-After.
    # Admins get RATE_LIMIT_ADMIN_MULTIPLIER times each limit.
    RATE_LIMITS = {
        "lesson_generate": env_rate_limit(os.environ, "LESSON_GENERATE_RATE_LIMIT", "60/hour"),
        "quiz_generate": env_rate_limit(os.environ, "QUIZ_GENERATE_RATE_LIMIT", "60/hour"),
        "terrain_generate": env_rate_limit(os.environ, "TERRAIN_GENERATE_RATE_LIMIT", "30/hour"),
        "script_compile": env_rate_limit(os.environ, "SCRIPT_COMPILE_RATE_LIMIT", "60/minute"),
        # "Report a problem" (feedback.services.feedback_submit).
        "feedback": env_rate_limit(os.environ, "FEEDBACK_RATE_LIMIT", "10/hour"),
    }
    RATE_LIMIT_ADMIN_MULTIPLIER = env_int(os.environ, "RATE_LIMIT_ADMIN_MULTIPLIER", 10, minimum=1)

    # The Sentry tunnel (monitoring.browser): browser envelopes our pages post, anonymous ones
    # included (errors on the sign-in page matter). Limited per client address (a whole school
    # may share one) and per signed-in user; a body over SENTRY_TUNNEL_MAX_BYTES answers 413.
    SENTRY_TUNNEL_MAX_BYTES = env_int(os.environ, "SENTRY_TUNNEL_MAX_BYTES", 262_144, minimum=1024)
    SENTRY_TUNNEL_CLIENT_RATE_LIMIT = env_rate_limit(
        os.environ, "SENTRY_TUNNEL_CLIENT_RATE_LIMIT", "300/minute"
    )
    SENTRY_TUNNEL_USER_RATE_LIMIT = env_rate_limit(
        os.environ, "SENTRY_TUNNEL_USER_RATE_LIMIT", "60/minute"
    )

    # Which X-Forwarded-For hop to believe (monitoring.network): by default none, the socket
    # peer is the client. Set one of these when the app runs behind proxies.
    TRUSTED_PROXY_COUNT = env_int(os.environ, "TRUSTED_PROXY_COUNT", 0, minimum=0)
    TRUSTED_PROXY_NETWORKS = parse_networks(
        "TRUSTED_PROXY_NETWORKS", env_list(os.environ, "TRUSTED_PROXY_NETWORKS", [])
    )
    # Clients (internal services) whose inbound sentry-trace sampling decision we honour; any
    # other client's is dropped and our sampler decides (monitoring.tracing).
    SENTRY_TRUSTED_TRACE_NETWORKS = parse_networks(
        "SENTRY_TRUSTED_TRACE_NETWORKS",
        env_list(os.environ, "SENTRY_TRUSTED_TRACE_NETWORKS", []),
    )

INSTALLED_APPS = [
    # First, so that its runserver (port 8008) wins over staticfiles'.
    "monitoring",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "channels",
    "csp",
    "accounts",
    "lessons",
    "quizzes",
    "terrain",
    "roblox",
    "jobs",
    "live",
    "django_htmx",
    "classroom",
    "feedback",
    "catalog",
    "home",
    "lms",
    "lti",
    "robloxcloud",
    "dashboard",
    # Last: its ready() mounts the API once every app is ready (toolbox/apps.py).
    "toolbox",
]

AUTH_USER_MODEL = "accounts.User"

# Django's model backend behind the failed-login lockout, for the API's login and the admin's
# alike (accounts.throttling).
AUTHENTICATION_BACKENDS = ["accounts.throttling.LoginLockoutBackend"]

MIDDLEWARE = [
    "monitoring.middleware.RequestContextMiddleware",
    "toolbox.exceptions.MethodNotAllowedMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin, API docs, landing page, classroom CSS/JS) from the app server
    # itself: nothing else serves /static/ once DEBUG is off, and `make run` needs nothing more.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "toolbox.urls"
WSGI_APPLICATION = "toolbox.wsgi.application"
ASGI_APPLICATION = "toolbox.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# WhiteNoise serves STATIC_ROOT (filled by `manage.py collectstatic`, the production way: files
# read once at startup) and, with the finders, the apps' static folders too: no collectstatic
# step before `make run`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Before the first collectstatic STATIC_ROOT does not exist; the finders serve everything then.
warnings.filterwarnings("ignore", message="No directory at: ")

# The classroom's pages (classroom/) sign in with a Django session; the API keeps its tokens.
LOGIN_URL = "classroom:login"
LOGIN_REDIRECT_URL = "classroom:home"
LOGOUT_REDIRECT_URL = "classroom:login"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared across workers and instances when Redis is configured (login throttling, settings cache).
# A Redis that hangs must not hang requests: cache calls give up after half a second (and their
# callers fall back, see accounts/throttling.py).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            # Deployments sharing one Redis must not see each other's keys (login throttling).
            "KEY_PREFIX": REDIS_KEY_PREFIX,
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Django's default, stated: the largest valid body (a 100,000-character Luau source, escaped)
# fits with room to spare; a larger one answers 413 before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

LOGGING = logging_config(
    level=LOG_LEVEL,
    log_file=Path(LOG_FILE) if LOG_FILE else None,
    readable_console=console_is_readable(LOG_FORMAT, debug=DEBUG),
)

# Transport security. BEHIND_TLS_PROXY says that a proxy we run terminates TLS and sets
# X-Forwarded-Proto (overwriting any value a client sent): only then may Django believe that
# header, and only then can it tell an https request from a plain one and redirect the latter.
# Without it (e.g. the app served over plain HTTP on a private network) the header is ignored,
# because a client could otherwise claim https.
with exit_on_config_error():
    BEHIND_TLS_PROXY = env_bool(os.environ, "BEHIND_TLS_PROXY", False)
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool(
        os.environ, "SECURE_SSL_REDIRECT", IS_HARDENED and BEHIND_TLS_PROXY
    )
    # Load balancers probe /health over plain HTTP; a redirect would fail the probe.
    SECURE_REDIRECT_EXEMPT = [r"^health/?$"]
    # Sent on https responses only (SecurityMiddleware), so harmless before TLS is in place.
    SECURE_HSTS_SECONDS = env_int(
        os.environ, "SECURE_HSTS_SECONDS", 31_536_000 if IS_HARDENED else 0, minimum=0
    )
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(os.environ, "SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading is a commitment for the whole domain that takes months to undo: opt in.
    SECURE_HSTS_PRELOAD = env_bool(os.environ, "SECURE_HSTS_PRELOAD", False)
    # Cookies over https only wherever the environment is hardened (the admin's session).
    SESSION_COOKIE_SECURE = IS_HARDENED
    CSRF_COOKIE_SECURE = IS_HARDENED

# Content-Security-Policy (django-csp) on every response: what matters are the HTML pages, the
# admin and the API docs (/api/docs), whose scripts and styles are all served from our own static
# files (django-ninja bundles Swagger UI; no CDN). No inline or third-party script may run. Inline
# style attributes stay allowed: the admin's templates and Swagger UI use them, and they cannot
# run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        # The browser SDK posts to our own tunnel (same origin), never to Sentry.
        "connect-src": ["'self'"],
        # Session replay (teachers only) compresses recordings in a worker it starts from a
        # blob: URL; scripts themselves still come only from 'self'.
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Content providers: the LLM used for non-mathematics lessons and quizzes, and its circuit breaker.
# Without OPENAI_API_KEY every lesson and quiz comes from the offline generators.
with exit_on_config_error():
    OPENAI_API_KEY = env_str(os.environ, "OPENAI_API_KEY")
    OPENAI_BASE_URL = env_str(os.environ, "OPENAI_BASE_URL") or "https://api.openai.com/v1"
    _scheme, _, _rest = OPENAI_BASE_URL.partition("://")
    if _scheme not in ("http", "https") or not _rest.split("/", 1)[0]:
        raise ConfigError("OPENAI_BASE_URL", OPENAI_BASE_URL, "a URL like https://host/v1")
    OPENAI_MODEL = env_str(os.environ, "OPENAI_MODEL") or "gpt-4o-mini"
    OPENAI_TIMEOUT_SECONDS = env_int(os.environ, "OPENAI_TIMEOUT_SECONDS", 30, minimum=1)
    LLM_BREAKER_FAIL_MAX = env_int(os.environ, "LLM_BREAKER_FAIL_MAX", 5, minimum=1)
    LLM_BREAKER_RESET_SECONDS = env_int(os.environ, "LLM_BREAKER_RESET_SECONDS", 60, minimum=1)

# Roblox Open Cloud publishing (robloxcloud): teachers' API keys are stored encrypted with
# ROBLOX_KEY_ENCRYPTION_KEY (comma-separated Fernet keys: the first encrypts, all decrypt, so a
# new key goes first and `manage.py roblox_rotate_keys` re-encrypts; unset: a key derived from
# SECRET_KEY, and from SECRET_KEY_FALLBACKS for decryption). A publication (upload, polling,
# rate-limit waits) gives up after ROBLOX_PUBLISH_TIMEOUT_SECONDS.
with exit_on_config_error():
    from robloxcloud.conf import env_fernet_keys

    ROBLOX_OPEN_CLOUD_URL = env_http_url(
        os.environ, "ROBLOX_OPEN_CLOUD_URL", "https://apis.roblox.com"
    )
    ROBLOX_KEY_ENCRYPTION_KEY = env_fernet_keys(os.environ, "ROBLOX_KEY_ENCRYPTION_KEY")
    ROBLOX_PUBLISH_TIMEOUT_SECONDS = env_int(
        os.environ, "ROBLOX_PUBLISH_TIMEOUT_SECONDS", 300, minimum=10
    )
    ROBLOX_REQUEST_TIMEOUT_SECONDS = env_int(
        os.environ, "ROBLOX_REQUEST_TIMEOUT_SECONDS", 15, minimum=1
    )
    ROBLOX_POLL_INTERVAL_SECONDS = env_int(os.environ, "ROBLOX_POLL_INTERVAL_SECONDS", 2, minimum=1)

# Classrooms: a student joins with the class's join code (accounts.services.classroom_join).
# A code lives CLASSROOM_JOIN_CODE_TTL_DAYS; wrong codes are counted per student so that codes
# cannot be guessed (CLASSROOM_JOIN_FAILURE_LIMIT in CLASSROOM_JOIN_FAILURE_WINDOW_SECONDS).
with exit_on_config_error():
    CLASSROOM_JOIN_CODE_TTL_DAYS = env_int(
        os.environ, "CLASSROOM_JOIN_CODE_TTL_DAYS", 14, minimum=1
    )
    CLASSROOM_JOIN_FAILURE_LIMIT = env_int(
        os.environ, "CLASSROOM_JOIN_FAILURE_LIMIT", 10, minimum=1
    )
    CLASSROOM_JOIN_FAILURE_WINDOW = env_int(
        os.environ, "CLASSROOM_JOIN_FAILURE_WINDOW_SECONDS", 15 * 60, minimum=1
    )

# LTI 1.3 (lti/): a school's LMS launches us. The tool's private key is stored encrypted with
# LTI_KEY_ENCRYPTION_KEY (a Fernet key); without it the key is derived from SECRET_KEY, so set it
# before rotating SECRET_KEY or every platform must be given the new tool key. Calls to an LMS
# time out after LTI_HTTP_TIMEOUT_SECONDS; a platform's breaker opens after LTI_BREAKER_FAIL_MAX
# consecutive failures for LTI_BREAKER_RESET_SECONDS; a grade post is retried with backoff up to
# LTI_GRADE_MAX_ATTEMPTS times, then waits for a teacher's "Retry now".
with exit_on_config_error():
    LTI_KEY_ENCRYPTION_KEY = env_str(os.environ, "LTI_KEY_ENCRYPTION_KEY")
    if LTI_KEY_ENCRYPTION_KEY:
        from lti.crypto import fernet_key_valid

        if not fernet_key_valid(LTI_KEY_ENCRYPTION_KEY):
            raise ConfigError(
                "LTI_KEY_ENCRYPTION_KEY", "<hidden>", "a Fernet key (32 url-safe base64 bytes)"
            )
    LTI_HTTP_TIMEOUT_SECONDS = env_int(os.environ, "LTI_HTTP_TIMEOUT_SECONDS", 10, minimum=1)
    LTI_BREAKER_FAIL_MAX = env_int(os.environ, "LTI_BREAKER_FAIL_MAX", 5, minimum=1)
    LTI_BREAKER_RESET_SECONDS = env_int(os.environ, "LTI_BREAKER_RESET_SECONDS", 60, minimum=1)
    LTI_GRADE_MAX_ATTEMPTS = env_int(os.environ, "LTI_GRADE_MAX_ATTEMPTS", 8, minimum=1)

# Live updates (Django Channels) and background generation jobs (Celery). With Redis configured
# every web instance and worker shares the same socket groups and job queue; without it the
# channel layer lives in the process and jobs run eagerly inside the request that enqueues them,
# so `make run` still needs nothing but Python.
with exit_on_config_error():
    CELERY_BROKER_URL = env_str(os.environ, "CELERY_BROKER_URL")
    if CELERY_BROKER_URL and CELERY_BROKER_URL.split("://", 1)[0] not in ("redis", "rediss"):
        raise ConfigError(
            "CELERY_BROKER_URL", CELERY_BROKER_URL, "a URL like redis://127.0.0.1:6379/1"
        )
    # A job still "running" this long after it started lost its worker (killed, restarted,
    # out of memory) and is failed by the sweep (jobs.services.job_sweep_interrupted).
    JOB_TIMEOUT_SECONDS = env_int(os.environ, "JOB_TIMEOUT_SECONDS", 600, minimum=60)

# The admin dashboard (dashboard.selectors): the metrics registry is summarised into a
# MetricsSnapshot row at most once per interval per process (when the dashboard is viewed, and by
# `manage.py metrics_snapshot` from cron), and rows older than the retention are pruned by that
# command. A week is the longest range the dashboard draws; the retention keeps one day more.
with exit_on_config_error():
    METRICS_SNAPSHOT_INTERVAL = env_int(
        os.environ, "METRICS_SNAPSHOT_INTERVAL_SECONDS", 300, minimum=10
    )
    METRICS_SNAPSHOT_RETENTION_DAYS = env_int(
        os.environ, "METRICS_SNAPSHOT_RETENTION_DAYS", 8, minimum=1
    )

CHANNEL_LAYERS = channel_layers(REDIS_URL, prefix=f"{REDIS_KEY_PREFIX}:asgi")

CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_KEY_PREFIX}:"}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True  # a job's state lives in its row (jobs.models.GenerationJob)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep our JSON logging
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # one slow LLM call must not hold other jobs back
