"""Django settings for successkit. Everything that varies comes from the environment
(see ``config.py`` and the README's configuration section)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from successkit import config

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = config.secret_key()
DEBUG = config.env_flag("SUCCESSKIT_DEBUG", default=False)
ALLOWED_HOSTS = config.allowed_hosts()
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("SUCCESSKIT_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "ninja",  # its Swagger UI assets, served from here (no CDN)
    "csp",
    "axes",
    "successkit.core",
    "successkit.outbox",
    "successkit.accounts",
    "successkit.catalog",
    "successkit.pricing",
    "successkit.scheduling",
    "successkit.contracts",
    "successkit.billing",
    "successkit.engagements",
    "successkit.healthchecks",
    "successkit.support",
    "successkit.notifications",
    "successkit.flows",
    "successkit.portal",
]

MIDDLEWARE = [
    # Outermost: any error under /api/ leaves in the JSON shape of SPEC.md §7.
    "successkit.core.api_errors.ApiErrorShape",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: size limits and JSON-only for the API.
    "successkit.core.api_errors.RequestBodyGuard",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "successkit.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "successkit.portal.middleware.RefusalPageMiddleware",
    "successkit.core.idempotency.IdempotencyMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "successkit.urls"
WSGI_APPLICATION = "successkit.wsgi.application"

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
                "successkit.portal.context.governing_terms",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    # Persistent connections (one per server thread, kept from request to request: gunicorn's
    # gthread workers keep their threads): a new connection per request costs more than the
    # request itself on PostgreSQL. Each is checked before a request uses it, without a
    # round trip (core/postgresql/base.py).
    db = dj_database_url.parse(
        config.database_url(),
        conn_max_age=int(os.environ.get("SUCCESSKIT_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if db["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with a health check that needs no round trip (core/postgresql).
        db["ENGINE"] = "successkit.core.postgresql"
        # Only the statements every request runs are prepared (once per connection, by
        # core/postgresql's prepared_cursor); nothing else reaches this threshold.
        # No JIT: the server compiles any query its planner costs high (the cockpit's
        # ranking of every contract), which took two of its three seconds at 10,000
        # contracts; the queries of a web request are short and never repay it.
        db["OPTIONS"] = {
            **db.get("OPTIONS", {}),
            "prepare_threshold": 2**31 - 1,
            "options": "-c jit=off",
        }
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # Django's backend whose writers queue on a lock instead of SQLite's sleeps
        # (core/sqlite).
        db["ENGINE"] = "successkit.core.sqlite"
        # WAL lets readers run beside the writer; IMMEDIATE makes every transaction take
        # the write lock up front, so concurrent bookings queue (busy timeout) instead of
        # failing half-way with "database is locked".
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # Tests need a real file so that several threads share one database.
        db["TEST"] = {"NAME": str(Path(db["NAME"]).with_suffix(".test.sqlite3"))}
    return dict(db)


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

PASSWORD_HASHERS = [
    "successkit.accounts.throttling.BoundedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Content-Security-Policy on every answer (django-csp): scripts, styles, fonts, images and
# frames from this site only - no third-party script, no inline script (the API docs use
# the Swagger UI files django-ninja ships). Inline style attributes stay allowed (the
# admin and Swagger UI set a few); they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Sign-in throttling (accounts/throttling.py): django-axes counts failures in the database,
# per account and per address (either one locks), shared by every server process.
AUTHENTICATION_BACKENDS = [
    "successkit.accounts.throttling.ThrottledSignIn",
    "successkit.accounts.backends.RoleBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("SUCCESSKIT_SIGNIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = "successkit.accounts.throttling.cool_off"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "successkit.accounts.throttling.account_of"
AXES_LOCKOUT_CALLABLE = "successkit.accounts.throttling.lockout_response"
# A fixed cool-off from the failure that locked: failures while locked out do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
if config.env_flag("SUCCESSKIT_BEHIND_TLS_PROXY"):
    # The proxy appends the client's address; the right-most entry is the one it saw.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_PROXY_COUNT = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
# Each app keeps its own catalog in <app>/locale (scripts/messages updates them all).
# django_texts/locale holds only Django's own Spanish texts that say usted, in tú (SPEC.md
# §6): LOCALE_PATHS wins over every app's catalog, so it translates no msgid of ours.
LOCALE_PATHS: list[Path] = [BASE_DIR / "django_texts" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = config.data_dir() / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploaded files (presentation materials) are served only through views that check access.
MEDIA_ROOT = config.data_dir() / "media"
MEDIA_URL = "/media/"
# Form fields and JSON bodies (files apart): 1 MB, as the API's limit (core/api_errors.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = config.is_production()
CSRF_COOKIE_SECURE = config.is_production()
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a TLS-terminating proxy (production): trust its X-Forwarded-Proto, redirect plain
# HTTP, and ask browsers for HTTPS only (HSTS) once the whole site is served over TLS.
if config.env_flag("SUCCESSKIT_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = int(os.environ.get("SUCCESSKIT_HSTS_SECONDS", "0"))

# Events that leave the system (API.md): mail, webhooks, reminders. The job engine is
# Django's tasks framework (the django-tasks backport) with its database backend, so the
# jobs commit in the same transaction as the change that causes them.
TASKS = {"default": {"BACKEND": "successkit.outbox.backend.DatabaseBackend", "QUEUES": ["default"]}}
globals().update(config.email_settings())
# Public address of the site, for links in mail (unsubscribe, the contract's page).
SUCCESSKIT_SITE_URL = os.environ.get("SUCCESSKIT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SUCCESSKIT_WEBHOOKS_ALLOW_PRIVATE = config.env_flag("SUCCESSKIT_WEBHOOKS_ALLOW_PRIVATE")
# Retries of mail and webhooks: the first within 10 s (base 5 s with jitter), doubling to
# at most an hour between attempts; a message is marked failed after the last attempt.
SUCCESSKIT_RETRY_BASE_SECONDS = float(os.environ.get("SUCCESSKIT_RETRY_BASE_SECONDS", "5"))
SUCCESSKIT_RETRY_MAX_SECONDS = float(os.environ.get("SUCCESSKIT_RETRY_MAX_SECONDS", "3600"))
SUCCESSKIT_DELIVERY_ATTEMPTS = int(os.environ.get("SUCCESSKIT_DELIVERY_ATTEMPTS", "15"))
SUCCESSKIT_WEBHOOK_TIMEOUT = float(os.environ.get("SUCCESSKIT_WEBHOOK_TIMEOUT", "10"))
# Who a request acts for (idempotency keys are per user): the accounts app knows tokens.
SUCCESSKIT_CALLER_ID = "successkit.accounts.services.caller_id"
# The language of an API error answered before the API's auth (core/api_errors.py).
SUCCESSKIT_CALLER_LANGUAGE = "successkit.accounts.services.caller_language"

# The audit trail (core/audit.py) is append-only: the back office shows it, never reverts it.
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
