"""Staff login throttling (issue 10): django-axes with a (login, address) budget, a
per-address budget across logins, and a lockout that doubles with every further failure.

What the attack showed: five wrong passwords from anywhere locked a login for everybody,
and twenty from one address locked every login from it. Each test signs in through the
real login page, with the client's address in REMOTE_ADDR (or X-Forwarded-For behind a
trusted proxy), and checks who may still sign in and what the database holds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from tests.api_client import ApiClient
from tests.factories import PASSWORD, make_staff
from zapys.accounts.jobs import forget_login_failures
from zapys.accounts.models import User
from zapys.accounts.throttling import client_address, locked_until

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 12:00 in Kyiv
HOME = "203.0.113.5"
ELSEWHERE = "198.51.100.7"
LIMIT = 5


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 8
    settings.LOGIN_LOCKOUT_MINUTES = 5
    settings.TRUSTED_PROXIES = 0


def sign_in(username: str, password: str, address: str = HOME, forwarded_for: str = ""):
    """One sign-in from a fresh browser (a signed-in session would skip the form)."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return Client(REMOTE_ADDR=address).post(
        "/login/", {"username": username, "password": password}, headers=headers
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def failures() -> dict[tuple[str, str], int]:
    return {(a.username, a.ip_address): a.failures_since_start for a in AccessAttempt.objects.all()}


def fail(username: str, times: int, address: str = HOME) -> None:
    for _ in range(times):
        response = sign_in(username, "wrong password", address)
        assert not signed_in(response)


@time_machine.travel(NOW, tick=False)
def test_a_wrong_password_is_recorded_for_that_login_and_address(owner):
    response = sign_in(owner.username, "nope")
    assert response.status_code == 200 and not signed_in(response)
    assert failures() == {(owner.username, HOME): 1}


@time_machine.travel(NOW, tick=False)
def test_failures_lock_that_login_from_that_address_only(owner, org):
    colleague = make_staff(org, User.Role.ADMINISTRATOR, username="colleague")
    fail(owner.username, LIMIT)

    # The right password from the same address is refused, and the refusal counts nothing.
    refused = sign_in(owner.username, PASSWORD)
    assert refused.status_code == 429 and not signed_in(refused)
    assert failures() == {(owner.username, HOME): LIMIT}
    owner.refresh_from_db()
    assert owner.last_login is None

    # The same person from another address, and a colleague from this one, sign in.
    assert signed_in(sign_in(owner.username, PASSWORD, ELSEWHERE))
    assert signed_in(sign_in(colleague.username, PASSWORD, HOME))


@time_machine.travel(NOW, tick=False)
def test_one_address_trying_many_logins_spends_its_own_budget_only(owner):
    # Credential stuffing: one guess for each of many logins, never 5 for one of them.
    for n in range(8):
        fail(f"someone{n}", 1)
    refused = sign_in(owner.username, PASSWORD, HOME)
    assert refused.status_code == 429 and not signed_in(refused)
    assert sum(failures().values()) == 8  # the refused try is not another failure

    assert signed_in(sign_in(owner.username, PASSWORD, ELSEWHERE))


@time_machine.travel(NOW, tick=False)
def test_below_the_address_budget_nobody_is_locked(owner):
    for n in range(7):
        fail(f"someone{n}", 1)
    assert signed_in(sign_in(owner.username, PASSWORD, HOME))


def test_the_lockout_doubles_with_every_further_failure(owner):
    with time_machine.travel(NOW, tick=False) as clock:
        fail(owner.username, LIMIT)
        assert locked_until(username=owner.username, ip_address=HOME, now=NOW) == NOW + timedelta(
            minutes=5
        )
        lockouts = []
        for _ in range(3):
            until = locked_until(username=owner.username, ip_address=HOME, now=datetime.now(tz=UTC))
            assert until is not None
            clock.move_to(until + timedelta(seconds=1))  # the lockout is over...
            fail(owner.username, 1)  # ...and one more wrong password
            started = datetime.now(tz=UTC)
            until = locked_until(username=owner.username, ip_address=HOME, now=started)
            assert until is not None
            lockouts.append(until - started)
        assert lockouts == [timedelta(minutes=10), timedelta(minutes=20), timedelta(minutes=40)]

        # Still locked one minute before the end, even with the right password...
        clock.move_to(started + timedelta(minutes=39))
        assert not signed_in(sign_in(owner.username, PASSWORD))
        # ...and let in once it is over; success clears the failures.
        clock.move_to(started + timedelta(minutes=41))
        assert signed_in(sign_in(owner.username, PASSWORD))
        assert failures() == {}


def test_tries_refused_during_a_lockout_do_not_extend_it(owner):
    with time_machine.travel(NOW, tick=False) as clock:
        fail(owner.username, LIMIT)
        clock.move_to(NOW + timedelta(minutes=2))
        fail(owner.username, 3)
        sign_in(owner.username, PASSWORD)
        assert failures() == {(owner.username, HOME): LIMIT}
        assert locked_until(
            username=owner.username, ip_address=HOME, now=datetime.now(tz=UTC)
        ) == NOW + timedelta(minutes=5)
        clock.move_to(NOW + timedelta(minutes=5, seconds=1))
        assert signed_in(sign_in(owner.username, PASSWORD))


@time_machine.travel(NOW, tick=False)
def test_success_clears_that_logins_failures_not_the_addresses_others(owner):
    fail(owner.username, 2)
    fail("someone", 3)
    assert signed_in(sign_in(owner.username, PASSWORD))
    assert failures() == {("someone", HOME): 3}


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Too many failed sign-in attempts. You can try again after 12:06."),
        ("uk", "Забагато невдалих спроб входу. Спробувати знову можна після 12:06."),
    ],
)
def test_the_lockout_answer_is_the_login_page_saying_when(owner, language, text):
    fail(owner.username, LIMIT - 1)
    # The failure that spends the budget already answers with the lockout, and so does
    # the right password after it.
    for password in ("wrong password", PASSWORD):
        browser = Client(REMOTE_ADDR=HOME)
        browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = browser.post("/login/", {"username": owner.username, "password": password})
        page = response.content.decode()
        assert response.status_code == 429 and not signed_in(response)
        assert response["Retry-After"] == str(5 * 60)
        assert 'data-testid="login-form"' in page
        assert text in page
        assert "Account locked" not in page  # not axes' own text


@time_machine.travel(NOW, tick=False)
def test_the_address_comes_from_the_trusted_proxy(owner, settings):
    settings.TRUSTED_PROXIES = 1
    # Behind one proxy the client is the address the proxy appended, whatever it claims.
    for claimed in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        response = sign_in(owner.username, "nope", "10.0.0.2", forwarded_for=f"{claimed}, {HOME}")
        assert not signed_in(response)
    assert failures() == {(owner.username, HOME): LIMIT}
    locked = sign_in(owner.username, PASSWORD, "10.0.0.2", forwarded_for=HOME)
    assert locked.status_code == 429
    other = sign_in(owner.username, PASSWORD, "10.0.0.2", forwarded_for=ELSEWHERE)
    assert signed_in(other)


@time_machine.travel(NOW, tick=False)
def test_without_a_proxy_a_forged_forwarded_header_changes_nothing(owner):
    for n in range(LIMIT):
        sign_in(owner.username, "nope", HOME, forwarded_for=f"10.9.9.{n}")
    assert failures() == {(owner.username, HOME): LIMIT}
    forged = sign_in(owner.username, PASSWORD, HOME, forwarded_for="10.8.8.8")
    assert forged.status_code == 429 and not signed_in(forged)


def test_client_address_counts_an_ipv6_subscriber_once_and_ignores_garbage(rf, settings):
    settings.TRUSTED_PROXIES = 1

    def address(remote: str, forwarded: str = "") -> str | None:
        request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
        return client_address(request)

    assert address("10.0.0.2", "2001:db8:1:2::1") == "2001:db8:1:2::"
    assert address("10.0.0.2", "2001:db8:1:2:ffff:0:0:9") == "2001:db8:1:2::"
    assert address("10.0.0.2", "2001:db8:1:3::1") == "2001:db8:1:3::"
    assert address("10.0.0.2", "::ffff:192.0.2.1") == "192.0.2.1"
    assert address("10.0.0.2", "<script>") == "10.0.0.2"
    assert address("10.0.0.2", HOME) == HOME


@time_machine.travel(NOW, tick=False)
def test_api_keys_do_not_go_through_login_throttling(owner, api):
    for n in range(8):
        fail(f"someone{n}", 1, "127.0.0.1")  # the test API client's address is now locked
    before = failures()
    assert sign_in(owner.username, PASSWORD, "127.0.0.1").status_code == 429
    assert api.get("/branches").status == 200
    assert ApiClient("zk_deadbeef_wrong").get("/branches").status == 401
    assert failures() == before  # a wrong key is no failed sign-in


def test_the_job_forgets_failures_two_days_old(owner):
    with time_machine.travel(NOW, tick=False) as clock:
        fail("old", 1)
        clock.move_to(NOW + timedelta(days=1))
        fail(owner.username, 1)
        summary = forget_login_failures(NOW + timedelta(days=2, minutes=1))
    assert summary == "deleted 1 old failed-login records"
    assert failures() == {(owner.username, HOME): 1}
