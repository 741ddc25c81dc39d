"""WebSocket URL patterns."""

from django.urls import path, re_path

from documents.realtime.consumer import DocumentConsumer, UnknownPathConsumer

websocket_urlpatterns = [
    path("ws/documents/<uuid:document_id>", DocumentConsumer.as_asgi()),
    # Anything else (a malformed id included) is a document that does not exist.
    re_path(r"", UnknownPathConsumer.as_asgi()),
]
