"""Message templates: `{client.first_name}` placeholders filled in one safe pass.

Staff write templates; clients supply the values (a name, a comment). A value must
never be able to change what the template does, so this is deliberately not the
Django template engine and not `str.format`:

- Substitution is a single `re.sub` over the template. Replacement text is never
  scanned again, so a client called "{{ settings.SECRET_KEY }}" or "{client.phone}"
  is printed literally.
- Lookups walk mappings and plain attributes only: no names starting with "_" (the
  pattern cannot match them), no calling of callables, no indexing. Any failure
  while resolving or converting leaves the placeholder as written, so rendering
  never raises on user data.
- `allowed` limits the names a template may use. Callers that pass model objects
  should always give it, or a template could reach any attribute of those objects.

Placeholder syntax: `{name}` / `{a.b.c}`, and `{{ name }}` (spaces optional) as a
synonym for people used to Jinja/Django. Names are ASCII identifiers.

`{first_name}` is short for `{client.first_name}` (allowed wherever that is), and both
greet by `Client.greeting_name`: the first name, never an empty greeting. A message in
Ukrainian (the active language: callers render inside the message's language) greets in
the vocative, `Client.greeting_vocative` («Оксано, нагадуємо…»; the form staff wrote, else
`core.vocative`'s); English has no vocative and keeps the name as it is. A company (a
legal entity, which has no first name) is not greeted by its name («ФОП Мельник А. В., ваш
візит…» reads like a form letter): the template's greeting is made neutral instead —
"{first_name}, your visit…" reads «Вітаємо! Ваш візит…», "Hello {first_name}!" reads
"Hello!" (`_without_the_name`).

A date value (`datetime.date`) reads as words in the active language ("5 грудня",
"5 December"), with the year only when it is not the current one; a `datetime` adds its
time ("5 грудня о 14:30"). Senders pass dates, not strings, so a client never reads
"05.12.2026"; the caller renders inside the message's language (`messaging.selectors`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime

from django.utils.html import escape
from django.utils.safestring import SafeData
from django.utils.translation import get_language, pgettext

from zapys.clients.models import Client
from zapys.core.dates import day_in_words, moment_in_words  # stored texts say dates too

_NAME = r"[A-Za-z][A-Za-z0-9_]*"
_PATH = rf"{_NAME}(?:\.{_NAME})*"
PLACEHOLDER_RE = re.compile(rf"\{{\{{\s*(?P<double>{_PATH})\s*\}}\}}|\{{(?P<single>{_PATH})\}}")

_MISSING = object()
#: Names a template may write that read another path (`ALIASES[name]`): checked against
#: `allowed` as the path they stand for.
ALIASES = {
    "first_name": "client.first_name",
}
#: Paths read from another attribute: the greeting never comes out empty.
_READ_AS = {"client.first_name": "client.greeting_name"}
#: The same in a Ukrainian message: the greeting is in the vocative.
_READ_AS_UKRAINIAN = {"client.first_name": "client.greeting_vocative"}


def render_template(
    template: str,
    variables: Mapping[str, object],
    *,
    allowed: Iterable[str] | None = None,
) -> str:
    """Fill placeholders with str() of their values; unknown/not-allowed ones stay as written.

    None renders as an empty string (an empty optional field, not the word "None").
    """
    return _render(template, variables, allowed, _to_text)


def render_html_template(
    template: str,
    variables: Mapping[str, object],
    *,
    allowed: Iterable[str] | None = None,
) -> str:
    """Like render_template for an HTML template: every value is HTML-escaped.

    The template itself is trusted markup written by staff; only values are escaped.
    A value already marked safe (`django.utils.safestring.mark_safe`, e.g. a link the
    application built) is inserted as is — that is the caller's explicit decision.
    """
    return _render(template, variables, allowed, _to_html)


def placeholders_in(template: str) -> list[str]:
    """Placeholder names in order of first appearance, without duplicates (for the editor)."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER_RE.finditer(template):
        seen.setdefault(_name_of(match), None)
    return list(seen)


def unknown_placeholders(template: str, allowed: Iterable[str]) -> list[str]:
    """The placeholders of `template` that `render_template(..., allowed=allowed)` would
    leave as written, in order of first appearance: an alias counts as the path it stands
    for (`{first_name}` is known wherever `client.first_name` is)."""
    names = frozenset(allowed)
    return [
        name
        for name in placeholders_in(template)
        if name not in names and ALIASES.get(name) not in names
    ]


def _render(
    template: str,
    variables: Mapping[str, object],
    allowed: Iterable[str] | None,
    convert: Callable[[object], str],
) -> str:
    allowed_names = None if allowed is None else frozenset(allowed)
    read_as = _READ_AS_UKRAINIAN if _in_ukrainian() else _READ_AS
    nameless = _nameless_greetings(variables, allowed_names)
    if nameless:
        template = _without_the_name(template, nameless, aliased="first_name" not in variables)

    def replace(match: re.Match[str]) -> str:
        name = _name_of(match)
        if name not in variables:
            name = ALIASES.get(name, name)
        if allowed_names is not None and name not in allowed_names:
            return match.group(0)
        try:
            value = _lookup(variables, name)
            if name in read_as and name not in variables:
                greeting = _lookup(variables, read_as[name])
                value = value if greeting is _MISSING else greeting
            return match.group(0) if value is _MISSING else convert(value)
        except Exception:
            # A broken __str__ or a failing property must not stop a reminder going out.
            return match.group(0)

    return PLACEHOLDER_RE.sub(replace, template)


def _in_ukrainian() -> bool:
    return (get_language() or "").lower().startswith("uk")


def greeting_for(client: Client, language: str | None) -> object:
    """The value of a greeting a sender fills in itself (the invoices' `customer.first_name`):
    the client's greeting in `language` (`Client.greeting_in`), or `NO_NAME` for a company
    without a first name, which makes the template's greeting neutral as `{client.first_name}`'s
    is."""
    if client.client_type == Client.Type.LEGAL_ENTITY and not client.first_name:
        return NO_NAME
    return client.greeting_in(language)


def _name_of(match: re.Match[str]) -> str:
    return match.group("double") or match.group("single")


def _nameless_greetings(
    variables: Mapping[str, object], allowed: frozenset[str] | None
) -> tuple[str, ...]:
    """The greeting placeholders with no name to say. `client.first_name`: the client is a
    company (a legal entity keeps only its name) without a first name of its own; a sender
    that gives "client.first_name" itself has decided. Another greeting (`_GREETINGS`): its
    sender gave `NO_NAME` (`greeting_for`). A template that may not use a name keeps its
    placeholder as written."""
    nameless = [
        path
        for path in _GREETINGS
        if variables.get(path) is NO_NAME and (allowed is None or path in allowed)
    ]
    if "client.first_name" in variables or (
        allowed is not None and "client.first_name" not in allowed
    ):
        return tuple(nameless)
    if _is_nameless_company(variables):
        nameless.insert(0, "client.first_name")
    return tuple(nameless)


def _is_nameless_company(variables: Mapping[str, object]) -> bool:
    try:
        company = _lookup(variables, "client.client_type") == Client.Type.LEGAL_ENTITY
        return company and not _lookup(variables, "client.first_name")
    except Exception:
        return False  # a broken client object: greet as before rather than fail


class _NoName:
    """A greeting with no name to say (`greeting_for`): the renderer makes the template's
    greeting neutral instead. Printed, it is nothing."""

    def __str__(self) -> str:
        return ""

    def __repr__(self) -> str:
        return "NO_NAME"


NO_NAME = _NoName()
#: The placeholders that greet the client by name: `client.first_name` (and its alias
#: `{first_name}`) everywhere, the invoices' `customer.first_name` (I6 tags).
_GREETINGS = ("client.first_name", "customer.first_name")


@functools.lru_cache(maxsize=8)
def _greeting_slot(paths: tuple[str, ...], aliased: bool) -> re.Pattern[str]:
    """The greeting's placeholder with what surrounds it: the comma and spaces before it,
    the punctuation after it, and the character that follows (capitalised when the name
    opened the sentence). `{first_name}` only where it is the alias of `client.first_name`."""
    names = [*paths, *(["first_name"] if aliased and "client.first_name" in paths else [])]
    placeholders = "|".join(
        rf"\{{\{{\s*{re.escape(name)}\s*\}}\}}|\{{{re.escape(name)}\}}" for name in names
    )
    return re.compile(
        rf"(?P<pre>,?[ \t]*)(?P<name>{placeholders})(?P<post>[ \t]*[,!.]?[ \t]*)(?P<next>.?)"
    )


#: What ends a sentence: a name right after one (or at the start) opens the next.
_SENTENCE_END = ".!?…\n"


def _without_the_name(template: str, paths: tuple[str, ...], *, aliased: bool) -> str:
    """The template with its greeting made neutral, for a client with no name to greet:
    a name opening a sentence becomes the greeting itself ("{first_name}, your visit" →
    "Hello! Your visit"); a name inside one is left out with its comma ("Hello
    {first_name}!" → "Hello!", «Дякуємо, {first_name}, що…» → «Дякуємо, що…»).
    Only the template (staff's or the default) is rewritten, before any value is put in."""
    hello = pgettext("greeting a client whose name is not said", "Hello!")

    def neutral(match: re.Match[str]) -> str:
        pre, post, following = match.group("pre"), match.group("post"), match.group("next")
        before = match.string[: match.start()].rstrip(" \t")
        if "," not in pre and (not before or before[-1] in _SENTENCE_END):
            rest = f" {following.upper()}" if following else ""
            return f"{pre}{hello}{rest}"
        said = post.strip()
        return f"{said} {following}" if following else said

    return _greeting_slot(paths, aliased).sub(neutral, template)


#: Names read from the message's client when the sender gives no value of that name (the
#: client-wide variables of `messaging.events.CLIENT_WIDE_VARIABLES`).
CLIENT_FIELDS = {"cabinet_url": "client.cabinet_url"}


def _lookup(variables: Mapping[str, object], path: str) -> object:
    """A flat key "client.name" wins; otherwise walk the dotted path from the first part."""
    if path in variables:
        return _usable(variables[path])
    path = CLIENT_FIELDS.get(path, path)
    head, *rest = path.split(".")
    if not rest or head not in variables:
        return _MISSING
    value: object = variables[head]
    for part in rest:
        value = _step(value, part)
        if value is _MISSING:
            return _MISSING
    return _usable(value)


def _step(value: object, name: str) -> object:
    """One dotted step: a mapping key or a plain attribute; methods and classes stop the walk."""
    if isinstance(value, Mapping):
        return _usable(value.get(name, _MISSING))
    return _usable(getattr(value, name, _MISSING))


def _usable(value: object) -> object:
    """Callables are never called: a template must not be able to trigger behaviour."""
    return _MISSING if callable(value) else value


def _to_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return moment_in_words(value)
    if isinstance(value, date):
        return day_in_words(value)
    return str(value)


def _to_html(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, SafeData):
        return str(value)
    return str(escape(_to_text(value)))
