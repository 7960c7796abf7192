"""Audit trail written by services (rule 2: one service call, one transaction, one audit row)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.utils import timezone

from zapys.core.models import AuditLog
from zapys.core.stored_text import StoredText

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
        # No words in the label: it is stored once and read in any language; the audit log
        # puts the kind ("API key" / "API-ключ") before it (`audit_reading._actor`).
        return cls(AuditLog.ActorKind.API_KEY, f"«{key_name}» ({user.username})", user)

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
    if isinstance(value, StoredText):
        # System text (a reason, a schedule's rule): read in each reader's language
        # (`audit_reading`), with the text as written for the API and as the fallback.
        return {**value.stored(), "text": value.render()}
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
    entry = audit_row(
        organization=organization, actor=actor, action=action, obj=obj, changes=changes
    )
    entry.save(force_insert=True)
    return entry


def audit_row(
    *,
    organization: Organization,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditLog:
    """The row `audit_record` writes, unsaved: a service that writes many rows in one
    statement (the ledger's writer) inserts them together, exactly as informative."""
    return AuditLog(
        organization=organization,
        actor_kind=actor.kind,
        actor_user=actor.user,
        actor_label=actor.label[:200],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=_stored_description(obj),
        changes=_jsonable(changes or {}),
    )


def _stored_description(obj: models.Model | None) -> str:
    """What the row keeps to name its object once deleted: the page names a live object
    itself, in the reader's language (`core.audit_reading`). An object whose `__str__` reads
    relations (`str_related`) not loaded yet keeps "<Model> #<id>", the form the reader
    shows as "№<id>": a service writing its audit row must not pay a query per relation."""
    if obj is None:
        return ""
    if not all(_loaded(obj, path) for path in getattr(obj, "str_related", ())):
        return f"{type(obj).__name__} #{obj.pk}"
    return str(obj)[:300]


def _loaded(obj: models.Model, path: str) -> bool:
    """Whether `obj`'s relation `path` ("visit__service") is in memory, every step of it."""
    name, _sep, rest = path.partition("__")
    field = obj._meta.get_field(name)
    if not field.is_relation or not field.is_cached(obj):  # type: ignore[union-attr]
        return False
    related = getattr(obj, name)
    return related is None or not rest or _loaded(related, rest)


def audit_record_many(
    *,
    model: type[models.Model],
    ids: Iterable[int],
    actor: Actor,
    action: str,
    changes: dict[str, Any] | None = None,
) -> int:
    """One audit row per object of `model` in `ids`, written by the database in a single
    INSERT ... SELECT; returns how many.

    For set-based work (the deadline sweeps move thousands of rows per tick): building an
    AuditLog instance per row would cost more than the rows' own updates. Each row takes
    its organization from the object's table, so a batch spanning organizations is logged
    to each correctly. The repr is "<Model> #<id>" — str() would mean loading every object.
    """
    ids = list(ids)
    if not ids:
        return 0
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(column)
        for column in (
            "organization_id",
            "created_at",
            "actor_kind",
            "actor_user_id",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
        )
    )
    source = model._meta
    pk = quote(source.pk.column or "id")
    org_column = quote("organization_id")  # OrgOwned's column on every audited table
    placeholders = ", ".join(["%s"] * len(ids))
    # Identifiers are model metadata, quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(AuditLog._meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT {org_column}, %s, %s, %s, %s, %s, %s, "
        f"CAST({pk} AS TEXT), %s || CAST({pk} AS TEXT), %s "
        f"FROM {quote(source.db_table)} WHERE {pk} IN ({placeholders})"
    )
    created_at = AuditLog._meta.get_field("created_at")
    changes_field = AuditLog._meta.get_field("changes")
    assert isinstance(created_at, models.DateTimeField)
    assert isinstance(changes_field, models.JSONField)
    params = [
        created_at.get_db_prep_value(timezone.now(), connection),
        actor.kind,
        actor.user.pk if actor.user is not None else None,
        actor.label[:200],
        action,
        source.label_lower,
        f"{model.__name__} #",
        changes_field.get_db_prep_value(_jsonable(changes or {}), connection),
        *ids,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
