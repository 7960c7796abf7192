"""The two legitimate ways ledger rows disappear: a whole organization is deleted (an
operator's `demo --reset`, a closed account) or a test database is flushed.

The database trigger (migration 0002) rejects DELETE on ledger_entry unless
`ledger_erase_permit` holds the organization's id (or 0 = every organization). The permit is
written inside the same transaction as the deletion, so it never outlives it.
These hooks are infrastructure, not business logic: nothing else may delete entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections, transaction

ALL_ORGANIZATIONS = 0


def _grant(using: str, organization_id: int) -> None:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "DELETE FROM ledger_erase_permit WHERE organization_id = %s", [organization_id]
        )
        cursor.execute(
            "INSERT INTO ledger_erase_permit (organization_id) VALUES (%s)", [organization_id]
        )


def _revoke(using: str, organization_id: int) -> None:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "DELETE FROM ledger_erase_permit WHERE organization_id = %s", [organization_id]
        )


def _table_exists(using: str) -> bool:
    return "ledger_erase_permit" in connections[using].introspection.table_names()


def on_organization_pre_delete(sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
    if _table_exists(using):
        _grant(using, instance.pk)


def on_organization_post_delete(sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
    if _table_exists(using):
        _revoke(using, instance.pk)


@contextmanager
def erase_everything(using: str = "default") -> Iterator[None]:
    """Allow deleting every ledger row for the duration of the block (database flush)."""
    exists = _table_exists(using)
    if exists:
        with transaction.atomic(using=using):
            _grant(using, ALL_ORGANIZATIONS)
    try:
        yield
    finally:
        if exists and _table_exists(using):
            with transaction.atomic(using=using):
                _revoke(using, ALL_ORGANIZATIONS)
