"""The entry's lesson is named as the schedule names it (review of 2026-12-05): "Group
class", not the model's old "group lesson" (the calendar's button, the join form and
`schedule.Visit.Kind` say "Group class")."""

from __future__ import annotations

import pytest
from django.utils import translation

from zapys.schedule.models import Visit
from zapys.waitlist.models import Entry


@pytest.mark.parametrize(("language", "label"), [("en", "group class"), ("uk", "групове заняття")])
def test_the_entrys_lesson_is_a_group_class(language, label):
    with translation.override(language):
        assert str(Entry._meta.get_field("lesson").verbose_name) == label
        assert str(Visit.Kind.LESSON.label).lower() == label
