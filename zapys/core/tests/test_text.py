from zapys.core.text import clean_line, has_control, strip_control


def test_strip_control_keeps_line_breaks_and_letters():
    assert (
        strip_control("Олена\x00 \x0bКоваль\nдруга\tрядок\x1b\x7f\x85")
        == "Олена Коваль\nдруга\tрядок"
    )


def test_clean_line_makes_one_line():
    assert clean_line("  Ім'я\r\n\tПрізвище\x00 ") == "Ім'я Прізвище"


def test_has_control():
    assert has_control("a\x0bb")
    assert not has_control("Звичайний текст\nз рядками\tі табом")
