"""Konsens settings: everything that differs between machines comes from the environment.

Embedded defaults (no variables set): DEBUG on, SQLite under ``var/``, in-memory channel layer.
Production: ``DEBUG=0``, ``SECRET_KEY`` (or ``SECRET_KEY_FILE``), ``DATABASE_URL=postgres://…``,
``REDIS_URL=redis://…``, ``ALLOWED_HOSTS``, ``CSRF_TRUSTED_ORIGINS``. See ``.env.example``.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config import log, reporting
from config.env import (
    env_bool,
    env_choice,
    env_hosts,
    env_int,
    env_list,
    env_origins,
    env_secret,
    env_str,
    parse_broker_url,
    parse_database_url,
    parse_email_url,
    parse_redis_url,
    redis_channel_prefix,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KONSENS_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", default=True)

DEV_SECRET_KEY = "dev-insecure-konsens-secret-key-change-me"  # noqa: S105 - only with DEBUG
SECRET_KEY = env_secret("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off. "
            'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = DEV_SECRET_KEY
elif not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development default, which is public; set a long random secret "
        "when DEBUG is off."
    )
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        f"SECRET_KEY has {len(SECRET_KEY)} characters; use at least 50 random ones when DEBUG "
        'is off: python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )

ALLOWED_HOSTS = env_hosts("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off, e.g. ALLOWED_HOSTS=konsens.example.org."
    )
if not DEBUG and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS=* is refused when DEBUG is off: it accepts any Host header and turns the "
        "WebSocket Origin check off. Name the hosts, e.g. ALLOWED_HOSTS=konsens.example.org."
    )
CSRF_TRUSTED_ORIGINS = env_origins("CSRF_TRUSTED_ORIGINS")
# Origins (scheme, host, port) a room socket may be opened from (config/asgi.py). Default:
# CSRF_TRUSTED_ORIGINS, else https:// and each of ALLOWED_HOSTS; with DEBUG also the local
# hosts on any port (the development server).
WEBSOCKET_ALLOWED_ORIGINS = (
    env_origins("WEBSOCKET_ALLOWED_ORIGINS")
    or CSRF_TRUSTED_ORIGINS
    or [f"https://{host}" for host in ALLOWED_HOSTS if host != "*"]
)
if DEBUG:
    WEBSOCKET_ALLOWED_ORIGINS = [*WEBSOCKET_ALLOWED_ORIGINS, "127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "api",  # API tokens (hashed, expiring); docs/operations.md "API tokens"
    "deliberation",
    "attendance",
    "participation",
    "assist",
    "rooms",
    "voting",
    "notifications",
    "accounts",
    "frontend",
]

MIDDLEWARE = [
    "config.log.RequestIdMiddleware",  # first: every record of the request has its id
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # gzip with Django's BREACH mitigation (random padding), docs/operations.md "Compression"
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.security.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "frontend.middleware.DomainErrorPages",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.source",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'konsens.sqlite3'}", base_dir=BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL") or ""
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [parse_redis_url(REDIS_URL)],
                "prefix": redis_channel_prefix(REDIS_URL),
            },
        }
    }
    # Shared by all processes: API throttles and other counters hold across replicas.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": parse_redis_url(REDIS_URL),
            "KEY_PREFIX": redis_channel_prefix(REDIS_URL),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The anonymous page cache (frontend/pagecache.py, docs/operations.md "Page cache"): on by
# default only with REDIS_URL, whose cache every process shares and so hears every writer.
PAGE_CACHE = env_bool("PAGE_CACHE", default=bool(REDIS_URL))
PAGE_CACHE_TIMEOUT = env_int("PAGE_CACHE_TIMEOUT", 60, minimum=1)

AUTHENTICATION_BACKENDS = [
    # First: refuses every attempt of a locked account or address (config/logins.py).
    "config.logins.LoginLimitBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "frontend:concept"
LOGOUT_REDIRECT_URL = "frontend:concept"

LANGUAGE_CODE = "de"
# Each language is named in its own language (the switch shows these names untranslated).
LANGUAGES = [
    ("de", "Deutsch"),
    ("en", "English"),
    ("tr", "Türkçe"),
    ("ar", "العربية"),
    ("uk", "Українська"),
]
# locale_fallback: English under tr/ar/uk for what those catalogues lack (the expert side),
# generated by `python -m config.languages`; a real translation in locale/ always wins.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_fallback"]
TIME_ZONE = env_str("TIME_ZONE") or "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "config.staticfiles.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    # Token first: DRF takes the first class's authenticate_header for a request without
    # credentials, so anonymous writes get 401 + "WWW-Authenticate: Token" (a session class
    # first would make them a bare 403). Browsers' sessions work all the same.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # Write bodies are JSON only, with bounded size and nesting (api/parsers.py); forms would
    # flatten lists and nested input, so the schema advertises (and the API takes) none.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    # Moments in UTC, "…+00:00", like the sockets (kernel/times.py; docs/protocol.md).
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_RATES": {"auth-token": "10/min"},
    # Reverse proxies in front of Django: 0 trusts REMOTE_ADDR only (X-Forwarded-For could be
    # forged); behind one proxy that sets X-Forwarded-For, NUM_PROXIES=1. Used by throttling.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0, minimum=0),
}
# How long a new API token is valid (days); docs/operations.md "API tokens".
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 90, minimum=1)
SPECTACULAR_SETTINGS = {
    "TITLE": "Konsens API",
    "DESCRIPTION": "Read and take part in a city's expert circles. Version 1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ConceptStatusEnum": "deliberation.models.Concept.Status",
        "CircleKindEnum": "deliberation.models.Circle.Kind",
        "GoalStatusEnum": "deliberation.models.Goal.Status",
        "RoundPhaseEnum": "deliberation.models.Round.Phase",
        "IdeaStateEnum": "deliberation.models.Idea.State",
        "DispositionValueEnum": "deliberation.models.Disposition.Value",
        "FeedbackTypeEnum": ["comment", "idea", "contribution", "answer"],
        "QuestionnaireStatusEnum": "participation.models.Questionnaire.Status",
        "QuestionnaireDistributionEnum": ("participation.models.Questionnaire.Distribution"),
        "QuestionKindEnum": "participation.models.Question.Kind",
        "ResponseStateEnum": "participation.models.Response.State",
        "ContributionKindEnum": "participation.models.Contribution.Kind",
        "ContributionStateEnum": "participation.models.Contribution.State",
        "DiffOpEnum": ["equal", "insert", "delete"],
        "MotionStatusEnum": "voting.models.Motion.Status",
        "MotionMethodEnum": "voting.models.Motion.Method",
        "MotionOutcomeEnum": "voting.models.Result.Outcome",
        "RejectedGoalStatusEnum": "voting.models.REJECTED_GOAL_STATUSES",
    },
    # Say what Django's path converters accept, so clients and schemathesis stay inside it.
    "PATH_CONVERTER_OVERRIDES": {
        "int": {"type": "integer", "minimum": 0},
        "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
    },
}

# Live rooms
ROOM_TICKET_TTL = env_int("ROOM_TICKET_TTL", 60, minimum=5)
ROOM_PRESENCE_TIMEOUT = env_int("ROOM_PRESENCE_TIMEOUT", 60, minimum=5)
ROOM_EVENT_LOG_KEEP = env_int("ROOM_EVENT_LOG_KEEP", 10_000, minimum=100)
ROOM_RATE_BURST = env_int("ROOM_RATE_BURST", 20, minimum=1)
ROOM_RATE_WINDOW = env_int("ROOM_RATE_WINDOW", 10, minimum=1)
# Frames queued for one socket before it counts as too slow and is closed (4409; it resumes)
ROOM_SEND_BACKLOG = env_int("ROOM_SEND_BACKLOG", 1000, minimum=50)
# Under the image's uvicorn, write a room's frames encoded once, straight to each socket
# (rooms/wire.py); 0 sends every frame through the ASGI send instead
ROOM_DIRECT_WRITES = env_bool("ROOM_DIRECT_WRITES", default=True)
# Seconds between checks of the log for events whose broadcast was lost (Redis restart)
ROOM_POLL_INTERVAL = env_int("ROOM_POLL_INTERVAL", 3, minimum=1)
# Presence changes are reported after this many milliseconds of quiet (a reload does not flicker)
ROOM_PRESENCE_DEBOUNCE_MS = env_int("ROOM_PRESENCE_DEBOUNCE_MS", 1000, minimum=0)
# A resume further back than this many events gets ``resync`` (a fresh snapshot), no replay
ROOM_RESUME_MAX_EVENTS = env_int("ROOM_RESUME_MAX_EVENTS", 500, minimum=10)
# Resumes (frames and ?after=) one connection may ask for per ROOM_RESUME_WINDOW seconds
ROOM_RESUME_BURST = env_int("ROOM_RESUME_BURST", 5, minimum=1)
ROOM_RESUME_WINDOW = env_int("ROOM_RESUME_WINDOW", 60, minimum=1)
# Open room sockets per client address and server process; more are closed with 4429
ROOM_MAX_CONNECTIONS_PER_ADDRESS = env_int("ROOM_MAX_CONNECTIONS_PER_ADDRESS", 50, minimum=1)

CONTACT_EMAIL = env_str("CONTACT_EMAIL") or "Integrationskonzept@wiesbaden.de"

# E-mail (citizens' sign-up confirmations): EMAIL_URL, or EMAIL_HOST and its companions for
# SMTP; with neither, mails are printed to the console (the log).
EMAIL_URL = env_secret("EMAIL_URL") or ""
EMAIL_HOST = env_str("EMAIL_HOST") or ""
if EMAIL_URL and EMAIL_HOST:
    raise ImproperlyConfigured("Set either EMAIL_URL or EMAIL_HOST (with EMAIL_PORT …), not both.")
if EMAIL_URL:
    _email = parse_email_url(EMAIL_URL)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST", "")
    EMAIL_PORT = _email.get("EMAIL_PORT", 25)
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other; set one.")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "Konsens <noreply@localhost>"
# Accounts (docs/operations.md "Accounts"): days an invitation link to a circle works; seconds
# a link confirming a new e-mail address works (password-reset links: PASSWORD_RESET_TIMEOUT).
ACCOUNT_INVITATION_DAYS = env_int("ACCOUNT_INVITATION_DAYS", 14, minimum=1)
EMAIL_CHANGE_TIMEOUT = env_int("EMAIL_CHANGE_TIMEOUT", 3 * 24 * 3600, minimum=600)
# An explicit backend wins over the above (e.g. django.core.mail.backends.locmem.EmailBackend).
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or EMAIL_BACKEND
# Directory of django.core.mail.backends.filebased.EmailBackend (one file a connection).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
# Seconds an SMTP connection may block; a hung server then fails the attempt, which the task
# queue retries (notifications.tasks.send_email), instead of holding a worker for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# True when the operator chose where mail goes (notifications.checks warns otherwise, DEBUG off)
EMAIL_CONFIGURED = bool(EMAIL_URL or EMAIL_HOST or env_str("EMAIL_BACKEND"))

# The site's address for links in mails sent without a request (notifications, reminders).
# Default: the first CSRF_TRUSTED_ORIGINS, else https:// and the first ALLOWED_HOSTS.
SITE_URL = (env_origins("SITE_URL") or CSRF_TRUSTED_ORIGINS or [""])[0].rstrip("/")
if not SITE_URL:
    _hosts = [host.lstrip(".") for host in ALLOWED_HOSTS if host not in ("*", "")]
    SITE_URL = "http://127.0.0.1:8000" if DEBUG or not _hosts else f"https://{_hosts[0]}"

# Task queue (Celery; docs/operations.md, "Tasks and schedules"). With a broker, tasks go to
# the worker and beat keeps the schedule; without one they run in the enqueuing process.
_broker_url = env_secret("CELERY_BROKER_URL") or ""
CELERY_BROKER_URL = parse_broker_url(_broker_url) if _broker_url else REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Task modules outside the installed apps (autodiscovery finds each app's tasks.py).
CELERY_IMPORTS = ["kernel.mail"]
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# A task is acknowledged when done, so a worker that dies mid-task leaves it to another one;
# tasks are written to be run twice without harm (notifications have a unique key).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Keep Django's LOGGING (one format for web and worker); Celery would replace the root logger.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that enqueues while the broker is down waits at most about 2 s, then logs it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 3,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
if CELERY_BROKER_URL.startswith(("redis", "rediss", "unix")):
    # Keys of one installation apart from another's on a shared Redis (as the channel layer).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": redis_channel_prefix(CELERY_BROKER_URL)}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "close-due-motions": {"task": "voting.close_due_motions", "schedule": 60.0},
    "remind-closing-motions": {"task": "notifications.remind_closing_motions", "schedule": 600.0},
    "prune-room-events": {
        "task": "rooms.prune_room_events",
        "schedule": crontab(hour=3, minute=15),
    },
    "clear-sessions": {"task": "config.clear_sessions", "schedule": crontab(hour=3, minute=45)},
    "prune-expired-api-tokens": {
        "task": "api.prune_expired_tokens",
        "schedule": crontab(hour=3, minute=55),
    },
}
# Where beat keeps when each job last ran (a file of its own; nothing durable).
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

SESSION_ENGINE = "config.sessions"  # database sessions that refuse forged keys
# A session ends after SESSION_IDLE_TIMEOUT seconds without a request (0: never idle) and at
# the latest SESSION_COOKIE_AGE seconds after signing in (config/security.py).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 8 * 3600, minimum=0)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 24 * 3600, minimum=300)
if SESSION_IDLE_TIMEOUT and SESSION_IDLE_TIMEOUT < 300:
    raise ImproperlyConfigured(
        "SESSION_IDLE_TIMEOUT must be 0 (off) or at least 300 seconds; activity is recorded "
        "once a minute."
    )
# Failed sign-ins (page, admin, API token) per account and per client address within a
# window of LOGIN_FAILURE_WINDOW seconds; past the limit, refused until the window passed.
LOGIN_FAILURE_LIMIT_ACCOUNT = env_int("LOGIN_FAILURE_LIMIT_ACCOUNT", 20, minimum=1)
LOGIN_FAILURE_LIMIT_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_ADDRESS", 10, minimum=1)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 900, minimum=60)
# Content-Security-Policy: more origins for connect-src (space-free sources such as
# wss://live.example.org), report-only mode, a report URI; and the Permissions-Policy.
CSP_EXTRA_CONNECT_SRC = env_list("CSP_EXTRA_CONNECT_SRC", [])
for _source in CSP_EXTRA_CONNECT_SRC:
    if not _source or any(char in _source for char in " ;,'\"\t\r\n"):
        raise ImproperlyConfigured(
            f"CSP_EXTRA_CONNECT_SRC entry {_source!r} is not a CSP source; give origins such "
            "as wss://live.example.org, comma-separated."
        )
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", default=False)
CSP_REPORT_URI = env_str("CSP_REPORT_URI") or ""
if any(char in CSP_REPORT_URI for char in " ;,'\"\t\r\n"):
    raise ImproperlyConfigured(f"CSP_REPORT_URI {CSP_REPORT_URI!r} is not a URL.")
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# JSON request bodies of the REST API (api/parsers.py): bytes and nesting depth.
API_JSON_MAX_BYTES = env_int("API_JSON_MAX_BYTES", 1_048_576, minimum=1024)
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 32, minimum=4)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
# text: one readable line per record (development); json: one JSON object per line (the image
# sets it). Both carry the request's (or socket's) id; uvicorn's lines use the same format.
LOG_FORMAT = env_choice("LOG_FORMAT", "text", log.FORMATS)
LOGGING = log.logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)

# Operations (docs/operations.md): /metrics for a scraper holding this bearer token; unset,
# the endpoint answers 404 and the database is not instrumented.
METRICS_TOKEN = env_secret("METRICS_TOKEN") or ""
if METRICS_TOKEN and len(METRICS_TOKEN) < 20:
    raise ImproperlyConfigured("METRICS_TOKEN must have at least 20 characters.")
if METRICS_TOKEN:
    # django-prometheus' wrappers of the same backends: query counts and durations.
    for _database in DATABASES.values():
        _database["ENGINE"] = str(_database["ENGINE"]).replace(
            "django.db.backends.", "django_prometheus.db.backends.", 1
        )
# Prometheus scrapes each replica over the internal network, without TLS.
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]

# Where network users get this installation's source (AGPL-3.0 section 13): the footer links
# to it. Point it at the code you run, your changes included; unset, the footer links to
# /quelltext/, which serves the running installation's own code as a .tar.gz (config/source.py).
SOURCE_URL = env_str("SOURCE_URL") or ""

# The privacy notice (/datenschutz/) and the imprint (/impressum/): Markdown files of the
# operator's (config/legal.py). Unset, the shipped German templates are shown, marked as
# templates to adapt (docs/operations.md, "Data protection").
PRIVACY_NOTICE_FILE = env_str("PRIVACY_NOTICE_FILE") or ""
IMPRINT_FILE = env_str("IMPRINT_FILE") or ""
for _name, _file in (("PRIVACY_NOTICE_FILE", PRIVACY_NOTICE_FILE), ("IMPRINT_FILE", IMPRINT_FILE)):
    if _file and not Path(_file).is_file():
        raise ImproperlyConfigured(f"{_name}={_file!r} is not a readable file.")

# Error reporting with Sentry (or a compatible service such as GlitchTip): only with a DSN.
SENTRY_DSN = env_secret("SENTRY_DSN") or ""
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT") or ("development" if DEBUG else "production")
SENTRY_RELEASE = env_str("SENTRY_RELEASE") or f"konsens@{reporting.release()}"
# Share of requests traced for performance (0 to 1); 0 sends errors only.
SENTRY_TRACES_SAMPLE_RATE = env_str("SENTRY_TRACES_SAMPLE_RATE") or "0"
if SENTRY_DSN:
    reporting.init_sentry(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )

# Assistance (docs/assist.md): machine translation on demand and the evaluation assistant.
# Both are off by default: with "none" no text leaves the server. "fake" runs in-process
# (tests, demo). The providers are called with a timeout of ASSIST_HTTP_TIMEOUT seconds.
TRANSLATION_PROVIDER = env_choice(
    "TRANSLATION_PROVIDER", "none", ("none", "fake", "libretranslate", "deepl", "openai")
)
TRANSLATION_URL = env_str("TRANSLATION_URL") or ""
TRANSLATION_MODEL = env_str("TRANSLATION_MODEL") or ""
TRANSLATION_API_KEY = env_secret("TRANSLATION_API_KEY") or ""
TRANSLATION_LANGUAGES = env_list("TRANSLATION_LANGUAGES", ["de", "en", "tr", "ar", "uk"])
ASSISTANT_PROVIDER = env_choice("ASSISTANT_PROVIDER", "none", ("none", "fake", "openai"))
ASSISTANT_URL = env_str("ASSISTANT_URL") or ""
ASSISTANT_MODEL = env_str("ASSISTANT_MODEL") or ""
ASSISTANT_API_KEY = env_secret("ASSISTANT_API_KEY") or ""
ASSIST_HTTP_TIMEOUT = env_int("ASSIST_HTTP_TIMEOUT", 20, minimum=1)
if TRANSLATION_PROVIDER in ("libretranslate", "openai") and not TRANSLATION_URL:
    raise ImproperlyConfigured(
        f"TRANSLATION_PROVIDER={TRANSLATION_PROVIDER} needs TRANSLATION_URL."
    )
if TRANSLATION_PROVIDER == "deepl" and not TRANSLATION_API_KEY:
    raise ImproperlyConfigured("TRANSLATION_PROVIDER=deepl needs TRANSLATION_API_KEY.")
if TRANSLATION_PROVIDER == "openai" and not TRANSLATION_MODEL:
    raise ImproperlyConfigured("TRANSLATION_PROVIDER=openai needs TRANSLATION_MODEL.")
if ASSISTANT_PROVIDER == "openai" and not (ASSISTANT_URL and ASSISTANT_MODEL):
    raise ImproperlyConfigured("ASSISTANT_PROVIDER=openai needs ASSISTANT_URL and ASSISTANT_MODEL.")
# Cosine similarity (0..1) from which feedback counts as near-duplicate, and goals of
# different fields as overlapping (character n-gram TF-IDF, assist/clusters.py).
ASSIST_CLUSTER_THRESHOLD = float(env_str("ASSIST_CLUSTER_THRESHOLD") or "0.4")
ASSIST_GOAL_THRESHOLD = float(env_str("ASSIST_GOAL_THRESHOLD") or "0.35")
