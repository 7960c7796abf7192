"""The client's cabinet link (K1) as the lower layers see it: finding the client a link
belongs to, and the family the link may see (one phone; or a payer and whom they pay for). The cabinet's page (zapys/cabinet) and the
public entry points of purpose apps (a top-up from the cabinet) share these, so the rule of
who may see and pay for whom is written once.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from zapys.clients import hooks
from zapys.clients.models import Client
from zapys.core.tenancy import unscoped
from zapys.core.tokens import constant_time_equal

#: Who else a client's link may see besides the clients on its phone: `provider(client) -> Q`
#: on `Client` (a subquery, so the family stays one query). Declared in an app's
#: `clients_hooks.py` (invoices: the clients this one pays for, X6).
FamilyProvider = Callable[[Client], Q]
_family_providers: dict[str, FamilyProvider] = {}


def cabinet_family_declare(key: str, provider: FamilyProvider) -> FamilyProvider:
    _family_providers[key] = provider
    return provider


#: The family switcher (clients sharing one phone): a bound, not a realistic number.
FAMILY_LIMIT = 10
#: Tokens are `core.tokens.new_public_token` (32 characters); the column holds 64.
MAX_TOKEN_LENGTH = 64


def client_by_cabinet_token(token: str) -> Client | None:
    """The alive client whose cabinet link this is, with their organization (one query), or
    None: an unknown token, a regenerated one (the old link) or a deleted client."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    with unscoped():
        client = (
            Client.objects.select_related("organization")
            .filter(cabinet_token=token, deleted_at__isnull=True)
            .first()
        )
    # The unique index found it; compare in constant time anyway, so a case-insensitive
    # collation could never turn a near miss into a hit.
    if client is None or not constant_time_equal(client.cabinet_token, token):
        return None
    return client


def cabinet_family(client: Client) -> list[Client]:
    """The clients a cabinet link may see: its own client first, then the organization's
    other alive clients with the same phone (a parent and the children) and those the
    declared providers add (the clients this one pays for), by name. One query; a client
    without a phone and without such clients sees only their own card."""
    hooks._discover()
    wanted = Q(phone=client.phone) if client.phone else Q()
    for key in sorted(_family_providers):
        wanted |= _family_providers[key](client)
    if not wanted:
        return [client]
    others = list(
        Client.objects.for_org(client.organization)
        .alive()
        .filter(wanted)
        .exclude(pk=client.pk)
        .order_by("name", "id")[: FAMILY_LIMIT - 1]
    )
    for other in others:
        other.organization = client.organization
    return [client, *others]


def cabinet_member(family: list[Client], card_id: object) -> Client | None:
    """The family member a cabinet page asks for (`card_id` as the page sent it; empty: the
    link's own client), or None when the link may not see that client."""
    if card_id in (None, ""):
        return family[0]
    try:
        wanted = int(str(card_id))
    except ValueError:
        return None
    return next((member for member in family if member.pk == wanted), None)
