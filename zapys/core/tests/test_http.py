from django.test import RequestFactory

from zapys.core.http import client_ip


def test_direct_connection_uses_remote_addr(settings):
    settings.TRUSTED_PROXIES = 0
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "203.0.113.5"  # a client-sent header is not trusted


def test_behind_one_proxy_takes_the_address_it_appended(settings):
    settings.TRUSTED_PROXIES = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7"
    )
    assert client_ip(request) == "198.51.100.7"
    assert client_ip(None) is None
