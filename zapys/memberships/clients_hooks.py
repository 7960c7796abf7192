"""What memberships do when a client is frozen (see `clients.hooks`): each membership valid on
frozen days is extended by them, and gives them back when the freeze ends early or is
cancelled."""

from __future__ import annotations

from zapys.clients.hooks import on_client_frozen, on_client_unfrozen
from zapys.clients.models import Client, ClientFreeze
from zapys.core.audit import Actor
from zapys.memberships import services


@on_client_frozen
def memberships_extend(*, client: Client, freeze: ClientFreeze, actor: Actor, reason: str) -> int:
    return services.membership_freeze_extend(
        client=client, freeze=freeze, actor=actor, reason=reason
    )


@on_client_unfrozen
def memberships_release(*, client: Client, freeze: ClientFreeze, actor: Actor, reason: str) -> int:
    return services.membership_freeze_release(
        client=client, freeze=freeze, actor=actor, reason=reason
    )
