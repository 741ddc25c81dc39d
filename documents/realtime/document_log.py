"""Log lines about one document: each says which, in its text and as the `document` field of the
JSON log (project_name/logformat.py)."""

import logging
from collections.abc import MutableMapping
from typing import Any
from uuid import UUID


class DocumentLog(logging.LoggerAdapter):
    def __init__(self, logger: logging.Logger, document_id: UUID) -> None:
        super().__init__(logger, {"document": str(document_id)})

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        kwargs["extra"] = {**self.extra, **kwargs.get("extra", {})}
        return f"document {self.extra['document']}: {msg}", kwargs
