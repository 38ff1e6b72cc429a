"""ASGI entry point: HTTP through Django, WebSockets through the Channels router."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from frontend.pagecache import PageCache  # noqa: E402
from rooms.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Anonymous GETs of public pages from the page cache, without entering Django.
        "http": PageCache(django_asgi_app),
        # The rooms as a plain ASGI application; the other sockets through Channels' stack
        # (Origin, cookies, session, user).
        "websocket": websocket_application(),
    }
)
