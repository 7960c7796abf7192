"""`?lang=` in an address (core.middleware.LanguageLinkMiddleware): the page's language
for everyone, kept in the cookie for a client, not for a signed-in staff member (the cookie
is their work pages' language). The public pages themselves are walked in
waitlist/tests/test_public_language_switch.py."""

from __future__ import annotations

from zapys.core.templatetags.language_links import language_url


def test_a_staff_members_preview_in_english_leaves_their_pages_ukrainian(staff_client, org):
    staff_client.cookies["django_language"] = "uk"
    preview = staff_client.get(f"/book/{org.slug}/?lang=en")
    assert '<html lang="en">' in preview.content.decode()
    assert "django_language" not in preview.cookies
    dashboard = staff_client.get("/")
    assert '<html lang="uk">' in dashboard.content.decode()


def test_a_visitor_without_a_cookie_gets_one(client, org):
    response = client.get(f"/book/{org.slug}/?lang=en")
    cookie = response.cookies["django_language"]
    assert cookie.value == "en" and cookie["max-age"] == 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    assert '<html lang="uk">' in client.get(f"/book/{org.slug}/?lang=uk").content.decode()


def test_the_api_keeps_its_own_rule(client):
    response = client.get("/api/v1/nothing-here/?lang=uk")
    assert "django_language" not in response.cookies


def test_the_switch_link_keeps_the_query(rf):
    request = rf.get("/c/token/", {"card": "7", "lang": "en", "from": "sms"})
    assert language_url({"request": request}, "uk") == "/c/token/?card=7&lang=uk&from=sms"
    assert language_url({}, "en") == "?lang=en"
