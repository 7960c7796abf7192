"""Plain SQL for the provider-callback path (DESIGN rule 6), the busiest write path.

Why not QuerySets here: building and compiling a query costs more CPU than running
these one-row statements (0.3–1 ms per statement on the 2-core development machine,
see bench/callbacks.py), and a callback makes six of them. The statements are still
derived from the models — table and column names from `_meta`, values through each
field's `get_db_prep_save`/`get_db_prep_value`, results through the converters the ORM
applies — and their text is built once per process and shape, so they follow the models
(a new column is written with its default, a renamed one follows) and behave the same
on SQLite and PostgreSQL. They run through Django's connection: transactions, error
translation (IntegrityError...), query logging and `CaptureQueriesContext` see them like
any other query.

Only primitives live here; what to write, when and in which transaction is decided in
`services.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models

try:
    import psycopg
except ImportError:  # pragma: no cover - SQLite-only installs
    psycopg = None  # type: ignore[assignment]

M = TypeVar("M", bound=models.Model)

Converter = Callable[[Any, Any, Any], Any]

# Statement text and per-column plans, per (kind, database vendor, model, shape).
_statements: dict[tuple[Any, ...], Any] = {}


def _connection() -> Any:
    # `django.db.connection` is a proxy that looks the connection up on every attribute
    # access; one lookup per statement is enough.
    return connections[DEFAULT_DB_ALIAS]


@contextmanager
def _cursor(conn: Any) -> Iterator[Any]:
    """On PostgreSQL, a cursor with server-side parameter binding (Django's own cursors
    interpolate the parameters into the SQL text in Python), so that psycopg can also
    prepare these statements when the connection allows it (`prepare_threshold`, see
    DATABASE_PREPARE_THRESHOLD in zapys/settings.py). It is kept for the connection's
    lifetime: psycopg caches how to send each parameter type per cursor. Wrapped like
    Django's cursors, so errors become django.db errors. When queries are being logged
    (DEBUG, the tests' CaptureQueriesContext) Django's own cursor is used, since a
    prepared statement's text cannot be read back for the log; the statements are the
    same."""
    if conn.vendor != "postgresql" or conn.queries_logged:
        with conn.cursor() as cursor:
            yield cursor
        return
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    conn.validate_thread_sharing()
    kept = getattr(conn, "_payments_sql_cursor", None)
    if kept is None or kept[0] is not conn.connection:
        with conn.wrap_database_errors:
            kept = (conn.connection, conn.make_cursor(psycopg.Cursor(conn.connection)))
        conn._payments_sql_cursor = kept
    yield kept[1]


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def _insert_statement(
    conn: Any, model: type[models.Model], conflict: tuple[str, ...]
) -> tuple[str, list[Any]]:
    key = ("insert", conn.vendor, model, conflict)
    if key not in _statements:
        qn = conn.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        pk = model._meta.pk
        assert pk is not None
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"  # noqa: S608 - quoted identifiers from _meta; values are parameters
            f" VALUES ({', '.join(['%s'] * len(fields))})"
        )
        if conflict:
            columns = ", ".join(qn(_field(model, name).column) for name in conflict)
            sql += f" ON CONFLICT ({columns}) DO NOTHING"
        sql += f" RETURNING {qn(pk.column)}"
        _statements[key] = (sql, fields)
    return _statements[key]


def insert(obj: models.Model, *, on_conflict_do_nothing: tuple[str, ...] = ()) -> bool:
    """INSERT the unsaved `obj` and set its primary key (what `save(force_insert=True)`
    writes, without signals). With `on_conflict_do_nothing` (the fields of a unique
    constraint) a row that would break that constraint is not written and False is
    returned: the database decides, so two concurrent inserts cannot both pass."""
    conn = _connection()
    sql, fields = _insert_statement(conn, type(obj), on_conflict_do_nothing)
    params = [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]
    with _cursor(conn) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = conn.alias
    return True


def _select_plan(
    conn: Any, model: type[models.Model], where: tuple[str, ...], related: str | None, lock: bool
) -> tuple[str, list[Any], list[list[tuple[str, list[Converter], Any]]], list[Any]]:
    """SELECT of every concrete column of `model` (and of the `related` foreign key's
    model), with the converters the ORM would apply to each column."""
    key = ("select", conn.vendor, model, where, related, lock)
    if key not in _statements:
        qn = conn.ops.quote_name
        models_: list[type[models.Model]] = [model]
        table = qn(model._meta.db_table)
        joins = ""
        if related is not None:
            fk = _field(model, related)
            target = fk.related_model
            models_.append(target)
            joins = (
                f" INNER JOIN {qn(target._meta.db_table)} ON ({table}.{qn(fk.column)} ="
                f" {qn(target._meta.db_table)}.{qn(target._meta.pk.column)})"
            )
        columns, plans = [], []
        for m in models_:
            plan = []
            for field in m._meta.concrete_fields:
                columns.append(f"{qn(m._meta.db_table)}.{qn(field.column)}")
                col = field.get_col(m._meta.db_table)
                converters = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
                plan.append((field.attname, converters, col))
            plans.append(plan)
        where_fields = [_field(model, name) for name in where]
        conditions = " AND ".join(f"{table}.{qn(f.column)} = %s" for f in where_fields)
        sql = f"SELECT {', '.join(columns)} FROM {table}{joins} WHERE {conditions}"  # noqa: S608 - as above
        if lock and conn.features.has_select_for_update:
            sql += " FOR UPDATE" + (f" OF {table}" if related is not None else "")
        _statements[key] = (sql, where_fields, plans, models_)
    return _statements[key]


def _build(conn: Any, model: type[M], plan: list, values: Iterable) -> M:
    names, converted = [], []
    for (attname, converters, col), value in zip(plan, values, strict=True):
        for converter in converters:
            value = converter(value, col, conn)
        names.append(attname)
        converted.append(value)
    return model.from_db(conn.alias, names, converted)


def fetch_one(
    model: type[M],
    where: dict[str, Any],
    *,
    related: str | None = None,
    for_update: bool = False,
) -> M | None:
    """The row of `model` matching `where` (field name → value, ANDed; meant for a
    unique lookup), or None. `related` names a forward foreign key loaded in the same
    query (select_related); `for_update` locks the row where the database can."""
    conn = _connection()
    sql, where_fields, plans, models_ = _select_plan(conn, model, tuple(where), related, for_update)
    params = [
        f.get_db_prep_value(v, conn) for f, v in zip(where_fields, where.values(), strict=True)
    ]
    with _cursor(conn) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchmany(2)
    if not rows:
        return None
    if len(rows) > 1:
        raise model.MultipleObjectsReturned(  # type: ignore[attr-defined]
            f"more than one {model.__name__} for {where}"
        )
    row = rows[0]
    split = len(plans[0])
    obj = _build(conn, model, plans[0], row[:split])
    if related is not None:
        setattr(obj, related, _build(conn, models_[1], plans[1], row[split:]))
    return obj


def update(
    model: type[models.Model],
    values: dict[str, Any],
    where: dict[str, Any],
    *,
    where_in: tuple[str, Iterable[Any]] | None = None,
) -> int:
    """UPDATE `model` SET values WHERE where (equalities, ANDed) [AND field IN (...)];
    the number of rows changed, as `QuerySet.update` returns it."""
    conn = _connection()
    choices = list(where_in[1]) if where_in is not None else []
    in_name = where_in[0] if where_in is not None else None
    key = ("update", conn.vendor, model, tuple(values), tuple(where), in_name, len(choices))
    if key not in _statements:
        qn = conn.ops.quote_name
        set_fields = [_field(model, name) for name in values]
        where_fields = [_field(model, name) for name in where]
        conditions = [f"{qn(f.column)} = %s" for f in where_fields]
        in_field = None
        if in_name is not None:
            in_field = _field(model, in_name)
            conditions.append(f"{qn(in_field.column)} IN ({', '.join(['%s'] * len(choices))})")
        sql = (
            f"UPDATE {qn(model._meta.db_table)}"  # noqa: S608 - as above
            f" SET {', '.join(f'{qn(f.column)} = %s' for f in set_fields)}"
            f" WHERE {' AND '.join(conditions)}"
        )
        _statements[key] = (sql, set_fields, where_fields, in_field)
    sql, set_fields, where_fields, in_field = _statements[key]
    params = [f.get_db_prep_save(v, conn) for f, v in zip(set_fields, values.values(), strict=True)]
    params += [
        f.get_db_prep_value(v, conn) for f, v in zip(where_fields, where.values(), strict=True)
    ]
    if in_field is not None:
        params += [in_field.get_db_prep_value(c, conn) for c in choices]
    with _cursor(conn) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
