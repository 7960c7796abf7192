"""The named row locks of the money paths, and the one order every path takes them in.

Two transactions that lock the same two rows in opposite orders can each wait for the other:
PostgreSQL breaks the cycle after `deadlock_timeout` by failing one of them, which is a 500
for a person at the desk or a provider callback rolled back, retried and, when its purpose
fails, held for review. Saleor's rule (saleor/payment/lock_objects.py) is ours: the locks a
money path may take have names, and every path takes the ones it needs in this order,
skipping any it does not need, never taking an earlier one after a later one:

1. **balance owner** — the client row whose balance pays (`balance_owner_lock`, FOR NO KEY
   UPDATE: it must not wait for the rows that merely name the client — a callback's ledger
   entries take FOR KEY SHARE on it, after the payment): a payment from a balance (staff,
   the API, the payment page, the cabinet), and the checkout at the desk
   (`checkout.services._lock`: the participant's client row before the visit and the
   attendance — it spends the client's free balance, so it queues behind a balance payment);
2. **payment** — the provider payment the path may move (`payment_lock`): the callback
   locks it first of all (`payments.services.events._event_payment`), so a path that
   closes an open link (paying from the balance, taking the money at the desk instead)
   locks the link's payment before anything the callback's purpose locks after it;
3. **the purpose's object** — the booking, the invoice (`select_for_update`, or the
   conditional UPDATE that moves it);
4. **visit** — `schedule.services.occupancy.locked_visit`;
5. **attendance** — a participant's row (the checkout).

One path takes a lock late and must not wait for it: the checkout replacing an awaiting
link finds it under the visit's lock, so it takes the link's payment with NOWAIT
(`payment_lock_nowait`) — a lock that is never waited for cannot close a cycle.

A lock is held until the transaction ends, so taking the same one again later (the payment
moved by `payment_expire` after `payment_lock`) waits for nothing. The payment is found
through the object (a booking's `payment_id`) read before the object is locked: the caller
checks, under the object's lock, that it still points at the payment locked, and refuses
otherwise (`PaymentChanged`) rather than lock a payment out of order.

A path that moves such an object takes lock 2 and 3 with `locked_with_payment` (lock 1
too when it pays from the balance): paying a booking or an invoice from the balance, a staff
cancel or restore of a booking, archiving an invoice, and a visit's cancellation (the
prepayment app's `visit_status_locking`, which the schedule runs before it locks the visit).

What the callback takes, in order: its event's row (an insert), the payment, the purpose's
object, the visit (a prepayment's success), or the visit then the attendance (a checkout's).
docs/architecture.md ("Lock order of the money paths") lists each path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from django.db import OperationalError
from django.utils.translation import gettext as _

from zapys.clients.models import Client
from zapys.core.exceptions import Conflict
from zapys.payments.models import Payment

if TYPE_CHECKING:
    from zapys.accounts.models import Organization
    from zapys.core.tenancy import OrgOwned

Paid = TypeVar("Paid", bound="OrgOwned")


def balance_owner_lock(organization: Organization, client_id: int) -> None:
    """Lock 1: the client row whose balance is about to pay (inside the caller's
    transaction), before anything else: two payments from one balance (two tabs, two
    invoices) then run one after the other, and the second decides from what the first
    left.

    FOR NO KEY UPDATE, not FOR UPDATE: every row written with the client's id (a ledger
    entry, a receipt, a message) takes FOR KEY SHARE on the client row for its foreign key,
    and FOR UPDATE waits for those. A card payment's callback writes such rows after it has
    locked the payment, so a FOR UPDATE here, then waiting for that payment, made a cycle
    (PostgreSQL reported it: tests/test_lock_order.py). NO KEY UPDATE still queues two
    payers from one balance behind each other, and lets the rows that only name the client
    go by."""
    Client.objects.for_org(organization).select_for_update(no_key=True).filter(
        pk=client_id
    ).values_list("pk").first()


def payment_lock(organization: Organization, payment_id: int | None) -> int | None:
    """Lock 2: the payment row (a booking's or an invoice's open link), before the object
    it pays for. Returns the id locked (None: no payment, nothing locked)."""
    if payment_id is None:
        return None
    Payment.objects.for_org(organization).select_for_update().filter(pk=payment_id).values_list(
        "pk"
    ).first()
    return payment_id


class PaymentBusy(Conflict):
    """The payment is locked by another transaction (its callback is being applied)."""

    def __init__(self) -> None:
        super().__init__(
            _("The client is paying by the link right now: wait a moment and open it again.")
        )


def payment_lock_nowait(organization: Organization | int, payment_id: int) -> None:
    """Lock 2 taken after a later lock, the one way that cannot deadlock: without waiting.
    The checkout finds the link it replaces only under the visit's lock (a statement more
    on every checkout to find it first was not worth it: bench/checkout.py); if the link's
    callback holds the payment — and is about to wait for that visit — this gives up at once
    with `PaymentBusy` (nothing written; the callback settles the visit) instead of waiting
    in a cycle. Where the database has no row locks (SQLite serialises writers) it is a
    no-op."""
    try:
        Payment.objects.for_org(organization).select_for_update(nowait=True).filter(
            pk=payment_id
        ).values_list("pk").first()
    except OperationalError as exc:  # PostgreSQL: could not obtain lock (55P03)
        raise PaymentBusy() from exc


class PaymentChanged(Conflict):
    """The object got another payment between reading it and locking it (a new attempt
    after a declined card): nothing was written; the person tries again."""

    def __init__(self) -> None:
        super().__init__(_("This changed meanwhile: reload the page and try again."))


def payment_still_locked(locked_id: int | None, current_id: int | None) -> None:
    """Under the object's lock: it still points at the payment locked before it (or at
    none); else `PaymentChanged` (locking the new one now would be out of order)."""
    if current_id is not None and current_id != locked_id:
        raise PaymentChanged()


def locked_with_payment(
    model: type[Paid], obj: Paid, *, related: Iterable[str] = (), balance_owner: bool = False
) -> Paid:
    """The locks of a path that moves an object a provider payment pays for (a booking, an
    invoice), in the order above, inside the caller's transaction; returns the object's row
    as it is under its lock (with `related` loaded and the caller's organization).

    With `balance_owner` (paying it from the balance) the object's client row first (lock 1).
    Then the payment the object names *now* — read unlocked, since a new attempt after a
    declined card may have replaced the caller's — locked (lock 2), then the object's row
    (lock 3), and under it the check that it still names the payment locked
    (`PaymentChanged` otherwise). The visit, when the path needs it, comes after."""
    organization = obj.organization
    if balance_owner:
        balance_owner_lock(organization, obj.client_id)  # type: ignore[attr-defined]
    scoped = model.objects.for_org(organization)  # type: ignore[attr-defined]
    payment_id = scoped.filter(pk=obj.pk).values_list("payment_id", flat=True).first()
    locked_payment = payment_lock(organization, payment_id)
    locked: Paid = (
        scoped.select_for_update(of=("self",))  # the payment is an outer join
        .select_related(*related)
        .get(pk=obj.pk)
    )
    payment_still_locked(locked_payment, locked.payment_id)  # type: ignore[attr-defined]
    locked.organization = organization
    return locked
