"""Settings for Smart Seoul: every knob comes from the environment (see docs/configuration.md).

``SMARTSEOUL_ENV`` picks the defaults: ``production`` (the default: secrets required, secure
cookies), ``demo`` (what ``smartseoul demo`` sets: a generated secret key kept in ./var/),
``development`` (DEBUG on) and ``test`` (what the test suite sets).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from smartseoul.lib.env import env

PACKAGE_DIR = Path(__file__).resolve().parent

SMARTSEOUL_ENV = env.choice(
    "SMARTSEOUL_ENV", ("production", "demo", "development", "test"), "production"
)
IS_PRODUCTION = SMARTSEOUL_ENV == "production"
DEMO = SMARTSEOUL_ENV == "demo"
DEBUG = env.bool("SMARTSEOUL_DEBUG", SMARTSEOUL_ENV == "development")

# Where the embedded database, uploads and the demo's generated keys live.
VAR_DIR = env.path("SMARTSEOUL_VAR_DIR", Path.cwd() / "var")


def _secret_key() -> str:
    key = env.optional("SECRET_KEY")
    if key:
        if IS_PRODUCTION and len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters in production.")
        return key
    if SMARTSEOUL_ENV == "demo":
        # The demo keeps one generated key so sessions survive a restart of `smartseoul demo`.
        key_file = VAR_DIR / "secret_key"
        if not key_file.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
            key_file.chmod(0o600)
        return key_file.read_text(encoding="utf-8").strip()
    if DEBUG or SMARTSEOUL_ENV in ("development", "test"):
        return "insecure-development-key-" + "x" * 32
    raise ImproperlyConfigured(
        "SECRET_KEY (or SECRET_KEY_FILE) is required in production. "
        "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production (comma-separated).")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "smartseoul.web",
    "smartseoul.accounts",
    "smartseoul.places",
    "smartseoul.audit",
    "smartseoul.voting",
    "smartseoul.budgeting",
    "smartseoul.ledger",
    "smartseoul.complaints",
    "smartseoul.opendata",
    "smartseoul.urbandata",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "csp",
]

MIDDLEWARE = [
    "smartseoul.web.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "smartseoul.accounts.middleware.RequireOfficialMFAMiddleware",
]

ROOT_URLCONF = "smartseoul.urls"
WSGI_APPLICATION = "smartseoul.wsgi.application"

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
                "csp.context_processors.nonce",
                "smartseoul.web.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "smartseoul.sqlite3"
DATABASE_URL = env.str("DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
try:
    _database = dj_database_url.parse(
        DATABASE_URL, conn_max_age=env.int("DATABASE_CONN_MAX_AGE", 60)
    )
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while one writer commits; IMMEDIATE transactions take the write lock
    # up front so two writers queue (busy timeout) instead of failing with "database is locked".
    _database["CONN_MAX_AGE"] = 0
    if DATABASE_URL.endswith(str(SQLITE_PATH)):
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    _database["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif _database["ENGINE"] == "django.db.backends.postgresql":
    _database["CONN_HEALTH_CHECKS"] = True
else:
    raise ImproperlyConfigured("DATABASE_URL must be sqlite:/// or postgresql://")
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (also backs API rate limits, so it must be shared between server processes) -------
REDIS_URL = env.optional("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "smartseoul_cache",
        }
    }

# --- Accounts and login ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "smartseoul.accounts.forms.CitizenSignupForm"
ACCOUNT_ADAPTER = "smartseoul.accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Smart Seoul] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if IS_PRODUCTION else "http"
ACCOUNT_RATE_LIMITS = {} if SMARTSEOUL_ENV == "test" else {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "smartseoul.accounts.adapters.MFAAdapter"
SMARTSEOUL_SIGNUP_OPEN = env.bool("SMARTSEOUL_SIGNUP_OPEN", True)
# One 30-second step either side (RFC 6238 §5.2): a code typed as the step turns is not refused.
MFA_TOTP_TOLERANCE = 1
MFA_TOTP_ISSUER = env.str("SMARTSEOUL_SITE_NAME", "Smart Seoul")
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False


def _social_providers() -> dict[str, dict[str, object]]:
    """Kakao and Naver appear on the login page only when their client ids are configured."""
    providers: dict[str, dict[str, object]] = {}
    for provider in ("kakao", "naver"):
        client_id = env.optional(f"{provider.upper()}_CLIENT_ID")
        if client_id:
            providers[provider] = {
                "APPS": [
                    {"client_id": client_id, "secret": env.str(f"{provider.upper()}_SECRET", "")}
                ]
            }
    return providers


SOCIALACCOUNT_PROVIDERS = _social_providers()
INSTALLED_APPS += [f"allauth.socialaccount.providers.{name}" for name in SOCIALACCOUNT_PROVIDERS]

# --- E-mail ---------------------------------------------------------------------------------
# Messages are queued as background tasks (smartseoul/web/mail.py); the worker hands them to
# the delivery backend: SMTP in production, the terminal in the demo and in development.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", "smartseoul.web.mail.QueuedEmailBackend")
# Text messages (web/sms.py): a class with send(*, to, text) for the city's SMS gateway.
SMS_BACKEND = env.str(
    "SMARTSEOUL_SMS_BACKEND",
    "smartseoul.web.sms.DisabledSmsBackend"
    if IS_PRODUCTION
    else "smartseoul.web.sms.ConsoleSmsBackend",
)
EMAIL_DELIVERY_BACKEND = env.str(
    "EMAIL_DELIVERY_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = env.optional("EMAIL_FILE_PATH")  # for the file-based delivery backend
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Smart Seoul <no-reply@smartseoul.example>")

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Seoul"
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.optional("STATIC_ROOT")  # only for `collectstatic` to a CDN; serving needs none
# Assets are vendored with their version in the path; WhiteNoise serves them straight from the
# apps' folders, so no collectstatic step is needed to start a server.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = env.path("MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Security headers -----------------------------------------------------------------------
BEHIND_TLS = env.bool("SMARTSEOUL_BEHIND_TLS", IS_PRODUCTION)
SESSION_COOKIE_SECURE = BEHIND_TLS
CSRF_COOKIE_SECURE = BEHIND_TLS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if BEHIND_TLS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SMARTSEOUL_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.int("SMARTSEOUL_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SMARTSEOUL_HSTS_PRELOAD", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
MAP_TILE_URL = env.str("SMARTSEOUL_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
_tile_origin = "/".join(MAP_TILE_URL.split("/")[:3]) if MAP_TILE_URL.startswith("http") else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_tile_origin] if _tile_origin else [])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, "https://kauth.kakao.com", "https://nid.naver.com"],
        "frame-ancestors": [NONE],
    }
}

# --- API ------------------------------------------------------------------------------------
API_RATE_ANONYMOUS = env.str("SMARTSEOUL_API_RATE_ANONYMOUS", "120/m")
API_RATE_KEY = env.str("SMARTSEOUL_API_RATE_KEY", "1200/m")

# --- Background tasks -----------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Operations -----------------------------------------------------------------------------
METRICS_TOKEN = env.optional("SMARTSEOUL_METRICS_TOKEN")
LOG_LEVEL = env.choice(
    "SMARTSEOUL_LOG_LEVEL", ("debug", "info", "warning", "error"), "info"
).upper()
LOG_FORMAT = env.choice(
    "SMARTSEOUL_LOG_FORMAT", ("json", "text"), "json" if IS_PRODUCTION else "text"
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "smartseoul.lib.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Our request log replaces Django's own per-request line.
        "django.server": {"level": "WARNING"},
    },
}

# --- Ledger (docs/ledger.md) ----------------------------------------------------------------
from smartseoul.ledger.config import parse_log_names, parse_witnesses  # noqa: E402

LEDGER_LOGS = parse_log_names(env.list("SMARTSEOUL_LEDGER_LOGS", ["votes", "records"]))
# Origins are fixed when a log is created (witnesses know a log by its origin).
LEDGER_ORIGIN_PREFIX = env.str(
    "SMARTSEOUL_LEDGER_ORIGIN_PREFIX",
    next(
        (h for h in ALLOWED_HOSTS if h not in ("127.0.0.1", "localhost", "[::1]", "testserver")),
        "smartseoul.localhost",
    ).lstrip(".")
    + "/ledger",
)
# Each log's signer key: SMARTSEOUL_LEDGER_<NAME>_KEY (or _KEY_FILE); outside production a
# key is generated once into this folder.
LEDGER_KEY_DIR = env.path("SMARTSEOUL_LEDGER_KEY_DIR", VAR_DIR / "ledger")
LEDGER_WITNESSES = parse_witnesses(env.list("SMARTSEOUL_LEDGER_WITNESSES", []))
LEDGER_QUORUM = env.int(
    "SMARTSEOUL_LEDGER_QUORUM",
    len(LEDGER_WITNESSES) // 2 + 1 if LEDGER_WITNESSES else 0,
    minimum=0,
)
if len(LEDGER_WITNESSES) < LEDGER_QUORUM:
    raise ImproperlyConfigured("SMARTSEOUL_LEDGER_QUORUM exceeds the number of witnesses.")
LEDGER_WITNESS_TIMEOUT = env.int("SMARTSEOUL_LEDGER_WITNESS_TIMEOUT_MS", 2000, minimum=1) / 1000
# `smartseoul worker` publishes a checkpoint this often while entries arrive (0 = never).
LEDGER_PUBLISH_INTERVAL = env.int("SMARTSEOUL_LEDGER_PUBLISH_INTERVAL_MS", 1000, minimum=0) / 1000

# --- Open Data Plaza (docs/opendata.md) -----------------------------------------------------
# Each loaded table version is one Parquet file under this folder (shared by every server).
OPENDATA_ROOT = env.path("SMARTSEOUL_OPENDATA_ROOT", MEDIA_ROOT / "opendata")
# Seoul Open API keys: calls a key may make per day, and per minute.
OPENDATA_KEY_DAILY_QUOTA = env.int("SMARTSEOUL_OPENDATA_KEY_DAILY_QUOTA", 10_000, minimum=1)
OPENDATA_KEY_RATE = env.str("SMARTSEOUL_OPENDATA_KEY_RATE", "600/m")
# datastore_search_sql: longest run (ms) and most rows returned.
OPENDATA_SQL_TIMEOUT_MS = env.int("SMARTSEOUL_OPENDATA_SQL_TIMEOUT_MS", 5000, minimum=100)
OPENDATA_SQL_MAX_ROWS = env.int("SMARTSEOUL_OPENDATA_SQL_MAX_ROWS", 32_000, minimum=1)

# --- Smart Complaint Report (docs/complaints.md) --------------------------------------------
# How citizens hear about their reports: dotted paths of notification channel classes.
COMPLAINTS_NOTIFICATION_CHANNELS = env.list(
    "SMARTSEOUL_COMPLAINTS_CHANNELS",
    [
        "smartseoul.complaints.notifications.EmailChannel",
        "smartseoul.complaints.notifications.SmsChannel",
    ],
)
# The public address of the site, for links in notifications ("" = relative links only).
SITE_URL = env.str("SMARTSEOUL_SITE_URL", "")
# Typed street addresses → a point (complaints/geocode.py); place names are the fallback.
COMPLAINTS_GEOCODER = env.str(
    "SMARTSEOUL_COMPLAINTS_GEOCODER", "smartseoul.complaints.geocode.PlaceNameGeocoder"
)
COMPLAINTS_GEOCODER_TIMEOUT = env.int("SMARTSEOUL_COMPLAINTS_GEOCODER_TIMEOUT", 5, minimum=1)
VWORLD_API_KEY = env.optional("SMARTSEOUL_VWORLD_KEY")
VWORLD_ADDRESS_URL = env.str("SMARTSEOUL_VWORLD_URL", "https://api.vworld.kr/req/address")
# KakaoTalk business messages (알림톡) through an HTTP gateway (complaints/notifications.py).
ALIMTALK_URL = env.optional("SMARTSEOUL_ALIMTALK_URL")
ALIMTALK_TOKEN = env.optional("SMARTSEOUL_ALIMTALK_TOKEN")
ALIMTALK_SENDER_KEY = env.optional("SMARTSEOUL_ALIMTALK_SENDER_KEY")
ALIMTALK_TEMPLATE = env.str("SMARTSEOUL_ALIMTALK_TEMPLATE", "complaint_status")

# --- Urban IoT sensors (docs/sensors.md) ----------------------------------------------------
SENSORS_MQTT_HOST = env.str("SMARTSEOUL_MQTT_HOST", "127.0.0.1")
SENSORS_MQTT_PORT = env.int("SMARTSEOUL_MQTT_PORT", 1883, minimum=1)
# Topics: <prefix>/sensors/<serial> (one report or a batch) and <prefix>/gateways/<id> (batch).
SENSORS_TOPIC_PREFIX = env.str("SMARTSEOUL_SENSORS_TOPIC_PREFIX", "smartseoul")
# Raw reports older than this are deleted by `smartseoul sensors prune` (roll-ups stay).
SENSORS_RAW_RETENTION_DAYS = env.int("SMARTSEOUL_SENSORS_RAW_RETENTION_DAYS", 90, minimum=1)
# Daily Parquet archives of raw reports (`smartseoul sensors archive`).
SENSORS_ARCHIVE_ROOT = env.path("SMARTSEOUL_SENSORS_ARCHIVE_ROOT", MEDIA_ROOT / "sensors")
