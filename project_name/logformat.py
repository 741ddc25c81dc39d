"""A JSON log formatter: one object per line, for log collectors (`DJANGO_LOG_FORMAT=json`)."""

import json
import logging

from django.http import HttpRequest

from project_name.secrets_in_logs import describe_request

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Time, level, logger, message, any `extra` fields (such as `document`), and the
    exception if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in record.__dict__.items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=_as_text)


def _as_text(value: object) -> str:
    # Django's request warnings pass the request; its own text would show `?token=`.
    return describe_request(value) if isinstance(value, HttpRequest) else str(value)
