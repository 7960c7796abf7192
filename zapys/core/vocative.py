"""The vocative case (кличний відмінок) of a Ukrainian first name: «Оксано, нагадуємо…».

A Ukrainian message addresses its reader in the vocative; English has no such form, so
only Ukrainian messages use it (`Client.greeting_in`). The rules are those of Правопис
2019 for the first declension (-а, -я: «Оксано», «Маріє»; some affectionate names -ю:
«Галю», «Юлю») and the second (a hard consonant -е: «Іване»; -й, -ь -ю: «Андрію»,
«Василю»; «Ігоре» by tradition), plus a table of common names whose form no ending
predicts («Олеже», «Федоре», «Петре», «Марку»).

Only what is certain is declined. A name written in Latin letters, with Russian letters
or endings («Дмитрий», «Наталья»), a masculine name ending in a consonant that is not a
known Ukrainian one («Джон»), a short form with two accepted vocatives («Настя»: Насте
or Настю; «Саша») is returned as written: «Джон, нагадуємо…» reads plain, «Джоне» or a
wrong ending reads as a mistake in the client's own name. Staff can write the form
themselves (`Client.first_name_vocative`).

«Наталя» → «Наталю», not the «Натале» a blind -я → -е rule gives: the name is declined as
the short forms it came from (Галю, Марусю), as O. Ponomariv and the dictionaries say.
"""

from __future__ import annotations

import re

# Every way people type the apostrophe in «В'ячеслав»; the lookup reads them as one.
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})
# A Ukrainian word: Cyrillic letters of the Ukrainian alphabet and the apostrophe. Russian
# letters (ы, э, ъ, ё) are not among them, so «Алёна» stays as written.
_UKRAINIAN_WORD = re.compile(r"[абвгґдеєжзиіїйклмнопрстуфхцчшщьюя']+")
# First-declension names in -а after these take -о («Оксано», «Ольго», «Миколо»). After a
# hushing consonant (ж, ч, ш, щ: «Саша», «Маша») the mixed group's ending is disputed for
# names; after ц or a vowel the name is foreign or rare: neither is declined.
_HARD_BEFORE_A = frozenset("бвгґдзклмнпрстфх")

# Names whose vocative no ending rule gives, or that a rule would leave alone: the full
# nominative → the full vocative, in lower case.
EXCEPTIONS: dict[str, str] = {
    # masculine: г → ж before -е; і → о in the closed last syllable (Федір, Федора, Федоре)
    "олег": "олеже",
    "федір": "федоре",
    "яків": "якове",
    "сидір": "сидоре",
    "антін": "антоне",
    "прокіп": "прокопе",
    "охрім": "охриме",
    "тиміш": "тимоше",
    "нечипір": "нечипоре",
    # masculine in -о: -ро, -ло → -ре, -ле; the suffix -к- takes -у
    "петро": "петре",
    "дмитро": "дмитре",
    "павло": "павле",
    "данило": "даниле",
    "кирило": "кириле",
    "гаврило": "гавриле",
    "михайло": "михайле",
    "марко": "марку",
    "левко": "левку",
    "юрко": "юрку",
    "сашко": "сашку",
    "марк": "марку",
    # soft masculine in -ь, -ай: -ю
    "василь": "василю",
    "олесь": "олесю",
    "кость": "костю",
    "миколай": "миколаю",
    # soft first declension: -е (Ілля, Катря), after a vowel -є (Зоя)
    "ілля": "ілле",
    "катря": "катре",
    "зоя": "зоє",
    # affectionate names in -я, and the names declined like them: -ю
    "галя": "галю",
    "ганя": "ганю",
    "оля": "олю",
    "юля": "юлю",
    "таня": "таню",
    "надя": "надю",
    "катя": "катю",
    "соня": "соню",
    "валя": "валю",
    "ліля": "лілю",
    "люся": "люсю",
    "леся": "лесю",
    "олеся": "олесю",
    "маруся": "марусю",
    "наталя": "наталю",
    # feminine of the third declension
    "любов": "любове",
}

# Masculine names ending in a hard consonant that take -е («Іване», «Ігоре», «Леве»). A
# consonant-final name not listed here (and not in -слав, -мир) may be foreign («Джон»,
# «Марат») or feminine («Любов»), so it is left as written.
MASCULINE_E = frozenset(
    """
    іван максим олександр ігор лев роман тарас богдан остап назар захар степан антон
    вадим руслан віктор борис семен денис артем арсен адам давид демид єгор орест устим
    юліан валентин мартин нестор платон герман гліб леонід євген едуард альберт роберт
    тимур іларіон наум пилип філіп трохим харитон северин симон омелян клим климент ян
    всеволод любомир
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
# Old Slavic compound names: every one of them takes -е (Ярославе, Володимире).
_MASCULINE_E_ENDINGS = ("слав", "мир")


def vocative(name: str) -> str:
    """The vocative of a Ukrainian first name («Оксана» → «Оксано»), or the name as written
    when the rules are not sure of it. A double name declines each part («Анна-Марія» →
    «Анно-Маріє») or neither."""
    text = name.strip()
    if not text:
        return name
    words = re.split(r"([\s-]+)", text)
    declined = []
    for index, word in enumerate(words):
        if index % 2:  # a separator: a hyphen or a space
            declined.append(word)
            continue
        form = _declined(word)
        if form is None:
            return name
        declined.append(form)
    return "".join(declined)


def _declined(word: str) -> str | None:
    """One word in the vocative, keeping its letters and case; None when unsure."""
    key = word.translate(_APOSTROPHES).lower()
    if len(key) < 2 or not _UKRAINIAN_WORD.fullmatch(key):
        return None
    ending = _ending(key)
    if ending is None:
        return None
    cut, added = ending
    stem = word[: len(word) - cut]
    return stem + (added.upper() if word.isupper() else added)


def _ending(key: str) -> tuple[int, str] | None:
    """How the nominative's end changes: (letters cut, letters added); None when unsure."""
    if key in EXCEPTIONS:
        return _difference(key, EXCEPTIONS[key])
    if key in MASCULINE_E:
        return 0, "е"
    if len(key) < 3:
        return None
    if key.endswith("ія"):  # Марія, Юлія, Соломія: -є after a vowel
        return 1, "є"
    if key.endswith("а") and key[-2] in _HARD_BEFORE_A:  # Оксана, Ольга, Микола
        return 1, "о"
    if key.endswith("ій"):  # Андрій, Сергій, Юрій
        return 1, "ю"
    if key.endswith(_MASCULINE_E_ENDINGS):
        return 0, "е"
    return None


def _difference(nominative: str, vocative_form: str) -> tuple[int, str]:
    """The end that changes between two forms («федір», «федоре» → cut 2, add «оре»), so
    the written name keeps its own letters and apostrophe up to there."""
    same = 0
    while (
        same < min(len(nominative), len(vocative_form)) and nominative[same] == vocative_form[same]
    ):
        same += 1
    return len(nominative) - same, vocative_form[same:]
