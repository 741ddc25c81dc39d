"""Password guessing: the sign-in form, the token endpoint, the admin's sign-in and sign-up,
throttled per account and per client address (documents/throttling.py), with the policy the
settings ship: 10 failures per account per 15 minutes, 30 sign-in attempts per address per
minute, 20 sign-ups per address per hour."""

import ipaddress
import itertools
import json
import urllib.error
import urllib.request

import pytest
from django.test import Client
from rest_framework.test import APIClient

from documents.throttling import AnonThrottle, SignInAccountThrottle, SignInAddressThrottle
from tests.server import DaphneServer

pytestmark = pytest.mark.django_db

PASSWORD = "password-123!"
ACCOUNT_LIMIT = 10
ADDRESS_LIMIT = 30
# Addresses of the benchmarking range, a new one for every use.
_addresses = (str(ipaddress.ip_address("198.18.0.1") + n) for n in itertools.count())
_numbers = itertools.count()


def form_sign_in(username: str, password: str, address: str = "127.0.0.1", **headers):
    return Client(REMOTE_ADDR=address, **headers).post(
        "/accounts/login/", {"username": username, "password": password}
    )


def token_request(username: str, password: str, address: str = "127.0.0.1", **headers):
    return APIClient(REMOTE_ADDR=address, **headers).post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )


def signed_in(response) -> bool:
    return response.status_code == 302 or (
        response.status_code == 200 and "token" in response.json()
    )


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock, moved by hand."""
    now = [1_000_000.0]
    for throttle in (SignInAccountThrottle, SignInAddressThrottle):
        monkeypatch.setattr(throttle, "timer", staticmethod(lambda: now[0]))
    return now


def test_wrong_passwords_on_the_form_lock_the_account_with_retry_after(user, clock):
    codes = [form_sign_in("alice", f"guess{n}").status_code for n in range(ACCOUNT_LIMIT)]
    assert codes == [200] * ACCOUNT_LIMIT
    clock[0] += 60
    refused = form_sign_in("alice", PASSWORD)  # even the right password: guessing must stop
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 15 * 60 - 60
    assert b"Too many attempts. Try again in 14 minutes." in refused.content
    assert b'value="alice"' in refused.content  # the form is shown again, filled in
    assert "_auth_user_id" not in refused.wsgi_request.session


def test_the_lock_ends_when_the_oldest_failure_leaves_the_window(user, clock):
    for n in range(ACCOUNT_LIMIT):
        form_sign_in("alice", f"guess{n}")
        clock[0] += 1
    clock[0] += 15 * 60 - ACCOUNT_LIMIT  # the first failure is now out of the window
    assert signed_in(form_sign_in("alice", PASSWORD))
    assert form_sign_in("alice", "one more guess").status_code == 200
    assert form_sign_in("alice", PASSWORD).status_code == 429  # ten in the window again


def test_the_account_limit_holds_whatever_address_the_guesses_come_from(user):
    for n in range(ACCOUNT_LIMIT):
        assert token_request("alice", f"guess{n}", address=next(_addresses)).status_code == 400
    refused = token_request("alice", PASSWORD, address=next(_addresses))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert form_sign_in("alice", PASSWORD, address=next(_addresses)).status_code == 429


def test_failures_on_the_form_and_the_api_count_together(user):
    for n in range(ACCOUNT_LIMIT // 2):
        form_sign_in("alice", f"form guess {n}", address=next(_addresses))
        token_request("alice", f"api guess {n}", address=next(_addresses))
    assert token_request("alice", PASSWORD, address=next(_addresses)).status_code == 429


def test_variants_of_a_username_share_its_count(user):
    variants = ["alice", "ALICE", " alice ", "Alice", "ａｌｉｃｅ"]  # the last one full-width
    for n in range(ACCOUNT_LIMIT):
        form_sign_in(variants[n % len(variants)], "guess", address=next(_addresses))
    assert form_sign_in("alice", PASSWORD, address=next(_addresses)).status_code == 429


def test_other_accounts_failures_do_not_block_a_sign_in(make_user, user):
    make_user("bob")
    for n in range(ACCOUNT_LIMIT):
        form_sign_in("bob", f"guess{n}")
    assert form_sign_in("bob", PASSWORD).status_code == 429
    # The same address and another one: alice's account has no failures.
    assert signed_in(form_sign_in("alice", PASSWORD))
    assert signed_in(token_request("alice", PASSWORD, address=next(_addresses)))


def test_one_address_is_limited_across_accounts(user):
    codes = [token_request(f"nobody{n}", "guess").status_code for n in range(ADDRESS_LIMIT)]
    assert codes == [400] * ADDRESS_LIMIT
    refused = token_request("alice", PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert form_sign_in("alice", PASSWORD).status_code == 429
    assert signed_in(form_sign_in("alice", PASSWORD, address=next(_addresses)))


def test_rotating_forwarded_for_headers_do_not_help(user):
    """Without a trusted proxy (the default) X-Forwarded-For is the client's own words: a new
    one on each request changes nothing."""
    codes = [
        token_request(f"nobody{n}", "guess", HTTP_X_FORWARDED_FOR=next(_addresses)).status_code
        for n in range(ADDRESS_LIMIT + 10)
    ]
    assert codes == [400] * ADDRESS_LIMIT + [429] * 10
    form_codes = [
        form_sign_in("alice", "guess", HTTP_X_FORWARDED_FOR=next(_addresses)).status_code
        for _ in range(5)
    ]
    assert form_codes == [429] * 5


def test_behind_a_trusted_proxy_clients_are_told_apart_by_the_proxy_s_entry(settings, user):
    """The proxy appends the address it saw; what the client wrote to the left of it is
    ignored, so rotating it does not help, while another client has its own count."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = "10.0.0.2"
    codes = [
        token_request(
            f"nobody{n}",
            "guess",
            address=proxy,
            HTTP_X_FORWARDED_FOR=f"{next(_addresses)}, 203.0.113.7",
        ).status_code
        for n in range(ADDRESS_LIMIT + 1)
    ]
    assert codes == [400] * ADDRESS_LIMIT + [429]
    other_client = token_request(
        "alice", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert signed_in(other_client)


def test_the_admin_sign_in_is_throttled_too(make_user):
    make_user("root", is_staff=True, is_superuser=True)
    codes = [
        Client().post("/admin/login/", {"username": "root", "password": f"guess{n}"}).status_code
        for n in range(ACCOUNT_LIMIT)
    ]
    assert codes == [200] * ACCOUNT_LIMIT
    refused = Client().post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert token_request("root", PASSWORD).status_code == 429
    assert Client().get("/admin/login/").status_code == 200  # the page itself still shows


def sign_up(username: str, address: str = "127.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        "/accounts/signup/",
        {"username": username, "password1": "a-Long-pass-99", "password2": "a-Long-pass-99"},
    )


def test_sign_ups_from_one_address_are_limited(user):
    codes = [sign_up(f"new{n}").status_code for n in range(20)]
    assert codes == [302] * 20
    refused = sign_up("alice")  # taken: a throttled answer must not say so
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert b"Too many attempts" in refused.content
    assert b"already exists" not in refused.content
    assert signed_in(sign_up("new-elsewhere", address=next(_addresses)))


def test_the_api_s_general_rate_ignores_rotating_forwarded_for_headers(db, monkeypatch):
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "5/minute"})
    codes = [
        APIClient().get("/api/", HTTP_X_FORWARDED_FOR=next(_addresses)).status_code
        for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]


@pytest.mark.slow
def test_a_real_server_behind_a_trusted_proxy_counts_the_client_the_proxy_saw(tmp_path):
    """daphne gives Django the connection's address; the proxy (here: this test, on
    127.0.0.1) adds the client's address at the right of what the client sent."""
    server = DaphneServer(tmp_path, TRUSTED_PROXIES="127.0.0.1")
    server.start()
    try:

        def attempt(forwarded_for: str) -> int:
            # A new username each time: the account limit is not what this test is about.
            body = {"username": f"nobody{next(_numbers)}", "password": "guess"}
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.port}/api/auth/token/",
                data=json.dumps(body).encode(),
                headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        spoofed = [attempt(f"{next(_addresses)}, 203.0.113.7") for _ in range(ADDRESS_LIMIT + 1)]
        assert spoofed == [400] * ADDRESS_LIMIT + [429]
        assert attempt("203.0.113.8") == 400  # another client: its own count
    finally:
        server.stop()
