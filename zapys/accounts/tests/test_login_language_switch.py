"""The sign-in page has one language switch (its own buttons under the form), not the public
pages' switch above it as well."""

from __future__ import annotations


def test_the_sign_in_page_has_one_language_switch(client, db):
    html = client.get("/login/").content.decode()
    assert html.count('data-testid="lang-switch"') == 1
    assert 'data-testid="language-switch"' not in html
    assert html.count(">Українська<") == 1 and html.count(">English<") == 1
