"""What a client can pay now in this app (see `payments.payables`): open invoices within
their payment window, shown to the client they are for and to their payer. One query for
all the clients asked about."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from zapys.invoices.models import Invoice
from zapys.invoices.services import OPEN, _end_of_day, local_today
from zapys.payments.payables import Payable, payables_declare

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


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
        .order_by("pay_until", "created_at", "id")
    )
    wanted = set(ids)
    result: dict[int, list[Payable]] = {}
    for invoice in rows:
        what = invoice.title or invoice.comment
        title = (
            _("Invoice %(number)s: %(what)s") % {"number": invoice.number, "what": what}
            if what
            else _("Invoice %(number)s") % {"number": invoice.number}
        )
        payable = Payable(
            key="invoices",
            title=title,
            amount=invoice.due,
            pay_url=invoice.url,
            # The window's last day is payable to its end; "pay by 31.12, 23:59" reads right.
            due_at=(_end_of_day(organization, invoice.pay_until) - timedelta(minutes=1))
            if invoice.pay_until
            else None,
            created_at=invoice.created_at,
        )
        for client_id in {invoice.client_id, invoice.payer_id} & wanted:
            result.setdefault(client_id, []).append(payable)
    return result


payables_declare("invoices", open_invoices)
