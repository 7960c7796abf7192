"""Assembles /api/v1 from each app's `api.py` router (an app without one is skipped)."""

from __future__ import annotations

import importlib
import importlib.util

from django.conf import settings
from ninja import NinjaAPI

from zapys.core.api import ApiKeyAuth, install_error_handlers

api = NinjaAPI(
    title="Zapys API",
    version="1",
    description=(
        "Zapys REST API. Authenticate with `Authorization: Bearer <API key>` "
        "(create one with `python manage.py apikey <login>`). Money is integer kopecks."
    ),
    auth=ApiKeyAuth(),
    urls_namespace="api",
)
install_error_handlers(api)

for app in settings.INSTALLED_APPS:
    if not app.startswith("zapys."):
        continue
    module_name = f"{app}.api"
    if importlib.util.find_spec(module_name) is None:
        continue
    module = importlib.import_module(module_name)
    router = getattr(module, "router", None)
    if router is not None:
        api.add_router("", router)
