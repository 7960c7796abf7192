"""Zapys settings: everything an operator changes comes from the environment (12-factor).

Defaults give the embedded mode (SQLite database, SQLite Huey queue, files under ./var)
so that `make run` needs no other service. Production overrides live in
`zapys/settings_production.py`.
"""

from __future__ import annotations

import secrets
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("ZAPYS_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

TESTING = "pytest" in sys.modules or env.bool("ZAPYS_TESTING", default=False)


def _local_secret_key() -> str:
    """A key generated on first run and kept in var/ so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many reverse proxies append to X-Forwarded-For in front of the app (0: none).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)

# Base of every link sent to clients and of provider callback URLs.
# Defaults to the port `make run` serves on, so `PORT=9000 make run` gives working links.
ZAPYS_PUBLIC_URL = env.str(
    "ZAPYS_PUBLIC_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}"
).rstrip("/")

# Key for secrets stored in the database (payment accounts, transport credentials).
# Derived from SECRET_KEY when unset; set it explicitly in production so rotating
# SECRET_KEY does not make stored credentials unreadable.
ZAPYS_ENCRYPTION_KEY = env.str("ZAPYS_ENCRYPTION_KEY", default="")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "ninja",
    "axes",  # staff login throttling (zapys/accounts/throttling.py)
    "zapys.core",
    "zapys.accounts",
    "zapys.clients",
    "zapys.catalog",
    "zapys.ledger",
    "zapys.memberships",
    "zapys.schedule",
    "zapys.payments",
    # Right after payments: its demo pays on the payments demo's account (apps load and demo
    # in this order; layers are tests/test_layers.py's).
    "zapys.topups",
    "zapys.messaging",
    "zapys.prepayments",
    "zapys.online_sales",
    "zapys.invoices",
    "zapys.fiscal",
    "zapys.checkout",
    "zapys.waitlist",
    "zapys.cabinet",
    "zapys.bots",
    "zapys.broadcasts",
    "zapys.reports",
    "zapys.visit_messages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Provider callbacks go straight to their view from here (zapys/payments/middleware.py).
    "zapys.payments.middleware.ProviderCallbackMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # `?lang=` of a public page's switch and links, before LocaleMiddleware reads the cookie
    "zapys.core.middleware.LanguageLinkMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "zapys.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zapys.core.tenancy.OrganizationMiddleware",
    # Last, as axes asks: turns a locked-out sign-in into the login page's lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zapys.urls"
WSGI_APPLICATION = "zapys.wsgi.application"

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
                "zapys.core.context_processors.shell",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'zapys.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE takes the write
    # lock at BEGIN so two writers queue on busy_timeout instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    # Persistent connections: opening one costs more than a whole provider callback.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    # A `SELECT 1` before each request's first query (~0.3 ms of CPU in all, measured by
    # bench/callbacks.py): after a database restart no request fails on a dead
    # connection. False saves it; each thread then fails one request and reconnects.
    # Provider callbacks skip it: their first statement, the account read, does the
    # checking (payments.selectors.account_for_callback).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
    # Statements run this many times on a connection are prepared (server-side binding
    # only: zapys/payments/sql.py; Django's own queries bind on the client and are never
    # prepared). Empty disables it, e.g. behind a transaction-pooling PgBouncer < 1.21.
    _prepare = env.str("DATABASE_PREPARE_THRESHOLD", default="5")
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        int(_prepare) if _prepare else None
    )
    # Behind a transaction-pooling PgBouncer a cursor cannot outlive its transaction, so
    # QuerySet.iterator() (the ledger report export) must fetch in chunks on the client
    # instead of through a server-side cursor (docs/scaling.md, PgBouncer).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Auth --------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing cost is irrelevant to what the tests check; argon2 stays in production.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
# Login throttling: django-axes records failures, zapys/accounts/throttling.py decides.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "zapys.accounts.throttling.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address as every throttle here sees it (TRUSTED_PROXIES, IPv6 per /64).
AXES_CLIENT_IP_CALLABLE = "zapys.accounts.throttling.client_address"
# Failed sign-ins allowed per (login, address), then per address across all logins.
AXES_FAILURE_LIMIT = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_MAX_FAILURES_PER_ADDRESS = env.int("LOGIN_MAX_FAILURES_PER_ADDRESS", default=30)
# A spent budget locks for this long, doubled by every further failure, up to a day.
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=5)
LOGIN_LOCKOUT_MAX = timedelta(days=1)
# Failures are forgotten after this long without a new one (longer than any lockout).
AXES_COOLOFF_TIME = timedelta(days=2)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused tries do not count
AXES_LOCKOUT_CALLABLE = "zapys.accounts.views.login_locked_out"
AXES_DISABLE_ACCESS_LOG = True  # no log of successful sign-ins: nothing reads it

# --- i18n --------------------------------------------------------------------------------
LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English"))]
LOCALE_PATHS: list = []  # each app keeps its own locale/ folder
TIME_ZONE = "Europe/Kyiv"
FORMAT_MODULE_PATH = ["zapys.formats"]  # English dates as d.m.Y and 24-hour time
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "zapys" / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
    # Files with an organization's data (client imports): outside MEDIA_ROOT, opaque names,
    # served by no URL (zapys/core/private_storage.py). Every web and worker machine must
    # see the same directory, and nothing may serve it.
    "private": {
        "BACKEND": "zapys.core.private_storage.PrivateFileSystemStorage",
        "OPTIONS": {
            "location": env.str("ZAPYS_PRIVATE_ROOT", default=str(VAR_DIR / "private")),
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded images (the payment page background) are served by Django itself unless a web
# server in front does it (production: ZAPYS_SERVE_MEDIA=false, see docs/deployment.md).
ZAPYS_SERVE_MEDIA = env.bool("ZAPYS_SERVE_MEDIA", default=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Background work (Huey) ------------------------------------------------------------


def huey_settings(url: str, *, immediate: bool) -> dict:
    """Map HUEY_URL to a djhuey configuration: sqlite:///path (embedded) or redis://..."""
    parsed = urlparse(url)
    config: dict = {"name": "zapys", "immediate": immediate, "utc": True}
    if immediate:
        config["immediate_use_memory"] = True
    if parsed.scheme == "sqlite":
        config["huey_class"] = "huey.SqliteHuey"
        # sqlite:///relative/path or sqlite:////absolute/path, as SQLAlchemy reads them
        path = f"{parsed.netloc}{parsed.path}"
        config["filename"] = path[1:] if path.startswith("/") else path
    elif parsed.scheme in {"redis", "rediss"}:
        config["huey_class"] = "huey.PriorityRedisHuey"
        config["url"] = url
    else:
        raise ValueError(f"HUEY_URL must be sqlite:///path or redis://host:port/db, got {url!r}")
    config["consumer"] = {"workers": env.int("HUEY_WORKERS", default=2), "worker_type": "thread"}
    return config


HUEY_URL = env.str("HUEY_URL", default=f"sqlite:///{VAR_DIR / 'huey.sqlite3'}")
HUEY = huey_settings(HUEY_URL, immediate=env.bool("HUEY_IMMEDIATE", default=TESTING))

# --- API -----------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# --- Messaging -------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Zapys <no-reply@zapys.local>")

# --- Logging -----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

FORMS_URLFIELD_ASSUME_HTTPS = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
