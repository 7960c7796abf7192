"""A number shown to a person reads "№7" in Ukrainian and "#7" in English, one way everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from zapys.core.numbers import model_name, numbered

ROOT = Path(settings.BASE_DIR) / "zapys"
_BLOCK = re.compile(r"\{%\s*blocktranslate.*?\{%\s*endblocktranslate\s*%\}", re.S)
_BY_HAND = re.compile(r"(#|№|No\.)\s?\{\{")


def test_numbered_in_both_languages() -> None:
    with translation.override("uk"):
        assert numbered(7) == "№7"
        assert Template("{% load zapys_numbers %}{{ 7|numbered }}").render(Context()) == "№7"
        assert model_name("schedule.visit") == "Візит"
    with translation.override("en"):
        assert numbered(7) == "#7"
        assert model_name("schedule.visit") == "Visit"
    assert model_name("no.such_model") == "no.such_model"


def test_no_template_writes_a_number_sign_by_hand() -> None:
    """Outside a translated text, "#{{ x.pk }}" shows "#" to a Ukrainian (and "№{{" shows
    "№" to an English reader): use `|numbered`."""
    bad = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        text = _BLOCK.sub("", path.read_text(encoding="utf-8"))
        for match in _BY_HAND.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            bad.append(f"{path.relative_to(ROOT)}:{line}")
    assert not bad, "\n".join(bad)


def test_catalogues_write_numbers_one_way() -> None:
    """English texts say "#7", Ukrainian "№7" (no "No. 7", no "#7" in Ukrainian)."""
    bad = []
    for po_path in sorted(ROOT.glob("*/locale/uk/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete or not entry.msgstr:
                continue
            if re.search(r"No\.\s?(%\(|\{)", entry.msgid):
                bad.append(f"{po_path.parts[-5]}: English 'No.': {entry.msgid!r}")
            if re.search(r"#\s?(%\(|\{)", entry.msgstr) or re.search(r"№ (%\(|\{)", entry.msgstr):
                bad.append(f"{po_path.parts[-5]}: {entry.msgid!r} -> {entry.msgstr!r}")
            if re.search(r"#(%\(|\{)", entry.msgid) and "№" not in entry.msgstr:
                bad.append(f"{po_path.parts[-5]}: no '№' in {entry.msgstr!r}")
    assert not bad, "\n".join(bad)
