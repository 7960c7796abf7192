"""Writes of the bot: one update handled in one transaction (recorded once, so a replay
changes nothing), chats linked to clients and staff members, the webhook registered.

`bot_update_handle` decides and writes; the replies it returns are sent by the webhook
view after the commit (a slow messenger never holds a transaction open).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from zapys.accounts.models import User
from zapys.bots import selectors
from zapys.bots.dialog import Button, Incoming, Reply, command_of, menu_buttons
from zapys.bots.events import BOT_REPLY
from zapys.bots.models import BotChat, BotUpdate, StaffChat, UsedBindingToken
from zapys.clients.models import Client
from zapys.clients.phones import normalize_phone
from zapys.core.audit import Actor, audit_record
from zapys.core.crypto import encrypt_json
from zapys.core.exceptions import DomainError
from zapys.core.money import format_money
from zapys.messaging.models import MarketingOptOut, Message, TransportAccount
from zapys.messaging.outbox import backoff
from zapys.messaging.services import client_messenger_link, client_messenger_unlink
from zapys.messaging.services.binding import binding_read
from zapys.messaging.services.optout import client_opt_out_set
from zapys.messaging.transports import TelegramTransport, TransportError, ViberTransport

if TYPE_CHECKING:
    from zapys.accounts.models import Organization

logger = logging.getLogger(__name__)

#: At most this many clients offered on one phone, and payables listed in one answer.
MAX_CHOICES = 10
MAX_PAYABLES = 5


def bot_actor(account: TransportAccount) -> Actor:
    return Actor.client_link(f"{account.get_channel_display()} bot")


# --------------------------------------------------------------------------- updates


def bot_update_handle(*, account: TransportAccount, incoming: Incoming) -> list[Reply]:
    """Record the update once and answer it, in the organization's language.

    A replayed update (the same key) changes nothing and gets no answer.
    """
    organization = account.organization
    with transaction.atomic(), translation.override(organization.language):
        try:
            with transaction.atomic():
                BotUpdate.objects.create(
                    organization=organization,
                    account=account,
                    key=incoming.key[:100],
                    kind=_kind(incoming),
                    chat_id=incoming.chat_id[:100],
                )
        except IntegrityError:
            return []
        if not incoming.chat_id:
            return []
        if incoming.gone:
            _chat_gone(account, incoming.chat_id)
            return []
        chat, _created = BotChat.objects.for_org(organization).get_or_create(
            organization=organization,
            account=account,
            chat_id=incoming.chat_id[:100],
            defaults={"channel": account.channel, "name": incoming.name[:200]},
        )
        return _answer(account, chat, incoming)


def _kind(incoming: Incoming) -> str:
    if incoming.gone:
        return "unsubscribed"
    if incoming.token:
        return "start_link"
    if incoming.phone:
        return "contact"
    if incoming.data:
        return "button"
    return "message" if incoming.text else "other"


def _answer(account: TransportAccount, chat: BotChat, incoming: Incoming) -> list[Reply]:
    if incoming.token:
        return _bind_by_token(account, chat, incoming.token)
    if incoming.phone:
        return _contact(account, chat, incoming)
    if incoming.data.startswith("client:"):
        return _choose(account, chat, incoming.data.removeprefix("client:"))
    command = command_of(incoming)
    client = selectors.linked_client(
        account.organization, account.channel, chat.chat_id, chat.client_id
    )
    if client is None:
        if _is_staff_chat(account, chat.chat_id) and command in ("stop",):
            return _staff_stop(account, chat)
        if incoming.text or incoming.data:
            return [_ask_phone()]
        return []
    if command == "balance":
        return [_balance(client)]
    if command == "next":
        return [_next_visit(client)]
    if command == "pay":
        return [_pay(client)]
    if command == "stop":
        return [_stop(account, chat)]
    return [_welcome(client)]


def _ask_phone() -> Reply:
    return Reply(
        _("Hello! To find your client card, share your phone number with the button below."),
        ask_phone=True,
    )


def _welcome(client: Client) -> Reply:
    url = selectors.cabinet_url(client)
    if client.client_type == Client.Type.LEGAL_ENTITY and not client.first_name:
        # a company is not greeted by its name («Вітаємо, ФОП Мельник А. В.!» reads like a
        # form letter), as messaging's templates do not (messaging.rendering)
        text = _("Hello! You are connected: we will send your messages here.")
    else:
        text = _("Hello, %(name)s! You are connected: we will send your messages here.") % {
            "name": client.greeting_in(translation.get_language())
        }
    if url:
        text += "\n" + _("Your cabinet: %(url)s") % {"url": url}
    text += "\n" + _("Choose what you need:")
    return Reply(text, buttons=menu_buttons())


# --------------------------------------------------------------------------- linking


def _contact(account: TransportAccount, chat: BotChat, incoming: Incoming) -> list[Reply]:
    if not incoming.own_contact:
        return [
            Reply(
                _(
                    "This is not your own number. Please share your own phone number "
                    "with the button below."
                ),
                ask_phone=True,
            )
        ]
    phone = normalize_messenger_phone(incoming.phone)
    if not phone:
        return [Reply(_("This phone number could not be read. Please try again."), ask_phone=True)]
    chat.phone = phone
    chat.save(update_fields=["phone", "updated_at"])
    clients = selectors.clients_with_phone(account.organization, phone)
    if not clients:
        phone_to_call = selectors.business_phone(account.organization)
        name = account.organization.name
        if phone_to_call:
            text = _(
                "Your number is not in our client list. "
                "Please contact %(business)s by phone %(phone)s."
            ) % {"business": name, "phone": phone_to_call}
        else:
            text = _("Your number is not in our client list. Please contact %(business)s.") % {
                "business": name
            }
        return [Reply(text)]
    if len(clients) == 1:
        return [_link(account, chat, clients[0])]
    return [_link_family(account, chat, clients[:MAX_CHOICES])]


def _link_family(account: TransportAccount, chat: BotChat, clients: list[Client]) -> Reply:
    """One phone, several clients: they are all this person's (a parent and children), so
    the chat is linked to each of them and every one's messages come here; the commands
    act on one card at a time, the first until another is chosen."""
    _unlink_strangers(account, chat, clients[0].phone)
    actor = bot_actor(account)
    for client in clients:
        client_messenger_link(
            client=client, channel=account.channel, external_id=chat.chat_id, actor=actor
        )
    current = clients[0]
    chat.client = current
    chat.save(update_fields=["client", "updated_at"])
    names = ", ".join(client.name for client in clients)
    text = _(
        "This number belongs to several clients: %(names)s. Messages for each of them "
        "will come here."
    ) % {"names": names}
    url = selectors.cabinet_url(current)
    if url:
        text += "\n" + _("Your cabinet: %(url)s") % {"url": url}
    text += "\n" + _("The commands now show %(name)s's card. Choose another card:") % {
        "name": current.name
    }
    return Reply(text, buttons=_card_buttons(clients, current) + menu_buttons())


def _card_buttons(clients: list[Client], current: Client) -> tuple[Button, ...]:
    return tuple(
        Button(("✓ " if client.pk == current.pk else "") + client.name, data=f"client:{client.pk}")
        for client in clients
    )


def _choose(account: TransportAccount, chat: BotChat, client_id: str) -> list[Reply]:
    """The card the commands act on, picked from the family's: only a client linked to this
    chat (nothing is linked or unlinked by choosing)."""
    linked = selectors.linked_clients(account.organization, account.channel, chat.chat_id)
    client = next((c for c in linked if client_id.isdigit() and c.pk == int(client_id)), None)
    if client is None:
        return [_ask_phone()]
    chat.client = client
    chat.save(update_fields=["client", "updated_at"])
    reply = _welcome(client)
    if len(linked) > 1:
        reply = Reply(reply.text, buttons=_card_buttons(linked, client) + reply.buttons)
    return [reply]


def _bind_by_token(account: TransportAccount, chat: BotChat, token: str) -> list[Reply]:
    binding = binding_read(token)
    organization = account.organization
    if binding is None or binding.organization_id != organization.pk:
        return [
            Reply(
                _("This link is not valid any more. Share your phone number instead."),
                ask_phone=True,
            )
        ]
    try:
        with transaction.atomic():
            UsedBindingToken.objects.create(
                organization=organization,
                signature=token.split("_", 3)[3][:64],
                chat_id=chat.chat_id,
            )
    except IntegrityError:
        return [
            Reply(
                _("This link was already used. Share your phone number instead."),
                ask_phone=True,
            )
        ]
    if binding.kind == "staff":
        return [_link_staff(account, chat, binding.subject_id)]
    client = Client.objects.for_org(organization).alive().filter(pk=binding.subject_id).first()
    if client is None:
        return [_ask_phone()]
    return [_link(account, chat, client)]


def _link(account: TransportAccount, chat: BotChat, client: Client) -> Reply:
    """Link this chat to `client` and make it the current card. Clients of another phone
    linked before are unlinked (a chat serves one family); the family's others stay."""
    _unlink_strangers(account, chat, client.phone)
    client_messenger_link(
        client=client,
        channel=account.channel,
        external_id=chat.chat_id,
        actor=bot_actor(account),
    )
    chat.client = client
    chat.save(update_fields=["client", "updated_at"])
    return _welcome(client)


def _unlink_strangers(account: TransportAccount, chat: BotChat, phone: str) -> None:
    actor = bot_actor(account)
    for linked in selectors.linked_clients(account.organization, account.channel, chat.chat_id):
        if not phone or linked.phone != phone:
            client_messenger_unlink(client=linked, channel=account.channel, actor=actor)


def _link_staff(account: TransportAccount, chat: BotChat, user_id: int) -> Reply:
    organization = account.organization
    user = User.objects.filter(pk=user_id, organization=organization, is_active=True).first()
    if user is None:
        return _ask_phone()
    StaffChat.objects.for_org(organization).filter(
        channel=account.channel, chat_id=chat.chat_id
    ).exclude(user=user).delete()
    StaffChat.objects.for_org(organization).update_or_create(
        organization=organization,
        user=user,
        channel=account.channel,
        defaults={"chat_id": chat.chat_id, "is_active": True},
    )
    audit_record(
        organization=organization,
        actor=Actor.staff(user),
        action="bots.staff_chat_link",
        obj=user,
        changes={"channel": account.channel},
    )
    return Reply(
        _("Hello, %(name)s! Staff notifications of %(business)s will come here.")
        % {"name": user.get_full_name() or user.username, "business": organization.name}
        + "\n"
        + _("Send /stop to stop them.")
    )


def _is_staff_chat(account: TransportAccount, chat_id: str) -> bool:
    return (
        StaffChat.objects.for_org(account.organization)
        .filter(channel=account.channel, chat_id=chat_id, is_active=True)
        .exists()
    )


def _staff_stop(account: TransportAccount, chat: BotChat) -> list[Reply]:
    for staff_chat in StaffChat.objects.for_org(account.organization).filter(
        channel=account.channel, chat_id=chat.chat_id
    ):
        staff_chat.delete()
        audit_record(
            organization=account.organization,
            actor=bot_actor(account),
            action="bots.staff_chat_unlink",
            obj=staff_chat.user,
            changes={"channel": account.channel},
        )
    return [Reply(_("Staff notifications will not come here any more."))]


def _chat_gone(account: TransportAccount, chat_id: str) -> None:
    """The user blocked or left the bot: nothing more goes to this chat (for any client of
    the family it served)."""
    for client in selectors.linked_clients(account.organization, account.channel, chat_id):
        client_messenger_unlink(client=client, channel=account.channel, actor=bot_actor(account))
    StaffChat.objects.for_org(account.organization).filter(
        channel=account.channel, chat_id=chat_id
    ).update(is_active=False)


def bot_chat_gone(*, account: TransportAccount, chat_id: str) -> None:
    """A reply could not be delivered because the user blocked the bot (Telegram 403)."""
    with transaction.atomic():
        _chat_gone(account, chat_id)


def bot_reply_queue(
    *,
    account: TransportAccount,
    chat_id: str,
    text: str,
    key: str,
    retry_after: float | None,
    now: datetime,
) -> Message:
    """A reply the messenger refused for now (429, 5xx, a timeout) goes to the outbox,
    whose retry policy delivers it (after `retry_after` at least). `key` is the update's
    key and the reply's number: a replayed update queues nothing (it gets no replies),
    and the same reply is never queued twice. Buttons are not kept, the text is."""
    organization = account.organization
    delay = timedelta(seconds=retry_after) if retry_after else backoff(1)
    with transaction.atomic():
        client = selectors.linked_client(organization, account.channel, chat_id)
        message, _created = Message.objects.for_org(organization).get_or_create(
            organization=organization,
            idempotency_key=f"bot-reply:{account.pk}:{key}"[:200],
            defaults={
                "client": client,
                "recipient": chat_id,
                "channel": account.channel,
                "transport_account": account,
                "transport_code": account.code,
                "event": BOT_REPLY,
                "text": text,
                "status": Message.Status.QUEUED,
                "next_attempt_at": now + delay,
            },
        )
    return message


def normalize_messenger_phone(raw: str) -> str:
    """A shared contact's number as E.164: "380501234567", "+380501234567", "0501234567"
    and "+38 (050) 123-45-67" all give "+380501234567"; "" when it is not a phone."""
    digits = "".join(ch for ch in raw or "" if ch.isdigit())
    if not digits:
        return ""
    if raw.strip().startswith("+") or digits.startswith("380"):
        candidate = "+" + digits
    elif digits.startswith("0"):
        candidate = digits  # a national number: the organization's region (UA) decides
    else:
        candidate = "+" + digits  # messengers send international numbers without "+"
    try:
        return normalize_phone(candidate)
    except DomainError:
        return ""


# --------------------------------------------------------------------------- commands


def _balance(client: Client) -> Reply:
    amount = selectors.balance_of(client)
    language = translation.get_language() or "uk"
    money = format_money(abs(amount), client.organization.currency, language)
    if amount > 0:
        text = _("You have %(amount)s on your balance.") % {"amount": money}
    elif amount < 0:
        text = _("You owe %(amount)s.") % {"amount": money}
    else:
        text = _("Your balance is zero: you owe nothing.")
    return Reply(text, buttons=menu_buttons())


def _next_visit(client: Client) -> Reply:
    visit = selectors.next_visit(client)
    if visit is None:
        return Reply(_("You have no upcoming visits."), buttons=menu_buttons())
    what = visit.title  # the service, or a group lesson's group / subject / type
    text = _("Your next visit: %(what)s, %(when)s") % {
        "what": what,
        "when": selectors.visit_when(visit),
    }
    if visit.staff_id:
        text += "\n" + _("Specialist: %(name)s") % {
            "name": visit.staff.get_full_name() or visit.staff.username
        }
    if visit.branch.address:
        text += "\n" + _("Address: %(address)s") % {"address": visit.branch.address}
    return Reply(text, buttons=menu_buttons())


def _pay(client: Client) -> Reply:
    payables = selectors.open_payables(client)
    if not payables:
        return Reply(_("Nothing to pay right now."), buttons=menu_buttons())
    language = translation.get_language() or "uk"
    currency = client.organization.currency
    lines = [_("To pay now:")]
    buttons = []
    for item in payables[:MAX_PAYABLES]:
        money = format_money(item.amount, currency, language)
        lines.append(f"• {item.title} — {money}")
        buttons.append(Button(_("Pay %(amount)s") % {"amount": money}, url=item.pay_url))
    return Reply("\n".join(lines), buttons=tuple(buttons))


def _stop(account: TransportAccount, chat: BotChat) -> Reply:
    """Unlink the chat from every client it serves (a family: all of them) and opt them
    out of broadcasts."""
    actor = bot_actor(account)
    for client in selectors.linked_clients(account.organization, account.channel, chat.chat_id):
        client_messenger_unlink(client=client, channel=account.channel, actor=actor)
        _opt_out(client, actor)
    return Reply(
        _("Done: we will not send you messages here any more. Send /start to connect again.")
    )


def _opt_out(client: Client, actor: Actor) -> None:
    """STOP also means "no broadcasts" (M5): on every channel, by a reply to the bot."""
    client_opt_out_set(
        client=client,
        channel=None,
        opted_out=True,
        actor=actor,
        source=MarketingOptOut.Source.REPLY,
    )


# --------------------------------------------------------------------------- webhook


def bot_webhook_register(*, account: TransportAccount, actor: Actor) -> str:
    """Tell Telegram (`setWebhook` with the secret token) or Viber (`set_webhook`) where to
    deliver the bot's updates; for Telegram also remember the bot's @username (getMe) for
    deep links. Returns the webhook URL; a refusal is a DomainError with the provider's words.
    """
    if account.code not in selectors.BOT_CODES or account.channel != account.code:
        raise DomainError(_("Only a Telegram or Viber account is a bot."), field="account")
    credentials = selectors.bot_credentials(account)
    url = selectors.webhook_url(account)
    base_url = account.base_url or None
    try:
        if account.code == "telegram":
            telegram = TelegramTransport(credentials, base_url=base_url)
            telegram.call(
                "setWebhook",
                {
                    "url": url,
                    "secret_token": selectors.telegram_secret_token(account, credentials),
                    "allowed_updates": ["message", "callback_query", "my_chat_member"],
                },
            )
            if not credentials.get("username"):
                me = telegram.call("getMe", {})["result"]
                if isinstance(me, dict) and me.get("username"):
                    credentials["username"] = str(me["username"])
        else:
            viber = ViberTransport(credentials, base_url=base_url)
            viber.call(
                "set_webhook",
                {
                    "url": url,
                    "event_types": [
                        "subscribed",
                        "unsubscribed",
                        "conversation_started",
                        "delivered",
                        "failed",
                    ],
                    "send_name": True,
                    "send_photo": False,
                },
            )
            if not credentials.get("uri"):
                info = viber.call("get_account_info", {})
                if info.get("uri"):
                    credentials["uri"] = str(info["uri"])
    except TransportError as exc:
        raise DomainError(
            _("The messenger refused the webhook: %(error)s") % {"error": exc.message},
            field="account",
        ) from exc
    with transaction.atomic():
        account.credentials_encrypted = encrypt_json(credentials)
        account.save(update_fields=["credentials_encrypted", "updated_at"])
        audit_record(
            organization=account.organization,
            actor=actor,
            action="bots.webhook_register",
            obj=account,
            changes={"webhook_url": url},
        )
    return url


def staff_chat_unlink(*, organization: Organization, user: User, actor: Actor) -> int:
    """A staff member stops getting notifications in their messenger (from their page)."""
    with transaction.atomic():
        deleted, _rows = StaffChat.objects.for_org(organization).filter(user=user).delete()
        if deleted:
            audit_record(
                organization=organization,
                actor=actor,
                action="bots.staff_chat_unlink",
                obj=user,
            )
    return deleted
