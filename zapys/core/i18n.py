"""Language of public (client-facing) pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


def public_language(request: HttpRequest, organization: Organization, preferred: str = "") -> str:
    """The client's explicit choice (the language switch's cookie) wins; then the language
    the page was configured with (`preferred`); then the organization's language. The
    browser's Accept-Language is not used: a salon in Kyiv writes to its clients in its
    own language, whatever phone they hold."""
    supported = dict(settings.LANGUAGES)
    for candidate in (
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
        preferred,
        organization.language,
    ):
        code = (candidate or "")[:2]
        if code in supported:
            return code
    return settings.LANGUAGE_CODE
