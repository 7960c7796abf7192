"""The client's fiscal receipts as links (see `ledger.receipt_links`): done receipts with
their page, for the client's cabinet. One query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from zapys.fiscal.models import FiscalReceipt
from zapys.ledger.receipt_links import ReceiptLink, receipt_links_declare

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


def fiscal_links(organization: Organization, client_id: int, limit: int) -> list[ReceiptLink]:
    rows = (
        FiscalReceipt.objects.for_org(organization)
        .filter(client_id=client_id, status=FiscalReceipt.Status.DONE)
        .exclude(check_url="", tax_url="")
        .order_by("-created_at", "-id")[:limit]
    )
    links = []
    for receipt in rows:
        kind = _("sale") if receipt.kind == FiscalReceipt.Kind.SELL else _("return")
        links.append(
            ReceiptLink(
                title=_("Fiscal receipt #%(code)s, %(kind)s")
                % {"code": receipt.fiscal_code or receipt.pk, "kind": kind},
                amount=receipt.amount,
                url=receipt.check_url or receipt.tax_url,
                created_at=receipt.created_at,
            )
        )
    return links


receipt_links_declare("fiscal", fiscal_links)
