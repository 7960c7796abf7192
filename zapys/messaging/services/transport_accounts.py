"""Transport accounts: the organization's SMS, e-mail and messenger provider accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.crypto import decrypt_json, encrypt_json
from zapys.core.exceptions import DomainError
from zapys.messaging.credentials import CODES_FOR_CHANNEL, fields_for
from zapys.messaging.events import CHANNELS
from zapys.messaging.models import TransportAccount
from zapys.messaging.transports import TransportError, get_transport

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


@transaction.atomic
def transport_account_save(
    *,
    organization: Organization,
    actor: Actor,
    channel: str,
    code: str,
    credentials: dict[str, str],
    account: TransportAccount | None = None,
    name: str = "",
    base_url: str = "",
    is_active: bool = True,
    priority: int = 10,
    max_per_second: int | None = None,
) -> TransportAccount:
    """Create or update an account. Empty secret fields on edit keep the stored value."""
    if channel not in CHANNELS:
        raise DomainError(_("Unknown channel."), field="channel")
    if code not in CODES_FOR_CHANNEL[channel]:
        raise DomainError(_("This provider cannot send this channel."), field="code")
    stored = decrypt_json(account.credentials_encrypted) if account is not None else {}
    merged: dict[str, str] = {}
    for field in fields_for(code):
        value = str(credentials.get(field.key) or "").strip()
        if not value and field.secret and account is not None and account.code == code:
            value = str(stored.get(field.key) or "")
        if field.required and not value:
            raise DomainError(_("This field is required."), field=field.key)
        if value:
            merged[field.key] = value
    try:
        get_transport(code, merged, base_url=base_url or None)
    except TransportError as exc:
        raise DomainError(str(exc), field="code") from exc
    before: dict[str, Any] = {}
    if account is None:
        account = TransportAccount(organization=organization)
    else:
        before = {
            "channel": account.channel,
            "code": account.code,
            "name": account.name,
            "base_url": account.base_url,
            "is_active": account.is_active,
            "priority": account.priority,
            "max_per_second": account.max_per_second,
        }
    if max_per_second is not None and not 0 <= max_per_second <= 1000:
        raise DomainError(_("Enter a number from 0 to 1000."), field="max_per_second")
    after: dict[str, Any] = {
        "channel": channel,
        "code": code,
        "name": name.strip(),
        "base_url": base_url.strip(),
        "is_active": is_active,
        "priority": priority,
        "max_per_second": (
            max_per_second
            if max_per_second is not None
            else (account.max_per_second if before else 0)
        ),
    }
    for attr, new_value in after.items():
        setattr(account, attr, new_value)
    account.credentials_encrypted = encrypt_json(merged)
    account.save()
    changes = changes_between(before, after)
    changes["credentials"] = ["***", "***"]  # that they were saved, never what they are
    audit_record(
        organization=organization,
        actor=actor,
        action="transport_account.update" if before else "transport_account.create",
        obj=account,
        changes=changes,
    )
    return account


@transaction.atomic
def transport_account_delete(*, account: TransportAccount, actor: Actor) -> None:
    audit_record(
        organization=account.organization,
        actor=actor,
        action="transport_account.delete",
        obj=account,
    )
    account.delete()
