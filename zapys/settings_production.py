"""Production settings: `DJANGO_SETTINGS_MODULE=zapys.settings_production`.

Everything secret comes from the environment, and this module refuses to start without
the two keys every process must share (see `required`). It turns on the hardening that
`manage.py check --deploy` asks for. docs/deployment.md lists every variable.
"""

from django.core.exceptions import ImproperlyConfigured

from zapys.settings import *  # noqa: F403
from zapys.settings import env

#: Why each key must be set, identically, on every machine (web, workers, scheduler).
REQUIRED_SECRETS = {
    "SECRET_KEY": (
        "Sessions, CSRF tokens and signed links (booking confirmations) are signed with it; "
        "a process with another key rejects what the others signed."
    ),
    "ZAPYS_ENCRYPTION_KEY": (
        "Payment-account and message-transport credentials are encrypted with it; a "
        "process with another key cannot decrypt them, so payment pages and provider "
        "callbacks fail. Use a Fernet key (python -c 'from cryptography.fernet import "
        "Fernet; print(Fernet.generate_key().decode())') or a long passphrase."
    ),
}


def required(name: str) -> str:
    """The variable's value; ImproperlyConfigured when it is unset or blank.

    The embedded defaults (a key generated into var/, an encryption key derived from
    it) are right for one process on one machine and wrong for several: each machine
    would generate its own."""
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. zapys.settings_production refuses to start without it: "
            f"set {name} in the environment to the same value on every web, worker and "
            f"scheduler machine. {REQUIRED_SECRETS[name]}"
        )
    return value


SECRET_KEY = required("SECRET_KEY")
ZAPYS_ENCRYPTION_KEY = required("ZAPYS_ENCRYPTION_KEY")

DEBUG = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The load balancer's health check and the payment providers' callbacks may reach the
# app over plain HTTP (a check against the web process itself; a proxy that forwards
# callbacks without X-Forwarded-Proto). A redirect answers them 301, which a health
# check reads as "down" and a provider as a failed delivery. Both are safe over HTTP:
# /healthz says nothing secret, a callback is authenticated by its signature.
# Patterns match the path without its leading slash (Django's SecurityMiddleware).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^payments/callback/"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# TLS ends at the proxy: the app sees plain HTTP and learns the original scheme from
# X-Forwarded-Proto. Only with a proxy that sets (overwrites) that header on every
# request — otherwise a client could claim HTTPS itself.
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
STORAGES = {
    **STORAGES,  # noqa: F405 - other aliases (private uploads) stay as zapys.settings has them
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
