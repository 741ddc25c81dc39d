"""documents/client_address.py: X-Forwarded-For is believed only as far as trusted proxies
wrote it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from documents.client_address import client_address


def request_from(remote_addr: str, forwarded_for: str | None = None):
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


def test_a_trusted_proxy_s_entry_names_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_address(request_from("10.0.0.2", "203.0.113.9")) == "203.0.113.9"


def test_what_the_client_wrote_left_of_the_proxy_s_entry_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = request_from("10.0.0.2", "1.2.3.4, 198.51.100.1, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_hop(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]
    request = request_from("10.0.0.2", "1.2.3.4, 203.0.113.9, 2001:db8::5, 10.1.1.1")
    assert client_address(request) == "203.0.113.9"


def test_a_client_not_behind_a_trusted_proxy_cannot_claim_an_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_address(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


def test_a_trusted_proxy_without_the_header_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_address(request_from("10.0.0.2")) == "10.0.0.2"
    assert client_address(request_from("10.0.0.2", " , ")) == "10.0.0.2"


def test_a_malformed_entry_stops_the_walk(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = request_from("10.0.0.2", "203.0.113.9, not-an-address, 10.0.0.3")
    assert client_address(request) == "not-an-address"


def test_a_malformed_setting_is_a_configuration_error(settings):
    settings.TRUSTED_PROXIES = ["nginx"]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        client_address(request_from("10.0.0.2", "203.0.113.9"))
