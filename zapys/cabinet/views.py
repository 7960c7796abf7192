"""The client's cabinet page (public, found by the link's token) and the staff's "send the
link" / "new link" buttons on the client card. Views parse and authorize; reads are the
selectors', writes the services'."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.cabinet import selectors
from zapys.cabinet.events import CABINET_LINK_EVENT
from zapys.clients.cabinet import cabinet_family, cabinet_member, client_by_cabinet_token
from zapys.clients.models import Client
from zapys.clients.selectors import client_or_404
from zapys.clients.services import client_cabinet_link_regenerate
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.http import request_actor, request_organization
from zapys.core.i18n import public_language
from zapys.core.money import format_money
from zapys.core.tenancy import public_scope
from zapys.core.views import staff_required
from zapys.messaging.services import message_send
from zapys.messaging.services.binding import client_deep_links
from zapys.payments.payables import BalancePaid, payable_pay_from_balance


def page(request: HttpRequest, token: str) -> HttpResponse:
    """What the client opens from their link: their balance in plain words, what to pay,
    upcoming and past visits, memberships, payments and charges, receipts, a top-up, the
    family's cards (one phone) and the messenger buttons. An unknown or regenerated token
    (or a card the link may not see) is the 404 page."""
    client = client_by_cabinet_token(token)
    if client is None:
        raise Http404
    organization = client.organization
    # `?lang=` (the switch, a family card's link) is read by core's LanguageLinkMiddleware
    language = public_language(request, organization)
    with public_scope(organization, language):
        family = cabinet_family(client)
        member = cabinet_member(family, request.GET.get("card"))
        if member is None:
            raise Http404
        card = selectors.cabinet_card(
            member, family=family, token=token, all_entries=request.GET.get("entries") == "all"
        )
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
    response["Cache-Control"] = "no-store"
    # The link is the key: never leak it to the pages the client goes on to (payment pages
    # of the same site see it; providers and messengers do not).
    response["Referrer-Policy"] = "same-origin"
    return response


def pay_from_balance(request: HttpRequest, token: str, key: str, ref: str) -> HttpResponse:
    """«Pay from the balance» of one payable on the card: GET asks the client to confirm
    (what, how much, from whose balance), POST pays through the declaring app's service
    and goes back to the card with what was done. A payable the card may not pay (another
    family's or organization's, a forged id, paid or gone meanwhile) or a balance that no
    longer covers it is a page saying so, and nothing changes; a second press of the same
    button reads "already paid"."""
    client = client_by_cabinet_token(token)
    if client is None:
        raise Http404
    organization = client.organization
    with public_scope(organization, public_language(request, organization)):
        family = cabinet_family(client)
        data = request.POST if request.method == "POST" else request.GET
        member = cabinet_member(family, data.get("card"))
        if member is None:
            raise Http404
        back = reverse("cabinet:page", kwargs={"token": token})
        if member.pk != client.pk:
            back += f"?card={member.pk}"
        context = {"organization": organization, "client": member, "back": back}
        if request.method == "POST":
            try:
                paid = payable_pay_from_balance(
                    organization,
                    key=key,
                    ref=ref,
                    card_id=member.pk,
                    family_ids=[m.pk for m in family],
                    actor=Actor.client_link(f"cabinet of client {client.pk}"),
                )
            except DomainError as exc:
                response = _refused(request, context, exc.detail, exc.status)
            else:
                messages.success(request, _paid_words(paid, member, family, organization.currency))
                response = redirect(back)
        else:
            offer = selectors.balance_offer(member, family=family, token=token, key=key, ref=ref)
            if offer is None:
                response = _refused(
                    request,
                    context,
                    _("This cannot be paid from this page: it may be paid already."),
                    404,
                )
            elif offer.balance is None or offer.payable.terms_first:
                response = _refused(
                    request, context, _("The balance does not cover this payment in full."), 409
                )
            else:
                owner = offer.balance_owner or member.name
                context |= {"offer": offer, "owner": owner, "balance": offer.balance}
                response = render(request, "cabinet/pay_from_balance.html", context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _refused(request: HttpRequest, context: dict, reason: str, status: int) -> HttpResponse:
    """The confirmation page's refusal: why, and the way back to the card."""
    return render(
        request, "cabinet/pay_from_balance.html", {**context, "refused": reason}, status=status
    )


def _paid_words(paid: BalancePaid, member: Client, family: list[Client], currency: str) -> str:
    """What the card says after paying, in the page's language: what, how much, from whose
    balance."""
    if paid.already:
        return _("Already paid: %(what)s.") % {"what": paid.title}
    amount = format_money(paid.amount, currency, (get_language() or "uk")[:2])
    if paid.balance_client_id == member.pk:
        return _("Paid from your balance: %(what)s, %(amount)s.") % {
            "what": paid.title,
            "amount": amount,
        }
    owner = next((m.name for m in family if m.pk == paid.balance_client_id), "")
    return _("Paid from the balance of %(name)s: %(what)s, %(amount)s.") % {
        "name": owner,
        "what": paid.title,
        "amount": amount,
    }


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
