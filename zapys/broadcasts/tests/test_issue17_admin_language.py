"""Issue 17, the broadcasts part of the review tour: the channel to send through offers
only what the organization can send through, and the test mode's badge in the list stays
on one line."""

from __future__ import annotations

import re

import pytest

from tests.factories_messaging import make_transport_account

pytestmark = pytest.mark.django_db


def _channel_choices(page: str) -> list[str]:
    select = page.split('name="channel"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_form_offers_only_connected_channels(org, staff_page):
    for channel in ("sms", "telegram"):
        make_transport_account(org, channel)
    # "" is the automatic choice (messaging's channel order).
    assert _channel_choices(staff_page("broadcasts:new")) == ["", "sms", "telegram"]


def test_every_channel_is_offered_when_every_channel_is_connected(org, consoles, staff_page):
    assert _channel_choices(staff_page("broadcasts:new")) == [
        "",
        "sms",
        "email",
        "telegram",
        "viber",
    ]


def test_the_test_mode_badge_in_the_list_does_not_wrap(org, sent_broadcast, staff_page):
    sent_broadcast(1)
    (badge,) = re.findall(
        r'<span class="([^"]*)" data-testid="broadcast-test-mode"', staff_page("broadcasts:list")
    )
    assert "text-nowrap" in badge.split() and "text-wrap" not in badge.split()
