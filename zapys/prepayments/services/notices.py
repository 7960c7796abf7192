"""What a booking tells people: the client's messages (B5, once each) and the staff's
notifications. Used by every step of the booking's life; not exported."""

from __future__ import annotations

import logging
from typing import Any

from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.stored_text import StoredText
from zapys.messaging.services import message_send, staff_notify
from zapys.prepayments.models import Booking
from zapys.prepayments.selectors import message_variables

logger = logging.getLogger(__name__)


def booking_message_send(booking: Booking, event: str, suffix: str, actor: Actor) -> Any:
    """One message about the booking, once (idempotency key per booking and kind). A
    message that cannot be queued is logged, never a reason to undo the booking's step."""

    try:
        return message_send(
            organization=booking.organization,
            event=event,
            variables=message_variables(booking),
            actor=actor,
            client=booking.client,
            channel=booking.channel or None,
            related=booking,
            idempotency_key=f"booking:{booking.pk}:{suffix}",
        )
    except DomainError:
        logger.warning("prepayments: %s for booking %s could not be queued", event, booking.pk)
        return None


def booking_staff_notify(
    booking: Booking,
    title: str | StoredText,
    body: str | StoredText = "",
    level: str = "info",
) -> None:
    staff_notify(
        organization=booking.organization,
        title=title,
        body=body,
        related=booking,
        url=booking.staff_url,
        level=level,
    )
