"""Settings for every environment, read from the environment (see README, "Configuration").

Production behaviour is switched by variables (`ADV_ENV=production`), not by files.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .environment import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("ADV_VAR_DIR", str(BASE_DIR / "var")))

ADV_ENV = env_choice("ADV_ENV", "development", {"development", "test", "production"})
PRODUCTION = ADV_ENV == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production (or SECRET_KEY_FILE).")
    SECRET_KEY = "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "adv.ui.views.csrf_failure"  # a French page that explains and offers to reload
# The address people reach the product at: the links in emails and notifications. `make run` sets
# it from PORT and HOST; every process of a deployment (web, worker, beat) must be given the same
# (https://adv.example.com). Unset, it is this machine on PORT.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_str('PORT', '8000')}").rstrip("/")

INSTALLED_APPS = [
    # Our apps come first so that their management commands (migrate) and templates win.
    "adv.users",
    "adv.tenancy",
    "adv.api",
    "adv.ui",
    "notifications",
    "clients",
    "documents",
    "deals",
    "timesheets",
    # Before billing: its demo (a year of history) is numbered before billing's demo issues last month.
    "reporting",
    "billing",
    "webhooks",
    "einvoicing",
    "portal",
    "accounting",
    "dunning",
    "chat",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "channels",
    "csp",  # its system checks catch a policy written in django-csp 3's format
]

MIDDLEWARE = [
    # The client's address from REMOTE_ADDR and X-Forwarded-For, believed only from TRUSTED_PROXIES.
    "adv.network.TrustedProxyMiddleware",
    # Health probes before anything that checks the Host header or redirects to HTTPS.
    "adv.ui.health.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "adv.tenancy.request_id.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "adv.users.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response that has none of its own (see "Security" below);
    # django-csp's middleware, its frame-ancestors following the view's X-Frame-Options.
    "adv.ui.csp.FrameAwareCSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Tenant resolution: UI path prefix /t/<slug>/ and API bearer tokens. Wraps the view
    # in the tenant's transaction (row-level security context). Must follow authentication.
    "adv.tenancy.middleware.TenantMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # AxesMiddleware last, as django-axes documents.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "adv.urls"
WSGI_APPLICATION = "adv.wsgi.application"
ASGI_APPLICATION = "adv.asgi.application"

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
                "adv.ui.context_processors.shell",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL names the *owner* of the schema (used by `migrate`). Web and worker processes
# connect as DATABASE_APP_USER, a role that owns nothing, is not superuser and has no
# BYPASSRLS, so PostgreSQL row-level security applies to every query they run.
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    from adv.embedded import embedded_database_url

    DATABASE_URL = embedded_database_url()
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
DATABASE_OWNER = {"USER": _db["USER"], "PASSWORD": _db["PASSWORD"]}
DATABASE_APP = {
    "USER": env_str("DATABASE_APP_USER", "adv_app"),
    "PASSWORD": env_str("DATABASE_APP_PASSWORD", ""),
}
_db.update(DATABASE_APP)
_db["CONN_HEALTH_CHECKS"] = True
# A pool of connections per process (psycopg_pool through Django): under ASGI each request runs in
# its own thread, which would otherwise open (and pay for) a new PostgreSQL connection every time.
# The tenant is set per transaction (set_config(..., true)), so a pooled connection carries nothing
# from one request to the next. Off in tests, which swap the connection's role (owner / app).
DB_POOL = env_bool("DB_POOL", ADV_ENV != "test")
if DB_POOL:
    if _db["CONN_MAX_AGE"]:
        raise ImproperlyConfigured("DB_POOL and DB_CONN_MAX_AGE exclude each other: set DB_CONN_MAX_AGE=0.")
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN_SIZE", 1),
        "max_size": env_int("DB_POOL_MAX_SIZE", 10),
        "timeout": env_int("DB_POOL_TIMEOUT_SECONDS", 10),
    }
_db["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME", "test_adv")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, Celery, Channels ------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if not REDIS_URL:
    from adv.embedded import embedded_redis_url

    REDIS_URL = embedded_redis_url()

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL.replace("unix://", "redis+socket://", 1))
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# The queue the processes share: one product's web, worker and beat must agree; another instance on
# the same Redis (the end-to-end tests) takes its own.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
# Deals per chunk of the month's billing run (billing.runs): chunks are shared by the workers.
BILLING_RUN_CHUNK_SIZE = env_int("BILLING_RUN_CHUNK_SIZE", 100)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE = {
    "deals-periodic": {"task": "deals.tasks.deals_periodic_all", "schedule": 3600.0},
    # Closing calendar announcements, CRA reminders and escalations (each step once: rows of the reminder ledger).
    "timesheets-closing-reminders": {"task": "timesheets.tasks.closing_reminders_all", "schedule": 3600.0},
    # What is not billed by the billing-close deadline: escalated once per item and person.
    "billing-escalations": {"task": "billing.tasks.escalations_all", "schedule": 3600.0},
    "notifications-outbox-sweep": {"task": "notifications.tasks.outbox_sweep", "schedule": 60.0},
    # Invoice renders whose task a broker outage lost are queued again (billing.rendering.STALLED_AFTER).
    "billing-render-sweep": {"task": "billing.tasks.render_sweep_all", "schedule": 300.0},
    # Webhook deliveries due (retries, what a broker outage dropped, what a dead worker left).
    "webhooks-sweep": {"task": "webhooks.tasks.sweep", "schedule": 60.0},
    # E-invoicing: lifecycle statuses polled from the platforms, due submissions and reports retried.
    "einvoicing-fetch-statuses": {"task": "einvoicing.tasks.fetch_statuses_all", "schedule": 120.0},
    "notifications-daily-digest": {"task": "notifications.tasks.daily_digest_all", "schedule": 3600.0},
    # Last month's management report (reporting/), to the members each firm chose.
    "reporting-monthly-report": {
        "task": "reporting.tasks.monthly_reports_all",
        "schedule": crontab(minute=0, hour=8, day_of_month=5),  # CELERY_TIMEZONE: Europe/Paris
    },
    "clients-missing-documents-weekly-digest": {
        "task": "documents.tasks.missing_documents_weekly_digest_all",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),  # CELERY_TIMEZONE: Europe/Paris
    },
    # Client payment reminders (dunning): each step once per invoice (reminder ledger), in office hours.
    "dunning-reminders": {"task": "dunning.tasks.dunning_all", "schedule": crontab(minute=20, hour="8-18")},
    # Pre-invoices blocked per reason, counted each evening (reporting: "blocked over time").
    "reporting-blocked-snapshots": {"task": "reporting.tasks.blocked_snapshots_all", "schedule": crontab(minute=45, hour=22)},
}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # redis-py 8 reads with a 5 s socket timeout by default, which aborts the channel layer's
        # blocking BZPOPMIN (also 5 s) and tears down every idle WebSocket (channels_redis#422).
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
    }
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "adv"),
    }
}
if ADV_ENV == "test":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
if ADV_ENV == "test":  # one PBKDF2 iteration: see tests/hashers.py
    PASSWORD_HASHERS = ["tests.hashers.FastPBKDF2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_VALIDITY_DAYS = env_int("INVITATION_VALIDITY_DAYS", 7)

# django-axes: lock a (username, IP) pair after repeated failures, for a cool-off period only.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
if AXES_COOLOFF_MINUTES < 1:
    # django-axes reads no cool-off as a lockout that never expires: refused.
    raise ImproperlyConfigured("AXES_COOLOFF_MINUTES must be at least 1 (a lockout always expires).")
AXES_COOLOFF_TIME = AXES_COOLOFF_MINUTES / 60  # hours
# Per account, whatever the address (rotating addresses or a forged header does not help), with the
# cool-off above; per address across accounts (password spraying) with its own, higher limit,
# checked by the login view (adv/users/lockout.py) so that colleagues behind one NAT are not locked
# by one person's typos.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "adv.network.client_ip"
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 20)
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "adv"

# django-guardian: object permissions for exceptions to the role rules.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The image collects static files at build time, outside its data volume (see Dockerfile).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
MEDIA_ROOT = VAR_DIR / "media"
# Files (client documents, later invoices): the local filesystem under var/ by default,
# S3-compatible object storage when S3_BUCKET is set. Never served directly: the application
# checks permissions, then streams the file (or redirects to a short-lived presigned URL).
S3_BUCKET = env_str("S3_BUCKET")
_default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "region_name": env_str("S3_REGION", "eu-west-3"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env_int("S3_URL_EXPIRY_SECONDS", 60),
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Documents: size limit, and an optional ClamAV daemon ("host:port" or a unix socket path).
DOCUMENT_MAX_UPLOAD_BYTES = env_int("DOCUMENT_MAX_UPLOAD_MB", 20) * 1024 * 1024
CLAMAV_ADDRESS = env_str("CLAMAV_ADDRESS")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Encryption at rest of stored secrets (clients.crypto): Fernet keys, newest first.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
if not FIELD_ENCRYPTION_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be set in production (python -c 'from cryptography.fernet import "
            "Fernet; print(Fernet.generate_key().decode())')."
        )
    import base64
    import hashlib

    FIELD_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()]

# Outgoing webhooks (webhooks/, README "Webhooks"): endpoints on private, loopback, link-local or
# reserved addresses are refused (SSRF) unless this is on (development: a receiver on localhost).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", ADV_ENV == "development")
if PRODUCTION and WEBHOOKS_ALLOW_PRIVATE_TARGETS:
    raise ImproperlyConfigured("WEBHOOKS_ALLOW_PRIVATE_TARGETS must stay off in production (SSRF).")
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 5)  # a whole request, connection to response
WEBHOOKS_SECRET_GRACE_HOURS = env_int("WEBHOOKS_SECRET_GRACE_HOURS", 24)  # the old secret signs this long after a rotation

# --- Email --------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "adv <no-reply@adv.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {}
if env_str("ANYMAIL_ESP"):
    # e.g. ANYMAIL_ESP=brevo ANYMAIL_API_KEY=... -> anymail.backends.brevo.EmailBackend
    EMAIL_BACKEND = f"anymail.backends.{env_str('ANYMAIL_ESP')}.EmailBackend"
    ANYMAIL = {f"{env_str('ANYMAIL_ESP').upper()}_API_KEY": env_str("ANYMAIL_API_KEY", "")}

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "adv.api.authentication.BearerTokenAuthentication",
        "adv.api.authentication.TenantSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["adv.api.permissions.IsTenantMember"],
    "DEFAULT_PAGINATION_CLASS": "adv.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "adv.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "adv.api.exceptions.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "adv.api.throttling.AnonThrottle",
        "adv.api.throttling.SessionUserRateThrottle",
        "adv.api.throttling.TokenRateThrottle",
    ],
    # Under test, the suite (e.g. the cross-tenant matrix: thousands of calls with one token) must not
    # trip the limits; tests of throttling set their own rates.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "100000/min" if ADV_ENV == "test" else "60/min"),
        "user": env_str("API_THROTTLE_USER", "100000/min" if ADV_ENV == "test" else "1200/min"),
        "token": env_str("API_THROTTLE_TOKEN", "100000/min" if ADV_ENV == "test" else "600/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "adv API",
    "DESCRIPTION": "Sales administration and month-end billing for IT consulting firms.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},  # no call to validator.swagger.io
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One schema, for the bearer-token API; /t/<slug>/api/v1/ serves the same operations.
    "PREPROCESSING_HOOKS": ["adv.api.schema.bearer_api_endpoints_only"],
    "ENUM_NAME_OVERRIDES": {
        "InvitationStatusEnum": "adv.api.filters.INVITATION_STATUS_CHOICES",
        "ApiTokenStatusEnum": "adv.api.filters.TOKEN_STATUS_CHOICES",
        # Membership clearance and document security levels: one scale, one enum.
        "ClearanceLevelEnum": "adv.tenancy.models.ClearanceLevel",
        "ClientStatusEnum": "clients.models.ClientStatus",
        "DealStatusEnum": "deals.models.DealStatus",
        "MilestoneStatusEnum": "deals.models.MilestoneStatus",
        "InvoiceStatusEnum": "billing.models.InvoiceStatus",
        "InvoiceKindEnum": "billing.models.InvoiceKind",
        # A billing run's and a billing job's statuses: the same three values.
        "RunStatusEnum": "billing.models.RunStatus",
        "LanguageEnum": LANGUAGES,
        # The e-invoicing lifecycle statuses (XP Z12-012): an invoice's, an event's, a supplier invoice's.
        "LifecycleStatusEnum": "einvoicing.statuses.Lifecycle",
    },
}

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", PRODUCTION) else None
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated): see adv/network.py.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles from our own origin only, no inline code
# (the rare inline <script>/<style> carries the request's nonce: {{ request.csp_nonce }}), no
# style="" attributes, no eval. 'self' also covers the live notifications' ws:/wss: on our host.
# frame-ancestors says what X_FRAME_OPTIONS says; a view that our own pages frame
# (@xframe_options_sameorigin) gets 'self' (adv.ui.csp), and one that sets its own header (the
# sandboxed previews) keeps it. Browsers report violations to adv.ui.csp.report (logged).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],  # data: the inline SVG favicon
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [{"DENY": NONE, "SAMEORIGIN": SELF}[X_FRAME_OPTIONS]],
        "report-uri": "/csp-report/",
    },
}
# Largest violation report read (bytes): a report is a few hundred bytes.
CSP_VIOLATION_REPORT_MAX_BYTES = 16 * 1024
SECURE_REFERRER_POLICY = "same-origin"
# axes.W006 asks for 'ip_address' among axes' lockout parameters: the per-address lockout is ours,
# with its own limit (AXES_IP_FAILURE_LIMIT, adv/users/lockout.py).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Logging: JSON lines in production, readable in development -------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "adv.tenancy.request_id.RequestIdLogFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(tenant_id)s",
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if env_bool("LOG_JSON", PRODUCTION) else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}, "pgserver": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# --- Product settings -------------------------------------------------------------------------
ADV_TWO_FACTOR_ROLES = ("admin", "adv")
