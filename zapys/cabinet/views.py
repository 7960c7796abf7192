"""The client's cabinet page (public, found by the link's token) and the staff's "send the
link" / "new link" buttons on the client card. Views parse and authorize; reads are the
selectors', writes the services'."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.cabinet import selectors
from zapys.cabinet.events import CABINET_LINK_EVENT
from zapys.clients.cabinet import cabinet_family, cabinet_member, client_by_cabinet_token
from zapys.clients.selectors import client_or_404
from zapys.clients.services import client_cabinet_link_regenerate
from zapys.core.http import request_actor, request_organization
from zapys.core.i18n import public_language
from zapys.core.tenancy import public_scope
from zapys.core.views import staff_required
from zapys.messaging.services import message_send
from zapys.messaging.services.binding import client_deep_links


def page(request: HttpRequest, token: str) -> HttpResponse:
    """What the client opens from their link: their balance in plain words, what to pay,
    upcoming and past visits, memberships, payments and charges, receipts, a top-up, the
    family's cards (one phone) and the messenger buttons. An unknown or regenerated token
    (or a card the link may not see) is the 404 page."""
    client = client_by_cabinet_token(token)
    if client is None:
        raise Http404
    organization = client.organization
    supported = dict(django_settings.LANGUAGES)
    requested = request.GET.get("lang", "")
    language = requested if requested in supported else public_language(request, organization)
    with public_scope(organization, language):
        family = cabinet_family(client)
        member = cabinet_member(family, request.GET.get("card"))
        if member is None:
            raise Http404
        card = selectors.cabinet_card(member)
        response = render(
            request,
            "cabinet/page.html",
            {
                "organization": organization,
                "token": token,
                "family": family,
                "card": card,
                "client": member,
                "card_query": f"card={member.pk}&" if member.pk != client.pk else "",
                "messengers": client_deep_links(member),
                "language": language,
            },
        )
    if requested in supported:
        response.set_cookie(
            django_settings.LANGUAGE_COOKIE_NAME, requested, max_age=365 * 24 * 3600, samesite="Lax"
        )
    response["Cache-Control"] = "no-store"
    # The link is the key: never leak it to the pages the client goes on to (payment pages
    # of the same site see it; providers and messengers do not).
    response["Referrer-Policy"] = "same-origin"
    return response


@staff_required()
@require_POST
def client_link(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client card's buttons: `action=send` queues the link to the client through their
    channel; `action=regenerate` makes a new link (the old one stops working)."""
    client = client_or_404(client_id)
    actor = request_actor(request)
    if request.POST.get("action") == "regenerate":
        client_cabinet_link_regenerate(client=client, actor=actor)
        messages.success(request, _("A new link was made; the old one no longer opens."))
    else:
        organization = request_organization(request)
        message = message_send(
            organization=organization,
            event=CABINET_LINK_EVENT,
            variables={"cabinet_url": client.cabinet_url},
            actor=actor,
            client=client,
            related=client,
            # One message per link: pressing again does not send the same link twice.
            idempotency_key=f"cabinet:{client.pk}:{client.cabinet_token[:12]}",
        )
        if message is None:
            messages.error(
                request,
                _(
                    "The link was not sent: no channel reaches this client (a phone, an e-mail "
                    "or a linked messenger, and an active transport account)."
                ),
            )
        else:
            messages.success(request, _("The link is on its way to the client."))
    return redirect("clients:detail", client_id=client.pk)
