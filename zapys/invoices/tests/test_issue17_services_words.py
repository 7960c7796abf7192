"""The invoice template's tag buttons say «послуги» / "services" (an invoice lists services,
not a school's «предмети»), and the rule's conditions say "classes" as the Ukrainian says
«заняття» (issue 17)."""

from __future__ import annotations

import pytest
from django.utils import translation

from zapys.invoices.events import TAGS
from zapys.invoices.forms import RuleForm


@pytest.mark.parametrize(
    ("language", "word", "not_word"),
    [("uk", "послуги", "предмети"), ("en", "services", "subjects")],
)
def test_the_tag_buttons_name_services(language, word, not_word):
    with translation.override(language):
        labels = [str(label) for _tag, label in TAGS]
    assert sum(word in label for label in labels) == 2
    assert not any(not_word in label for label in labels)


def test_the_conditions_say_classes():
    fields = RuleForm.base_fields
    with translation.override("en"):
        labels = [str(fields[name].label) for name in ("attended_30_days", "lesson_today")]
    assert "Only if attended classes in the last 30 days" in labels
    assert "Only if there is a class that day" in labels
    assert not any("lesson" in label for label in labels)
