"""Every text marked for translation is translated, and no catalogue has a guess in it.

A string wrapped in `gettext` but missing from the catalogues is shown in English on the
Ukrainian page, silently; a fuzzy entry (a guess left by msgmerge) is not used at all.
This test reads the source itself, with no gettext tools: Python files with `ast` (the
calls makemessages would collect: `_`, `gettext`, `gettext_lazy`, `ngettext`, `pgettext`,
... with a literal text) and templates through Django's own `templatize`, the step
makemessages uses. Django merges every app's catalogue into one at runtime, so a text
translated in any app's catalogue counts.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR) / "zapys"
CATALOGUES = sorted(ROOT.glob("*/locale/uk/LC_MESSAGES/django.po"))

_SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop"}
_PLURAL = {"ngettext", "ngettext_lazy"}
_CONTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
# templatize writes gettext(u'...'), pgettext(u'ctx', u'...'), ngettext(u'..', u'..', n).
_TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\(((?:u?'(?:[^'\\]|\\.)*'\s*,?\s*)+)")

Key = tuple[str | None, str]


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def python_texts(path: Path) -> Iterator[tuple[Key, int]]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:  # a file that does not parse fails its own app's tests on import
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = (
            func.id
            if isinstance(func, ast.Name)
            else func.attr
            if isinstance(func, ast.Attribute)
            else None
        )
        args = [_literal(arg) for arg in node.args]
        if name in _SINGULAR | _PLURAL and args and args[0]:
            yield (None, args[0]), node.lineno
        elif name in _CONTEXT and len(args) >= 2 and args[0] and args[1]:
            yield (args[0], args[1]), node.lineno


def template_texts(path: Path) -> Iterator[tuple[Key, int]]:
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for match in _TEMPLATE_CALL.finditer(code):
        args = ast.literal_eval("(" + match.group(2).rstrip().rstrip(",") + ",)")
        line = code.count("\n", 0, match.start()) + 1
        if match.group(1) in ("pgettext", "npgettext"):
            yield (args[0], args[1]), line
        else:
            yield (None, args[0]), line


def source_texts() -> Iterator[tuple[Key, str]]:
    """(context, text) and where, for every marked text of the product (not tests)."""
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or "locale" in parts:
            continue
        if path.suffix == ".py":
            found = python_texts(path)
        elif "templates" in parts and path.suffix in (".html", ".txt"):
            found = template_texts(path)
        else:
            continue
        for key, line in found:
            yield key, f"{path.relative_to(ROOT.parent)}:{line}"


def translated() -> set[Key]:
    keys: set[Key] = set()
    for po_path in CATALOGUES:
        for entry in polib.pofile(str(po_path)):
            if entry.translated() and not entry.obsolete:
                keys.add((entry.msgctxt, entry.msgid))
    return keys


def test_the_reader_finds_what_makemessages_would() -> None:
    """The extraction itself is checked: a file with each kind of call gives each text."""
    sample = ROOT / "topups" / "templates" / "topups" / "client_topup.html"
    texts = {key for key, _ in template_texts(sample)}
    assert (None, "Top-up link") in texts
    assert (None, "Link for %(amount)s created. Send it to the client:") in texts
    python = {key for key, _ in python_texts(ROOT / "schedule" / "models.py")}
    assert python, "no gettext call found in schedule/models.py"
    code = "from x import y\n_('a'); pgettext_lazy('ctx', 'b'); ngettext('c', 'cs', 2); f(_(x))\n"
    path = Path(settings.BASE_DIR) / "var" / "catalogue_sample.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(code, encoding="utf-8")
    try:
        assert {key for key, _ in python_texts(path)} == {(None, "a"), ("ctx", "b"), (None, "c")}
    finally:
        path.unlink()


def test_every_marked_text_is_translated() -> None:
    known = translated()
    missing = sorted(
        {
            f"{where}: {key[1]!r}" + (f" (context {key[0]!r})" if key[0] else "")
            for key, where in source_texts()
            if key not in known
        }
    )
    assert not missing, "texts with no Ukrainian translation:\n" + "\n".join(missing)


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_no_untranslated_or_fuzzy_entry(po_path: Path) -> None:
    catalogue = polib.pofile(str(po_path))
    bad = [f"untranslated: {e.msgid!r}" for e in catalogue.untranslated_entries()]
    bad += [f"fuzzy: {e.msgid!r}" for e in catalogue.fuzzy_entries()]
    assert not bad, f"{po_path}:\n" + "\n".join(bad)


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_no_text_defined_twice(po_path: Path) -> None:
    """A msgid written twice in one catalogue (two helpers adding the same text by hand):
    gettext's msgfmt refuses the file and polib keeps whichever comes last, so which
    translation a page shows depended on the order of the file."""
    seen: dict[tuple[str, str], int] = {}
    twice = []
    for entry in polib.pofile(str(po_path)):
        key = (entry.msgctxt or "", entry.msgid)
        if key in seen:
            twice.append(f"{entry.msgid!r} (lines {seen[key]} and {entry.linenum})")
        seen[key] = entry.linenum
    assert not twice, f"{po_path}:\n" + "\n".join(twice)


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_translations_keep_the_placeholders(po_path: Path) -> None:
    """A translation that drops or renames %(amount)s raises KeyError on the page."""
    bad = []
    for entry in polib.pofile(str(po_path)):
        if not entry.translated() or entry.obsolete:
            continue
        wanted = {a or b for a, b in _PLACEHOLDER.findall(entry.msgid)}
        targets = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        for target in targets:
            if {a or b for a, b in _PLACEHOLDER.findall(target)} != wanted:
                bad.append(f"{entry.msgid!r} -> {target!r}")
    assert not bad, f"{po_path}:\n" + "\n".join(bad)


def test_messages_name_a_visit_one_way() -> None:
    """A client's message names a visit as «Манікюр класичний», 5 грудня о 14:00 — the
    service in quotes, «о» before the time — in every app; one said "(Стрижка жіноча,
    5 грудня 00:26)" and the next "(«Манікюр класичний», 10 грудня 14:00)"."""
    bad = []
    for po_path in CATALOGUES:
        for entry in polib.pofile(str(po_path)):
            text = entry.msgstr
            names_a_visit = "{service}" in text and "{time}" in text
            if names_a_visit and ("«{service}»" not in text or "о {time}" not in text):
                bad.append(f"{po_path.parts[-5]}: {text!r}")
    assert not bad, "\n".join(bad)


def test_a_hint_says_what_an_empty_field_means_as_a_sentence() -> None:
    """«Порожньо: ціна послуги» read as a label of something empty; the hints say «Якщо не
    заповнено — ціна послуги»."""
    bad = [
        f"{po_path.parts[-5]}: {entry.msgstr!r}"
        for po_path in CATALOGUES
        for entry in polib.pofile(str(po_path))
        if "Порожньо" in entry.msgstr
    ]
    assert not bad, "\n".join(bad)


def test_one_text_one_translation() -> None:
    """The same English text (and context) means one thing in every catalogue.

    Django merges the catalogues and the app listed first in INSTALLED_APPS wins, so a text
    translated two ways shows the other app's meaning on a page ("Order" read "Порядок", a
    sort order, on the payment page). Where the meanings differ, split them with a context
    (pgettext, `{% translate "..." context "..." %}`); where they are the same, translate alike.
    """
    seen: dict[Key, dict[str, str]] = {}
    for po_path in CATALOGUES:
        for entry in polib.pofile(str(po_path)):
            if entry.translated() and not entry.obsolete and not entry.msgid_plural:
                seen.setdefault((entry.msgctxt, entry.msgid), {})[po_path.parts[-5]] = entry.msgstr
    ambiguous = {key: apps for key, apps in seen.items() if len(set(apps.values())) > 1}
    assert not ambiguous, "one text, two translations (use pgettext):\n" + "\n".join(
        f"{key[1]!r}: {apps}" for key, apps in ambiguous.items()
    )


def test_staff_are_named_one_way() -> None:
    """«Передоплату запросив працівник» on one page and «Новий співробітник» on another:
    the product says «працівник» (the word most of its texts used), issue 17."""
    bad = [
        f"{po_path.parts[-5]}: {entry.msgstr or entry.msgstr_plural!r}"
        for po_path in CATALOGUES
        for entry in polib.pofile(str(po_path))
        if not entry.obsolete
        and "співробітн" in (entry.msgstr + "".join(entry.msgstr_plural.values())).lower()
    ]
    assert not bad, "\n".join(bad)
