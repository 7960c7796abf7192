"""What memberships plug into the ledger (see `ledger.hooks`): the article sales are recorded
under, and what follows when a sale's entry is cancelled."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from zapys.core.audit import Actor
from zapys.ledger.hooks import finance_article_declare, on_entry_cancelled
from zapys.ledger.models import Entry
from zapys.memberships.models import ClientMembership
from zapys.memberships.services import membership_sale_entry_cancelled

finance_article_declare("membership_sales", kind="income", label=gettext_lazy("Membership sales"))


@on_entry_cancelled("memberships.clientmembership")
def sale_entry_cancelled(entry: Entry, actor: Actor, reason: str) -> dict[str, Any]:
    membership = (
        ClientMembership.objects.for_org(entry.organization_id)
        .select_related("organization")
        .filter(pk=entry.cause_id)
        .first()
    )
    if membership is None:
        return {}
    return membership_sale_entry_cancelled(
        membership=membership, entry=entry, actor=actor, reason=reason
    )
