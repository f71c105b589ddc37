"""Django settings: every value comes from the environment (see README, Configuration)."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import environ
import pghistory
from corsheaders.defaults import default_headers as default_cors_headers
from csp.constants import NONE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


# Values are read and cast by django-environ; a comma-separated list's items are stripped.
# A value starting with `$` names another variable (django-environ's proxy); a literal leading
# `$` (a secret key may have one) is written `\$`.
env = environ.Env()
env.escape_proxy = True


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    return [item for item in env.list(name, cast=str.strip, default=default or []) if item]


# "production" demands real secrets and hosts; "development" has safe local defaults.
DJANGO_ENV = env.str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
IS_PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DEBUG", default=not IS_PRODUCTION)

SECRET_KEY = env.str("SECRET_KEY", "")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "testserver"]
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "csp",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "pgtrigger",
    "pghistory",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The job queue (procrastinate): its tables, `manage.py procrastinate worker`, and each
    # app's `tasks.py`, found by its autodiscovery (see Background jobs below).
    "procrastinate.contrib.django",
    # The queue's own task (jobs/tasks.py: a dead worker's jobs run again).
    "jobs",
    "api",
    "clinics",
    "tenancy",
    "accounts",
    "reference",
    "patients",
    "treatments",
    "scheduling",
    "billing",
    "audit",
    "idempotency",
    "changes",
    "webhooks",
    "fhir_export",
    "fhir_import",
    "reminders",
    "ops",
]

# Apps whose every model must be clinic-scoped (checked at start-up by tenancy.models).
TENANT_APPS = [
    "patients",
    "treatments",
    "scheduling",
    "billing",
    "access",
    "idempotency",
    "changes",
    "webhooks",
    "fhir_export",
    "fhir_import",
    "reminders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "api.middleware.JsonErrorsMiddleware",
    "tenancy.database_deadline.DatabaseDeadlineMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "api.request_limits.RequestLimitsMiddleware",
    "api.admin_middleware.AdminSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "api.admin_middleware.AdminAuthenticationMiddleware",
    "api.admin_middleware.AdminMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "api.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "tenancy.middleware.RequestContextMiddleware",
    "audit.recording.AuditMiddleware",
    # Last, as django-axes requires: it answers for locked accounts (see AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

# Every answer may load nothing and be framed by nobody: it is JSON (django-csp). The docs
# pages have their own policy (config.urls); the admin keeps Django's pages, served apart.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin"],
    "DIRECTIVES": {"default-src": [NONE], "frame-ancestors": [NONE]},
}

ROOT_URLCONF = "config.urls"
# Paths with and without the trailing slash are the same (api.slash_twins).
APPEND_SLASH = False
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project templates first: they override drf-spectacular's ReDoc page.
        "DIRS": [BASE_DIR / "api" / "templates"],
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

# With no DATABASE_URL, an embedded PostgreSQL is started in a git-ignored project folder.
PGSERVER_DIR = Path(env.str("PGSERVER_DIR", str(BASE_DIR / ".pgdata")))
DATABASE_URL = env.str("DATABASE_URL", "")
if not DATABASE_URL:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL must be set when DJANGO_ENV=production.")
    from config.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(PGSERVER_DIR)

# The API serves requests as a role that neither owns the tables nor bypasses row-level
# security (tenancy.row_security); migrations and management commands connect as the owner.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", "chiro_api")
DATABASE_APP_URL = env.str("DATABASE_APP_URL", "")
if not DATABASE_APP_URL:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("DATABASE_APP_URL must be set when DJANGO_ENV=production.")
    from config.embedded_db import url_with_user

    # Development servers trust local connections: the same server, as the API role.
    DATABASE_APP_URL = url_with_user(DATABASE_URL, DATABASE_APP_ROLE)

# The audit trail's rows carry an HMAC-SHA256 under this key, kept out of the database, so that
# whoever can write the database cannot forge or edit an event unseen (manage.py verify_audit).
AUDIT_KEY_DIR = Path(env.str("AUDIT_KEY_DIR", str(BASE_DIR / ".audit-keys")))
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", "")
if not AUDIT_HMAC_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY must be set when DJANGO_ENV=production.")
    from config.local_keys import local_key

    AUDIT_HMAC_KEY = local_key(AUDIT_KEY_DIR / "hmac.key")
if len(AUDIT_HMAC_KEY) < 32:
    raise ImproperlyConfigured("AUDIT_HMAC_KEY must be at least 32 characters.")

# Every signed audit seal is also written, once, to a store the database's owner cannot rewrite
# (audit.seal_store): `s3://bucket/prefix`, a bucket with Object Lock, or a folder (a path or
# `file://`). Each object is locked in AUDIT_SEAL_LOCK_MODE for AUDIT_SEAL_RETENTION_DAYS (six
# years by default: HIPAA keeps documentation six years, 45 CFR 164.316(b)(2)). S3 credentials
# come from boto3's own chain (AWS_ACCESS_KEY_ID…, a shared profile, an instance role).
AUDIT_SEAL_STORE = env.str("AUDIT_SEAL_STORE", "")
if not AUDIT_SEAL_STORE:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("AUDIT_SEAL_STORE must be set when DJANGO_ENV=production.")
    AUDIT_SEAL_STORE = str(BASE_DIR / ".audit-seals")
AUDIT_SEAL_S3_ENDPOINT_URL = env.str("AUDIT_SEAL_S3_ENDPOINT_URL", "")
AUDIT_SEAL_S3_REGION = env.str("AUDIT_SEAL_S3_REGION", "")
AUDIT_SEAL_RETENTION_DAYS = env.int("AUDIT_SEAL_RETENTION_DAYS", 2192)
if AUDIT_SEAL_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AUDIT_SEAL_RETENTION_DAYS must be at least 1.")
AUDIT_SEAL_LOCK_MODE = env.str("AUDIT_SEAL_LOCK_MODE", "COMPLIANCE")
if AUDIT_SEAL_LOCK_MODE not in {"COMPLIANCE", "GOVERNANCE"}:
    raise ImproperlyConfigured("AUDIT_SEAL_LOCK_MODE must be COMPLIANCE or GOVERNANCE.")

# Seals of the audit trail (audit.sealing) are signed with an Ed25519 key kept out of the
# database: AUDIT_SEAL_KEY, its 32-byte private seed in hex, is needed only where seals are
# made (the worker, `manage.py seal_audit`); the API serves the public half, taken from
# AUDIT_SEAL_PUBLIC_KEY (hex) or else derived from the private one.
AUDIT_SEAL_KEY = env.str("AUDIT_SEAL_KEY", "")
AUDIT_SEAL_PUBLIC_KEY = env.str("AUDIT_SEAL_PUBLIC_KEY", "")
if not AUDIT_SEAL_KEY and not AUDIT_SEAL_PUBLIC_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "AUDIT_SEAL_KEY (where seals are made) or AUDIT_SEAL_PUBLIC_KEY must be set when "
            "DJANGO_ENV=production."
        )
    from config.local_keys import local_key

    AUDIT_SEAL_KEY = local_key(AUDIT_KEY_DIR / "seal-ed25519.key")
# The sealer runs every this many seconds (a periodic task of the job queue: audit.tasks).
AUDIT_SEAL_INTERVAL_SECONDS = env.int("AUDIT_SEAL_INTERVAL_SECONDS", 1)
# A seal holds at most this many events; a busier second is sealed in several.
AUDIT_SEAL_BATCH_MAX = env.int("AUDIT_SEAL_BATCH_MAX", 10_000)
# The change feed (changes): events are numbered every this many seconds (a periodic task),
# at most this many per transaction, and kept this many days.
CHANGE_FEED_NUMBER_INTERVAL_SECONDS = env.int("CHANGE_FEED_NUMBER_INTERVAL_SECONDS", 1)
CHANGE_FEED_BATCH_MAX = env.int("CHANGE_FEED_BATCH_MAX", 5_000)
CHANGE_FEED_RETENTION_DAYS = env.int("CHANGE_FEED_RETENTION_DAYS", 30)
# Webhooks (webhooks): each delivery attempt is cut after WEBHOOK_TIMEOUT_SECONDS; a rotated
# secret keeps signing beside the new one for WEBHOOK_SECRET_OVERLAP_HOURS; finished
# deliveries are logged WEBHOOK_LOG_RETENTION_DAYS. Endpoints must be https and reach only
# public addresses in production (checked after DNS resolution, at registration and at every
# delivery); development and tests may point at this machine.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", 10.0)
WEBHOOK_SECRET_OVERLAP_HOURS = env.int("WEBHOOK_SECRET_OVERLAP_HOURS", 24)
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=IS_PRODUCTION)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool(
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=not IS_PRODUCTION
)
WEBHOOK_FANOUT_INTERVAL_SECONDS = env.int("WEBHOOK_FANOUT_INTERVAL_SECONDS", 1)
WEBHOOK_BATCH_MAX = env.int("WEBHOOK_BATCH_MAX", 500)
WEBHOOK_LOG_RETENTION_DAYS = env.int("WEBHOOK_LOG_RETENTION_DAYS", 30)
# Whether a read's audit event waits for its WAL flush before the answer goes out (writes
# always do). Off, a server crash within three WAL-writer delays (wal_writer_delay, 200 ms
# by default) of a read can lose that read's event; README, "Durability of a read's event".
AUDIT_READS_SYNCHRONOUS = env.bool("AUDIT_READS_SYNCHRONOUS", default=True)
# verify_audit reports events left unsealed longer than this (a sealer that stopped).
AUDIT_UNSEALED_ALERT_SECONDS = env.int("AUDIT_UNSEALED_ALERT_SECONDS", 60)
# Audit events are kept this many months (whole monthly partitions older are dropped once
# sealed: audit.partitions); unset, every event is kept. HIPAA asks six years of documentation
# (45 CFR 164.316(b)(2)(i)): fewer than 72 months is refused unless AUDIT_RETENTION_BELOW_HIPAA.
AUDIT_RETENTION_MONTHS = env.int("AUDIT_RETENTION_MONTHS", default=None)
AUDIT_RETENTION_BELOW_HIPAA = env.bool("AUDIT_RETENTION_BELOW_HIPAA", default=False)
if AUDIT_RETENTION_MONTHS is not None and AUDIT_RETENTION_MONTHS < 1:
    raise ImproperlyConfigured("AUDIT_RETENTION_MONTHS must be at least 1 (unset keeps all).")
if (AUDIT_RETENTION_MONTHS or 72) < 72 and not AUDIT_RETENTION_BELOW_HIPAA:
    raise ImproperlyConfigured(
        "AUDIT_RETENTION_MONTHS under 72 keeps the audit trail less than the six years HIPAA asks;"
        " set AUDIT_RETENTION_BELOW_HIPAA=true to mean it."
    )

# Set by the serving entry points (wsgi, asgi, runserver): connect as the API role.
SERVE_AS_APP_ROLE = env.bool("SERVE_AS_APP_ROLE", default=False)

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_APP_URL if SERVE_AS_APP_ROLE else DATABASE_URL,
        conn_max_age=env.int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Django's backend, with a health check that costs no round trip (tenancy/postgres/base.py).
DATABASES["default"]["ENGINE"] = "tenancy.postgres"
# Bounded waits: a database that does not answer costs a request seconds, not a worker.
# Connecting gives up after DB_CONNECT_TIMEOUT s; an API request's statements after
# DB_STATEMENT_TIMEOUT_MS and its lock waits after DB_LOCK_TIMEOUT_MS (set per request
# transaction by tenancy.request_context, so migrations and batch commands are not cut short).
# Either answers 503 with Retry-After (api.database_faults). The production server's worker
# timeout (gunicorn.conf.py) lies above them; /healthz has its own HEALTH_TIMEOUT_SECONDS.
# The largest request body (then 413); a full plan or visit is a few kilobytes.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# A FHIR import (`POST /fhir/R4/`) reads a whole Bundle, which may hold a patient's years of
# records: its own larger bound, and a bound on its entries (then 413). Each entry written
# costs about 14 statements and is done within the request's DB_REQUEST_TIMEOUT_MS: 500
# written entries take a few seconds (README, Configuration).
FHIR_IMPORT_MAX_BODY_BYTES = env.int("FHIR_IMPORT_MAX_BODY_BYTES", 8 * 1024 * 1024)
FHIR_IMPORT_MAX_ENTRIES = env.int("FHIR_IMPORT_MAX_ENTRIES", 500)
# How long a POST's answer is kept for retries with the same Idempotency-Key (idempotency app).
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", 24)
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", 3)
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", 10_000)
DB_LOCK_TIMEOUT_MS = env.int("DB_LOCK_TIMEOUT_MS", 3_000)
DB_RETRY_AFTER_SECONDS = env.int("DB_RETRY_AFTER_SECONDS", 5)
HEALTH_TIMEOUT_SECONDS = env.int("HEALTH_TIMEOUT_SECONDS", 2)
# Past DB_REQUEST_TIMEOUT_MS a request's database socket is shut down from the client's side
# (tenancy.database_deadline): a database that stops answering on an open connection costs a 503,
# not a hang. Keepalives and tcp_user_timeout notice a peer or network that is gone.
DB_REQUEST_TIMEOUT_MS = env.int("DB_REQUEST_TIMEOUT_MS", DB_STATEMENT_TIMEOUT_MS)
DATABASES["default"].setdefault("OPTIONS", {}).update(
    connect_timeout=DB_CONNECT_TIMEOUT,
    keepalives=1,
    keepalives_idle=30,
    keepalives_interval=5,
    keepalives_count=3,
    tcp_user_timeout=DB_REQUEST_TIMEOUT_MS,
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Record history (django-pghistory): database triggers copy every version of a clinical row,
# with the request's user, role and id read from the transaction's settings (tenancy.row_security).
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(related_name="+", related_query_name="+")

AUTH_USER_MODEL = "clinics.User"

# Account lockout (django-axes), counted in the database that every worker shares: after
# LOGIN_FAILURE_LIMIT failed logins in a row an account is locked for LOGIN_LOCKOUT_MINUTES
# (or until a clinic admin unlocks it), on the API login and the admin login alike. A locked
# account is answered exactly as a wrong password. Addresses are limited by the login throttle.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", 15))
# Accounts lock by username only: counting per address too would lock the right user out with
# everyone behind the same address (a clinic's NAT). Addresses are held to the login throttle
# (LOGIN_THROTTLE_RATE, shared by every worker), which refuses any login, right or wrong, from
# an address past its rate until the minute is over.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.auth.lockout.answer_as_a_wrong_password"
AXES_CLIENT_IP_CALLABLE = "tenancy.request_context.client_address"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "clinics.passwords.PasswordStrengthValidator"},
]
# zxcvbn's score a staff password must reach: 3 "good", 4 "strong" (accounts that open PHI).
PASSWORD_MIN_STRENGTH = env.int("PASSWORD_MIN_STRENGTH", 4)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
# A front end served by its own development server (Vite, Next…) on any local port.
CORS_ALLOWED_ORIGIN_REGEXES = (
    [] if IS_PRODUCTION else [r"^http://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$"]
)
CORS_ALLOW_HEADERS = (
    *default_cors_headers,
    "if-match",
    "if-none-match",
    "x-request-id",
    "idempotency-key",
)
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "X-Request-ID", "Idempotent-Replayed", "Location"]

# Throttle counts must be shared by every worker process: Redis when REDIS_URL is set, else the
# database (its table is made by a migration).
REDIS_URL = env.str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        # Without Redis the database holds them, so every worker still counts together.
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "api_cache"}
    )
}

# Production is served over HTTPS only, usually behind a proxy that terminates TLS and says so
# in X-Forwarded-Proto. Health probes may still come over plain HTTP.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if IS_PRODUCTION else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=IS_PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31_536_000 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=IS_PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=IS_PRODUCTION)
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.auth.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsClinicStaff"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "api.filters.KnownQueryParametersFilter",
        "django_filters.rest_framework.DjangoFilterBackend",
        "api.filters.AliasOrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_THROTTLE_RATE", "10/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Proxies in front of the API; 0 means the client address is the socket's, so that a
    # client cannot dodge the login throttle with a forged X-Forwarded-For.
    "NUM_PROXIES": env.int("NUM_PROXIES", 0),
}

# Bearer tokens: stored as SHA-512 digests; they expire after TOKEN_IDLE_MINUTES without use
# and after TOKEN_MAX_HOURS whatever the use.
TOKEN_IDLE = timedelta(minutes=env.int("TOKEN_IDLE_MINUTES", 30))
REST_KNOX: dict[str, Any] = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": TOKEN_IDLE,
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(hours=env.int("TOKEN_MAX_HOURS", 12)),
    # The idle expiry is pushed forward at most this often (a write saved per interval); a
    # tenth of the idle window, so that a token in use never lapses however short the window.
    "MIN_REFRESH_INTERVAL": min(60, int(TOKEN_IDLE.total_seconds()) // 10),
    "TOKEN_LIMIT_PER_USER": None,
}

# Multi-factor authentication (TOTP, django-otp): the password step's challenge is valid this
# long; authenticator apps show the issuer beside the account.
MFA_CHALLENGE_SECONDS = env.int("MFA_CHALLENGE_SECONDS", 300)
OTP_TOTP_ISSUER = env.str("MFA_ISSUER", "Chiro API")
# Each wrong code doubles the wait before the device answers again (django-otp's throttle).
OTP_TOTP_THROTTLE_FACTOR = 1
MFA_RECOVERY_CODES = 10

# Break-glass access to a patient's clinical record: how long a grant lasts unless asked
# otherwise, and the longest it may last.
BREAK_GLASS_MINUTES = env.int("BREAK_GLASS_MINUTES", 60)
BREAK_GLASS_MAX_MINUTES = env.int("BREAK_GLASS_MAX_MINUTES", 240)

# Background jobs: a queue in PostgreSQL (procrastinate), no other broker. Serving processes
# defer jobs on their own connection, in the request's transaction (as the API role, which may
# only add jobs: tenancy.row_security); workers (`manage.py procrastinate worker`) connect as the
# owner, built from DATABASES by procrastinate's Django app. Each worker runs up to
# JOB_WORKER_CONCURRENCY jobs at once, so that a long job does not hold up the periodic ones,
# and on SIGINT/SIGTERM waits JOB_SHUTDOWN_SECONDS for them before aborting them. A job that
# succeeded is deleted (a failed one is kept): a sealer run every second would leave 86,400 a
# day.
JOB_WORKER_CONCURRENCY = env.int("JOB_WORKER_CONCURRENCY", 4)
JOB_SHUTDOWN_SECONDS = env.float("JOB_SHUTDOWN_SECONDS", 30.0)

# FHIR bulk export: its files are downloadable this long after it is written, then removed;
# each file holds at most this many resources (one row of the export's files).
FHIR_EXPORT_HOURS = env.int("FHIR_EXPORT_HOURS", 24)
FHIR_EXPORT_FILE_RESOURCES = env.int("FHIR_EXPORT_FILE_RESOURCES", 10_000)
# Email (appointment reminders): EMAIL_URL as django-environ reads it (`smtp+tls://user:password@
# host:587`, `smtp+ssl://…:465`, `consolemail://`). Development prints messages to the console;
# production defaults to Django's own default, SMTP on localhost:25, never to the console,
# which would put patients' names and appointments in the logs. What the URL leaves out keeps
# Django's default.
_EMAIL = env.email_url(
    "EMAIL_URL", default="smtp://localhost:25" if IS_PRODUCTION else "consolemail://"
)
vars().update({name: value for name, value in _EMAIL.items() if value not in (None, "")})
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 10)  # seconds; a pass must not hang on a dead server
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# The address reminders come from, shown with the clinic's name ("Back in Line <…>").
REMINDER_FROM_EMAIL = env.str("REMINDER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
# A class of the deployment's own sending text messages (reminders.sms.SmsProvider), by
# dotted path; none is bundled, and without one reminders go by email.
REMINDER_SMS_PROVIDER = env.str("REMINDER_SMS_PROVIDER", "")
# Reminders claimed per clinic per pass (a pass runs every minute), and sends per reminder.
REMINDER_BATCH = env.int("REMINDER_BATCH", 200)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", 3)
PROCRASTINATE_WORKER_DEFAULTS = {
    "concurrency": JOB_WORKER_CONCURRENCY,
    "shutdown_graceful_timeout": JOB_SHUTDOWN_SECONDS,
    "delete_jobs": "successful",
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "api.errors.ApiExceptionHandler",
    # Documented on every operation where they apply; 409, 412 and 503 are declared per endpoint.
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "406", "415", "429", "500"],
    # Unexpected errors answer in the standard shape even in development.
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Chiropractic Practice API",
    # 3.1: a nullable reference is exact (`oneOf: [{$ref}, {type: "null"}]`), and schemas are
    # JSON Schema 2020-12, which strict validators and client generators read as written.
    "OAS_VERSION": "3.1.0",
    "TAGS": [
        {
            "name": "auth",
            "description": "Log in (with a second factor when on), log out, who you are and what "
            "you may do; your own second factor.",
        },
        {
            "name": "clinic",
            "description": "Your clinic and its security settings (roles that must use a "
            "second factor).",
        },
        {
            "name": "staff",
            "description": "Staff accounts of your clinic: create, change role, deactivate, "
            "unlock, reset a second factor. Clinic admins.",
        },
        {
            "name": "patients",
            "description": "Patients' demographics (every role), their conditions, outcome "
            "measures, history and access log (clinicians).",
        },
        {
            "name": "conditions",
            "description": "Conditions (ICD-10-CM diagnoses) across the clinic's patients.",
        },
        {
            "name": "treatment-plans",
            "description": "Treatment plans: goals, planned adjustments, soft-tissue work and "
            "exercises; the status moves, the home programme and progress.",
        },
        {
            "name": "visits",
            "description": "Visits logged against plans: SOAP notes, PART findings, what was "
            "performed, signing, amendments; the derived CPT coding with its payer's rules, coding "
            "corrections, claim (CMS-1500) data and the superbill.",
        },
        {
            "name": "break-glass",
            "description": "Emergency read access to one patient's clinical record for the "
            "front desk: granted with a reason, time-limited, audited.",
        },
        {
            "name": "audit-events",
            "description": "The append-only audit trail, its export, and each event's Merkle "
            "inclusion proof in its signed seal. Clinic admins.",
        },
        {
            "name": "events",
            "description": "The change feed: every change to the clinic's records (ids, "
            "versions and how they changed; never their content), in commit order after a "
            "cursor. Every role; the front desk reads no clinical events.",
        },
        {
            "name": "audit-seals",
            "description": "The audit trail's signed seals (clinic admins) and the Ed25519 "
            "public key that verifies them (anyone, no token).",
        },
        {
            "name": "reference",
            "description": "ICD-10-CM search and the chiropractic vocabulary: segments, "
            "listings, techniques, soft-tissue modalities, muscles, exercises.",
        },
        {
            "name": "appointment-types",
            "description": "The kinds of appointment the clinic books: duration, buffer after, "
            "minimum notice, the clinic's default for new patients, re-examinations and regular "
            "visits. Clinic admins keep them.",
        },
        {
            "name": "working-hours",
            "description": "Each chiropractor's weekly hours on the clinic's wall clock, several "
            "ranges a day. A chiropractor keeps their own; clinic admins everyone's.",
        },
        {
            "name": "schedule-exceptions",
            "description": "Time off and extra hours, once or repeating (RFC 5545 rules on the "
            "clinic's wall clock).",
        },
        {
            "name": "appointments",
            "description": "The calendar: free times, booking without double-booking, moving, "
            "the status moves (arrive, complete, cancel, no-show), the day and week views.",
        },
        {
            "name": "appointment-reminders",
            "description": "The reminders sent to patients before their appointments (the "
            "clinic's `appointment_reminders`): sent, failed or skipped, with why. Read-only.",
        },
        {
            "name": "waitlist",
            "description": "Patients waiting for an earlier time (with whom, which days, which "
            "times of day); a cancelled appointment lists whom its time suits.",
        },
        {
            "name": "coverages",
            "description": "Who pays for a patient's care: payer and payer type (Medicare, "
            "Medicaid, commercial, personal injury, workers' compensation, self-pay), member and "
            "group ids, subscriber, primary or secondary, effective dates.",
        },
        {
            "name": "cases",
            "description": "A course of care billed under one coverage: authorised visits and "
            "dates (visits used and left), referral, claim number and adjuster or attorney, the "
            "ABN on file.",
        },
        {
            "name": "fee-schedule",
            "description": "What the clinic charges per CPT code (and modifier), with effective "
            "dates. Clinic admins keep it.",
        },
        {
            "name": "webhook-endpoints",
            "description": "Where the clinic's change events are POSTed, signed per Standard "
            "Webhooks, with each endpoint's delivery log, redelivery and test events. Clinic "
            "admins.",
        },
        {"name": "health", "description": "Whether the API and its database answer."},
        {
            "name": "FHIR",
            "description": "HL7 FHIR R4 (4.0.1) with US Core 6.1.0 profiles over the same records, "
            "under `/fhir/R4/`: the same bearer token, clinic, roles and audit trail. Answers are "
            "`application/fhir+json` (or `application/json` when asked); errors are "
            "OperationOutcomes whose issues carry the codes listed per operation. "
            "`GET /fhir/R4/metadata` (the CapabilityStatement) lists every resource type, "
            "profile and search parameter served.",
        },
    ],
    "DESCRIPTION": (
        "Practice management for chiropractic and musculoskeletal clinics: clinics and staff, "
        "patients, conditions, treatment plans and visits.\n\n"
        "**Authentication**: `POST /api/v1/auth/login` returns a bearer token; send it as "
        "`Authorization: Bearer <token>`. Tokens expire after an idle time and an absolute lifetime.\n\n"
        "**Errors** share one body shape: `type` (`validation_error`, `client_error` or "
        "`server_error`) and a list of `errors`, each with a machine-readable `code`, a readable "
        "`detail` and, for validation errors, the `attr` (field path, dotted for nested fields).\n\n"
        "**Pagination**: list endpoints are cursor-paginated; follow `next` and `previous`, and "
        "choose `page_size` up to 100.\n\n"
        "**Tenancy**: every object belongs to the caller's clinic; another clinic's object answers 404.\n\n"
        "**Audit**: every answer carries `X-Request-ID` (send a UUID of your own to correlate); "
        "every request to patient data leaves an audit event under that id."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
        "StaffRoleEnum": "clinics.models.Role.choices",
        "MfaStepEnum": "accounts.mfa.CHALLENGE_STEPS",
        "CptEnum": "reference.cpt.CPT_CHOICES",
        "TimedCptEnum": "reference.cpt.TIMED_CPT_CHOICES",
        "CodingWarningCodeEnum": "billing.coding.WARNING_CHOICES",
        "CodingStatusEnum": "billing.visit_coding.CODING_STATUS_CHOICES",
        "PayerTypeEnum": "billing.payer_rules.PAYER_TYPE_CHOICES",
        "ClaimProblemCodeEnum": "billing.claims.PROBLEM_CHOICES",
        "HealthStatusEnum": ["ok"],
        "SegmentKindEnum": "reference.models.SegmentKind.choices",
        "CmtRegionEnum": "reference.models.CmtRegion.choices",
        "PatientStatusEnum": "patients.models.PatientStatus.choices",
        "ClinicalStatusEnum": "patients.models.ClinicalStatus.choices",
        "VerificationStatusEnum": "patients.models.VerificationStatus.choices",
        "PlanStatusEnum": "treatments.models.PlanStatus.choices",
        "GoalStatusEnum": "treatments.models.GoalStatus.choices",
        "BodyRegionEnum": "patients.models.BodyRegion.choices",
        "LateralityEnum": "patients.models.Laterality.choices",
        "AppointmentStatusEnum": "scheduling.models.AppointmentStatus.choices",
        "CancellationReasonEnum": "scheduling.models.CancellationReason.choices",
        "AppointmentActionEnum": "scheduling.transitions.ACTION_CHOICES",
        "AllowedActionsEnum": "treatments.plans.transitions.ACTION_CHOICES",
        "WaitlistStatusEnum": "scheduling.models.WaitlistStatus.choices",
        "ReminderScheduleEnum": "clinics.models.ReminderSchedule.choices",
        "ReminderStatusEnum": "reminders.models.ReminderStatus.choices",
        "ReminderChannelEnum": "reminders.models.Channel.choices",
        "ReminderSkipReasonEnum": "reminders.models.SkipReason.choices",
        "ReminderHoursBeforeEnum": "reminders.models.HoursBefore.choices",
        "TimedReasonEnum": "billing.coding.TIMED_REASON_CHOICES",
        # The feed's event types, which webhook endpoints subscribe to: one enum for both.
        "ChangeEventTypeEnum": "webhooks.serializers.EVENT_TYPE_CHOICES",
        "WebhookEndpointStatusEnum": "webhooks.models.EndpointStatus.choices",
        "WebhookDeliveryStatusEnum": "webhooks.models.DeliveryStatus.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "api.schema.mark_response_fields_required",
        "api.schema.mark_clinical_fields_optional",
        "api.schema.merge_blank_alternatives",
        "api.schema.allow_null_for_empty_choices_in_requests",
        "api.schema.document_etag_headers",
        "api.schema.document_request_id_header",
        "api.schema.document_retry_after_header",
        "api.schema.document_errors_as_json",
        "api.schema.give_each_operation_its_error_codes",
        "fhir_api.schema.document_fhir",
        "fhir_import.schema.document_import_bundles",
        "api.required_when.declare_required_when",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"jobs": {"format": "[%(asctime)s] %(name)s %(levelname)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "jobs": {"class": "logging.StreamHandler", "formatter": "jobs"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # A line per trigger turned on or off (the load test turns the change feed's off).
        "pgtrigger": {"level": "WARNING"},
        # The queue's workers: INFO logs every job started and ended (two lines a second with
        # the audit sealer), WARNING only failures and retries.
        "procrastinate": {
            "handlers": ["jobs"],
            "level": env.str("JOB_LOG_LEVEL", "WARNING"),
            "propagate": False,
        },
    },
}

# Phone numbers written without a country code are read as numbers of this region.
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", "US")
