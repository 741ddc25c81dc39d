"""daphne's access log with the secrets of query strings masked (project_name/secrets_in_logs.py
decides what is a secret and how it is masked).

daphne's command line has no hook for its access log, and it is not always ours to choose (a
benchmark, a platform's start command), so its server class's `log_action`, through which every
access log line goes, is wrapped when the ASGI application loads.
"""

import functools
from typing import Any

from project_name.secrets_in_logs import mask_secrets


def install(server_class: Any) -> None:
    """Make daphne's `server_class` mask secret query parameters in its access log; before the
    server logs anything (startup.py). A second call changes nothing."""
    original_log_action = server_class.log_action
    if getattr(original_log_action, "masks_secrets", False):
        return

    @functools.wraps(original_log_action)  # a second check reads daphne's own
    def log_action(self, protocol: str, action: str, details: dict) -> None:
        if isinstance(details.get("path"), str):
            details = {**details, "path": mask_secrets(details["path"])}
        original_log_action(self, protocol, action, details)

    log_action.masks_secrets = True
    server_class.log_action = log_action
