"""Plain multi-row INSERTs for the ledger's writer (`ledger/writer.py`), the money path.

Why not `Model.save()` / `bulk_create` here: the checkout writes a dozen one-row statements
per visit, and building and compiling a query costs more CPU than the database spends on
it (bench/checkout.py; the same finding as `payments/sql.py` for callbacks, which this
follows — the ledger sits below payments and may not import it). The statements are still
derived from the models: table and column names from `_meta`, values through each field's
`pre_save` + `get_db_prep_save` (defaults and `auto_now_add` included), the text built once
per process, model and row count. They run through Django's connection, so transactions,
error translation (IntegrityError...) and `CaptureQueriesContext` see them like any query.

Only the primitive lives here; what to write, and in which transaction, is `writer.py`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

# Statement text and the columns it writes, per (database vendor, model, rows).
_statements: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}


def _insert_statement(conn: Any, model: type[models.Model], rows: int) -> tuple[str, list[Any]]:
    key = (conn.vendor, model, rows)
    if key not in _statements:
        qn = conn.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        pk = model._meta.pk
        assert pk is not None
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"  # noqa: S608 - quoted identifiers from _meta; values are parameters
            f" VALUES {', '.join([one] * rows)} RETURNING {qn(pk.column)}"
        )
        _statements[key] = (sql, fields)
    return _statements[key]


def _link_saved_relations(obj: models.Model) -> None:
    """A foreign key assigned an object that was unsaved then (an entry written in the same
    batch, earlier) takes that object's primary key now, as `Model.save()` would."""
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.is_cached(obj):
            related = field.get_cached_value(obj)
            if related is not None and getattr(obj, field.attname) is None:
                if related.pk is None:
                    raise ValueError(f"{type(obj).__name__}.{field.name} is not saved yet")
                setattr(obj, field.attname, related.pk)


def insert_many(objs: Sequence[models.Model]) -> None:
    """INSERT the unsaved `objs` (all of one model) in ONE statement and set their primary
    keys, in order (PostgreSQL and SQLite return the rows of a multi-row VALUES in order;
    Django's bulk_create relies on the same). No signals, no `save()`: the ledger's models
    have none that matter for an insert (Entry.save only refuses updates)."""
    if not objs:
        return
    conn = connections[DEFAULT_DB_ALIAS]
    model = type(objs[0])
    sql, fields = _insert_statement(conn, model, len(objs))
    params: list[Any] = []
    for obj in objs:
        assert type(obj) is model and obj.pk is None, "insert_many takes new rows of one model"
        _link_saved_relations(obj)
        params += [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) != len(objs):  # pragma: no cover - the database broke its promise
        raise RuntimeError(f"{model.__name__}: {len(objs)} rows inserted, {len(ids)} ids back")
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = conn.alias
