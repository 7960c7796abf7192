"""What invoices plug into the clients app (see `clients.hooks`): a payer's cabinet link
also shows the cards of the clients they pay for (X6: a parent with another phone), and the
clients API reads and sets `payer_id` through `clients.payers`."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from zapys.accounts.models import Organization
from zapys.clients.cabinet import cabinet_family_declare
from zapys.clients.models import Client
from zapys.clients.payers import PayerProvider, payer_provider_declare
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.invoices.models import ClientPayer
from zapys.invoices.services import client_payer_set


def paid_for(client: Client) -> Q:
    """The clients whose payer this client is (a subquery: the family stays one query)."""
    return Q(
        pk__in=ClientPayer.objects.for_org(client.organization)
        .filter(payer=client)
        .values("client_id")
    )


def payers_for(organization: Organization, client_ids: list[int]) -> dict[int, int]:
    """{client id: payer id} of the organization's clients that have one, one query."""
    return dict(
        ClientPayer.objects.for_org(organization)
        .filter(client_id__in=client_ids)
        .values_list("client_id", "payer_id")
    )


def payer_set(*, client: Client, payer_id: int | None, actor: Actor, field: str) -> None:
    """The clients API's `payer_id`: the payer looked up in the client's organization (an id
    of another organization is as unknown as one that never existed), then the same rules as
    the invoice form (`client_payer_set`), refused as a 422 field error."""
    payer = None
    if payer_id is not None:
        payer = (
            Client.objects.for_org(client.organization)
            .filter(pk=payer_id, deleted_at__isnull=True)
            .first()
        )
        if payer is None:
            raise DomainError(_("This payer is not available."), field=field, status=422)
    client_payer_set(client=client, payer=payer, actor=actor, field=field, status=422)


cabinet_family_declare("invoices", paid_for)
payer_provider_declare(PayerProvider(payers_for=payers_for, payer_set=payer_set))
