"""The public pages' language switch: links to the same address with `?lang=`."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context: template.Context, code: str) -> str:
    """This page's address in language `code`: its query kept (a family member's card, a
    payment's state), an old `lang` replaced. core.middleware.LanguageLinkMiddleware reads
    it and keeps the choice in the cookie."""
    request = context.get("request")
    if request is None:  # a page rendered without its request: this address, no query
        return f"?lang={code}"
    query = request.GET.copy()
    query["lang"] = code
    return f"{request.path}?{query.urlencode()}"
