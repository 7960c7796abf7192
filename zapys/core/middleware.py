"""Small request-wide policies."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

LANGUAGE_COOKIE_YEAR = 365 * 24 * 3600


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


class LanguageLinkMiddleware:
    """`?lang=uk|en` in any address is the visitor's choice of language, in one place.

    The language switch of every public page is a pair of links with `?lang=`, and the links
    we send (a cabinet, an invoice, a shop button in English) may carry one. Before, only the
    cabinet and the invoice page read it, each its own way. Here the choice stands in for
    the language cookie for this request — so every reader of the explicit choice obeys it:
    `core.i18n.public_language` on the pages found by a token, LocaleMiddleware on the
    booking page and the error pages — and the cookie is set, so the next page (and the
    next link without `?lang=`) speaks the same language.

    Not made sticky for a signed-in staff member: the same cookie is the language of their
    work pages, and opening a client's page in English (a shop button's preview) must not
    turn their calendar English. Sits before LocaleMiddleware, which reads the cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.GET.get("lang", "")
        if chosen not in dict(settings.LANGUAGES) or request.path.startswith("/api/"):
            return self.get_response(request)
        request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = chosen
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if not (user is not None and user.is_authenticated and user.organization_id):
            # as Django's set_language would, but for a year: a client who chose English
            # once should not meet Ukrainian when the browser is reopened
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE or LANGUAGE_COOKIE_YEAR,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
            )
        return response
