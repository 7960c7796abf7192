"""What a payment is *for*, without the payments app importing the apps that use it.

An app registers a handler for its purpose key once (in its AppConfig.ready), e.g.

    register_purpose("booking", BookingPaymentHandler())

and creates payments with `payment_create(purpose="booking", purpose_object=booking, ...)`.
The handler's methods are called inside the transaction that moves the payment, with
the payment row locked, exactly once per transition:

- `on_succeeded(payment, actor)` — the money arrived (credit the client, confirm...).
- `on_failed(payment, actor)` — the payment failed or expired (`payment.status` says which).
- `on_refunded(payment, amount, actor)` — `amount` kopecks went back to the payer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from zapys.core.audit import Actor
    from zapys.payments.models import Payment


class PurposeHandler(Protocol):
    def on_succeeded(self, payment: Payment, actor: Actor) -> None: ...

    def on_failed(self, payment: Payment, actor: Actor) -> None: ...

    def on_refunded(self, payment: Payment, amount: int, actor: Actor) -> None: ...


# A handler may also define `return_url(payment) -> str | None`: where the provider sends
# the client's browser back after paying (e.g. the booking's page instead of the bare
# payment page). It is optional, so it is looked up with getattr, not declared above.


def return_url_for(payment: Payment) -> str | None:
    method = getattr(get_handler(payment.purpose), "return_url", None)
    return method(payment) if method is not None else None


class NullHandler:
    """For purposes nobody registered (yet): the payment still moves, nothing else."""

    def on_succeeded(self, payment: Payment, actor: Actor) -> None:
        return None

    def on_failed(self, payment: Payment, actor: Actor) -> None:
        return None

    def on_refunded(self, payment: Payment, amount: int, actor: Actor) -> None:
        return None


_HANDLERS: dict[str, PurposeHandler] = {}


def register_purpose(key: str, handler: PurposeHandler) -> None:
    """Register (or, in tests, replace) the handler for a purpose key."""
    _HANDLERS[key] = handler


def get_handler(key: str) -> PurposeHandler:
    return _HANDLERS.get(key, NullHandler())


def registered_purposes() -> list[str]:
    return sorted(_HANDLERS)
