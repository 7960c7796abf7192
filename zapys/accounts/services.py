"""Writes for organizations, branches, staff and API keys."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.accounts.models import ApiKey, Branch, Organization, User
from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import DomainError, PermissionDenied
from zapys.core.iban import iban_compact
from zapys.core.tenancy import unscoped
from zapys.core.tokens import constant_time_equal, sha256_hex

API_KEY_PREFIX = "zk_"

ORGANIZATION_SETTINGS_FIELDS = (
    "name",
    "business_kind",
    "currency",
    "time_zone",
    "language",
    "legal_name",
    "tax_id",
    "iban",
    "bank_name",
    "address",
    "phone",
    "email",
    "offer_url",
)


@transaction.atomic
def organization_create(*, name: str, slug: str, actor: Actor, **fields: str) -> Organization:
    if Organization.objects.filter(slug=slug).exists():
        raise DomainError(_("An organization with this slug already exists."), field="slug")
    org = Organization.objects.create(name=name, slug=slug, **fields)
    audit_record(organization=org, actor=actor, action="organization.create", obj=org)
    return org


@transaction.atomic
def organization_update(*, organization: Organization, actor: Actor, **fields: str) -> Organization:
    if actor.user is not None and not actor.user.can_manage_settings():
        raise PermissionDenied(_("Only the owner can change the organization's settings."))
    unknown = set(fields) - set(ORGANIZATION_SETTINGS_FIELDS)
    if unknown:
        raise DomainError(_("Unknown settings: %s") % ", ".join(sorted(unknown)))
    if "iban" in fields:  # one spelling in the record, whatever was typed (core.iban)
        fields = {**fields, "iban": iban_compact(fields["iban"])}
    # Read "before" from the database: a ModelForm may already have mutated the instance.
    before = Organization.objects.filter(pk=organization.pk).values(*fields).get() if fields else {}
    for key, value in fields.items():
        setattr(organization, key, value)
    organization.full_clean()
    organization.save(update_fields=list(fields))
    audit_record(
        organization=organization,
        actor=actor,
        action="organization.update",
        obj=organization,
        changes=changes_between(before, fields),
    )
    return organization


@transaction.atomic
def branch_create(*, organization: Organization, name: str, actor: Actor, **fields: str) -> Branch:
    if not name.strip():
        raise DomainError(_("Enter the branch's name."), field="name")
    branch = Branch.objects.create(organization=organization, name=name.strip(), **fields)
    audit_record(organization=organization, actor=actor, action="branch.create", obj=branch)
    return branch


@transaction.atomic
def staff_create(
    *,
    organization: Organization,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    branches: list[Branch] | None = None,
    hourly_rate: int = 0,
    actor: Actor,
    **fields: str,
) -> User:
    if role not in User.Role.values:
        raise DomainError(_("Unknown role %r.") % role, field="role")
    with unscoped():  # logins are unique across all organizations
        taken = User.objects.filter(username=username).exists()
    if taken:
        raise DomainError(_("This login is taken."), field="username")
    if hourly_rate < 0:
        raise DomainError(_("The hourly rate cannot be negative."), field="hourly_rate")
    user = User(
        organization=organization,
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        hourly_rate=hourly_rate,
        **fields,
    )
    user.set_password(password)
    user.save()
    if branches:
        user.branches.set(branches)
    audit_record(organization=organization, actor=actor, action="staff.create", obj=user)
    return user


def _hash_key(key: str) -> str:
    return sha256_hex(key)


@transaction.atomic
def apikey_create(*, user: User, name: str = "API key", actor: Actor) -> tuple[ApiKey, str]:
    """Create a key and return it with its plain text, which is never stored or shown again."""
    if user.organization is None:
        raise DomainError(_("Only staff of an organization can have API keys."))
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    plain = f"{API_KEY_PREFIX}{prefix}_{secret}"
    key = ApiKey.objects.for_org(user.organization).create(
        organization=user.organization,
        user=user,
        name=name,
        prefix=prefix,
        key_hash=_hash_key(plain),
    )
    audit_record(organization=user.organization, actor=actor, action="apikey.create", obj=key)
    return key, plain


@transaction.atomic
def apikey_revoke(*, key: ApiKey, actor: Actor) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(organization=key.organization, actor=actor, action="apikey.revoke", obj=key)
    return key


# Updating last_used_at on every request would turn every read into a write;
# once a minute is precise enough for "when was this key last used".
LAST_USED_GRANULARITY = timedelta(minutes=1)


def apikey_authenticate(plain: str) -> ApiKey | None:
    """The active key matching `plain`, or None. Lookup by prefix, compare hashes in constant time."""
    if not plain.startswith(API_KEY_PREFIX):
        return None
    prefix, _, _secret = plain[len(API_KEY_PREFIX) :].partition("_")
    with unscoped():  # the key is what tells us the organization
        key = (
            ApiKey.objects.select_related("user", "user__organization", "organization")
            .filter(prefix=prefix, revoked_at__isnull=True)
            .first()
        )
    if key is None or not constant_time_equal(key.key_hash, _hash_key(plain)):
        return None
    if not key.user.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
        ApiKey.objects.for_org(key.organization).filter(pk=key.pk).update(last_used_at=now)
    return key


@transaction.atomic
def staff_update(
    *,
    user: User,
    actor: Actor,
    branches: list[Branch] | None = None,
    password: str | None = None,
    **fields: object,
) -> User:
    """Change a staff member's card, role, branches or password (owner only)."""
    if actor.user is not None and not actor.user.can_manage_settings():
        raise PermissionDenied(_("Only the owner can manage staff."))
    allowed = {
        "first_name",
        "last_name",
        "role",
        "phone",
        "position",
        "hourly_rate",
        "is_active",
        "email",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    if "role" in fields and fields["role"] not in User.Role.values:
        raise DomainError(_("Unknown role."), field="role")
    if int(fields.get("hourly_rate", 0) or 0) < 0:  # type: ignore[call-overload]
        raise DomainError(_("The hourly rate cannot be negative."), field="hourly_rate")
    if (
        actor.user is not None
        and actor.user.pk == user.pk
        and (fields.get("role", user.role) != User.Role.OWNER or fields.get("is_active") is False)
    ):
        raise DomainError(
            _("You cannot take away your own owner role or deactivate yourself."), field="role"
        )
    before = User.objects.filter(pk=user.pk).values(*fields).get() if fields else {}
    for key, value in fields.items():
        setattr(user, key, value)
    if password:
        user.set_password(password)
    user.save()
    changes = changes_between(before, fields)
    if branches is not None:
        old = sorted(user.branches.values_list("id", flat=True))
        user.branches.set(branches)
        new = sorted(b.pk for b in branches)
        if old != new:
            changes["branches"] = [old, new]
    if password:
        changes["password"] = ["•", "changed"]
    assert user.organization is not None  # staff always belong to an organization
    audit_record(
        organization=user.organization,
        actor=actor,
        action="staff.update",
        obj=user,
        changes=changes,
    )
    return user


@transaction.atomic
def branch_update(*, branch: Branch, actor: Actor, **fields: object) -> Branch:
    if actor.user is not None and not actor.user.can_manage_settings():
        raise PermissionDenied(_("Only the owner can manage branches."))
    if "name" in fields and not str(fields["name"]).strip():
        raise DomainError(_("Enter the branch's name."), field="name")
    before = Branch.objects.filter(pk=branch.pk).values(*fields).get() if fields else {}
    for key, value in fields.items():
        setattr(branch, key, value)
    branch.save()
    audit_record(
        organization=branch.organization,
        actor=actor,
        action="branch.update",
        obj=branch,
        changes=changes_between(before, fields),
    )
    return branch
