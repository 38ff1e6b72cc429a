"""ASGI entry point: HTTP through Django, WebSockets through the Channels router."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from frontend.pagecache import PageCache  # noqa: E402
from rooms.routing import (  # noqa: E402
    ServerSendMiddleware,
    SocketAuthMiddlewareStack,
    websocket_urlpatterns,
)


class SettingsOriginValidator(OriginValidator):
    """Channels' OriginValidator (scheme, host and port must match a pattern) over
    ``settings.WEBSOCKET_ALLOWED_ORIGINS``, read at each handshake."""

    @property
    def allowed_origins(self) -> list[str]:
        return list(settings.WEBSOCKET_ALLOWED_ORIGINS)

    @allowed_origins.setter
    def allowed_origins(self, value: object) -> None:
        """The settings are the list; what the constructor passes is ignored."""


application = ProtocolTypeRouter(
    {
        # Anonymous GETs of public pages from the page cache, without entering Django.
        "http": PageCache(django_asgi_app),
        "websocket": ServerSendMiddleware(
            # Scheme, host and port of the Origin against WEBSOCKET_ALLOWED_ORIGINS (the stock
            # AllowedHostsOriginValidator compares the host only, and ``*`` turns it off).
            SettingsOriginValidator(SocketAuthMiddlewareStack(URLRouter(websocket_urlpatterns)), [])
        ),
    }
)
