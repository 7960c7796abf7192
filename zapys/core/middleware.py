"""Small request-wide policies."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ApiLanguageMiddleware:
    """The API speaks English unless the integrator asks otherwise with Accept-Language.

    The staff UI defaults to the organization's language (Ukrainian by default), but an
    integration script sending no Accept-Language should get stable English error texts.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and not request.META.get("HTTP_ACCEPT_LANGUAGE"):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]
        return self.get_response(request)
