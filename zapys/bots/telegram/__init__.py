"""The Telegram bot: an update → `Incoming`, a `Reply` → `sendMessage` parameters.

    message.text "/start <token>"         → Incoming(token=...)
    message.text "/start", "Hi", "баланс" → Incoming(text=...)
    message.contact                        → Incoming(phone=..., own_contact=
                                               contact.user_id == message.from.id)
    callback_query.data                    → Incoming(data=..., callback_id=...)
    my_chat_member new status "kicked"     → Incoming(gone=True) (the user blocked the bot)

The update's `update_id` is its key. Only private chats are answered: a contact button
works only there, and a group's messages are not one client's.
"""

from __future__ import annotations

from typing import Any

from zapys.bots.dialog import Incoming, Reply, share_phone_button_text


def parse_update(update: dict[str, Any]) -> Incoming | None:
    """The update as the bot hears it; None when it is not an update at all."""
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    key = str(update_id)
    message = update.get("message")
    if isinstance(message, dict):
        return _message(key, message)
    callback = update.get("callback_query")
    if isinstance(callback, dict):
        return _callback(key, callback)
    member = update.get("my_chat_member")
    if isinstance(member, dict):
        chat = _private_chat(member)
        new = member.get("new_chat_member")
        status = new.get("status") if isinstance(new, dict) else ""
        return Incoming(key=key, chat_id=chat, gone=bool(chat) and status == "kicked")
    return Incoming(key=key, chat_id="")


def _private_chat(message: dict[str, Any]) -> str:
    chat = message.get("chat")
    if not isinstance(chat, dict) or chat.get("type") != "private":
        return ""
    chat_id = chat.get("id")
    return str(chat_id) if isinstance(chat_id, int | str) else ""


def _sender(message: dict[str, Any]) -> tuple[Any, str]:
    sender = message.get("from")
    if not isinstance(sender, dict):
        return None, ""
    name = " ".join(str(sender.get(k) or "") for k in ("first_name", "last_name")).strip()
    return sender.get("id"), name


def _message(key: str, message: dict[str, Any]) -> Incoming:
    chat_id = _private_chat(message)
    sender_id, name = _sender(message)
    contact = message.get("contact")
    if isinstance(contact, dict):
        own = (
            sender_id is not None
            and contact.get("user_id") is not None
            and contact.get("user_id") == sender_id
        )
        return Incoming(
            key=key,
            chat_id=chat_id,
            name=name,
            phone=str(contact.get("phone_number") or ""),
            own_contact=own,
        )
    text = message.get("text")
    text = text.strip() if isinstance(text, str) else ""
    token = ""
    if text.startswith("/start "):
        token = text.removeprefix("/start ").strip()
    return Incoming(key=key, chat_id=chat_id, name=name, text=text, token=token)


def _callback(key: str, callback: dict[str, Any]) -> Incoming:
    message = callback.get("message")
    chat_id = _private_chat(message) if isinstance(message, dict) else ""
    _sender_id, name = _sender(callback)
    data = callback.get("data")
    return Incoming(
        key=key,
        chat_id=chat_id,
        name=name,
        data=data if isinstance(data, str) else "",
        callback_id=str(callback.get("id") or ""),
    )


def reply_markup(reply: Reply) -> dict[str, Any] | None:
    """A share-phone reply keyboard, inline buttons, or None (and the keyboard removed
    after the phone was shared: `remove_keyboard`)."""
    if reply.ask_phone:
        return {
            "keyboard": [[{"text": share_phone_button_text(), "request_contact": True}]],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        }
    if reply.buttons:
        rows = []
        for button in reply.buttons:
            if button.url:
                rows.append([{"text": button.text, "url": button.url}])
            else:
                rows.append([{"text": button.text, "callback_data": button.data[:64]}])
        return {"inline_keyboard": rows}
    return {"remove_keyboard": True}
