"""Checks every ledger write shares: amounts, causes, one organization, the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError

# 10 million UAH in one entry is surely a typo; it also keeps sums far from 2^63.
MAX_AMOUNT = 1_000_000_000


def validate_amount(amount: Any, *, field: str = "amount") -> int:
    """A positive whole number of kopecks; anything else is a field error (never rounded)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise DomainError(_("The amount must be a whole number of kopecks."), field=field)
    if amount <= 0:
        raise DomainError(_("The amount must be greater than zero."), field=field)
    if amount > MAX_AMOUNT:
        raise DomainError(_("The amount is too large."), field=field)
    return amount


def cause_fields(cause: Model | None) -> tuple[str, str]:
    if cause is None:
        return "", ""
    if cause.pk is None:
        raise DomainError(_("The cause of an entry must be saved first."))
    return cause._meta.label_lower, str(cause.pk)


def check_same_org(organization_id: int, *objs: Any) -> None:
    for obj in objs:
        if obj is not None and getattr(obj, "organization_id", organization_id) != organization_id:
            raise DomainError(_("An object of another organization was given."))


def actor_user_id(actor: Actor) -> int | None:
    return actor.user.pk if actor.user is not None else None
