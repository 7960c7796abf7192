"""Views whose answer is a part of another page (htmx loads it there).

Opened as a page of its own — a copied address, a middle-click, a refresh after htmx pushed
the URL — such an answer was bare, unstyled text with no menu. `fragment_of` sends a plain
GET to the page the part belongs on instead. The views keep answering htmx as before, and
a plain POST (a form posted without htmx) stays the view's own business."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

#: The attribute `fragment_of` leaves on a view (kept through `wraps` by the decorators
#: outside it): the tests find every fragment in the URLconf by it.
MARKER = "fragment_page"

PageOf = Callable[..., str]


def fragment_of(page: str | PageOf, *, tab: str = "") -> Callable:
    """Mark a view as a fragment of `page` and redirect a plain GET there.

    `page` is a URL name reversed with the view's own URL kwargs
    (`fragment_of("schedule:visit_detail")` for `visits/<visit_id>/checkout/`), or a
    function `(request, **kwargs) -> url` when the page needs other arguments. `tab` adds
    `?tab=<tab>`, which a page with tabs (the client card) opens on.

    Put it under `staff_required`, so an anonymous visitor still goes to the login page
    first and the page's own checks decide what the staff member may see: the redirect
    only carries the address's ids, and the page answers 404 for another organization's."""

    def page_url(request: HttpRequest, **kwargs: Any) -> str:
        url = page(request, **kwargs) if callable(page) else reverse(page, kwargs=kwargs or None)
        return f"{url}?{urlencode({'tab': tab})}" if tab else url

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "GET" and not getattr(request, "htmx", False):
                return redirect(page_url(request, **kwargs))
            return view(request, *args, **kwargs)

        setattr(wrapper, MARKER, page_url)
        return wrapper

    return decorator


def is_fragment(view: Callable) -> bool:
    """Whether a URL's view was marked with `fragment_of` (under any other decorators)."""
    return getattr(view, MARKER, None) is not None
