"""Keeps API tokens out of the logs.

WebSocket clients (and some HTTP ones) authenticate with `?token=`, and two logs write the
query string: daphne's access log (every request's path) and the JSON log's `request` field
(Django's request warnings pass the request, whose text is its full path). The values of the
query parameters named in SECRET_PARAMETERS are masked in both. daphne's command line has no
hook for its access log, and it is not always ours to choose (a benchmark, a platform's start
command), so its server class is patched when the ASGI application loads, as
`documents/realtime/daphne_limits.py` does for message sizes.
"""

import sys
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


def mask_secrets_in_access_log() -> bool:
    """Make the running daphne server's access log mask secret query parameters; returns
    whether daphne is the server. Must run before the server logs anything (asgi.py)."""
    daphne_server = sys.modules.get("daphne.server")
    if daphne_server is None:
        return False
    server_class = daphne_server.Server
    original_log_action = server_class.log_action
    if getattr(original_log_action, "masks_secrets", False):
        return True

    def log_action(self, protocol: str, action: str, details: dict) -> None:
        if isinstance(details.get("path"), str):
            details = {**details, "path": mask_secrets(details["path"])}
        original_log_action(self, protocol, action, details)

    log_action.masks_secrets = True
    server_class.log_action = log_action
    return True
