"""Keeps API tokens out of the logs.

WebSocket clients (and some HTTP ones) authenticate with `?token=`, and two logs write the
query string: daphne's access log (every request's path) and the JSON log's `request` field
(Django's request warnings pass the request, whose text is its full path). The values of the
query parameters named in SECRET_PARAMETERS are masked in both: here for the JSON log, and in
daphne's access log by the daphne adapter (`documents/realtime/daphne_adapter/access_log.py`),
with `mask_secrets`.
"""

from urllib.parse import unquote_plus

from django.http import HttpRequest

SECRET_PARAMETERS = frozenset({"token"})
MASK = "[redacted]"


def mask_secrets(target: str) -> str:
    """`target` (a path with its query string) with the values of secret parameters masked;
    names are compared decoded, as the server decodes them (`%74oken` is `token`)."""
    path, question_mark, query = target.partition("?")
    if not question_mark:
        return target
    fields = []
    for field in query.split("&"):
        name = field.partition("=")[0]
        fields.append(f"{name}={MASK}" if unquote_plus(name) in SECRET_PARAMETERS else field)
    return f"{path}?{'&'.join(fields)}"


def describe_request(request: HttpRequest) -> str:
    """The method and full path of `request`, secrets masked (for a log line)."""
    return f"{request.method} {mask_secrets(request.get_full_path())}"
