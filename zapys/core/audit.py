"""Audit trail written by services (rule 2: one service call, one transaction, one audit row)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

from zapys.core.models import AuditLog

if TYPE_CHECKING:
    from zapys.accounts.models import Organization, User


@dataclass(frozen=True)
class Actor:
    """Who did it. Services take an Actor so the audit row can name them."""

    kind: str
    label: str
    user: User | None = None

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(AuditLog.ActorKind.STAFF, user.get_full_name() or user.username, user)

    @classmethod
    def api_key(cls, user: User, key_name: str) -> Actor:
        return cls(AuditLog.ActorKind.API_KEY, f"API key «{key_name}» of {user.username}", user)

    @classmethod
    def client_link(cls, label: str = "client") -> Actor:
        return cls(AuditLog.ActorKind.CLIENT_LINK, label)

    @classmethod
    def provider(cls, code: str) -> Actor:
        return cls(AuditLog.ActorKind.PROVIDER, code)

    @classmethod
    def scheduler(cls, job: str = "scheduler") -> Actor:
        return cls(AuditLog.ActorKind.SCHEDULER, job)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(AuditLog.ActorKind.SYSTEM, label)


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{"field": [old, new]} for the fields whose value differs."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def audit_record(
    *,
    organization: Organization,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditLog:
    entry = AuditLog(
        organization=organization,
        actor_kind=actor.kind,
        actor_user=actor.user,
        actor_label=actor.label[:200],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        changes=_jsonable(changes or {}),
    )
    entry.save(force_insert=True)
    return entry
