"""What a client can pay now in this app (see `payments.payables`): open invoices within
their payment window, shown to the client they are for and to their payer. One query for
all the clients asked about. An invoice is paid from its client's balance (the attendee's:
`invoice_pay_from_balance` moves the money between that client's own accounts), whoever
pays it, so the payer's card offers the balance only when the client's covers the invoice."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zapys.core.exceptions import NotFound
from zapys.invoices.models import Invoice
from zapys.invoices.services import (
    OPEN,
    _end_of_day,
    invoice_balance_locks,
    invoice_pay_from_balance,
    local_today,
)
from zapys.payments.payables import BalancePaid, Payable, payables_declare

if TYPE_CHECKING:
    from zapys.accounts.models import Organization
    from zapys.core.audit import Actor


def invoice_title(invoice: Invoice) -> str:
    """ "Invoice INV-2026-00012: December", in the active language."""
    what = invoice.title_shown or invoice.comment
    if what:
        return _("Invoice %(number)s: %(what)s") % {"number": invoice.number, "what": what}
    return _("Invoice %(number)s") % {"number": invoice.number}


def open_invoices(
    organization: Organization, client_ids: Sequence[int]
) -> dict[int, list[Payable]]:
    """Awaiting or partly paid invoices payable today, per client: under the client the
    invoice is for and under its payer (a parent sees the child's invoice on their own card
    too). One query."""
    ids = list(client_ids)
    today = local_today(organization)
    rows = (
        Invoice.objects.for_org(organization)
        .filter(Q(client_id__in=ids) | Q(payer_id__in=ids), status__in=OPEN, pay_from__lte=today)
        .filter(Q(pay_until__isnull=True) | Q(pay_until__gte=today))
        .select_related("client")
        .order_by("pay_until", "created_at", "id")
    )
    wanted = set(ids)
    result: dict[int, list[Payable]] = {}
    for invoice in rows:
        payable = Payable(
            key="invoices",
            title=invoice_title(invoice),
            amount=invoice.due,
            pay_url=invoice.url,
            # The invoice's one due date (its page's «Сплатити до»), to the day's end.
            due_at=_end_of_day(organization, invoice.due_on) - timedelta(minutes=1),
            created_at=invoice.created_at,
            ref=str(invoice.pk),
            balance_client_id=invoice.client_id,
        )
        for client_id in {invoice.client_id, invoice.payer_id} & wanted:
            if client_id != invoice.client_id:
                # the payer's card (a mother's): whom the invoice is for (her daughter's),
                # as the invoice's own page says it («За кого»)
                payable = replace(
                    payable,
                    title=_("%(title)s (for %(name)s)")
                    % {"title": payable.title, "name": invoice.client.name},
                )
            result.setdefault(client_id, []).append(payable)
    return result


@transaction.atomic
def invoice_pay_from_cabinet(
    organization: Organization,
    ref: str,
    *,
    card_id: int,
    family_ids: Collection[int],
    actor: Actor,
) -> BalancePaid:
    """The cabinet's "Pay from the balance" (see `payments.payables.BalancePayer`): an
    invoice of the card's client or that the card's client pays, whose client the link may
    see, paid by `invoice_pay_from_balance` (the checkout's service) under its locks: the
    balance owner's, the invoice's payment's, the invoice's."""
    invoice = (
        Invoice.objects.for_org(organization)
        .filter(Q(client_id=card_id) | Q(payer_id=card_id), pk=int(ref))
        .first()
        if ref.isdigit()
        else None
    )
    if invoice is None or invoice.client_id not in family_ids:
        raise NotFound(_("This invoice cannot be paid from this page."))
    # the client's row, the invoice's payment, the invoice's row (payments/locks.py): the
    # locks `invoice_pay_from_balance` takes, in its order (taken again there: no wait)
    locked = invoice_balance_locks(invoice)
    title = invoice_title(locked)
    if locked.status == Invoice.Status.PAID:
        return BalancePaid(title=title, amount=0, balance_client_id=invoice.client_id, already=True)
    due = locked.due
    invoice_pay_from_balance(invoice=locked, actor=actor)
    return BalancePaid(title=title, amount=due, balance_client_id=invoice.client_id)


payables_declare("invoices", open_invoices, pay_from_balance=invoice_pay_from_cabinet)
