"""Staff pages of the bot: registering a bot's webhook (the messaging settings' button) and
a staff member's own messengers for notifications (M6). Views parse and authorize;
services write."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.accounts.models import User
from zapys.bots import selectors, services
from zapys.bots.models import StaffChat
from zapys.core.exceptions import DomainError
from zapys.core.http import request_actor, request_organization
from zapys.core.views import staff_required
from zapys.messaging.models import TransportAccount
from zapys.messaging.providers import TEST_MODE
from zapys.messaging.services.binding import staff_deep_links


@staff_required("owner")
@require_POST
def webhook_register(request: HttpRequest, account_id: int) -> HttpResponse:
    organization = request_organization(request)
    account = (
        TransportAccount.objects.for_org(organization)
        .filter(pk=account_id, code__in=selectors.BOT_CODES)
        .first()
    )
    if account is None:
        raise Http404
    try:
        url = services.bot_webhook_register(account=account, actor=request_actor(request))
    except DomainError as exc:
        flash.error(request, exc.detail)
    else:
        flash.success(request, _("The bot's webhook is registered: %(url)s") % {"url": url})
    return redirect("messaging:settings")


@staff_required()
def my_messengers(request: HttpRequest) -> HttpResponse:
    """Get staff notifications in Telegram: a one-time link, and the chats linked."""
    organization = request_organization(request)
    user = request.user
    if not isinstance(user, User):  # staff_required let only staff in
        raise Http404
    if request.method == "POST":
        services.staff_chat_unlink(
            organization=organization, user=user, actor=request_actor(request)
        )
        flash.success(request, _("Notifications will not come to your messengers any more."))
        return redirect("bots:my_messengers")
    chats = list(StaffChat.objects.for_org(organization).filter(user=user, is_active=True))
    bots = set(
        TransportAccount.objects.for_org(organization)
        .filter(channel="telegram", is_active=True)
        .values_list("code", flat=True)
    )
    return render(
        request,
        "bots/my_messengers.html",
        {
            # Staff notifications are copied to Telegram (messaging.staff_chats).
            "links": [
                link for link in staff_deep_links(user, organization) if link.channel == "telegram"
            ],
            # Without a link the page says why: a bot in test mode (the demo's) sends nothing
            # and has no Telegram address; a real bot's address is known once it is
            # connected (the settings' "Connect the bot" fills it in).
            "test_mode_bot": TEST_MODE in bots and "telegram" not in bots,
            "bot_not_connected": "telegram" in bots,
            # The owner is sent to the setting; anyone else is told to ask the owner.
            "is_owner": user.is_owner,
            "chats": chats,
        },
    )
