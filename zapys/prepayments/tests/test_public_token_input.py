"""A public token page answers an edited token with a 404 page, never a 500: a NUL byte in
the token reached the database lookup, which PostgreSQL refuses."""

import pytest

from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type


@pytest.mark.parametrize("prefix", ["/p/", "/pay/"])
@pytest.mark.parametrize("token", ["%00", "a%00b", "%C2%B2", "x" * 129, "..%2F"])
def test_a_malformed_token_is_not_found(db, client, prefix, token):
    client.raise_request_exception = False
    r = client.get(f"{prefix}{token}/")
    assert r.status_code == 404


def test_a_real_token_still_opens(client, org, branch):
    enable_prepayment(org)
    make_booking_type(org, "fixed", 20_000)
    booking = make_booking(org, branch)
    assert client.get(f"/p/{booking.token}/").status_code == 200
