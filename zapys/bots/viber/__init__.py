"""The Viber bot: a callback → `Incoming`, a `Reply` → a Viber keyboard.

    conversation_started {context: <token>}  → Incoming(token=...) (the deep link's context)
    conversation_started (no context)        → Incoming(text="start")
    message type "text" "Hi" / "cmd:pay"      → Incoming(text=...) / Incoming(data=...)
    message type "contact"                    → Incoming(phone=..., own_contact=True)
    unsubscribed                              → Incoming(gone=True)
    webhook, delivered, seen, failed, ...     → Incoming with no chat (recorded, not answered)

The key is the callback's `message_token` (Viber repeats it on a retry); events without
one use event + user + timestamp. A shared contact comes from the keyboard's `share-phone`
button, which sends the user's own number; Viber gives no id to compare it with (research
§3.2: spoofing is UNCONFIRMED), so the bot trusts it only from that button, and a contact
typed into a text is just text.
"""

from __future__ import annotations

from typing import Any

from zapys.bots.dialog import Incoming, Reply, share_phone_button_text


def parse_event(event: dict[str, Any]) -> Incoming | None:
    kind = event.get("event")
    if not isinstance(kind, str):
        return None
    token = event.get("message_token")
    if kind == "conversation_started":
        user = event.get("user")
        chat_id, name = _user(user)
        key = f"{kind}:{token or ''}:{chat_id}:{event.get('timestamp', '')}"
        context = event.get("context")
        if isinstance(context, str) and context.strip():
            return Incoming(key=key, chat_id=chat_id, name=name, token=context.strip())
        return Incoming(key=key, chat_id=chat_id, name=name, text="start")
    if kind == "message":
        chat_id, name = _user(event.get("sender"))
        key = (
            f"message:{token}"
            if token is not None
            else f"message:{chat_id}:{event.get('timestamp', '')}"
        )
        message = event.get("message")
        if not isinstance(message, dict):
            return Incoming(key=key, chat_id="")
        if message.get("type") == "contact":
            contact = message.get("contact")
            phone = contact.get("phone_number") if isinstance(contact, dict) else ""
            return Incoming(
                key=key, chat_id=chat_id, name=name, phone=str(phone or ""), own_contact=True
            )
        text = message.get("text")
        text = text.strip() if isinstance(text, str) else ""
        if text.startswith(("cmd:", "client:")):
            return Incoming(key=key, chat_id=chat_id, name=name, data=text)
        return Incoming(key=key, chat_id=chat_id, name=name, text=text)
    if kind == "unsubscribed":
        user_id = event.get("user_id")
        chat_id = str(user_id) if isinstance(user_id, str) else ""
        return Incoming(
            key=f"unsubscribed:{chat_id}:{event.get('timestamp', '')}", chat_id=chat_id, gone=True
        )
    return Incoming(key=f"{kind}:{token or ''}:{event.get('timestamp', '')}", chat_id="")


def _user(user: Any) -> tuple[str, str]:
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return "", ""
    return user["id"], str(user.get("name") or "")


def keyboard(reply: Reply) -> dict[str, Any] | None:
    """A share-phone keyboard or reply / open-url buttons; None for plain text."""
    if reply.ask_phone:
        return {
            "Type": "keyboard",
            "Buttons": [
                {
                    "ActionType": "share-phone",
                    "ActionBody": "phone_reply",
                    "Text": share_phone_button_text(),
                    "Columns": 6,
                    "Rows": 1,
                }
            ],
        }
    if not reply.buttons:
        return None
    buttons = []
    for button in reply.buttons:
        if button.url:
            buttons.append(
                {"ActionType": "open-url", "ActionBody": button.url, "Text": button.text}
            )
        else:
            buttons.append({"ActionType": "reply", "ActionBody": button.data, "Text": button.text})
    return {"Type": "keyboard", "Buttons": [{**b, "Columns": 6, "Rows": 1} for b in buttons]}
