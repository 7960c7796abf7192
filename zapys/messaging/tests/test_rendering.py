"""Template rendering: values are data, never template code or markup."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from zapys.messaging.rendering import placeholders_in, render_html_template, render_template


@dataclass
class Client:
    first_name: str
    last_name: str = ""

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def broken(self) -> str:
        raise RuntimeError("database is gone")


# -- substitution -------------------------------------------------------------------------


def test_simple_and_dotted_placeholders() -> None:
    text = render_template(
        "Вітаємо, {client.first_name}! Запис {booking.date} о {time}.",
        {"client": Client("Олена"), "booking": {"date": "12.03"}, "time": "10:00"},
    )
    assert text == "Вітаємо, Олена! Запис 12.03 о 10:00."


def test_double_brace_synonym_with_or_without_spaces() -> None:
    variables = {"client": {"first_name": "Ігор"}}
    assert (
        render_template("{{ client.first_name }}|{{client.first_name}}", variables) == "Ігор|Ігор"
    )


def test_flat_dotted_key_wins() -> None:
    variables = {"client.first_name": "flat", "client": {"first_name": "nested"}}
    assert render_template("{client.first_name}", variables) == "flat"


def test_unknown_placeholders_stay_as_written() -> None:
    template = "Hi {client.nickname} {unknown} {{ nope }}"
    assert render_template(template, {"client": Client("A")}) == template


def test_not_allowed_placeholders_stay_as_written() -> None:
    variables = {"client": Client("Олена"), "secret": "s3cr3t"}
    text = render_template("{client.first_name} {secret}", variables, allowed=["client.first_name"])
    assert text == "Олена {secret}"


def test_values_are_converted_with_str_and_none_is_empty() -> None:
    assert render_template("{a}/{b}/{c}", {"a": 5, "b": None, "c": 1.5}) == "5//1.5"


def test_non_placeholders_are_untouched() -> None:
    template = 'JSON {"a": 1} {} { x } {1abc} {_private} {a..b} {{ a'
    assert render_template(template, {"a": "A", "x": "X"}) == template


# -- injection ----------------------------------------------------------------------------


def test_value_that_looks_like_django_template_stays_literal() -> None:
    client = Client("{{ settings.SECRET_KEY }}")
    text = render_template(
        "Hi {client.first_name}", {"client": client, "settings": {"SECRET_KEY": "x"}}
    )
    assert text == "Hi {{ settings.SECRET_KEY }}"


def test_value_that_is_a_placeholder_is_not_expanded_again() -> None:
    variables = {"client": {"name": "{client.phone}", "phone": "+380501234567"}}
    assert render_template("{client.name}", variables) == "{client.phone}"


def test_format_spec_style_values_stay_literal() -> None:
    variables = {"name": "{0.__class__.__mro__}", "other": "%(x)s ${x}"}
    assert render_template("{name} {other}", variables) == "{0.__class__.__mro__} %(x)s ${x}"


def test_script_is_literal_in_text_and_escaped_in_html() -> None:
    variables = {"client": Client("<script>alert(1)</script>")}
    assert render_template("{client.first_name}", variables) == "<script>alert(1)</script>"
    html = render_html_template("<p>Hi <b>{client.first_name}</b></p>", variables)
    assert html == "<p>Hi <b>&lt;script&gt;alert(1)&lt;/script&gt;</b></p>"


def test_html_escapes_quotes_and_ampersands() -> None:
    html = render_html_template('<a title="{t}">{t}</a>', {"t": '"O\'Neil" & Co'})
    assert (
        html == '<a title="&quot;O&#x27;Neil&quot; &amp; Co">&quot;O&#x27;Neil&quot; &amp; Co</a>'
    )


def test_html_keeps_values_the_application_marked_safe() -> None:
    link = mark_safe('<a href="https://zapys.test/c/abc">кабінет</a>')
    assert render_html_template("{link}", {"link": link}) == str(link)


def test_private_attributes_and_methods_are_unreachable() -> None:
    variables = {"client": Client("A")}
    for template in (
        "{client.__class__}",
        "{client._meta}",
        "{client.get_full_name}",
        "{{ client.__dict__ }}",
    ):
        assert render_template(template, variables) == template


def test_failing_attribute_leaves_placeholder() -> None:
    assert render_template("{client.broken}", {"client": Client("A")}) == "{client.broken}"


def test_broken_str_leaves_placeholder() -> None:
    class Bad:
        def __str__(self) -> str:
            raise ValueError("no")

    assert render_template("x{v}y", {"v": Bad()}) == "x{v}y"


def test_attribute_walk_through_plain_objects() -> None:
    booking = SimpleNamespace(service=SimpleNamespace(name="Манікюр"), staff=None)
    assert render_template("{booking.service.name}", {"booking": booking}) == "Манікюр"
    assert render_template("{booking.staff.name}", {"booking": booking}) == "{booking.staff.name}"


# -- placeholders_in ----------------------------------------------------------------------


def test_placeholders_in_order_without_duplicates() -> None:
    template = "{b} {{ a.x }} {b} {c} {{a.x}} {_no} {1no}"
    assert placeholders_in(template) == ["b", "a.x", "c"]


# -- properties ---------------------------------------------------------------------------

names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True)
values = st.one_of(st.text(), st.integers(), st.none(), st.floats(allow_nan=True))


@given(st.text(), st.dictionaries(names, values), st.none() | st.lists(names))
def test_rendering_never_raises(
    template: str, variables: dict[str, object], allowed: list[str] | None
) -> None:
    assert isinstance(render_template(template, variables, allowed=allowed), str)
    assert isinstance(render_html_template(template, variables, allowed=allowed), str)
    assert isinstance(placeholders_in(template), list)


@given(st.text())
def test_template_without_variables_is_unchanged(template: str) -> None:
    assert render_template(template, {}) == template


@given(st.text())
def test_any_value_is_inserted_verbatim(value: str) -> None:
    """Whatever a client types, it comes out exactly once and exactly as typed."""
    assert render_template("<{v}>", {"v": value, "x": "EXPANDED"}) == f"<{value}>"


@given(st.text())
def test_any_value_is_escaped_in_html(value: str) -> None:
    rendered = render_html_template("{v}", {"v": value})
    assert "<" not in rendered and ">" not in rendered and '"' not in rendered
