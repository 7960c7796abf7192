"""Issue 17 on the payment-link funnel: a link's message that the test mode "sent" (the demo's
console transport) reached no one. It is its own figure — a tile, a column, an export column
— never counted as sent or delivered, as the single message's badge says "Test mode: not
sent". An organization that never used the test mode sees the funnel as before."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import time_machine

from tests.factories import SYSTEM
from tests.factories_payments import make_account, make_client
from zapys.messaging.models import Message
from zapys.payments.services import payment_create
from zapys.reports.tests.conftest import at

URL = "/reports/payment-links/"


def _link(org, account, *, status: str, transport_code: str, day: int) -> None:
    customer = make_client(org)
    with time_machine.travel(at(day, 10), tick=False):
        payment_create(
            organization=org, account=account, purpose="top_up", purpose_object=customer,
            client=customer, amount=10_000, currency="UAH", description="Link", actor=SYSTEM,
        )  # fmt: skip
        Message.objects.create(
            organization=org, client=customer, recipient="+380670000000", channel="sms",
            event="test.link", text="Pay here", related_type="clients.client",
            related_id=str(customer.pk), idempotency_key=f"link:{customer.pk}", status=status,
            transport_code=transport_code,
        )  # fmt: skip


def _build(org, *, test_mode: bool) -> None:
    account = make_account(org, "sandbox")
    _link(org, account, status="delivered", transport_code="turbosms", day=2)
    _link(org, account, status="sent", transport_code="turbosms", day=3)
    _link(org, account, status="failed", transport_code="turbosms", day=4)
    if test_mode:
        _link(org, account, status="delivered", transport_code="console", day=5)
        _link(org, account, status="delivered", transport_code="console", day=6)
        _link(org, account, status="failed", transport_code="console", day=7)


def _export(staff_client) -> list[list[str]]:
    response = staff_client.get(URL, {"period": "this_month", "export": "csv"})
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_test_modes_messages_are_not_sent_or_delivered(staff_client, org, today):
    _build(org, test_mode=True)
    staff_client.cookies["django_language"] = "en"
    page = staff_client.get(URL, {"period": "this_month"})
    total = page.context["funnel"].total
    assert (total.links, total.messaged, total.sent, total.delivered) == (6, 6, 2, 1)
    assert total.test_mode == 2
    # not sent: the two failures; the test mode's are not in it (they are their own figure)
    assert total.unsent == 2
    # delivered of what a real transport was given (the test mode's reached no one)
    assert total.delivered_share == 25
    (sms,) = page.context["funnel"].by_channel
    assert (sms.sent, sms.delivered, sms.test_mode) == (2, 1, 2)


def test_the_page_and_the_export_show_the_test_mode_in_both_languages(staff_client, org, today):
    _build(org, test_mode=True)
    for language, words in (("en", "Test mode, not sent"), ("uk", "Тестовий режим, не надіслано")):
        staff_client.cookies["django_language"] = language
        html = staff_client.get(URL, {"period": "this_month"}).content.decode()
        # the messages tile: all the links' messages, then how many were really sent
        assert 'data-testid="messaged">6<' in html
        assert 'data-testid="test-mode">2<' in html
        assert re.search(r'data-testid="sent">2<', html)
        assert re.search(r'data-testid="delivered">1<', html)
        # a column in each table (by purpose, channel, hour), its figure per row
        assert html.count(f'<th class="text-end">{words}</th>') == 3
        assert 'data-testid="stage-test-mode">2<' in html
        rows = _export(staff_client)
        assert rows[0][3:7] == (
            ["Sent", "Delivered", words, "Opened"]
            if language == "en"
            else ["Надіслано", "Доставлено", words, "Відкрито"]
        )
        assert rows[1][2:6] == ["6", "2", "1", "2"]


def test_without_the_test_mode_nothing_changes(staff_client, org, today):
    _build(org, test_mode=False)
    for language, words in (("en", "Test mode, not sent"), ("uk", "Тестовий режим, не надіслано")):
        staff_client.cookies["django_language"] = language
        page = staff_client.get(URL, {"period": "this_month"})
        total = page.context["funnel"].total
        assert (total.messaged, total.sent, total.delivered, total.test_mode) == (3, 2, 1, 0)
        assert total.delivered_share == 33
        html = page.content.decode()
        assert words not in html and 'data-testid="test-mode"' not in html
        assert "test-mode-banner" not in html and 'data-testid="messaged"' not in html
        rows = _export(staff_client)
        assert words not in rows[0] and len(rows[0]) == 12
        assert rows[1][2:6] == ["3", "2", "1", "0"]  # links, sent, delivered, opened


BANNERS = {
    "en": (
        "Test mode. Messages with payment links that went through the test mode: 2. Nobody "
        "received them: they are only recorded in Messages. Below they are counted apart from "
        "the messages sent and delivered. To send for real, connect an SMS gateway or a "
        "messenger in the settings."
    ),
    "uk": (
        "Тестовий режим. Повідомлень із посиланнями на оплату, що пройшли через тестовий "
        "режим: 2. Їх ніхто не отримав: вони лише записані в «Повідомленнях». Нижче їх "
        "пораховано окремо від надісланих і доставлених. Щоб повідомлення справді надходили "
        "клієнтам, підключіть SMS-шлюз або месенджер у налаштуваннях."
    ),
}


def _text(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">(.*?)</div></div>', html, re.S)
    assert match, testid
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def test_one_banner_explains_the_test_mode_and_the_tile_adds_up(staff_client, org, today):
    """ "Sent by message 0" beside "SMS 38" read as a contradiction: in the test mode one
    banner says why, and the messages tile counts every link's message, split into sent, test
    mode and not sent (2 + 2 + 2 = 6, the SMS row's links)."""
    _build(org, test_mode=True)
    for language, tile in (
        ("en", "sent 2 · test mode 2 · not sent 2"),
        ("uk", "надіслано 2 · тестовий режим 2 · не надіслано 2"),
    ):
        staff_client.cookies["django_language"] = language
        html = staff_client.get(URL, {"period": "this_month"}).content.decode()
        assert html.count('data-testid="test-mode-banner"') == 1
        assert _text(html, "test-mode-banner").replace(" .", ".") == BANNERS[language]
        assert _text(html, "sent-split") == tile
        (sms,) = re.findall(r'<tr><td [^>]*data-testid="stage-label">SMS</td>'
                            r'<td class="text-end">(\d+)</td>', html)  # fmt: skip
        assert sms == "6"
