"""Calls into the memberships, ledger and clients apps, behind one seam.

Those apps are built in parallel with this one; each call imports the agreed contract
(see the project's contracts) lazily. Attendance charges need the memberships/ledger
contract: when a module is missing, consumption finds no membership and a balance
charge is refused with a clear error rather than silently skipped.
"""

from __future__ import annotations

import importlib
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import DomainError

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization
    from zapys.clients.models import Client


def _module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


def membership_consume_visit(
    *,
    client: Client,
    on_date: date,
    actor: Actor,
    cause: models.Model,
    service: Any = None,
    group: Any = None,
) -> Any | None:
    """The membership that paid for this visit (one visit consumed), or None."""
    services = _module("zapys.memberships.services")
    if services is None or not hasattr(services, "membership_consume_visit"):
        return None
    return services.membership_consume_visit(
        client=client, on_date=on_date, actor=actor, cause=cause, service=service, group=group
    )


def membership_return_visit(*, cause: models.Model, actor: Actor) -> Any | None:
    services = _module("zapys.memberships.services")
    if services is None or not hasattr(services, "membership_return_visit"):
        return None
    return services.membership_return_visit(cause=cause, actor=actor)


def service_charge(
    *, client: Client, amount: int, actor: Actor, cause: models.Model, branch: Branch, comment: str
) -> Any:
    """A credit entry (a charge) for a service delivered."""
    services = _module("zapys.ledger.services")
    if services is None or not hasattr(services, "entry_create"):
        raise DomainError(_("The ledger is not available: the visit cannot be charged."))
    return services.entry_create(
        client=client,
        kind="credit",
        amount=amount,
        purpose="service",
        actor=actor,
        cause=cause,
        comment=comment,
        branch=branch,
    )


def service_charge_cancel(*, entry_id: int, actor: Actor, reason: str) -> None:
    models_mod = _module("zapys.ledger.models")
    services = _module("zapys.ledger.services")
    if models_mod is None or services is None:
        raise DomainError(_("The ledger is not available: the charge cannot be cancelled."))
    entry = models_mod.Entry.objects.filter(pk=entry_id).first()
    if entry is None or getattr(entry, "status", "") == "cancelled":
        return
    services.entry_cancel(entry=entry, actor=actor, reason=reason)


def client_find_or_create(
    *, organization: Organization, name: str, phone: str, actor: Actor
) -> tuple[Client, bool]:
    """The client with this E.164 phone, else a new one (through the clients service
    when it exists)."""
    from zapys.clients.models import Client

    qs = Client.objects.for_org(organization).filter(phone=phone)
    if hasattr(Client, "deleted_at"):
        qs = qs.filter(deleted_at__isnull=True)
    existing = qs.order_by("id").first()
    if existing is not None:
        return existing, False
    services = _module("zapys.clients.services")
    if services is not None and hasattr(services, "client_create"):
        return services.client_create(
            organization=organization, name=name, phone=phone, actor=actor
        ), True
    client = Client.objects.for_org(organization).create(
        organization=organization, name=name, phone=phone
    )
    audit_record(organization=organization, actor=actor, action="client.create", obj=client)
    return client, True
