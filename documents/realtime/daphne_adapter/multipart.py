"""Leaves multipart bodies to Django: Twisted, under daphne, parses every multipart/form-data
POST into `request.args` before the application sees it, copying the body several times
through the e-mail parser (a 20 MiB upload cost about 240 MiB at its peak, on any path, before
any limit of ours could refuse it). daphne never reads `request.args`; the body reaches Django
as it came, and Django's upload handlers (with their size limits) parse it, once."""


def _no_arguments(content: bytes, ctype: bytes) -> dict:
    return {}


def install() -> None:
    from twisted.web import http

    http._getMultiPartArgs = _no_arguments


def installed() -> bool:
    from twisted.web import http

    return http._getMultiPartArgs is _no_arguments
