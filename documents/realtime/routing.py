"""WebSocket URL patterns."""

from django.urls import path, re_path

from documents.realtime.consumer import DocumentConsumer, UnknownPathConsumer

# A document's socket is WEBSOCKET_PATH/<document id>.
WEBSOCKET_PATH = "/ws/documents"

websocket_urlpatterns = [
    path(f"{WEBSOCKET_PATH[1:]}/<uuid:document_id>", DocumentConsumer.as_asgi()),
    # Anything else (a malformed id included) is a document that does not exist.
    re_path(r"", UnknownPathConsumer.as_asgi()),
]
