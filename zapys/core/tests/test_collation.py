from zapys.core.collation import ukrainian_sort_key


def test_ukrainian_letters_sort_in_alphabet_order():
    names = ["Яблуко", "Їжак", "Ґанок", "Гора", "Єва", "Ірина", "Ель", "Ибрагім", "Абрамович"]
    assert sorted(names, key=ukrainian_sort_key) == [
        "Абрамович",
        "Гора",
        "Ґанок",
        "Ель",
        "Єва",
        "Ибрагім",
        "Ірина",
        "Їжак",
        "Яблуко",
    ]


def test_case_and_apostrophe_do_not_decide_before_letters():
    # The apostrophe is skipped: "п'ять" sorts as "пять" (с < т, н < ь).
    assert sorted(["п'ять", "Пятниця", "пясток"], key=ukrainian_sort_key) == [
        "пясток",
        "Пятниця",
        "п'ять",
    ]
    assert sorted(["олена", "Олег"], key=ukrainian_sort_key) == ["Олег", "олена"]


def test_cyrillic_before_latin_and_digits_first():
    assert sorted(["Zumba", "Йога", "3D-масаж", "Aqua"], key=ukrainian_sort_key) == [
        "3D-масаж",
        "Йога",
        "Aqua",
        "Zumba",
    ]
