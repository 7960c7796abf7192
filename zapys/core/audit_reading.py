"""How an audit row reads to the owner: "Online payment refunded · Amount: 50,00 грн",
not `payment.refunded` and `amount: 5000`.

A row stores what the service knew: an action key, the object's model label and id, and
`changes` — field names with raw values ([old, new] pairs, or one value), written in
whatever language the request had. Reading turns each part into the administrator's
words at display time, in the language of the page:

- the action: its label declared by the app that writes it (`core.ui.audit_action`);
- the object: the model's name and the object as it is now, `str()` in the page's language
  (the description stored at write time was in the writer's language, with the writer's
  money format and a status since changed); the stored description only for an object
  deleted since ("Booking #3" written by the set-based `audit_record_many` becomes
  "Бронювання №3");
- each change: the field's verbose name (or a label the app declared for a key that is not
  a field, `core.ui.audit_field`), the value as the field means it — a choice's label, the
  name an app declared for a code (`core.ui.audit_values`: a channel, an event), money
  from kopecks (`core.fields.MoneyField`), a date in the organization's zone, yes/no, the
  name of a related object.

Related objects and the rows' own objects are loaded per model for the whole page at once
(with what each model's `__str__` reads, its `str_related`): a page of 50 rows costs one
query per kind of object mentioned, whatever the rows say.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zapys.core.fields import MoneyField, is_money_field
from zapys.core.models import AuditLog
from zapys.core.money import format_money
from zapys.core.numbers import numbered
from zapys.core.stored_text import render_stored
from zapys.core.ui import AUDIT_ACTIONS, AUDIT_FIELDS, AUDIT_VALUES, AuditField, audit_field_key

EMPTY = "—"
# "<Model> #<id>": the description `audit_record_many` writes without loading objects;
# "<app>.<model>#<id>": a cause stored as a reference to another object.
_BULK_REPR = re.compile(r"^(?P<model>[A-Za-z]+) #(?P<id>\d+)$")
_REFERENCE = re.compile(r"^(?P<label>[a-z_]+\.[a-z_]+)#(?P<id>\d+)$")
_LIST_SHOWN = 5
#: Change keys kept for the record (the API, an export) that name nothing an owner reads: the
#: id of the message a link was sent in ("Message: 94"; its channel is on the same row).
_UNSHOWN = frozenset({"message_id"})
#: ... and keys that are internal ids of one kind of object only: a membership's usage row and
#: the ledger entry its sale wrote (the log names the sale and the visit in words).
_UNSHOWN_OF = frozenset(
    {("memberships.clientmembership", "usage"), ("memberships.clientmembership", "entry")}
)
#: The last part of an action key that creates its object ("invoice_rule.create"): a pair
#: written then has the blank object's default as its "before" ("Current → Next"), which
#: was never the object's value: only the value it was created with is read.
_CREATING = frozenset({"create", "created", "sell", "start"})
#: ... and the ledger's `entry_create`, `operation_create`, `receipt_create`: one service per
#: kind of row, each creating it ("Amount: — → 700,00" read as if the amount had changed).
_CREATING_SUFFIX = "_create"


#: object type → (number key, unit key, words): two change keys that read as one amount with
#: its unit, «Термін дії: 1 місяць» (fifth tour: «Термін дії 1 · Одиниця Місяці»);
#: `words(number, unit)` says it, None when it cannot. Apps declare theirs (`audit_merged`).
AUDIT_MERGED: dict[str, tuple[str, str, Callable[[Any, Any], str | None]]] = {}


def audit_merged(
    object_type: str, number: str, unit: str, words: Callable[[Any, Any], str | None]
) -> None:
    AUDIT_MERGED[object_type] = (number, unit, words)


@dataclass(frozen=True)
class ChangeText:
    label: str
    old: str | None  # None: the row recorded one value, not a before/after pair
    new: str


@dataclass(frozen=True)
class AuditRowText:
    row: AuditLog
    action: str
    actor: str
    object_kind: str
    object_text: str
    changes: list[ChangeText]


#: What a change key declared as money (`core.ui.audit_fields(..., money=True)`) reads as.
_MONEY_KEY = MoneyField(name="amount")


def audit_action_label(action: str) -> str:
    declared = AUDIT_ACTIONS.get(action)
    if declared is not None:
        return str(declared.label)
    # Undeclared (core/tests/test_audit_reading.py fails on any the code writes): say what
    # kind of change it was rather than show the key.
    return _("Change")


def audit_rows_read(rows: Iterable[AuditLog]) -> list[AuditRowText]:
    rows = list(rows)
    related = _RelatedNames()
    units = _Units()
    objects = _ObjectNames()
    related.objects = objects
    for row in rows:
        model = _model(row.object_type)
        objects.want(model, row.object_id)
        for key, value in (row.changes or {}).items():
            field = _field(model, key)
            if field is not None and field.is_relation and field.related_model is not None:
                for item in _values(value):
                    related.want(field, item)
            for item in _values(value):
                # "<app>.<model>#<id>": named as the object is now, loaded with the rows'
                # own objects (one query per kind), not «Відвідування №195»
                reference = _REFERENCE.match(item) if isinstance(item, str) else None
                if reference:
                    objects.want(_model(reference["label"]), reference["id"])
            units.want(row, model, key)
    related.load()
    units.load()
    objects.load()
    return [_read(row, related, units, objects) for row in rows]


def _read(
    row: AuditLog, related: _RelatedNames, units: _Units, objects: _ObjectNames
) -> AuditRowText:
    model = _model(row.object_type)
    verb = row.action.rpartition(".")[2]
    creating = verb in _CREATING or verb.endswith(_CREATING_SUFFIX)
    changes = []
    merged = AUDIT_MERGED.get(row.object_type)
    skip_unit = ""
    for key, value in (row.changes or {}).items():
        if key in _UNSHOWN or (row.object_type, key) in _UNSHOWN_OF:
            continue
        if merged is not None and key == merged[0] and merged[1] in (row.changes or {}):
            change = _merged_change(row, model, merged, creating)
            if change is not None:
                changes.append(change)
                skip_unit = merged[1]
                continue
        if key == skip_unit:
            continue
        label = _label(row.object_type, model, key, _field(model, key))
        named = _declared_values(row.object_type, key)
        if isinstance(value, list) and len(value) == 2 and not key.endswith("_ids"):
            old, new = value
            if creating:
                new_text = _value(units.field(row, model, key, 1), new, related, named)
                if new_text != EMPTY:
                    changes.append(ChangeText(label, None, new_text))
                continue
            old_text = _value(units.field(row, model, key, 0), old, related, named)
            new_text = _value(units.field(row, model, key, 1), new, related, named)
            if old_text == new_text:
                # Changed only as stored (None → "" → []): nothing a reader would see.
                continue
            changes.append(ChangeText(label, old_text, new_text))
        else:
            field = units.field(row, model, key, 1)
            changes.append(ChangeText(label, None, _value(field, value, related, named)))
    object_kind = capfirst(str(model._meta.verbose_name)) if model is not None else ""
    object_text = _live_or_stored(objects.name(model, row.object_id), row, model)
    if object_text.casefold() == object_kind.casefold() or _is_settings(model):
        # a singleton named by its kind: "Broadcast settings" once, not «invoice settings of
        # 1» or «Prepayment settings #1» (one settings row per organization, fifth tour)
        object_text = ""
    return AuditRowText(
        row=row,
        action=audit_action_label(row.action),
        actor=_actor(row),
        object_kind=object_kind,
        object_text=object_text,
        changes=changes,
    )


def _merged_change(
    row: AuditLog,
    model: type[models.Model] | None,
    merged: tuple[str, str, Callable[[Any, Any], str | None]],
    creating: bool,
) -> ChangeText | None:
    number_key, unit_key, words = merged
    changes = row.changes or {}

    def sides(value: Any) -> tuple[Any, Any]:
        if isinstance(value, list) and len(value) == 2:
            return value[0], value[1]
        return None, value

    old_n, new_n = sides(changes[number_key])
    old_u, new_u = sides(changes[unit_key])
    new = words(new_n, new_u)
    if new is None:
        return None
    label = _label(row.object_type, model, number_key, _field(model, number_key))
    if creating or old_n is None:
        return ChangeText(label, None, new)
    old = words(old_n, old_u if old_u is not None else new_u) or EMPTY
    return None if old == new else ChangeText(label, old, new)


def _is_settings(model: type[models.Model] | None) -> bool:
    return model is not None and model.__name__.endswith("Settings")


def _live_or_stored(live: str | None, row: AuditLog, model: type[models.Model] | None) -> str:
    # An empty live name is a name too: a singleton's kind says it all ("Waiting list
    # settings"), where its stored description was "waitlist settings 7".
    return live if live is not None else _object_text(row, model)


_FORMER_API_KEY_LABEL = re.compile(r"^API key (?P<key>«.*») of (?P<user>.+)$")


def _actor(row: AuditLog) -> str:
    kind = row.get_actor_kind_display()
    # Staff and API keys carry a person's name; the other kinds carry an internal job or
    # provider code ("prepayments.sweep", "liqpay") that says nothing to an owner.
    if row.actor_kind == AuditLog.ActorKind.STAFF:
        return row.actor_label or str(kind)
    if row.actor_kind == AuditLog.ActorKind.API_KEY and row.actor_label:
        # Rows written before the label lost its English words: "API key «x» of user".
        former = _FORMER_API_KEY_LABEL.match(row.actor_label)
        label = f"{former['key']} ({former['user']})" if former else row.actor_label
        return f"{kind} {label}"
    return str(kind)


def _object_text(row: AuditLog, model: type[models.Model] | None) -> str:
    text = row.object_repr or ""
    bulk = _BULK_REPR.match(text)
    if bulk and model is not None and bulk["model"] == model.__name__:
        return numbered(bulk["id"])
    return text or EMPTY


def _model(label: str) -> type[models.Model] | None:
    if not label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    if model is None:
        return None
    names = [key]
    if key.endswith("_ids"):
        names += [key[:-4], key[:-4] + "s"]
    elif key.endswith("_id"):
        names.append(key[:-3])
    fields = _fields_of(model)
    for name in names:
        field = fields.get(name)
        if isinstance(field, models.Field):
            return field
    return None


@cache
def _fields_of(model: type[models.Model]) -> dict[str, Any]:
    return {field.name: field for field in model._meta.get_fields()}


def _declared(object_type: str, key: str) -> AuditField | None:
    return AUDIT_FIELDS.get(audit_field_key(object_type, key)) or AUDIT_FIELDS.get(
        audit_field_key("", key)
    )


def _declared_values(object_type: str, key: str) -> Callable[[str], str] | None:
    declared = AUDIT_VALUES.get(audit_field_key(object_type, key)) or AUDIT_VALUES.get(
        audit_field_key("", key)
    )
    if declared is None:
        return None
    empty = declared.empty
    if empty is None:
        return declared.label
    # An empty code that is a choice of its own: a broadcast's or a reminder's channel "" is
    # the form's "Automatic …" / "As the client prefers", which the log read as "—".
    label = declared.label
    return lambda value: str(empty) if value == "" else label(value)


def _declared_money(object_type: str, key: str) -> models.Field | None:
    """A change key an app declared as money reads like a money field of the model."""
    declared = _declared(object_type, key)
    return _MONEY_KEY if declared is not None and declared.money else None


#: What a change key whose unit is "percent" reads as (`core.ui.audit_fields(units=...)`).
class _PercentField(models.IntegerField):
    pass


_PERCENT_KEY = _PercentField(name="percent")


class _Units:
    """How a change key reads: as its model field, as money when declared so, or in the unit
    another field of the object gives it (`AuditField.unit_of`). That field's value comes
    from the row's changes when the row recorded it; otherwise from the object as it is now,
    loaded for the whole page in one query per model."""

    def __init__(self) -> None:
        self._wanted: dict[tuple[type[models.Model], str], set[int]] = defaultdict(set)
        self._current: dict[tuple[type[models.Model], int], dict[str, Any]] = {}

    def want(self, row: AuditLog, model: type[models.Model] | None, key: str) -> None:
        declared = _declared(row.object_type, key)
        if model is None or declared is None or not declared.unit_of:
            return
        if declared.unit_of not in (row.changes or {}) and _integer(row.object_id) is not None:
            self._wanted[(model, declared.unit_of)].add(int(row.object_id))

    def load(self) -> None:
        for (model, name), ids in self._wanted.items():
            for pk, value in model._default_manager.filter(pk__in=ids).values_list("pk", name):
                self._current.setdefault((model, pk), {})[name] = value

    def field(
        self, row: AuditLog, model: type[models.Model] | None, key: str, side: int
    ) -> models.Field | None:
        """The field `key` reads as; `side` 0 is a change's old value, 1 its new one."""
        declared = _declared(row.object_type, key)
        if declared is None or not declared.unit_of:
            return _field(model, key) or _declared_money(row.object_type, key)
        recorded = (row.changes or {}).get(declared.unit_of)
        if isinstance(recorded, list) and len(recorded) == 2:
            recorded = recorded[side]
        if recorded is None and model is not None and _integer(row.object_id) is not None:
            recorded = self._current.get((model, int(row.object_id)), {}).get(declared.unit_of)
        unit = dict(declared.units).get(str(recorded))
        if unit == "money":
            return _MONEY_KEY
        if unit == "percent":
            return _PERCENT_KEY
        return _field(model, key)


def _label(
    object_type: str, model: type[models.Model] | None, key: str, field: models.Field | None
) -> str:
    declared = _declared(object_type, key)
    if declared is not None:
        return str(declared.label)
    if field is not None:
        named = str(field.verbose_name)
        # Django's default, a plain str: not translated. A name given with `_()` is lazy and
        # may read as the field's own name in English ("payer"): it is a name all the same.
        unnamed = not isinstance(field.verbose_name, Promise) and named == field.name.replace(
            "_", " "
        )
        if unnamed and field.related_model is not None and not isinstance(field.related_model, str):
            # A reference without a name of its own reads as what it points at ("Client").
            return capfirst(str(field.related_model._meta.verbose_name))
        return capfirst(named)
    return capfirst(key.replace("_", " "))


def _values(value: Any) -> list[Any]:
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            out.extend(item if isinstance(item, list) else [item])
        return out
    return [value]


def _value(
    field: models.Field | None,
    value: Any,
    related: _RelatedNames,
    named: Callable[[str], str] | None = None,
) -> str:
    if value == "" and named is not None:
        return str(named("")) or EMPTY  # a declared word for "", else nothing
    if value is None or value in ("", "None", [], {}):
        return EMPTY
    if isinstance(value, list):
        items = [_value(field, item, related, named) for item in value]
        shown = ", ".join(items[:_LIST_SHOWN])
        if len(items) > _LIST_SHOWN:
            shown += " " + _("and %(count)s more") % {"count": len(items) - _LIST_SHOWN}
        return shown
    if isinstance(value, dict) and value.get("msgid"):
        # System text the writer kept as a `StoredText` (`.stored()`): in the reader's language.
        return render_stored(value, fallback=str(value.get("text") or EMPTY))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(None, v, related)}" for k, v in value.items())
    if named is not None:
        return str(named(str(value)))
    if field is not None:
        if field.is_relation and field.related_model is not None:
            return related.name(field, value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if is_money_field(field):
            amount = _integer(value)
            if amount is None:
                return str(value)
            return format_money(amount, "UAH", (get_language() or "uk")[:2])
        if isinstance(field, _PercentField):
            percent = _integer(value)
            return str(value) if percent is None else f"{percent}\u00a0%"
        if isinstance(field, models.BooleanField):
            return _yes_no(value)
        if isinstance(field, models.DateTimeField):
            return _datetime(value)
        if isinstance(field, models.DateField):
            return _date(value)
        if isinstance(field, models.TimeField):
            return _time(value)
    if isinstance(value, time):
        return _time(value)
    if isinstance(value, bool) or value in ("True", "False"):
        return _yes_no(value)
    if isinstance(value, str):
        reference = _REFERENCE.match(value)
        if reference:
            model = _model(reference["label"])
            if model is not None:
                kind = capfirst(str(model._meta.verbose_name))
                live = related.objects.name(model, reference["id"]) if related.objects else None
                if live:
                    return f"{kind}: {live}"
                return f"{kind} {numbered(reference['id'])}"
        if parse_datetime(value) is not None and "T" in value:
            return _datetime(value)
        if parse_date(value) is not None:
            return _date(value)
        if _CLOCK.fullmatch(value):
            return _time(value)  # a time stored as text (working hours in JSON): «10:00»
    return str(value)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def _yes_no(value: Any) -> str:
    return _("Yes") if value in (True, "True") else _("No")


def _datetime(value: Any) -> str:
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)  # the organization's zone on staff pages
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


# A time of day as stored: «10:00», «10:00:00», «10:00:00.000000».
_CLOCK = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def _time(value: Any) -> str:
    """«10:00»: hours and minutes, as the product shows every time; never the seconds the
    database keeps («10:00:00»)."""
    moment = value if isinstance(value, time) else parse_time(str(value))
    return moment.strftime("%H:%M") if moment is not None else str(value)


def _date(value: Any) -> str:
    day = value if isinstance(value, date) else parse_date(str(value))
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day is not None else str(value)


class _RelatedNames:
    """The names of the objects a page's changes point at, one query per model."""

    def __init__(self) -> None:
        self._wanted: dict[tuple[type[models.Model], str], set[Any]] = defaultdict(set)
        self._names: dict[tuple[type[models.Model], str, str], str] = {}
        #: the page's objects by reference ("<app>.<model>#<id>" values), as they are now
        self.objects: _ObjectNames | None = None

    @staticmethod
    def _key_of(field: models.Field, value: Any) -> tuple[type[models.Model], str] | None:
        model = field.related_model
        if model is None or model == "self" or isinstance(model, str):
            return None
        if _integer(value) is not None:
            return model, "pk"
        # A value that is not an id: the object's code (visit statuses are logged by code).
        if any(f.name == "code" for f in model._meta.get_fields()):
            return model, "code"
        return None

    def want(self, field: models.Field, value: Any) -> None:
        key = self._key_of(field, value)
        if key is not None and value not in (None, "", "None"):
            self._wanted[key].add(str(value))

    def load(self) -> None:
        for (model, column), values in self._wanted.items():
            lookup = values if column == "code" else {int(v) for v in values}
            for obj in model._default_manager.filter(**{f"{column}__in": lookup}):
                self._names[(model, column, str(getattr(obj, column)))] = str(obj)

    def name(self, field: models.Field, value: Any) -> str:
        key = self._key_of(field, value)
        if key is None:
            return str(value)
        found = self._names.get((key[0], key[1], str(value)))
        if found is not None:
            return found
        # Deleted since, or another organization's (never shown): say which without a name.
        return numbered(value)


class _ObjectNames:
    """The rows' own objects as they are now, named by `str()` in the page's language: one
    query per model, with what the model's `__str__` reads (`str_related`: a class
    attribute, e.g. `("client", "visit__service")`) joined in."""

    def __init__(self) -> None:
        self._wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        self._names: dict[tuple[type[models.Model], int], str] = {}

    def want(self, model: type[models.Model] | None, object_id: str) -> None:
        pk = _integer(object_id)
        if model is not None and pk is not None:
            self._wanted[model].add(pk)

    def load(self) -> None:
        for model, ids in self._wanted.items():
            objects = model._default_manager.filter(pk__in=ids).select_related(*_joined(model))
            for obj in objects:
                self._names[(model, obj.pk)] = str(obj)

    def name(self, model: type[models.Model] | None, object_id: str) -> str | None:
        """The live name; None for an object deleted since (its stored description then)."""
        pk = _integer(object_id)
        if model is None or pk is None:
            return None
        return self._names.get((model, pk))


def _joined(model: type[models.Model]) -> tuple[str, ...]:
    """What to join when naming `model`'s objects: its declared `str_related`; otherwise each
    of its own references (a visit's `__str__` reads its service), so an undeclared model
    costs one query for the page too."""
    declared: tuple[str, ...] = getattr(model, "str_related", ())
    if declared:
        return declared
    return tuple(
        field.name
        for field in model._meta.concrete_fields
        if field.many_to_one and not isinstance(field.related_model, str)
    )
