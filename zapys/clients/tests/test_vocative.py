"""The vocative of Ukrainian first names (issue 17: «Оксано, нагадуємо…», not «Оксана»).

Forms checked against Правопис 2019 (кличний відмінок of the first and second declensions)
and the dictionaries' usage; a name the rules are unsure of must come back as written."""

from __future__ import annotations

import pytest

from zapys.core.vocative import EXCEPTIONS, MASCULINE_E, vocative

FEMININE = [
    # -а, hard group: -о
    ("Оксана", "Оксано"),
    ("Ганна", "Ганно"),
    ("Анна", "Анно"),
    ("Ольга", "Ольго"),
    ("Катерина", "Катерино"),
    ("Олена", "Олено"),
    ("Ірина", "Ірино"),
    ("Тетяна", "Тетяно"),
    ("Галина", "Галино"),
    ("Світлана", "Світлано"),
    ("Людмила", "Людмило"),
    ("Валентина", "Валентино"),
    ("Олександра", "Олександро"),
    ("Ярослава", "Ярославо"),
    ("Мирослава", "Мирославо"),
    ("Богдана", "Богдано"),
    ("Зоряна", "Зоряно"),
    ("Уляна", "Уляно"),
    ("Христина", "Христино"),
    ("Дарина", "Дарино"),
    ("Яна", "Яно"),
    ("Алла", "Алло"),
    ("Лариса", "Ларисо"),
    ("Злата", "Злато"),
    ("Вероніка", "Вероніко"),
    ("Марина", "Марино"),
    ("Наталка", "Наталко"),
    ("Роксолана", "Роксолано"),
    ("Василина", "Василино"),
    # -ія: -є after the vowel
    ("Марія", "Маріє"),
    ("Юлія", "Юліє"),
    ("Наталія", "Наталіє"),
    ("Софія", "Софіє"),
    ("Соломія", "Соломіє"),
    ("Вікторія", "Вікторіє"),
    ("Анастасія", "Анастасіє"),
    ("Лілія", "Ліліє"),
    ("Дарія", "Даріє"),
    ("Євгенія", "Євгеніє"),
    ("Ксенія", "Ксеніє"),
    ("Надія", "Надіє"),
    # -я: the affectionate names and those declined like them take -ю; Катря -е; Зоя -є
    ("Юля", "Юлю"),
    ("Галя", "Галю"),
    ("Оля", "Олю"),
    ("Надя", "Надю"),
    ("Леся", "Лесю"),
    ("Олеся", "Олесю"),
    ("Маруся", "Марусю"),
    ("Наталя", "Наталю"),
    ("Катря", "Катре"),
    ("Зоя", "Зоє"),
    # the third declension
    ("Любов", "Любове"),
]

MASCULINE = [
    # a hard consonant: -е
    ("Іван", "Іване"),
    ("Максим", "Максиме"),
    ("Олександр", "Олександре"),
    ("Ігор", "Ігоре"),
    ("Лев", "Леве"),
    ("Роман", "Романе"),
    ("Тарас", "Тарасе"),
    ("Богдан", "Богдане"),
    ("Остап", "Остапе"),
    ("Назар", "Назаре"),
    ("Степан", "Степане"),
    ("Віктор", "Вікторе"),
    ("Борис", "Борисе"),
    ("Денис", "Денисе"),
    ("Артем", "Артеме"),
    ("Євген", "Євгене"),
    ("Володимир", "Володимире"),
    ("Ярослав", "Ярославе"),
    ("Святослав", "Святославе"),
    ("В'ячеслав", "В'ячеславе"),
    ("Любомир", "Любомире"),
    # г → ж; і → о in the last syllable
    ("Олег", "Олеже"),
    ("Федір", "Федоре"),
    ("Яків", "Якове"),
    ("Антін", "Антоне"),
    # -й, -ь: -ю
    ("Андрій", "Андрію"),
    ("Сергій", "Сергію"),
    ("Юрій", "Юрію"),
    ("Олексій", "Олексію"),
    ("Віталій", "Віталію"),
    ("Анатолій", "Анатолію"),
    ("Григорій", "Григорію"),
    ("Матвій", "Матвію"),
    ("Тимофій", "Тимофію"),
    ("Василь", "Василю"),
    ("Миколай", "Миколаю"),
    # -о
    ("Петро", "Петре"),
    ("Дмитро", "Дмитре"),
    ("Павло", "Павле"),
    ("Данило", "Даниле"),
    ("Кирило", "Кириле"),
    ("Михайло", "Михайле"),
    ("Марко", "Марку"),
    # -а, -я of the first declension
    ("Микола", "Миколо"),
    ("Микита", "Микито"),
    ("Лука", "Луко"),
    ("Сава", "Саво"),
    ("Ілля", "Ілле"),
]


@pytest.mark.parametrize(("name", "expected"), FEMININE)
def test_feminine_names(name: str, expected: str) -> None:
    assert vocative(name) == expected


@pytest.mark.parametrize(("name", "expected"), MASCULINE)
def test_masculine_names(name: str, expected: str) -> None:
    assert vocative(name) == expected


def test_the_list_is_long_enough_to_mean_something() -> None:
    assert len(FEMININE) >= 30 and len(MASCULINE) >= 30
    assert len({name for name, _ in FEMININE + MASCULINE}) == len(FEMININE) + len(MASCULINE)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "Anna",  # Latin letters
        "Olena",
        "Джон",  # a foreign masculine name: «Джоне» would read as a mistake
        "Марат",
        "Дмитрий",  # Russian spellings
        "Наталья",
        "Алёна",
        "Сергей",
        "Саша",  # mixed group / short forms with two accepted vocatives
        "Маша",
        "Настя",
        "Женя",
        "Ия",
        "Оксана1",
        "Oксана",  # a Latin O among Cyrillic letters
        "Ю",
        "Анна-Mary",  # a double name declines both parts or neither
    ],
)
def test_a_name_the_rules_are_unsure_of_comes_back_as_written(name: str) -> None:
    assert vocative(name) == name


def test_the_written_case_and_apostrophe_are_kept() -> None:
    assert vocative("ОКСАНА") == "ОКСАНО"
    assert vocative("оксана") == "оксано"
    assert vocative("В’ячеслав") == "В’ячеславе"  # the typographic apostrophe stays
    assert vocative("ФЕДІР") == "ФЕДОРЕ"
    assert vocative("  Оксана ") == "Оксано"


def test_a_double_name_declines_each_part() -> None:
    assert vocative("Анна-Марія") == "Анно-Маріє"
    assert vocative("Олена Марія") == "Олено Маріє"


def test_the_tables_hold_full_lower_case_forms() -> None:
    """A table entry is what `vocative` returns for the capitalised name (no stray case)."""
    for nominative, form in EXCEPTIONS.items():
        assert nominative == nominative.lower() and form == form.lower()
        assert vocative(nominative.capitalize()) == form.capitalize()
    for name in MASCULINE_E:
        assert vocative(name.capitalize()) == name.capitalize() + "е"
