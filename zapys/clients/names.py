"""A client's name in parts: last name, first name, optional middle name (patronymic).

Staff pages show the Ukrainian order, "Кравець Андрій Петрович" (`display_name`, stored in
`Client.name` so every list, search and export keeps working); messages greet by the first
name. Where a name arrives as one line (the API's `name`, an import file, the names stored
before the parts existed), `split_name` guesses the parts: a patronymic is recognised by
its ending, a common first name written first ("Олена Тест", as clients type themselves)
is taken as the first name, otherwise the staff order "Surname Name" is assumed. A name
given on one line stays the display name as typed (only the parts are derived from it).
"""

from __future__ import annotations

from typing import NamedTuple

# Endings of Ukrainian (and Russian) patronymics: Петрович, Андріївна, Ілліч is rare enough.
_PATRONYMIC_ENDINGS = ("ович", "евич", "йович", "івна", "ївна", "овна", "евна", "ична")

# Common first names: only used to tell "Олена Тест" (first name first) from
# "Тест Олена" (surname first) when a name comes as one line. Lower case.
COMMON_FIRST_NAMES = frozenset(
    """
    олена олександра олександр андрій анна ганна марія оксана ірина наталія наталя тетяна
    юлія катерина світлана людмила ольга галина валентина вікторія дарина дарія софія
    соломія анастасія христина яна інна алла віра надія любов лариса мирослава ярослава
    богдана злата зоряна уляна вероніка аліна діана поліна кіра мілана єва ева аліса лілія
    іванна майя марина таміла василина орися роксолана кароліна ангеліна
    іван петро павло михайло микола василь володимир дмитро сергій олег юрій ігор віктор
    тарас богдан ярослав мирослав роман максим артем денис євген остап назар захар марко
    матвій тимофій данило кирило степан антон олексій віталій вадим руслан станіслав
    ростислав святослав григорій федір леонід анатолій валерій борис семен костянтин
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


class NameParts(NamedTuple):
    last_name: str
    first_name: str
    middle_name: str


def display_name(last_name: str, first_name: str, middle_name: str = "") -> str:
    """The Ukrainian order for staff pages: "Кравець Андрій Петрович"."""
    return " ".join(part for part in (last_name, first_name, middle_name) if part)


def _is_patronymic(word: str) -> bool:
    return len(word) > 5 and word.casefold().endswith(_PATRONYMIC_ENDINGS)


def _is_first_name(word: str) -> bool:
    return word.casefold() in COMMON_FIRST_NAMES


def split_name(text: str) -> NameParts:
    """Guess the parts of a name typed on one line (see the module's docstring)."""
    words = text.split()
    if not words:
        return NameParts("", "", "")
    if len(words) == 1:
        return NameParts("", words[0], "")
    if len(words) == 2:
        first, second = words
        if _is_first_name(first) and not _is_first_name(second):
            return NameParts(second, first, "")
        return NameParts(first, second, "")
    if len(words) == 3 and _is_patronymic(words[1]) and not _is_patronymic(words[2]):
        # "Олена Петрівна Коваль": name, patronymic, surname.
        return NameParts(words[2], words[0], words[1])
    return NameParts(words[0], words[1], " ".join(words[2:]))
