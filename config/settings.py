"""Tongxin settings, read from the environment.

The embedded default (no environment at all) is a SQLite file in the project and Celery
tasks run eagerly in-process; set DATABASE_URL and REDIS_URL for PostgreSQL and Redis.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# With DEBUG off and no SECRET_KEY the key stays empty: commands that sign nothing
# (makemigrations, compilemessages) still run, while Django refuses every use of the key and
# the entry points that serve or run tasks (config.wsgi, config.asgi, config.celery) refuse
# to start (config.require_secret_key).
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-tongxin-dev-only"  # noqa: S105 - development default only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # daphne first: its `runserver` serves the ASGI app (websockets) in development.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",  # only for the data migration of old tokens (accounts 0004)
    "knox",
    "django_filters",
    "drf_spectacular",
    "treebeard",
    "import_export",
    "pgtrigger",
    "pghistory",
    "apps.core",
    "apps.accounts",
    "apps.register",
    "apps.points",
    "apps.grids",
    "apps.notifications",
    "apps.wishes",
    "apps.volunteers",
    "apps.projects",
    "apps.rosters",
    "apps.stats",
    "apps.audit",
    "channels",
    "apps.live",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who, from where: the audit trail's context and the personal-data access log.
    "apps.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.core.middleware.RefuseControlCharacters",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "apps.notifications.context_processors.unread",
                "apps.live.context_processors.live",
                "apps.core.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite in the project unless DATABASE_URL says otherwise. Connections are kept
# between requests: opening one per request cost a DRF endpoint 4.6x its throughput here.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the report's aggregates for longer than they run (+0.5 s on
    # the street's grid report at 100,000 households); the app's queries are all short.
    # Random reads cost about what sequential ones do on SSD storage: without this the planner
    # keeps choosing whole-table hash joins for a grid's or a community's list well past the
    # size where the index on the scope is far cheaper (tests/core/test_list_plans.py).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options",
        f"-c jit=off -c random_page_cost={os.environ.get('PG_RANDOM_PAGE_COST', '1.1')}",
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the writer instead of failing at once when threads share the file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A streaming read replica (scripts/replica.sh makes one on this machine): reports, exports
# and the public boards read from it (apps.core.db.reading_replica), all else from the primary.
# In tests the alias mirrors the primary's test database by name (on the replica's server:
# the primary's `test_` database reaches it by streaming, it is never created there).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["apps.core.db.ReplicaRouter"]
TONGXIN_READ_REPLICA = os.environ.get("TONGXIN_READ_REPLICA", "1") != "0"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["apps.accounts.backends.UsernameOrPhoneBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# In development (and tests) WhiteNoise serves straight from the app and project static
# directories, so no collectstatic is needed; production serves the collected STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Redis: broker, result backend and cache when REDIS_URL is set; otherwise tasks run
# eagerly in-process and the cache is local memory (the embedded default).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The live wish hall (apps.live): websockets through Django Channels. With Redis, every web
# process shares one layer (RedisPubSubChannelLayer: one PUBLISH per group, fanned out to the
# local sockets by each process; LIVE_CHANNEL_LAYER=redis picks the list-based RedisChannelLayer);
# without it (the embedded `make run`) one in-memory layer in the one process.
LIVE_CHANNEL_LAYER = os.environ.get("LIVE_CHANNEL_LAYER", "pubsub")


def live_channel_prefix(redis_url: str) -> str:
    """Redis pub/sub channels ignore the database number: the prefix carries it, so that
    installations (or test runs) on different Redis databases never hear each other."""
    from urllib.parse import urlparse

    return f"tongxin.live.{urlparse(redis_url).path.strip('/') or '0'}"


if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": (
                "channels_redis.core.RedisChannelLayer"
                if LIVE_CHANNEL_LAYER == "redis"
                else "channels_redis.pubsub.RedisPubSubChannelLayer"
            ),
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": os.environ.get("LIVE_CHANNEL_PREFIX") or live_channel_prefix(REDIS_URL),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process that has grown past this (KiB) is replaced after its current task, so one
# huge import cannot keep a worker's memory high for good (README: "Worker memory").
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_KB", 400_000)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Publishing must never hang a request when the broker is down: fail fast, the outbox
# sweeper re-sends later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    # Re-relay outbox rows the after-commit publish missed (broker down, worker killed) and
    # send channel deliveries that are due (retries, the end of quiet hours).
    "notifications-sweep": {
        "task": "apps.notifications.tasks.outbox_sweep",
        "schedule": env_float("NOTIFY_SWEEP_EVERY_S", 15),
    },
    # Reminder jobs other apps register (apps.<app>.reminders); deduped per period.
    "notifications-reminders": {
        "task": "apps.notifications.tasks.reminders_run",
        "schedule": env_float("NOTIFY_REMINDERS_EVERY_S", 300),
    },
}

# API tokens: one per device (django-rest-knox), sent as `Authorization: Token <token>`.
KNOX_TOKEN_MODEL = "accounts.DeviceToken"
# Knox's migrations create its own `knox_authtoken` table (with a foreign key to users) even
# when the token model is swapped; we use accounts.DeviceToken, so they are switched off.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": dt.timedelta(days=env_int("API_TOKEN_TTL_DAYS", 30)),
    "AUTH_HEADER_PREFIX": "Token",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.Pagination",
    "PAGE_SIZE": 20,
    # The usual three, refusing control characters anywhere in a body (apps.core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.parsers.JSONParser",
        "apps.core.parsers.FormParser",
        "apps.core.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        # Filtering, ordering and search on a personal field need the right to see it.
        "apps.core.api.PersonalFilterBackend",
        "apps.core.api.PersonalOrderingFilter",
        "apps.core.api.PersonalSearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.errors.api_exception_handler",
    # resident_search: the 代录 picker (apps.wishes.api.ResidentPicker), a request per keystroke
    # pause; enough for typing, too few to page through a community's residents.
    "DEFAULT_THROTTLE_RATES": {
        "login": "5/min",
        "resident_search": os.environ.get("RESIDENT_SEARCH_RATE", "60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tongxin API",
    "DESCRIPTION": "同心 — grassroots community case management",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tongxin@localhost")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH")  # for the file-based backend
# For django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# Logs: one JSON object per line (python-json-logger) with the request id of the request or
# task it came from (apps.core.requestid); LOG_FORMAT=text for plain lines. The worker logs
# the same way (it does not take over the root logger).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "text" if os.environ.get("LOG_FORMAT") == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Audit trail (django-pghistory, apps.audit): history rows are written by PostgreSQL
# triggers and may not be changed or deleted (append-only); only PostgreSQL keeps them.
PGHISTORY_APPEND_ONLY = True
PGHISTORY_MIDDLEWARE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Tongxin's own knobs: every one, with its default, here and only here; code reads them with
# apps.core.conf.conf("NAME"). A knob that an environment variable sets has that variable's name.
TONGXIN = {
    # Idempotency-Key (apps.core.idempotency): hours a write's first answer is kept for
    # replays; seconds a request waits for a concurrent one with the same key.
    "IDEMPOTENCY_KEEP_HOURS": env_int("IDEMPOTENCY_KEEP_HOURS", 7 * 24),
    "IDEMPOTENCY_WAIT_S": env_float("IDEMPOTENCY_WAIT_S", 10),
    # Accounts.
    "LOGIN_FAILURES_PER_MINUTE": env_int("LOGIN_FAILURES_PER_MINUTE", 5),
    # Behind a reverse proxy every request comes from the proxy: name the request header
    # (e.g. HTTP_X_REAL_IP) the proxy sets to the client address, for per-address throttling.
    "CLIENT_IP_HEADER": os.environ.get("CLIENT_IP_HEADER", "REMOTE_ADDR"),
    # Login and 忘记密码 by SMS code (apps.accounts.services): seconds a code lives, tries per
    # code, and (count, seconds) limits on asking for codes per phone and per client address.
    "SMS_CODE_TTL_S": env_int("SMS_CODE_TTL_S", 300),
    "SMS_CODE_MAX_ATTEMPTS": env_int("SMS_CODE_MAX_ATTEMPTS", 5),
    "SMS_CODE_PHONE_LIMITS": ((1, 60), (5, 3600)),
    "SMS_CODE_ADDRESS_LIMITS": ((5, 60), (20, 3600)),
    # Without an SMS gateway (NOTIFY_SMS_URL), codes go to the log and to an in-memory list
    # (apps.notifications.transports.SMS_DEV_OUTBOX) when this is on: development and tests.
    "NOTIFY_SMS_DEV": env_bool("NOTIFY_SMS_DEV", DEBUG),
    # Notifications (apps.notifications): the in-app inbox is always on; e-mail goes through
    # EMAIL_BACKEND; SMS and WeChat template push are HTTP gateways, on when their URL is set.
    "NOTIFY_EMAIL": env_bool("NOTIFY_EMAIL", True),
    "NOTIFY_SMS": {
        "URL": os.environ.get("NOTIFY_SMS_URL", ""),
        "KEY": os.environ.get("NOTIFY_SMS_KEY", ""),
        "TEMPLATE_ID": os.environ.get("NOTIFY_SMS_TEMPLATE_ID", ""),
    },
    "NOTIFY_WECHAT": {
        "URL": os.environ.get("NOTIFY_WECHAT_URL", ""),
        "KEY": os.environ.get("NOTIFY_WECHAT_KEY", ""),
        "TEMPLATE_ID": os.environ.get("NOTIFY_WECHAT_TEMPLATE_ID", ""),
    },
    "NOTIFY_TIMEOUT_S": env_float("NOTIFY_TIMEOUT_S", 5),
    "NOTIFY_MAX_ATTEMPTS": env_int("NOTIFY_MAX_ATTEMPTS", 5),
    "NOTIFY_BACKOFF_S": env_float("NOTIFY_BACKOFF_S", 30),  # doubles per failure
    "NOTIFY_CHUNK_SIZE": env_int("NOTIFY_CHUNK_SIZE", 1000),
    "NOTIFY_CHUNK_PAUSE_S": env_float("NOTIFY_CHUNK_PAUSE_S", 0),  # spare the DB
    "NOTIFY_LEASE_S": env_float("NOTIFY_LEASE_S", 120),
    "NOTIFY_SWEEP_AFTER_S": env_float("NOTIFY_SWEEP_AFTER_S", 10),
    "NOTIFY_QUIET_HOURS": ("22:00", "07:00"),  # Asia/Shanghai; no SMS/WeChat push in between
    # Wishes (微心愿): open claims per member, days before an unfulfilled claim expires, photos.
    "WISH_MAX_OPEN_CLAIMS": env_int("WISH_MAX_OPEN_CLAIMS", 3),
    "WISH_CLAIM_EXPIRY_DAYS": env_int("WISH_CLAIM_EXPIRY_DAYS", 14),
    "WISH_CLAIM_REMIND_DAYS_BEFORE": env_int("WISH_CLAIM_REMIND_DAYS_BEFORE", 3),
    "WISH_PHOTO_MAX_BYTES": env_int("WISH_PHOTO_MAX_BYTES", 5 * 1024 * 1024),
    "WISH_PHOTOS_MAX": 3,
    # Decoded size limit (pixels) of a photo: a small PNG can claim a huge canvas.
    "WISH_PHOTO_MAX_PIXELS": env_int("WISH_PHOTO_MAX_PIXELS", 40_000_000),
    # Volunteers (志愿服务): check-in opens this many minutes before an occurrence starts; a
    # check-in QR link lives this many seconds (the organiser's page shows a fresh one).
    "VOLUNTEER_CHECKIN_EARLY_MIN": env_int("VOLUNTEER_CHECKIN_EARLY_MIN", 30),
    "VOLUNTEER_CHECKIN_LINK_S": env_int("VOLUNTEER_CHECKIN_LINK_S", 900),
    # Hours a volunteer has to accept or decline a dispatched need before it goes back.
    "NEED_ANSWER_HOURS": env_int("NEED_ANSWER_HOURS", 24),
    # Grids: days to resolve a problem at each level (1 building, 2 grid, 3 community,
    # 4 street) before it is overdue; active pairings per helper; the day of the month from
    # which helpers are reminded of pairings not yet visited.
    "PROBLEM_DUE_DAYS": {1: 3, 2: 7, 3: 15, 4: 30},
    "PAIRINGS_PER_HELPER": env_int("PAIRINGS_PER_HELPER", 5),
    "PAIRING_REMINDER_DAY": env_int("PAIRING_REMINDER_DAY", 20),
    # A visit keeps the time it was made (a phone syncs it later): at most this many seconds
    # ahead of the server's clock (a phone's clock drifts), at most this many days back.
    "VISIT_CLOCK_SKEW_S": env_int("VISIT_CLOCK_SKEW_S", 300),
    "VISIT_BACKDATE_DAYS": env_int("VISIT_BACKDATE_DAYS", 30),
    # Projects (书记项目): the jury's minimum per kind before a session opens; days before a
    # quarter ends when owners of projects without a report this quarter are reminded; the
    # mean distance (points) from the other jurors beyond which a juror is flagged; photos.
    "PROJECT_JURY_MINIMUM": {"veteran": 1, "resident": 1, "department": 1},
    "PROJECT_REPORT_REMIND_DAYS_BEFORE": env_int("PROJECT_REPORT_REMIND_DAYS_BEFORE", 14),
    "PROJECT_JUROR_DIVERGENCE": env_int("PROJECT_JUROR_DIVERGENCE", 15),
    "PROJECT_PHOTOS_MAX": 3,
    "PROJECT_PHOTO_MAX_BYTES": env_int("PROJECT_PHOTO_MAX_BYTES", 5 * 1024 * 1024),
    # Joint requests (双向约谈 / 点题): signatures needed, days to collect them, one signature
    # per household (each community may set its own on its working group); days the
    # assigned official has to reply, days overdue before the level above is told; the mean
    # rating under which the working group is told.
    "JOINT_THRESHOLD": env_int("JOINT_THRESHOLD", 10),
    "JOINT_SIGNING_DAYS": env_int("JOINT_SIGNING_DAYS", 30),
    "JOINT_ONE_PER_HOUSEHOLD": env_bool("JOINT_ONE_PER_HOUSEHOLD", True),
    "JOINT_REPLY_DAYS": env_int("JOINT_REPLY_DAYS", 15),
    "JOINT_ESCALATE_AFTER_DAYS": env_int("JOINT_ESCALATE_AFTER_DAYS", 3),
    "JOINT_LOW_RATING": env_float("JOINT_LOW_RATING", 3.0),
    "JOINT_PHOTOS_MAX": 3,
    # Roster imports (apps.rosters).
    "ROSTERS_MAX_ROWS": env_int("ROSTERS_MAX_ROWS", 200_000),  # data rows per file
    "ROSTERS_MAX_FILE_MB": env_int("ROSTERS_MAX_FILE_MB", 50),  # uploaded file size
    "ROSTERS_MAX_COLUMNS": 100,  # declared xlsx width
    "ROSTERS_MAX_UNPACKED_MB": 500,  # all of an xlsx's members once unzipped (zip bombs)
    "ROSTERS_MAX_COMPRESSION_RATIO": 100,  # unpacked / packed size of any member over 1 MB
    "ROSTERS_BATCH_SIZE": 2000,  # rows per write statement and per progress report
    "ROSTERS_PREVIEW_CHANGES": 50,  # changes listed on the preview page
    # /healthz: beat's heartbeat (every 60 s) older than this many seconds is a failure.
    "HEALTH_BEAT_STALE_S": env_int("HEALTH_BEAT_STALE_S", 300),
}

SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "WishStatusEnum": "apps.wishes.models.Wish.Status",
        "ClaimStatusEnum": "apps.wishes.models.Claim.Status",
        "ProjectStatusEnum": "apps.projects.models.Project.Status",
        "PledgeStatusEnum": "apps.projects.models.Pledge.Status",
        "ReviewSessionStatusEnum": "apps.projects.models.ReviewSession.Status",
        "JointRequestStatusEnum": "apps.projects.models.JointRequest.Status",
        "JointRequestLevelEnum": "apps.projects.models.JointRequest.Level",
        "ProjectLevelEnum": "apps.projects.models.Project.Level",
    }
)
CELERY_BEAT_SCHEDULE["accounts-phone-codes-cleanup"] = {
    "task": "apps.accounts.tasks.phone_codes_cleanup",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["core-idempotency-cleanup"] = {
    "task": "apps.core.tasks.idempotency_cleanup",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["volunteers-expire-need-offers"] = {
    "task": "apps.volunteers.tasks.expire_need_offers",
    "schedule": 600.0,
}
CELERY_BEAT_SCHEDULE["wishes-expire-claims"] = {
    "task": "apps.wishes.tasks.expire_overdue_claims",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["projects-expire-joint-requests"] = {
    "task": "apps.projects.tasks.expire_joint_requests",
    "schedule": 3600.0,
}
# Today's star snapshot of every community (apps.points.stars), just after local midnight
# (CELERY_TIMEZONE); a report that comes first makes the rows it needs itself.
CELERY_BEAT_SCHEDULE["points-take-star-days"] = {
    "task": "apps.points.tasks.take_star_days",
    "schedule": crontab(hour=0, minute=5),
}

# --- Running it for real: request ids, the beat heartbeat, the Content-Security-Policy ---
MIDDLEWARE.insert(0, "apps.core.requestid.RequestIdMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("csp.context_processors.nonce")
CELERY_BEAT_SCHEDULE["core-beat-heartbeat"] = {
    "task": "apps.core.tasks.beat_heartbeat",
    "schedule": 60.0,
}
# django-csp 4: scripts only from our origin or with the response's nonce (no inline event
# handlers: static/js/app.js binds them), styles likewise except `style` attributes (bar
# widths); images from our origin (and the media origin when MEDIA_URL is absolute), inline
# SVG QR codes are markup, data: URIs for small icons. The media view sets its own stricter
# policy, which the middleware keeps. The Swagger UI (/api/docs/) loads its assets from a CDN
# and is left without a policy.
_MEDIA_ORIGIN = (
    ["/".join(MEDIA_URL.split("/", 3)[:3])] if MEDIA_URL.startswith(("http://", "https://")) else []
)
from csp.constants import NONCE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # The live hall's websocket (same origin; CSP 'self' covers ws:/wss: in browsers).
        "connect-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", *_MEDIA_ORIGIN],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
