"""Read queries compiled once per process: the ORM's QuerySet, without its per-call cost.

Why: on the money paths (the visit checkout, bench/checkout.py) most of a read's cost is
not the database but Python building and compiling the QuerySet — resolving lookups,
joins, ordering and the select list (~0.3–0.6 ms a query on the 2-core development
machine) for a one-row statement the database answers in a fraction of that. A
`PreparedQuery` builds its QuerySet once per database alias, with stand-ins for the
values that change (`Slots`), compiles it, remembers where each stand-in sits among the
parameters, and from then on runs the same SQL text with the caller's values. Rows come
back as the ORM would make them: the compiler's converters, `Model.from_db`, the
select_related populators and annotations — the same objects the QuerySet gives.

What it refuses (structure, not convention):
- it is built with no organization in scope and not unscoped (`tenancy.no_scope`), so an
  organization-owned model can only be reached through `for_org(slots.org())`: the
  current request's organization can never be baked into the shared statement, and a
  query on an organization-owned model without the `org` slot is refused at compile time;
- values are exact `int`, `str` or `date` (sent as the ORM sends them for integer, key,
  text and date columns, on PostgreSQL and SQLite), each slot must reach the SQL unchanged (a
  stand-in the ORM transformed, e.g. `__icontains`, is refused at compile time), and a call
  must give exactly the declared slots;
- a locking query (`select_for_update`) outside a transaction raises, as the ORM does.

Use it only where the QuerySet's shape depends on nothing but its slots (no `now()`, no
language, no variable-length `__in` list); everywhere else a QuerySet is clearer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.transaction import TransactionManagementError

from zapys.core.tenancy import OrgOwned, no_scope

M = TypeVar("M", bound=models.Model)

# Stand-ins no real value takes: integers far below any key or amount, texts with NULs
# (which PostgreSQL does not even store).
_INT_BASE = -(2**62)
_DAY_BASE = date(1, 1, 2)
ORG = "org"


_SENT_TYPES = (int, str, date)
_related_populators: Any = get_related_populators  # Django 5.2's signature (the stubs' is newer)


def _as_sent(conn: Any, value: Any) -> Any:
    """A value as the ORM sends it for its column: integers and texts unchanged, a date
    as the backend adapts it (a text on SQLite, the date on PostgreSQL)."""
    if type(value) is date:
        return conn.ops.adapt_datefield_value(value)
    return value


def _checked(name: str, kind: type, value: Any) -> Any:
    """`value` as the plain `kind` (a TextChoices member as its text, an IntegerChoices one
    as its number), or TypeError: a bool, a datetime for a date, a text for a number."""
    if kind is date:
        if type(value) is date:
            return value
    elif isinstance(value, kind) and not isinstance(value, bool):
        return kind(value) if type(value) is not kind else value
    raise TypeError(f"slot {name!r} takes {kind.__name__}, got {value!r}")


class Slots:
    """The stand-ins a prepared query is built with, by name."""

    def __init__(self) -> None:
        self.stand_ins: dict[str, Any] = {}
        self.kinds: dict[str, type] = {}

    def _take(self, name: str, kind: type, value: Any) -> Any:
        if name in self.kinds:
            raise ImproperlyConfigured(f"slot {name!r} declared twice")
        self.stand_ins[name] = value
        self.kinds[name] = kind
        return value

    def number(self, name: str) -> int:
        """An integer value (a primary or foreign key, an amount)."""
        return self._take(name, int, _INT_BASE - len(self.kinds))

    def text(self, name: str) -> str:
        """A text value (a code, a status)."""
        return self._take(name, str, f"\x00slot\x00{name}\x00")

    def day(self, name: str) -> date:
        """A date (not a datetime): compared with a DateField."""
        return self._take(name, date, _DAY_BASE + timedelta(days=len(self.kinds)))

    def org(self) -> int:
        """The organization's id: pass it to `for_org`, call with `org=`."""
        return self.number(ORG)


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    at: tuple[tuple[int, str], ...]  # (position among the parameters, slot name)
    kinds: dict[str, type]
    locks: bool
    compiler: Any
    converters: Any
    trim: int | None  # extra select columns the row carries past the model's
    shape: str  # "objects" or "rows"
    model: Any = None
    fields: tuple[int, int] = (0, 0)  # the model's columns among the row's
    init_list: tuple[str, ...] = ()
    populators: tuple[Any, ...] = ()
    annotations: tuple[tuple[str, int], ...] = ()
    flat: bool = False


def _converted(rows: list[Any], converters: dict[int, Any], conn: Any) -> Iterator[list[Any]]:
    """The compiler's `apply_converters`, given this thread's connection: the plan's
    compiler is shared and holds the connection of the thread that compiled it."""
    by_position = list(converters.items())
    for row in map(list, rows):
        for position, (functions, expression) in by_position:
            value = row[position]
            for function in functions:
                value = function(value, expression, conn)
            row[position] = value
        yield row


class PreparedQuery(Generic[M]):
    """`build(slots)` → the QuerySet; `objects(**values)` / `first(**values)` for a
    model QuerySet, `rows(**values)` for a `values_list` one."""

    def __init__(self, build: Callable[[Slots], models.QuerySet[M, Any]]) -> None:
        self._build = build
        self._plans: dict[str, _Plan] = {}

    # --- compiling, once per database alias ---------------------------------------------

    def _compile(self, alias: str) -> _Plan:
        slots = Slots()
        with no_scope():
            queryset: Any = self._build(slots)  # Any: its private parts are read below
        if issubclass(queryset.model, OrgOwned) and ORG not in slots.kinds:
            raise ImproperlyConfigured(
                f"a prepared query on {queryset.model.__name__} must take the organization: "
                "for_org(slots.org())"
            )
        if queryset._known_related_objects:
            raise ImproperlyConfigured("build the query from a manager, not a related one")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        sent = {_as_sent(compiler.connection, v): name for name, v in slots.stand_ins.items()}
        at = tuple(
            (i, sent[p]) for i, p in enumerate(params) if type(p) in _SENT_TYPES and p in sent
        )
        missing = set(slots.kinds) - {name for _, name in at}
        if missing:
            raise ImproperlyConfigured(
                f"slots {sorted(missing)} do not reach the SQL unchanged: compare them with "
                "=, IN or a range, untransformed"
            )
        select = compiler.select
        converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        common = {
            "sql": sql,
            "params": tuple(params),
            "at": at,
            "kinds": dict(slots.kinds),
            "locks": bool(queryset.query.select_for_update),
            "compiler": compiler,
            "converters": converters,
            "trim": compiler.col_count if compiler.has_extra_select else None,
        }
        iterable = queryset._iterable_class
        if iterable is ModelIterable:
            info = compiler.klass_info
            start, end = info["select_fields"][0], info["select_fields"][-1] + 1
            return _Plan(
                **common,
                shape="objects",
                model=info["model"],
                fields=(start, end),
                init_list=tuple(f[0].target.attname for f in select[start:end]),
                populators=tuple(_related_populators(info, select, alias)),
                annotations=tuple(compiler.annotation_col_map.items()),
            )
        if iterable in (ValuesListIterable, FlatValuesListIterable):
            # the compiler selects the columns in the asked order (Django 5.2)
            return _Plan(**common, shape="rows", flat=iterable is FlatValuesListIterable)
        raise ImproperlyConfigured(f"unsupported result shape {iterable.__name__}")

    def _plan(self, alias: str) -> _Plan:
        plan = self._plans.get(alias)
        if plan is None:
            plan = self._plans[alias] = self._compile(alias)
        return plan

    # --- running ------------------------------------------------------------------------

    def _fetch(self, shape: str, values: dict[str, Any]) -> tuple[_Plan, Any, Iterator[Any]]:
        conn = connections[DEFAULT_DB_ALIAS]
        plan = self._plan(conn.alias)
        if plan.shape != shape:
            raise TypeError(f"this prepared query gives {plan.shape}, not {shape}")
        if values.keys() != plan.kinds.keys():
            raise TypeError(f"give exactly the slots {sorted(plan.kinds)}, got {sorted(values)}")
        params = list(plan.params)
        for i, name in plan.at:
            params[i] = _as_sent(conn, _checked(name, plan.kinds[name], values[name]))
        if plan.locks and conn.features.has_select_for_update and conn.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        with conn.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.trim is not None:
            rows = [row[: plan.trim] for row in rows]
        if plan.converters:
            rows = list(_converted(rows, plan.converters, conn))
        return plan, conn, iter(rows)

    def objects(self, **values: Any) -> list[M]:
        plan, conn, rows = self._fetch("objects", values)
        start, end = plan.fields
        made = []
        for row in rows:
            obj = plan.model.from_db(conn.alias, plan.init_list, row[start:end])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in plan.annotations:
                setattr(obj, name, row[position])
            made.append(obj)
        return made

    def first(self, **values: Any) -> M | None:
        """The first object, or None (slice the QuerySet `[:1]` with an ordering)."""
        found = self.objects(**values)
        return found[0] if found else None

    def rows(self, **values: Any) -> list[Any]:
        plan, _conn, rows = self._fetch("rows", values)
        if plan.flat:
            return [row[0] for row in rows]
        return [tuple(row) for row in rows]


# --- one row's UPDATE -------------------------------------------------------------------

_updates: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}


def row_update(model: type[models.Model], *, org: int, pk: int, **values: Any) -> int:
    """UPDATE `model` SET values WHERE organization_id = org AND pk = pk — what
    `Model.objects.for_org(org).filter(pk=pk).update(**values)` writes, its text built once
    per database, model and set of columns (the money path's updates; bench/checkout.py).
    `values` are by attribute name (`status_id=…`, not an object), prepared by each field
    as the ORM prepares them; the number of rows changed is returned, as `update` does."""
    conn = connections[DEFAULT_DB_ALIAS]
    key = (conn.alias, model, tuple(values))
    if key not in _updates:
        opts = model._meta
        qn = conn.ops.quote_name
        by_attname = {f.attname: f for f in opts.concrete_fields}
        unknown = [name for name in values if name not in by_attname]
        if unknown or not values or not issubclass(model, OrgOwned):
            raise ImproperlyConfigured(f"row_update of {model.__name__}: {unknown or 'no values'}")
        fields = [by_attname[name] for name in values]
        assert opts.pk is not None
        sql = (
            f"UPDATE {qn(opts.db_table)} SET {', '.join(f'{qn(str(f.column))} = %s' for f in fields)}"  # noqa: S608 - quoted identifiers from _meta; values are parameters
            f" WHERE {qn(str(by_attname['organization_id'].column))} = %s AND {qn(str(opts.pk.column))} = %s"
        )
        _updates[key] = (sql, fields)
    sql, fields = _updates[key]
    params = [f.get_db_prep_save(v, conn) for f, v in zip(fields, values.values(), strict=True)]
    with conn.cursor() as cursor:
        cursor.execute(sql, [*params, _checked("org", int, org), _checked("pk", int, pk)])
        return cursor.rowcount
