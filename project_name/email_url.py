"""Django's mailer (the `MAILERS` setting) from one `EMAIL_URL`, as DATABASE_URL does for the
database.

A dozen lines of parsing do not earn a dependency (dj-email-url): the schemes are few.

    console://                       the console backend (the embedded default)
    locmem://                        kept in memory (tests)
    smtp://user:password@host:587    SMTP with STARTTLS
    smtps://user:password@host:465   SMTP over TLS
    smtp://host:25?tls=0             plain SMTP (a relay on the same network)
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
}


def mailer(url: str) -> dict:
    """The `MAILERS` entry that `url` describes."""
    parts = urlsplit(url)
    if parts.scheme not in _BACKENDS:
        raise ImproperlyConfigured(f"EMAIL_URL: unknown scheme {parts.scheme!r} in {url!r}")
    found: dict = {"BACKEND": _BACKENDS[parts.scheme]}
    if not parts.scheme.startswith("smtp"):
        return found
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL: an SMTP URL needs a host")
    implicit_tls = parts.scheme == "smtps"
    starttls = parse_qs(parts.query).get("tls", ["1"])[0] not in ("0", "false", "no")
    found["OPTIONS"] = {
        "host": parts.hostname,
        "port": parts.port or (465 if implicit_tls else 587),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_ssl": implicit_tls,
        "use_tls": starttls and not implicit_tls,
        "timeout": 30,
    }
    return found
