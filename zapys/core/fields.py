"""Model fields with a meaning the column type does not carry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models


class MoneyField(models.BigIntegerField):
    """An amount of money in kopecks (integer; DESIGN rule: never float).

    The column is a plain bigint, and the migrations say so: `deconstruct` names
    BigIntegerField, so making an existing column a MoneyField changes no table (a new
    field class in a migration would make SQLite rebuild the table). What the class adds
    is knowledge for readers that only see a field and a number — the audit log, exports —
    that the number is kopecks and is shown as money ("50,00 грн", never "5000").
    """

    is_money = True

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.BigIntegerField", args, kwargs


def is_money_field(field: object) -> bool:
    return getattr(field, "is_money", False) is True
