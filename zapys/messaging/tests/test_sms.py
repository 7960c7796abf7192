"""SMS encoding and part counts (GSM 03.38 / UCS-2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zapys.messaging.sms import GSM7_BASIC, GSM7_EXTENSION, SmsInfo, is_gsm7, sms_parts

gsm_basic_text = st.text(alphabet=sorted(GSM7_BASIC))
gsm_text = st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION))
cyrillic = st.characters(min_codepoint=0x0400, max_codepoint=0x04FF)


def test_tables_have_the_standard_sizes() -> None:
    assert len(GSM7_BASIC) == 127  # 128 codes minus the escape
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SmsInfo("GSM-7", 0, 0, 160)),
        ("a", SmsInfo("GSM-7", 1, 1, 160)),
        ("a" * 160, SmsInfo("GSM-7", 160, 1, 160)),
        ("a" * 161, SmsInfo("GSM-7", 161, 2, 153)),
        ("a" * 306, SmsInfo("GSM-7", 306, 2, 153)),
        ("a" * 307, SmsInfo("GSM-7", 307, 3, 153)),
        ("€" * 80, SmsInfo("GSM-7", 160, 1, 160)),
        ("€" * 81, SmsInfo("GSM-7", 162, 2, 153)),
        ("Привіт", SmsInfo("UCS-2", 6, 1, 70)),
        ("я" * 70, SmsInfo("UCS-2", 70, 1, 70)),
        ("я" * 71, SmsInfo("UCS-2", 71, 2, 67)),
        ("я" * 134, SmsInfo("UCS-2", 134, 2, 67)),
        ("я" * 135, SmsInfo("UCS-2", 135, 3, 67)),
        ("a" * 159 + "ї", SmsInfo("UCS-2", 160, 3, 67)),
    ],
)
def test_known_sizes(text: str, expected: SmsInfo) -> None:
    assert sms_parts(text) == expected


def test_extension_characters_count_twice() -> None:
    assert sms_parts("[]{}~^|\\€\f").length == 20
    assert sms_parts("@£$¥èéùìòÇΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡§¿ÄÖÑÜäöñüà").encoding == "GSM-7"


def test_lookalikes_outside_the_alphabet_force_ucs2() -> None:
    for text in ("`", "ç", "á", "«", "’", "—", "Ї", "\t"):
        assert sms_parts(text).encoding == "UCS-2", text


def test_escape_pair_is_never_split_across_parts() -> None:
    # 152 septets then "€" (2): the pair does not fit in part one's 153, so it moves.
    info = sms_parts("a" * 152 + "€" + "a" * 152)
    assert (info.length, info.parts) == (306, 3)
    assert sms_parts("a" * 151 + "€" + "a" * 153).parts == 2


def test_emoji_are_two_ucs2_units_and_not_split() -> None:
    assert sms_parts("🙂").length == 2
    assert sms_parts("я" * 66 + "🙂" + "я" * 66).parts == 3  # 134 units, yet 3 parts
    assert sms_parts("я" * 65 + "🙂" + "я" * 67).parts == 2


@given(gsm_text)
def test_gsm_only_text_encodes_gsm7(text: str) -> None:
    info = sms_parts(text)
    assert info.encoding == "GSM-7"
    assert is_gsm7(text)


@given(gsm_basic_text)
def test_basic_only_length_is_character_count(text: str) -> None:
    assert sms_parts(text).length == len(text)


@given(st.text(), cyrillic, st.text())
def test_any_cyrillic_letter_forces_ucs2(before: str, letter: str, after: str) -> None:
    assert sms_parts(before + letter + after).encoding == "UCS-2"


@given(st.text(), st.text())
def test_parts_are_monotonic(text: str, extra: str) -> None:
    assert sms_parts(text).parts <= sms_parts(text + extra).parts


@given(st.text())
def test_parts_cover_the_length(text: str) -> None:
    info = sms_parts(text)
    assert info.per_part * info.parts >= info.length
    if info.parts > 1:
        assert info.per_part in (153, 67)
        # Greedy packing wastes at most one unit per part boundary.
        assert info.parts <= -(-info.length // (info.per_part - 1))
    assert (info.parts == 0) == (text == "")
