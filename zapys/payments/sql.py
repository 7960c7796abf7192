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

from collections.abc import Callable, Iterable, Iterator, Sequence
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
    lifetime: psycopg caches how to send each parameter type per cursor. It is psycopg's
    cursor itself, not Django's wrapper around it (which costs ~15 µs of CPU per statement,
    measured in bench/callbacks.py's path), used the way the wrapper uses it: a broken
    transaction is refused first, and errors become django.db errors (IntegrityError...)
    and mark the connection for Django's end-of-request check. When queries are being
    logged (DEBUG, the tests' CaptureQueriesContext) Django's own cursor is used, since a
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
        kept = (conn.connection, psycopg.Cursor(conn.connection))
        conn._payments_sql_cursor = kept
    conn.validate_no_broken_transaction()
    with conn.wrap_database_errors:
        yield kept[1]


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


# A value already of its column's Python type passes the preparation of these field classes
# unchanged (their get_prep_value returns a str/int/bool as it is, None as None; the
# connection's adaptation of them is the identity on PostgreSQL and SQLite), so it is sent
# as it is: ~3 µs saved per column, and the event row has fifteen. Exact classes only (a
# subclass may prepare differently), exact value types only (a TextChoices member, a lazy
# text or a bool for an integer take the field's own path).
_AS_IS: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.BooleanField: (bool,),
}


def _as_is_types(field: Any) -> tuple[type, ...] | None:
    """The value types `field` sends unprepared (see `_AS_IS`); None: always prepare."""
    if isinstance(field, models.ForeignKey):
        return _as_is_types(field.target_field)
    return _AS_IS.get(type(field))


def _prep_save(field: Any, as_is: tuple[type, ...] | None, value: Any, conn: Any) -> Any:
    if as_is is not None and (value is None or type(value) in as_is):
        return value
    return field.get_db_prep_save(value, conn)


def _prep_value(field: Any, as_is: tuple[type, ...] | None, value: Any, conn: Any) -> Any:
    if as_is is not None and (value is None or type(value) in as_is):
        return value
    return field.get_db_prep_value(value, conn)


def _insert_statement(
    conn: Any, model: type[models.Model], conflict: tuple[str, ...]
) -> tuple[str, list[tuple[Any, str, tuple[type, ...] | None]]]:
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
        _statements[key] = (sql, [(f, f.attname, _as_is_types(f)) for f in fields])
    return _statements[key]


def insert(obj: models.Model, *, on_conflict_do_nothing: tuple[str, ...] = ()) -> bool:
    """INSERT the unsaved `obj` and set its primary key (what `save(force_insert=True)`
    writes, without signals). With `on_conflict_do_nothing` (the fields of a unique
    constraint) a row that would break that constraint is not written and False is
    returned: the database decides, so two concurrent inserts cannot both pass."""
    conn = _connection()
    sql, plan = _insert_statement(conn, type(obj), on_conflict_do_nothing)
    params = [
        # The as-is classes do not override pre_save (the attribute's value, no auto_now).
        _prep_save(f, as_is, getattr(obj, attname), conn)
        if as_is is not None
        else f.get_db_prep_save(f.pre_save(obj, True), conn)
        for f, attname, as_is in plan
    ]
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
) -> tuple[
    str, list[Any], list[tuple[list[str], list[tuple[int, list[Converter], Any]]]], list[Any]
]:
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
            # The attribute names in column order, and the columns that have converters
            # (most have none: the row's value is the attribute's).
            names, converting = [], []
            for i, field in enumerate(m._meta.concrete_fields):
                columns.append(f"{qn(m._meta.db_table)}.{qn(field.column)}")
                col = field.get_col(m._meta.db_table)
                converters = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
                names.append(field.attname)
                if converters:
                    converting.append((i, converters, col))
            plans.append((names, converting))
        where_fields = [_field(model, name) for name in where]
        conditions = " AND ".join(f"{table}.{qn(f.column)} = %s" for f in where_fields)
        where_plan = [(f, _as_is_types(f)) for f in where_fields]
        sql = f"SELECT {', '.join(columns)} FROM {table}{joins} WHERE {conditions}"  # noqa: S608 - as above
        if lock and conn.features.has_select_for_update:
            sql += " FOR UPDATE" + (f" OF {table}" if related is not None else "")
        _statements[key] = (sql, where_plan, plans, models_)
    return _statements[key]


def _build(conn: Any, model: type[M], plan: tuple, values: Sequence[Any]) -> M:
    names, converting = plan
    converted = list(values)
    for i, converters, col in converting:
        value = converted[i]
        for converter in converters:
            value = converter(value, col, conn)
        converted[i] = value
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
    sql, where_plan, plans, models_ = _select_plan(conn, model, tuple(where), related, for_update)
    params = [
        _prep_value(f, as_is, v, conn)
        for (f, as_is), v in zip(where_plan, where.values(), strict=True)
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
    split = len(plans[0][0])
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
        _statements[key] = (
            sql,
            [(f, _as_is_types(f)) for f in set_fields],
            [(f, _as_is_types(f)) for f in where_fields],
            None if in_field is None else (in_field, _as_is_types(in_field)),
        )
    sql, set_plan, where_plan, in_plan = _statements[key]
    params = [
        _prep_save(f, as_is, v, conn)
        for (f, as_is), v in zip(set_plan, values.values(), strict=True)
    ]
    params += [
        _prep_value(f, as_is, v, conn)
        for (f, as_is), v in zip(where_plan, where.values(), strict=True)
    ]
    if in_plan is not None:
        params += [_prep_value(in_plan[0], in_plan[1], c, conn) for c in choices]
    with _cursor(conn) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
