"""Demo: every client's cabinet link works as soon as the client exists; this makes one of
them worth opening — the family's mother (`clients/demo.py`): her daughter shares her phone
and she pays the daughter's stretching invoice, so her page shows the family switcher and
the daughter's invoice under "to pay", both under the daughter's one name. Without that
family (a demo made otherwise), the client with most to pay is chosen.
The README tour opens it from that client's card ("Client's page")."""

from __future__ import annotations

from zapys.clients.models import Client
from zapys.core.demo import DemoContext
from zapys.payments.payables import payables_for_clients


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    family = ctx.data.get("family")
    if family:
        ctx.data["cabinet_client"] = family[0]
        ctx.data["cabinet_family"] = list(family)
        return
    clients = [
        client
        for client in ctx.data.get("clients") or []
        if client.client_type == Client.Type.INDIVIDUAL and client.phone and not client.is_deleted
    ]
    if not clients:
        return
    payables = payables_for_clients(org, [client.pk for client in clients])
    ctx.data["cabinet_client"] = max(
        clients, key=lambda client: (len(payables[client.pk]), -client.pk)
    )
