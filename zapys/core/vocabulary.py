"""The few nouns that depend on the kind of business (issue 17): a salon's «Майстер» is a
school's «Викладач».

The catalogue's group side came from a school CRM, so a beauty salon read «Предмети та
типи занять», «Викладач», «Зали». Peers (Altegio) ask the kind of business at sign-up and
name things accordingly; `Organization.business_kind` is that answer, and `words_for`
gives the words for it. Only labels change: model fields, URLs and the API keep their
names ("subject", "teacher", "room"), so integrations see the same contract whatever the
words on the pages.

Every word is its own translatable text with the kind as its context
(`pgettext_lazy("salon", "Specialist")` → «Майстер»), because a noun's Ukrainian forms
and gender differ by kind («Новий кабінет», «Нова аудиторія») and cannot be assembled
from one another. A kind's table lists each phrase a page actually shows, nothing more.

Pages get the words without a query: the organization is already on the request
(`core.context_processors.shell` puts `words` into every staff template); forms ask
`words_for(organization)` or, where they have no organization at hand, `current_words()`
(the organization in scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrPromise

from zapys.core.tenancy import current_org

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


class BusinessKind(models.TextChoices):
    """What the organization is: chosen in the organization's settings."""

    SALON = "salon", _("Beauty salon or barbershop")
    CLINIC = "clinic", _("Clinic or medical practice")
    SCHOOL = "school", _("School or courses")
    STUDIO = "studio", _("Studio: dance, fitness, yoga")
    # Organizations that existed before the question was asked, and any other business:
    # words that read right anywhere.
    OTHER = "other", _("Other (neutral words)")


@dataclass(frozen=True)
class Words:
    """The phrases that differ by kind of business, each ready to show (lazy, so it is
    said in the language of the page that shows it)."""

    specialist: StrPromise  # who leads a group lesson: "Teacher" on a school's pages
    all_specialists: StrPromise  # a service no one in particular is chosen for: «Усі майстри»
    subject: StrPromise  # a `Subject`, e.g. «Йога»
    subjects: StrPromise
    lesson_type: StrPromise  # a `LessonType`, e.g. «Групове»
    lesson_types: StrPromise
    subjects_tab: StrPromise  # the catalogue tab listing both
    new_subject_or_type: StrPromise
    room: StrPromise
    rooms: StrPromise
    new_room: StrPromise
    no_rooms: StrPromise
    lessons_left_from: StrPromise  # an invoice rule's range of a membership's visits left
    lessons_left_to: StrPromise


SALON = Words(
    specialist=pgettext_lazy("salon", "Specialist"),
    all_specialists=pgettext_lazy("salon", "All specialists"),
    subject=pgettext_lazy("salon", "Area"),
    subjects=pgettext_lazy("salon", "Areas"),
    lesson_type=pgettext_lazy("salon", "Format"),
    lesson_types=pgettext_lazy("salon", "Formats"),
    subjects_tab=pgettext_lazy("salon", "Areas and formats"),
    new_subject_or_type=pgettext_lazy("salon", "New area or format"),
    room=pgettext_lazy("salon", "Room"),
    rooms=pgettext_lazy("salon", "Rooms"),
    new_room=pgettext_lazy("salon", "New room"),
    no_rooms=pgettext_lazy("salon", "No rooms yet."),
    lessons_left_from=pgettext_lazy("salon", "Visits left from"),
    lessons_left_to=pgettext_lazy("salon", "Visits left to"),
)

CLINIC = Words(
    specialist=pgettext_lazy("clinic", "Doctor"),
    all_specialists=pgettext_lazy("clinic", "All doctors"),
    subject=pgettext_lazy("clinic", "Specialty"),
    subjects=pgettext_lazy("clinic", "Specialties"),
    lesson_type=pgettext_lazy("clinic", "Format"),
    lesson_types=pgettext_lazy("clinic", "Formats"),
    subjects_tab=pgettext_lazy("clinic", "Specialties and formats"),
    new_subject_or_type=pgettext_lazy("clinic", "New specialty or format"),
    room=pgettext_lazy("clinic", "Room"),
    rooms=pgettext_lazy("clinic", "Rooms"),
    new_room=pgettext_lazy("clinic", "New room"),
    no_rooms=pgettext_lazy("clinic", "No rooms yet."),
    lessons_left_from=pgettext_lazy("clinic", "Visits left from"),
    lessons_left_to=pgettext_lazy("clinic", "Visits left to"),
)

SCHOOL = Words(
    specialist=pgettext_lazy("school", "Teacher"),
    all_specialists=pgettext_lazy("school", "All teachers"),
    subject=pgettext_lazy("school", "Subject"),
    subjects=pgettext_lazy("school", "Subjects"),
    lesson_type=pgettext_lazy("school", "Lesson type"),
    lesson_types=pgettext_lazy("school", "Lesson types"),
    subjects_tab=pgettext_lazy("school", "Subjects and lesson types"),
    new_subject_or_type=pgettext_lazy("school", "New subject or lesson type"),
    room=pgettext_lazy("school", "Classroom"),
    rooms=pgettext_lazy("school", "Classrooms"),
    new_room=pgettext_lazy("school", "New classroom"),
    no_rooms=pgettext_lazy("school", "No classrooms yet."),
    lessons_left_from=pgettext_lazy("school", "Lessons left from"),
    lessons_left_to=pgettext_lazy("school", "Lessons left to"),
)

STUDIO = Words(
    specialist=pgettext_lazy("studio", "Instructor"),
    all_specialists=pgettext_lazy("studio", "All instructors"),
    subject=pgettext_lazy("studio", "Discipline"),
    subjects=pgettext_lazy("studio", "Disciplines"),
    lesson_type=pgettext_lazy("studio", "Class type"),
    lesson_types=pgettext_lazy("studio", "Class types"),
    subjects_tab=pgettext_lazy("studio", "Disciplines and class types"),
    new_subject_or_type=pgettext_lazy("studio", "New discipline or class type"),
    room=pgettext_lazy("studio", "Room"),
    rooms=pgettext_lazy("studio", "Rooms"),
    new_room=pgettext_lazy("studio", "New room"),
    no_rooms=pgettext_lazy("studio", "No rooms yet."),
    lessons_left_from=pgettext_lazy("studio", "Classes left from"),
    lessons_left_to=pgettext_lazy("studio", "Classes left to"),
)

OTHER = Words(
    specialist=pgettext_lazy("any business", "Specialist"),
    all_specialists=pgettext_lazy("any business", "All specialists"),
    subject=pgettext_lazy("any business", "Area"),
    subjects=pgettext_lazy("any business", "Areas"),
    lesson_type=pgettext_lazy("any business", "Format"),
    lesson_types=pgettext_lazy("any business", "Formats"),
    subjects_tab=pgettext_lazy("any business", "Areas and formats"),
    new_subject_or_type=pgettext_lazy("any business", "New area or format"),
    room=pgettext_lazy("any business", "Room"),
    rooms=pgettext_lazy("any business", "Rooms"),
    new_room=pgettext_lazy("any business", "New room"),
    no_rooms=pgettext_lazy("any business", "No rooms yet."),
    lessons_left_from=pgettext_lazy("any business", "Visits left from"),
    lessons_left_to=pgettext_lazy("any business", "Visits left to"),
)

WORDS: dict[str, Words] = {
    BusinessKind.SALON: SALON,
    BusinessKind.CLINIC: CLINIC,
    BusinessKind.SCHOOL: SCHOOL,
    BusinessKind.STUDIO: STUDIO,
    BusinessKind.OTHER: OTHER,
}


def words_for(organization: Organization | None) -> Words:
    """The organization's words; the neutral ones with no organization or an unknown kind
    (a value written before a kind was removed must not break a page)."""
    kind = getattr(organization, "business_kind", None) or BusinessKind.OTHER
    return WORDS.get(kind, OTHER)


def current_words() -> Words:
    """The words of the organization in scope (forms built without one at hand)."""
    return words_for(current_org())


def relabel(form: forms.BaseForm, words: Words, **fields: str) -> None:
    """Give the form's fields the organization's words: `relabel(form, words,
    teacher="specialist")` labels the `teacher` field with `words.specialist`."""
    for field, word in fields.items():
        if field in form.fields:
            form.fields[field].label = getattr(words, word)


def word_choices(words: Words, **choices: str) -> list[tuple[str, Any]]:
    """Choices named with the organization's words: `word_choices(words,
    subject="subject")` → [("subject", words.subject)]."""
    return [(value, getattr(words, word)) for value, word in choices.items()]


def kinds_hint() -> SafeString:
    """The hint of the "kind of business" field: each kind with the words its pages show,
    read from the tables above so the hint cannot name a word no page uses («Майстер,
    Напрями, Кабінети» for a salon). Built when the form is, in the page's language.

    It promises the group lessons' words only (sixth tour, #10): «Майстер» is who leads a
    salon's group lesson, while the appointments' pages say «Спеціаліст» for every kind."""
    rows = (
        (label, WORDS[value].specialist, WORDS[value].subjects, WORDS[value].rooms)
        for value, label in BusinessKind.choices
    )
    return format_html(
        '{}<ul class="mb-0 ps-3">{}</ul>',
        _("Sets the words of the group lessons (who leads one, what it is, where):"),
        format_html_join("", "<li>{}: {}, {}, {}</li>", rows),
    )
