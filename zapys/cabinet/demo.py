"""Demo: every client's cabinet link works as soon as the client exists; this makes one of
them worth opening — the client with something to pay (a booking awaiting its prepayment or
an invoice) gets a family member on the same phone, so the page shows the switcher too.
The README tour opens it from that client's card ("Client's page")."""

from __future__ import annotations

from zapys.clients.models import Client
from zapys.clients.services import client_create
from zapys.core.demo import DemoContext
from zapys.payments.payables import payables_for_clients


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    clients = [
        client
        for client in ctx.data.get("clients") or []
        if client.client_type == Client.Type.INDIVIDUAL and client.phone and not client.is_deleted
    ]
    if not clients:
        return
    payables = payables_for_clients(org, [client.pk for client in clients])
    chosen = max(clients, key=lambda client: (len(payables[client.pk]), -client.pk))
    surname = chosen.name.split()[0]
    child = client_create(
        organization=org,
        name=f"{surname} Софія",
        phone=chosen.phone,
        note="Донька; записує та платить мама (один номер телефону).",
        actor=ctx.actor,
    )
    ctx.data["cabinet_client"] = chosen
    ctx.data["cabinet_family"] = [chosen, child]
