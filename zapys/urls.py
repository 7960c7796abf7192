"""Root URLs: /api/v1, i18n, and each app's `urls.py` (mounted at the root; each app
chooses its own prefixes and namespace through `app_name`)."""

from __future__ import annotations

import importlib.util

from django.conf import settings
from django.urls import include, path, re_path, register_converter

from zapys.api import api
from zapys.core.converters import IdConverter
from zapys.core.views import media

# Registered before the apps' URL modules are included (they use `<id:...>`).
register_converter(IdConverter, "id")

urlpatterns: list = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

for app in settings.INSTALLED_APPS:
    if app.startswith("zapys.") and importlib.util.find_spec(f"{app}.urls") is not None:
        urlpatterns.append(path("", include(f"{app}.urls")))

if settings.DEBUG or settings.ZAPYS_SERVE_MEDIA:
    # The embedded mode (`make run`) has no web server in front; in production the web
    # server serves MEDIA_ROOT and ZAPYS_SERVE_MEDIA=false (docs/deployment.md). The view
    # reads MEDIA_ROOT per request (`static()` would freeze it when this module is imported).
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", media))

# API clients get the API's JSON error format for unknown paths and crashes too.
handler404 = "zapys.core.views.not_found"
handler500 = "zapys.core.views.server_error"
