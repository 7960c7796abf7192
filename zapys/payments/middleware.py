"""Provider callbacks skip the browser middleware.

A callback is a server-to-server POST authenticated by its signature: no cookie, no
session, no logged-in user, no CSRF token, no messages, no htmx, no staff organization
and no negotiated language. Running the middleware built for browsers on it costs about
as much CPU as one of its SQL statements (measured in bench/callbacks.py), so this
middleware — placed right after SecurityMiddleware, whose headers still apply (its HTTPS
redirect does not: callback URLs are in SECURE_REDIRECT_EXEMPT, since a provider may post
to a plain-HTTP listener behind the load balancer) — sends callback URLs straight to the
view. Every other request passes through untouched.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class ProviderCallbackMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # The prefix comes from the URLconf, so the route stays defined in one place.
        sample = reverse("payments:callback", kwargs={"provider": "p", "account_id": "a"})
        self.prefix = sample.removesuffix("p/a/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(self.prefix):
            parts = path[len(self.prefix) :].split("/")
            # <provider>/<account_id>/ exactly, as the URL pattern has it; anything
            # else takes the normal route (a 404, a slash redirect...).
            if len(parts) == 3 and parts[0] and parts[1] and not parts[2]:
                from zapys.payments.views import callback

                response = callback(request, parts[0], parts[1])
                if not response.streaming and not response.has_header("Content-Length"):
                    response.headers["Content-Length"] = str(len(response.content))
                return response
        return self.get_response(request)
