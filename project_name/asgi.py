"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project_name.settings")
# Set up Django (apps, models) before anything imports a consumer.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

import project_name.urls  # noqa: E402, F401  (see below)
from documents.realtime.auth import websocket_auth_stack  # noqa: E402
from documents.realtime.daphne_adapter import startup as daphne_adapter  # noqa: E402
from documents.realtime.routing import websocket_urlpatterns  # noqa: E402

# Before daphne makes its server: the adapter checks daphne's internals, installs what it can
# and logs which fast paths are on.
daphne_adapter.install()

application = ProtocolTypeRouter(
    {
        # Static files too: daphne serves none itself, WhiteNoise's middleware does.
        "http": django_asgi_app,
        "websocket": websocket_auth_stack(URLRouter(websocket_urlpatterns)),
    }
)

# The URLconf is imported above, not on the first request: through DRF and drf-spectacular it
# loads enough modules to add about 0.15 s of CPU to that request.
# Everything loaded so far lives as long as the process: keep it out of the cyclic collector's
# full passes, which otherwise walk all of Django (about 50 ms each, measured in scenario b).
gc.freeze()
