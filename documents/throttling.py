"""Request throttles: the API's general rates and the limits on guessing passwords.

They are DRF's cache-backed throttles (state in Django's cache, shared by all processes when
that cache is Redis), with two changes: clients are told apart by `client_address`, never by
a raw `X-Forwarded-For`, and sign-ins are limited per account as well as per address. The
same throttle classes guard the REST token endpoint (as DRF throttles), the sign-in and
sign-up forms and the admin's sign-in (through `refusal_wait`).

Per account, only failures count, from wherever they come: `user_login_failed`, which
Django's `authenticate()` sends for every path that checks a password, records them. Once an
account has too many recent failures, every attempt at it is refused, a right password too,
until the oldest failure leaves the window; otherwise the guessing would just go on.
"""

import functools
import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request
from rest_framework.throttling import (
    AnonRateThrottle,
    BaseThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from documents.client_address import client_address

_PERIOD = re.compile(r"(?P<count>\d*)(?P<unit>[smhd])[a-z]*")


class CountedPeriodRate(SimpleRateThrottle):
    """DRF's rates, which also accept a number of units as the period ("10/15m")."""

    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        # DRF reads only the unit's first letter; a lockout window is minutes, not one minute.
        if rate is None:
            return (None, None)
        requests, period = rate.split("/")
        match = _PERIOD.fullmatch(period.strip())
        assert match, f"a throttle rate looks like '30/minute' or '10/15m', not {rate!r}"
        requests_allowed, unit_seconds = super().parse_rate(f"{requests}/{match['unit']}")
        return requests_allowed, unit_seconds * int(match["count"] or 1)


class PerUserSettingRate(CountedPeriodRate):
    """A rate per signed-in user, whatever the client address, read from the setting named by
    `rate_setting` (for actions that each keep something on the server)."""

    rate_setting: str

    def get_rate(self) -> str:
        return getattr(settings, self.rate_setting)

    def get_cache_key(self, request: Request, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class ByClientAddress(BaseThrottle):
    """Identifies clients by `client_address` (DRF's own reading trusts anyone's header)."""

    def get_ident(self, request: HttpRequest) -> str:
        return client_address(request)


class AnonThrottle(ByClientAddress, AnonRateThrottle):
    """DRF's anonymous rate, per client address."""


class UserThrottle(ByClientAddress, UserRateThrottle):
    """DRF's per-user rate; anonymous requests per client address."""


class _AddressRate(ByClientAddress, CountedPeriodRate):
    def get_cache_key(self, request: HttpRequest, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SignInAddressThrottle(_AddressRate):
    """Sign-in attempts from one client address, whatever the account or the outcome."""

    scope = "sign_in_address"


class SignUpAddressThrottle(_AddressRate):
    """Sign-up attempts from one client address (account flooding, username probing)."""

    scope = "sign_up_address"


def _account_key(username: str) -> str:
    # Normalised as the sign-in forms clean it (NFKC, trimmed), and in any case, so that
    # variants of one name share their count; hashed, to keep odd characters out of cache keys.
    normal = unicodedata.normalize("NFKC", username).strip().casefold()
    return hashlib.sha256(normal.encode()).hexdigest()


def _submitted_username(request: HttpRequest) -> str | None:
    data = request.data if isinstance(request, Request) else request.POST
    username = data.get(get_user_model().USERNAME_FIELD) if hasattr(data, "get") else None
    return username if isinstance(username, str) and username.strip() else None


class SignInAccountThrottle(CountedPeriodRate):
    """Failed sign-ins for one account, whatever address they come from."""

    scope = "sign_in_account"

    def key_for(self, username: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": _account_key(username)}

    def get_cache_key(self, request: HttpRequest, view: object) -> str | None:
        username = _submitted_username(request)
        return None if username is None else self.key_for(username)

    def throttle_success(self) -> bool:
        # Checking counts nothing: failures are counted by record_failure.
        return True

    def record_failure(self, username: str) -> None:
        """Count one failed sign-in for `username`."""
        if self.rate is None:
            return
        self.key = self.key_for(username)
        self.now = self.timer()
        self.history = [
            moment for moment in self.cache.get(self.key, []) if moment > self.now - self.duration
        ]
        super().throttle_success()


def record_failed_sign_in(sender: object, credentials: dict, **kwargs: object) -> None:
    """`user_login_failed` receiver: count the failure against the account that was tried."""
    username = credentials.get(get_user_model().USERNAME_FIELD)
    if isinstance(username, str) and username.strip():
        SignInAccountThrottle().record_failure(username)


def refusal_wait(
    request: HttpRequest, throttle_classes: Iterable[type[BaseThrottle]]
) -> int | None:
    """Seconds until `request` would be let through, if any of the throttles refuses it now
    (as DRF's `APIView.check_throttles` decides, for views outside DRF)."""
    waits = []
    for throttle in (throttle_class() for throttle_class in throttle_classes):
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or 0)
    return math.ceil(max(waits)) if waits else None


def too_many_attempts_message(wait: int) -> str:
    """What a person is told when a sign-in or sign-up form is throttled."""
    minutes = math.ceil(wait / 60)
    when = f"{minutes} minutes" if minutes > 1 else "a minute"
    return f"Too many attempts. Try again in {when}."


def with_retry_after(response: HttpResponse, wait: int) -> HttpResponse:
    """`response` as a 429 that says when to come back."""
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response


SIGN_IN_THROTTLES = (SignInAddressThrottle, SignInAccountThrottle)


def throttle_sign_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Guard a sign-in view outside this app's pages (the admin's): a throttled POST is a
    plain 429 before the view checks any password."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method == "POST":
            wait = refusal_wait(request, SIGN_IN_THROTTLES)
            if wait is not None:
                message = too_many_attempts_message(wait)
                return with_retry_after(HttpResponse(message, content_type="text/plain"), wait)
        return view(request, *args, **kwargs)

    return guarded
