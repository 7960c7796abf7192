"""Assembles /api/v1 from each app's `api.py` router (an app without one is skipped)."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.conf import settings
from ninja import NinjaAPI
from ninja.errors import ValidationError

from zapys.core.api import ApiKeyAuth, document_errors, install_error_handlers, validation_errors


class ZapysAPI(NinjaAPI):
    """The schema documents the error answers of every operation (`core.api.document_errors`);
    a `null` where a value is needed is told apart from a value of the wrong type."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return document_errors(super().get_openapi_schema(*args, **kwargs))

    def validation_error_from_error_contexts(self, error_contexts: Any) -> ValidationError:
        return ValidationError(validation_errors(error_contexts))


api = ZapysAPI(
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
