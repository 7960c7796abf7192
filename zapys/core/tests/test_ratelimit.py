"""The limit on unknown-token lookups of public pages (issue 10, `core.ratelimit`).

About 300 guesses a second were possible on `/pay/<token>/`, `/p/<token>/` and
`/book/<org>/done/<token>/`. Now an address gets ZAPYS_TOKEN_MISSES_PER_MINUTE misses
a minute across all of them, then a readable 429 for every token page until the
minute is over; other addresses are never affected.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import path

from tests.factories_payments import make_account, make_topup
from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type
from zapys.core import ratelimit
from zapys.core.models import TokenMiss
from zapys.payments import views as payment_views
from zapys.urls import urlpatterns as zapys_urlpatterns

# The project's URLs plus the payment page without the limit, to measure its cost.
urlpatterns = [
    *zapys_urlpatterns,
    path("unlimited/pay/<str:token>/", payment_views.payment_page),
]

ATTACKER = "203.0.113.7"
BYSTANDER = "198.51.100.9"
LIMIT = 3
# Five seconds into the next minute (tests stay inside one minute unless they shift the
# clock; near the real time so signed links and payments stay valid).
START = (datetime.now(UTC) + timedelta(minutes=1)).replace(second=5, microsecond=0)


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.ZAPYS_TOKEN_MISSES_PER_MINUTE = LIMIT


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pages(org, branch) -> dict[str, str]:
    """A valid link of each kind of token page."""
    payment = make_topup(org, account=make_account(org, "sandbox"))
    enable_prepayment(org)
    booking = make_booking(org, branch, booking_type=make_booking_type(org))
    done = signing.dumps(booking.visit_id, salt="schedule.book")
    return {
        "pay": f"/pay/{payment.token}/",
        "prepay": f"/p/{booking.token}/",
        "book_done": f"/book/{org.slug}/done/{done}/",
    }


def _get(client, url: str, address: str = ATTACKER, language: str = "en"):
    client.cookies["django_language"] = language
    return client.get(url, REMOTE_ADDR=address)


def _spend_budget(client, address: str = ATTACKER) -> None:
    for n in range(LIMIT):
        assert _get(client, f"/pay/guess-{n}/", address).status_code == 404


def test_over_the_limit_every_token_page_is_429_until_the_minute_ends(client, pages, clock):
    for url in pages.values():
        assert _get(client, url).status_code == 200
    _spend_budget(client)
    for url in [*pages.values(), "/pay/guess-again/"]:
        response = _get(client, url)
        assert response.status_code == 429, url  # a hit must not tell itself apart
        assert 'data-testid="too-many"' in response.content.decode()
        assert "try again in a minute" in response.content.decode()
        assert response["Retry-After"] == "55"
    clock.shift(timedelta(seconds=55))  # the next minute
    for url in pages.values():
        assert _get(client, url).status_code == 200


def test_other_addresses_are_never_blocked(client, pages, clock):
    _spend_budget(client)
    assert _get(client, pages["pay"]).status_code == 429
    for url in pages.values():
        assert _get(client, url, BYSTANDER).status_code == 200
    # ...and have their own budget.
    assert _get(client, "/pay/typo/", BYSTANDER).status_code == 404
    assert _get(client, pages["pay"], BYSTANDER).status_code == 200


def test_one_budget_covers_every_token_page(client, org, pages, clock):
    assert _get(client, "/pay/guess/").status_code == 404
    assert _get(client, "/p/guess/").status_code == 404
    forged = signing.dumps(10**9, salt="schedule.book")[:-2] + "xx"
    assert _get(client, f"/book/{org.slug}/done/{forged}/").status_code == 404
    assert _get(client, pages["prepay"]).status_code == 429


def test_found_pages_spend_no_budget(client, pages, clock):
    for _ in range(LIMIT + 2):
        assert _get(client, pages["pay"]).status_code == 200
    assert not TokenMiss.objects.exists()


def test_ipv6_addresses_count_per_64(client, pages, clock):
    for n in range(LIMIT):
        _get(client, f"/pay/guess-{n}/", f"2001:db8:1:2::{n + 1}")
    assert _get(client, pages["pay"], "2001:db8:1:2:ffff::9").status_code == 429
    assert _get(client, pages["pay"], "2001:db8:1:3::1").status_code == 200
    assert list(TokenMiss.objects.values_list("client", "misses")) == [("2001:db8:1:2::/64", 3)]


def test_the_page_speaks_ukrainian(client, pages, clock):
    _spend_budget(client)
    response = _get(client, pages["pay"], language="uk")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Забагато спроб" in html and "спробуйте ще раз за хвилину" in html


def test_misses_are_counted_in_the_database_and_old_minutes_trimmed(db, client, clock):
    _spend_budget(client)
    assert list(TokenMiss.objects.values_list("client", "minute", "misses")) == [
        (ATTACKER, int(START.timestamp()) // 60, LIMIT)
    ]
    clock.shift(timedelta(minutes=ratelimit.KEEP_MINUTES + 1))
    assert _get(client, "/pay/later/").status_code == 404
    assert list(TokenMiss.objects.values_list("misses", flat=True)) == [1]


def _queries(client, url: str, address: str = BYSTANDER) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, REMOTE_ADDR=address)
    return [q["sql"] for q in ctx.captured_queries]


def _touching_limit(queries: list[str]) -> list[str]:
    return [sql.split(None, 1)[0].upper() for sql in queries if "core_tokenmiss" in sql]


@pytest.mark.urls(__name__)
def test_a_found_page_pays_one_read(client, org, clock):
    payments = [make_topup(org, account=make_account(org, "sandbox")) for _ in range(2)]
    for payment in payments:
        # Opened once before, so neither measured request records the first open.
        client.get(f"/unlimited/pay/{payment.token}/")
        limited = _queries(client, f"/pay/{payment.token}/")
        unlimited = _queries(client, f"/unlimited/pay/{payment.token}/")
        assert _touching_limit(limited) == ["SELECT"]
        assert len(limited) == len(unlimited) + 1


def test_a_miss_pays_a_read_and_an_upsert(db, client, clock):
    first = _queries(client, "/pay/guess-1/")
    assert _touching_limit(first) == ["SELECT", "INSERT", "DELETE"]  # a new minute trims
    second = _queries(client, "/pay/guess-2/")
    assert _touching_limit(second) == ["SELECT", "INSERT"]


@pytest.mark.postgres_only
def test_concurrent_misses_all_count(transactional_db):
    """Many processes' misses land on one row without losing any (the upsert)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    minute, threads, each = 1_000_000, 8, 5
    totals: list[int] = []
    barrier = threading.Barrier(threads)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(each):
                totals.append(ratelimit.miss_record(ATTACKER, minute))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(totals) == list(range(1, threads * each + 1))
    assert TokenMiss.objects.get(client=ATTACKER, minute=minute).misses == threads * each
