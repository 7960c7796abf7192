"""Payment accounts: the organization's provider credentials (stored encrypted, never shown
back) and which one is the default."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import DomainError
from zapys.payments.models import PaymentAccount

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


#: Fields each provider needs: (name, required, secret). Secrets are never shown back.
CREDENTIAL_FIELDS: dict[str, list[tuple[str, bool, bool]]] = {
    "liqpay": [("public_key", True, False), ("private_key", True, True)],
    "wayforpay": [
        ("merchant_account", True, False),
        ("secret_key", True, True),
        ("merchant_domain", True, False),
    ],
    "sandbox": [],
}


ACCOUNT_KEY_FIELD = {"liqpay": "public_key", "wayforpay": "merchant_account"}


def _clean_credentials(provider: str, data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    if provider not in CREDENTIAL_FIELDS:
        raise DomainError(_("Unknown payment service."), field="provider")
    cleaned: dict[str, Any] = {}
    errors = []
    for name, required, _secret in CREDENTIAL_FIELDS[provider]:
        value = str(data.get(name) or "").strip()
        if value:
            cleaned[name] = value
        elif required and not partial:
            errors.append({"field": name, "message": _("This field is required.")})
    if errors:
        raise DomainError(_("Some required fields are missing."), errors=errors)
    if provider == "liqpay" and "sandbox" in data:
        cleaned["sandbox"] = bool(data.get("sandbox"))
    return cleaned


def _make_default(account: PaymentAccount) -> None:
    PaymentAccount.objects.for_org(account.organization).filter(is_default=True).exclude(
        pk=account.pk
    ).update(is_default=False)


@transaction.atomic
def payment_account_create(
    *,
    organization: Organization,
    provider: str,
    credentials: dict[str, Any],
    actor: Actor,
    name: str = "",
    is_default: bool | None = None,
) -> PaymentAccount:
    """Add a provider account. The first active account becomes the default."""
    cleaned = _clean_credentials(provider, credentials, partial=False)
    account = PaymentAccount(organization=organization, provider=provider)
    if provider == "sandbox":
        cleaned = {"account": account.public_id, "secret": secrets.token_hex(16)}
    account.name = (name or "").strip()[:100] or str(PaymentAccount.Provider(provider).label)
    account.account_key = str(cleaned.get(ACCOUNT_KEY_FIELD.get(provider, ""), ""))[:200]
    account.set_credentials(cleaned)
    has_default = PaymentAccount.objects.for_org(organization).filter(
        is_default=True, is_active=True
    )
    account.is_default = bool(is_default) or (is_default is None and not has_default.exists())
    if account.is_default:
        PaymentAccount.objects.for_org(organization).filter(is_default=True).update(
            is_default=False
        )
    account.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="payment_account.create",
        obj=account,
        changes={"provider": [None, provider], "is_default": [None, account.is_default]},
    )
    return account


@transaction.atomic
def payment_account_update(
    *,
    account: PaymentAccount,
    actor: Actor,
    name: str | None = None,
    credentials: dict[str, Any] | None = None,
    is_default: bool | None = None,
    is_active: bool | None = None,
) -> PaymentAccount:
    """Change an account. Blank secret fields keep the stored value."""
    before = {"name": account.name, "is_default": account.is_default, "active": account.is_active}
    changes: dict[str, Any] = {}
    if name is not None and name.strip():
        account.name = name.strip()[:100]
    if credentials and account.provider != "sandbox":
        merged = {
            **account.credentials,
            **_clean_credentials(account.provider, credentials, partial=True),
        }
        account.set_credentials(merged)
        account.account_key = str(merged.get(ACCOUNT_KEY_FIELD[account.provider], ""))[:200]
        changes["credentials"] = ["…", "changed"]
    if is_active is not None:
        account.is_active = is_active
        if not is_active:
            account.is_default = False
    if is_default is not None:
        if is_default and not account.is_active:
            raise DomainError(_("An inactive account cannot be the default."), field="is_default")
        account.is_default = is_default
    if account.is_default:
        _make_default(account)
    account.save()
    after = {"name": account.name, "is_default": account.is_default, "active": account.is_active}

    audit_record(
        organization=account.organization,
        actor=actor,
        action="payment_account.update",
        obj=account,
        changes={**changes_between(before, after), **changes},
    )
    return account
